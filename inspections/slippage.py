"""Slippage: how many times and how far an action's target date has moved later."""

from __future__ import annotations

from django.db.models import F, QuerySet

from .models import AssuranceAction
from .models.actions import DayNumber


def most_slipped(actions: QuerySet[AssuranceAction], limit: int = 10) -> list[AssuranceAction]:
    """Open actions whose target has moved later, most moves first, then furthest moved."""
    return list(
        actions.open()
        .filter(slip_count__gt=0)
        .select_related("owner")
        .annotate(slipped_by=DayNumber(F("target_on")) - DayNumber(F("original_target_on")))
        .order_by("-slip_count", "-slipped_by", "target_on", "pk")[:limit]
    )
