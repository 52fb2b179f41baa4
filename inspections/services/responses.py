"""Writes to responses and their entries. Keyword-only, one transaction each."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _

from ..forms.responses import EntryForm, ResponseForm
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


LOCKED = frozenset(
    {ResponseStatus.PUBLISHED, ResponseStatus.COPIES_SENT, ResponseStatus.NO_RESPONSE_NEEDED}
)


def _reopen_if_approved(response: Response, reason: str) -> None:
    """A change after approval returns the response to draft, with the reason recorded;
    it then needs approval again. Refuses changes once published or settled."""
    if response.status in LOCKED:
        raise ResponseLocked
    if response.status == ResponseStatus.APPROVED:
        response.status = ResponseStatus.DRAFT
        response.approved_by = None
        response.approved_at = None
        response._change_reason = _("Changed after approval: %(reason)s") % {"reason": reason}  # type: ignore[attr-defined]


@transaction.atomic
def response_start(*, body: PolicingBody, report: InspectionReport) -> Response:
    response, _ = Response.objects.get_or_create(body=body, report=report)
    return response


@transaction.atomic
def response_update(*, response: Response, form: ResponseForm) -> Response:
    """Saves only if nobody saved since the version the user started from."""
    seen = form.cleaned_data["version"]
    current = Response.objects.select_for_update().get(pk=response.pk)
    if current.version != seen:
        raise EditConflict
    saved: Response = form.save(commit=False)
    _reopen_if_approved(saved, form.cleaned_data.get("change_reason", ""))
    saved.version = seen + 1
    saved.save(
        update_fields=[
            *form.Meta.fields,
            "status",
            "approved_by",
            "approved_at",
            "version",
            "updated_at",
        ]
    )
    return saved


@transaction.atomic
def entry_save(
    *, response: Response, finding: Finding, entry: ResponseEntry | None, form: EntryForm
) -> ResponseEntry:
    current = (
        ResponseEntry.objects.select_for_update().filter(response=response, finding=finding).first()
    )
    if current is not None and (
        entry is None or form.cleaned_data.get("seen") != current.updated_at.isoformat()
    ):
        raise EditConflict
    locked = Response.objects.select_for_update().get(pk=response.pk)
    _reopen_if_approved(locked, form.cleaned_data.get("change_reason", ""))
    # The response's version moves on with its entries, so an approval or another edit
    # based on what the user saw before is refused rather than applied to new text.
    locked.version = F("version") + 1
    locked.save(update_fields=["status", "approved_by", "approved_at", "version", "updated_at"])
    saved: ResponseEntry = form.save(commit=False)
    saved.response = response
    saved.finding = finding
    saved.save()
    return saved
