"""At most once: a create form sent twice (a double click, a resent request) stores one
record, and the second answer is the first one again.

Each create form carries a random key made when it is shown (`{% submission_key %}`,
templatetags/once.py). `once` stores the key in the same transaction as the record it
creates, so the two commit or fail together. A second submission with the key finds it,
creates nothing, and is told where the first one led and what it said. Two at the same
moment meet at the key's unique constraint: on PostgreSQL the second waits for the first
to commit, then finds its key.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction

from ..models import SubmissionKey

__all__ = ["KEY_FIELD", "Outcome", "key_from", "once", "repeat"]

# The hidden input every create form carries (`{% submission_key %}`, templatetags/once).
KEY_FIELD = "submission_key"


def key_from(data: Mapping[str, Any]) -> uuid.UUID | None:
    """The key a form was sent with; None if it has none (or not a real one)."""
    try:
        return uuid.UUID(str(data.get(KEY_FIELD, "")))
    except ValueError:
        return None


@dataclass(frozen=True)
class Outcome[T]:
    created: T | None  # None for a repeat: the first submission created it
    result_url: str
    message: str
    repeated: bool = False


def _previous(user: Any, key: uuid.UUID) -> SubmissionKey | None:
    return SubmissionKey.objects.filter(user=user, key=key).first()


def _repeat[T](previous: SubmissionKey) -> Outcome[T]:
    return Outcome(None, previous.result_url, previous.message, repeated=True)


def repeat(*, key: uuid.UUID | None, user: Any) -> Outcome[Any] | None:
    """The first answer, if this user already sent `key`. Views ask before validating
    the form again: the first submission may have made the second invalid (a reference
    now taken), and the second should still be answered as the first was."""
    if key is None:
        return None
    previous = _previous(user, key)
    return None if previous is None else _repeat(previous)


def once[T](
    *,
    key: uuid.UUID | None,
    user: Any,
    create: Callable[[], T],
    answer: Callable[[T], tuple[str, str]],
) -> Outcome[T]:
    """Run `create` unless this user already sent `key`; `answer` gives the record's
    page and the message to show, kept for a repeat. Without a key (an old page, a
    script) it simply creates."""
    if key is None:
        created = create()
        return Outcome(created, *answer(created))
    if previous := _previous(user, key):
        return _repeat(previous)
    try:
        with transaction.atomic():
            claim = SubmissionKey.objects.create(user=user, key=key)
            created = create()
            url, message = answer(created)
            claim.result_url, claim.message = str(url)[:500], str(message)[:500]
            claim.save(update_fields=["result_url", "message"])
    except IntegrityError:
        # Someone (this user, in another tab or request) got there first: their key is
        # now committed. Anything else is not ours to hide.
        if previous := _previous(user, key):
            return _repeat(previous)
        raise
    return Outcome(created, claim.result_url, claim.message)
