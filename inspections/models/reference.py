"""Reference data shared by every body: forces, policing bodies, inspectorates, addressees.

Forces and bodies are dated records: PCCs are due to be abolished from 2028 and mergers
are under review, so nothing in code names a particular force or body.
"""

from __future__ import annotations

import datetime as dt
import uuid
from pathlib import PurePath

from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .. import rules


class DatedQuerySet[M: models.Model](models.QuerySet[M]):
    def current(self, on: dt.date | None = None) -> DatedQuerySet[M]:
        on = on or timezone.localdate()
        return self.filter(Q(valid_from__lte=on) | Q(valid_from__isnull=True)).filter(
            Q(valid_to__gte=on) | Q(valid_to__isnull=True)
        )


class Nation(models.TextChoices):
    ENGLAND = "england", _("England")
    WALES = "wales", _("Wales")


class Force(models.Model):
    name = models.CharField(_("name"), max_length=200, unique=True)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    nation = models.CharField(_("nation"), max_length=10, choices=Nation.choices)
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("police force")
        verbose_name_plural = _("police forces")

    def __str__(self) -> str:
        return self.name


def logo_path(instance: PolicingBody, filename: str) -> str:
    """A random name under the body's folder of the private storage; the upload's own name
    is never used."""
    extension = PurePath(filename).suffix.lower()
    return f"logos/{instance.pk}/{uuid.uuid4()}{extension}"


class PolicingBody(models.Model):
    class Kind(models.TextChoices):
        PCC = "pcc", _("Police and Crime Commissioner")
        PFCC = "pfcc", _("Police, Fire and Crime Commissioner")
        MAYOR = "mayor", _("Mayor")
        POLICE_AUTHORITY = "police_authority", _("Police authority")

    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    force = models.ForeignKey(
        Force, on_delete=models.PROTECT, related_name="bodies", verbose_name=_("force")
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # The body's RAG tolerances (docs/domain.md#rag), set by its approvers.
    rag_green_points = models.PositiveSmallIntegerField(
        _("green: at most this many points behind"),
        default=rules.DEFAULT_RAG_TOLERANCES.green,
        validators=[MaxValueValidator(100)],
        help_text=_("An action this far behind its straight line, or less, is green."),
    )
    rag_amber_points = models.PositiveSmallIntegerField(
        _("amber: at most this many points behind"),
        default=rules.DEFAULT_RAG_TOLERANCES.amber,
        validators=[MaxValueValidator(100)],
        help_text=_(
            "Further behind than the green tolerance but no more than this is amber; more is red."
        ),
    )

    require_two_factor = models.BooleanField(
        _("require two-factor sign-in for everyone"),
        default=False,
        help_text=_("Approvers and administrators always need it; this asks it of every member."),
    )

    # Letterhead for the response PDF and the board pack: set by the body's administrators.
    logo = models.FileField(_("logo"), upload_to=logo_path, max_length=255, blank=True)
    logo_content_type = models.CharField(_("logo type"), max_length=40, blank=True)
    office_address = models.TextField(
        _("office address"),
        blank=True,
        help_text=_("Printed under the logo on responses and board packs, one line per line."),
    )

    objects = DatedQuerySet.as_manager()
    history = HistoricalRecords(excluded_fields=["notes"])

    class Meta:
        ordering = ["name"]
        verbose_name = _("policing body")
        verbose_name_plural = _("policing bodies")
        constraints = [
            models.UniqueConstraint(
                fields=["force", "valid_from"], name="one_body_per_force_per_start"
            ),
            models.CheckConstraint(
                condition=models.Q(rag_green_points__lte=models.F("rag_amber_points")),
                name="rag_green_within_amber",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def rag_tolerances(self) -> rules.RagTolerances:
        return rules.RagTolerances(green=self.rag_green_points, amber=self.rag_amber_points)

    @property
    def welsh_language_standards(self) -> bool:
        return self.force.nation == Nation.WALES

    @property
    def office_name(self) -> str:
        """How responses name their author, e.g. "Office of the Police and Crime Commissioner,
        Hampshire and Isle of Wight"."""
        prefix = "Police and Crime Commissioner for "
        if self.kind == self.Kind.PCC and self.name.startswith(prefix):
            return f"Office of the Police and Crime Commissioner, {self.name.removeprefix(prefix)}"
        return self.name


class Inspectorate(models.Model):
    code = models.SlugField(_("code"), max_length=20, unique=True)
    short_name = models.CharField(_("short name"), max_length=40)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["short_name"]
        verbose_name = _("inspectorate")
        verbose_name_plural = _("inspectorates")

    def __str__(self) -> str:
        return self.short_name


class Addressee(models.Model):
    """Who a recommendation is addressed to. `answerable` marks the force and the body:
    s55(5B) requires the body's comments to answer those recommendations."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=200)
    answerable = models.BooleanField(
        _("answered in the body's response"),
        default=False,
        help_text=_("Recommendations to this addressee need an entry in the s55 response."),
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "name"]
        verbose_name = _("addressee")
        verbose_name_plural = _("addressees")

    def __str__(self) -> str:
        return self.name
