"""Inspection reports as a body logs them, with their PEEL grades and findings."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules
from .marking import Marking
from .reference import Addressee, Force, Inspectorate, PolicingBody
from .statuses import OPEN_ACTION_STATUSES, ActionStatus


class ReportType(models.TextChoices):
    PEEL = "peel", _("PEEL assessment")
    NATIONAL_THEMATIC = "national_thematic", _("National thematic")
    JOINT = "joint", _("Joint inspection")
    FORCE = "force", _("Force-specific inspection")
    REVISIT = "revisit", _("Revisit")
    FIRE = "fire", _("Fire and rescue inspection")

    @property
    def has_statutory_clock(self) -> bool:
        """The one home of "which reports have a clock": no comparable comment duty was
        found for fire and rescue reports (docs/domain.md), so they have none."""
        return self is not ReportType.FIRE


class Scope(models.TextChoices):
    NATIONAL = "national", _("National")
    FORCES = "forces", _("Named forces")


class InspectionReport(models.Model):
    body = models.ForeignKey(
        PolicingBody, on_delete=models.PROTECT, related_name="reports", verbose_name=_("body")
    )
    title = models.CharField(_("title"), max_length=400)
    reference = models.CharField(
        _("reference"),
        max_length=100,
        blank=True,
        help_text=_("The inspectorate's or your own reference, for example an ISBN."),
    )
    report_type = models.CharField(_("type"), max_length=20, choices=ReportType.choices)
    lead_inspectorate = models.ForeignKey(
        Inspectorate,
        on_delete=models.PROTECT,
        related_name="led_reports",
        verbose_name=_("lead inspectorate"),
    )
    partner_inspectorates = models.ManyToManyField(
        Inspectorate,
        blank=True,
        related_name="partner_reports",
        verbose_name=_("partner inspectorates"),
    )
    published_on = models.DateField(_("publication date"))
    url = models.URLField(_("link to the report"), max_length=500, blank=True)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    forces = models.ManyToManyField(
        Force, blank=True, related_name="reports", verbose_name=_("forces in scope")
    )
    summary = models.TextField(_("summary"), blank=True)
    marking = models.CharField(
        _("protective marking"), max_length=20, choices=Marking.choices, default=Marking.OFFICIAL
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    history = HistoricalRecords(m2m_fields=[partner_inspectorates, forces])

    class Meta:
        ordering = ["-published_on", "title"]
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")
        indexes = [models.Index(fields=["body", "-published_on"])]

    def __str__(self) -> str:
        return self.title

    @property
    def has_statutory_clock(self) -> bool:
        return ReportType(self.report_type).has_statutory_clock

    @property
    def response_due_on(self) -> dt.date | None:
        """The last day to publish the s55 response, or None where there is no clock."""
        if not self.has_statutory_clock:
            return None
        return rules.statutory_due_date(self.published_on)

    @property
    def title_with_month(self) -> str:
        """As published responses head it: "... (July 2023)"."""
        return f"{self.title} ({self.published_on:%B %Y})"


class PeelGrade(models.Model):
    class Grade(models.TextChoices):
        OUTSTANDING = "outstanding", _("Outstanding")
        GOOD = "good", _("Good")
        ADEQUATE = "adequate", _("Adequate")
        REQUIRES_IMPROVEMENT = "requires_improvement", _("Requires improvement")
        INADEQUATE = "inadequate", _("Inadequate")

    report = models.ForeignKey(
        InspectionReport, on_delete=models.CASCADE, related_name="grades", verbose_name=_("report")
    )
    area = models.CharField(_("area"), max_length=200)
    grade = models.CharField(_("grade"), max_length=30, choices=Grade.choices)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("PEEL grade")
        verbose_name_plural = _("PEEL grades")
        constraints = [
            models.UniqueConstraint(fields=["report", "area"], name="one_grade_per_area"),
        ]

    def __str__(self) -> str:
        return f"{self.area}: {self.get_grade_display()}"


class FindingKind(models.TextChoices):
    RECOMMENDATION = "recommendation", _("Recommendation")
    CAUSE_OF_CONCERN = "cause_of_concern", _("Cause of concern")
    AREA_FOR_IMPROVEMENT = "area_for_improvement", _("Area for improvement")
    INNOVATIVE_PRACTICE = "innovative_practice", _("Innovative practice")


class InspectorateStatus(models.TextChoices):
    AWAITING_REVIEW = "awaiting_review", _("Awaiting review")
    BEING_PROGRESSED = "being_progressed", _("Being progressed")
    COMPLETE = "complete", _("Complete")
    NO_FURTHER_ACTION = "no_further_action", _("No further action needed")
    SUPERSEDED = "superseded", _("Superseded")

    @classmethod
    def done(cls) -> frozenset[InspectorateStatus]:
        """Statuses that close a finding from the inspectorate's side."""
        return frozenset({cls.COMPLETE, cls.NO_FURTHER_ACTION, cls.SUPERSEDED})


class AssuranceLevel(models.TextChoices):
    SUBSTANTIAL = "substantial", _("Substantial")
    REASONABLE = "reasonable", _("Reasonable")
    LIMITED = "limited", _("Limited")
    NONE = "none", _("No assurance")


def inspectorate_done() -> models.Q:
    return models.Q(inspectorate_status__in=InspectorateStatus.done())


class FindingQuerySet(models.QuerySet["Finding"]):
    def inspectorate_done(self) -> FindingQuerySet:
        return self.filter(inspectorate_done())

    def open(self) -> FindingQuerySet:
        """Open: neither the force nor the body has closed it, nor the inspectorate.
        The same rule as `Finding.is_open`."""
        return self.filter(force_complete_on__isnull=True, body_assured_on__isnull=True).exclude(
            inspectorate_done()
        )

    def _addressed_only_to_others(self) -> models.Q:
        """A recommendation with at least one addressee, none of them answerable (the
        College of Policing, the Home Office, the NPCC...): tracked, not the force's work."""
        through = self.model.addressees.through
        mine = through.objects.filter(finding_id=models.OuterRef("pk"))
        return models.Q(
            models.Exists(mine),
            ~models.Exists(mine.filter(addressee__answerable=True)),
            kind=FindingKind.RECOMMENDATION,
        )

    def force_work(self) -> FindingQuerySet:
        """Findings the force must act on: all but recommendations addressed only to
        others and innovative practice (noted, nothing to do). The dashboard's open
        findings, trends and breakdown by report count these."""
        return self.exclude(self._addressed_only_to_others()).exclude(
            kind=FindingKind.INNOVATIVE_PRACTICE
        )

    def addressed_to_others(self) -> FindingQuerySet:
        """Recommendations addressed only to others (tracked, not the force's work)."""
        return self.filter(self._addressed_only_to_others())

    def actions_all_complete(self) -> FindingQuerySet:
        """Findings served by at least one complete action, every other action serving
        them being complete or not adopted: the force can say it is complete."""
        through = self.model.actions.through
        served = through.objects.filter(finding_id=models.OuterRef("pk"))
        return self.filter(
            models.Exists(served.filter(assuranceaction__status=ActionStatus.COMPLETE)),
            ~models.Exists(served.filter(assuranceaction__status__in=OPEN_ACTION_STATUSES)),
        )

    def with_closure_prompt(self) -> FindingQuerySet:
        """Annotates `actions_done` (`actions_all_complete`, per row) so a page can prompt
        to record the force's word or the body's assurance."""
        done = self.model.objects.actions_all_complete().filter(pk=models.OuterRef("pk"))
        return self.annotate(actions_done=models.Exists(done))

    def ready_for_force_complete(self) -> FindingQuerySet:
        """Every action done and the force not yet recorded as saying so."""
        return self.actions_all_complete().filter(force_complete_on__isnull=True)

    def awaiting_assurance(self) -> FindingQuerySet:
        """The force says complete; the body has not yet recorded its assurance."""
        return self.filter(force_complete_on__isnull=False, body_assured_on__isnull=True)


class Finding(models.Model):
    report = models.ForeignKey(
        InspectionReport,
        on_delete=models.CASCADE,
        related_name="findings",
        verbose_name=_("report"),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=FindingKind.choices)
    reference = models.CharField(
        _("reference in the report"),
        max_length=100,
        help_text=_('As the report numbers it, for example "Recommendation 19".'),
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    text = models.TextField(_("text"))
    cause_of_concern = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="recommendations",
        limit_choices_to={"kind": FindingKind.CAUSE_OF_CONCERN},
        verbose_name=_("cause of concern"),
        help_text=_("For a recommendation that answers a cause of concern."),
    )
    addressees = models.ManyToManyField(
        Addressee, blank=True, related_name="findings", verbose_name=_("addressed to")
    )
    deadline_text = models.CharField(
        _("deadline as written"),
        max_length=200,
        blank=True,
        help_text=_('For example "within six months".'),
    )
    deadline = models.DateField(_("deadline"), null=True, blank=True)
    inspectorate_status = models.CharField(
        _("inspectorate status"),
        max_length=30,
        choices=InspectorateStatus.choices,
        default=InspectorateStatus.AWAITING_REVIEW,
    )
    # Closure is three separate facts (docs/domain.md#open-findings): the force, the body,
    # the inspectorate.
    force_complete_on = models.DateField(_("force reported complete on"), null=True, blank=True)
    body_assured_on = models.DateField(_("body assured on"), null=True, blank=True)
    assurance_level = models.CharField(
        _("assurance level"), max_length=20, choices=AssuranceLevel.choices, blank=True
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = FindingQuerySet.as_manager()
    history = HistoricalRecords(m2m_fields=[addressees])

    class Meta:
        ordering = ["report", "position", "pk"]
        verbose_name = _("finding")
        verbose_name_plural = _("findings")
        constraints = [
            models.UniqueConstraint(
                fields=["report", "reference"],
                name="one_finding_per_reference",
                violation_error_message=_("This report already has a finding with that reference."),
            ),
            # Moves park a finding at a free position first (services.reports.finding_move),
            # so two findings never share a place, even for a moment.
            models.UniqueConstraint(fields=["report", "position"], name="one_finding_per_position"),
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def inspectorate_complete(self) -> bool:
        return self.inspectorate_status in InspectorateStatus.done()

    def is_open(self) -> bool:
        return (
            self.force_complete_on is None
            and self.body_assured_on is None
            and not self.inspectorate_complete
        )

    def is_answerable(self) -> bool:
        """Uses prefetched addressees when present."""
        return self.kind == FindingKind.RECOMMENDATION and any(
            a.answerable for a in self.addressees.all()
        )
