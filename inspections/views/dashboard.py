"""The commissioner's dashboard and the lists its figures open."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from .. import dashboard, meetings, selectors
from ..forms.scope import DashboardForm, FindingFilterForm, ResponseFilterForm
from ..scope import Scope
from .common import member, paginate, render_page

SINCE_DEFAULT_DAYS = 30


@require_GET
def dashboard_page(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    today = timezone.localdate()
    form = DashboardForm(request.GET)
    cleaned = form.cleaned_data if form.is_valid() else {}
    body = membership.body
    last = None if cleaned.get("since") else meetings.last_meeting(body, today)
    since = cleaned.get("since") or (
        last.held_on if last else today - dt.timedelta(days=SINCE_DEFAULT_DAYS)
    )
    upcoming = None if cleaned.get("due_before") else meetings.next_meeting(body, today)
    due_before = cleaned.get("due_before") or (upcoming.held_on if upcoming else None)
    board = dashboard.build(
        body=body,
        scope=Scope.from_cleaned(cleaned),
        today=today,
        since=since,
        due_before=due_before,
    )
    context = {"form": form, "board": board, "last_meeting": last, "next_meeting": upcoming}
    return render_page(request, "inspections/dashboard.html", context, partial="figures")


@require_GET
def response_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    today = timezone.localdate()
    form = ResponseFilterForm(request.GET)
    cleaned = form.cleaned_data if form.is_valid() else {}
    responses = selectors.response_list(
        membership.body,
        Scope.from_cleaned(cleaned),
        cleaned.get("state") or "",
        today,
        cleaned.get("due_before"),
        cleaned.get("year"),
    )
    context = {"filters": form, "page": paginate(request, responses), "today": today}
    return render_page(request, "inspections/responses/list.html", context, partial="results")


@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    form = FindingFilterForm(request.GET, body=membership.body)
    cleaned = form.cleaned_data if form.is_valid() else {}
    findings = selectors.finding_list(
        membership.body, Scope.from_cleaned(cleaned), cleaned, timezone.localdate()
    )
    context = {"filters": form, "page": paginate(request, findings)}
    return render_page(request, "inspections/findings/list.html", context, partial="results")
