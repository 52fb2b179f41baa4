"""The commissioner's dashboard: where do we stand, what is late, what changed.

Every figure here is computed with a fixed number of queries whatever the size of the
data, and every figure names the list (and its filters) that produces it, so the list's
count equals the figure."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import (
    OPEN_ACTION_STATUSES,
    PUBLISHED_STATUSES,
    AssuranceAction,
    Finding,
    FindingKind,
    PolicingBody,
    ProgressUpdate,
    Response,
)
from .rules import Rag
from .scope import Scope
from .selectors import INSPECTORATE_DONE, LAST_DAY_OFFSET, open_clocked_responses

DUE_SOON_DAYS = 14
ON_TIME_WINDOW_DAYS = 365
CLOSURE_KINDS = [
    FindingKind.RECOMMENDATION,
    FindingKind.CAUSE_OF_CONCERN,
    FindingKind.AREA_FOR_IMPROVEMENT,
]
# Ageing of open actions, in months since their start date: (key, label, from, to).
AGE_BANDS = [
    ("0-3", _("0 to 3 months"), 0, 3),
    ("3-6", _("3 to 6 months"), 3, 6),
    ("6-12", _("6 to 12 months"), 6, 12),
    ("12+", _("Over 12 months"), 12, None),
]
RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY]


def months_ago(today: dt.date, months: int) -> dt.date:
    """The same day `months` months earlier (the last day of the month where needed)."""
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    month += 1
    for day in (today.day, 30, 29, 28):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def age_band_range(key: str, today: dt.date) -> tuple[dt.date | None, dt.date | None]:
    """Start dates (inclusive from, exclusive to) of open actions in an ageing band."""
    for band, _label, low, high in AGE_BANDS:
        if band == key:
            newest = months_ago(today, low)  # started on or before this day...
            oldest = months_ago(today, high) if high is not None else None  # ...but after this
            return oldest, newest
    raise KeyError(key)


def link(name: str, scope: Scope, **params: Any) -> str:
    query = scope.params() | {k: str(v) for k, v in params.items() if v not in (None, "")}
    return reverse(name) + ("?" + urlencode(query) if query else "")


@dataclass(frozen=True)
class Figure:
    label: Any
    value: int
    url: str
    css: str = ""


@dataclass
class Dashboard:
    today: dt.date
    since: dt.date
    scope: Scope
    due_soon: Figure
    overdue: Figure
    published_12m: Figure
    on_time_12m: Figure
    findings: list[dict[str, Any]]
    rag: list[Figure]
    ageing: list[Figure]
    overdue_by_owner: list[Figure]
    changes: list[Change] = field(default_factory=list)
    new_updates: Figure | None = None
    new_findings: Figure | None = None

    @property
    def on_time_percent(self) -> int | None:
        if not self.published_12m.value:
            return None
        return round(100 * self.on_time_12m.value / self.published_12m.value)

    @property
    def rag_total(self) -> int:
        return sum(f.value for f in self.rag)

    @property
    def open_actions(self) -> int:
        return sum(f.value for f in self.ageing)


def response_figures(body: PolicingBody, scope: Scope, today: dt.date) -> dict[str, Figure]:
    cutoff = today - LAST_DAY_OFFSET
    window_start = today - dt.timedelta(days=ON_TIME_WINDOW_DAYS)
    open_counts = scope.by_report(open_clocked_responses(body), body).aggregate(
        overdue=Count("pk", filter=Q(report__published_on__lt=cutoff)),
        due_soon=Count(
            "pk",
            filter=Q(
                report__published_on__gte=cutoff,
                report__published_on__lte=cutoff + dt.timedelta(days=DUE_SOON_DAYS),
            ),
        ),
    )
    published = scope.by_report(
        Response.objects.filter(
            body=body,
            status__in=PUBLISHED_STATUSES,
            published_on__gte=window_start,
            published_on__lte=today,
        ).exclude(report__report_type="fire"),
        body,
    )
    published_rows = list(published.values_list("published_on", "report__published_on"))
    on_time = sum(
        published_on is not None and published_on <= rules.statutory_due_date(report_published)
        for published_on, report_published in published_rows
    )
    return {
        "due_soon": Figure(
            _("Due in the next 14 days"),
            open_counts["due_soon"],
            link("response_list", scope, state="due14"),
        ),
        "overdue": Figure(
            _("Overdue"), open_counts["overdue"], link("response_list", scope, state="overdue")
        ),
        "published_12m": Figure(
            _("Published in the last 12 months"),
            len(published_rows),
            link("response_list", scope, state="published12"),
        ),
        "on_time_12m": Figure(
            _("Published on time"), on_time, link("response_list", scope, state="ontime12")
        ),
    }


def finding_table(body: PolicingBody, scope: Scope) -> list[dict[str, Any]]:
    findings = scope.by_report(Finding.objects.filter(report__body=body), body)
    done = Q(inspectorate_status__in=INSPECTORATE_DONE)
    rows = {
        row["kind"]: row
        for row in findings.values("kind").annotate(
            total=Count("pk"),
            open=Count(
                "pk",
                filter=Q(force_complete_on__isnull=True, body_assured_on__isnull=True) & ~done,
            ),
            force=Count("pk", filter=Q(force_complete_on__isnull=False)),
            assured=Count("pk", filter=Q(body_assured_on__isnull=False)),
            inspectorate=Count("pk", filter=done),
        )
    }
    table = []
    for kind in CLOSURE_KINDS:
        row: dict[str, Any] = dict(rows.get(kind, {}))
        table.append(
            {
                "kind": kind.label,
                "cells": [
                    Figure(
                        label,
                        row.get(key, 0),
                        link("finding_list", scope, kind=kind, closure=closure),
                    )
                    for key, label, closure in (
                        ("total", _("All"), ""),
                        ("open", _("Open"), "open"),
                        ("force", _("Force says complete"), "force"),
                        ("assured", _("Body assured"), "assured"),
                        ("inspectorate", _("Inspectorate complete"), "inspectorate"),
                    )
                ],
            }
        )
    return table


def action_figures(
    body: PolicingBody, scope: Scope, today: dt.date
) -> tuple[list[Figure], list[Figure], list[Figure]]:
    actions = scope.actions(AssuranceAction.objects.filter(body=body), body)
    rows = list(
        actions.values_list(
            "status",
            "percent_complete",
            "start_on",
            "target_on",
            "owner_id",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
        )
    )
    colours: Counter[Rag] = Counter()
    ages: Counter[str] = Counter()
    late: Counter[tuple[int | None, str]] = Counter()
    for status, percent, start, target, owner_id, first, last, username in rows:
        colours[
            rules.rag(
                complete=status == "complete",
                not_adopted=status == "not_adopted",
                percent_complete=percent,
                start_on=start,
                target_on=target,
                today=today,
            )
        ] += 1
        if status not in OPEN_ACTION_STATUSES:
            continue
        for key, _label, low, high in AGE_BANDS:
            newest = months_ago(today, low)
            oldest = months_ago(today, high) if high is not None else None
            if start <= newest and (oldest is None or start > oldest):
                ages[key] += 1
                break
        if target < today:
            name = (
                f"{first or ''} {last or ''}".strip() or username or str(_("Awaiting allocation"))
            )
            late[(owner_id, name)] += 1
    rag = [
        Figure(
            colour.label,
            colours[colour],
            link("action_list", scope, rag=colour.value),
            f"app-rag--{colour.value}",
        )
        for colour in RAG_ORDER
    ]
    ageing = [
        Figure(label, ages[key], link("action_list", scope, age=key))
        for key, label, _low, _high in AGE_BANDS
    ]
    by_owner = [
        Figure(name, count, link("action_list", scope, due="overdue", owner=owner or "none"))
        for (owner, name), count in sorted(late.items(), key=lambda item: (-item[1], item[0][1]))
    ]
    return rag, ageing, by_owner


@dataclass(frozen=True)
class Change:
    when: dt.datetime
    what: Any  # "Response", "Action", "Finding"
    title: str
    before: str
    after: str
    who: str
    url: str


def _status_changes(
    history: Any, field_name: str, since: dt.datetime, describe: Any
) -> list[Change]:
    """Walk each changed record's history in order and keep the versions since `since`
    whose status differs from the version before (or that created the record)."""
    changed_ids = history.filter(history_date__gte=since).values("id")
    rows = (
        history.filter(id__in=changed_ids)
        .select_related("history_user")
        .order_by("id", "history_date", "history_id")
    )
    changes = []
    previous: dict[int, Any] = {}
    for row in rows:
        before = previous.get(row.id)
        previous[row.id] = row
        if row.history_date < since:
            continue
        if before is None:
            continue  # a new record, not a change: counted among the new ones
        old, new = getattr(before, field_name), getattr(row, field_name)
        if old == new:
            continue
        user = row.history_user
        changes.append(
            describe(
                row,
                _label(row, field_name, old),
                _label(row, field_name, new),
                (user.get_full_name() or user.get_username()) if user else str(_("System")),
            )
        )
    return changes


def _label(row: Any, field_name: str, value: Any) -> str:
    choices = dict(row._meta.get_field(field_name).flatchoices)
    return str(choices.get(value, value))


def changes_since(body: PolicingBody, scope: Scope, since: dt.date) -> list[Change]:
    """Status changes of responses, actions and findings since a date, newest first."""
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    action_ids = scope.actions(AssuranceAction.objects.filter(body=body), body).values("pk")
    changes = [
        *_status_changes(
            scope.by_report(Response.history.filter(body=body), body).select_related("report"),
            "status",
            start,
            lambda row, old, new, who: Change(
                row.history_date,
                _("Response"),
                row.report.title,
                old,
                new,
                who,
                reverse("response_detail", args=[row.id]),
            ),
        ),
        *_status_changes(
            AssuranceAction.history.filter(body=body, id__in=action_ids),
            "status",
            start,
            lambda row, old, new, who: Change(
                row.history_date,
                _("Action"),
                row.title,
                old,
                new,
                who,
                reverse("action_detail", args=[row.id]),
            ),
        ),
        *_status_changes(
            scope.by_report(Finding.history.filter(report__body=body), body).select_related(
                "report"
            ),
            "inspectorate_status",
            start,
            lambda row, old, new, who: Change(
                row.history_date,
                _("Finding"),
                f"{row.reference}, {row.report.title}",
                old,
                new,
                who,
                reverse("report_detail", args=[row.report_id]) + f"#finding-{row.id}",
            ),
        ),
    ]
    return sorted(changes, key=lambda c: c.when, reverse=True)


def new_since(body: PolicingBody, scope: Scope, since: dt.date) -> tuple[Figure, Figure]:
    """Actions with new progress updates, and new findings, since a date."""
    from django.utils import timezone

    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    actions = scope.actions(AssuranceAction.objects.filter(body=body), body)
    updated = actions.filter(
        pk__in=ProgressUpdate.objects.filter(action__body=body, written_at__gte=start).values(
            "action_id"
        )
    ).count()
    findings = scope.by_report(
        Finding.objects.filter(report__body=body, created_at__gte=start), body
    ).count()
    return (
        Figure(
            _("Actions with new progress updates"),
            updated,
            link("action_list", scope, updated_since=since.isoformat()),
        ),
        Figure(
            _("New findings"),
            findings,
            link("finding_list", scope, created_since=since.isoformat()),
        ),
    )


def build(*, body: PolicingBody, scope: Scope, today: dt.date, since: dt.date) -> Dashboard:
    responses = response_figures(body, scope, today)
    rag, ageing, by_owner = action_figures(body, scope, today)
    new_updates, new_findings = new_since(body, scope, since)
    return Dashboard(
        changes=changes_since(body, scope, since),
        new_updates=new_updates,
        new_findings=new_findings,
        today=today,
        since=since,
        scope=scope,
        findings=finding_table(body, scope),
        rag=rag,
        ageing=ageing,
        overdue_by_owner=by_owner,
        **responses,
    )
