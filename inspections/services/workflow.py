"""The s55 response workflow: which transitions exist, who may make them, and what each
needs. Every transition is checked here, on the server; views only ask."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..models import Membership, Response, ResponseStatus
from .responses import EditConflict

S = ResponseStatus


class TransitionRefused(Exception):
    """The transition is not allowed now; the message says why, for the user."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # lazy string
    sources: frozenset[str]
    target: str
    approver_only: bool = False
    needs_reason: bool = False


PRE_APPROVAL = frozenset({S.DRAFT, S.COMMENTS_REQUESTED, S.COMMENTS_RECEIVED, S.READY_FOR_APPROVAL})

TRANSITIONS: dict[str, Transition] = {
    t.name: t
    for t in [
        Transition(
            "request-comments",
            gettext_lazy("Invite the chief officer to comment"),
            frozenset({S.DRAFT}),
            S.COMMENTS_REQUESTED,
        ),
        Transition(
            "record-comments",
            gettext_lazy("Record the chief officer's comments"),
            frozenset({S.COMMENTS_REQUESTED}),
            S.COMMENTS_RECEIVED,
        ),
        Transition(
            "submit",
            gettext_lazy("Send for approval"),
            frozenset({S.COMMENTS_REQUESTED, S.COMMENTS_RECEIVED}),
            S.READY_FOR_APPROVAL,
        ),
        Transition(
            "approve",
            gettext_lazy("Approve the response"),
            frozenset({S.READY_FOR_APPROVAL}),
            S.APPROVED,
            approver_only=True,
        ),
        Transition(
            "publish",
            gettext_lazy("Record publication"),
            frozenset({S.APPROVED}),
            S.PUBLISHED,
        ),
        Transition(
            "record-copies",
            gettext_lazy("Record the copies sent"),
            frozenset({S.PUBLISHED}),
            S.COPIES_SENT,
        ),
        Transition(
            "return-to-draft",
            gettext_lazy("Return to draft"),
            frozenset(
                {S.COMMENTS_REQUESTED, S.COMMENTS_RECEIVED, S.READY_FOR_APPROVAL, S.APPROVED}
            ),
            S.DRAFT,
            needs_reason=True,
        ),
        Transition(
            "no-response",
            gettext_lazy("Decide no response is needed"),
            PRE_APPROVAL,
            S.NO_RESPONSE_NEEDED,
            approver_only=True,
            needs_reason=True,
        ),
        Transition(
            "reopen",
            gettext_lazy("Reopen the response"),
            frozenset({S.NO_RESPONSE_NEEDED}),
            S.DRAFT,
            needs_reason=True,
        ),
    ]
}


def may(transition: Transition, membership: Membership) -> bool:
    return membership.can_approve if transition.approver_only else membership.can_edit


def available(response: Response, membership: Membership) -> list[Transition]:
    """What this member may do to this response now, for the buttons on its page."""
    return [t for t in TRANSITIONS.values() if response.status in t.sources and may(t, membership)]


def _missing_message(response: Response) -> str | None:
    missing = response.missing_findings()
    if not missing:
        return None
    names = [f.reference for f in missing]
    listed = (
        names[0]
        if len(names) == 1
        else _("%(first)s and %(last)s")
        % {
            "first": ", ".join(names[:-1]),
            "last": names[-1],
        }
    )
    return _(
        "This response cannot be approved yet. %(list)s still %(verb)s no entry: the "
        "response must say what action is taken or proposed, or why none (Police Act 1996 "
        "s55(5B))."
    ) % {"list": listed, "verb": _("has") if len(names) == 1 else _("have")}


def check(response: Response, transition: Transition, membership: Membership) -> None:
    """Raise TransitionRefused with a message for the user if the transition may not
    happen now. Role failures are PermissionDenied in the view, before this."""
    if response.status not in transition.sources:
        raise TransitionRefused(
            _('You cannot "%(action)s" while the response is "%(status)s".')
            % {"action": transition.label, "status": response.get_status_display()}
        )
    if transition.name == "approve" and (message := _missing_message(response)):
        raise TransitionRefused(message)


@transaction.atomic
def response_transition(
    *,
    response: Response,
    transition: Transition,
    membership: Membership,
    version: int,
    data: dict[str, Any],
    today: dt.date | None = None,
) -> Response:
    """Move the response on. `data` holds the cleaned fields the transition's form asks
    for; `version` is the version the user saw (a newer one is an EditConflict)."""
    locked = Response.objects.select_for_update().get(pk=response.pk)
    if locked.version != version:
        raise EditConflict
    check(locked, transition, membership)
    fields = {key: value for key, value in data.items() if key != "reason"}
    for key, value in fields.items():
        setattr(locked, key, value)
    if transition.name == "approve":
        locked.approved_by = membership.user
        locked.approved_at = timezone.now()
    if transition.target == S.DRAFT:
        locked.approved_by = None
        locked.approved_at = None
    locked.status = transition.target
    locked.version = F("version") + 1
    locked._change_reason = data.get("reason") or str(transition.label)  # type: ignore[attr-defined]
    locked.save()
    locked.refresh_from_db()
    return locked
