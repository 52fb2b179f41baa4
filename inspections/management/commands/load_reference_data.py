from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from inspections.reference_data import load_reference_data


class Command(BaseCommand):
    help = (
        "Create or update the forces, policing bodies, inspectorates and addressees every "
        "deployment needs. Safe to run again: it never duplicates."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        result = load_reference_data()
        self.stdout.write(
            f"Reference data: {result.forces} forces, {result.bodies} policing bodies, "
            f"{result.inspectorates} inspectorates, {result.addressees} addressees."
        )
