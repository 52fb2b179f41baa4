"""Non-trivial reads. Each returns what a page needs in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from . import rules
from .models import (
    CLOSED_STATUSES,
    OPEN_ACTION_STATUSES,
    PUBLISHED_STATUSES,
    AssuranceAction,
    Finding,
    InspectionReport,
    PolicingBody,
    ProgressUpdate,
    ReportType,
    Response,
)

if TYPE_CHECKING:
    from .scope import Scope

LAST_DAY_OFFSET = dt.timedelta(days=rules.RESPONSE_WINDOW_DAYS - 1)
# Inspectorate statuses that close a finding from the inspectorate's side.
INSPECTORATE_DONE = ["complete", "no_further_action", "superseded"]


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


def report_list(body: PolicingBody, filters: dict[str, Any]) -> QuerySet[InspectionReport]:
    """The body's reports, filtered and sorted as the list page asks."""
    from .forms.reports import SORTS

    reports = (
        InspectionReport.objects.filter(body=body)
        .select_related("lead_inspectorate")
        .prefetch_related(Prefetch("responses", queryset=Response.objects.filter(body=body)))
        .annotate(finding_count=Count("findings", distinct=True))
    )
    if q := (filters.get("q") or "").strip():
        reports = reports.filter(
            Q(title__icontains=q)
            | Q(reference__icontains=q)
            | Exists(Finding.objects.filter(report=OuterRef("pk"), text__icontains=q))
            | Exists(Finding.objects.filter(report=OuterRef("pk"), reference__iexact=q))
        )
    from .scope import Scope

    if scope := Scope.from_cleaned(filters):
        reports = reports.filter(pk__in=scope.report_ids(body))
    if year := filters.get("year"):
        reports = reports.filter(published_on__year=year)
    if response := filters.get("response"):
        if response == "none":
            reports = reports.exclude(responses__body=body)
        else:
            reports = reports.filter(responses__body=body, responses__status=response)
    return reports.order_by(*SORTS.get(filters.get("sort") or "newest", SORTS["newest"]))


def report_detail(body: PolicingBody, pk: int) -> InspectionReport:
    """One report with everything its page shows, in a fixed number of queries."""
    from .access import get_for_body

    findings = Finding.objects.prefetch_related(
        "addressees",
        Prefetch(
            "actions",
            queryset=AssuranceAction.objects.filter(body=body).order_by("target_on", "pk"),
        ),
    ).order_by("position", "pk")
    return get_for_body(
        InspectionReport.objects.select_related("lead_inspectorate").prefetch_related(
            "partner_inspectorates",
            "forces",
            "grades",
            Prefetch("findings", queryset=findings),
            Prefetch(
                "responses",
                queryset=Response.objects.filter(body=body).prefetch_related("entries"),
            ),
        ),
        body,
        pk=pk,
    )


def action_rag_pks(body: PolicingBody, colour: str, today: dt.date) -> list[int]:
    """The body's actions of one RAG colour. RAG depends on today's date, so it is worked
    out in Python by the model's own rule, from one narrow query."""
    rows = AssuranceAction.objects.filter(body=body).values_list(
        "pk", "status", "percent_complete", "start_on", "target_on"
    )
    return [
        pk
        for pk, status, percent, start_on, target_on in rows
        if AssuranceAction(
            status=status, percent_complete=percent, start_on=start_on, target_on=target_on
        ).rag(today)
        == colour
    ]


def action_list(
    body: PolicingBody, filters: dict[str, Any], *, user_id: int | None, today: dt.date
) -> QuerySet[AssuranceAction]:
    """The body's actions, filtered and sorted as the actions list asks."""
    from .forms.actions import ACTION_SORTS, DUE_WINDOWS

    actions = (
        AssuranceAction.objects.filter(body=body)
        .select_related("owner")
        .annotate(finding_count=Count("findings", distinct=True))
    )
    if q := (filters.get("q") or "").strip():
        actions = actions.filter(title__icontains=q)
    if filters.get("mine"):
        actions = actions.filter(owner_id=user_id)
    if owner := filters.get("owner"):
        # The form offers only members of the body, so an owner id is one of theirs.
        actions = (
            actions.filter(owner__isnull=True)
            if owner == "none"
            else actions.filter(owner_id=owner)
        )
    if status := filters.get("status"):
        actions = actions.filter(status=status)
    if due := filters.get("due"):
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES)
        if due == "overdue":
            actions = actions.filter(target_on__lt=today)
        elif due in DUE_WINDOWS:
            actions = actions.filter(
                target_on__gte=today, target_on__lte=today + dt.timedelta(days=DUE_WINDOWS[due])
            )
    if colour := filters.get("rag"):
        actions = actions.filter(pk__in=action_rag_pks(body, colour, today))
    # The dashboard's filters, so each of its figures opens a list of the same count.
    from .dashboard import age_band_range
    from .scope import Scope

    actions = Scope.from_cleaned(filters).actions(actions, body)
    if age := filters.get("age"):
        oldest, newest = age_band_range(age, today)
        actions = actions.filter(status__in=OPEN_ACTION_STATUSES, start_on__lte=newest)
        if oldest is not None:
            actions = actions.filter(start_on__gt=oldest)
    if since := filters.get("updated_since"):
        from django.utils import timezone

        start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        actions = actions.filter(
            pk__in=ProgressUpdate.objects.filter(action__body=body, written_at__gte=start).values(
                "action_id"
            )
        )
    return actions.order_by(
        *ACTION_SORTS.get(filters.get("sort") or "target", ACTION_SORTS["target"])
    )


def action_detail(body: PolicingBody, pk: int) -> AssuranceAction:
    """One action with everything its page shows, in a fixed number of queries."""
    from .access import get_for_body
    from .models import Evidence, ProgressUpdate

    return get_for_body(
        AssuranceAction.objects.select_related("owner", "response__report").prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.filter(report__body=body)
                .select_related("report")
                .order_by("report__published_on", "report_id", "position", "pk"),
            ),
            Prefetch("updates", queryset=ProgressUpdate.objects.select_related("author")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
        ),
        body,
        pk=pk,
    )


PICKER_LIMIT = 20


def finding_picker(body: PolicingBody, action: AssuranceAction, q: str) -> list[Finding]:
    """The body's findings, from any of its reports, matching the words typed and not yet
    linked to the action. Nothing for an empty search."""
    q = q.strip()
    if not q:
        return []
    return list(
        Finding.objects.filter(report__body=body)
        .filter(Q(reference__icontains=q) | Q(text__icontains=q) | Q(report__title__icontains=q))
        .exclude(pk__in=action.findings.values("pk"))
        .select_related("report")
        .order_by("-report__published_on", "report_id", "position", "pk")[:PICKER_LIMIT]
    )


def response_list(
    body: PolicingBody, scope: Scope, state: str, today: dt.date
) -> QuerySet[Response]:
    """The body's responses in scope, in one of the dashboard's states."""
    responses = scope.by_report(Response.objects.filter(body=body), body)
    cutoff = today - LAST_DAY_OFFSET
    if state in {"due14", "overdue"}:
        responses = scope.by_report(open_clocked_responses(body), body)
        if state == "overdue":
            responses = responses.filter(report__published_on__lt=cutoff)
        else:
            responses = responses.filter(
                report__published_on__gte=cutoff,
                report__published_on__lte=cutoff + dt.timedelta(days=14),
            )
    elif state in {"published12", "ontime12"}:
        responses = responses.filter(
            status__in=PUBLISHED_STATUSES,
            published_on__gte=today - dt.timedelta(days=365),
            published_on__lte=today,
        ).exclude(report__report_type=ReportType.FIRE)
        if state == "ontime12":
            on_time = [
                pk
                for pk, published, report_published in responses.values_list(
                    "pk", "published_on", "report__published_on"
                )
                if published is not None and published <= rules.statutory_due_date(report_published)
            ]
            responses = responses.filter(pk__in=on_time)
    elif state == "open":
        responses = responses.exclude(status__in=CLOSED_STATUSES)
    return responses.select_related("report").order_by("report__published_on", "pk")


def finding_list(body: PolicingBody, scope: Scope, filters: dict[str, Any]) -> QuerySet[Finding]:
    """The body's findings in scope, by kind and by where they stand."""
    findings = scope.by_report(Finding.objects.filter(report__body=body), body)
    done = Q(inspectorate_status__in=INSPECTORATE_DONE)
    if kind := filters.get("kind"):
        findings = findings.filter(kind=kind)
    closure = filters.get("closure")
    if closure == "open":
        findings = findings.filter(
            force_complete_on__isnull=True, body_assured_on__isnull=True
        ).exclude(done)
    elif closure == "force":
        findings = findings.filter(force_complete_on__isnull=False)
    elif closure == "assured":
        findings = findings.filter(body_assured_on__isnull=False)
    elif closure == "inspectorate":
        findings = findings.filter(done)
    if since := filters.get("created_since"):
        from django.utils import timezone

        findings = findings.filter(
            created_at__gte=timezone.make_aware(dt.datetime.combine(since, dt.time.min))
        )
    if q := (filters.get("q") or "").strip():
        findings = findings.filter(Q(text__icontains=q) | Q(reference__icontains=q))
    return (
        findings.select_related("report")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("-report__published_on", "report_id", "position", "pk")
    )
