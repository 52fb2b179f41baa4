"""A body's administrators run its team: the people page, invitations, changing a person's
role, deactivation and the body's two-factor requirement. And accepting an invitation,
which needs no sign-in."""

from __future__ import annotations

import datetime as dt
from typing import Any

from allauth.account.utils import perform_login
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from .. import two_factor
from ..access import require_administrator
from ..forms.people import AcceptForm, InviteForm, PersonForm, TwoFactorPolicyForm
from ..models import Invitation, Membership, PolicingBody, Role
from ..services import people as services
from .common import member, render_page


def administrator(request: HttpRequest) -> Membership:
    membership = member(request)
    require_administrator(membership)
    return membership


def person_for_body(request: HttpRequest, pk: int) -> tuple[Membership, Membership]:
    """The administrator, and a member of their own body. Another body's member is a 404
    for everyone (we do not confirm it exists); then a non-administrator gets a 403."""
    membership = member(request)
    person = get_object_or_404(
        Membership.objects.select_related("user", "body"), pk=pk, body_id=membership.body_id
    )
    require_administrator(membership)
    return membership, person


def invitation_for_body(request: HttpRequest, pk: int) -> tuple[Membership, Invitation]:
    membership = member(request)
    invitation = get_object_or_404(Invitation, pk=pk, body_id=membership.body_id)
    require_administrator(membership)
    return membership, invitation


def when(moment: dt.datetime | None) -> str:
    """ "20 July 2023 at 9:05am" in local time; "Never" for no time at all."""
    if moment is None:
        return _("Never")
    local = timezone.localtime(moment)
    hour = local.hour % 12 or 12
    time = f"{hour}:{local.minute:02d}" if local.minute else str(hour)
    time += "am" if local.hour < 12 else "pm"
    return _("%(date)s at %(time)s") % {"date": date_format(local, "j F Y"), "time": time}


def long_date(moment: dt.datetime) -> str:
    return date_format(timezone.localtime(moment), "j F Y")


# The people page ----------------------------------------------------------------------


@require_GET
def people(request: HttpRequest) -> HttpResponse:
    membership = administrator(request)
    body = membership.body
    rows = [
        {
            "person": person,
            "membership": person.membership,
            "user": person.user,
            "last_sign_in": when(person.user.last_login),
            "is_you": person.membership.pk == membership.pk,
        }
        for person in services.people_of(body)
    ]
    invitations = [
        {
            "invitation": invitation,
            "role": services.describe_role(
                role=invitation.role, is_administrator=invitation.is_administrator
            ),
            "sent": long_date(invitation.created_at),
            "expires": long_date(invitation.expires_at),
        }
        for invitation in services.pending_invitations(body)
    ]
    context = {"rows": rows, "invitations": invitations, "body": body}
    return render_page(request, "inspections/people/list.html", context)


@require_POST
def two_factor_policy(request: HttpRequest) -> HttpResponse:
    membership = administrator(request)
    form = TwoFactorPolicyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether two-factor sign-in is required for everyone."))
        return redirect("people")
    required = form.cleaned_data["require_two_factor"]
    services.body_require_two_factor(
        body=membership.body, required=required, by=request.user, request=request
    )
    messages.success(
        request,
        _("Two-factor sign-in is now required for everyone.")
        if required
        else _("Two-factor sign-in is now required only for approvers and administrators."),
    )
    return redirect("people")


# Inviting -----------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def invite(request: HttpRequest) -> HttpResponse:
    membership = administrator(request)
    body = membership.body
    template = "inspections/people/invite.html"
    form = InviteForm(request.POST or None)
    days = {"invitation_days": settings.INVITATION_DAYS}
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            earlier = services.usable_invitation_for(body=body, email=data["email"])
            if earlier is not None and not data["replace"]:
                # Say so, and let the administrator send again to replace it.
                posted = request.POST.copy()
                posted["replace"] = "True"
                retry = InviteForm(posted)
                retry.is_valid()
                retry.add_error(
                    "email",
                    _(
                        "%(email)s was already invited on %(sent)s; that invitation expires "
                        "on %(expires)s. Send the invitation again to withdraw that one and "
                        "send a new link"
                    )
                    % {
                        "email": earlier.email,
                        "sent": long_date(earlier.created_at),
                        "expires": long_date(earlier.expires_at),
                    },
                )
                return render_page(
                    request, template, {"form": retry, "resend": True} | days, status=422
                )
            try:
                invitation, _token = services.invite(
                    body=body,
                    email=data["email"],
                    role=data["role"],
                    is_administrator=data["is_administrator"],
                    job_title=data["job_title"],
                    invited_by=request.user,
                    request=request,
                )
            except services.AlreadyMember as refusal:
                form.add_error("email", refusal.message)
                return render_page(request, template, {"form": form} | days, status=422)
            values = {"email": invitation.email, "expires": long_date(invitation.expires_at)}
            messages.success(
                request,
                _(
                    "Invitation sent to %(email)s. The earlier invitation was withdrawn. The "
                    "new link works until %(expires)s."
                )
                % values
                if earlier is not None
                else _("Invitation sent to %(email)s. The link works until %(expires)s.") % values,
            )
            return redirect("people")
        return render_page(request, template, {"form": form} | days, status=422)
    return render_page(request, template, {"form": form} | days)


@require_POST
def invitation_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    _admin, invitation = invitation_for_body(request, pk)
    if services.invitation_withdraw(invitation=invitation, by=request.user, request=request):
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    else:
        messages.info(
            request,
            _("The invitation to %(email)s had already been accepted, withdrawn or expired.")
            % {"email": invitation.email},
        )
    return redirect("people")


# Changing a person --------------------------------------------------------------------


def _person_context(membership: Membership, person: Membership) -> dict[str, Any]:
    return {
        "person": person,
        "is_you": person.pk == membership.pk,
        "last_sign_in": when(person.user.last_login),
        "has_two_factor": two_factor.has_two_factor(person.user),
    }


@require_http_methods(["GET", "POST"])
def person_edit(request: HttpRequest, pk: int) -> HttpResponse:
    membership, person = person_for_body(request, pk)
    template = "inspections/people/edit.html"
    context = _person_context(membership, person)
    seen = services.membership_state(person)
    form = PersonForm(request.POST or None, seen=seen)
    if request.method == "POST":
        if not form.is_valid():
            return render_page(request, template, context | {"form": form}, status=422)
        data = form.cleaned_data
        try:
            services.person_change(
                membership=person,
                role=data["role"],
                is_administrator=data["is_administrator"],
                job_title=data["job_title"],
                seen=form.seen(),
                by=request.user,
                request=request,
            )
        except services.MembershipChanged as conflict:
            # The administrator's values stay; the form now starts from what is saved, so
            # saving again is a deliberate choice to replace the colleague's change.
            posted = request.POST.copy()
            for name, value in conflict.current.items():
                posted[f"seen_{name}"] = str(value)
            retry = PersonForm(posted, seen=conflict.current)
            retry.is_valid()
            retry.add_error(None, conflict.message)
            _admin, fresh = person_for_body(request, pk)
            changed = _differences(form.seen(), conflict.current)
            context = _person_context(membership, fresh) | {"form": retry, "changed": changed}
            return render_page(request, template, context, status=409)
        except services.LastAdministrator as refusal:
            form.add_error("is_administrator", refusal.message)
            return render_page(request, template, context | {"form": form}, status=422)
        messages.success(request, _("%(name)s’s role saved.") % {"name": _name(person.user)})
        return redirect("people")
    return render_page(request, template, context | {"form": form})


def _shown(name: str, value: Any) -> str:
    if name == "role":
        return str(Role(value).label) if value in Role.values else str(value)
    if name == "is_administrator":
        return _("Yes") if value else _("No")
    return str(value) or _("None")


def _differences(seen: dict[str, Any], now: dict[str, Any]) -> list[dict[str, str]]:
    """What a colleague changed since the administrator opened the page."""
    labels = {
        "role": _("Role"),
        "is_administrator": _("Administrator"),
        "job_title": _("Job title"),
    }
    return [
        {"label": label, "seen": _shown(name, seen[name]), "now": _shown(name, now[name])}
        for name, label in labels.items()
        if seen[name] != now[name]
    ]


def _name(user: Any) -> str:
    return str(user.get_full_name() or user.get_username())


def _confirm(request: HttpRequest, pk: int, *, deactivate: bool) -> HttpResponse:
    membership, person = person_for_body(request, pk)
    template = "inspections/people/confirm.html"
    context = _person_context(membership, person) | {"deactivate": deactivate}
    if request.method == "POST":
        change = services.person_deactivate if deactivate else services.person_reactivate
        try:
            change(membership=person, by=request.user, request=request)
        except services.PeopleError as refusal:
            return render_page(request, template, context | {"error": refusal.message}, status=422)
        messages.success(
            request,
            (
                _("%(name)s is deactivated: they are signed out and cannot sign in.")
                if deactivate
                else _("%(name)s is active again and can sign in.")
            )
            % {"name": _name(person.user)},
        )
        return redirect("people")
    return render_page(request, template, context)


@require_http_methods(["GET", "POST"])
def person_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, deactivate=True)


@require_http_methods(["GET", "POST"])
def person_reactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _confirm(request, pk, deactivate=False)


# Accepting an invitation (no sign-in) -------------------------------------------------


@login_not_required
@never_cache
@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    invitation = services.invitation_any_state(token)
    if invitation is None:
        raise Http404("No such invitation.")
    if request.user.is_authenticated:
        return render(
            request, "inspections/people/accept_signed_in.html", {"invitation": invitation}
        )
    gone = "inspections/people/accept_gone.html"
    if services.invitation_from_token(token) is None:
        return render(request, gone, {"invitation": invitation}, status=410)
    body: PolicingBody = invitation.body
    form = AcceptForm(request.POST or None, email=invitation.email)
    context = {
        "invitation": invitation,
        "body": body,
        "role": services.describe_role(
            role=invitation.role, is_administrator=invitation.is_administrator
        ),
        "expires": long_date(invitation.expires_at),
        "form": form,
        "entra": services.entra_for_invitation(invitation),
        "token": token,
    }
    template = "inspections/people/accept.html"
    if request.method == "POST":
        if not form.is_valid():
            return render(request, template, context, status=422)
        data = form.cleaned_data
        try:
            membership = services.invitation_accept(
                invitation=invitation,
                username=data["username"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                password=data["password1"],
                request=request,
            )
        except services.InvitationUnusable:
            return render(request, gone, {"invitation": invitation}, status=410)
        except services.AlreadyMember as refusal:
            form.add_error(None, refusal.message)
            return render(request, template, context, status=422)
        messages.success(
            request,
            _("Welcome to PCC Responses, %(name)s. You are a member of %(body)s as %(role)s.")
            % {"name": membership.user.first_name, "body": body.name, "role": context["role"]},
        )
        # allauth's own sign-in: its stages, session handling and signals apply.
        response: HttpResponse = perform_login(
            request,
            membership.user,
            email_verification="none",
            redirect_url=reverse("home"),
            signup=True,
            email=membership.user.email,
        )
        return response
    return render(request, template, context)
