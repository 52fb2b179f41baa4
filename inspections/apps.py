from __future__ import annotations

from django.apps import AppConfig


class InspectionsConfig(AppConfig):
    name = "inspections"
    verbose_name = "Inspections and assurance"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (connects the sign-in log's receivers)
