"""The body's meetings: recorded, changed (version-checked, merged like other edits) and
deleted while no board pack was built for them; and each person's private calendar feed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone

from ..models import CalendarFeed, Meeting, Membership, PolicingBody
from ..models.people import token_digest
from .merging import EditConflict, merge, note_kept

__all__ = [
    "EditConflict",
    "MeetingHasPacks",
    "calendar_feed_create",
    "calendar_feed_revoke",
    "meeting_create",
    "meeting_delete",
    "meeting_update",
]


class MeetingHasPacks(Exception):
    """Board packs were built for the meeting: they are its record and keep it."""


def _by(meeting: Meeting, user: Any) -> None:
    if user is not None:
        meeting._history_user = user  # type: ignore[attr-defined]


@transaction.atomic
def meeting_create(
    *,
    body: PolicingBody,
    name: str,
    kind: str,
    held_on: dt.date,
    notes: str = "",
    user: Any = None,
) -> Meeting:
    meeting = Meeting(body=body, name=name, kind=kind, held_on=held_on, notes=notes)
    _by(meeting, user)
    meeting.save()
    return meeting


@transaction.atomic
def meeting_update(*, meeting: Meeting, version: int, user: Any = None, **changes: Any) -> Meeting:
    """The user's changes made on `version`, merged with any saved since; EditConflict if
    both changed the same field."""
    result = merge(Meeting, meeting.pk, version, dict(changes))
    if result.conflicts:
        raise EditConflict(result)
    current = result.current
    for name, value in result.merged.items():
        setattr(current, name, value)
    current.version += 1
    _by(current, user)
    current.save(update_fields=[*result.merged, "version"])
    note_kept(current, result)
    return current


@transaction.atomic
def meeting_delete(*, meeting: Meeting, user: Any = None) -> None:
    """Deletes a meeting no pack was built for; MeetingHasPacks otherwise."""
    meeting = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if meeting.board_packs.exists():
        raise MeetingHasPacks
    _by(meeting, user)
    try:
        meeting.delete()
    except ProtectedError as error:  # a pack made meanwhile
        raise MeetingHasPacks from error


@transaction.atomic
def calendar_feed_create(*, membership: Membership) -> tuple[CalendarFeed, str]:
    """A new private calendar address for the member, and its secret to show once. Any
    working one they had is revoked: a person has one address at a time."""
    now = timezone.now()
    CalendarFeed.objects.filter(
        user_id=membership.user_id, body_id=membership.body_id, revoked_at__isnull=True
    ).update(revoked_at=now)
    secret = CalendarFeed.new_secret()
    feed = CalendarFeed.objects.create(
        user_id=membership.user_id,
        body_id=membership.body_id,
        digest=token_digest(secret),
    )
    return feed, secret


@transaction.atomic
def calendar_feed_revoke(*, membership: Membership) -> int:
    """Stops the member's calendar address working, for good."""
    return CalendarFeed.objects.filter(
        user_id=membership.user_id, body_id=membership.body_id, revoked_at__isnull=True
    ).update(revoked_at=timezone.now())
