from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inspections.datafiles.demo import demo_set
from inspections.demo import DEMO_PASSWORD, load_demo
from inspections.models import Membership


class Command(BaseCommand):
    help = (
        "Load demo data (inspections/data/demo.toml): reference data, the July 2023 "
        "Hampshire and Isle of Wight response and an illustrative spread of reports, "
        "responses and actions, with demo users. Idempotent: running it again changes "
        "nothing."
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
        for user in demo_set().users.values():
            self.stdout.write(f"  {user.username:<6} {user.description:<26} {user.job_title}")
        self.stdout.write(f"  admin  (Django admin, superuser)\nPassword: {DEMO_PASSWORD}")
