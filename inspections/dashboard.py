"""The commissioner's dashboard: where do we stand, what is late, what changed.

Every figure here is computed with a fixed number of queries whatever the size of the
data, and every figure names the list (and its filters) that produces it, so the list's
count equals the figure."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from . import rules, trends
from .models import (
    ActionStatus,
    AssuranceAction,
    AssuranceLevel,
    Finding,
    FindingKind,
    InspectionReport,
    Membership,
    PolicingBody,
    Response,
)
from .rules import Rag
from .scope import Scope
from .selectors import (
    AGE_BANDS,
    UNRECORDED,
    actions_due_by,
    age_band,
    new_findings,
    overdue_actions,
    responses_due_by,
    responses_in_state,
    start_of,
    updated_since,
    with_level,
)
from .slippage import most_slipped
from .trends import Quarter

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

    def __str__(self) -> str:  # where a figure prints without its link (PDFs): its number
        return str(self.value)


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
    trends: list[Trend] = field(default_factory=list)
    by_report: list[ReportRow] = field(default_factory=list)
    findings_by_level: list[Figure] = field(default_factory=list)
    actions_by_level: list[Figure] = field(default_factory=list)

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
        overdue_actions(actions, today)
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


DASH = "\u2013"  # an en dash, for "no figure"


# --- Trends, quarter by quarter (inspections/trends.py says what each counts) -------------


@dataclass(frozen=True)
class Line:
    """One line of a trend chart: a value per period, None where there is none."""

    label: Any
    values: list[int | None]


@dataclass(frozen=True)
class Trend:
    """A trend chart and the table of the same figures: a row per period, a cell per
    column (a figure linking to its list, or a text such as a percentage)."""

    id: str
    title: Any
    description: str
    periods: list[str]
    ticks: list[tuple[str, str]]  # the axis labels, in two lines: ("Jan", "2026")
    lines: list[Line]
    headers: list[Any]
    rows: list[list[Figure | str]]
    percent: bool = False

    def figures(self) -> list[Figure]:
        return [cell for row in self.rows for cell in row if isinstance(cell, Figure)]

    @property
    def table_rows(self) -> list[tuple[str, list[Figure | str]]]:
        return list(zip(self.periods, self.rows, strict=True))


def _describe(lines: list[Line], periods: list[str], unit: str = "") -> str:
    """The chart's description: each line's values, oldest first."""
    values = "; ".join(
        f"{line.label}: "
        + ", ".join(DASH if value is None else f"{value}{unit}" for value in line.values)
        for line in lines
    )
    return str(
        _("From %(first)s to %(last)s. %(values)s.")
        % {"first": periods[0], "last": periods[-1], "values": values}
    )


def finding_trend(body: PolicingBody, scope: Scope, today: dt.date) -> Trend:
    """Findings opened (by report publication) and closed (by the body's assurance) per
    quarter: the force's work only, as the open figures. One query."""
    quarters = Quarter.last(today)
    findings = scope.by_report(Finding.objects.filter(report__body=body), body).force_work()
    conditions = {
        "opened": trends.findings_opened,
        "closed": trends.findings_closed,
    }
    counts = findings.aggregate(
        **{
            f"{name}_{i}": Count("pk", filter=condition(q.first_day, q.end(today)))
            for name, condition in conditions.items()
            for i, q in enumerate(quarters)
        }
    )
    labels = {"opened": _("Opened"), "closed": _("Closed (body assured)")}
    return _quarterly(
        "trend-findings",
        _("Findings opened and closed, quarter by quarter"),
        quarters,
        counts,
        {
            name: (labels[name], "finding_list", {"closure": "work", name: "{q}"})
            for name in conditions
        },
        scope,
    )


def action_trend(body: PolicingBody, scope: Scope, today: dt.date) -> Trend:
    """Actions opened (by start date), completed, and overdue at each quarter's end (or
    today for the current one). One query."""
    quarters = Quarter.last(today)
    actions = scope.actions(AssuranceAction.objects.filter(body=body), body)
    aggregates: dict[str, Any] = {}
    for i, q in enumerate(quarters):
        start, end = q.first_day, q.end(today)
        aggregates[f"opened_{i}"] = Count("pk", filter=trends.actions_opened(start, end))
        aggregates[f"completed_{i}"] = Count("pk", filter=trends.actions_completed(start, end))
        aggregates[f"overdue_at_{i}"] = Count("pk", filter=trends.actions_overdue_on(end))
    counts = actions.aggregate(**aggregates)
    return _quarterly(
        "trend-actions",
        _("Actions opened, completed and overdue, quarter by quarter"),
        quarters,
        counts,
        {
            "opened": (_("Opened (started)"), "action_list", {"opened": "{q}"}),
            "completed": (_("Completed"), "action_list", {"completed": "{q}"}),
            "overdue_at": (
                _("Overdue at the quarter's end"),
                "action_list",
                {"overdue_at": "{q}"},
            ),
        },
        scope,
    )


def _quarterly(
    chart_id: str,
    title: Any,
    quarters: list[Quarter],
    counts: dict[str, int],
    columns: dict[str, tuple[Any, str, dict[str, str]]],
    scope: Scope,
) -> Trend:
    lines = [
        Line(label, [counts[f"{name}_{i}"] for i in range(len(quarters))])
        for name, (label, _list, _params) in columns.items()
    ]
    periods = [q.label for q in quarters]
    rows: list[list[Figure | str]] = [
        [
            Figure(
                label,
                counts[f"{name}_{i}"],
                link(list_name, scope, **{k: v.format(q=q.key) for k, v in params.items()}),
            )
            for name, (label, list_name, params) in columns.items()
        ]
        for i, q in enumerate(quarters)
    ]
    return Trend(
        id=chart_id,
        title=title,
        description=_describe(lines, periods),
        periods=periods,
        ticks=[(q.short, str(q.year)) for q in quarters],
        lines=lines,
        headers=[label for label, _list, _params in columns.values()],
        rows=rows,
    )


def on_time_trend(body: PolicingBody, scope: Scope, today: dt.date) -> Trend:
    """The share of responses published on time, per calendar year (this year to date),
    among those published with a statutory clock. One query."""
    years = [today.year - n for n in range(trends.YEARS_SHOWN - 1, -1, -1)]
    responses = scope.by_report(Response.objects.filter(body=body), body)
    published = responses_in_state(responses, "published", today).values("pk")
    on_time = responses_in_state(responses, "ontime", today).values("pk")
    counts = responses.aggregate(
        **{
            f"{name}_{year}": Count(
                "pk", filter=Q(pk__in=subset) & trends.responses_published_in(year)
            )
            for name, subset in (("published", published), ("ontime", on_time))
            for year in years
        }
    )
    shares: list[int | None] = [
        round(100 * counts[f"ontime_{y}"] / counts[f"published_{y}"])
        if counts[f"published_{y}"]
        else None
        for y in years
    ]
    periods = [
        str(_("%(year)s (to date)") % {"year": y}) if y == today.year else str(y) for y in years
    ]
    lines = [Line(_("Published on time"), shares)]
    rows: list[list[Figure | str]] = [
        [
            Figure(
                _("Published"),
                counts[f"published_{y}"],
                link("response_list", scope, state="published", year=y),
            ),
            Figure(
                _("On time"),
                counts[f"ontime_{y}"],
                link("response_list", scope, state="ontime", year=y),
            ),
            DASH if share is None else f"{share}%",
        ]
        for y, share in zip(years, shares, strict=True)
    ]
    return Trend(
        id="trend-on-time",
        title=_("Responses published on time, year by year"),
        description=_describe(lines, periods, "%"),
        periods=periods,
        ticks=[(str(y), str(_("to date")) if y == today.year else "") for y in years],
        lines=lines,
        headers=[_("Published"), _("On time"), _("Share on time")],
        rows=rows,
        percent=True,
    )


# --- Breakdowns: by report, and by assurance level -----------------------------------------


@dataclass(frozen=True)
class ReportRow:
    report: InspectionReport
    open_findings: Figure
    red_actions: Figure


def by_report(body: PolicingBody, scope: Scope, today: dt.date) -> list[ReportRow]:
    """Each report in scope with open findings (the force's work) or red actions, most red
    first, each figure linking to its list. Four queries, each one pass grouped by report
    (a subquery per report would run the RAG rule over every action once per report)."""
    findings = scope.by_report(Finding.objects.filter(report__body=body), body)
    open_findings = dict(
        findings.open().force_work().order_by().values_list("report_id").annotate(n=Count("pk"))
    )
    red = (
        AssuranceAction.objects.filter(body=body)
        .with_rag(today, body.rag_tolerances)
        .filter(Q(rag_colour=Rag.RED))
        .order_by()
    )
    # An action of a report serves one of its findings or its response (scope.serving_reports):
    # those serving findings, then those serving only the response.
    red_actions = Counter(
        dict(
            red.filter(findings__isnull=False)
            .values_list("findings__report_id")
            .annotate(n=Count("pk", distinct=True))
        )
    )
    links = AssuranceAction.findings.through.objects.filter(
        assuranceaction_id=OuterRef("pk"), finding__report_id=OuterRef("response__report_id")
    )
    red_actions.update(
        dict(
            red.filter(response__isnull=False)
            .exclude(Exists(links))
            .values_list("response__report_id")
            .annotate(n=Count("pk"))
        )
    )
    ids = {pk for pk, n in (*open_findings.items(), *red_actions.items()) if n}
    reports = InspectionReport.objects.filter(body=body, pk__in=ids)
    if scope:
        reports = reports.filter(pk__in=scope.report_ids(body))
    rows = sorted(
        reports,
        key=lambda r: (
            -red_actions[r.pk],
            -open_findings.get(r.pk, 0),
            -r.published_on.toordinal(),
            r.pk,
        ),
    )
    return [
        ReportRow(
            report,
            Figure(
                _("Open findings"),
                open_findings.get(report.pk, 0),
                link("finding_list", scope, report=report.pk, closure="open"),
            ),
            Figure(
                _("Red actions"),
                red_actions[report.pk],
                link("action_list", scope, report=report.pk, rag=Rag.RED.value),
            ),
        )
        for report in rows
    ]


LEVELS = [*AssuranceLevel, UNRECORDED]


def assurance_levels(body: PolicingBody, scope: Scope) -> tuple[list[Figure], list[Figure]]:
    """Findings the body is assured on, and complete actions, by assurance level (and
    those with none recorded). One query each."""
    findings = scope.by_report(Finding.objects.filter(report__body=body), body).filter(
        body_assured_on__isnull=False
    )
    actions = scope.actions(AssuranceAction.objects.filter(body=body), body).filter(
        status=ActionStatus.COMPLETE
    )

    def level_label(level: str) -> Any:
        return _("Not recorded") if level == UNRECORDED else AssuranceLevel(level).label

    def count(queryset: Any) -> dict[str, int]:
        return queryset.aggregate(  # type: ignore[no-any-return]
            **{str(level): Count("pk", filter=with_level(level)) for level in LEVELS}
        )

    finding_counts, action_counts = count(findings), count(actions)
    return (
        [
            Figure(
                level_label(level),
                finding_counts[str(level)],
                link("finding_list", scope, closure="assured", level=level),
            )
            for level in LEVELS
        ],
        [
            Figure(
                level_label(level),
                action_counts[str(level)],
                link("action_list", scope, status="complete", level=level),
            )
            for level in LEVELS
        ],
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
    findings_by_level, actions_by_level = assurance_levels(body, scope)
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
        trends=[
            finding_trend(body, scope, today),
            action_trend(body, scope, today),
            on_time_trend(body, scope, today),
        ],
        by_report=by_report(body, scope, today),
        findings_by_level=findings_by_level,
        actions_by_level=actions_by_level,
        today=today,
        since=since,
        scope=scope,
        findings=finding_table(body, scope),
        rag=rag,
        ageing=ageing,
        overdue_by_owner=by_owner,
        **responses,
    )


# --- The home page -------------------------------------------------------------------------

WEEK_DAYS = 7


@dataclass(frozen=True)
class Home:
    """The home page's figures, each linking to the list that produced it: the same
    selectors as the dashboard's and the lists' filters."""

    responses: list[Figure]
    actions: list[Figure]
    awaiting_approval: Figure | None  # for approvers
    due_this_week: list[Figure]  # for editors: responses and actions
    week_ends: dt.date


def home(membership: Membership, today: dt.date) -> Home:
    """Two queries whatever the size of the data."""
    body, everything = membership.body, Scope()
    week_ends = today + dt.timedelta(days=WEEK_DAYS)
    responses = Response.objects.filter(body=body)
    response_sets = {
        "open": responses_in_state(responses, "open", today),
        "due_soon": responses_in_state(responses, "due_soon", today),
        "overdue": responses_in_state(responses, "overdue", today),
        "awaiting_approval": responses_in_state(responses, "awaiting_approval", today),
        "week": responses_due_by(responses, today, week_ends),
    }
    r = responses.aggregate(
        **{k: Count("pk", filter=Q(pk__in=v.values("pk"))) for k, v in response_sets.items()}
    )
    actions = AssuranceAction.objects.filter(body=body)
    action_sets = {
        "open": actions.open(),
        "overdue": overdue_actions(actions, today),
        "week": actions_due_by(actions, today, week_ends),
    }
    a = actions.aggregate(
        **{k: Count("pk", filter=Q(pk__in=v.values("pk"))) for k, v in action_sets.items()}
    )
    week = week_ends.isoformat()
    return Home(
        responses=[
            Figure(_("Open"), r["open"], link("response_list", everything, state="open")),
            Figure(
                _("Due in the next %(days)s days") % {"days": rules.DUE_SOON_DAYS},
                r["due_soon"],
                link("response_list", everything, state="due_soon"),
            ),
            Figure(
                _("Overdue"),
                r["overdue"],
                link("response_list", everything, state="overdue"),
                "app-figure--alert" if r["overdue"] else "",
            ),
        ],
        actions=[
            Figure(_("Open"), a["open"], link("action_list", everything, status="open")),
            Figure(
                _("Past their target date"),
                a["overdue"],
                link("action_list", everything, due="overdue"),
                "app-figure--alert" if a["overdue"] else "",
            ),
        ],
        awaiting_approval=Figure(
            _("Awaiting your approval"),
            r["awaiting_approval"],
            link("response_list", everything, state="awaiting_approval"),
        )
        if membership.can_approve
        else None,
        due_this_week=[
            Figure(
                _("Responses due"), r["week"], link("response_list", everything, due_before=week)
            ),
            Figure(_("Actions due"), a["week"], link("action_list", everything, due_before=week)),
        ]
        if membership.can_edit
        else [],
        week_ends=week_ends,
    )
