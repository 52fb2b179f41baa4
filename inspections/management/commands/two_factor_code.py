"""`manage.py two_factor_code <username>`: the code a person's authenticator app shows now,
for the demo's people (whose secrets `load_demo` sets) and for testing by hand."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from ...two_factor import totp_code, totp_secret


def current_code(username: str) -> str:
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"No user called {username!r}.")
    secret = totp_secret(user)
    if secret is None:
        raise CommandError(
            f"{username} has no authenticator app (TOTP) set up, so there is no code to show."
        )
    return totp_code(secret)


class Command(BaseCommand):
    help = (
        "Prints the six-digit code a user's authenticator app shows now (two-factor sign-in "
        "by TOTP). For the demo's people and for testing: it needs the database, which holds "
        "the secret."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        self.stdout.write(current_code(username))
