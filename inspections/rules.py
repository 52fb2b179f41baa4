"""Statutory and board rules as pure functions, so they can be tested at their edges.

Model methods (`Response.due_date`, `AssuranceAction.rag`) call these; nothing else
re-implements them.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from django.utils.translation import gettext_lazy

# Police Act 1996 s55(5A): "before the end of 56 days beginning with the day on which
# the report is published" -- publication day is day 1, so the last day is +55.
RESPONSE_WINDOW_DAYS = 56
# "Due soon": a response whose last day is at most this many days away. One figure for the
# home page, the dashboard and the lists they open, so they always agree.
DUE_SOON_DAYS = 14


def statutory_due_date(published_on: dt.date) -> dt.date:
    try:
        return published_on + dt.timedelta(days=RESPONSE_WINDOW_DAYS - 1)
    except OverflowError:
        # A date near the end of the calendar (entered in error, or stored before forms
        # refused such dates): the last date there is, so lists, pages and PDFs still work.
        return dt.date.max


class Rag(StrEnum):
    BLUE = "blue"
    GREY = "grey"
    RED = "red"
    AMBER = "amber"
    GREEN = "green"

    @property
    def label(self) -> str:
        return str(RAG_LABELS[self])

    @property
    def css(self) -> str:
        """The one class name for this colour, in pages, charts and PDFs."""
        return f"app-rag--{self.value}"


# Lazy, so they are translated when shown, in the reader's language.
RAG_LABELS = {
    Rag.RED: gettext_lazy("Red"),
    Rag.AMBER: gettext_lazy("Amber"),
    Rag.GREEN: gettext_lazy("Green"),
    Rag.BLUE: gettext_lazy("Blue: complete"),
    Rag.GREY: gettext_lazy("Grey: not adopted"),
}


@dataclass(frozen=True)
class RagTolerances:
    """How far behind the straight line an action may be, in percentage points: at most
    `green` behind (or any amount ahead) is green, at most `amber` is amber, more is red.
    Each body sets its own (docs/domain.md#rag)."""

    green: int = 10
    amber: int = 25


DEFAULT_RAG_TOLERANCES = RagTolerances()


def expected_percent(start_on: dt.date, target_on: dt.date, today: dt.date) -> Fraction:
    """Where a straight line from start (0%) to target date (100%) says progress should be.
    Exact, so a boundary is never blurred by rounding."""
    if today <= start_on:
        return Fraction(0)
    if today >= target_on:
        return Fraction(100)
    return Fraction(100 * (today - start_on).days, (target_on - start_on).days)


def rag(
    *,
    complete: bool,
    not_adopted: bool,
    percent_complete: int,
    start_on: dt.date,
    target_on: dt.date,
    today: dt.date,
    tolerances: RagTolerances = DEFAULT_RAG_TOLERANCES,
) -> Rag:
    """The RAG rule boards use (docs/domain.md#rag): blue, grey, red if late, green before
    the start date, then the shortfall in points behind the straight line."""
    if complete:
        return Rag.BLUE
    if not_adopted:
        return Rag.GREY
    if today > target_on:
        return Rag.RED
    if today <= start_on:
        return Rag.GREEN
    behind = expected_percent(start_on, target_on, today) - percent_complete
    if behind <= tolerances.green:
        return Rag.GREEN
    if behind <= tolerances.amber:
        return Rag.AMBER
    return Rag.RED
