from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import timezone

from inspections.packs import board_packs_expire, board_packs_reap


class Command(BaseCommand):
    help = (
        "Delete board packs past their expiry time (BOARD_PACK_TTL_HOURS after they were "
        "produced) and their files, and mark failed any pack whose build stopped (no "
        "heartbeat for BOARD_PACK_STALE_SECONDS), so its page offers to try again. Every "
        "build, and the pack pages, do this too; run it from cron (run_schedule does) to "
        "clean up when nobody builds packs."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        now = timezone.now()
        deleted = board_packs_expire(now=now)
        noun = "pack" if deleted == 1 else "packs"
        self.stdout.write(f"Deleted {deleted} expired board {noun}.")
        if stalled := board_packs_reap(now=now):
            noun = "pack" if stalled == 1 else "packs"
            self.stdout.write(f"Marked {stalled} stalled board {noun} as failed.")
