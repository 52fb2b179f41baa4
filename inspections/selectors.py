"""Non-trivial reads. Each returns what a page needs in a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from . import rules
from .access import actions_for, get_for_body, get_visible
from .models import (
    CLOSED_STATUSES,
    OPEN_ACTION_STATUSES,
    AssuranceAction,
    AssuranceLevel,
    AuditEvent,
    Evidence,
    Finding,
    InspectionReport,
    Membership,
    PolicingBody,
    ProgressUpdate,
    Response,
    TargetChange,
)
from .scope import Scope, serving_reports
from .slippage import most_slipped_first, slipped_actions
from .trends import (
    actions_completed,
    actions_opened,
    actions_overdue_on,
    findings_closed,
    findings_opened,
    responses_published_in,
)

# --- The lists' vocabularies: sorts, due windows, age bands -------------------------------

REPORT_SORTS = {
    "newest": ("-published_on", "title"),
    "oldest": ("published_on", "title"),
    "title": ("title",),
}
ACTION_SORTS = {
    "target": ("target_on", "pk"),
    "title": ("title", "pk"),
    "newest": ("-created_at", "-pk"),
    "slipped": (),  # slippage.most_slipped_first
}


def action_order(sort: str | None, prefix: str = "") -> list[Any]:
    """The actions list's sort as order_by arguments; `prefix` orders rows of another
    table by their action ("action__", for the progress updates export)."""
    if sort == "slipped":
        return most_slipped_first(prefix)
    fields = ACTION_SORTS.get(sort or "target") or ACTION_SORTS["target"]
    return [f"-{prefix}{f[1:]}" if f.startswith("-") else f"{prefix}{f}" for f in fields]


# Target dates within this many days, as the actions list's "Due" filter offers them.
DUE_WINDOWS = {"30": 30, "90": 90}
# Ageing of open actions, in months since their start date: (key, label, from, to).
AGE_BANDS = [
    ("0-3", _("0 to 3 months"), 0, 3),
    ("3-6", _("3 to 6 months"), 3, 6),
    ("6-12", _("6 to 12 months"), 6, 12),
    ("12+", _("Over 12 months"), 12, None),
]


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


def age_band(key: str, today: dt.date) -> Q:
    """Open actions whose start date falls in an ageing band."""
    for band, _label, low, high in AGE_BANDS:
        if band == key:
            started = Q(status__in=OPEN_ACTION_STATUSES, start_on__lte=months_ago(today, low))
            return (
                started & Q(start_on__gt=months_ago(today, high)) if high is not None else started
            )
    raise KeyError(key)


def start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def report_list(body: PolicingBody, filters: dict[str, Any]) -> QuerySet[InspectionReport]:
    """The body's reports, filtered and sorted as the list page asks."""
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
    if scope := Scope.from_cleaned(filters):
        reports = reports.filter(pk__in=scope.report_ids(body))
    if year := filters.get("year"):
        reports = reports.filter(published_on__year=year)
    if response := filters.get("response"):
        if response == "none":
            reports = reports.exclude(responses__body=body)
        else:
            reports = reports.filter(responses__body=body, responses__status=response)
    sort = REPORT_SORTS.get(filters.get("sort") or "newest", REPORT_SORTS["newest"])
    return reports.order_by(*sort)


def report_detail(body: PolicingBody, pk: int) -> InspectionReport:
    """One report with everything its page shows, in a fixed number of queries."""
    findings = (
        Finding.objects.with_closure_prompt()
        .prefetch_related(
            "addressees",
            Prefetch(
                "actions",
                queryset=AssuranceAction.objects.filter(body=body)
                .with_rag(timezone.localdate(), body.rag_tolerances)
                .order_by("target_on", "pk"),
            ),
        )
        .order_by("position", "pk")
    )
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


def action_list(
    membership: Membership, filters: dict[str, Any], *, today: dt.date
) -> QuerySet[AssuranceAction]:
    """The actions the member may see (`access.actions_for`: a force contributor's own),
    filtered and sorted as the actions list asks."""
    body, user_id = membership.body, membership.user_id
    actions = (
        actions_for(membership)
        .with_rag(today, body.rag_tolerances)
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
        actions = actions.open() if status == "open" else actions.filter(status=status)
    if due := filters.get("due"):
        actions = actions.open()
        if due == "overdue":
            actions = overdue_actions(actions, today)
        elif due in DUE_WINDOWS:
            actions = actions.filter(
                target_on__gte=today, target_on__lte=today + dt.timedelta(days=DUE_WINDOWS[due])
            )
    if colour := filters.get("rag"):
        actions = actions.filter(Q(rag_colour=colour))
    # The dashboard's filters, so each of its figures opens a list of the same count.
    actions = Scope.from_cleaned(filters).actions(actions, body)
    if age := filters.get("age"):
        actions = actions.filter(age_band(age, today))
    if since := filters.get("updated_since"):
        actions = actions.filter(updated_since(body, since))
    if due_before := filters.get("due_before"):  # the dashboard's "due before the next meeting"
        actions = actions_due_by(actions, today, due_before)
    if slipped := filters.get("slipped"):
        actions = slipped_actions(actions, slipped)
    # The dashboard's trends and breakdowns (inspections/trends.py).
    if report := filters.get("report"):
        actions = actions.filter(serving_reports([report.pk]))
    if level := filters.get("level"):
        actions = actions.filter(with_level(level))
    if opened := filters.get("opened"):
        actions = actions.filter(actions_opened(opened.first_day, opened.end(today)))
    if completed := filters.get("completed"):
        actions = actions.filter(actions_completed(completed.first_day, completed.end(today)))
    if overdue_at := filters.get("overdue_at"):
        actions = actions.filter(actions_overdue_on(overdue_at.end(today)))
    return actions.order_by(*action_order(filters.get("sort")))


UNRECORDED = "unrecorded"  # the lists' value for "no assurance level recorded"


def with_level(level: str) -> Q:
    """Findings or actions at an assurance level, or with none recorded."""
    return Q(assurance_level="" if level == UNRECORDED else AssuranceLevel(level))


def updated_since(body: PolicingBody, since: dt.date) -> Q:
    """Actions with a progress update written on or after a day."""
    return Q(
        pk__in=ProgressUpdate.objects.filter(
            action__body=body, written_at__gte=start_of(since)
        ).values("action_id")
    )


def action_detail(membership: Membership, pk: int) -> AssuranceAction:
    """One action the member may see, with everything its page shows, in a fixed number of
    queries."""
    body = membership.body
    return get_visible(
        AssuranceAction.objects.select_related(
            "body", "owner", "response__report"
        ).prefetch_related(
            Prefetch(
                "findings",
                queryset=Finding.objects.filter(report__body=body)
                .select_related("report")
                .order_by("report__published_on", "report_id", "position", "pk"),
            ),
            Prefetch("updates", queryset=ProgressUpdate.objects.select_related("author")),
            Prefetch("evidence", queryset=Evidence.objects.select_related("uploaded_by")),
            Prefetch("target_changes", queryset=TargetChange.objects.select_related("changed_by")),
        ),
        membership,
        pk=pk,
    )


@dataclass(frozen=True)
class YourActions:
    open: list[AssuranceAction]
    closed: list[AssuranceAction]


def your_actions(membership: Membership, today: dt.date) -> YourActions:
    """A force contributor's home: the actions they own, open ones by target date (with
    their RAG colour), then closed ones, most recently completed first."""
    actions = list(
        actions_for(membership)
        .filter(owner_id=membership.user_id)
        .with_rag(today, membership.body.rag_tolerances)
        .order_by("target_on", "pk")
    )
    closed = [a for a in actions if a.status not in OPEN_ACTION_STATUSES]
    closed.sort(key=lambda a: a.completed_on or a.target_on, reverse=True)
    return YourActions(
        open=[a for a in actions if a.status in OPEN_ACTION_STATUSES],
        closed=closed,
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


# The dashboard's response states, each a list of the responses its figure counts.
ON_TIME_WINDOW_DAYS = 365


def responses_in_state(
    responses: QuerySet[Response], state: str, today: dt.date
) -> QuerySet[Response]:
    """Responses in one of the dashboard's states (the figure and its list share this)."""
    if state == "due_soon":
        return responses.due_within(rules.DUE_SOON_DAYS, today)  # type: ignore[attr-defined,no-any-return]
    if state == "overdue":
        return responses.overdue(today)  # type: ignore[attr-defined,no-any-return]
    if state in {"published12", "ontime12"}:
        recent = responses.published().filter(  # type: ignore[attr-defined]
            due_on__isnull=False,
            published_on__gte=today - dt.timedelta(days=ON_TIME_WINDOW_DAYS),
            published_on__lte=today,
        )
        return recent.published_on_time() if state == "ontime12" else recent  # type: ignore[no-any-return]
    if state == "published":
        return responses.published().filter(due_on__isnull=False)  # type: ignore[attr-defined,no-any-return]
    if state == "ontime":
        return responses.published_on_time()  # type: ignore[attr-defined,no-any-return]
    if state == "open":
        return responses.exclude(status__in=CLOSED_STATUSES)
    if state == "awaiting_approval":
        return responses.awaiting_approval()  # type: ignore[attr-defined,no-any-return]
    return responses


def responses_due_by(responses: Any, today: dt.date, due_before: dt.date) -> Any:
    """Open responses due between today and `due_before`, both included (a
    ResponseQuerySet in, one out: Any, as the stubs lose the queryset's class)."""
    return responses.due_within((due_before - today).days, today)


def overdue_actions(actions: Any, today: dt.date) -> Any:
    """Open actions past their target date (the RAG rule's "red because late"); the
    actions list's "Overdue", the dashboard's and the home page's."""
    return actions.open().filter(target_on__lt=today)


def actions_due_by(actions: Any, today: dt.date, due_before: dt.date) -> Any:
    """Open actions with a target between today and `due_before`, both included."""
    return actions.open().filter(target_on__gte=today, target_on__lte=due_before)


def response_list(
    body: PolicingBody,
    scope: Scope,
    state: str,
    today: dt.date,
    due_before: dt.date | None = None,
    year: int | None = None,
) -> QuerySet[Response]:
    """The body's responses in scope, in one of the dashboard's states, open and due
    between today and `due_before` if given, and published in `year` if given."""
    responses = scope.by_report(Response.objects.filter(body=body), body)
    if due_before is not None:
        responses = responses_due_by(responses, today, due_before)
    if year is not None:
        responses = responses.filter(responses_published_in(year))
    return (
        responses_in_state(responses, state, today)
        .select_related("report")
        .order_by("report__published_on", "pk")
    )


def new_findings(findings: Any, since: dt.date) -> Any:
    """Findings new since a day: those of reports published on or after it (not rows
    recorded since, which a bulk import would make all new)."""
    return findings.filter(report__published_on__gte=since)


def finding_list(
    body: PolicingBody, scope: Scope, filters: dict[str, Any], today: dt.date | None = None
) -> QuerySet[Finding]:
    """The body's findings in scope, by kind and by where they stand."""
    today = today or timezone.localdate()
    findings = scope.by_report(Finding.objects.filter(report__body=body), body)
    if kind := filters.get("kind"):
        findings = findings.filter(kind=kind)
    if report := filters.get("report"):
        findings = findings.filter(report=report)
    if level := filters.get("level"):
        findings = findings.filter(with_level(level))
    if opened := filters.get("opened"):
        findings = findings.filter(findings_opened(opened.first_day, opened.end(today)))
    if closed := filters.get("closed"):
        findings = findings.filter(findings_closed(closed.first_day, closed.end(today)))
    closure = filters.get("closure")
    if closure == "work":
        findings = findings.force_work()
    elif closure == "open":
        findings = findings.open().force_work()
    elif closure == "others":
        findings = findings.open().addressed_to_others()
    elif closure == "ready":
        findings = findings.ready_for_force_complete()
    elif closure == "awaiting":
        findings = findings.awaiting_assurance()
    elif closure == "force":
        findings = findings.filter(force_complete_on__isnull=False)
    elif closure == "assured":
        findings = findings.filter(body_assured_on__isnull=False)
    elif closure == "inspectorate":
        findings = findings.inspectorate_done()
    if since := filters.get("new_since"):
        findings = new_findings(findings, since)
    if q := (filters.get("q") or "").strip():
        findings = findings.filter(Q(text__icontains=q) | Q(reference__icontains=q))
    return (
        findings.with_closure_prompt()
        .select_related("report")
        .annotate(action_count=Count("actions", distinct=True))
        .order_by("-report__published_on", "report_id", "position", "pk")
    )


def sign_in_log(body: PolicingBody, filters: dict[str, Any]) -> QuerySet[AuditEvent]:
    """The body's sign-in log, newest first, narrowed by `AuditFilterForm.filters()`: the
    page, its CSV and XLSX read this."""
    events = AuditEvent.objects.filter(body=body).select_related("user")
    if filters["kind"]:
        events = events.filter(kind=filters["kind"])
    if filters["who"]:
        events = events.filter(username__icontains=filters["who"])
    if filters["start"]:
        events = events.filter(at__gte=filters["start"])
    if filters["end"]:
        events = events.filter(at__lt=filters["end"])
    return events.order_by("-at", "-pk")
