"""Telling people what needs them: an email at once, a line in the daily digest, or
nothing, as each person chooses for each kind (`NotificationPreference`;
`DEFAULT_DELIVERY` until they choose).

`notify` is the one way in. The hooks below it say who needs to know about each event
and what the email says; the services call them at the point the event happens, inside
its transaction, so an event that rolls back tells nobody.

Markings: a notification carries the marking of the record it mentions. Every email
states that marking at its top and bottom, and an OFFICIAL-SENSITIVE one also leads its
subject with it. For an OFFICIAL-SENSITIVE record the email names the record and links to
it, nothing more: the subject has no title, and no reason, comment or update text is
copied into the email. People read the detail in the app, behind their sign-in.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.urls import reverse
from django.utils import translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import (
    DEFAULT_DELIVERY,
    AssuranceAction,
    Delivery,
    Marking,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    ProgressUpdate,
    Response,
    ResponseEntry,
    highest_marking,
)
from ..tasks import send_notifications

if TYPE_CHECKING:
    from django.contrib.auth.models import User

__all__ = [
    "action_owner_notify",
    "kinds_for",
    "notify",
    "preferences_of",
    "preferences_set",
    "progress_update_notify",
    "response_step_notify",
    "silenced",
]

logger = logging.getLogger(__name__)
K = NotificationKind
SENSITIVE = Marking.OFFICIAL_SENSITIVE


# --- Preferences ---------------------------------------------------------------------------


def kinds_for(membership: Membership) -> list[NotificationKind]:
    """The kinds that can reach this member, in the order of NotificationKind: approval
    requests reach approvers; news of responses and of force contributors' updates
    reaches the office's editors; actions and their reminders reach whoever may own one.
    Analysts are sent nothing."""
    applies = {
        K.APPROVAL_REQUESTED: membership.can_approve,
        K.RESPONSE_DECIDED: membership.can_edit,
        K.ACTION_ASSIGNED: membership.can_own_actions,
        K.ACTION_UPDATED: membership.can_edit,
        K.REMINDERS: membership.can_own_actions,
    }
    return [kind for kind in NotificationKind if applies[kind]]


def preferences_of(user: User) -> dict[str, str]:
    """How this person hears about each kind: their choice, or the default."""
    chosen = dict(NotificationPreference.objects.filter(user=user).values_list("kind", "delivery"))
    return {kind: chosen.get(kind, DEFAULT_DELIVERY[kind]) for kind in NotificationKind}


@transaction.atomic
def preferences_set(*, user: User, deliveries: Mapping[str, str]) -> None:
    """Stores the person's choice for each kind given (kinds not given keep theirs)."""
    rows = [
        NotificationPreference(user=user, kind=NotificationKind(kind), delivery=Delivery(delivery))
        for kind, delivery in deliveries.items()
    ]
    NotificationPreference.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["user", "kind"],
        update_fields=["delivery"],
    )


# --- Sending -------------------------------------------------------------------------------

_silenced: ContextVar[bool] = ContextVar("notifications_silenced", default=False)


@contextmanager
def silenced() -> Iterator[None]:
    """Nobody is told of what happens inside: for building the demo data, whose events
    are made up and dated in the past."""
    token = _silenced.set(True)
    try:
        yield
    finally:
        _silenced.reset(token)


def _people(recipients: QuerySet[User] | Iterable[User]) -> QuerySet[User]:
    """Active people with an email address among `recipients`."""
    users = get_user_model().objects
    if isinstance(recipients, QuerySet):
        chosen = users.filter(pk__in=recipients.values_list("pk", flat=True))
    else:
        chosen = users.filter(pk__in=[user.pk for user in recipients])
    return chosen.filter(is_active=True).exclude(email="")


@transaction.atomic
def notify(
    kind: NotificationKind,
    *,
    recipients: QuerySet[User] | Iterable[User],
    subject: str,
    text: str,
    url: str,
    marking: str,
    actor: User | None = None,
) -> list[Notification]:
    """Tells each recipient, as they chose: an email once the current transaction commits
    (by the worker, so a slow mail server never holds up a page), their next daily
    digest, or nothing. Inactive people, people without an address and the actor are
    never told. `url` is a path; emails make it absolute with SITE_URL. `subject` and
    `text` must already leave out OFFICIAL-SENSITIVE detail (see the hooks below). One
    query for the recipients and their choices, one to store the notifications."""
    if _silenced.get():
        return []
    people = _people(recipients)
    if actor is not None:
        people = people.exclude(pk=actor.pk)
    choice = NotificationPreference.objects.filter(user=OuterRef("pk"), kind=kind)
    people = people.annotate(chosen=Subquery(choice.values("delivery")[:1])).order_by("pk")
    rows = []
    for person in people:
        delivery = Delivery(person.chosen or DEFAULT_DELIVERY[kind])
        if delivery == Delivery.NONE:
            continue
        rows.append(
            Notification(
                user=person,
                kind=kind,
                subject=subject[:300],
                text=text,
                url=url,
                marking=marking,
                delivery=delivery,
            )
        )
    created = Notification.objects.bulk_create(rows)
    immediate = [n.pk for n in created if n.delivery == Delivery.IMMEDIATE]
    if immediate:
        # robust: a queue that cannot take the task must not undo the user's change; the
        # notifications stay unsent and the next digest carries them.
        transaction.on_commit(functools.partial(_queue, immediate), robust=True)
    return created


def _queue(notification_ids: list[int]) -> None:
    send_notifications.enqueue(notification_ids)


# --- What each event says, and to whom -----------------------------------------------------


def _name(user: Any) -> str:
    if user is None:
        return _("Someone")
    return str(user.get_full_name() or user.get_username())


def _message(
    *, headline: str, label: str, sentence: str, detail: str, marking: Marking
) -> tuple[str, str]:
    """The subject and text of an email: for an OFFICIAL-SENSITIVE record, the headline
    alone and the sentence that names the record, without the detail."""
    if marking == SENSITIVE:
        note = _(
            "It is marked OFFICIAL-SENSITIVE, so this email leaves out the detail: read it "
            "in PCC Responses."
        )
        return headline, f"{sentence}\n\n{note}"
    subject = _("%(headline)s: %(title)s") % {"headline": headline, "title": label}
    return subject, f"{sentence}\n\n{detail}" if detail else sentence


def _in_english[**P, T](function: Callable[P, T]) -> Callable[P, T]:
    """Emails are written in the deployment's language, whatever the actor's page was in."""

    @functools.wraps(function)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> T:
        with translation.override(settings.LANGUAGE_CODE):
            return function(*args, **kwargs)

    return wrapper


def _response_marking(response: Response) -> Marking:
    return highest_marking(response.marking, response.report.marking)


def _response_editors(response: Response) -> QuerySet[User]:
    """The editors of the body who worked on the response: everyone in the history of
    the response or of its entries who may edit now."""
    on_response = Response.history.filter(id=response.pk).values("history_user_id")
    on_entries = ResponseEntry.history.filter(response_id=response.pk).values("history_user_id")
    editors = Membership.objects.editors().active().filter(body_id=response.body_id)
    return get_user_model().objects.filter(
        Q(pk__in=on_response) | Q(pk__in=on_entries), membership__in=editors
    )


# Workflow steps that tell someone, and the kind each one is.
RESPONSE_STEPS = {
    "submit": K.APPROVAL_REQUESTED,
    "approve": K.RESPONSE_DECIDED,
    "return-to-draft": K.RESPONSE_DECIDED,
    "publish": K.RESPONSE_DECIDED,
    "correct": K.RESPONSE_DECIDED,
}


@_in_english
def response_step_notify(
    *, response: Response, step: str, actor: User, reason: str = ""
) -> list[Notification]:
    """After a workflow step: "submit" tells the body's approvers; approval, return to
    draft, publication and a correction tell the editors who worked on the response.
    Other steps tell nobody."""
    kind = RESPONSE_STEPS.get(step)
    if kind is None:
        return []
    title = response.report.title_with_month
    values = {"actor": _name(actor), "title": title}
    detail = ""
    if step == "submit":
        headline = _("Response sent for approval")
        sentence = _("%(actor)s sent the response to %(title)s for approval.") % values
        if response.due_on is not None:
            detail = _("Its statutory last day is %(date)s.") % {
                "date": date_format(response.due_on, "j F Y")
            }
    elif step == "approve":
        headline = _("Response approved")
        sentence = _("%(actor)s approved the response to %(title)s.") % values
        detail = _("It can now be published.")
    elif step == "return-to-draft":
        headline = _("Response returned to draft")
        sentence = _("%(actor)s returned the response to %(title)s to draft.") % values
        detail = _("Why: %(reason)s") % {"reason": reason} if reason else ""
    elif step == "publish":
        headline = _("Response published")
        sentence = _("%(actor)s recorded the publication of the response to %(title)s.") % values
        when = date_format(response.published_on, "j F Y") if response.published_on else ""
        detail = " ".join(
            part
            for part in [
                _("Published on %(date)s.") % {"date": when} if when else "",
                _("Address: %(url)s") % {"url": response.published_url}
                if response.published_url
                else "",
            ]
            if part
        )
    else:  # correct
        headline = _("Correction published")
        sentence = _("%(actor)s published a correction to the response to %(title)s.") % values
        detail = _("Why: %(reason)s") % {"reason": reason} if reason else ""
    marking = _response_marking(response)
    subject, text = _message(
        headline=headline, label=title, sentence=sentence, detail=detail, marking=marking
    )
    if kind == K.APPROVAL_REQUESTED:
        approvers = Membership.objects.approvers().active().filter(body_id=response.body_id)
        recipients = get_user_model().objects.filter(membership__in=approvers)
    else:
        recipients = _response_editors(response)
    return notify(
        kind,
        recipients=recipients,
        subject=subject,
        text=text,
        url=reverse("response_detail", args=[response.pk]),
        marking=marking,
        actor=actor,
    )


def _action_marking(action: AssuranceAction) -> Marking:
    """An action takes the highest marking of its response and of the reports of the
    findings it serves. One query."""
    marked = AssuranceAction.objects.filter(pk=action.pk).filter(
        Q(response__marking=SENSITIVE)
        | Q(response__report__marking=SENSITIVE)
        | Q(findings__report__marking=SENSITIVE)
    )
    return SENSITIVE if marked.exists() else Marking.OFFICIAL


def _last_changed_by(action: AssuranceAction) -> User | None:
    """Who saved the action's latest version, as its history records it (the signed-in
    user of the request that saved it; nobody for the demo data or a script)."""
    row = action.history.select_related("history_user").first()
    return row.history_user if row is not None else None


@_in_english
def action_owner_notify(
    *, action: AssuranceAction, owner_changed: bool = True
) -> list[Notification]:
    """After an action is created, or saved with `owner_changed`: tells its new owner,
    unless they made themselves the owner."""
    if action.owner_id is None or not owner_changed:
        return []
    actor = _last_changed_by(action)
    marking = _action_marking(action)
    values = {"actor": _name(actor), "title": action.title}
    subject, text = _message(
        headline=_("Action assigned to you"),
        label=action.title,
        sentence=_("%(actor)s made you the owner of the action “%(title)s”.") % values,
        detail=_("Its target date is %(date)s.") % {"date": date_format(action.target_on, "j F Y")},
        marking=marking,
    )
    return notify(
        K.ACTION_ASSIGNED,
        recipients=get_user_model().objects.filter(
            pk=action.owner_id, membership__body_id=action.body_id
        ),
        subject=subject,
        text=text,
        url=reverse("action_detail", args=[action.pk]),
        marking=marking,
        actor=actor,
    )


def _office_staff_for(action: AssuranceAction) -> QuerySet[User]:
    """Who in the office hears of a force contributor's update: the body's editors who
    worked on the action (its history, its updates) or own it; if none did, all of the
    body's editors."""
    editors = Membership.objects.editors().active().filter(body_id=action.body_id)
    staff = get_user_model().objects.filter(membership__in=editors)
    worked = AssuranceAction.history.filter(id=action.pk).values("history_user_id")
    wrote = ProgressUpdate.objects.filter(action_id=action.pk).values("author_id")
    involved = staff.filter(Q(pk__in=worked) | Q(pk__in=wrote) | Q(pk=action.owner_id))
    return involved if involved.exists() else staff


@_in_english
def progress_update_notify(*, update: ProgressUpdate) -> list[Notification]:
    """After a progress update: a force contributor's tells the office staff who need to
    know (`_office_staff_for`). The office's own updates tell nobody."""
    membership = getattr(update.author, "membership", None)
    if membership is None or not membership.is_contributor:
        return []
    action = update.action
    marking = _action_marking(action)
    values = {"actor": _name(update.author), "title": action.title}
    facts = [update.text]
    if update.status:
        facts.append(_("Status: %(status)s.") % {"status": update.get_status_display()})
    if update.percent_complete is not None:
        facts.append(_("Percent complete: %(percent)d%%.") % {"percent": update.percent_complete})
    subject, text = _message(
        headline=_("Progress update from the force"),
        label=action.title,
        sentence=_(
            "%(actor)s (force contributor) posted a progress update on the action “%(title)s”."
        )
        % values,
        detail="\n\n".join(facts),
        marking=marking,
    )
    return notify(
        K.ACTION_UPDATED,
        recipients=_office_staff_for(action),
        subject=subject,
        text=text,
        url=reverse("action_detail", args=[action.pk]) + "#timeline",
        marking=marking,
        actor=update.author,
    )
