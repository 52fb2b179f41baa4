"""Requesting a board pack (the record, and its build queued for the worker), and trying
a failed one again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..models import BoardPack, Meeting, PackStage, PackStatus, PolicingBody
from ..packs import ttl
from ..scope import SCOPE_PARAMS
from ..tasks import build_board_pack


def board_pack_request(
    *,
    body: PolicingBody,
    user: User,
    filters: dict[str, Any],
    since: dt.date,
    meeting: Meeting | None = None,
) -> BoardPack:
    """Record a pack and queue its build once the record is committed (a worker must not
    look for a pack that is not there yet). A pack for a meeting is kept with it; any
    other expires, even one that never finishes."""
    if meeting is not None and meeting.body_id != body.pk:
        raise ValueError("The meeting is another body's.")
    now = timezone.now()
    with transaction.atomic():
        pack = BoardPack.objects.create(
            body=body,
            requested_by=user,
            created_at=now,
            filters={k: str(v) for k, v in filters.items() if k in SCOPE_PARAMS and v},
            since=since,
            meeting=meeting,
            expires_at=None if meeting is not None else now + ttl(),
        )
        transaction.on_commit(lambda: build_board_pack.enqueue(pack.pk))
    return pack


def board_pack_retry(*, pack: BoardPack) -> bool:
    """Queue a failed pack's build again (a new worker takes it up; the build counts the
    attempt). Whether it was queued: a pack that is not failed (already queued again by a
    double click, or built) is left as it is."""
    now = timezone.now()
    with transaction.atomic():
        current = BoardPack.objects.select_for_update().get(pk=pack.pk)
        if current.status != PackStatus.FAILED:
            return False
        if current.file:
            current.file.storage.delete(str(current.file.name))
        BoardPack.objects.filter(pk=pack.pk).update(
            status=PackStatus.QUEUED,
            stage=PackStage.WAITING,
            progress=0,
            error="",
            file="",
            size=None,
            heartbeat_at=None,
            finished_at=None,
            expires_at=None if current.meeting_id else now + ttl(),
        )
        transaction.on_commit(lambda: build_board_pack.enqueue(pack.pk))
    return True
