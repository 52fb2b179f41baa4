"""Writes to responses and their entries. Keyword-only, one transaction each."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F

from ..forms.responses import EntryForm, ResponseForm
from ..models import Finding, InspectionReport, PolicingBody, Response, ResponseEntry


class EditConflict(Exception):
    """Someone else saved the record after the user opened it."""


@transaction.atomic
def response_start(*, body: PolicingBody, report: InspectionReport) -> Response:
    response, _ = Response.objects.get_or_create(body=body, report=report)
    return response


@transaction.atomic
def response_update(*, response: Response, form: ResponseForm) -> Response:
    """Saves only if nobody saved since the version the user started from."""
    seen = form.cleaned_data["version"]
    updated = Response.objects.filter(pk=response.pk, version=seen).update(version=F("version") + 1)
    if not updated:
        raise EditConflict
    saved: Response = form.save(commit=False)
    saved.version = seen + 1
    saved.save(update_fields=[*form.Meta.fields, "version", "updated_at"])
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
    saved: ResponseEntry = form.save(commit=False)
    saved.response = response
    saved.finding = finding
    saved.save()
    return saved
