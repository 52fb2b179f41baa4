"""Signal receivers, connected in `InspectionsConfig.ready`: the sign-in log hears about
sign-ins and two-factor changes here. Django and django-allauth announce these only by
signal; each receiver hands over to `services.audit` at once."""

from __future__ import annotations

from typing import Any

from allauth.account.signals import password_changed, password_reset
from allauth.mfa.models import Authenticator
from allauth.mfa.signals import (
    authentication_failed,
    authenticator_added,
    authenticator_removed,
    authenticator_reset,
)
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import AuditKind
from .services import audit

AUTHENTICATORS = {
    Authenticator.Type.TOTP: gettext_lazy("Authenticator app"),
    Authenticator.Type.WEBAUTHN: gettext_lazy("Security key or passkey"),
    Authenticator.Type.RECOVERY_CODES: gettext_lazy("Recovery codes"),
}


def _authenticator(authenticator: Authenticator) -> str:
    label = AUTHENTICATORS.get(authenticator.type, authenticator.type)
    if authenticator.type == Authenticator.Type.WEBAUTHN:
        name = (authenticator.data or {}).get("name")
        if name:
            return f"{label}: {name}"
    return str(label)


@receiver(user_logged_in, dispatch_uid="audit_signed_in")
def on_signed_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if request is not None:
        audit.signed_in(request, user)


@receiver(user_logged_out, dispatch_uid="audit_signed_out")
def on_signed_out(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    audit.signed_out(request, user)


@receiver(user_login_failed, dispatch_uid="audit_sign_in_failed")
def on_sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    # Django has masked the password already; `audit` reads only the username or email.
    audit.sign_in_failed(request, credentials)


@receiver(authentication_failed, dispatch_uid="audit_second_factor_failed")
def on_second_factor_failed(
    sender: Any, request: HttpRequest | None, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    audit.second_factor_failed(request, user, str(authenticator.type))


@receiver(password_changed, dispatch_uid="audit_password_changed")
def on_password_changed(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(AuditKind.PASSWORD_CHANGED, request=request, user=user)


@receiver(password_reset, dispatch_uid="audit_password_reset")
def on_password_reset(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    audit.record(
        AuditKind.PASSWORD_RESET, request=request, user=user, detail=_("With an emailed link")
    )


@receiver(authenticator_added, dispatch_uid="audit_two_factor_added")
def on_authenticator_added(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    audit.record(
        AuditKind.TWO_FACTOR_ADDED,
        request=request,
        user=user,
        detail=_authenticator(authenticator),
    )


@receiver(authenticator_removed, dispatch_uid="audit_two_factor_removed")
def on_authenticator_removed(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    audit.record(
        AuditKind.TWO_FACTOR_REMOVED,
        request=request,
        user=user,
        detail=_authenticator(authenticator),
    )


@receiver(authenticator_reset, dispatch_uid="audit_two_factor_reset")
def on_authenticator_reset(
    sender: Any, request: HttpRequest, user: Any, authenticator: Authenticator, **kwargs: Any
) -> None:
    # New recovery codes: the old ones stop working, so it is a change to the second factor.
    audit.record(
        AuditKind.TWO_FACTOR_ADDED,
        request=request,
        user=user,
        detail=_("%(authenticator)s, new set (the old ones no longer work)")
        % {"authenticator": _authenticator(authenticator)},
    )
