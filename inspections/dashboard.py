"""The commissioner's dashboard: where do we stand, what is late, what changed.

Every figure here is computed with a fixed number of queries whatever the size of the
data, and every figure names the list (and its filters) that produces it, so the list's
count equals the figure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import rules
from .models import (
    AssuranceAction,
    Finding,
    FindingKind,
    PolicingBody,
    Response,
)
from .rules import Rag
from .scope import Scope
from .selectors import (
    AGE_BANDS,
    actions_due_by,
    age_band,
    new_findings,
    responses_due_by,
    responses_in_state,
    start_of,
    updated_since,
)
from .slippage import most_slipped

CLOSURE_KINDS = [
    FindingKind.RECOMMENDATION,
    FindingKind.CAUSE_OF_CONCERN,
    FindingKind.AREA_FOR_IMPROVEMENT,
]
RAG_ORDER = [Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE, Rag.GREY]


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
    due_before: dt.date | None = None
    due_responses: Figure | None = None
    due_actions: Figure | None = None
    slipped: list[AssuranceAction] = field(default_factory=list)
    slipped_open: Figure | None = None  # every open action that slipped: `slipped` is the top
    closure: list[Figure] = field(default_factory=list)

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
    responses = scope.by_report(Response.objects.filter(body=body), body)

    def within(state: str) -> Q:
        return Q(pk__in=responses_in_state(responses, state, today).values("pk"))

    counts = responses.aggregate(**{state: Count("pk", filter=within(state)) for state in STATES})
    return {
        name: Figure(label(), counts[state], link("response_list", scope, state=state))
        for name, (state, label) in RESPONSE_FIGURES.items()
    }


STATES = ("due_soon", "overdue", "published12", "ontime12")
RESPONSE_FIGURES: dict[str, tuple[str, Callable[[], Any]]] = {
    "due_soon": (
        "due_soon",
        lambda: _("Due in the next %(days)s days") % {"days": rules.DUE_SOON_DAYS},
    ),
    "overdue": ("overdue", lambda: _("Overdue")),
    "published_12m": ("published12", lambda: _("Published in the last 12 months")),
    "on_time_12m": ("ontime12", lambda: _("Published on time")),
}


def finding_table(body: PolicingBody, scope: Scope) -> list[dict[str, Any]]:
    findings = scope.by_report(Finding.objects.filter(report__body=body), body)
    rows = {
        row["kind"]: row
        for row in findings.values("kind").annotate(
            total=Count("pk"),
            open=Count("pk", filter=Q(pk__in=findings.open().force_work().values("pk"))),
            force=Count("pk", filter=Q(force_complete_on__isnull=False)),
            assured=Count("pk", filter=Q(body_assured_on__isnull=False)),
            inspectorate=Count("pk", filter=Q(pk__in=findings.inspectorate_done().values("pk"))),
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


def closure_figures(body: PolicingBody, scope: Scope) -> list[Figure]:
    """Open recommendations addressed only to others (not the force's work), findings
    ready for the force to say complete, and those awaiting the body's assurance."""
    findings = scope.by_report(Finding.objects.filter(report__body=body), body)
    kinds = (
        ("others", _("Addressed to others"), findings.open().addressed_to_others()),
        ("ready", _("Ready for the force to say complete"), findings.ready_for_force_complete()),
        ("awaiting", _("Awaiting the body's assurance"), findings.awaiting_assurance()),
    )
    counts = findings.aggregate(
        **{key: Count("pk", filter=Q(pk__in=subset.values("pk"))) for key, _l, subset in kinds}
    )
    return [
        Figure(label, counts[key], link("finding_list", scope, closure=key))
        for key, label, _s in kinds
    ]


def action_figures(
    body: PolicingBody, scope: Scope, today: dt.date
) -> tuple[list[Figure], list[Figure], list[Figure]]:
    actions = scope.actions(AssuranceAction.objects.filter(body=body), body)
    colours = dict(
        actions.with_rag(today, body.rag_tolerances)
        .order_by()
        .values_list("rag_colour")  # type: ignore[misc]  # an annotation stubs cannot see
        .annotate(n=Count("pk"))
    )
    ages = actions.aggregate(
        **{key: Count("pk", filter=age_band(key, today)) for key, *_rest in AGE_BANDS}
    )
    late = (
        actions.open()
        .filter(target_on__lt=today)
        .order_by()
        .values_list("owner_id", "owner__first_name", "owner__last_name", "owner__username")
        .annotate(n=Count("pk"))
    )
    by_owner = sorted(
        (
            (owner_id, f"{first or ''} {last or ''}".strip() or username, n)
            for owner_id, first, last, username, n in late
        ),
        key=lambda row: (-row[2], row[1] or ""),
    )
    rag = [
        Figure(
            colour.label,
            colours.get(colour, 0),
            link("action_list", scope, rag=colour.value),
            colour.css,
        )
        for colour in RAG_ORDER
    ]
    ageing = [
        Figure(label, ages[key], link("action_list", scope, age=key))
        for key, label, _low, _high in AGE_BANDS
    ]
    unallocated = _("Awaiting allocation")
    owners = [
        Figure(
            name or unallocated,
            n,
            link("action_list", scope, due="overdue", owner=owner or "none"),
        )
        for owner, name, n in by_owner
    ]
    return rag, ageing, owners


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
    start = start_of(since)
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
    actions = scope.actions(AssuranceAction.objects.filter(body=body), body)
    updated = actions.filter(updated_since(body, since)).count()
    findings = new_findings(
        scope.by_report(Finding.objects.filter(report__body=body), body), since
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
            link("finding_list", scope, new_since=since.isoformat()),
        ),
    )


def due_by(
    body: PolicingBody, scope: Scope, today: dt.date, due_before: dt.date
) -> tuple[Figure, Figure]:
    """Responses and actions open and due between today and `due_before` (say, the next
    meeting), each linking to its list with the same count."""
    responses = responses_due_by(
        scope.by_report(Response.objects.filter(body=body), body), today, due_before
    ).count()
    actions = actions_due_by(
        scope.actions(AssuranceAction.objects.filter(body=body), body), today, due_before
    ).count()
    when = due_before.isoformat()
    return (
        Figure(_("Responses due"), responses, link("response_list", scope, due_before=when)),
        Figure(_("Actions due"), actions, link("action_list", scope, due_before=when)),
    )


def build(
    *,
    body: PolicingBody,
    scope: Scope,
    today: dt.date,
    since: dt.date,
    due_before: dt.date | None = None,
) -> Dashboard:
    responses = response_figures(body, scope, today)
    due_responses, due_actions = (
        due_by(body, scope, today, due_before) if due_before else (None, None)
    )
    slipped = most_slipped(scope.actions(AssuranceAction.objects.filter(body=body), body))
    slipped_open = Figure(
        _("Open actions whose target moved later"),
        slipped[0].slipped_total if slipped else 0,  # type: ignore[attr-defined]
        link("action_list", scope, slipped="open", sort="slipped"),
    )
    rag, ageing, by_owner = action_figures(body, scope, today)
    new_updates, new_findings = new_since(body, scope, since)
    return Dashboard(
        changes=changes_since(body, scope, since),
        new_updates=new_updates,
        new_findings=new_findings,
        due_before=due_before,
        due_responses=due_responses,
        due_actions=due_actions,
        slipped=slipped,
        slipped_open=slipped_open,
        closure=closure_figures(body, scope),
        today=today,
        since=since,
        scope=scope,
        findings=finding_table(body, scope),
        rag=rag,
        ageing=ageing,
        overdue_by_owner=by_owner,
        **responses,
    )
