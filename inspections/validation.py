"""Rules that keep a record believable, as pure functions of plain values: dates that
agree with each other and with the calendar, status and progress that agree, and text
without invisible direction controls.

Each check returns a list of problems, `(field name, message)`, empty when all is well;
forms attach them to their fields and services can refuse with them. Nothing here reads
the database or knows about forms."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from .models import ActionStatus

# A field name and what is wrong with it, in the reader's language.
Problem = tuple[str, str]

# --- Dates ----------------------------------------------------------------------------

# Inspection reports, responses and actions start in the 1990s at the earliest (HMIC's
# published reports, the 1996 Act); ten years ahead covers any real target date. Outside
# that window a date is a typing error (0202 for 2025, 9999 for "never").
EARLIEST_DATE = dt.date(1990, 1, 1)
YEARS_AHEAD = 10


def latest_date(today: dt.date) -> dt.date:
    """The last date accepted: the same day ten years on (28 February for a 29th)."""
    try:
        return today.replace(year=today.year + YEARS_AHEAD)
    except ValueError:
        return today.replace(year=today.year + YEARS_AHEAD, day=28)


def in_date_window(value: dt.date, *, today: dt.date) -> bool:
    return EARLIEST_DATE <= value <= latest_date(today)


def day(value: dt.date) -> str:
    """A date as pages write it: 13 September 2023."""
    return date_format(value, "j F Y")


def date_window_problems(dates: Mapping[str, dt.date | None], *, today: dt.date) -> list[Problem]:
    """Each date outside 1 January 1990 to ten years after today."""
    message = _("The date must be between %(earliest)s and %(latest)s.")
    limits = {"earliest": day(EARLIEST_DATE), "latest": day(latest_date(today))}
    return [
        (name, message % limits)
        for name, value in dates.items()
        if value is not None and not in_date_window(value, today=today)
    ]


def response_date_problems(
    *,
    report_published_on: dt.date,
    chief_invited_on: dt.date | None = None,
    chief_reply_by: dt.date | None = None,
    chief_comments_received_on: dt.date | None = None,
) -> list[Problem]:
    """The s55 steps happen in order (docs/domain.md#inviting-the-chief-officer): the
    chief officer is invited on or after the report's publication, gives a reply-by date
    after the invitation, and the comments arrive on or after the invitation (and never
    before the report)."""
    problems: list[Problem] = []
    if chief_invited_on and chief_invited_on < report_published_on:
        problems.append(
            (
                "chief_invited_on",
                _(
                    "The chief officer cannot be invited before the report was published "
                    "on %(date)s."
                )
                % {"date": day(report_published_on)},
            )
        )
    if chief_invited_on and chief_reply_by and chief_reply_by <= chief_invited_on:
        problems.append(
            (
                "chief_reply_by",
                _("The reply-by date must be after the invitation on %(date)s.")
                % {"date": day(chief_invited_on)},
            )
        )
    received = chief_comments_received_on
    if received and chief_invited_on and received < chief_invited_on:
        problems.append(
            (
                "chief_comments_received_on",
                _(
                    "The comments cannot be received before the chief officer was invited "
                    "on %(date)s."
                )
                % {"date": day(chief_invited_on)},
            )
        )
    elif received and received < report_published_on:
        problems.append(
            (
                "chief_comments_received_on",
                _("The comments cannot be received before the report was published on %(date)s.")
                % {"date": day(report_published_on)},
            )
        )
    return problems


def reply_by_warnings(*, chief_reply_by: dt.date | None, due_on: dt.date | None) -> list[Problem]:
    """Allowed, but worth saying: a reply-by date after the statutory due date leaves no
    time to publish the comments within the 56 days (docs/domain.md#the-statutory-clock)."""
    if chief_reply_by and due_on and chief_reply_by > due_on:
        return [
            (
                "chief_reply_by",
                _("The reply-by date is after the statutory due date, %(date)s.")
                % {"date": day(due_on)},
            )
        ]
    return []


def default_reply_by(*, invited_on: dt.date, due_on: dt.date | None) -> dt.date:
    """A reply-by date that always passes `response_date_problems`: three weeks before
    the statutory due date, to leave time to consider the comments, but at least a week
    after the invitation (an overdue response has no three weeks left). Four weeks where
    the report has no statutory clock."""
    week_after = invited_on + dt.timedelta(days=7)
    if due_on is None:
        return invited_on + dt.timedelta(days=28)
    return max(week_after, due_on - dt.timedelta(days=21))


# --- Status and progress ----------------------------------------------------------------


def status_progress_problems(*, status: str, percent_complete: int | None) -> list[Problem]:
    """Status and percentage never contradict each other (docs/domain.md#status-and-
    progress-agree): complete means 100% and not started means 0%. The problem is
    reported on `percent_complete` and names both values."""
    if percent_complete is None:
        return []
    if status == ActionStatus.COMPLETE and percent_complete != 100:
        return [
            (
                "percent_complete",
                _(
                    "The status is Complete but percent complete is %(percent)s%%. Complete "
                    "means 100%%: enter 100, or choose another status."
                )
                % {"percent": percent_complete},
            )
        ]
    if status == ActionStatus.NOT_STARTED and percent_complete != 0:
        return [
            (
                "percent_complete",
                _(
                    "The status is Not started but percent complete is %(percent)s%%. Not "
                    "started means 0%%: enter 0, or choose another status, such as In progress."
                )
                % {"percent": percent_complete},
            )
        ]
    return []


# --- Text -------------------------------------------------------------------------------

# Bidirectional controls: embeddings and overrides (U+202A-U+202E), isolates
# (U+2066-U+2069) and the direction marks (U+200E, U+200F, U+061C). Invisible, they let a
# title read backwards or hide what text says ("Trojan Source", CVE-2021-42574). The
# app's text is English and Welsh, written left to right, and right-to-left script still
# displays correctly without them, so removing them loses nothing a reader can see.
BIDI_CONTROLS = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
)
_BIDI = re.compile("[" + "".join(sorted(BIDI_CONTROLS)) + "]")


def without_bidi_controls(text: str) -> str:
    return _BIDI.sub("", text)


def clean_text_values(value: Any) -> Any:
    """`value` with bidi controls removed from every string in it (a string, or a list or
    tuple of them); anything else unchanged."""
    if isinstance(value, str):
        return without_bidi_controls(value)
    if isinstance(value, list):
        return [clean_text_values(item) for item in value]
    if isinstance(value, tuple):
        return tuple(clean_text_values(item) for item in value)
    return value
