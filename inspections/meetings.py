"""Which meeting the body last held and which it holds next: the dashboard's "since" and
"due before" default to them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import (
    CLOSED_STATUSES,
    OPEN_ACTION_STATUSES,
    AssuranceAction,
    Marking,
    Meeting,
    Membership,
    PolicingBody,
    Response,
)


def last_meeting(body: PolicingBody, today: dt.date) -> Meeting | None:
    """The latest meeting held before today."""
    return Meeting.objects.filter(body=body).held_before(today).first()


def next_meeting(body: PolicingBody, today: dt.date) -> Meeting | None:
    """The soonest meeting today or later."""
    return Meeting.objects.filter(body=body).on_or_after(today).first()


# The calendar feed: iCalendar (RFC 5545), written by hand.


def _neutral() -> str:
    return _("An OFFICIAL-SENSITIVE record")


def escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 3.3.11): backslash, semicolon, comma, newlines."""
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\r", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """A content line folded at 75 octets (RFC 5545 3.1), never inside a UTF-8 character:
    each continuation starts with one space, which counts towards its 75."""
    out: list[str] = []
    current = ""
    size = 0
    limit = 75
    for char in line:
        width = len(char.encode())
        if size + width > limit:
            out.append(current)
            current, size, limit = " ", 1, 75
        current += char
        size += width
    out.append(current)
    return "\r\n".join(out)


@dataclass(frozen=True)
class Event:
    uid: str
    day: dt.date
    summary: str
    description: str
    url: str


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _host() -> str:
    return urlsplit(settings.SITE_URL).hostname or "pcc-responses"


def events(*, membership: Membership, actions: QuerySet[AssuranceAction]) -> list[Event]:
    """The deadlines a member's calendar shows: open responses' statutory due dates and
    chief officer reply-by dates, open actions' target dates, and the body's meetings. A
    force contributor gets only their own actions. Records marked OFFICIAL-SENSITIVE (or
    of a report so marked) get a neutral summary. Three queries whatever the data."""
    host = _host()
    found: list[Event] = []
    sensitive = Marking.OFFICIAL_SENSITIVE
    if not membership.is_contributor:
        responses = (
            Response.objects.filter(body=membership.body)
            .exclude(status__in=CLOSED_STATUSES)
            .filter(Q(due_on__isnull=False) | Q(chief_reply_by__isnull=False))
            .select_related("report")
            .only("pk", "due_on", "chief_reply_by", "marking", "report__title", "report__marking")
        )
        for response in responses:
            secret = sensitive in (response.marking, response.report.marking)
            title = _neutral() if secret else response.report.title
            url = _site(reverse("response_detail", args=[response.pk]))
            if response.due_on:
                found.append(
                    Event(
                        uid=f"response-{response.pk}-due@{host}",
                        day=response.due_on,
                        summary=_("Response due: %(title)s") % {"title": title},
                        description=str(_("The statutory date for the body’s response.")),
                        url=url,
                    )
                )
            if response.chief_reply_by:
                found.append(
                    Event(
                        uid=f"response-{response.pk}-chief-reply@{host}",
                        day=response.chief_reply_by,
                        summary=_("Chief officer reply by: %(title)s") % {"title": title},
                        description=str(_("The date the chief officer was asked to reply by.")),
                        url=url,
                    )
                )
    open_actions = (
        actions.filter(status__in=OPEN_ACTION_STATUSES)
        .select_related("response__report")
        .only(
            "pk",
            "title",
            "target_on",
            "status",
            "response__marking",
            "response__report__marking",
        )
    )
    for action in open_actions:
        markings = (
            (action.response.marking, action.response.report.marking) if action.response else ()
        )
        title = _neutral() if sensitive in markings else action.title
        found.append(
            Event(
                uid=f"action-{action.pk}-target@{host}",
                day=action.target_on,
                summary=_("Action target: %(title)s") % {"title": title},
                description=str(_("The date the action is to be done by.")),
                url=_site(reverse("action_detail", args=[action.pk])),
            )
        )
    if not membership.is_contributor:
        for meeting in Meeting.objects.filter(body=membership.body).only(
            "pk", "name", "kind", "held_on", "notes"
        ):
            found.append(
                Event(
                    uid=f"meeting-{meeting.pk}@{host}",
                    day=meeting.held_on,
                    summary=meeting.name,
                    description=f"{meeting.get_kind_display()}\n{meeting.notes}".strip(),
                    url=_site(reverse("meeting_detail", args=[meeting.pk])),
                )
            )
    found.sort(key=lambda event: (event.day, event.uid))
    return found


def feed_text(*, membership: Membership, actions: QuerySet[AssuranceAction]) -> str:
    """The member's calendar as iCalendar text, lines ending CRLF."""
    stamp = timezone.now().astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//PCC Responses//Deadlines//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        "X-WR-CALNAME:" + escape(_("%(body)s deadlines") % {"body": membership.body.name}),
    ]
    for event in events(membership=membership, actions=actions):
        lines += [
            "BEGIN:VEVENT",
            "UID:" + event.uid,
            "DTSTAMP:" + stamp,
            "DTSTART;VALUE=DATE:" + event.day.strftime("%Y%m%d"),
            "DTEND;VALUE=DATE:" + (event.day + dt.timedelta(days=1)).strftime("%Y%m%d"),
            "SUMMARY:" + escape(event.summary),
            "DESCRIPTION:" + escape(event.description),
            "URL:" + event.url,
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
