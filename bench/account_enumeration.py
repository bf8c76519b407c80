"""Does sign-up or password reset answer faster for an address with an account than for one without?

Migrates a temporary SQLite database under the local profile (Django's real PBKDF2 hasher), makes one
account, then sends ROUNDS requests of each kind in alternation through Django's test client, with mail
going to the in-memory backend (the same mail task runs either way). Prints the median wall and CPU time
of each kind and the ratio between the two paths of each form: 1.00 means indistinguishable.

    .venv/bin/python bench/account_enumeration.py [--rounds 20]
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="kbportal-enum-")
    os.environ.update(
        DJANGO_SETTINGS_MODULE="kbportal.settings.local",
        DATABASE_URL=f"sqlite:///{Path(folder) / 'db.sqlite3'}",
        DJANGO_EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
        KBPORTAL_RATE_SIGN_UP_IP="100000/h", KBPORTAL_RATE_SIGN_UP_ADDRESS="100000/h",
        KBPORTAL_RATE_PASSWORD_RESET_IP="100000/h", KBPORTAL_RATE_PASSWORD_RESET_ADDRESS="100000/h",
    )  # fmt: skip
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from kbportal.accounts.models import User

    call_command("migrate", verbosity=0)
    User.objects.create_user(username="owner", email="owner@example.com", password="an-owners-passphrase-77")
    client = Client(HTTP_HOST="127.0.0.1")
    password = "a-long-enough-passphrase-9"

    def sign_up(email: str) -> None:
        data = {"display_name": "Bench", "email": email, "password1": password, "password2": password}
        assert client.post("/accounts/sign-up/", data).status_code == 200

    def reset(email: str) -> None:
        assert client.post("/accounts/password/reset/", {"email": email}).status_code == 302

    kinds = {
        "sign-up, address with an account": lambda n: sign_up("owner@example.com"),
        "sign-up, new address": lambda n: sign_up(f"new{n}@example.com"),
        "password reset, address with an account": lambda n: reset("owner@example.com"),
        "password reset, unknown address": lambda n: reset(f"nobody{n}@example.com"),
    }
    timings: dict[str, list[tuple[float, float]]] = {kind: [] for kind in kinds}
    for n in range(args.rounds):
        for kind, send in kinds.items():
            wall, cpu = time.perf_counter(), time.process_time()
            send(n)
            timings[kind].append((time.perf_counter() - wall, time.process_time() - cpu))
    medians = {}
    for kind, samples in timings.items():
        medians[kind] = statistics.median(wall for wall, _cpu in samples)
        cpu = statistics.median(cpu for _wall, cpu in samples)
        print(f"{kind:42s} wall {medians[kind] * 1000:7.1f} ms   cpu {cpu * 1000:7.1f} ms")
    names = list(kinds)
    print(f"sign-up ratio (existing / new):        {medians[names[0]] / medians[names[1]]:.2f}")
    print(f"password reset ratio (existing / unknown): {medians[names[2]] / medians[names[3]]:.2f}")


if __name__ == "__main__":
    main()
