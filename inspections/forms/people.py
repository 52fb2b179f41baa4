"""The team's forms: inviting someone, accepting an invitation, changing a person, and the
body's two-factor requirement."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import Role
from ..services.people import may_administer
from .util import Form

User = get_user_model()

ROLE_HINTS = {
    Role.EDITOR: _("Adds and changes reports, findings, responses and actions."),
    Role.APPROVER: _(
        "Everything an editor does, and approves responses (the commissioner or a "
        "delegate). Needs two-factor sign-in."
    ),
    Role.ANALYST: _("Reads and exports everything of the body; changes nothing."),
    Role.CONTRIBUTOR: _(
        "The force's own staff: sees only the actions they own, and posts progress and "
        "evidence on them."
    ),
}
ROLE_ORDER = [Role.EDITOR, Role.APPROVER, Role.ANALYST, Role.CONTRIBUTOR]


class RoleRadios(forms.RadioSelect):
    """Radios with a GOV.UK hint under each option, linked to it."""

    option_template_name = "inspections/people/widgets/role_option.html"

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        hint = ROLE_HINTS.get(option["value"])
        if hint:
            option["hint"] = hint
            option["hint_id"] = f"{option['attrs']['id']}-hint"
            option["attrs"]["aria-describedby"] = option["hint_id"]
        return option


def role_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Role"),
        choices=[(role.value, role.label) for role in ROLE_ORDER],
        widget=RoleRadios,
        error_messages={"required": _("Choose a role")},
    )


def administrator_field() -> forms.BooleanField:
    return forms.BooleanField(
        label=_("Administrator"),
        required=False,
        help_text=_(
            "Invites people, changes their roles and reads the sign-in log. Administrators "
            "must use two-factor sign-in."
        ),
        # The hint goes under the box's label, as GOV.UK's checkboxes have it.
        template_name="inspections/people/widgets/checkbox_field.html",
    )


def job_title_field() -> forms.CharField:
    return forms.CharField(
        label=_("Job title"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("Job title must be 200 characters or fewer")},
    )


class RoleForm(Form):
    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        role = cleaned.get("role")
        if role and cleaned.get("is_administrator") and not may_administer(role):
            self.add_error(
                "is_administrator",
                _("A force contributor cannot be an administrator: choose another role"),
            )
        return cleaned


class InviteForm(RoleForm):
    email = forms.EmailField(
        label=_("Email address"),
        max_length=254,
        help_text=_("The link to join is sent here. It works once."),
        error_messages={
            "required": _("Enter an email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.org"),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    role = role_field()
    is_administrator = administrator_field()
    job_title = job_title_field()
    # Set once the administrator has been told of an earlier invitation: sending again
    # withdraws it.
    replace = forms.BooleanField(required=False, widget=forms.HiddenInput)


def suggest_username(email: str) -> str:
    """The address's local part, in the characters usernames allow, made unique."""
    local = email.partition("@")[0].lower()
    base = re.sub(r"[^\w.+-]", "", local)[:140] or "user"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}{n}"
    return candidate


class AcceptForm(Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        help_text=_("You sign in with this or your email address. Letters, digits and @ . + - _"),
        error_messages={"required": _("Enter a username")},
        widget=forms.TextInput(
            attrs={"autocomplete": "username", "spellcheck": "false", "autocapitalize": "none"}
        ),
    )
    first_name = forms.CharField(
        label=_("First name"),
        max_length=150,
        error_messages={"required": _("Enter your first name")},
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        error_messages={"required": _("Enter your last name")},
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=_(
            "At least 8 characters. Not a common password, not only digits, and not like "
            "your name or email address."
        ),
        error_messages={"required": _("Enter a password")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirm password"),
        strip=False,
        error_messages={"required": _("Enter the password again")},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email
        self.initial.setdefault("username", suggest_username(email))

    def clean_username(self) -> str:
        username = str(self.cleaned_data["username"]).strip()
        try:
            User.username_validator(username)
        except ValidationError:
            raise ValidationError(
                _("Username can only contain letters, digits and @ . + - _")
            ) from None
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("That username is taken: choose another"))
        return username

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The passwords do not match"))
        elif first:
            candidate = User(
                username=cleaned.get("username", ""),
                email=self.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(first, candidate)
            except ValidationError as error:
                for message in error.messages:
                    self.add_error("password1", message)
        return cleaned


class PersonForm(RoleForm):
    """A member's role, administrator flag and job title. The values the administrator
    started from travel with the form, so a colleague's change meanwhile is refused,
    never overwritten."""

    role = role_field()
    is_administrator = administrator_field()
    job_title = job_title_field()
    seen_role = forms.CharField(widget=forms.HiddenInput, required=False)
    seen_is_administrator = forms.BooleanField(widget=forms.HiddenInput, required=False)
    seen_job_title = forms.CharField(widget=forms.HiddenInput, required=False, strip=False)

    def __init__(self, *args: Any, seen: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, value in seen.items():
            self.initial.setdefault(name, value)
            self.initial.setdefault(f"seen_{name}", value)

    def seen(self) -> dict[str, Any]:
        return {
            "role": self.cleaned_data["seen_role"],
            "is_administrator": self.cleaned_data["seen_is_administrator"],
            "job_title": self.cleaned_data["seen_job_title"],
        }


class TwoFactorPolicyForm(Form):
    require_two_factor = forms.TypedChoiceField(
        choices=[("true", _("Required")), ("false", _("Not required"))],
        coerce=lambda value: value == "true",
        widget=forms.HiddenInput,
    )
