"""Microsoft sign-in: the address that picks a body's Entra ID sign-in, and the operator's
admin form for a body's app registration."""

from __future__ import annotations

import re
import uuid
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from ..models import EntraSignIn
from ..services.people import entra_for_invitation, invitation_from_token, normalise_email
from .util import Form, ModelForm

DOMAIN = re.compile(r"(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}")


def entra_for_address(email: str) -> EntraSignIn | None:
    """The enabled Microsoft sign-in of the body that owns this address's domain."""
    for entra in EntraSignIn.objects.filter(enabled=True).select_related("body").order_by("pk"):
        if entra.owns(email):
            return entra
    return None


class EntraSignInForm(Form):
    """Which body's Microsoft sign-in to start: the one that owns the address's domain, or
    the one of the invitation the person followed. `cleaned_data["entra"]` holds it."""

    email = forms.EmailField(
        label=_("Work email address"),
        help_text=_("The address you sign in to Microsoft 365 with."),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "spellcheck": "false"}),
        error_messages={
            "required": _("Enter your work email address"),
            "invalid": _("Enter an email address in the correct format, like name@example.gov.uk"),
        },
    )
    invitation = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "entra-%s")
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        email = cleaned.get("email")
        if not email:
            return cleaned
        email = cleaned["email"] = normalise_email(email)
        token = cleaned.get("invitation") or ""
        invitation = invitation_from_token(token) if token else None
        invited = entra_for_invitation(invitation) if invitation is not None else None
        entra = invited if invited is not None and invited.owns(email) else None
        entra = entra or entra_for_address(email)
        if entra is None:
            self.add_error(
                "email",
                _(
                    "%(domain)s is not set up for Microsoft sign-in. Sign in with your "
                    "username and password, or ask your administrator."
                )
                % {"domain": email.rpartition("@")[2]},
            )
        cleaned["entra"] = entra
        return cleaned


class EntraSignInAdminForm(ModelForm[EntraSignIn]):
    """The operator's form: the secret is typed in and never shown again (left empty, the
    stored one stays); a domain belongs to one body only."""

    client_secret = forms.CharField(
        label=_("Client secret"),
        required=False,
        strip=True,
        max_length=256,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "The secret's value from Certificates & secrets in the app registration. "
            "Leave empty to keep the one stored."
        ),
    )

    class Meta:
        model = EntraSignIn
        fields = ["body", "tenant_id", "client_id", "client_secret", "domains", "enabled"]

    def clean_tenant_id(self) -> str:
        return _guid(self.cleaned_data["tenant_id"], _("directory (tenant) ID"))

    def clean_client_id(self) -> str:
        return _guid(self.cleaned_data["client_id"], _("application (client) ID"))

    def clean_client_secret(self) -> str:
        secret: str = self.cleaned_data.get("client_secret") or ""
        if secret:
            return secret
        if self.instance.pk and self.instance.client_secret:
            return self.instance.client_secret
        raise ValidationError(_("Enter the client secret."))

    def clean_domains(self) -> str:
        domains = [
            line.strip().lower().lstrip("@")
            for line in self.cleaned_data["domains"].replace(",", "\n").splitlines()
            if line.strip()
        ]
        if not domains:
            raise ValidationError(_("Enter at least one email domain."))
        wrong = [domain for domain in domains if not DOMAIN.fullmatch(domain)]
        if wrong:
            raise ValidationError(
                _("These are not email domains: %(domains)s") % {"domains": ", ".join(wrong)}
            )
        others = EntraSignIn.objects.exclude(pk=self.instance.pk).select_related("body")
        for other in others:
            taken = sorted(set(domains) & set(other.domain_list))
            if taken:
                raise ValidationError(
                    _("%(domains)s already belongs to %(body)s.")
                    % {"domains": ", ".join(taken), "body": other.body.name}
                )
        return "\n".join(dict.fromkeys(domains))


def _guid(value: str, name: Any) -> str:
    try:
        return str(uuid.UUID(value.strip()))
    except ValueError:
        raise ValidationError(
            _("Enter the %(name)s as shown in Microsoft Entra, like %(example)s.")
            % {"name": name, "example": "5d3b8e1a-0c4f-4b2a-9f1e-2a7c6d8e9b01"}
        ) from None
