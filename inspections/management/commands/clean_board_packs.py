from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from inspections.packs import board_packs_expire


class Command(BaseCommand):
    help = (
        "Delete board packs past their expiry time (BOARD_PACK_TTL_HOURS after they were "
        "produced) and their files. Every build does this too; run it from cron to clean "
        "up when nobody builds packs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = board_packs_expire(now=timezone.now())
        noun = "pack" if deleted == 1 else "packs"
        self.stdout.write(f"Deleted {deleted} expired board {noun}.")
