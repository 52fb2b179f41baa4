"""Signing in and out (django-allauth's views under our URLs) and the account page: who
you are, your password, two-factor sign-in, and which emails you get."""

from __future__ import annotations

from typing import Any

from allauth.account.views import LoginView
from allauth.account.views import logout as allauth_logout
from allauth.mfa.models import Authenticator
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import NON_FIELD_ERRORS
from django.forms import BaseForm
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ..access import membership_or_none


class SignInView(LoginView):  # type: ignore[misc]
    """allauth's sign-in, answering a refused sign-in as the app's forms do (422), and one
    refused because of too many failures with 429 Too Many Requests."""

    def form_invalid(self, form: BaseForm) -> HttpResponse:
        response: HttpResponse = super().form_invalid(form)
        throttled = form.has_error(NON_FIELD_ERRORS, "too_many_login_attempts")
        response.status_code = 429 if throttled else 422
        return response


sign_in = SignInView.as_view()
sign_out = require_POST(allauth_logout)


@login_not_required
def not_offered(request: HttpRequest, **kwargs: Any) -> HttpResponse:
    """An allauth page this app does not use: people's addresses come from their
    invitation and are changed by their body's administrators."""
    raise Http404("Not offered here.")


def factors_of(user: Any) -> dict[str, Any]:
    """A person's second factors as allauth's two-factor page has them: "totp" and
    "recovery_codes" (one each, if any) and "webauthn" (a list)."""
    factors: dict[str, Any] = {"webauthn": []}
    for authenticator in Authenticator.objects.filter(user_id=user.pk).order_by("created_at"):
        if authenticator.type == Authenticator.Type.WEBAUTHN:
            factors["webauthn"].append(authenticator.wrap())
        else:
            factors[authenticator.type] = authenticator.wrap()
    return factors


@require_GET
def account_hub(request: HttpRequest) -> HttpResponse:
    user = request.user
    membership = membership_or_none(request)
    reasons: list[str] = []
    if membership is not None:
        if membership.can_approve:
            reasons.append(_("Approvers must use two-factor sign-in."))
        if membership.is_administrator:
            reasons.append(_("Administrators must use two-factor sign-in."))
        if membership.body.require_two_factor:
            reasons.append(
                _("%(body)s asks everyone to use two-factor sign-in.")
                % {"body": membership.body.name}
            )
    return render(
        request,
        "inspections/account/hub.html",
        {
            "authenticators": factors_of(user),
            "has_password": user.is_authenticated and user.has_usable_password(),
            # TwoFactorRequiredMiddleware decides; this page explains.
            "setup_needed": getattr(request, "two_factor_setup_needed", False),
            "required_because": reasons,
        },
    )
