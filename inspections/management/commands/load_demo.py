from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inspections.demo import DEMO_PASSWORD, USERS, load_demo
from inspections.models import Membership


class Command(BaseCommand):
    help = (
        "Load demo data: reference data, the July 2023 Hampshire and Isle of Wight response "
        "and an illustrative spread of reports, responses and actions, with demo users. "
        "Idempotent: running it again changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when any policing body already has members (first run only).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["if_empty"] and Membership.objects.exists():
            self.stdout.write("Demo data: skipped, the database already has users.")
            return
        load_demo()
        self.stdout.write("Demo data loaded. Sign in with any of these:")
        for username, (_, _, _, role, job) in USERS.items():
            self.stdout.write(f"  {username:<6} {role.label:<9} {job}")
        self.stdout.write(f"  admin  (Django admin, superuser)\nPassword: {DEMO_PASSWORD}")
