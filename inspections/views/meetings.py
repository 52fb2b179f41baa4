"""The body's meetings, and each person's private calendar feed of deadlines."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from ..access import actions_for, get_for_body, require_editor
from ..forms.meetings import MeetingForm
from ..meetings import feed_text
from ..models import CalendarFeed, Meeting, Membership
from ..packs import board_packs_reap
from ..services import meetings as services
from .common import conflict_page, create_once, member, render_page, saved_message

LIST = "inspections/meetings/list.html"
DETAIL = "inspections/meetings/detail.html"
FORM = "inspections/meetings/form.html"
DELETE = "inspections/meetings/delete.html"
CALENDAR = "inspections/account/calendar.html"


def _meeting(membership: Membership, pk: int) -> Meeting:
    return get_for_body(Meeting.objects.all(), membership.body, pk=pk)


def _readable(membership: Membership) -> None:
    """Every member reads the meetings except a force contributor (whom the middleware
    keeps out already; this says so where the rule is used)."""
    if membership.is_contributor:
        raise Http404("No such page.")


@require_GET
def meeting_list(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    _readable(membership)
    today = timezone.localdate()
    meetings = Meeting.objects.filter(body=membership.body)
    context = {
        "upcoming": list(meetings.on_or_after(today)),
        "past": list(meetings.held_before(today)),
        "membership": membership,
    }
    return render_page(request, LIST, context)


@require_http_methods(["GET", "POST"])
def meeting_create(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    form = MeetingForm(request.POST or None)
    if request.method == "POST":
        outcome = create_once(
            request,
            form,
            create=lambda: services.meeting_create(
                body=membership.body,
                user=request.user,
                name=form.cleaned_data["name"],
                kind=form.cleaned_data["kind"],
                held_on=form.cleaned_data["held_on"],
                notes=form.cleaned_data["notes"],
            ),
            answer=lambda meeting: (
                reverse("meeting_detail", args=[meeting.pk]),
                _("Meeting added."),
            ),
        )
        if outcome is not None:
            messages.success(request, outcome.message)
            return redirect(outcome.result_url)
        return render_page(request, FORM, {"form": form}, status=422)
    return render_page(request, FORM, {"form": form})


def prepare_url(meeting: Meeting) -> str:
    """The dashboard between the body's previous meeting and this one."""
    previous = (
        Meeting.objects.filter(body_id=meeting.body_id)
        .held_before(meeting.held_on)
        .only("held_on")
        .first()
    )
    query = f"due_before={meeting.held_on.isoformat()}"
    if previous is not None:
        query = f"since={previous.held_on.isoformat()}&{query}"
    return f"{reverse('dashboard')}?{query}"


@require_GET
def meeting_detail(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    meeting = _meeting(membership, pk)
    _readable(membership)
    board_packs_reap(now=timezone.now())  # a pack whose worker died says so
    packs = list(meeting.board_packs.select_related("requested_by").order_by("-created_at", "-pk"))
    context = {
        "meeting": meeting,
        "membership": membership,
        "packs": packs,
        "prepare_url": prepare_url(meeting),
        "may_build": membership.can_export,  # the rule of `access.require_exporter`
    }
    return render_page(request, DETAIL, context)


@require_http_methods(["GET", "POST"])
def meeting_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    meeting = _meeting(membership, pk)
    require_editor(membership)
    form = MeetingForm(request.POST or None, instance=meeting)
    context = {"form": form, "meeting": meeting}
    if request.method == "POST":
        if form.is_valid():
            changes = dict(form.cleaned_data)
            version = changes.pop("version")
            try:
                saved = services.meeting_update(
                    meeting=meeting, version=version, user=request.user, **changes
                )
            except services.EditConflict as conflict:
                return conflict_page(
                    request,
                    conflict=conflict,
                    form=form,
                    make_form=lambda instance, initial: MeetingForm(
                        instance=instance, initial=initial
                    ),
                    heading=_("Someone else changed this meeting"),
                    back_url=reverse("meeting_detail", args=[pk]),
                    action_url=reverse("meeting_edit", args=[pk]),
                )
            messages.success(request, saved_message(_("Meeting saved."), saved))
            return redirect("meeting_detail", pk=saved.pk)
        return render_page(request, FORM, context, status=422)
    return render_page(request, FORM, context)


@require_http_methods(["GET", "POST"])
def meeting_delete(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    meeting = _meeting(membership, pk)
    require_editor(membership)
    has_packs = meeting.board_packs.exists()
    if request.method == "POST" and not has_packs:
        try:
            services.meeting_delete(meeting=meeting, user=request.user)
        except services.MeetingHasPacks:
            has_packs = True
        else:
            messages.success(request, _("Meeting “%(name)s” deleted.") % {"name": meeting.name})
            return redirect("meeting_list")
    status = 409 if request.method == "POST" else 200
    return render_page(request, DELETE, {"meeting": meeting, "has_packs": has_packs}, status=status)


# The calendar feed


def _calendar_page(request: HttpRequest, membership: Membership, **extra: Any) -> HttpResponse:
    feed = (
        CalendarFeed.objects.usable()
        .filter(user_id=membership.user_id, body_id=membership.body_id)
        .first()
    )
    response = render_page(request, CALENDAR, {"feed": feed, **extra})
    patch_cache_control(response, private=True, no_store=True)  # it may hold a new secret
    return response


@require_http_methods(["GET", "POST"])
def calendar_settings(request: HttpRequest) -> HttpResponse:
    """Make (or replace) the person's private calendar address, or revoke it."""
    membership = member(request)
    if request.method == "GET":
        return _calendar_page(request, membership)
    if request.POST.get("action") == "revoke":
        services.calendar_feed_revoke(membership=membership)
        messages.success(request, _("Calendar address revoked: it no longer works."))
        return redirect("calendar_settings")
    _feed, secret = services.calendar_feed_create(membership=membership)
    url = settings.SITE_URL.rstrip("/") + reverse("calendar_feed", kwargs={"secret": secret})
    return _calendar_page(request, membership, new_url=url)


@login_not_required
@require_GET
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The body's deadlines as iCalendar, for the secret in the address (no session)."""
    feed = (
        CalendarFeed.objects.usable().matching(secret).select_related("user", "body").first()
        if secret.startswith("cal_")
        else None
    )
    membership = (
        Membership.objects.select_related("body", "user")
        .filter(user_id=feed.user_id, body_id=feed.body_id)
        .first()
        if feed is not None
        else None
    )
    if feed is None or membership is None:
        raise Http404("No such calendar.")
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=timezone.now())
    text = feed_text(membership=membership, actions=actions_for(membership))
    response = HttpResponse(text.encode(), content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "no-store"
    response["Content-Disposition"] = 'inline; filename="deadlines.ics"'
    return response
