from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from inspections.services.imports_tracker import UPLOAD_HOURS, clean_uploads


class Command(BaseCommand):
    help = (
        "Delete import uploads left waiting (not imported) for more than a day. The daily "
        "schedule runs it."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        deleted = clean_uploads()
        noun = "upload" if deleted == 1 else "uploads"
        self.stdout.write(f"Deleted {deleted} import {noun} older than {UPLOAD_HOURS} hours.")
