"""An action's status, apart from the action itself: findings ask whether every action
serving them is done (`FindingQuerySet.actions_all_complete`), and the action imports
the finding, so the statuses live below both."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    PENDING_SIGN_OFF = "pending_sign_off", _("Pending sign-off")
    COMPLETE = "complete", _("Complete")
    NOT_ADOPTED = "not_adopted", _("Not adopted")


OPEN_ACTION_STATUSES = frozenset(
    {ActionStatus.NOT_STARTED, ActionStatus.IN_PROGRESS, ActionStatus.PENDING_SIGN_OFF}
)
