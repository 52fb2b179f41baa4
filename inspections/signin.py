"""How django-allauth fits this app: nobody signs up by themselves (people join a body by
invitation), sign-in links use SITE_URL, people who must use two-factor sign-in keep it,
and allauth's forms speak GOV.UK. Microsoft Entra ID sign-in is in `inspections.entra`."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import quote

from allauth.account import app_settings as account_settings
from allauth.account import forms as account_forms
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from allauth.account.models import EmailAddress
from allauth.core import context as allauth_context
from allauth.mfa.adapter import DefaultMFAAdapter
from allauth.mfa.base import forms as mfa_forms
from allauth.mfa.models import Authenticator
from allauth.mfa.totp import forms as totp_forms
from django import forms
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from .models import Membership
from .two_factor import FACTOR_TYPES

# One answer for a wrong username, a wrong email address and a wrong password, known
# account or not; the same for too many attempts.
WRONG_SIGN_IN = _("The username, email address or password is not right.")


class AccountAdapter(DefaultAccountAdapter):  # type: ignore[misc]
    error_messages = {
        **DefaultAccountAdapter.error_messages,
        "username_password_mismatch": WRONG_SIGN_IN,
        "email_password_mismatch": WRONG_SIGN_IN,
        "phone_password_mismatch": WRONG_SIGN_IN,
        "too_many_login_attempts": _(
            "There have been too many failed attempts to sign in with this username or "
            "email address. Try again in 15 minutes, reset your password, or sign in with "
            "a passkey."
        ),
        "incorrect_password": _("The password is not right."),
        "enter_current_password": _("Enter your current password."),
        "rate_limited": _("Too many attempts. Wait a minute and try again."),
    }

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return False  # people join by invitation (inspections.services.people)

    def is_reauthentication_required(self, *, app: str, **kwargs: Any) -> bool:
        """Changing how you sign in asks who you are first, unless you signed in within
        ACCOUNT_REAUTHENTICATION_TIMEOUT (5 minutes): so someone sent to set up two-factor
        sign-in straight after signing in is not asked for their password twice."""
        if not super().is_reauthentication_required(app=app, **kwargs):
            return False
        request = allauth_context.request
        if request is None or not request.user.is_authenticated:
            return True
        steps = get_authentication_records(request, request.user)
        timeout = account_settings.REAUTHENTICATION_TIMEOUT
        return not any(time.time() - float(step.get("at", 0)) < timeout for step in steps)

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("account")

    def get_reset_password_from_key_url(self, key: str) -> str:
        """The link in the password reset email, on SITE_URL: behind a proxy the
        request's own host and scheme may not be the ones people use."""
        path = reverse(
            "account_reset_password_from_key", kwargs={"uidb36": "UID", "key": "KEY"}
        ).replace("UID-KEY", quote(key))
        return f"{settings.SITE_URL.rstrip('/')}{path}"

    def send_mail(self, template_prefix: str, email: str, context: dict[str, Any]) -> None:
        super().send_mail(template_prefix, email, {"site_url": settings.SITE_URL, **context})

    def send_notification_mail(
        self,
        template_prefix: str,
        user: AbstractBaseUser,
        context: dict[str, Any] | None = None,
        email: str | None = None,
    ) -> None:
        # Our notifications greet the person by name.
        super().send_notification_mail(
            template_prefix, user, {"user": user, **(context or {})}, email
        )

    def send_password_reset_mail(
        self, user: AbstractBaseUser, email: str, context: dict[str, Any]
    ) -> None:
        # Someone who signs in with Microsoft has no password here to reset; the page
        # says the same whatever happens, so this tells nobody anything.
        if user.has_usable_password():
            super().send_password_reset_mail(user, email, context)

    def set_password(self, user: AbstractBaseUser, password: str) -> None:
        """A new password (reset by email, or changed) proves the person: it lifts the
        sign-in lock on their username and addresses. allauth lifts it only on the
        email addresses, and only after a reset."""
        super().set_password(user, password)
        request = allauth_context.request
        if request is None:
            return
        self._delete_login_attempts_cached_email(request, username=user.get_username())
        addresses = set(
            EmailAddress.objects.filter(user_id=user.pk).values_list("email", flat=True)
        )
        addresses.add(getattr(user, "email", "") or "")
        for address in addresses - {""}:
            self._delete_login_attempts_cached_email(request, email=address)


class MFAAdapter(DefaultMFAAdapter):  # type: ignore[misc]
    error_messages = {
        **DefaultMFAAdapter.error_messages,
        "incorrect_code": _(
            "The code is not right. Enter the code your authenticator app shows now, or "
            "one of your recovery codes that you have not used."
        ),
        "cannot_delete_authenticator": _(
            "You cannot turn this off: you must use two-factor sign-in. Add a passkey "
            "first, then turn off the authenticator app."
        ),
    }

    def generate_authenticator_name(self, user: AbstractBaseUser, type: str) -> str:
        count = Authenticator.objects.filter(user_id=user.pk, type=type).count()
        return str(_("Passkey %(number)d") % {"number": count + 1})

    def can_delete_authenticator(self, authenticator: Authenticator) -> bool:
        """Someone who must use two-factor sign-in keeps at least one second factor."""
        membership = (
            Membership.objects.select_related("body").filter(user_id=authenticator.user_id).first()
        )
        if membership is None or not membership.must_use_two_factor:
            return True
        return bool(
            Authenticator.objects.filter(user_id=authenticator.user_id, type__in=FACTOR_TYPES)
            .exclude(pk=authenticator.pk)
            .exists()
        )


# --- allauth's forms with GOV.UK's messages -----------------------------------------------


class GovUKMessages(forms.Form):
    """GOV.UK's error messages ("Enter your password") for an allauth form's fields, and
    no placeholders (GOV.UK forms do not use them)."""

    messages: dict[str, dict[str, StrOrPromise]] = {}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            field.widget.attrs.pop("placeholder", None)
            field.error_messages.update(self.messages.get(name, {}))


NEW_PASSWORD_MESSAGES: dict[str, dict[str, StrOrPromise]] = {
    "password1": {"required": _("Enter a new password")},
    "password2": {"required": _("Type the new password again")},
}
CODE_MESSAGES: dict[str, dict[str, StrOrPromise]] = {
    "code": {"required": _("Enter the code from your authenticator app")}
}


class PasswordChangeForm(GovUKMessages, account_forms.ChangePasswordForm):  # type: ignore[misc]
    messages = {
        "oldpassword": {"required": _("Enter your current password")},
        **NEW_PASSWORD_MESSAGES,
    }


class PasswordResetForm(GovUKMessages, account_forms.ResetPasswordForm):  # type: ignore[misc]
    messages = {
        "email": {
            "required": _("Enter your email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.com"),
        }
    }


class NewPasswordForm(GovUKMessages, account_forms.ResetPasswordKeyForm):  # type: ignore[misc]
    messages = NEW_PASSWORD_MESSAGES


class PasswordConfirmForm(GovUKMessages, account_forms.ReauthenticateForm):  # type: ignore[misc]
    messages = {"password": {"required": _("Enter your password")}}


class CodeForm(GovUKMessages, mfa_forms.AuthenticateForm):  # type: ignore[misc]
    messages = CODE_MESSAGES


class CodeConfirmForm(GovUKMessages, mfa_forms.ReauthenticateForm):  # type: ignore[misc]
    messages = CODE_MESSAGES


class TOTPActivateForm(GovUKMessages, totp_forms.ActivateTOTPForm):  # type: ignore[misc]
    messages = CODE_MESSAGES
