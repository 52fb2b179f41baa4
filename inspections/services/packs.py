"""Requesting a board pack: the record, and its build queued for the worker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from ..models import BoardPack, PolicingBody
from ..packs import ttl
from ..scope import SCOPE_PARAMS
from ..tasks import build_board_pack


def board_pack_request(
    *,
    body: PolicingBody,
    user: User,
    filters: dict[str, Any],
    since: dt.date,
) -> BoardPack:
    """Record a pack and queue its build once the record is committed (a worker must not
    look for a pack that is not there yet)."""
    now = timezone.now()
    with transaction.atomic():
        pack = BoardPack.objects.create(
            body=body,
            requested_by=user,
            created_at=now,
            filters={k: str(v) for k, v in filters.items() if k in SCOPE_PARAMS and v},
            since=since,
            # Every pack expires, so one that never finishes is cleaned up too.
            expires_at=now + ttl(),
        )
        transaction.on_commit(lambda: build_board_pack.enqueue(pack.pk))
    return pack
