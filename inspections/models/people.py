"""Joining a body: invitations, and the Microsoft Entra ID sign-in a body may use."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import PolicingBody
from .tenancy import Role


def token_digest(token: str) -> str:
    """Invitation links carry a random token; only its digest is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def usable(self) -> InvitationQuerySet:
        """Not yet accepted, not withdrawn and not expired: the one rule for a live link."""
        return self.filter(
            accepted_at__isnull=True, withdrawn_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(models.Model):
    """A single-use link, sent by email, to join a body with a role."""

    body = models.ForeignKey(
        PolicingBody, on_delete=models.CASCADE, related_name="invitations", verbose_name=_("body")
    )
    email = models.EmailField(_("email address"))
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_administrator = models.BooleanField(_("administrator"), default=False)
    job_title = models.CharField(_("job title"), max_length=200, blank=True)
    token_digest = models.CharField(max_length=64, unique=True, editable=False)
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
        verbose_name=_("invited by"),
    )
    created_at = models.DateTimeField(_("sent"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    accepted_at = models.DateTimeField(_("accepted"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
        verbose_name=_("accepted by"),
    )
    withdrawn_at = models.DateTimeField(_("withdrawn"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.body})"


class EntraSignIn(models.Model):
    """A body's Microsoft Entra ID (OpenID Connect) app registration, set by the
    deployment's operator. People from `domains` sign in with Microsoft."""

    body = models.OneToOneField(
        PolicingBody, on_delete=models.CASCADE, related_name="entra", verbose_name=_("body")
    )
    tenant_id = models.CharField(
        _("directory (tenant) ID"),
        max_length=64,
        help_text=_("The GUID of the body's Microsoft Entra tenant."),
    )
    client_id = models.CharField(_("application (client) ID"), max_length=64)
    client_secret = models.CharField(_("client secret"), max_length=256)
    domains = models.TextField(
        _("email domains"),
        help_text=_("The email domains the body owns, one per line, e.g. hampshire-pcc.gov.uk"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)

    class Meta:
        verbose_name = _("Microsoft Entra ID sign-in")
        verbose_name_plural = _("Microsoft Entra ID sign-ins")

    def __str__(self) -> str:
        return f"{self.body} ({self.tenant_id})"

    @property
    def provider_id(self) -> str:
        return f"entra-{self.body.slug}"

    @property
    def domain_list(self) -> list[str]:
        return [
            line.strip().lower().lstrip("@")
            for line in self.domains.replace(",", "\n").splitlines()
            if line.strip()
        ]

    def owns(self, email: str) -> bool:
        """Whether an address belongs to one of the body's domains (exactly, not a suffix)."""
        _local, _at, domain = email.strip().lower().rpartition("@")
        return bool(_at) and domain in self.domain_list
