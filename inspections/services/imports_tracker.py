"""Importing a tracker spreadsheet: keeping the upload between the steps, remembering how a
layout's columns map to fields, and applying a checked plan (forms.imports_tracker) in one
transaction through the action services, so versions, history and notifications are those
of an edit made on screen."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _

from ..imports.trackers import Outcome, TrackerPlan, describe_counts, headers_key
from ..models import (
    AssuranceAction,
    AuditKind,
    Finding,
    ImportKind,
    ImportMapping,
    ImportUpload,
    PolicingBody,
)
from . import actions, audit

__all__ = [
    "ImportSummary",
    "NotAllValid",
    "UploadGone",
    "clean_uploads",
    "mapping_remember",
    "tracker_import",
    "tracker_upload",
]

# How long an upload waits between its steps before the daily schedule removes it.
UPLOAD_HOURS = 24


class UploadGone(Exception):
    """The upload was imported already (a second confirm), or has expired."""


class NotAllValid(ValueError):
    """ "Import all" was asked for, but some rows have problems."""


@dataclass(frozen=True)
class ImportSummary:
    filename: str
    counts: dict[str, int]

    @property
    def message(self) -> str:
        return _("Imported %(file)s: %(counts)s.") % {
            "file": self.filename,
            "counts": describe_counts(self.counts),
        }


@transaction.atomic
def tracker_upload(*, body: PolicingBody, user: Any, filename: str, content: bytes) -> ImportUpload:
    """Keeps a checked tracker file (forms.imports_tracker.TrackerUploadForm) for the
    following steps. Only its uploader sees it."""
    return ImportUpload.objects.create(
        body=body, user=user, kind=ImportKind.TRACKER, filename=filename, content=content
    )


@transaction.atomic
def mapping_remember(
    *, body: PolicingBody, headers: Iterable[str], mapping: Mapping[str, str]
) -> ImportMapping:
    """Remembers the body's mapping for this header row, for the next file like it."""
    remembered, _created = ImportMapping.objects.update_or_create(
        body=body,
        headers_key=headers_key(headers),
        defaults={"mapping": dict(mapping), "updated_at": timezone.now()},
    )
    return remembered


@transaction.atomic
def tracker_import(
    *,
    upload_pk: int,
    body: PolicingBody,
    user: Any,
    plan: TrackerPlan,
    only_valid: bool,
    request: HttpRequest | None = None,
) -> ImportSummary:
    """Applies the plan's rows that create or update an action, and deletes the upload, in
    one transaction: a second confirm finds no upload (UploadGone) and imports nothing.
    NotAllValid if `only_valid` is False and a row has problems; EditConflict (from
    `actions.action_update`) if someone changed a field of an action that the row changes
    too, since the check: then nothing is imported."""
    upload = (
        ImportUpload.objects.select_for_update()
        .filter(pk=upload_pk, body=body, user=user, kind=ImportKind.TRACKER)
        .first()
    )
    if upload is None:
        raise UploadGone(upload_pk)
    if plan.has_problems and not only_valid:
        raise NotAllValid("Some rows have problems.")
    filename = upload.filename
    upload.delete()
    note = _("Imported from %(file)s.") % {"file": filename}
    # A moved target always has a reason: the row's own, else where the move came from.
    unexplained = _("Imported from %(file)s, which gave no reason.") % {"file": filename}
    for row in plan.to_apply:
        values = dict(row.values)
        if row.outcome == Outcome.CREATE:
            action = actions.action_create(body=body, **values)
        else:
            if row.action_id is None:
                raise ValueError(f"Row {row.number} updates no action.")
            action = AssuranceAction.objects.get(pk=row.action_id, body=body)
            if values:
                version = row.version if row.version is not None else action.version
                action = actions.action_update(
                    action=action,
                    version=version,
                    by=user,
                    target_reason=row.target_reason or unexplained,
                    **values,
                )
        for finding in Finding.objects.filter(pk__in=row.finding_ids, report__body=body):
            actions.finding_link(action=action, finding=finding)
        if row.update_text:
            actions.action_record_progress(action=action, author=user, text=row.update_text)
        if row.outcome == Outcome.CREATE or row.progress_changed:
            # Where the action's status and percentage came from, in its timeline.
            actions.action_record_progress(
                action=action,
                author=user,
                text=note,
                status=action.status,
                percent_complete=action.percent_complete,
            )
    summary = ImportSummary(filename=filename, counts=plan.counts)
    audit.record(
        AuditKind.IMPORTED,
        request=request,
        user=user,
        body=body,
        detail=_("Tracker %(file)s: %(counts)s")
        % {
            "file": filename,
            "counts": describe_counts(summary.counts),
        },
    )
    return summary


def clean_uploads(*, now: dt.datetime | None = None) -> int:
    """Deletes uploads (of every import) left waiting for more than a day; returns how
    many. The daily schedule runs it."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=UPLOAD_HOURS)
    deleted, _by_model = ImportUpload.objects.filter(created_at__lt=cutoff).delete()
    return deleted
