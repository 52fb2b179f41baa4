"""The sign-in log: who did what to whose access, and what was refused or exported.

Rows are written once and never changed from the app; `prune_audit_log` deletes rows
older than `AUDIT_RETENTION_DAYS`, the only way any row goes."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import PolicingBody


class AuditKind(models.TextChoices):
    SIGNED_IN = "signed_in", _("Signed in")
    SIGN_IN_FAILED = "sign_in_failed", _("Sign-in failed")
    SIGN_IN_REFUSED = "sign_in_refused", _("Sign-in refused")
    SIGNED_OUT = "signed_out", _("Signed out")
    SESSION_EXPIRED = "session_expired", _("Session expired")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    PASSWORD_RESET = "password_reset", _("Password reset")
    TWO_FACTOR_ADDED = "two_factor_added", _("Two-factor sign-in added")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor sign-in removed")
    INVITED = "invited", _("Invited")
    INVITATION_WITHDRAWN = "invitation_withdrawn", _("Invitation withdrawn")
    INVITATION_ACCEPTED = "invitation_accepted", _("Invitation accepted")
    ROLE_CHANGED = "role_changed", _("Role changed")
    DEACTIVATED = "deactivated", _("Deactivated")
    REACTIVATED = "reactivated", _("Reactivated")
    REFUSED = "refused", _("Request refused")
    EXPORTED = "exported", _("Records exported")
    IMPORTED = "imported", _("Records imported")
    TOKEN_CREATED = "token_created", _("API token created")
    TOKEN_REVOKED = "token_revoked", _("API token revoked")
    TOKEN_USED = "token_used", _("API token used")


class ReadOnlyError(Exception):
    pass


class AuditEvent(models.Model):
    at = models.DateTimeField(_("when (UTC)"), default=timezone.now, db_index=True)
    body = models.ForeignKey(
        PolicingBody,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("body"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("who"),
    )
    username = models.CharField(
        _("username"), max_length=254, blank=True, help_text=_("As given, even if unknown.")
    )
    kind = models.CharField(_("what"), max_length=30, choices=AuditKind.choices)
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    path = models.CharField(_("address requested"), max_length=500, blank=True)
    ip_address = models.GenericIPAddressField(_("from address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["body", "-at"])]
        verbose_name = _("sign-in log entry")
        verbose_name_plural = _("sign-in log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.kind}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ReadOnlyError("The sign-in log is written once and never changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ReadOnlyError("The sign-in log is pruned by age only (prune_audit_log).")
