"""Daily reminder emails: which reminders are due, and sending each one exactly once.

Thresholds are crossed, not hit: a reminder is due whenever a record is at or past its
threshold, so a day the job did not run loses nothing. Each record has a ladder of
reminders, least urgent first. Only the most urgent rung reached is sent, and a rung is
skipped for a person who has already been sent it or anything more urgent for the same
record: a response that jumps from 20 days left to 5 gets "7 days" only, and never the
"14 days" one afterwards, even if its dates are edited back.

`ReminderSent` is the record of what went out; its unique (recipient, key) pair is what
makes "never the same reminder twice" hold when two workers race.

The digest also carries the person's notifications waiting for it (`Notification` rows
not yet sent: those they chose to get daily, and any immediate one that could not be
sent), and it respects their choice for reminders (`NotificationKind.REMINDERS`: none
means no reminders; "at once" means the digest, reminders being daily by nature). A
notification is claimed by a conditional update of its `sent_at` in the same
transaction as the send, so racing workers send it once and a failed send leaves it for
the next run. The notification emails themselves are built and sent here too
(`send_notification`), so that the digest and the immediate email look alike.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .models import (
    DEFAULT_DELIVERY,
    OPEN_ACTION_STATUSES,
    AssuranceAction,
    Delivery,
    Marking,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    PolicingBody,
    ReminderKind,
    ReminderSent,
    Response,
    ResponseStatus,
    highest_marking,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import User

logger = logging.getLogger(__name__)

# Days left on the statutory clock at which each response reminder becomes due.
RESPONSE_DUE_THRESHOLDS = (14, 7, 2)
CHIEF_REPLY_DAYS_AHEAD = 3
ACTION_TARGET_DAYS_AHEAD = 14

# Ladders, least urgent first: (key suffix, kind).
type Ladder = tuple[tuple[str, ReminderKind], ...]
RESPONSE_LADDER: Ladder = (
    *((f"due-{days}", ReminderKind.RESPONSE_DUE) for days in RESPONSE_DUE_THRESHOLDS),
    ("overdue", ReminderKind.RESPONSE_OVERDUE),
)
CHIEF_LADDER: Ladder = (
    ("chief-reply-by", ReminderKind.CHIEF_REPLY_DUE),
    ("chief-reply-overdue", ReminderKind.CHIEF_REPLY_OVERDUE),
)
ACTION_LADDER: Ladder = (
    ("target-soon", ReminderKind.ACTION_TARGET_SOON),
    ("target-passed", ReminderKind.ACTION_TARGET_PASSED),
)

# The order of the groups in a digest: most urgent first.
KIND_ORDER = list(ReminderKind)


@dataclass(frozen=True)
class Reminder:
    key: str
    kind: ReminderKind
    label: str  # the record's title
    date: dt.date  # the date the reminder is about
    url: str  # absolute, for the email
    body: PolicingBody
    detail: str = ""  # one line for the email, e.g. "Due 12 December 2026: in 7 days"
    marking: Marking = Marking.OFFICIAL


def response_level(days_left: int) -> int | None:
    """The rung of RESPONSE_LADDER reached with this many days left, if any."""
    if days_left < 0:
        return len(RESPONSE_DUE_THRESHOLDS)
    reached = [i for i, days in enumerate(RESPONSE_DUE_THRESHOLDS) if days_left <= days]
    return reached[-1] if reached else None


def chief_level(days_left: int) -> int | None:
    if days_left < 0:
        return 1
    return 0 if days_left <= CHIEF_REPLY_DAYS_AHEAD else None


def action_level(days_left: int) -> int | None:
    if days_left < 0:
        return 1
    return 0 if days_left <= ACTION_TARGET_DAYS_AHEAD else None


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _long(date: dt.date) -> str:
    return date_format(date, "j F Y")


def digest_time() -> dt.time:
    """settings.DIGEST_AT ("HH:MM", local time): when the daily digest goes out. A value
    that is not a time fails loudly."""
    raw = str(settings.DIGEST_AT).strip()
    try:
        hours, minutes = raw.split(":")
        return dt.time(int(hours), int(minutes))
    except ValueError:
        raise ImproperlyConfigured(f"DIGEST_AT must be a time as HH:MM, not {raw!r}.") from None


def marked_subject(subject: str, marking: Marking) -> str:
    """Government Security Classifications: an OFFICIAL-SENSITIVE email's marking leads
    its subject line. (Every email states its marking at its top and bottom.)"""
    return f"{marking.label}: {subject}" if marking == Marking.OFFICIAL_SENSITIVE else subject


def _when(date: dt.date, today: dt.date) -> str:
    days = (date - today).days
    if days == 0:
        return _("today")
    if days > 0:
        return ngettext("in %(days)d day", "in %(days)d days", days) % {"days": days}
    return ngettext("%(days)d day ago", "%(days)d days ago", -days) % {"days": -days}


def _detail(kind: ReminderKind, date: dt.date, today: dt.date) -> str:
    values = {"date": _long(date), "when": _when(date, today)}
    if kind in {ReminderKind.RESPONSE_DUE, ReminderKind.CHIEF_REPLY_DUE}:
        return _("Due %(date)s: %(when)s") % values
    if kind in {ReminderKind.RESPONSE_OVERDUE, ReminderKind.CHIEF_REPLY_OVERDUE}:
        return _("Was due %(date)s: %(when)s") % values
    if kind == ReminderKind.ACTION_TARGET_SOON:
        return _("Target date %(date)s: %(when)s") % values
    return _("Target date was %(date)s: %(when)s") % values


@dataclass
class _Candidate:
    """A record at some rung of its ladder, and who should hear about it."""

    prefix: str
    ladder: Ladder
    level: int
    recipients: list[User]
    label: str
    date: dt.date
    url: str
    body: PolicingBody
    marking: Marking = Marking.OFFICIAL

    def ladder_keys(self) -> list[str]:
        return [f"{self.prefix}:{suffix}" for suffix, _kind in self.ladder]


def _candidates(today: dt.date) -> list[_Candidate]:
    """Every record at a rung today, with its recipients. Three queries."""
    first_threshold = max(RESPONSE_DUE_THRESHOLDS)
    # Only responses with a clock: without the s55 duty there is nothing to chase.
    responses = list(
        Response.objects.running()
        .filter(
            # days left at or below the first threshold, overdue ones included
            Q(due_on__lte=today + dt.timedelta(days=first_threshold))
            | Q(
                status=ResponseStatus.COMMENTS_REQUESTED,
                chief_reply_by__lte=today + dt.timedelta(days=CHIEF_REPLY_DAYS_AHEAD),
            )
        )
        .select_related("report", "body")
        .order_by("pk")
    )
    actions = list(
        AssuranceAction.objects.filter(
            status__in=OPEN_ACTION_STATUSES,
            target_on__lte=today + dt.timedelta(days=ACTION_TARGET_DAYS_AHEAD),
        )
        .select_related("body", "owner__membership")
        .order_by("pk")
    )
    body_ids = {r.body_id for r in responses} | {a.body_id for a in actions}
    editors: dict[int, list[User]] = defaultdict(list)
    memberships = (
        Membership.objects.editors()
        .filter(body_id__in=body_ids, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("user_id")
    )
    for membership in memberships:
        editors[membership.body_id].append(membership.user)

    candidates: list[_Candidate] = []
    for response in responses:
        candidates += _response_candidates(response, today, editors[response.body_id])
    for action in actions:
        level = action_level((action.target_on - today).days)
        if level is None:
            continue
        candidates.append(
            _Candidate(
                prefix=f"action:{action.pk}",
                ladder=ACTION_LADDER,
                level=level,
                recipients=_action_recipients(action, editors[action.body_id]),
                label=action.title,
                date=action.target_on,
                url=_absolute(reverse("action_detail", args=[action.pk])),
                body=action.body,
            )
        )
    return candidates


def _response_candidates(
    response: Response, today: dt.date, editors: list[User]
) -> list[_Candidate]:
    """The statutory clock and the chief officer's reply-by date are separate ladders."""
    rungs: list[tuple[Ladder, int, dt.date]] = []
    days_left, due = response.days_left(today), response.due_on
    if days_left is not None and due is not None:
        level = response_level(days_left)
        if level is not None:
            rungs.append((RESPONSE_LADDER, level, due))
    reply_by = response.chief_reply_by
    if response.status == ResponseStatus.COMMENTS_REQUESTED and reply_by is not None:
        level = chief_level((reply_by - today).days)
        if level is not None:
            rungs.append((CHIEF_LADDER, level, reply_by))
    return [
        _Candidate(
            prefix=f"response:{response.pk}",
            ladder=ladder,
            level=level,
            recipients=editors,
            label=response.report.title_with_month,
            date=date,
            url=_absolute(reverse("response_detail", args=[response.pk])),
            body=response.body,
            marking=highest_marking(response.marking, response.report.marking),
        )
        for ladder, level, date in rungs
    ]


def _action_recipients(action: AssuranceAction, editors: list[User]) -> list[User]:
    """The owner, if they are an active member of the action's body with an email
    address; otherwise the body's editors and approvers."""
    owner = action.owner
    if owner is not None and owner.is_active and owner.email:
        membership = getattr(owner, "membership", None)
        if membership is not None and membership.body_id == action.body_id:
            return [owner]
    return editors


def due_reminders(*, today: dt.date) -> dict[User, list[Reminder]]:
    """What each person should be reminded of today that they have not been already.
    Four queries, however many records there are."""
    candidates = _candidates(today)
    all_keys = {key for candidate in candidates for key in candidate.ladder_keys()}
    sent = set(ReminderSent.objects.filter(key__in=all_keys).values_list("recipient_id", "key"))
    due: dict[User, list[Reminder]] = {}
    for candidate in candidates:
        keys = candidate.ladder_keys()
        key = keys[candidate.level]
        kind = candidate.ladder[candidate.level][1]
        reminder = Reminder(
            key=key,
            kind=kind,
            label=candidate.label,
            date=candidate.date,
            url=candidate.url,
            body=candidate.body,
            detail=_detail(kind, candidate.date, today),
            marking=candidate.marking,
        )
        for user in candidate.recipients:
            if any((user.pk, k) in sent for k in keys[candidate.level :]):
                continue
            due.setdefault(user, []).append(reminder)
    return due


@dataclass(frozen=True)
class SendResult:
    emails: int = 0
    reminders: int = 0
    failed: int = 0  # digests that could not be sent; retried on the next run
    sent_to: tuple[tuple[str, int], ...] = field(default=())  # (address, reminders + updates)
    notifications: int = 0  # notifications that went in the digests

    def as_dict(self) -> dict[str, int]:
        return {"emails": self.emails, "reminders": self.reminders, "failed": self.failed}


def _heading(kind: ReminderKind, count: int) -> str:
    K = ReminderKind
    return {
        K.RESPONSE_OVERDUE: ngettext("Response overdue", "Responses overdue", count),
        K.CHIEF_REPLY_OVERDUE: ngettext(
            "Chief officer's comments overdue", "Chief officers' comments overdue", count
        ),
        K.RESPONSE_DUE: ngettext("Response due soon", "Responses due soon", count),
        K.CHIEF_REPLY_DUE: ngettext(
            "Chief officer's comments due soon", "Chief officers' comments due soon", count
        ),
        K.ACTION_TARGET_PASSED: ngettext(
            "Action past its target date", "Actions past their target dates", count
        ),
        K.ACTION_TARGET_SOON: ngettext(
            "Action target date approaching", "Action target dates approaching", count
        ),
    }[kind]


def _groups(reminders: Iterable[Reminder]) -> list[tuple[str, list[Reminder]]]:
    """(heading, reminders) in KIND_ORDER, each group soonest date first."""
    by_kind: dict[ReminderKind, list[Reminder]] = defaultdict(list)
    for reminder in reminders:
        by_kind[reminder.kind].append(reminder)
    return [
        (
            _heading(kind, len(by_kind[kind])),
            sorted(by_kind[kind], key=lambda r: (r.date, r.label, r.key)),
        )
        for kind in KIND_ORDER
        if by_kind[kind]
    ]


def _digest_subject(reminders: int, updates: int, today: dt.date) -> str:
    date = _long(today)
    if not updates:
        return ngettext(
            "PCC Responses: %(count)d reminder for %(date)s",
            "PCC Responses: %(count)d reminders for %(date)s",
            reminders,
        ) % {"count": reminders, "date": date}
    if not reminders:
        return ngettext(
            "PCC Responses: %(count)d update for %(date)s",
            "PCC Responses: %(count)d updates for %(date)s",
            updates,
        ) % {"count": updates, "date": date}
    return _("PCC Responses: %(reminders)s and %(updates)s for %(date)s") % {
        "reminders": ngettext("%(count)d reminder", "%(count)d reminders", reminders)
        % {"count": reminders},
        "updates": ngettext("%(count)d update", "%(count)d updates", updates) % {"count": updates},
        "date": date,
    }


@dataclass(frozen=True)
class _Update:
    """A notification as an email lists it."""

    subject: str
    text: str
    url: str  # absolute, or "" for none


def _update(notification: Notification) -> _Update:
    url = _absolute(notification.url) if notification.url else ""
    return _Update(subject=notification.subject, text=notification.text, url=url)


def _email(
    *, user: User, subject: str, template: str, context: dict[str, object]
) -> EmailMultiAlternatives:
    """A plain-text email with its HTML alternative, both from `template`.txt/.html."""
    context = {
        "name": user.get_full_name() or user.get_username(),
        "site_url": settings.SITE_URL,
        "preferences_url": _absolute(reverse("notification_preferences")),
        **context,
    }
    message = EmailMultiAlternatives(
        subject=subject, body=render_to_string(f"{template}.txt", context), to=[user.email]
    )
    message.attach_alternative(render_to_string(f"{template}.html", context), "text/html")
    return message


def digest_message(
    user: User,
    reminders: list[Reminder],
    today: dt.date,
    notifications: Sequence[Notification] = (),
) -> EmailMultiAlternatives:
    """One email listing all of a person's reminders for the day, grouped by kind, and
    the notifications waiting for their digest, oldest first."""
    marking = highest_marking(*(r.marking for r in reminders), *(n.marking for n in notifications))
    subject = _digest_subject(len(reminders), len(notifications), today)
    context: dict[str, object] = {
        "today": today,
        "count": len(reminders),
        "groups": _groups(reminders),
        "updates": [_update(n) for n in notifications],
        "marking": marking.label,
    }
    return _email(
        user=user,
        subject=marked_subject(subject, marking),
        template="emails/reminder_digest",
        context=context,
    )


def notification_message(notification: Notification) -> EmailMultiAlternatives:
    """The email for one notification, sent at once. Its text was written by
    `services.notify`, which leaves OFFICIAL-SENSITIVE detail out."""
    marking = Marking(notification.marking)
    return _email(
        user=notification.user,
        subject=marked_subject(notification.subject, marking),
        template="emails/notification",
        context={"update": _update(notification), "marking": marking.label},
    )


def _claim(notification_id: int) -> bool:
    """Marks a notification sent, unless someone already did: the conditional update is
    what makes "sent once" hold between racing workers. Call it inside the transaction
    that sends, so a failed send leaves the notification unsent."""
    unsent = Notification.objects.filter(pk=notification_id, sent_at__isnull=True)
    return unsent.update(sent_at=timezone.now()) == 1


def send_notification(*, notification_id: int) -> bool:
    """Email one notification now, unless it has gone already (in a digest, or by another
    worker) or its person is no longer active or has no address. True if it was sent;
    a failed send raises and leaves it unsent, for the next digest."""
    with translation.override(settings.LANGUAGE_CODE), transaction.atomic():
        notification = (
            Notification.objects.filter(
                pk=notification_id, sent_at__isnull=True, user__is_active=True
            )
            .exclude(user__email="")
            .select_related("user")
            .first()
        )
        if notification is None or not _claim(notification.pk):
            return False
        notification_message(notification).send()
    return True


def pending_notifications() -> dict[int, list[Notification]]:
    """What waits for each person's digest, by user id, oldest first: every unsent
    notification (chosen for the digest, or immediate but not sent) of an active person
    with an address. One query."""
    pending: dict[int, list[Notification]] = defaultdict(list)
    rows = (
        Notification.objects.filter(sent_at__isnull=True, user__is_active=True)
        .exclude(user__email="")
        .select_related("user")
        .order_by("created_at", "pk")
    )
    for notification in rows:
        pending[notification.user_id].append(notification)
    return pending


def _wanting_reminders(due: dict[User, list[Reminder]]) -> dict[User, list[Reminder]]:
    """Without the people who chose not to be reminded. "At once" counts as the digest:
    reminders are worked out once a day. One query, if anyone is due anything."""
    if not due:
        return due
    kind = NotificationKind.REMINDERS
    chosen = dict(
        NotificationPreference.objects.filter(kind=kind).values_list("user_id", "delivery")
    )
    return {
        user: reminders
        for user, reminders in due.items()
        if chosen.get(user.pk, DEFAULT_DELIVERY[kind]) != Delivery.NONE
    }


def _send_digest(
    user: User, reminders: list[Reminder], notifications: list[Notification], today: dt.date
) -> int | None:
    """Record the reminders and claim the notifications, then send; a failed send rolls
    both back, so the next run tries again. A clash on (recipient, key) means another run
    got there first. The number of notifications sent, or None if nothing was left."""
    with transaction.atomic():
        ReminderSent.objects.bulk_create(
            [
                ReminderSent(
                    recipient=user,
                    key=reminder.key,
                    kind=reminder.kind,
                    body=reminder.body,
                    subject_label=reminder.label[:500],
                    sent_on=today,
                )
                for reminder in reminders
            ]
        )
        claimed = [n for n in notifications if _claim(n.pk)]
        if not reminders and not claimed:
            return None
        digest_message(user, reminders, today, claimed).send()
    return len(claimed)


def send_reminders(*, today: dt.date | None = None) -> SendResult:
    """Send each person one digest of what is due today and of their waiting
    notifications, and record it. Each digest is its own transaction: one bad address
    does not hold up everyone else's."""
    today = today or timezone.localdate()
    emails = reminders_sent = notifications_sent = failed = 0
    sent_to: list[tuple[str, int]] = []
    with translation.override(settings.LANGUAGE_CODE):
        due = {
            user.pk: (user, rs)
            for user, rs in _wanting_reminders(due_reminders(today=today)).items()
        }
        pending = pending_notifications()
        people = {pk: user for pk, (user, _rs) in due.items()}
        for user_id, waiting in pending.items():
            people.setdefault(user_id, waiting[0].user)
        for user in sorted(people.values(), key=lambda u: (u.email, u.pk)):
            reminders = due[user.pk][1] if user.pk in due else []
            try:
                updates = _send_digest(user, reminders, pending.get(user.pk, []), today)
            except IntegrityError:
                logger.info("Reminders for user %s were sent by another run.", user.pk)
                continue
            except Exception:
                logger.exception("Could not send reminders to user %s; will retry.", user.pk)
                failed += 1
                continue
            if updates is None:
                continue
            emails += 1
            reminders_sent += len(reminders)
            notifications_sent += updates
            sent_to.append((user.email, len(reminders) + updates))
    return SendResult(
        emails=emails,
        reminders=reminders_sent,
        failed=failed,
        sent_to=tuple(sent_to),
        notifications=notifications_sent,
    )
