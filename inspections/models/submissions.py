"""The record that a form was already sent, so sending it twice stores nothing twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SubmissionKey(models.Model):
    """One use of a create form. Each form carries a random key made when it was shown;
    the first submission stores its key with where it led and what it said, inside the
    transaction that creates the record. A second submission with the same key (a
    double click, a resent request) finds it and answers the same, creating nothing.

    Keys belong to a user, so nobody can replay someone else's."""

    key = models.UUIDField(_("key"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="submission_keys",
        verbose_name=_("user"),
    )
    result_url = models.CharField(_("where it led"), max_length=500, blank=True)
    message = models.CharField(_("what it said"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("form submission")
        verbose_name_plural = _("form submissions")
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_submission_per_key"),
        ]

    def __str__(self) -> str:
        return str(self.key)
