"""Non-trivial reads. Each returns what a page needs in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from . import rules
from .models import (
    CLOSED_STATUSES,
    OPEN_ACTION_STATUSES,
    AssuranceAction,
    PolicingBody,
    ReportType,
    Response,
)

LAST_DAY_OFFSET = dt.timedelta(days=rules.RESPONSE_WINDOW_DAYS - 1)


def open_clocked_responses(body: PolicingBody) -> QuerySet[Response]:
    """Responses still running against the statutory clock."""
    return (
        Response.objects.filter(body=body)
        .exclude(status__in=CLOSED_STATUSES)
        .exclude(report__report_type=ReportType.FIRE)
    )


def responses_overdue(body: PolicingBody, today: dt.date) -> QuerySet[Response]:
    # due = published_on + 55 days; overdue when today > due.
    return open_clocked_responses(body).filter(report__published_on__lt=today - LAST_DAY_OFFSET)


def responses_due_within(body: PolicingBody, today: dt.date, days: int) -> QuerySet[Response]:
    return open_clocked_responses(body).filter(
        report__published_on__gte=today - LAST_DAY_OFFSET,
        report__published_on__lte=today - LAST_DAY_OFFSET + dt.timedelta(days=days),
    )


@dataclass(frozen=True)
class HomeSummary:
    responses_open: int
    responses_overdue: int
    responses_due_soon: int
    actions_open: int
    actions_past_target: int


def home_summary(*, body: PolicingBody, today: dt.date) -> HomeSummary:
    cutoff = today - LAST_DAY_OFFSET
    responses = open_clocked_responses(body).aggregate(
        open=Count("pk"),
        overdue=Count("pk", filter=Q(report__published_on__lt=cutoff)),
        due_soon=Count(
            "pk",
            filter=Q(
                report__published_on__gte=cutoff,
                report__published_on__lte=cutoff + dt.timedelta(days=7),
            ),
        ),
    )
    actions = AssuranceAction.objects.filter(body=body, status__in=OPEN_ACTION_STATUSES).aggregate(
        open=Count("pk"), late=Count("pk", filter=Q(target_on__lt=today))
    )
    return HomeSummary(
        responses_open=responses["open"],
        responses_overdue=responses["overdue"],
        responses_due_soon=responses["due_soon"],
        actions_open=actions["open"],
        actions_past_target=actions["late"],
    )
