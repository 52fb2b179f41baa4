from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand

from inspections.services.audit import prune


class Command(BaseCommand):
    help = (
        "Delete sign-in log entries older than AUDIT_RETENTION_DAYS (730 unless set). The "
        "only way entries go; the daily schedule runs it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = prune()
        noun = "entry" if deleted == 1 else "entries"
        days = settings.AUDIT_RETENTION_DAYS
        self.stdout.write(f"Deleted {deleted} sign-in log {noun} older than {days} days.")
