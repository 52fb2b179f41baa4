from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from inspections.services.editions import editions_backfill


class Command(BaseCommand):
    help = (
        "Give every published response that has no edition its first one, made from its "
        "rows as they stand now (for data published before editions existed, or loaded in "
        "bulk). Responses that have an edition are left alone. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--body", help="Only this body (its slug).")

    def handle(self, *args: Any, **options: Any) -> None:
        made = editions_backfill(body_slug=options.get("body"))
        noun = "edition" if made == 1 else "editions"
        self.stdout.write(f"Made {made} {noun}.")
