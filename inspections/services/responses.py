"""Writes to responses and their entries. Keyword-only plain values, one transaction each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any, TypedDict, Unpack

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import (
    PUBLISHED_STATUSES,
    Finding,
    InspectionReport,
    PolicingBody,
    Response,
    ResponseEntry,
    ResponseStatus,
)
from ..validation import response_date_problems
from .merging import EditConflict, merge, note_kept

__all__ = [
    "REOPENED_BY_FINDING_CHANGES",
    "ChangeReasonNeeded",
    "EditConflict",
    "ResponseChanges",
    "ResponseLocked",
    "entry_save",
    "finding_changes_need_reason",
    "response_start",
    "response_update",
    "responses_reopen_for_findings",
]


class ResponseLocked(Exception):
    """Published or settled responses are no longer edited (but an approver may prepare
    a correction of a published one)."""


class ChangeReasonNeeded(Exception):
    """The change returns a response that was sent for approval, or approved, to draft;
    that needs a reason, kept in the response's history."""


# The response was approved, or sent for approval, on the report's findings as they
# stood: a finding added, changed or removed since takes it back to draft. A published
# response has its edition; its findings change freely (the inspectorate's status moves
# on) and the edition does not.
REOPENED_BY_FINDING_CHANGES = frozenset(
    {ResponseStatus.READY_FOR_APPROVAL, ResponseStatus.APPROVED}
)


def finding_changes_need_reason(statuses: Iterable[str]) -> bool:
    """Whether changing a finding of a report with responses in these statuses asks why."""
    return any(status in REOPENED_BY_FINDING_CHANGES for status in statuses)


def _refuse_if_locked(response: Response, may_correct: bool) -> None:
    """Published or settled responses are not changed here, except by someone who may
    correct a published one (an approver): the live rows change, the published edition
    does not until they publish a correction (`services.workflow`, "correct")."""
    if not response.is_closed():
        return
    if may_correct and response.status in PUBLISHED_STATUSES:
        return
    raise ResponseLocked


def _reopen_if_approved(response: Response, reason: str) -> None:
    """A change after approval returns the response to draft, with the reason recorded;
    it then needs approval again. After publication (by an approver) the status stays and
    the history says what the change is for."""
    if response.status in PUBLISHED_STATUSES:
        response._change_reason = _(  # type: ignore[attr-defined]
            "Changed after publication, for a correction: the public edition changes only "
            "when the correction is published."
        )
    if response.status == ResponseStatus.APPROVED:
        response.status = ResponseStatus.DRAFT
        response.approved_by = None
        response.approved_at = None
        response._change_reason = _("Changed after approval: %(reason)s") % {"reason": reason}  # type: ignore[attr-defined]


class ResponseChanges(TypedDict, total=False):
    chief_invited_on: dt.date | None
    chief_reply_by: dt.date | None
    chief_comments_received_on: dt.date | None
    chief_comments: str
    chief_comments_reply: str
    comments: str
    closing_line: str
    signatory_name: str
    signatory_role: str
    marking: str


RESPONSE_DATES = ("chief_invited_on", "chief_reply_by", "chief_comments_received_on")


@transaction.atomic
def response_start(*, body: PolicingBody, report: InspectionReport) -> Response:
    """The body's response to the report, created the first time; its statutory due date
    comes from the report (none for a report without a clock)."""
    response, _ = Response.objects.get_or_create(
        body=body, report=report, defaults={"due_on": report.response_due_on}
    )
    return response


@transaction.atomic
def response_update(
    *,
    response: Response,
    version: int,
    change_reason: str = "",
    may_correct: bool = False,
    **changes: Unpack[ResponseChanges],
) -> Response:
    """Saves the user's changes made on `version`, merged with any saved since
    (`services.merging`); EditConflict if both changed the same field."""
    published_on = response.report.published_on

    def dates_out_of_order(values: Mapping[str, Any]) -> list[str]:
        dates = {name: values[name] for name in RESPONSE_DATES if name in values}
        problems = response_date_problems(report_published_on=published_on, **dates)
        return [name for name, _message in problems]

    result = merge(Response, response.pk, version, dict(changes), check=dates_out_of_order)
    current = result.current
    _refuse_if_locked(current, may_correct)
    if result.conflicts:
        raise EditConflict(result)
    for name, value in result.merged.items():
        setattr(current, name, value)
    _reopen_if_approved(current, change_reason)
    current.version += 1
    current.save(
        update_fields=[
            *result.merged,
            "status",
            "approved_by",
            "approved_at",
            "version",
            "updated_at",
        ]
    )
    note_kept(current, result)
    return current


@transaction.atomic
def entry_save(
    *,
    response: Response,
    finding: Finding,
    version: int | None,
    answer: str,
    text: str,
    change_reason: str = "",
    may_correct: bool = False,
) -> ResponseEntry:
    """Saves the body's entry for a recommendation. `version` is the version of the
    entry the user opened (None if there was none yet): changes saved since are merged
    with the user's (`services.merging`), and EditConflict raised where both changed the
    same field, or two people wrote a first entry differently."""
    locked = Response.objects.select_for_update().get(pk=response.pk)
    _refuse_if_locked(locked, may_correct)
    existing = (
        ResponseEntry.objects.filter(response=locked, finding=finding)
        .values_list("pk", flat=True)
        .first()
    )
    if existing is None:
        saved = ResponseEntry(response=locked, finding=finding, answer=answer, text=text)
        saved.save()
    else:
        result = merge(ResponseEntry, existing, version, {"answer": answer, "text": text})
        if result.conflicts:
            raise EditConflict(result)
        saved = result.current
        saved.answer, saved.text = result.merged["answer"], result.merged["text"]
        saved.version += 1
        saved.save()
        note_kept(saved, result)
    _reopen_if_approved(locked, change_reason)
    # The response's version moves on with its entries, so an approval or another step
    # based on what the user saw before is refused rather than applied to new text.
    locked.version += 1
    locked.save(update_fields=["status", "approved_by", "approved_at", "version", "updated_at"])
    return saved


def responses_reopen_for_findings(*, report_id: int, reason: str, what: str) -> None:
    """After a finding of the report was added, changed or removed (`what` says which):
    a response sent for approval or approved goes back to draft, its approval cleared and
    the reason in its history. ChangeReasonNeeded if there is one and no reason. Call
    inside the transaction that changes the finding."""
    reopened = Response.objects.select_for_update().filter(
        report_id=report_id, status__in=REOPENED_BY_FINDING_CHANGES
    )
    for response in reopened:
        if not reason.strip():
            raise ChangeReasonNeeded
        response.status = ResponseStatus.DRAFT
        response.approved_by = None
        response.approved_at = None
        response.version += 1
        response._change_reason = _("Returned to draft: %(what)s. Why: %(reason)s") % {  # type: ignore[attr-defined]
            "what": what,
            "reason": reason.strip(),
        }
        response.save(
            update_fields=["status", "approved_by", "approved_at", "version", "updated_at"]
        )
