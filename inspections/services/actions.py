"""Writes to assurance actions, their progress updates, evidence and linked findings.
Keyword-only plain values, one transaction each."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any, TypedDict, Unpack

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..access import CONTRIBUTOR_STATUSES
from ..models import (
    ActionStatus,
    AssuranceAction,
    Evidence,
    Finding,
    Membership,
    PolicingBody,
    ProgressUpdate,
    Response,
    TargetReasonNeeded,
)
from ..validation import day, status_progress_problems
from .merging import EditConflict, merge, note_kept
from .notify import action_owner_notify, progress_update_notify

__all__ = [
    "ActionChanges",
    "EditConflict",
    "OwnerNotAllowed",
    "ProgressNotAllowed",
    "TargetReasonNeeded",
    "action_create",
    "action_record_progress",
    "action_update",
    "evidence_add",
    "finding_link",
    "finding_unlink",
]


class ActionChanges(TypedDict, total=False):
    title: str
    description: str
    owner: Any  # a user of the body, or None: awaiting allocation
    force_lead: str
    start_on: dt.date
    target_on: dt.date
    status: str
    percent_complete: int
    completed_on: dt.date | None
    assurance_level: str
    assurance_evidence: str
    forum: str
    response: Response | None


class OwnerNotAllowed(ValueError):
    """The owner is not one of the body's active editors or force contributors. The form
    offers only those; this refuses a user id sent some other way."""


class ProgressNotAllowed(ValueError):
    """A force contributor may update only their own action and may not set a status the
    body decides (`access.CONTRIBUTOR_STATUSES`). The form and the views refuse it first."""


def _check_owner(body: PolicingBody | int, owner: Any, current_id: int | None = None) -> None:
    """An owner must be able to own actions; an action's current owner may stay."""
    owner_id = getattr(owner, "pk", owner)
    if owner_id is None or owner_id == current_id:
        return
    owners = Membership.objects.filter(body=body, user_id=owner_id).action_owners().active()
    if not owners.exists():
        raise OwnerNotAllowed(f"User {owner_id} may not own this body's actions.")


def _fill_completed_on(action: AssuranceAction, on: dt.date) -> bool:
    """A complete action without a completion date was completed `on` that day; a
    reopened one is no longer complete. True if the date changed."""
    complete = action.status == ActionStatus.COMPLETE
    if complete and action.completed_on is None:
        action.completed_on = on
        return True
    if not complete and action.completed_on is not None:
        action.completed_on = None
        return True
    return False


@transaction.atomic
def action_create(
    *,
    body: PolicingBody,
    title: str,
    start_on: dt.date,
    target_on: dt.date,
    description: str = "",
    owner: Any = None,
    force_lead: str = "",
    status: str = ActionStatus.NOT_STARTED,
    percent_complete: int = 0,
    completed_on: dt.date | None = None,
    assurance_level: str = "",
    assurance_evidence: str = "",
    forum: str = "",
    response: Response | None = None,
) -> AssuranceAction:
    _check_owner(body, owner)
    action = AssuranceAction(
        body=body,
        title=title,
        description=description,
        owner=owner,
        force_lead=force_lead,
        start_on=start_on,
        target_on=target_on,
        status=status,
        percent_complete=percent_complete,
        completed_on=completed_on,
        assurance_level=assurance_level,
        assurance_evidence=assurance_evidence,
        forum=forum,
        response=response,
    )
    _fill_completed_on(action, timezone.localdate())
    action.save()
    action_owner_notify(action=action)
    return action


def _action_rules_broken(values: Mapping[str, Any]) -> list[str]:
    """What ActionForm checks, for values a merge put together: status and percentage
    agree, and the dates come in order."""
    broken: list[str] = []
    status, percent = values.get("status"), values.get("percent_complete")
    if status and status_progress_problems(status=status, percent_complete=percent):
        broken += ["status", "percent_complete"]
    start_on, target_on = values.get("start_on"), values.get("target_on")
    if start_on and target_on and target_on < start_on:
        broken += ["start_on", "target_on"]
    completed_on = values.get("completed_on")
    if completed_on and "status" in values and status != ActionStatus.COMPLETE:
        broken += ["status", "completed_on"]
    return broken


@transaction.atomic
def action_update(
    *,
    action: AssuranceAction,
    version: int,
    by: Any = None,
    target_reason: str = "",
    changed_at: dt.datetime | None = None,
    **changes: Unpack[ActionChanges],
) -> AssuranceAction:
    """Saves the user's changes made on `version`, merged with any saved since
    (`services.merging`): a colleague's new percentage stays when the user changed only
    the title. EditConflict if both changed the same field.

    Every change of an action's target date comes through here: when the merged target
    differs from the saved one, `AssuranceAction.move_target` records it (from, to, `by`,
    `changed_at` or now, `target_reason`) and counts a move later as slippage.
    TargetReasonNeeded (nothing saved) if the target moves without a reason. Whether it
    moves is decided after the merge, so a target a colleague moved while the user
    changed something else is theirs, with their reason, and asks the user for none."""
    if "owner" in changes:
        _check_owner(action.body_id, changes["owner"], current_id=action.owner_id)
    result = merge(AssuranceAction, action.pk, version, dict(changes), check=_action_rules_broken)
    if result.conflicts:
        raise EditConflict(result)
    current = result.current
    merged = dict(result.merged)
    target_on = merged.pop("target_on", current.target_on)
    for name, value in merged.items():
        setattr(current, name, value)
    fields = [*merged]
    if target_on != current.target_on:
        if by is None:
            raise ValueError("Moving an action's target date needs the person moving it.")
        moved = current.move_target(target_on, reason=target_reason, by=by, at=changed_at)
        moved.save()
        fields += ["target_on", "original_target_on", "slip_count"]
        # The action's history says why its target moved, beside the change itself.
        current._change_reason = _(  # type: ignore[attr-defined]
            "Target date moved from %(from)s to %(to)s: %(reason)s"
        ) % {"from": day(moved.from_on), "to": day(moved.to_on), "reason": moved.reason}
    if by is not None:
        current._history_user = by  # type: ignore[attr-defined]  # as outside a request too
    current.version += 1
    _fill_completed_on(current, timezone.localdate())
    current.save(update_fields=[*fields, "completed_on", "version", "updated_at"])
    note_kept(current, result)
    action_owner_notify(action=current, owner_changed="owner" in result.changed)
    return current


@transaction.atomic
def action_record_progress(
    *,
    action: AssuranceAction,
    author: Any,
    text: str,
    status: str = "",
    percent_complete: int | None = None,
    written_at: dt.datetime | None = None,
) -> ProgressUpdate:
    """Appends an update; if it sets a new status or percentage, the action takes it
    (and its version moves on, so an edit form opened before it is refused). An update
    that completes the action completes it on the day it was written (now, unless the
    demo data gives an earlier time)."""
    current = AssuranceAction.objects.select_for_update().get(pk=action.pk)
    membership = getattr(author, "membership", None)
    if membership is not None and membership.is_contributor:
        if current.owner_id != author.pk:
            raise ProgressNotAllowed("A force contributor updates only the actions they own.")
        if status and status not in CONTRIBUTOR_STATUSES:
            raise ProgressNotAllowed(f"A force contributor may not set the status {status}.")
    update = ProgressUpdate.objects.create(
        action=current,
        author=author,
        written_at=written_at or timezone.now(),
        text=text,
        status=status,
        percent_complete=percent_complete,
    )

    changed: list[str] = []
    if status and status != current.status:
        current.status = status
        changed.append("status")
    if percent_complete is not None and percent_complete != current.percent_complete:
        current.percent_complete = percent_complete
        changed.append("percent_complete")
    if changed:
        if _fill_completed_on(current, timezone.localdate(update.written_at)):
            changed.append("completed_on")
        current.version += 1
        current.save(update_fields=[*changed, "version", "updated_at"])
    progress_update_notify(update=update)
    return update


@transaction.atomic
def evidence_add(
    *,
    action: AssuranceAction,
    uploaded_by: Any,
    file: File[Any],
    original_name: str,
    content_type: str,
    size: int,
    description: str = "",
) -> Evidence:
    """`content_type` is what the file will be served with: from the allow-list for its
    extension (EvidenceForm works it out), never what the browser claimed."""
    return Evidence.objects.create(
        action=action,
        uploaded_by=uploaded_by,
        file=file,
        original_name=original_name,
        content_type=content_type,
        size=size,
        description=description,
    )


@transaction.atomic
def finding_link(*, action: AssuranceAction, finding: Finding) -> None:
    action.findings.add(finding)


@transaction.atomic
def finding_unlink(*, action: AssuranceAction, finding: Finding) -> None:
    action.findings.remove(finding)
