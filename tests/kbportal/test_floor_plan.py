"""The floor plan: every module sits on a stated floor, and a room imports only the rooms below it.

The contracts themselves are import-linter's ([tool.importlinter] in pyproject.toml; `make layers`, run by CI);
these tests keep them honest: a new module of kbportal/ must be given a floor, and neither the knowledge base,
the desk nor the forum reaches up into the help center that stands on them.
"""

import pkgutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest

import kbportal

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]


@pytest.fixture(scope="module")
def graph() -> grimp.ImportGraph:
    return grimp.build_graph("kbportal", "articles", "tickets", "community", cache_dir=None)


def _layered_modules(contracts: list[dict]) -> set[str]:
    layers = next(contract["layers"] for contract in contracts if contract["type"] == "layers")
    return {name.strip() for layer in layers for name in layer.replace("|", ":").split(":")}


def test_every_module_of_kbportal_is_on_a_floor(contracts):
    layered = _layered_modules(contracts)
    management = {
        f"kbportal.management.commands.{m.name}"
        for m in pkgutil.iter_modules([str(ROOT / "kbportal/management/commands")])
    }
    modules = {f"kbportal.{m.name}" for m in pkgutil.iter_modules(kbportal.__path__) if m.name != "management"}

    assert modules | management <= layered, sorted((modules | management) - layered)


@pytest.mark.parametrize("room", ["articles", "tickets", "community"])
def test_the_rooms_below_the_help_center_do_not_import_it(graph, room):
    """The help center stands on them; they ask registries they own (reader hooks, panels, guest links)."""
    upward = [
        (importer, imported)
        for importer in sorted(graph.find_descendants(room) | {room})
        for imported in graph.find_modules_directly_imported_by(importer)
        if imported == "kbportal.helpcenter" or imported.startswith("kbportal.helpcenter.")
    ]

    assert upward == []


def test_no_upward_import_is_excused(contracts):
    """A room that needs one above it owns a registry the upper room fills; the contract lists no exception."""
    assert all(not contract.get("ignore_imports") for contract in contracts)


def test_the_contracts_hold():
    result = subprocess.run(  # noqa: S603 - the project's own linter
        [str(Path(sys.executable).with_name("lint-imports")), "--no-cache"],
        cwd=ROOT, env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"}, capture_output=True, text=True, check=False,
    )  # fmt: skip

    assert result.returncode == 0, result.stdout[-3000:]
