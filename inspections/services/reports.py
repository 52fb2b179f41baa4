"""Writes to reports and findings. Keyword-only plain values, one transaction each.

A finding added, changed or removed under a response sent for approval, or approved,
takes that response back to draft, with the reason (`change_reason`) in its history
(`responses.responses_reopen_for_findings`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, Unpack

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from ..models import (
    Addressee,
    Finding,
    FindingKind,
    Force,
    InspectionReport,
    Inspectorate,
    InspectorateStatus,
    Marking,
    PolicingBody,
    Response,
    Scope,
)
from .merging import EditConflict, merge, note_kept
from .responses import responses_reopen_for_findings

__all__ = [
    "EditConflict",
    "FindingChanges",
    "FindingReferenceTaken",
    "ReportChanges",
    "finding_create",
    "finding_delete",
    "finding_move",
    "finding_update",
    "report_create",
    "report_update",
]


class FindingReferenceTaken(Exception):
    """Another finding of the report has this reference (one was added at the same
    moment: the form checks first, the database's constraint decides)."""

    def __init__(self, reference: str) -> None:
        super().__init__(reference)
        self.reference = reference


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


def _apply(instance: InspectionReport | Finding, changes: Mapping[str, Any]) -> None:
    """Set the changed fields, move the version on, save, then the many-to-many ones
    (which need a saved row, and which history records against the version just saved)."""
    m2m = {f.name for f in instance._meta.many_to_many}
    for name, value in changes.items():
        if name not in m2m:
            setattr(instance, name, value)
    instance.version += 1
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


def _report_rules_broken(values: Mapping[str, Any]) -> list[str]:
    """What ReportForm checks, for values a merge put together."""
    broken = []
    lead, partners = values.get("lead_inspectorate"), values.get("partner_inspectorates")
    if lead is not None and partners is not None and lead in list(partners):
        broken += ["lead_inspectorate", "partner_inspectorates"]
    if values.get("scope") == Scope.FORCES and not list(values.get("forces") or ()):
        broken += ["scope", "forces"]
    return broken


@transaction.atomic
def report_update(
    *, report: InspectionReport, version: int, **changes: Unpack[ReportChanges]
) -> InspectionReport:
    """Saves the user's changes made on `version`, merged with any saved since
    (`services.merging`); EditConflict if both changed the same field. A new publication
    date or type moves the statutory due date of its responses."""
    result = merge(InspectionReport, report.pk, version, dict(changes), check=_report_rules_broken)
    if result.conflicts:
        raise EditConflict(result)
    current = result.current
    due_before = current.response_due_on
    _apply(current, result.merged)
    if current.response_due_on != due_before:
        Response.objects.filter(report=current).update(due_on=current.response_due_on)
    note_kept(current, result)
    return current


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
    change_reason: str = "",
) -> Finding:
    """Added at the end of the report's findings. FindingReferenceTaken if the report
    already has a finding with the reference, however close together the two came."""
    # Adds to one report take turns (on PostgreSQL; SQLite writes one at a time anyway),
    # so each sees the last position the one before it took.
    locked = InspectionReport.objects.select_for_update().get(pk=report.pk)
    for attempt in range(2):
        last = Finding.objects.filter(report=locked).aggregate(last=Max("position"))["last"]
        try:
            with transaction.atomic():  # a savepoint: the transaction survives a clash
                finding = Finding.objects.create(
                    report=locked,
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
        except IntegrityError:
            if Finding.objects.filter(report=locked, reference=reference).exists():
                raise FindingReferenceTaken(reference) from None
            if attempt:
                raise
            continue  # someone took the position: once more, after theirs
        break
    finding.addressees.set(addressees)
    responses_reopen_for_findings(
        report_id=locked.pk,
        reason=change_reason,
        what=_("%(ref)s was added to the report") % {"ref": reference},
    )
    return finding


def _finding_rules_broken(values: Mapping[str, Any]) -> list[str]:
    """What FindingForm checks, for values a merge put together."""
    if values.get("cause_of_concern") and values.get("kind") != FindingKind.RECOMMENDATION:
        return ["cause_of_concern", "kind"]
    return []


@transaction.atomic
def finding_update(
    *,
    finding: Finding,
    version: int,
    change_reason: str = "",
    **changes: Unpack[FindingChanges],
) -> Finding:
    """Saves the user's changes made on `version`, merged with any saved since
    (`services.merging`); EditConflict if both changed the same field,
    FindingReferenceTaken if another finding took the reference meanwhile."""
    result = merge(Finding, finding.pk, version, dict(changes), check=_finding_rules_broken)
    if result.conflicts:
        raise EditConflict(result)
    current = result.current
    try:
        with transaction.atomic():
            _apply(current, result.merged)
    except IntegrityError:
        raise FindingReferenceTaken(str(result.merged.get("reference", ""))) from None
    if result.changed:
        responses_reopen_for_findings(
            report_id=current.report_id,
            reason=change_reason,
            what=_("%(ref)s was changed") % {"ref": current.reference},
        )
    note_kept(current, result)
    return current


@transaction.atomic
def finding_move(*, finding: Finding, direction: int) -> None:
    """Swap a finding with its neighbour in the report (-1 up, +1 down). One of the two
    waits at a free position while the other takes its place, so no two findings ever
    share a position (the database refuses that)."""
    siblings = list(
        Finding.objects.select_for_update()
        .filter(report_id=finding.report_id)
        .order_by("position", "pk")
    )
    index = next(i for i, f in enumerate(siblings) if f.pk == finding.pk)
    other = index + direction
    if not 0 <= other < len(siblings):
        return
    mover, neighbour = siblings[index], siblings[other]
    here, there = mover.position, neighbour.position
    # Parked without a history row: it is there only until the next statement.
    Finding.objects.filter(pk=mover.pk).update(position=siblings[-1].position + 1)
    for row, position in ((neighbour, here), (mover, there)):
        row.position = position
        row.version += 1
        row.save(update_fields=["position", "version"])


@transaction.atomic
def finding_delete(*, finding: Finding, change_reason: str = "") -> None:
    responses_reopen_for_findings(
        report_id=finding.report_id,
        reason=change_reason,
        what=_("%(ref)s was removed from the report") % {"ref": finding.reference},
    )
    finding.delete()
