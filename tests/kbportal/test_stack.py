"""`make stack` (deploy/stack.sh) refuses to start without its database and Redis, and says how to give them."""

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent
BASH = shutil.which("bash")


@pytest.mark.parametrize(
    ("given", "missing"),
    [
        ({}, "DATABASE_URL and REDIS_URL"),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgres://postgres@127.0.0.1:5432/kbportal"}, "REDIS_URL"),
    ],
)
def test_the_stack_refuses_to_start_without_its_database_and_redis(given, missing, tmp_path):
    # A clean environment, as on a fresh shell: nothing of this test run's settings leaks in.
    result = subprocess.run(  # noqa: S603 - the project's own script
        [BASH, str(ROOT / "deploy" / "stack.sh")],
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), **given},
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip

    assert result.returncode == 2
    assert f"make stack needs {missing}:" in result.stderr
    assert "make stack DATABASE_URL=postgres://" in result.stderr
    assert "REDIS_URL=redis://" in result.stderr
