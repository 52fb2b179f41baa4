"""Getting data in and out: personal API tokens for feeds, uploads waiting to be imported,
and the column mappings a body's trackers use."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import token_digest
from .reference import PolicingBody

TOKEN_PREFIX = "pcc_"


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        """Not revoked, and its owner still active: the one rule for a token that works."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def matching(self, token: str) -> ApiTokenQuerySet:
        return self.filter(digest=token_digest(token))


class ApiToken(models.Model):
    """A personal token that fetches the body's list feeds (CSV) without a browser
    session, with its owner's role. Only its digest is stored; it is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="api_tokens",
        verbose_name=_("person"),
    )
    body = models.ForeignKey(
        PolicingBody, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("body")
    )
    name = models.CharField(_("name"), max_length=100)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("ends with"), max_length=8, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} (…{self.hint})"

    @staticmethod
    def new_secret() -> str:
        return TOKEN_PREFIX + secrets.token_urlsafe(32)

    def set_secret(self, token: str) -> None:
        self.digest = token_digest(token)
        self.hint = token[-4:]


class ImportKind(models.TextChoices):
    RESPONSE = "response", _("Published response")
    FINDINGS = "findings", _("Findings from a report")
    TRACKER = "tracker", _("Tracker spreadsheet")


class ImportUpload(models.Model):
    """A file kept between the steps of an import (upload, map, check, import). Old ones
    are deleted by the daily schedule."""

    body = models.ForeignKey(PolicingBody, on_delete=models.CASCADE, related_name="import_uploads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_uploads"
    )
    kind = models.CharField(max_length=20, choices=ImportKind.choices)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return self.filename


class ImportMapping(models.Model):
    """How the columns of a body's tracker map to fields, remembered by its header row so
    the next import of the same layout is mapped already."""

    body = models.ForeignKey(PolicingBody, on_delete=models.CASCADE, related_name="import_mappings")
    headers_key = models.CharField(max_length=64)  # a digest of the normalised header row
    mapping = models.JSONField(default=dict)  # {column header: field name or ""}
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["body", "headers_key"], name="one_mapping_per_layout")
        ]

    def __str__(self) -> str:
        return self.headers_key
