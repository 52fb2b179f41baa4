"""The record of reminder emails: what was sent to whom, so nothing is sent twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .reference import PolicingBody


class ReminderKind(models.TextChoices):
    RESPONSE_OVERDUE = "response_overdue", _("Response overdue")
    CHIEF_REPLY_OVERDUE = "chief_reply_overdue", _("Chief officer's comments overdue")
    RESPONSE_DUE = "response_due", _("Response due soon")
    CHIEF_REPLY_DUE = "chief_reply_due", _("Chief officer's comments due soon")
    ACTION_TARGET_PASSED = "action_target_passed", _("Action target date passed")
    ACTION_TARGET_SOON = "action_target_soon", _("Action target date approaching")


class ReminderSent(models.Model):
    """One reminder in one digest email. The unique (recipient, key) pair is what keeps a
    reminder from going out twice, even when two workers run the job at once."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reminders_sent",
        verbose_name=_("recipient"),
    )
    key = models.CharField(
        _("key"),
        max_length=100,
        help_text=_('The record and threshold, for example "response:12:due-7".'),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    body = models.ForeignKey(
        PolicingBody,
        on_delete=models.PROTECT,
        related_name="reminders_sent",
        verbose_name=_("body"),
    )
    subject_label = models.CharField(_("about"), max_length=500)
    sent_on = models.DateField(_("sent on"))
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-sent_at", "-pk"]
        verbose_name = _("reminder sent")
        verbose_name_plural = _("reminders sent")
        indexes = [
            models.Index(fields=["key"]),
            models.Index(fields=["body", "-sent_on"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "key"], name="one_reminder_per_recipient_and_key"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject_label}: {self.get_kind_display()}"
