"""Each list as a table to take out: its columns (readable headers, in a fixed order) and
its rows, read from the very queryset the list page shows (`selectors`), filtered and
sorted as the page is.

Rows stream: every table is one query for its rows (plus one for its marking and, for
actions, one for the body's reports), whatever its length. What a page would prefetch is
read here in the same query instead, as subqueries, so `.iterator()` never prefetches per
chunk and memory stays flat however many rows there are.

Values keep their types (`date`, aware `datetime`, `int`, `str`, None for empty); the
writers (`exports.writers`) decide how each looks in a CSV or an XLSX file."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import (
    CharField,
    Count,
    OuterRef,
    Q,
    QuerySet,
    StringAgg,
    Subquery,
    TextField,
    Value,
)
from django.db.models.functions import Cast, Concat
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from .. import rules, selectors
from ..models import (
    ActionStatus,
    AssuranceAction,
    AssuranceLevel,
    Finding,
    FindingKind,
    Forum,
    InspectionReport,
    InspectorateStatus,
    Marking,
    Membership,
    PolicingBody,
    ProgressUpdate,
    ReportType,
    Response,
    ResponseEntry,
    ResponseStatus,
)
from ..models import Scope as ReportScope
from ..scope import Scope

# Rows are fetched this many at a time (a server-side cursor on PostgreSQL).
CHUNK = 1000
# Separators inside a subquery's aggregated text: control characters no reference, title
# or name holds (forms keep text printable).
UNIT = "\x1f"
RECORD = "\x1e"
SENSITIVE = Marking.OFFICIAL_SENSITIVE

type Cell = str | int | dt.date | dt.datetime | None


@dataclass(frozen=True)
class Column:
    header: str
    width: int = 18  # characters, for the XLSX column
    utc: bool = False  # a date and time shown in UTC (the sign-in log), not UK time


@dataclass(frozen=True)
class Table:
    """A list ready to write: `rows` is consumed once, lazily."""

    name: str  # the list's name in URLs and feeds: "actions"
    title: str  # as people read it: "Assurance actions"
    columns: tuple[Column, ...]
    rows: Iterable[Sequence[Cell]]
    marking: Marking | None  # None: a file that carries no marking (the sign-in log's CSV)

    @property
    def sensitive(self) -> bool:
        return self.marking == SENSITIVE


# --- Small helpers ------------------------------------------------------------------------


@functools.lru_cache(maxsize=1024)
def _cached_label(choices: Any, value: str, language: str | None) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return value


def _label(choices: Any, value: str) -> str:
    """A stored choice as people read it ("In progress"); empty stays empty. Worked out
    once per language and value, not once per cell."""
    return _cached_label(choices, value, get_language()) if value else ""


def _joined(queryset: QuerySet[Any], key: str, expression: Any) -> Subquery:
    """The values of `expression` over the rows of `queryset` whose `key` is the outer
    row, as one text (unordered; `_split` sorts): what a page would prefetch, in the
    same query."""
    return Subquery(
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(joined=StringAgg(expression, Value(RECORD)))
        .values("joined"),
        output_field=TextField(),
    )


def _split(joined: str | None) -> list[str]:
    return sorted(joined.split(RECORD)) if joined else []


def _names(joined: str | None) -> str:
    return "; ".join(_split(joined))


def _count(queryset: QuerySet[Any], key: str) -> Subquery:
    return Subquery(
        queryset.filter(**{key: OuterRef("pk")})
        .order_by()
        .values(key)
        .annotate(n=Count("pk"))
        .values("n")
    )


def _marking(queryset: QuerySet[Any], sensitive: Q) -> Marking:
    """The file takes the highest marking of what it holds (one query)."""
    return SENSITIVE if queryset.filter(sensitive).exists() else Marking.OFFICIAL


def _local_date(moment: dt.datetime | None) -> dt.date | None:
    return timezone.localdate(moment) if moment is not None else None


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return _("Yes") if value else _("No")


# --- Reports ------------------------------------------------------------------------------


def report_table(body: PolicingBody, filters: dict[str, Any]) -> Table:
    """`selectors.report_list`, with every field of each report and its response."""
    reports = (
        selectors.report_list(body, filters)
        .prefetch_related(None)
        .annotate(
            partner_names=_joined(
                InspectionReport.partner_inspectorates.through.objects.all(),
                "inspectionreport_id",
                "inspectorate__short_name",
            ),
            force_names=_joined(
                InspectionReport.forces.through.objects.all(), "inspectionreport_id", "force__name"
            ),
            response_status=Subquery(
                Response.objects.filter(body=body, report=OuterRef("pk")).values("status")[:1]
            ),
            response_published_on=Subquery(
                Response.objects.filter(body=body, report=OuterRef("pk")).values("published_on")[:1]
            ),
        )
    )
    columns = (
        Column(_("Report ID"), 10),
        Column(_("Title"), 50),
        Column(_("Reference"), 18),
        Column(_("Type"), 24),
        Column(_("Lead inspectorate"), 18),
        Column(_("Partner inspectorates"), 24),
        Column(_("Published on"), 16),
        Column(_("Scope"), 14),
        Column(_("Forces in scope"), 30),
        Column(_("Link"), 40),
        Column(_("Summary"), 50),
        Column(_("Protective marking"), 20),
        Column(_("Findings"), 10),
        Column(_("Response status"), 24),
        Column(_("Response due on"), 16),
        Column(_("Response published on"), 16),
    )

    def rows() -> Iterator[Sequence[Cell]]:
        for report in reports.iterator(chunk_size=CHUNK):
            yield (
                report.pk,
                report.title,
                report.reference,
                _label(ReportType, report.report_type),
                report.lead_inspectorate.short_name,
                _names(report.partner_names),
                report.published_on,
                _label(ReportScope, report.scope),
                _names(report.force_names),
                report.url,
                report.summary,
                _label(Marking, report.marking),
                report.finding_count,  # type: ignore[attr-defined]
                _label(ResponseStatus, report.response_status or ""),
                report.response_due_on,
                report.response_published_on,
            )

    return Table(
        "reports",
        _("Inspection reports"),
        columns,
        rows(),
        _marking(reports, Q(marking=SENSITIVE)),
    )


# --- Findings -----------------------------------------------------------------------------

FINDING_HEADERS = (
    gettext_noop("Finding ID"),
    gettext_noop("Report"),
    gettext_noop("Report reference"),
    gettext_noop("Published on"),
    gettext_noop("Kind"),
    gettext_noop("Reference"),
    gettext_noop("Text"),
    gettext_noop("Addressees"),
    gettext_noop("Deadline"),
    gettext_noop("Inspectorate status"),
    gettext_noop("Force reported complete on"),
    gettext_noop("Body assured on"),
    gettext_noop("Assurance level"),
    gettext_noop("Open"),
    gettext_noop("Actions"),
)


def finding_table(
    body: PolicingBody, scope: Scope, filters: dict[str, Any], today: dt.date | None = None
) -> Table:
    """`selectors.finding_list`, in the columns the tracker import reads (names.md)."""
    findings = selectors.finding_list(body, scope, filters, today).annotate(
        addressee_names=_joined(
            Finding.addressees.through.objects.all(), "finding_id", "addressee__name"
        )
    )
    widths = (10, 40, 18, 16, 22, 20, 60, 30, 16, 22, 16, 16, 16, 8, 10)
    columns = tuple(Column(_(h), w) for h, w in zip(FINDING_HEADERS, widths, strict=True))

    def rows() -> Iterator[Sequence[Cell]]:
        for finding in findings.iterator(chunk_size=CHUNK):
            report = finding.report
            yield (
                finding.pk,
                report.title,
                report.reference,
                report.published_on,
                _label(FindingKind, finding.kind),
                finding.reference,
                finding.text,
                _names(finding.addressee_names),
                finding.deadline or finding.deadline_text,  # the date, else the words
                _label(InspectorateStatus, finding.inspectorate_status),
                finding.force_complete_on,
                finding.body_assured_on,
                _label(AssuranceLevel, finding.assurance_level),
                _yes_no(finding.is_open()),
                finding.action_count,  # type: ignore[attr-defined]
            )

    return Table(
        "findings",
        _("Findings"),
        columns,
        rows(),
        _marking(findings, Q(report__marking=SENSITIVE)),
    )


# --- Responses ----------------------------------------------------------------------------


def response_table(
    body: PolicingBody,
    scope: Scope,
    state: str,
    today: dt.date,
    *,
    due_before: dt.date | None = None,
    year: int | None = None,
) -> Table:
    """`selectors.response_list`, with every field of each response."""
    responses = (
        selectors.response_list(body, scope, state, today, due_before, year)
        .select_related("approved_by")
        .annotate(entry_count=_count(ResponseEntry.objects.all(), "response_id"))
    )
    columns = (
        Column(_("Response ID"), 10),
        Column(_("Report"), 50),
        Column(_("Report reference"), 18),
        Column(_("Report published on"), 16),
        Column(_("Status"), 26),
        Column(_("Statutory due date"), 16),
        Column(_("Chief officer invited on"), 16),
        Column(_("Chief officer reply by"), 16),
        Column(_("Chief officer comments received on"), 16),
        Column(_("Approved by"), 16),
        Column(_("Approved at"), 20),
        Column(_("Published on"), 16),
        Column(_("Published at"), 40),
        Column(_("Published on time"), 10),
        Column(_("Copy sent to HM Inspectors on"), 16),
        Column(_("Copy sent to the Home Secretary on"), 16),
        Column(_("Signatory"), 24),
        Column(_("Signatory's role"), 30),
        Column(_("Protective marking"), 20),
        Column(_("Entries"), 10),
        Column(_("The body's comments"), 60),
        Column(_("Chief officer's comments"), 60),
        Column(_("Our response to the chief officer's comments"), 60),
        Column(_("Closing line"), 40),
        Column(_("Why no response is needed"), 40),
    )

    def rows() -> Iterator[Sequence[Cell]]:
        for response in responses.iterator(chunk_size=CHUNK):
            report = response.report
            late = response.published_late
            yield (
                response.pk,
                report.title_with_month,
                report.reference,
                report.published_on,
                _label(ResponseStatus, response.status),
                response.due_on,
                response.chief_invited_on,
                response.chief_reply_by,
                response.chief_comments_received_on,
                response.approved_by.get_username() if response.approved_by else "",
                response.approved_at,
                response.published_on,
                response.published_url,
                _yes_no(None if late is None else not late),
                response.copy_to_inspectorate_on,
                response.copy_to_home_secretary_on,
                response.signatory_name,
                response.signatory_role,
                _label(Marking, response.marking),
                response.entry_count or 0,
                response.comments,
                response.chief_comments,
                response.chief_comments_reply,
                response.closing_line,
                response.no_response_reason,
            )

    return Table(
        "responses",
        _("Responses"),
        columns,
        rows(),
        _marking(responses, Q(marking=SENSITIVE) | Q(report__marking=SENSITIVE)),
    )


# --- Actions and their progress updates ---------------------------------------------------

# The tracker import (inspections/imports) recognises these headers as they are, in this
# order, so an export imports back unchanged (names.md).
ACTION_HEADERS = (
    gettext_noop("Action ID"),
    gettext_noop("Title"),
    gettext_noop("Description"),
    gettext_noop("Owner"),
    gettext_noop("Force lead"),
    gettext_noop("Start date"),
    gettext_noop("Target date"),
    gettext_noop("Original target date"),
    gettext_noop("Times the target moved later"),
    gettext_noop("Days slipped"),
    gettext_noop("Status"),
    gettext_noop("Percent complete"),
    gettext_noop("RAG"),
    gettext_noop("Assurance level"),
    gettext_noop("Evidence of assurance"),
    gettext_noop("Forum"),
    gettext_noop("Completed on"),
    gettext_noop("Report"),
    gettext_noop("Report reference"),
    gettext_noop("Finding references"),
    gettext_noop("Response"),
    gettext_noop("Last update"),
    gettext_noop("Last update on"),
)
ACTION_SENSITIVE = (
    Q(response__marking=SENSITIVE)
    | Q(response__report__marking=SENSITIVE)
    | Q(findings__report__marking=SENSITIVE)
)


@dataclass(frozen=True)
class _Report:
    pk: int
    title: str
    reference: str
    published_on: dt.date

    @property
    def label(self) -> str:
        """How a finding reference names its report when an action serves several."""
        return self.reference or self.title


def _reports_of(body: PolicingBody) -> dict[int, _Report]:
    """The body's reports, by id: a body has tens or hundreds, however many actions."""
    return {
        pk: _Report(pk, title, reference, published_on)
        for pk, title, reference, published_on in InspectionReport.objects.filter(
            body=body
        ).values_list("pk", "title", "reference", "published_on")
    }


def _latest_update(field: str) -> Subquery:
    return Subquery(
        ProgressUpdate.objects.filter(action=OuterRef("pk"))
        .order_by("-written_at", "-pk")
        .values(field)[:1]
    )


def _action_rows(
    actions: QuerySet[AssuranceAction], reports: dict[int, _Report]
) -> Iterator[Sequence[Cell]]:
    for action in actions.iterator(chunk_size=CHUNK):
        served: list[tuple[_Report, int, str]] = []
        for item in _split(action.finding_keys):  # type: ignore[attr-defined]
            report_id, position, reference = item.split(UNIT, 2)
            if (report := reports.get(int(report_id))) is not None:
                served.append((report, int(position), reference))
        served.sort(key=lambda s: (s[0].published_on, s[0].pk, s[1]))
        response_report = action.response.report if action.response else None
        ids = [r.pk for r, _p, _ref in served]
        if response_report is not None and response_report.pk not in ids:
            ids.append(response_report.pk)
        of = sorted(
            (reports[pk] for pk in dict.fromkeys(ids) if pk in reports),
            key=lambda r: (r.published_on, r.pk),
        )
        if len(of) <= 1:
            finding_refs = [ref for _r, _p, ref in served]
        else:
            finding_refs = [f"{r.label}/{ref}" for r, _p, ref in served]
        yield (
            action.pk,
            action.title,
            action.description,
            action.owner.get_username() if action.owner else "",
            action.force_lead,
            action.start_on,
            action.target_on,
            action.original_target_on or action.target_on,
            action.slip_count,
            action.slip_days,
            _label(ActionStatus, action.status),
            action.percent_complete,
            _label(rules.Rag, action.rag_colour),  # type: ignore[attr-defined]
            _label(AssuranceLevel, action.assurance_level),
            action.assurance_evidence,
            _label(Forum, action.forum),
            action.completed_on,
            "; ".join(r.title for r in of),
            "; ".join(r.reference for r in of if r.reference),
            "; ".join(finding_refs),
            response_report.title_with_month if response_report is not None else "",
            action.last_update or "",  # type: ignore[attr-defined]
            _local_date(action.last_update_at),  # type: ignore[attr-defined]
        )


def action_table(membership: Membership, filters: dict[str, Any], *, today: dt.date) -> Table:
    """`selectors.action_list` (a force contributor's own only, though they may not export),
    in the tracker's columns: an export imports back as the same actions."""
    actions = (
        selectors.action_list(membership, filters, today=today)
        .select_related("owner", "response__report")
        .annotate(
            finding_keys=_joined(
                AssuranceAction.findings.through.objects.all(),
                "assuranceaction_id",
                Concat(
                    Cast("finding__report_id", CharField()),
                    Value(UNIT),
                    Cast("finding__position", CharField()),
                    Value(UNIT),
                    "finding__reference",
                    output_field=TextField(),
                ),
            ),
            last_update=_latest_update("text"),
            last_update_at=_latest_update("written_at"),
        )
    )
    widths: tuple[int, ...] = (10, 40, 50, 14, 24, 14, 14, 14, 10, 10, 18, 10, 16, 16, 40)
    widths += (24, 14, 40, 18, 30, 40, 50, 14)
    columns = tuple(Column(_(h), w) for h, w in zip(ACTION_HEADERS, widths, strict=True))
    marking = _marking(actions, ACTION_SENSITIVE)
    rows = _action_rows(actions, _reports_of(membership.body))
    return Table("actions", _("Assurance actions"), columns, rows, marking)


def update_table(membership: Membership, filters: dict[str, Any], *, today: dt.date) -> Table:
    """The progress updates of the actions the actions list shows with these filters, by
    action in the list's order, each action's newest first."""
    actions = selectors.action_list(membership, filters, today=today)
    by_action = selectors.action_order(filters.get("sort"), prefix="action__")
    updates = (
        ProgressUpdate.objects.filter(action__in=actions.order_by().values("pk"))
        .select_related("action", "author")
        .order_by(*by_action, "-written_at", "-pk")
    )
    columns = (
        Column(_("Update ID"), 10),
        Column(_("Action ID"), 10),
        Column(_("Action"), 40),
        Column(_("Written at"), 20),
        Column(_("Author"), 14),
        Column(_("Update"), 60),
        Column(_("Percent complete then"), 10),
        Column(_("Status then"), 18),
    )

    def rows() -> Iterator[Sequence[Cell]]:
        for update in updates.iterator(chunk_size=CHUNK):
            yield (
                update.pk,
                update.action_id,
                update.action.title,
                update.written_at,
                update.author.get_username(),
                update.text,
                update.percent_complete,
                _label(ActionStatus, update.status),
            )

    marking = _marking(
        AssuranceAction.objects.filter(
            pk__in=actions.order_by().values("pk"), updates__isnull=False
        ),
        ACTION_SENSITIVE,
    )
    return Table("updates", _("Progress updates"), columns, rows(), marking)


# --- The sign-in log ----------------------------------------------------------------------


def sign_in_log_table(
    body: PolicingBody,
    filters: dict[str, Any],
    *,
    leave_out: int | None = None,
    marked: bool = True,
) -> Table:
    """`selectors.sign_in_log`, times in UTC. `leave_out`: the row that logs this very
    download. `marked=False` keeps the CSV as it always was: header first."""
    events = selectors.sign_in_log(body, filters)
    if leave_out is not None:
        events = events.exclude(pk=leave_out)
    columns = (
        Column(_("When (UTC)"), 22, utc=True),
        Column(_("Username"), 20),
        Column(_("Name"), 20),
        Column(_("What"), 22),
        Column(_("Detail"), 40),
        Column(_("Address requested"), 40),
        Column(_("From address"), 16),
        Column(_("Browser"), 40),
    )

    def rows() -> Iterator[Sequence[Cell]]:
        for event in events.iterator(chunk_size=CHUNK):
            yield (
                event.at,
                event.username,
                event.user.get_full_name() if event.user else "",
                event.get_kind_display(),
                event.detail,
                event.path,
                event.ip_address,
                event.user_agent,
            )

    return Table(
        "sign-in-log",
        _("Sign-in log"),
        columns,
        rows(),
        Marking.OFFICIAL if marked else None,
    )
