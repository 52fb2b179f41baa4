"""Writes to reports and findings. Keyword-only, one transaction each."""

from __future__ import annotations

from django.db import transaction
from django.db.models import Max

from ..forms.reports import FindingForm, ReportForm
from ..models import Finding, InspectionReport, PolicingBody


@transaction.atomic
def report_create(*, body: PolicingBody, form: ReportForm) -> InspectionReport:
    report = form.save(commit=False)
    report.body = body
    report.save()
    form.save_m2m()
    return report


@transaction.atomic
def report_update(*, form: ReportForm) -> InspectionReport:
    return form.save()


@transaction.atomic
def finding_create(*, report: InspectionReport, form: FindingForm) -> Finding:
    finding = form.save(commit=False)
    finding.report = report
    last = report.findings.aggregate(last=Max("position"))["last"]
    finding.position = 0 if last is None else last + 1
    finding.save()
    form.save_m2m()
    return finding


@transaction.atomic
def finding_update(*, form: FindingForm) -> Finding:
    return form.save()


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
