"""Writes to assurance actions, their progress updates, evidence and linked findings.
Keyword-only, one transaction each."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from ..forms.actions import ActionForm, EvidenceForm, ProgressForm
from ..models import ActionStatus, AssuranceAction, Evidence, Finding, PolicingBody, ProgressUpdate
from .responses import EditConflict

__all__ = [
    "EditConflict",
    "action_create",
    "action_record_progress",
    "action_update",
    "evidence_add",
    "finding_link",
    "finding_unlink",
]


def _fill_completed_on(action: AssuranceAction) -> bool:
    """A complete action without a completion date was completed today; a reopened one
    is no longer complete. True if the date changed."""
    complete = action.status == ActionStatus.COMPLETE
    if complete and action.completed_on is None:
        action.completed_on = timezone.localdate()
        return True
    if not complete and action.completed_on is not None:
        action.completed_on = None
        return True
    return False


@transaction.atomic
def action_create(*, body: PolicingBody, form: ActionForm) -> AssuranceAction:
    action: AssuranceAction = form.save(commit=False)
    action.body = body
    _fill_completed_on(action)
    action.save()
    return action


@transaction.atomic
def action_update(*, action: AssuranceAction, form: ActionForm) -> AssuranceAction:
    """Saves only if nobody saved since the version the user started from."""
    seen = form.cleaned_data["version"]
    updated = AssuranceAction.objects.filter(pk=action.pk, version=seen).update(
        version=F("version") + 1
    )
    if not updated:
        raise EditConflict
    saved: AssuranceAction = form.save(commit=False)
    saved.version = seen + 1
    _fill_completed_on(saved)
    saved.save(update_fields=[*ActionForm.Meta.fields, "version", "updated_at"])
    return saved


@transaction.atomic
def action_record_progress(
    *, action: AssuranceAction, author: Any, form: ProgressForm
) -> ProgressUpdate:
    """Appends an update; if it sets a new status or percentage, the action takes it
    (and its version moves on, so an edit form opened before it is refused)."""
    current = AssuranceAction.objects.select_for_update().get(pk=action.pk)
    update: ProgressUpdate = form.save(commit=False)
    update.action = current
    update.author = author
    update.save()

    changed: list[str] = []
    if update.status and update.status != current.status:
        current.status = update.status
        changed.append("status")
    if update.percent_complete is not None and update.percent_complete != current.percent_complete:
        current.percent_complete = update.percent_complete
        changed.append("percent_complete")
    if changed:
        if _fill_completed_on(current):
            changed.append("completed_on")
        current.version += 1
        current.save(update_fields=[*changed, "version", "updated_at"])
    return update


@transaction.atomic
def evidence_add(*, action: AssuranceAction, uploaded_by: Any, form: EvidenceForm) -> Evidence:
    evidence: Evidence = form.save(commit=False)
    evidence.action = action
    evidence.uploaded_by = uploaded_by
    evidence.save()
    return evidence


@transaction.atomic
def finding_link(*, action: AssuranceAction, finding: Finding) -> None:
    action.findings.add(finding)


@transaction.atomic
def finding_unlink(*, action: AssuranceAction, finding: Finding) -> None:
    action.findings.remove(finding)
