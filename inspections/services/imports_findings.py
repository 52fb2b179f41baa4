"""Saving the findings read from a report (`imports.findings`), as corrected on the preview.

Every finding is added by `reports.finding_create`, so positions, the link to a cause of
concern, history and the rule for findings added under a response sent for approval or
approved (it asks why, and returns the response to draft) are the same as for one added
by hand. All are added in one transaction, or none."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from ..models import Addressee, AuditKind, Finding, FindingKind, InspectionReport
from . import audit, reports


@dataclass(frozen=True)
class NewFinding:
    kind: str
    reference: str
    text: str
    addressees: tuple[Addressee, ...] = ()
    cause_of_concern: str = ""  # the reference of the cause of concern it answers
    deadline_text: str = ""
    deadline: dt.date | None = None


@dataclass(frozen=True)
class FindingsImported:
    added: tuple[Finding, ...]
    already: tuple[str, ...]  # references the report had already: nothing added for them


def reference_key(reference: str) -> str:
    """How references are matched: "Recommendation  3" and "recommendation 3" are one."""
    return " ".join(reference.split()).casefold()


@transaction.atomic
def findings_import(
    *,
    report: InspectionReport,
    rows: Sequence[NewFinding],
    user: Any,
    source: str,
    change_reason: str = "",
    already: Sequence[str] = (),
    request: HttpRequest | None = None,
) -> FindingsImported:
    """Adds each row, in order, after the report's findings, unless the report already has
    a finding with its reference (so importing the same report twice adds nothing the
    second time). A recommendation's cause of concern is found by reference, among the
    report's findings or the rows added before it. ChangeReasonNeeded (from
    `reports.finding_create`) if a response of the report needs a reason; nothing is
    added then."""
    # Imports into one report take turns, and each sees what the one before it added.
    locked = InspectionReport.objects.select_for_update().get(pk=report.pk)
    present = {reference_key(f.reference): f for f in Finding.objects.filter(report=locked)}
    added: list[Finding] = []
    skipped = list(already)
    for row in rows:
        key = reference_key(row.reference)
        if key in present:
            skipped.append(row.reference)
            continue
        cause = None
        if row.kind == FindingKind.RECOMMENDATION and row.cause_of_concern:
            cause = present.get(reference_key(row.cause_of_concern))
            if cause is not None and cause.kind != FindingKind.CAUSE_OF_CONCERN:
                cause = None
        finding = reports.finding_create(
            report=locked,
            kind=row.kind,
            reference=" ".join(row.reference.split()),
            text=row.text,
            addressees=row.addressees,
            cause_of_concern=cause,
            deadline_text=row.deadline_text,
            deadline=row.deadline,
            change_reason=change_reason,
        )
        present[key] = finding
        added.append(finding)
    audit.record(
        AuditKind.IMPORTED,
        request=request,
        user=user,
        body=locked.body,
        detail=_(
            "Findings from %(source)s into “%(report)s”: %(added)d added, %(already)d "
            "already in the report"
        )
        % {
            "source": source,
            "report": locked.title,
            "added": len(added),
            "already": len(skipped),
        },
    )
    return FindingsImported(added=tuple(added), already=tuple(skipped))
