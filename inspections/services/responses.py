"""Writes to responses and their entries. Keyword-only plain values, one transaction each."""

from __future__ import annotations

import datetime as dt
from typing import TypedDict, Unpack

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ..models import (
    Finding,
    InspectionReport,
    PolicingBody,
    Response,
    ResponseEntry,
    ResponseStatus,
)


class EditConflict(Exception):
    """Someone else saved the record after the user opened it."""


class ResponseLocked(Exception):
    """Published or settled responses are no longer edited."""


def _reopen_if_approved(response: Response, reason: str) -> None:
    """A change after approval returns the response to draft, with the reason recorded;
    it then needs approval again. Refuses changes once published or settled."""
    if response.is_closed():
        raise ResponseLocked
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
    **changes: Unpack[ResponseChanges],
) -> Response:
    """Saves only if nobody saved since `version`, the version the user started from."""
    current = Response.objects.select_for_update().get(pk=response.pk)
    if current.version != version:
        raise EditConflict
    for name, value in changes.items():
        setattr(current, name, value)
    _reopen_if_approved(current, change_reason)
    current.version = version + 1
    current.save(
        update_fields=[
            *changes,
            "status",
            "approved_by",
            "approved_at",
            "version",
            "updated_at",
        ]
    )
    return current


@transaction.atomic
def entry_save(
    *,
    response: Response,
    finding: Finding,
    entry: ResponseEntry | None,
    seen: str,
    answer: str,
    text: str,
    change_reason: str = "",
) -> ResponseEntry:
    """Saves the body's entry for a recommendation. `entry` is the one the user opened
    (None for a new one) and `seen` its last saved time then: if someone saved an entry
    since, this one is refused (EditConflict) rather than written over theirs."""
    current = (
        ResponseEntry.objects.select_for_update().filter(response=response, finding=finding).first()
    )
    if current is not None and (entry is None or seen != current.updated_at.isoformat()):
        raise EditConflict
    locked = Response.objects.select_for_update().get(pk=response.pk)
    _reopen_if_approved(locked, change_reason)
    # The response's version moves on with its entries, so an approval or another edit
    # based on what the user saw before is refused rather than applied to new text.
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "approved_by", "approved_at", "version", "updated_at"])
    saved = current or ResponseEntry(response=response, finding=finding)
    saved.answer = answer
    saved.text = text
    saved.save()
    return saved
