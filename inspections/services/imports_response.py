"""Importing a response the body has already published (on its website, in a letter):
the report (added first if the body has not logged it), the response, its entries, its
publication and edition 1, in one transaction.

Nothing here re-states a rule of the response: the rows are written by the services that
write them for a person (`reports.report_create` and `finding_create`,
`responses.response_start`, `response_update` and `entry_save`) and publication is the
workflow's own "Record publication" step (`workflow.response_transition`): its date rules
(not before the report, not in the future), its completeness check (s55(5B): every
recommendation for the force or the body answered) and the edition it makes. The only
difference is where the step starts: an imported response was approved outside the app,
so it is published from draft, with no approval recorded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import (
    Finding,
    FindingKind,
    InspectionReport,
    Membership,
    Response,
    ResponseStatus,
)
from . import reports, responses, workflow

__all__ = [
    "IMPORT_PUBLISH",
    "EntryToImport",
    "ResponseExists",
    "response_import",
]

# "Record publication", from draft: the response was approved and published outside the
# app, and the import records that publication (every check of the step still runs).
IMPORT_PUBLISH = replace(workflow.TRANSITIONS["publish"], sources=frozenset({ResponseStatus.DRAFT}))


class ResponseExists(Exception):
    """The report already has the body's response (one per report); importing another
    would replace what the body has written or published."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.pk)
        self.response = response


@dataclass(frozen=True)
class EntryToImport:
    """One quoted recommendation and the body's comment on it: for `finding` of the
    report, or (`finding` None) a recommendation added to the report under
    `new_reference` with the quoted text."""

    answer: str
    text: str
    recommendation: str = ""
    finding: Finding | None = None
    new_reference: str = ""


def _findings_for(report: InspectionReport, entries: Sequence[EntryToImport]) -> list[Finding]:
    """Each entry's finding, adding to the report the recommendations it lacks."""
    found = []
    for entry in entries:
        if entry.finding is not None:
            if entry.finding.report_id != report.pk:
                raise ValueError("An entry's finding must belong to the report imported into.")
            found.append(entry.finding)
            continue
        found.append(
            reports.finding_create(
                report=report,
                kind=FindingKind.RECOMMENDATION,
                reference=entry.new_reference,
                text=entry.recommendation,
            )
        )
    return found


@transaction.atomic
def response_import(
    *,
    membership: Membership,
    report: InspectionReport | None,
    new_report: Mapping[str, Any] | None = None,
    published_on: dt.date,
    published_url: str = "",
    comments: str = "",
    chief_comments: str = "",
    chief_comments_reply: str = "",
    signatory_name: str = "",
    signatory_role: str = "",
    closing_line: str = "",
    entries: Iterable[EntryToImport] = (),
    source: str = "",
) -> Response:
    """The published response, under `report` or (None) a report made from `new_report`
    (the keyword arguments of `reports.report_create`, without the body). ResponseExists
    if the report has a response already; `workflow.TransitionRefused` (with the step's
    own message) if it cannot be published as it stands; nothing is saved then."""
    body = membership.body
    if report is None:
        if new_report is None:
            raise ValueError("Give the report, or the facts of a new one.")
        report = reports.report_create(body=body, **new_report)
    # Imports of one report take turns, so a second sees the first's response.
    report = InspectionReport.objects.select_for_update().get(pk=report.pk, body=body)
    existing = Response.objects.filter(body=body, report=report).first()
    if existing is not None:
        raise ResponseExists(existing)
    entries = list(entries)
    findings = _findings_for(report, entries)
    response = responses.response_start(body=body, report=report)
    response = responses.response_update(
        response=response,
        version=response.version,
        comments=comments,
        chief_comments=chief_comments,
        chief_comments_reply=chief_comments_reply,
        signatory_name=signatory_name,
        signatory_role=signatory_role,
        closing_line=closing_line,
    )
    for finding, entry in zip(findings, entries, strict=True):
        responses.entry_save(
            response=response, finding=finding, version=None, answer=entry.answer, text=entry.text
        )
    response.refresh_from_db()
    reason = _("Imported from %(source)s: published outside the app on %(date)s.") % {
        "source": source or _("a published response"),
        "date": date_format(published_on, "j F Y"),
    }
    return workflow.response_transition(
        response=response,
        transition=IMPORT_PUBLISH,
        membership=membership,
        version=response.version,
        data={"published_on": published_on, "published_url": published_url, "reason": reason},
    )
