"""Board packs: a PDF of the dashboard, overdue items, changes and open actions, built in
the background for one body and kept privately for a set time."""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import PolicingBody


class PackStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Being produced")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


PENDING_PACK_STATUSES = frozenset({PackStatus.QUEUED, PackStatus.RUNNING})


class PackStage(models.TextChoices):
    """What the build is doing, as the progress page says it ("40% - listing open actions")."""

    WAITING = "waiting", _("waiting for the background worker")
    GATHERING = "gathering", _("gathering figures")
    LISTING = "listing", _("listing open actions")
    LAYING_OUT = "laying_out", _("laying out pages")
    WRITING = "writing", _("writing the file")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def pack_path(instance: BoardPack, filename: str) -> str:
    """A random name under the body's folder of the private storage."""
    return f"packs/{instance.body_id}/{uuid.uuid4()}.pdf"


class BoardPack(models.Model):
    """One requested board pack. The file lives in the default storage (MEDIA_ROOT, never
    served directly); only the download view hands it out, to members of its body, until
    it expires."""

    body = models.ForeignKey(
        PolicingBody, on_delete=models.PROTECT, related_name="board_packs", verbose_name=_("body")
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    filters = models.JSONField(
        _("filters"),
        default=dict,
        blank=True,
        help_text=_("The dashboard's filters as submitted (report type, inspectorate, period)."),
    )
    since = models.DateField(_("changes since"))
    meeting = models.ForeignKey(
        "Meeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="board_packs",
        verbose_name=_("meeting"),
        help_text=_("A pack built for a meeting is kept with it and never expires."),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=PackStatus.choices, default=PackStatus.QUEUED
    )
    progress = models.PositiveSmallIntegerField(
        _("progress (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    stage = models.CharField(
        _("stage"), max_length=20, choices=PackStage.choices, default=PackStage.WAITING
    )
    file = models.FileField(_("file"), upload_to=pack_path, max_length=255, blank=True)
    size = models.PositiveBigIntegerField(_("size in bytes"), null=True, blank=True)
    sensitive = models.BooleanField(
        _("OFFICIAL-SENSITIVE"),
        default=False,
        help_text=_("Something in the pack comes from an OFFICIAL-SENSITIVE report or response."),
    )
    error = models.TextField(_("error"), blank=True)
    # A running build touches this as it goes; one silent for too long has lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    expires_at = models.DateTimeField(
        _("expires at"),
        null=True,
        blank=True,
        help_text=_("When the pack and its file are deleted."),
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("board pack")
        verbose_name_plural = _("board packs")
        indexes = [
            models.Index(fields=["body", "-created_at"]),
            models.Index(fields=["expires_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="board_pack_progress_at_most_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.body}: {timezone.localtime(self.created_at):%d %B %Y %H:%M}"

    @property
    def is_pending(self) -> bool:
        return self.status in PENDING_PACK_STATUSES

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return self.expires_at is not None and self.expires_at <= (now or timezone.now())

    def is_downloadable(self, now: dt.datetime | None = None) -> bool:
        return self.status == PackStatus.DONE and bool(self.file) and not self.is_expired(now)

    @property
    def filename(self) -> str:
        """The name a download is saved under, e.g. "board-pack-2026-11-29.pdf"."""
        return f"board-pack-{timezone.localtime(self.created_at):%Y-%m-%d-%H%M}.pdf"
