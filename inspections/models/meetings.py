"""The body's meetings (accountability boards, the Police and Crime Panel, the joint audit
committee) and each person's private calendar feed of the body's deadlines."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .actions import Forum
from .people import token_digest
from .reference import PolicingBody

CALENDAR_PREFIX = "cal_"


class MeetingQuerySet(models.QuerySet["Meeting"]):
    def held_before(self, day: object) -> MeetingQuerySet:
        return self.filter(held_on__lt=day).order_by("-held_on", "-pk")

    def on_or_after(self, day: object) -> MeetingQuerySet:
        return self.filter(held_on__gte=day).order_by("held_on", "pk")


class Meeting(models.Model):
    """A meeting at which the body holds the force to account. Board packs built for it are
    kept with it, unexpired, as the record of what the meeting saw."""

    body = models.ForeignKey(
        PolicingBody, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("body")
    )
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=30, choices=Forum.choices)
    held_on = models.DateField(_("date"))
    notes = models.TextField(_("notes"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = MeetingQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["-held_on", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["body", "held_on"])]

    def __str__(self) -> str:
        return self.name


class CalendarFeedQuerySet(models.QuerySet["CalendarFeed"]):
    def usable(self) -> CalendarFeedQuerySet:
        """Not revoked, and its owner still active: the one rule for a feed that works."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def matching(self, secret: str) -> CalendarFeedQuerySet:
        return self.filter(digest=token_digest(secret))


class CalendarFeed(models.Model):
    """A person's private iCalendar address. Calendar programs cannot send headers, so
    the secret is in the URL; only its digest is stored, and it is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    body = models.ForeignKey(
        PolicingBody,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("body"),
    )
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last used"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    objects = CalendarFeedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} ({timezone.localtime(self.created_at):%d %B %Y})"

    @staticmethod
    def new_secret() -> str:
        return CALENDAR_PREFIX + secrets.token_urlsafe(32)
