"""Slippage: how many times and how far an action's target date has moved later.

The rule that records a move is `AssuranceAction.move_target` (called by
`services.actions.action_update`, and in bulk by the scale generator). Here are the reads
every page shares: which actions count as slipped, "most slipped first" as an ordering
(the dashboard's list, the actions list's sort and its exports use the same one), and the
days slipped in SQL, matching `AssuranceAction.slip_days`."""

from __future__ import annotations

from typing import Any

from django.db.models import F, Q, QuerySet, Value, Window
from django.db.models.aggregates import Count
from django.db.models.functions import Coalesce, Greatest

from .models import AssuranceAction
from .models.actions import DayNumber

# Actions whose target moved later at least once (`slip_count`), open or not.
SLIPPED = Q(slip_count__gt=0)


def slip_days(prefix: str = "") -> Any:
    """`AssuranceAction.slip_days` in SQL: days from the original target to the current
    one, never below 0. `prefix` reaches the action through a relation ("action__")."""
    target = F(f"{prefix}target_on")
    original = Coalesce(F(f"{prefix}original_target_on"), target)
    return Greatest(DayNumber(target) - DayNumber(original), Value(0))


def most_slipped_first(prefix: str = "") -> list[Any]:
    """Most moves later first, then furthest slipped, then soonest target."""
    return [
        F(f"{prefix}slip_count").desc(),
        slip_days(prefix).desc(),
        F(f"{prefix}target_on").asc(),
        F(f"{prefix}pk").asc(),
    ]


def slipped_actions(actions: Any, which: str) -> Any:
    """The actions list's "Target moved" filter: "later" any action whose target moved
    later, "open" only those still open (the dashboard's most-slipped list)."""
    if which == "open":
        return actions.open().filter(SLIPPED)
    if which == "later":
        return actions.filter(SLIPPED)
    return actions


def most_slipped(actions: QuerySet[AssuranceAction], limit: int = 10) -> list[AssuranceAction]:
    """Open actions whose target has moved later, most moves first, then furthest moved.
    Each carries `slipped_total`, how many such actions there are in all (a window over
    the same query, so the dashboard's count costs no query of its own)."""
    return list(
        slipped_actions(actions, "open")
        .select_related("owner")
        .annotate(slipped_total=Window(Count("pk")))
        .order_by(*most_slipped_first())[:limit]
    )
