"""What each person hears about, and how: at once, in the daily digest, or not at all."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .marking import Marking


class NotificationKind(models.TextChoices):
    APPROVAL_REQUESTED = "approval_requested", _("A response is sent for approval")
    RESPONSE_DECIDED = (
        "response_decided",
        _("A response you worked on is approved, returned to draft or published"),
    )
    ACTION_ASSIGNED = "action_assigned", _("You are made the owner of an action")
    ACTION_UPDATED = "action_updated", _("A force contributor posts progress on an action")
    REMINDERS = "reminders", _("Reminders of dates coming up and dates passed")


class Delivery(models.TextChoices):
    IMMEDIATE = "immediate", _("Email me at once")
    DIGEST = "digest", _("In my daily digest")
    NONE = "none", _("Do not email me")


# What a person gets until they choose. Reminders have always come in the daily digest.
DEFAULT_DELIVERY: dict[str, Delivery] = {
    NotificationKind.APPROVAL_REQUESTED: Delivery.IMMEDIATE,
    NotificationKind.RESPONSE_DECIDED: Delivery.IMMEDIATE,
    NotificationKind.ACTION_ASSIGNED: Delivery.IMMEDIATE,
    NotificationKind.ACTION_UPDATED: Delivery.IMMEDIATE,
    NotificationKind.REMINDERS: Delivery.DIGEST,
}


class NotificationPreference(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preferences",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.kind} {self.delivery}"


class Notification(models.Model):
    """One thing a person was told, or will be told in their next digest."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("person"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=NotificationKind.choices)
    subject = models.CharField(_("subject"), max_length=300)
    text = models.TextField(_("text"))
    url = models.CharField(_("link"), max_length=500, blank=True)
    marking = models.CharField(
        _("protective marking"), max_length=20, choices=Marking.choices, default=Marking.OFFICIAL
    )
    delivery = models.CharField(_("delivery"), max_length=20, choices=Delivery.choices)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("emailed"), null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["delivery", "sent_at"])]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")

    def __str__(self) -> str:
        return self.subject
