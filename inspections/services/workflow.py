"""The s55 response workflow: which transitions exist, who may make them, and what each
needs. Every transition is checked here, on the server; views only ask."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .. import validation
from ..models import PUBLISHED_STATUSES, Membership, Response, ResponseStatus
from .editions import edition_create
from .notify import response_step_notify
from .responses import EditConflict

S = ResponseStatus


class TransitionRefused(Exception):
    """The transition is not allowed now; the message says why, for the user."""


@dataclass(frozen=True)
class Transition:
    name: str
    label: Any  # lazy string
    sources: frozenset[str]
    target: str | None  # None: the status stays as it is
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
            # From draft too, once the chief officer has been invited: a response returned
            # to draft keeps its chief officer facts and goes straight back for approval.
            frozenset({S.DRAFT, S.COMMENTS_REQUESTED, S.COMMENTS_RECEIVED}),
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
            "correct",
            gettext_lazy("Publish a correction"),
            frozenset(PUBLISHED_STATUSES),
            None,
            approver_only=True,
            needs_reason=True,
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
    return [
        t
        for t in TRANSITIONS.values()
        if response.status in t.sources and may(t, membership) and _offered(t, response)
    ]


def _offered(transition: Transition, response: Response) -> bool:
    """Steps whose facts are not there yet are not offered (check() says why if asked)."""
    if transition.name == "submit" and response.status == S.DRAFT:
        return response.chief_invited_on is not None
    return True


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
    if (
        transition.name == "submit"
        and response.status == S.DRAFT
        and response.chief_invited_on is None
    ):
        raise TransitionRefused(
            _(
                "Invite the chief officer to comment before you send the response for "
                "approval (Police Act 1996 s55(4))."
            )
        )
    if transition.name in {"publish", "correct"} and (message := _missing_message(response)):
        raise TransitionRefused(message)


def publication_date_problem(response: Response, published_on: dt.date, today: dt.date) -> str:
    """Why a publication date cannot be true, or "": it is on or after the report's
    publication and the approval, and not in the future."""
    if published_on > today:
        return _("The publication date cannot be in the future.")
    if published_on < response.report.published_on:
        return _("The response cannot be published before the report itself (%(date)s).") % {
            "date": date_format(response.report.published_on, "j F Y")
        }
    approved = response.approved_at and timezone.localdate(response.approved_at)
    if approved and published_on < approved:
        return _("The response cannot be published before it was approved (%(date)s).") % {
            "date": date_format(approved, "j F Y")
        }
    return ""


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
    today = today or timezone.localdate()
    locked = Response.objects.select_for_update().select_related("report").get(pk=response.pk)
    if locked.version != version:
        raise EditConflict
    check(locked, transition, membership)
    fields = {key: value for key, value in data.items() if key != "reason"}
    published_on = fields.get("published_on")
    if published_on and (problem := publication_date_problem(locked, published_on, today)):
        raise TransitionRefused(problem)
    for key, value in fields.items():
        setattr(locked, key, value)
    # The same date rules as the forms, on the values the step leaves: a caller that
    # skips the form (the demo, an import) cannot record dates that cannot be true.
    problems = validation.date_window_problems(
        {k: v for k, v in fields.items() if isinstance(v, dt.date)}, today=today
    ) + validation.response_date_problems(
        report_published_on=locked.report.published_on,
        chief_invited_on=locked.chief_invited_on,
        chief_reply_by=locked.chief_reply_by,
        chief_comments_received_on=locked.chief_comments_received_on,
    )
    if problems:
        raise TransitionRefused(" ".join(str(message) for _field, message in problems))
    if transition.name == "approve":
        locked.approved_by = membership.user
        locked.approved_at = timezone.now()
    if transition.target == S.DRAFT:
        locked.approved_by = None
        locked.approved_at = None
    if transition.target is not None:
        locked.status = transition.target
    locked.version = F("version") + 1
    locked._change_reason = data.get("reason") or str(transition.label)  # type: ignore[attr-defined]
    locked.save()
    locked.refresh_from_db()
    if transition.name in {"publish", "correct"}:
        # What was published, frozen: the public page, the feed and the PDF come from it.
        edition_create(
            response=locked,
            user=membership.user,
            published_on=locked.published_on or today,
            published_url=locked.published_url,
            correction_reason=data.get("reason", "") if transition.name == "correct" else "",
        )
    response_step_notify(
        response=locked, step=transition.name, actor=membership.user, reason=data.get("reason", "")
    )
    return locked
