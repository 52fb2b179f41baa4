"""Board packs: what goes in one, and how it is requested, built and cleaned up.

A pack is the dashboard for chosen filters (and, for a meeting, what is due before it),
the overdue responses and actions, the most-slipped actions, the changes since a date,
and a table of every open action, as a PDF. Building one can take seconds for a large
body, so it runs as a background task (`tasks.build_board_pack`) that records its
progress, and a heartbeat, on the pack for the page to poll. A build whose heartbeat
stops (its worker died) is marked failed by `board_packs_reap`, and can be retried.

The two long tables (status changes and open actions) are not laid out by WeasyPrint but
drawn onto placeholder pages by `pdf_table`: a pack of 4,000 open actions took 43 s and
950 MB when WeasyPrint laid them out, about 6 s and 260 MB now (README, "How fast").

Gathering costs a fixed number of queries whatever the size of the data: the dashboard's
own, plus one each for the overdue responses, the open actions (the overdue ones are
among them), the findings they serve, the protective marking and, when the pack is
filtered by inspectorate, its name."""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Exists, F, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from . import dashboard, pdf_table, rules
from .letterhead import Letterhead
from .models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssuranceAction,
    BoardPack,
    Finding,
    Inspectorate,
    Marking,
    Meeting,
    PackStage,
    PackStatus,
    PolicingBody,
    ProgressUpdate,
    ReportType,
    Response,
)
from .pdf import printable, render_pdf
from .scope import Scope

logger = logging.getLogger(__name__)

TEMPLATE = "pdf/board_pack.html"
SENSITIVE = Marking.OFFICIAL_SENSITIVE


def ttl() -> dt.timedelta:
    return dt.timedelta(hours=settings.BOARD_PACK_TTL_HOURS)


# --- What goes in a pack ----------------------------------------------------------------


@dataclass(frozen=True)
class OverdueResponse:
    title: str
    report_type: str
    published_on: dt.date
    due_on: dt.date
    days_over: int
    status: str


@dataclass(frozen=True)
class OpenAction:
    pk: int
    title: str
    description: str
    references: list[tuple[str, list[str]]]  # (report, the findings of it the action serves)
    owner: str
    start_on: dt.date
    target_on: dt.date
    original_target_on: dt.date | None
    slip_count: int
    status: str
    percent_complete: int
    rag: rules.Rag
    latest_update: dt.datetime | None
    latest_text: str
    days_over: int  # days past the target date; zero or less when not overdue

    @property
    def rag_css(self) -> str:
        return self.rag.css

    @property
    def slip_days(self) -> int:
        """As `AssuranceAction.slip_days`, for the slippage partial."""
        if self.original_target_on is None:
            return 0
        return max(0, (self.target_on - self.original_target_on).days)


@dataclass
class PackContent:
    body: PolicingBody
    board: dashboard.Dashboard
    filters: list[tuple[str, str]]
    overdue_responses: list[OverdueResponse]
    open_actions: list[OpenAction]
    sensitive: bool
    meeting: Meeting | None = None

    @property
    def overdue_actions(self) -> list[OpenAction]:
        return [a for a in self.open_actions if a.days_over > 0]


def describe_filters(
    filters: dict[str, Any], inspectorates: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """The filters as people read them: [(label, value)], "All reports" when none."""
    names = inspectorates if inspectorates is not None else {}
    rows: list[tuple[str, str]] = []
    if report_type := filters.get("type"):
        rows.append((_("Report type"), str(dict(ReportType.choices).get(report_type, ""))))
    if code := filters.get("inspectorate"):
        rows.append((_("Inspectorate"), names.get(code, code)))
    start, end = filters.get("published_from"), filters.get("published_to")
    if start or end:
        rows.append((_("Reports published"), _period(start, end)))
    return rows or [(_("Reports"), _("All reports"))]


def _period(start: str | None, end: str | None) -> str:
    def show(value: str) -> str:
        try:
            return date_format(dt.date.fromisoformat(value), "j F Y")
        except ValueError:
            return value

    if start and end:
        return _("%(start)s to %(end)s") % {"start": show(start), "end": show(end)}
    if start:
        return _("from %(start)s") % {"start": show(start)}
    return _("up to %(end)s") % {"end": show(str(end))}


def inspectorate_names() -> dict[str, str]:
    return dict(Inspectorate.objects.values_list("code", "short_name"))


def overdue_responses(body: PolicingBody, scope: Scope, today: dt.date) -> list[OverdueResponse]:
    rows = (
        scope.by_report(Response.objects.filter(body=body).overdue(today), body)
        .order_by("due_on", "pk")
        .values_list(
            "report__title", "report__report_type", "report__published_on", "due_on", "status"
        )
    )
    types = dict(ReportType.choices)
    statuses = dict(Response._meta.get_field("status").flatchoices)
    result = []
    for title, report_type, published_on, due, status in rows:
        assert due is not None  # overdue responses have a clock
        result.append(
            OverdueResponse(
                title=title,
                report_type=str(types.get(report_type, report_type)),
                published_on=published_on,
                due_on=due,
                days_over=(today - due).days,
                status=str(statuses.get(status, status)),
            )
        )
    return result


def _open_actions_queryset(body: PolicingBody, scope: Scope) -> Any:
    return scope.actions(AssuranceAction.objects.filter(body=body).open(), body)


def _report_label(reference: str, title: str) -> str:
    return reference or title


def open_actions(body: PolicingBody, scope: Scope, today: dt.date) -> list[OpenAction]:
    """Every open action in scope, by target date, with its report and finding references
    and its latest progress update. Two queries."""
    queryset = _open_actions_queryset(body, scope)
    latest = ProgressUpdate.objects.filter(action=OuterRef("pk")).order_by("-written_at", "-pk")
    rows = (
        queryset.with_rag(today, body.rag_tolerances)
        .annotate(
            latest_at=Subquery(latest.values("written_at")[:1]),
            latest_text=Subquery(latest.values("text")[:1]),
        )
        .order_by("target_on", "pk")
        .values_list(
            "pk",
            "title",
            "description",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "start_on",
            "target_on",
            "original_target_on",
            "slip_count",
            "status",
            "percent_complete",
            "rag_colour",
            "latest_at",
            "latest_text",
            "response__report__reference",
            "response__report__title",
        )
    )
    served: dict[int, dict[str, list[str]]] = defaultdict(dict)
    links = (
        AssuranceAction.findings.through.objects.filter(
            assuranceaction_id__in=queryset.values("pk")
        )
        .order_by(
            "finding__report__published_on",
            "finding__report_id",
            "finding__position",
            "finding_id",
        )
        .values_list(
            "assuranceaction_id",
            "finding__report__reference",
            "finding__report__title",
            "finding__reference",
        )
    )
    for action_id, report_reference, report_title, finding_reference in links:
        label = _report_label(report_reference, report_title)
        served[action_id].setdefault(label, []).append(finding_reference)
    statuses = dict(ActionStatus.choices)
    unallocated = _("Awaiting allocation")
    result = []
    for (
        pk,
        title,
        description,
        first,
        last,
        username,
        start,
        target,
        original,
        slips,
        status,
        percent,
        colour,
        latest_at,
        latest_text,
        response_reference,
        response_title,
    ) in rows:
        references = list(served.get(pk, {}).items())
        if not references and response_title:
            references = [(_report_label(response_reference or "", response_title), [])]
        result.append(
            OpenAction(
                pk=pk,
                title=title,
                description=description,
                references=references,
                owner=f"{first or ''} {last or ''}".strip() or username or unallocated,
                start_on=start,
                target_on=target,
                original_target_on=original,
                slip_count=slips,
                status=str(statuses.get(status, status)),
                percent_complete=percent,
                rag=rules.Rag(colour),
                latest_update=latest_at,
                latest_text=latest_text or "",
                days_over=(today - target).days,
            )
        )
    return result


def is_sensitive(body: PolicingBody, scope: Scope, today: dt.date, since: dt.date) -> bool:
    """Whether anything the pack lists comes from an OFFICIAL-SENSITIVE report or response:
    an overdue response, an open action (through its response or findings), or a response,
    finding or action whose status change it lists. One query."""
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    marked_response = Q(marking=SENSITIVE) | Q(report__marking=SENSITIVE)
    overdue = scope.by_report(Response.objects.filter(body=body).overdue(today), body).filter(
        marked_response
    )
    changed_responses = scope.by_report(
        Response.objects.filter(
            body=body,
            pk__in=status_changed_ids(Response.history.filter(body=body), "status", start),
        ),
        body,
    ).filter(marked_response)
    changed_findings = scope.by_report(
        Finding.objects.filter(
            report__body=body,
            report__marking=SENSITIVE,
            pk__in=status_changed_ids(
                Finding.history.filter(report__body=body), "inspectorate_status", start
            ),
        ),
        body,
    )
    marked_finding = AssuranceAction.findings.through.objects.filter(
        assuranceaction_id=OuterRef("pk"), finding__report__marking=SENSITIVE
    )
    changed_actions = status_changed_ids(AssuranceAction.history.filter(body=body), "status", start)
    marked_actions = (
        scope.actions(AssuranceAction.objects.filter(body=body), body)
        .filter(Q(status__in=OPEN_ACTION_STATUSES) | Q(pk__in=changed_actions))
        .filter(
            Q(response__marking=SENSITIVE)
            | Q(response__report__marking=SENSITIVE)
            | Q(Exists(marked_finding))
        )
    )
    flags = (
        PolicingBody.objects.filter(pk=body.pk)
        .annotate(
            marked_overdue=Exists(overdue),
            marked_responses=Exists(changed_responses),
            marked_findings=Exists(changed_findings),
            marked_actions=Exists(marked_actions),
        )
        .values_list("marked_overdue", "marked_responses", "marked_findings", "marked_actions")
        .get()
    )
    return any(flags)


def status_changed_ids(history: Any, field: str, start: dt.datetime) -> Any:
    """Ids of records with a version since `start` whose `field` differs from the version
    just before it: the status changes the dashboard lists (dashboard.changes_since), as
    a subquery."""
    before = (
        history.model.objects.filter(id=OuterRef("id"))
        .filter(
            Q(history_date__lt=OuterRef("history_date"))
            | Q(history_date=OuterRef("history_date"), history_id__lt=OuterRef("history_id"))
        )
        .order_by("-history_date", "-history_id")
        .values(field)[:1]
    )
    return (
        history.filter(history_date__gte=start)
        .annotate(before=Subquery(before))
        .filter(before__isnull=False)
        .exclude(before=F(field))
        .values("id")
    )


def gather(
    *,
    body: PolicingBody,
    filters: dict[str, Any],
    since: dt.date,
    today: dt.date,
    meeting: Meeting | None = None,
    on_stage: Callable[[PackStage], None] = lambda stage: None,
) -> PackContent:
    """Everything a pack shows; for a meeting, also what is due before it. `on_stage`
    hears when each stage starts."""
    scope = Scope.from_params(filters)
    due_before = meeting.held_on if meeting is not None and meeting.held_on >= today else None
    board = dashboard.build(body=body, scope=scope, today=today, since=since, due_before=due_before)
    board.rag = printable(board.rag)
    board.ageing = printable(board.ageing)
    board.overdue_by_owner = printable(board.overdue_by_owner)
    late_responses = overdue_responses(body, scope, today)
    on_stage(PackStage.LISTING)
    actions = open_actions(body, scope, today)
    return PackContent(
        body=body,
        board=board,
        filters=describe_filters(
            filters, inspectorate_names() if "inspectorate" in filters else {}
        ),
        overdue_responses=late_responses,
        open_actions=actions,
        sensitive=is_sensitive(body, scope, today, since),
        meeting=meeting,
    )


# --- Laying out ------------------------------------------------------------------------

# The RAG colours of print.css (.app-rag--*), for text drawn by pdf_table.
RAG_INK: dict[rules.Rag, pdf_table.RGB] = {
    rules.Rag.RED: (0.557, 0.122, 0.071),
    rules.Rag.AMBER: (0.427, 0.235, 0.0),
    rules.Rag.GREEN: (0.0, 0.353, 0.188),
    rules.Rag.BLUE: (0.078, 0.306, 0.506),
    rules.Rag.GREY: (0.220, 0.247, 0.263),
}
SLIPPAGE = "inspections/actions/_slippage.html"


@dataclass
class PackTable:
    """A long table at the end of the pack: its heading (an HTML h2 with this id) and
    the table, drawn onto placeholder pages."""

    key: str
    heading: str
    table: pdf_table.LongTable


def day(value: dt.date | dt.datetime) -> str:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value).date()
    return date_format(value, "j F Y")


def _slippage(action: OpenAction, cache: dict[tuple[int, int], str]) -> str:
    """The slippage partial's words, as pages show them ("Moved 2 times, 45 days later")."""
    key = (action.slip_count, action.slip_days)
    if key not in cache:
        html = render_to_string(SLIPPAGE, {"action": action})
        cache[key] = " ".join(strip_tags(html).split())
    return cache[key]


def action_columns() -> list[pdf_table.Column]:
    return [
        pdf_table.Column(_("Action"), 34),
        pdf_table.Column(_("Report and findings"), 15),
        pdf_table.Column(_("Owner"), 10),
        pdf_table.Column(_("Target"), 13),
        pdf_table.Column(_("RAG"), 9),
        pdf_table.Column(_("Latest update"), 19),
    ]


def action_row(action: OpenAction, slippage: dict[tuple[int, int], str]) -> list[pdf_table.Cell]:
    Text, muted = pdf_table.Text, pdf_table.MUTED
    what = [Text(action.title, bold=True)]
    if action.description.strip():
        what.append(Text(action.description, max_lines=4))
    served = []
    for report, findings in action.references:
        served.append(Text(report, max_lines=2))
        if findings:
            served.append(Text(", ".join(findings), colour=muted, max_lines=3))
    target = [Text(day(action.target_on))]
    if moved := _slippage(action, slippage):
        target.append(Text(moved, colour=muted))
    if action.days_over > 0:
        overdue = ngettext("%(days)s day overdue", "%(days)s days overdue", action.days_over) % {
            "days": action.days_over
        }
        target.append(Text(overdue, colour=RAG_INK[rules.Rag.RED]))
    latest = [Text(_("No updates yet"), colour=muted)]
    if action.latest_update is not None:
        latest = [Text(day(action.latest_update), colour=muted)]
        latest.append(Text(action.latest_text, max_lines=6))
    return [
        what,
        served or [Text(_("Not linked to a finding"), colour=muted)],
        [Text(action.owner)],
        target,
        [
            Text(action.rag.label, bold=True, colour=RAG_INK[action.rag]),
            Text(f"{action.percent_complete}%"),
            Text(action.status, colour=muted),
        ],
        latest,
    ]


def change_columns() -> list[pdf_table.Column]:
    return [
        pdf_table.Column(_("When"), 12),
        pdf_table.Column(_("What"), 46),
        pdf_table.Column(_("Change"), 26),
        pdf_table.Column(_("Who"), 16),
    ]


def change_row(change: dashboard.Change) -> list[pdf_table.Cell]:
    Text = pdf_table.Text
    return [
        [Text(day(change.when))],
        [Text(str(change.what), bold=True), Text(change.title, max_lines=3)],
        [Text(f"{change.before} → {change.after}")],
        [Text(change.who)],
    ]


def long_tables(content: PackContent) -> list[PackTable]:
    """The status changes and the open actions, in that order, each only if it has rows."""
    tables = []
    board = content.board
    if board.changes:
        heading = ngettext(
            "%(n)s status change since %(since)s",
            "%(n)s status changes since %(since)s",
            len(board.changes),
        ) % {"n": len(board.changes), "since": day(board.since)}
        rows = [change_row(change) for change in board.changes]
        tables.append(PackTable("changes", heading, pdf_table.LongTable(change_columns(), rows)))
    if content.open_actions:
        count = len(content.open_actions)
        heading = ngettext("%(n)s open action", "All %(n)s open actions", count) % {
            "n": f"{count:,}"
        }
        cache: dict[tuple[int, int], str] = {}
        rows = [action_row(action, cache) for action in content.open_actions]
        tables.append(
            PackTable("open-actions", heading, pdf_table.LongTable(action_columns(), rows))
        )
    return tables


def render_document(
    content: PackContent,
    *,
    produced: dt.datetime,
    letterhead: Letterhead | None = None,
    on_progress: Callable[[float], None] = lambda done: None,
) -> bytes:
    """The pack as a PDF. `on_progress` hears how much of the table work is done (0 to
    1) as rows are laid out and pages drawn."""
    fonts = pdf_table.Fonts.dejavu()
    tables = long_tables(content)
    rows = sum(len(t.table.rows) for t in tables) or 1
    row_step = max(1, rows // 50)
    done = 0

    def row_done() -> None:
        nonlocal done
        done += 1
        if done % row_step == 0:
            on_progress(done / rows / 2)

    for pack_table in tables:
        pack_table.table.lay_out(fonts, row_done)
    drawer = pdf_table.Drawer(
        [t.table for t in tables],
        fonts,
        pdf_table.Furniture(
            produced=_("Produced %(when)s") % {"when": day(produced)},
            page=f"{_('Page')} {{n}} {_('of')} {{m}}",
            marking="OFFICIAL-SENSITIVE" if content.sensitive else "",
        ),
    )
    pages = drawer.page_count or 1
    page_step = max(1, pages // 50)
    drawn = 0

    def page_done() -> None:
        nonlocal drawn
        drawn += 1
        if drawn % page_step == 0:
            on_progress(0.5 + drawn / pages / 2)

    drawer.on_page = page_done
    html = render(content, produced=produced, tables=tables, letterhead=letterhead)
    resources = letterhead.resources() if letterhead is not None else {}
    return render_pdf(html, finisher=drawer.finish, resources=resources)


def render(
    content: PackContent,
    *,
    produced: dt.datetime,
    tables: list[PackTable] | None = None,
    letterhead: Letterhead | None = None,
) -> str:
    context = {
        "title": _("Board pack: %(body)s") % {"body": content.body.name},
        "author": content.body.name,
        "pack": content,
        "board": content.board,
        "today": content.board.today,
        "sensitive": content.sensitive,
        "produced": produced,
        "long_tables": tables if tables is not None else long_tables(content),
        "heading_mm": pdf_table.HEADING_MM,
        "letterhead": letterhead,
    }
    return render_to_string(TEMPLATE, context)


# --- Building and cleaning up ----------------------------------------------------

# Stored on a pack whose build stopped without a word (its worker died, or was stopped).
STALLED = (
    "The background worker stopped while producing this pack (no sign of life for "
    "%(minutes)s minutes)."
)
# How often, at most, a build touches its heartbeat between stages (seconds).
BEAT_SECONDS = 1.0


def stale_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.BOARD_PACK_STALE_SECONDS)


def _set(pack_id: int, attempt: int | None = None, **fields: Any) -> bool:
    """Progress goes straight to the database, outside any transaction, so the page
    polling it sees each stage as it starts. With `attempt`, only while that attempt
    still owns the pack (running, not since marked stalled or retried), touching its
    heartbeat; whether it did."""
    packs = BoardPack.objects.filter(pk=pack_id)
    if attempt is not None:
        packs = packs.filter(status=PackStatus.RUNNING, attempts=attempt)
        fields.setdefault("heartbeat_at", timezone.now())
    return bool(packs.update(**fields))


PROGRESS = {
    PackStage.GATHERING: 10,
    PackStage.LISTING: 40,
    PackStage.LAYING_OUT: 60,
    PackStage.WRITING: 90,
    PackStage.DONE: 100,
}


class _Heartbeat:
    """Touches the pack as the long stages go, at most every BEAT_SECONDS."""

    def __init__(self, pack_id: int, attempt: int) -> None:
        self.pack_id, self.attempt = pack_id, attempt
        self.last = time.monotonic()

    def __call__(self, done: float) -> None:
        if time.monotonic() - self.last < BEAT_SECONDS:
            return
        self.last = time.monotonic()
        start, end = PROGRESS[PackStage.LAYING_OUT], PROGRESS[PackStage.WRITING]
        progress = start + int((end - start - 1) * min(1.0, max(0.0, done)))
        _set(self.pack_id, self.attempt, progress=progress)


def board_pack_build(*, pack_id: int, now: dt.datetime | None = None) -> BoardPack | None:
    """Build one queued pack: gather, lay out, store, recording each stage and a heartbeat
    on the pack. Any error marks the pack failed with a short message (the traceback goes
    to the log). Only a queued pack is claimed (counting the attempt), so a task delivered
    twice builds it once; a build that finds its pack taken from it (marked stalled, then
    retried) keeps nothing."""
    now = now or timezone.now()
    board_packs_expire(now=now)
    board_packs_reap(now=now)
    claimed = BoardPack.objects.filter(pk=pack_id, status=PackStatus.QUEUED).update(
        status=PackStatus.RUNNING,
        attempts=F("attempts") + 1,
        heartbeat_at=timezone.now(),
        error="",
        **_stage(PackStage.GATHERING),
    )
    pack = BoardPack.objects.select_related("body", "meeting").filter(pk=pack_id).first()
    if not claimed or pack is None:
        return pack  # expired and removed, or built or being built by another run
    attempt = pack.attempts
    stored = ""
    try:
        content = gather(
            body=pack.body,
            filters=pack.filters,
            since=pack.since,
            today=timezone.localdate(),
            meeting=pack.meeting,
            on_stage=lambda stage: _record(pack_id, attempt, stage),
        )
        _set(pack_id, attempt, **_stage(PackStage.LAYING_OUT))
        document = render_document(
            content,
            produced=timezone.localtime(),
            letterhead=Letterhead.of(pack.body),
            on_progress=_Heartbeat(pack_id, attempt),
        )
        _set(pack_id, attempt, **_stage(PackStage.WRITING))
        pack.file.save("board-pack.pdf", ContentFile(document), save=False)
        stored = pack.file.name or ""
        finished = timezone.now()
        kept = _set(
            pack_id,
            attempt,
            status=PackStatus.DONE,
            **_stage(PackStage.DONE),
            file=stored,
            size=len(document),
            sensitive=content.sensitive,
            finished_at=finished,
            # A meeting's pack is the record of what the meeting saw: it is kept.
            expires_at=None if pack.meeting_id else finished + ttl(),
        )
        if not kept:
            logger.warning("Board pack %s was taken from this build; its file is dropped", pack_id)
            pack.file.storage.delete(stored)
    except BaseException as error:
        logger.exception("Board pack %s failed", pack_id)
        if stored:
            pack.file.storage.delete(stored)
        _set(
            pack_id,
            attempt,
            status=PackStatus.FAILED,
            stage=PackStage.FAILED,
            file="",
            error=_short(error),
            finished_at=timezone.now(),
        )
        if not isinstance(error, Exception):
            raise  # interrupts and exits still stop the worker
    pack.refresh_from_db()
    return pack


def board_packs_reap(*, now: dt.datetime) -> int:
    """Mark failed every pack being built whose heartbeat is older than
    BOARD_PACK_STALE_SECONDS: its worker has died or been stopped. The pack's page then
    offers to try again. Returns how many. One read when there are none (the pack pages
    call this on every poll: they should not write), and an update when there are."""
    cutoff = now - stale_after()
    minutes = max(1, round(stale_after().total_seconds() / 60))
    stalled = BoardPack.objects.filter(
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
        status=PackStatus.RUNNING,
    )
    if not stalled.exists():
        return 0
    return stalled.update(
        status=PackStatus.FAILED,
        stage=PackStage.FAILED,
        error=STALLED % {"minutes": minutes},
        finished_at=now,
    )


def _record(pack_id: int, attempt: int, stage: PackStage) -> None:
    _set(pack_id, attempt, **_stage(stage))


def _stage(stage: PackStage) -> dict[str, Any]:
    return {"stage": stage, "progress": PROGRESS[stage]}


def _short(error: BaseException) -> str:
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:300]


def board_packs_expire(*, now: dt.datetime) -> int:
    """Delete packs past their expiry time, and their files. Returns how many."""
    expired = list(BoardPack.objects.filter(expires_at__lte=now).values_list("pk", "file"))
    if not expired:
        return 0
    storage = BoardPack._meta.get_field("file").storage
    for _pk, name in expired:
        if name:
            try:
                storage.delete(name)
            except OSError:
                logger.warning("Could not delete the board pack file %s", name)
    BoardPack.objects.filter(pk__in=[pk for pk, _name in expired]).delete()
    return len(expired)
