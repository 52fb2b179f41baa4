"""Board packs: request one for the dashboard's filters or for a meeting, watch it being
built (the page polls with htmx, or refreshes itself without JavaScript), then download
it; try a failed one again. Every member may, analysts included: a pack is an export.

Each of these pages first marks failed any pack whose build has stopped (its heartbeat
is older than BOARD_PACK_STALE_SECONDS: `packs.board_packs_reap`), so a pack whose
worker died says so, with a "Try again" button, instead of running for ever."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import meetings
from ..access import get_for_body, require_exporter
from ..forms.scope import DashboardForm
from ..models import BoardPack, Meeting, Membership
from ..packs import board_packs_reap, describe_filters, inspectorate_names
from ..services import audit
from ..services.packs import board_pack_request, board_pack_retry
from .common import member, private_file_response, render_page
from .dashboard import SINCE_DEFAULT_DAYS

LIST = "inspections/packs/list.html"
DETAIL = "inspections/packs/detail.html"
RECENT = 20
# Without JavaScript, a pending pack's page reloads itself this often (seconds).
REFRESH_SECONDS = 3


def _pack(membership: Membership, pk: int) -> BoardPack:
    """The body's pack; an expired one is gone, even before the cleanup deletes it."""
    pack = get_for_body(
        BoardPack.objects.select_related("requested_by", "meeting"), membership.body, pk=pk
    )
    if pack.is_expired():
        raise Http404("This board pack has expired.")
    return pack


def poll_key(pack: BoardPack) -> str:
    """What the progress page last showed: a poll that would show the same gets a 204."""
    return f"{pack.status}-{pack.progress}"


def _meeting(membership: Membership, raw: str | None) -> Meeting | None:
    """The meeting a pack is asked for (the meeting page's button posts its id): the
    body's, or a 404."""
    if not raw:
        return None
    if not raw.isdigit():
        raise Http404("No such meeting.")
    return get_for_body(Meeting.objects.all(), membership.body, pk=int(raw))


def default_since(membership: Membership, today: dt.date, before: dt.date | None) -> dt.date:
    """As the dashboard: the date of the last meeting before `before` (today), else
    SINCE_DEFAULT_DAYS ago."""
    last = meetings.last_meeting(membership.body, before or today)
    return last.held_on if last else today - dt.timedelta(days=SINCE_DEFAULT_DAYS)


@require_http_methods(["GET", "POST"])
def pack_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    now = timezone.now()
    board_packs_reap(now=now)
    status = 200
    if request.method == "POST":
        form = DashboardForm(request.POST)
        meeting = _meeting(membership, request.POST.get("meeting"))
        if form.is_valid():
            today = timezone.localdate()
            since = form.cleaned_data.get("since") or default_since(
                membership, today, meeting.held_on if meeting else None
            )
            pack = board_pack_request(
                body=membership.body,
                user=request.user,  # type: ignore[arg-type]  # signed in: LoginRequiredMiddleware
                filters=form.scope_params(),
                since=since,
                meeting=meeting,
            )
            return redirect("pack_detail", pk=pack.pk)
        status = 422
    else:
        # The dashboard's link carries its filters: the form starts from them.
        form = DashboardForm(request.GET or None)
    # A meeting's packs never expire; they are listed here among the recent ones too.
    packs = list(
        BoardPack.objects.filter(body=membership.body)
        .filter(Q(expires_at__gt=now) | Q(expires_at__isnull=True))
        .select_related("requested_by", "meeting")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    names = inspectorate_names()
    context: dict[str, Any] = {
        "form": form,
        "rows": [{"pack": p, "filters": describe_filters(p.filters, names)} for p in packs],
        "ttl_hours": settings.BOARD_PACK_TTL_HOURS,
        "meetings_url": reverse("meeting_list"),
        "since_days": SINCE_DEFAULT_DAYS,
    }
    return render_page(request, LIST, context, status=status)


@require_GET
def pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    board_packs_reap(now=timezone.now())
    pack = _pack(membership, pk)
    htmx = request.htmx  # type: ignore[attr-defined]
    if htmx and pack.is_pending and request.GET.get("seen") == poll_key(pack):
        # Nothing new: no swap, so screen readers are not told the same thing again.
        response = HttpResponse(status=204)
        patch_vary_headers(response, ["HX-Request"])
        return response
    context = {
        "pack": pack,
        "filters": describe_filters(pack.filters, inspectorate_names()),
        "poll_key": poll_key(pack),
        "refresh_seconds": REFRESH_SECONDS,
    }
    response = render_page(request, DETAIL, context, partial="status")
    patch_cache_control(response, private=True, no_store=True)
    return response


@require_GET
def pack_download(request: HttpRequest, pk: int) -> FileResponse:
    membership = member(request)
    require_exporter(membership)
    pack = _pack(membership, pk)
    if not pack.is_downloadable():
        raise Http404("This board pack is not ready.")
    audit.exported(request, pack)
    return private_file_response(pack.file, filename=pack.filename, content_type="application/pdf")


@require_POST
def pack_retry(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue a failed pack again; its page then shows the new build's progress. Posting
    twice queues it once."""
    membership = member(request)
    require_exporter(membership)
    board_packs_reap(now=timezone.now())
    pack = _pack(membership, pk)
    board_pack_retry(pack=pack)
    return redirect("pack_detail", pk=pack.pk)
