"""The body's statutory response to a report (Police Act 1996 s55)."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules
from .marking import Marking
from .reference import PolicingBody
from .reports import Finding, FindingKind, InspectionReport


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    COMMENTS_REQUESTED = "comments_requested", _("Chief officer comments requested")
    COMMENTS_RECEIVED = "comments_received", _("Chief officer comments received")
    READY_FOR_APPROVAL = "ready_for_approval", _("Ready for approval")
    APPROVED = "approved", _("Approved")
    PUBLISHED = "published", _("Published")
    COPIES_SENT = "copies_sent", _("Published and copies sent")
    NO_RESPONSE_NEEDED = "no_response_needed", _("No response needed")


PUBLISHED_STATUSES = frozenset({ResponseStatus.PUBLISHED, ResponseStatus.COPIES_SENT})
CLOSED_STATUSES = PUBLISHED_STATUSES | {ResponseStatus.NO_RESPONSE_NEEDED}


class ResponseQuerySet(models.QuerySet["Response"]):
    """The statutory clock in SQL, on the stored `due_on` (null where there is no clock).
    `Response` methods below are the same rules for one row; tests hold them together."""

    def running(self) -> ResponseQuerySet:
        """Open responses with a statutory clock still running."""
        return self.exclude(status__in=CLOSED_STATUSES).filter(due_on__isnull=False)

    def overdue(self, today: dt.date) -> ResponseQuerySet:
        return self.running().filter(due_on__lt=today)

    def due_within(self, days: int, today: dt.date) -> ResponseQuerySet:
        """Open and due between today and `days` days from now, both included."""
        return self.running().filter(due_on__gte=today, due_on__lte=today + dt.timedelta(days=days))

    def awaiting_approval(self) -> ResponseQuerySet:
        """Sent for approval: waiting for one of the body's approvers."""
        return self.filter(status=ResponseStatus.READY_FOR_APPROVAL)

    def published(self) -> ResponseQuerySet:
        return self.filter(status__in=PUBLISHED_STATUSES, published_on__isnull=False)

    def published_on_time(self) -> ResponseQuerySet:
        """Published responses with a clock, published on or before their due date."""
        return self.published().filter(due_on__isnull=False, published_on__lte=F("due_on"))


class Response(models.Model):
    body = models.ForeignKey(
        PolicingBody, on_delete=models.PROTECT, related_name="responses", verbose_name=_("body")
    )
    report = models.ForeignKey(
        InspectionReport,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("report"),
    )
    status = models.CharField(
        _("status"), max_length=30, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    # s55(4): the chief officer is invited to comment by a date the body sets.
    chief_invited_on = models.DateField(_("chief officer invited on"), null=True, blank=True)
    chief_reply_by = models.DateField(_("chief officer reply by"), null=True, blank=True)
    chief_comments_received_on = models.DateField(
        _("chief officer comments received on"), null=True, blank=True
    )
    chief_comments = models.TextField(_("chief officer's comments"), blank=True)
    # s55(5A): any response the body makes to the chief officer's comments is published
    # with them.
    chief_comments_reply = models.TextField(
        _("our response to the chief officer's comments"), blank=True
    )
    comments = models.TextField(_("the body's comments"), blank=True)
    closing_line = models.CharField(
        _("closing line"),
        max_length=500,
        blank=True,
        help_text=_('For example "No recommendations were made for Chief Constables or PCCs."'),
    )
    signatory_name = models.CharField(_("signatory"), max_length=200, blank=True)
    signatory_role = models.CharField(_("signatory's role"), max_length=200, blank=True)
    no_response_reason = models.TextField(
        _("why no response is needed"),
        blank=True,
        help_text=_("For example: the force is not a subject, or a force report covers it."),
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("approved by"),
    )
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    published_on = models.DateField(_("published on"), null=True, blank=True)
    published_url = models.URLField(_("published at"), max_length=500, blank=True)
    copy_to_inspectorate_on = models.DateField(
        _("copy sent to HM Inspectors on"), null=True, blank=True
    )
    copy_to_home_secretary_on = models.DateField(
        _("copy sent to the Home Secretary on"), null=True, blank=True
    )
    marking = models.CharField(
        _("protective marking"), max_length=20, choices=Marking.choices, default=Marking.OFFICIAL
    )
    # Stored so lists and counts filter on a column; set from the report by the services
    # (`InspectionReport.response_due_on`), null where the report has no statutory clock.
    due_on = models.DateField(_("statutory due date"), null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = ResponseQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-report__published_on"]
        indexes = [models.Index(fields=["body", "due_on"])]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.UniqueConstraint(fields=["body", "report"], name="one_response_per_report"),
        ]

    def __str__(self) -> str:
        return f"{self.report.title_with_month}: {self.body}"

    def days_left(self, today: dt.date) -> int | None:
        """Days until the due date; 0 on the last day, negative once overdue."""
        return None if self.due_on is None else (self.due_on - today).days

    def is_closed(self) -> bool:
        return self.status in CLOSED_STATUSES

    def is_overdue(self, today: dt.date) -> bool:
        return self.due_on is not None and not self.is_closed() and today > self.due_on

    def is_due_soon(self, today: dt.date, within_days: int = rules.DUE_SOON_DAYS) -> bool:
        left = self.days_left(today)
        return left is not None and not self.is_closed() and 0 <= left <= within_days

    @property
    def published_late(self) -> bool | None:
        """None until published; then whether publication missed the statutory date."""
        if self.published_on is None or self.due_on is None:
            return None
        return self.published_on > self.due_on

    def recommendation_rows(self) -> list[RecommendationRow]:
        """Each recommendation of the report with its entry, in report order, and whether
        it is still missing. The page and the approval both read this, so they agree.

        Callers should prefetch `report__findings__addressees` and `entries`.
        """
        entries = {entry.finding_id: entry for entry in self.entries.all()}
        return [
            RecommendationRow(finding, entries.get(finding.pk))
            for finding in self.report.findings.all()
            if finding.kind == FindingKind.RECOMMENDATION
        ]

    def missing_findings(self) -> list[Finding]:
        """Answerable recommendations without a complete entry, in report order."""
        return [row.finding for row in self.recommendation_rows() if row.missing]

    def is_complete(self) -> bool:
        """s55(5B): every answerable recommendation has an action taken or proposed, or a
        reason for none."""
        return not self.missing_findings()


@dataclass(frozen=True)
class RecommendationRow:
    finding: Finding
    entry: ResponseEntry | None

    @property
    def answerable(self) -> bool:
        """Addressed to the force or the body, so the s55 comments must answer it."""
        return self.finding.is_answerable()

    @property
    def answered(self) -> bool:
        return self.entry is not None and self.entry.is_complete()

    @property
    def missing(self) -> bool:
        return self.answerable and not self.answered


class ResponseEntry(models.Model):
    class Answer(models.TextChoices):
        TAKEN = "taken", _("Action taken")
        PROPOSED = "proposed", _("Action proposed")
        NONE = "none", _("No action, with the reason")

    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="entries", verbose_name=_("response")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.CASCADE, related_name="entries", verbose_name=_("finding")
    )
    answer = models.CharField(_("answer"), max_length=10, choices=Answer.choices)
    text = models.TextField(_("action or reason"))
    version = models.PositiveIntegerField(_("version"), default=1)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["finding__position", "pk"]
        verbose_name = _("response entry")
        verbose_name_plural = _("response entries")
        constraints = [
            models.UniqueConstraint(fields=["response", "finding"], name="one_entry_per_finding"),
        ]

    def __str__(self) -> str:
        return f"{self.finding}: {self.get_answer_display()}"

    def is_complete(self) -> bool:
        """What counts as answered: an answer chosen and its text written."""
        return bool(self.answer and self.text.strip())


def edition_path(instance: ResponseEdition, filename: str) -> str:
    return f"editions/{instance.response.body_id}/{uuid.uuid4()}.pdf"


class ResponseEdition(models.Model):
    """Exactly what was published, frozen: the public page, the feed and the response PDF
    of a published response come from its latest edition, never from the live rows. A
    correction after publication is a new edition with its reason; none is ever changed.

    `content` holds the published text: title, office, comments, the chief officer's
    comments and the body's reply to them, each entry with the recommendation's text as
    it then stood, the signatory and the closing line (see `services.editions`)."""

    response = models.ForeignKey(
        Response, on_delete=models.PROTECT, related_name="editions", verbose_name=_("response")
    )
    number = models.PositiveIntegerField(_("edition"))
    published_on = models.DateField(_("published on"))
    published_url = models.URLField(_("published at"), max_length=500, blank=True)
    content = models.JSONField(_("what was published"))
    correction_reason = models.TextField(_("reason for the correction"), blank=True)
    pdf = models.FileField(_("PDF"), upload_to=edition_path, max_length=255)
    pdf_sha256 = models.CharField(_("SHA-256 of the PDF"), max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["response", "-number"]
        verbose_name = _("published edition")
        verbose_name_plural = _("published editions")
        constraints = [
            models.UniqueConstraint(fields=["response", "number"], name="one_edition_number"),
        ]

    def __str__(self) -> str:
        return f"{self.response}: edition {self.number}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("A published edition is kept as it was published.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("A published edition is kept as it was published.")

    @property
    def is_correction(self) -> bool:
        return self.number > 1
