"""Assurance actions: how the body seeks assurance that the force acts on findings."""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models.lookups import LessThanOrEqual
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules
from .reference import PolicingBody
from .reports import AssuranceLevel, Finding
from .responses import Response
from .statuses import OPEN_ACTION_STATUSES, ActionStatus


class Forum(models.TextChoices):
    ACCOUNTABILITY_BOARD = "accountability_board", _("Accountability board")
    POLICE_AND_CRIME_PANEL = "police_and_crime_panel", _("Police and Crime Panel")
    JOINT_AUDIT_COMMITTEE = "joint_audit_committee", _("Joint audit committee")
    OTHER = "other", _("Other meeting")


class DayNumber(models.Func):
    """A date as a whole number of days, so the RAG rule's straight line is integer
    arithmetic in SQL on SQLite and PostgreSQL alike."""

    output_field = models.IntegerField()

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="CAST(julianday(%(expressions)s) AS INTEGER)", **extra
        )

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler, connection, template="((%(expressions)s)::date - DATE '2000-01-01')", **extra
        )


class AssuranceActionQuerySet(models.QuerySet["AssuranceAction"]):
    def open(self) -> AssuranceActionQuerySet:
        return self.filter(status__in=OPEN_ACTION_STATUSES)

    def with_rag(self, today: dt.date, tolerances: rules.RagTolerances) -> AssuranceActionQuerySet:
        """Annotates `rag_colour`: `rules.rag` written in SQL, so lists filter and the
        dashboard counts without loading every action. Tested against `rules.rag` on the
        same rows (tests/test_one_home.py)."""

        def whole(expression: Any) -> Any:
            return models.ExpressionWrapper(expression, output_field=models.IntegerField())

        start, target = DayNumber("start_on"), DayNumber("target_on")
        now = DayNumber(models.Value(today, output_field=models.DateField()))
        elapsed, span = whole(now - start), whole(target - start)
        # Points behind = 100 * elapsed / span - percent; times span (> 0 here) to stay whole.
        behind_times_span = whole(elapsed * 100 - models.F("percent_complete") * span)
        return self.annotate(
            rag_on=models.Value(today, output_field=models.DateField()),
            rag_colour=models.Case(
                models.When(status=ActionStatus.COMPLETE, then=models.Value(rules.Rag.BLUE)),
                models.When(status=ActionStatus.NOT_ADOPTED, then=models.Value(rules.Rag.GREY)),
                models.When(target_on__lt=today, then=models.Value(rules.Rag.RED)),
                models.When(start_on__gte=today, then=models.Value(rules.Rag.GREEN)),
                models.When(
                    LessThanOrEqual(behind_times_span, whole(span * tolerances.green)),
                    then=models.Value(rules.Rag.GREEN),
                ),
                models.When(
                    LessThanOrEqual(behind_times_span, whole(span * tolerances.amber)),
                    then=models.Value(rules.Rag.AMBER),
                ),
                default=models.Value(rules.Rag.RED),
                output_field=models.CharField(),
            ),
        )


class AssuranceAction(models.Model):
    body = models.ForeignKey(
        PolicingBody, on_delete=models.PROTECT, related_name="actions", verbose_name=_("body")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner"),
        help_text=_("Who in the office follows it up. Empty means awaiting allocation."),
    )
    force_lead = models.CharField(
        _("force lead"),
        max_length=200,
        blank=True,
        help_text=_("Who in the force delivers it, for example an assistant chief constable."),
    )
    start_on = models.DateField(_("start date"))
    target_on = models.DateField(_("target date"))
    # Slippage: the target first agreed, and how many times it has moved later since. Every
    # change is a TargetChange row; these two keep lists and sorting free of a join.
    original_target_on = models.DateField(_("original target date"), null=True, blank=True)
    slip_count = models.PositiveSmallIntegerField(_("times the target moved later"), default=0)
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete"), default=0, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )
    completed_on = models.DateField(_("completed on"), null=True, blank=True)
    assurance_level = models.CharField(
        _("assurance level"), max_length=20, choices=AssuranceLevel.choices, blank=True
    )
    assurance_evidence = models.TextField(_("evidence of assurance"), blank=True)
    forum = models.CharField(
        _("where it is discussed"), max_length=30, choices=Forum.choices, blank=True
    )
    findings = models.ManyToManyField(
        Finding, blank=True, related_name="actions", verbose_name=_("findings it serves")
    )
    response = models.ForeignKey(
        Response,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("response it serves"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = AssuranceActionQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[findings])

    class Meta:
        ordering = ["target_on", "pk"]
        verbose_name = _("assurance action")
        verbose_name_plural = _("assurance actions")
        indexes = [models.Index(fields=["body", "status", "target_on"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(target_on__gte=models.F("start_on")),
                name="action_target_not_before_start",
                violation_error_message=_("The target date cannot be before the start date."),
            ),
            models.CheckConstraint(
                condition=models.Q(percent_complete__lte=100),
                name="action_percent_at_most_100",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.original_target_on is None:
            self.original_target_on = self.target_on
        super().save(*args, **kwargs)

    def rag(
        self, today: dt.date | None = None, tolerances: rules.RagTolerances | None = None
    ) -> rules.Rag:
        """The RAG colour on a day (today by default) by the body's tolerances; the
        `rag_colour` that `with_rag` worked out in SQL where it did so for that day."""
        today = today or timezone.localdate()
        if getattr(self, "rag_on", None) == today and tolerances is None:
            return rules.Rag(self.rag_colour)  # type: ignore[attr-defined]
        if tolerances is None:
            tolerances = (
                self.body.rag_tolerances
                if self.body_id is not None
                else rules.DEFAULT_RAG_TOLERANCES
            )
        return rules.rag(
            tolerances=tolerances,
            complete=self.status == ActionStatus.COMPLETE,
            not_adopted=self.status == ActionStatus.NOT_ADOPTED,
            percent_complete=self.percent_complete,
            start_on=self.start_on,
            target_on=self.target_on,
            today=today or timezone.localdate(),
        )

    def is_open(self) -> bool:
        return self.status in OPEN_ACTION_STATUSES

    @property
    def slip_days(self) -> int:
        """How many days later than first agreed the target now is (never negative): a
        move earlier brings it back, and an action brought forward has not slipped."""
        if self.original_target_on is None:
            return 0
        return max(0, (self.target_on - self.original_target_on).days)

    def move_target(
        self, to_on: dt.date, *, reason: str, by: Any, at: dt.datetime | None = None
    ) -> TargetChange:
        """The one rule for moving the target date (docs/domain.md#slippage): it needs a
        reason; the change keeps from, to, who, when and why; a move later adds one to
        `slip_count`, a move earlier does not (and `slip_days` shrinks with it). Sets the
        new target on this instance and returns the change unsaved: the caller saves both
        (`services.actions.action_update`, in one transaction; the scale generator in
        bulk). TargetReasonNeeded without a reason; ValueError if the date is the same."""
        if to_on == self.target_on:
            raise ValueError("The target date is not changing.")
        reason = reason.strip()
        if not reason:
            raise TargetReasonNeeded("Moving the target date needs a reason.")
        if self.original_target_on is None:
            self.original_target_on = self.target_on
        change = TargetChange(
            action=self,
            from_on=self.target_on,
            to_on=to_on,
            reason=reason,
            changed_by=by,
            changed_at=at or timezone.now(),
        )
        if to_on > self.target_on:
            self.slip_count += 1
        self.target_on = to_on
        return change


class TargetReasonNeeded(ValueError):
    """A change of an action's target date was asked for without a reason."""


class TargetChange(models.Model):
    """One move of an action's target date: from, to, who, when and why. Kept as written."""

    action = models.ForeignKey(
        AssuranceAction,
        on_delete=models.CASCADE,
        related_name="target_changes",
        verbose_name=_("action"),
    )
    from_on = models.DateField(_("from"))
    to_on = models.DateField(_("to"))
    reason = models.TextField(_("reason"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("changed by"),
    )
    changed_at = models.DateTimeField(_("changed at"), default=timezone.now)

    class Meta:
        ordering = ["-changed_at", "-pk"]
        verbose_name = _("target date change")
        verbose_name_plural = _("target date changes")
        indexes = [models.Index(fields=["action", "-changed_at"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.from_on:%d %B %Y} to {self.to_on:%d %B %Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Target date changes are kept as written and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Target date changes are kept as written and cannot be deleted.")

    @property
    def later(self) -> bool:
        """A move later: what `slip_count` counts."""
        return self.to_on > self.from_on

    @property
    def days_moved(self) -> int:
        """How many days the target moved, later or earlier."""
        return abs((self.to_on - self.from_on).days)


class ProgressUpdate(models.Model):
    """A dated, authored note on an action. Kept as written: never edited or deleted."""

    action = models.ForeignKey(
        AssuranceAction, on_delete=models.CASCADE, related_name="updates", verbose_name=_("action")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    written_at = models.DateTimeField(_("written at"), default=timezone.now)
    text = models.TextField(_("update"))
    percent_complete = models.PositiveSmallIntegerField(
        _("percent complete then"), null=True, blank=True, validators=[MaxValueValidator(100)]
    )
    status = models.CharField(
        _("status then"), max_length=20, choices=ActionStatus.choices, blank=True
    )

    class Meta:
        ordering = ["-written_at", "-pk"]
        verbose_name = _("progress update")
        verbose_name_plural = _("progress updates")
        indexes = [models.Index(fields=["action", "-written_at"])]

    def __str__(self) -> str:
        return f"{self.action}: {self.written_at:%d %B %Y}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValueError("Progress updates are kept as written and cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("Progress updates are kept as written and cannot be deleted.")


def evidence_path(instance: Evidence, filename: str) -> str:
    """A random name under the body's folder: the user's file name is kept in the row,
    never in the path, so it cannot collide, traverse or reveal anything."""
    extension = PurePath(filename).suffix.lower()
    return f"evidence/{instance.action.body_id}/{uuid.uuid4()}{extension}"


class Evidence(models.Model):
    """A file that shows progress on an action. Stored privately (MEDIA_ROOT is never
    served); only the download view hands it out, to members of the action's body."""

    action = models.ForeignKey(
        AssuranceAction,
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("action"),
    )
    file = models.FileField(_("file"), upload_to=evidence_path, max_length=255)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size in bytes"))
    description = models.CharField(_("description"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name
