"""Board packs: what goes in one, and how it is requested, built and cleaned up.

A pack is the dashboard for chosen filters, the overdue responses and actions, the
changes since a date, and a table of every open action, as a PDF. Building one can take
seconds for a large body, so it runs as a background task (`tasks.build_board_pack`)
that records its progress on the pack for the page to poll.

Gathering costs a fixed number of queries whatever the size of the data: the dashboard's
own, plus one each for the overdue responses, the open actions (the overdue ones are
among them), the protective marking and, when the pack is filtered by inspectorate, its
name."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from . import dashboard, rules
from .models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssuranceAction,
    BoardPack,
    Finding,
    Inspectorate,
    Marking,
    PackStage,
    PackStatus,
    PolicingBody,
    ReportType,
    Response,
)
from .pdf import render_pdf
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
    title: str
    owner: str
    start_on: dt.date
    target_on: dt.date
    status: str
    percent_complete: int
    rag: rules.Rag
    latest_update: dt.datetime | None
    days_over: int  # days past the target date; zero or less when not overdue

    @property
    def rag_css(self) -> str:
        return self.rag.css


@dataclass
class PackContent:
    body: PolicingBody
    board: dashboard.Dashboard
    filters: list[tuple[str, str]]
    overdue_responses: list[OverdueResponse]
    open_actions: list[OpenAction]
    sensitive: bool

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


def _absolute(figures: list[dashboard.Figure]) -> list[dashboard.Figure]:
    """The figures with links a reader of the PDF can follow back into the app."""
    site = settings.SITE_URL.rstrip("/")
    return [dataclasses.replace(f, url=site + f.url) for f in figures]


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


def open_actions(body: PolicingBody, scope: Scope, today: dt.date) -> list[OpenAction]:
    """Every open action in scope, by target date, with the date of its latest update."""
    rows = (
        _open_actions_queryset(body, scope)
        .with_rag(today, body.rag_tolerances)
        .order_by("target_on", "pk")
        .values_list(
            "title",
            "owner__first_name",
            "owner__last_name",
            "owner__username",
            "start_on",
            "target_on",
            "status",
            "percent_complete",
            "rag_colour",
        )
        .annotate(latest_update=Max("updates__written_at"))
    )
    statuses = dict(ActionStatus.choices)
    unallocated = _("Awaiting allocation")
    result = []
    for title, first, last, username, start, target, status, percent, colour, latest in rows:
        result.append(
            OpenAction(
                title=title,
                owner=f"{first or ''} {last or ''}".strip() or username or unallocated,
                start_on=start,
                target_on=target,
                status=str(statuses.get(status, status)),
                percent_complete=percent,
                rag=rules.Rag(colour),
                latest_update=latest,
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
    on_stage: Callable[[PackStage], None] = lambda stage: None,
) -> PackContent:
    """Everything a pack shows. `on_stage` hears when each stage starts."""
    scope = Scope.from_params(filters)
    board = dashboard.build(body=body, scope=scope, today=today, since=since)
    board.rag = _absolute(board.rag)
    board.ageing = _absolute(board.ageing)
    board.overdue_by_owner = _absolute(board.overdue_by_owner)
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
    )


def render(content: PackContent, *, produced: dt.datetime) -> str:
    context = {
        "title": _("Board pack: %(body)s") % {"body": content.body.name},
        "author": content.body.name,
        "pack": content,
        "board": content.board,
        "today": content.board.today,
        "sensitive": content.sensitive,
        "produced": produced,
    }
    return render_to_string(TEMPLATE, context)


# --- Building and cleaning up ----------------------------------------------------


def _set(pack_id: int, **fields: Any) -> None:
    """Progress goes straight to the database, outside any transaction, so the page
    polling it sees each stage as it starts."""
    BoardPack.objects.filter(pk=pack_id).update(**fields)


PROGRESS = {
    PackStage.GATHERING: 10,
    PackStage.LISTING: 40,
    PackStage.LAYING_OUT: 60,
    PackStage.WRITING: 90,
    PackStage.DONE: 100,
}


def board_pack_build(*, pack_id: int, now: dt.datetime | None = None) -> BoardPack | None:
    """Build one queued pack: gather, lay out, store, recording each stage on the pack.
    Any error marks the pack failed with a short message (the traceback goes to the log).
    Only a queued pack is claimed, so a task delivered twice builds it once."""
    board_packs_expire(now=now or timezone.now())
    claimed = BoardPack.objects.filter(pk=pack_id, status=PackStatus.QUEUED).update(
        status=PackStatus.RUNNING, **_stage(PackStage.GATHERING)
    )
    pack = BoardPack.objects.select_related("body").filter(pk=pack_id).first()
    if not claimed or pack is None:
        return pack  # expired and removed, or built or being built by another run
    stored = ""
    try:
        content = gather(
            body=pack.body,
            filters=pack.filters,
            since=pack.since,
            today=timezone.localdate(),
            on_stage=lambda stage: _set(pack_id, **_stage(stage)),
        )
        _set(pack_id, **_stage(PackStage.LAYING_OUT))
        document = render_pdf(render(content, produced=timezone.localtime()))
        _set(pack_id, **_stage(PackStage.WRITING))
        pack.file.save("board-pack.pdf", ContentFile(document), save=False)
        stored = pack.file.name or ""
        finished = timezone.now()
        _set(
            pack_id,
            status=PackStatus.DONE,
            **_stage(PackStage.DONE),
            file=stored,
            size=len(document),
            sensitive=content.sensitive,
            finished_at=finished,
            expires_at=finished + ttl(),
        )
    except BaseException as error:
        logger.exception("Board pack %s failed", pack_id)
        if stored:
            pack.file.storage.delete(stored)
        _set(
            pack_id,
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
