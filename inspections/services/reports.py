"""Writes to reports and findings. Keyword-only plain values, one transaction each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any, TypedDict, Unpack

from django.db import models, transaction
from django.db.models import Max

from ..models import (
    Addressee,
    Finding,
    Force,
    InspectionReport,
    Inspectorate,
    InspectorateStatus,
    Marking,
    PolicingBody,
    Response,
)


class ReportChanges(TypedDict, total=False):
    title: str
    reference: str
    report_type: str
    lead_inspectorate: Inspectorate
    partner_inspectorates: Iterable[Inspectorate]
    published_on: dt.date
    url: str
    scope: str
    forces: Iterable[Force]
    summary: str
    marking: str


class FindingChanges(TypedDict, total=False):
    kind: str
    reference: str
    text: str
    addressees: Iterable[Addressee]
    cause_of_concern: Finding | None
    deadline_text: str
    deadline: dt.date | None
    inspectorate_status: str
    force_complete_on: dt.date | None
    body_assured_on: dt.date | None
    assurance_level: str


def _apply(instance: models.Model, changes: dict[str, Any]) -> None:
    """Set the changed fields, save, then the many-to-many ones (which need a saved row,
    and which history records against the row just saved)."""
    m2m = {f.name for f in instance._meta.many_to_many}
    for name, value in changes.items():
        if name not in m2m:
            setattr(instance, name, value)
    instance.save()
    for name, value in changes.items():
        if name in m2m:
            getattr(instance, name).set(value)


@transaction.atomic
def report_create(
    *,
    body: PolicingBody,
    title: str,
    report_type: str,
    lead_inspectorate: Inspectorate,
    published_on: dt.date,
    scope: str,
    reference: str = "",
    partner_inspectorates: Iterable[Inspectorate] = (),
    url: str = "",
    forces: Iterable[Force] = (),
    summary: str = "",
    marking: str = Marking.OFFICIAL,
) -> InspectionReport:
    report = InspectionReport.objects.create(
        body=body,
        title=title,
        reference=reference,
        report_type=report_type,
        lead_inspectorate=lead_inspectorate,
        published_on=published_on,
        url=url,
        scope=scope,
        summary=summary,
        marking=marking,
    )
    report.partner_inspectorates.set(partner_inspectorates)
    report.forces.set(forces)
    return report


@transaction.atomic
def report_update(
    *, report: InspectionReport, **changes: Unpack[ReportChanges]
) -> InspectionReport:
    """A new publication date or type moves the statutory due date of its responses."""
    _apply(report, dict(changes))
    # Not compared with the old values: a bound ModelForm has already set the new ones on
    # the instance it was given, so "before" would look the same as "after".
    if "published_on" in changes or "report_type" in changes:
        Response.objects.filter(report=report).update(due_on=report.response_due_on)
    return report


@transaction.atomic
def finding_create(
    *,
    report: InspectionReport,
    kind: str,
    reference: str,
    text: str,
    addressees: Iterable[Addressee] = (),
    cause_of_concern: Finding | None = None,
    deadline_text: str = "",
    deadline: dt.date | None = None,
    inspectorate_status: str = InspectorateStatus.AWAITING_REVIEW,
    force_complete_on: dt.date | None = None,
    body_assured_on: dt.date | None = None,
    assurance_level: str = "",
) -> Finding:
    """Added at the end of the report's findings."""
    last = report.findings.aggregate(last=Max("position"))["last"]
    finding = Finding.objects.create(
        report=report,
        position=0 if last is None else last + 1,
        kind=kind,
        reference=reference,
        text=text,
        cause_of_concern=cause_of_concern,
        deadline_text=deadline_text,
        deadline=deadline,
        inspectorate_status=inspectorate_status,
        force_complete_on=force_complete_on,
        body_assured_on=body_assured_on,
        assurance_level=assurance_level,
    )
    finding.addressees.set(addressees)
    return finding


@transaction.atomic
def finding_update(*, finding: Finding, **changes: Unpack[FindingChanges]) -> Finding:
    _apply(finding, dict(changes))
    return finding


@transaction.atomic
def finding_move(*, finding: Finding, direction: int) -> None:
    """Swap a finding with its neighbour in the report (-1 up, +1 down)."""
    siblings = list(
        Finding.objects.select_for_update()
        .filter(report_id=finding.report_id)
        .order_by("position", "pk")
    )
    index = next(i for i, f in enumerate(siblings) if f.pk == finding.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    siblings[index], siblings[other] = siblings[other], siblings[index]
    for position, sibling in enumerate(siblings):
        if sibling.position != position:
            sibling.position = position
            sibling.save(update_fields=["position"])


@transaction.atomic
def finding_delete(*, finding: Finding) -> None:
    finding.delete()
