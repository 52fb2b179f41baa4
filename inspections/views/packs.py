"""Board packs: request one for the dashboard's filters, watch it being built (the page
polls with htmx, or refreshes itself without JavaScript), then download it. Every member
may, analysts included: a pack is an export."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.views.decorators.http import require_GET, require_http_methods

from ..access import get_for_body, require_exporter
from ..forms.scope import DashboardForm
from ..models import BoardPack, Membership
from ..packs import describe_filters, inspectorate_names
from ..scope import SCOPE_PARAMS
from ..services import audit
from ..services.packs import board_pack_request
from .common import member, private_file_response, render_page
from .dashboard import SINCE_DEFAULT_DAYS

LIST = "inspections/packs/list.html"
DETAIL = "inspections/packs/detail.html"
RECENT = 20
# Without JavaScript, a pending pack's page reloads itself this often (seconds).
REFRESH_SECONDS = 3


def _pack(membership: Membership, pk: int) -> BoardPack:
    """The body's pack; an expired one is gone, even before the cleanup deletes it."""
    pack = get_for_body(BoardPack.objects.select_related("requested_by"), membership.body, pk=pk)
    if pack.is_expired():
        raise Http404("This board pack has expired.")
    return pack


def poll_key(pack: BoardPack) -> str:
    """What the progress page last showed: a poll that would show the same gets a 204."""
    return f"{pack.status}-{pack.progress}"


@require_http_methods(["GET", "POST"])
def pack_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    status = 200
    if request.method == "POST":
        form = DashboardForm(request.POST)
        if form.is_valid():
            today = timezone.localdate()
            since = form.cleaned_data.get("since") or today - dt.timedelta(days=SINCE_DEFAULT_DAYS)
            pack = board_pack_request(
                body=membership.body,
                user=request.user,  # type: ignore[arg-type]  # signed in: LoginRequiredMiddleware
                filters=form.scope_params(),
                since=since,
            )
            return redirect("pack_detail", pk=pack.pk)
        status = 422
    else:
        # The dashboard's link carries its filters: the form starts from them.
        form = DashboardForm(request.GET or None)
    packs = list(
        BoardPack.objects.filter(body=membership.body, expires_at__gt=timezone.now())
        .select_related("requested_by")
        .order_by("-created_at", "-pk")[:RECENT]
    )
    names = inspectorate_names()
    context: dict[str, Any] = {
        "form": form,
        "rows": [{"pack": p, "filters": describe_filters(p.filters, names)} for p in packs],
        "ttl_hours": settings.BOARD_PACK_TTL_HOURS,
        "since_days": SINCE_DEFAULT_DAYS,
    }
    return render_page(request, LIST, context, status=status)


@require_GET
def pack_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
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
        "retry": {key: pack.filters.get(key, "") for key in SCOPE_PARAMS}
        | {"since": pack.since.isoformat()},
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
