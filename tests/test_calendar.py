"""The private calendar feed: made, replaced and revoked on the account page; the .ics is
valid iCalendar (folded, escaped, all-day), scoped to the person's body and role."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from inspections.meetings import escape, fold
from inspections.models import ActionStatus, CalendarFeed, Forum, Marking, Meeting
from inspections.models.people import token_digest

from .factories import ActionFactory, ResponseFactory


def make_feed(client: Client) -> str:
    page = client.post("/account/calendar/", {"action": "create"}).text
    match = re.search(r"/calendar/(cal_[A-Za-z0-9_-]+)\.ics", page)
    assert match
    return match.group(1)


def unfold(text: str) -> list[str]:
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    return text.replace("\r\n ", "").split("\r\n")


def events(text: str) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for line in unfold(text):
        if line == "BEGIN:VEVENT":
            found.append({})
        elif found and ":" in line and line != "END:VEVENT":
            name, value = line.split(":", 1)
            found[-1][name] = value
    return found


def summaries(text: str) -> list[str]:
    return [event["SUMMARY"] for event in events(text)]


def test_making_an_address_shows_it_once_and_stores_only_its_digest(alice_client, alice):
    secret = make_feed(alice_client)
    feed = CalendarFeed.objects.get()
    assert feed.digest == token_digest(secret)
    assert secret not in alice_client.get("/account/calendar/").text


def test_the_account_page_links_to_the_calendar_page(alice_client, cora_client):
    assert "/account/calendar/" in alice_client.get("/account/").text
    assert "/account/calendar/" in cora_client.get("/account/").text


def test_the_feed_needs_no_session_and_says_it_is_a_calendar(alice_client):
    secret = make_feed(alice_client)
    response = Client().get(f"/calendar/{secret}.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    assert response["Cache-Control"] == "no-store"
    text = response.content.decode()
    assert text.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert text.endswith("END:VCALENDAR\r\n")
    assert CalendarFeed.objects.get().last_used_at is not None


def test_the_feed_refuses_post(alice_client):
    secret = make_feed(alice_client)
    assert Client().post(f"/calendar/{secret}.ics").status_code in (403, 405)


def test_an_unknown_secret_is_not_found(db):
    assert Client().get("/calendar/cal_nothing.ics").status_code == 404


def test_replacing_revokes_the_old_address(alice_client):
    old = make_feed(alice_client)
    new = make_feed(alice_client)
    assert Client().get(f"/calendar/{old}.ics").status_code == 404
    assert Client().get(f"/calendar/{new}.ics").status_code == 200


def test_a_revoked_address_is_not_found(alice_client):
    secret = make_feed(alice_client)
    alice_client.post("/account/calendar/", {"action": "revoke"})
    assert Client().get(f"/calendar/{secret}.ics").status_code == 404


def test_a_deactivated_persons_address_is_not_found(alice_client, alice):
    secret = make_feed(alice_client)
    alice.user.is_active = False
    alice.user.save()
    assert Client().get(f"/calendar/{secret}.ics").status_code == 404


@pytest.fixture
def records(alice, olly):
    today = timezone.localdate()
    response = ResponseFactory.create(report__body=alice.body)
    response.due_on = today + dt.timedelta(days=20)
    response.chief_reply_by = today + dt.timedelta(days=10)
    response.save()
    ActionFactory.create(
        body=alice.body, title="Review vetting, then; report\\back", target_on=today
    )
    ActionFactory.create(body=alice.body, title="Done already", status=ActionStatus.COMPLETE)
    Meeting.objects.create(
        body=alice.body,
        name="Accountability board",
        kind=Forum.ACCOUNTABILITY_BOARD,
        held_on=today + dt.timedelta(days=30),
        notes="Room 1\nBring papers",
    )
    ActionFactory.create(body=olly.body, title="Outsider action")
    Meeting.objects.create(body=olly.body, name="Outsider board", kind=Forum.OTHER, held_on=today)
    return response


def test_the_feed_holds_the_bodys_deadlines_as_all_day_events(alice_client, records):
    text = Client().get(f"/calendar/{make_feed(alice_client)}.ics").content.decode()
    found = events(text)
    names = [event["SUMMARY"] for event in found]
    assert any(name.startswith("Response due: ") for name in names)
    assert any(name.startswith("Chief officer reply by: ") for name in names)
    assert "Action target: Review vetting\\, then\\; report\\\\back" in names
    assert "Accountability board" in names
    assert not any("Outsider" in name or "Done already" in name for name in names)
    meeting = next(e for e in found if e["SUMMARY"] == "Accountability board")
    day = timezone.localdate() + dt.timedelta(days=30)
    assert meeting["DTSTART;VALUE=DATE"] == day.strftime("%Y%m%d")
    assert meeting["DTEND;VALUE=DATE"] == (day + dt.timedelta(days=1)).strftime("%Y%m%d")
    assert "Room 1\\nBring papers" in meeting["DESCRIPTION"]
    assert meeting["URL"].endswith(
        f"/meetings/{Meeting.objects.get(name='Accountability board').pk}/"
    )
    assert len({event["UID"] for event in found}) == len(found)


def test_the_uids_are_stable(alice_client, records):
    secret = make_feed(alice_client)
    first = [e["UID"] for e in events(Client().get(f"/calendar/{secret}.ics").content.decode())]
    again = [e["UID"] for e in events(Client().get(f"/calendar/{secret}.ics").content.decode())]
    assert first == again


def test_sensitive_records_get_a_neutral_summary(alice_client, records):
    records.marking = Marking.OFFICIAL_SENSITIVE
    records.save()
    ActionFactory.create(body=records.body, title="Secret operation", response=records)
    text = Client().get(f"/calendar/{make_feed(alice_client)}.ics").content.decode()
    assert records.report.title not in text
    assert "Secret operation" not in text
    assert "OFFICIAL-SENSITIVE" in text


def test_a_force_contributor_gets_only_their_own_actions(cora_client, cora, records):
    ActionFactory.create(body=cora.body, title="Cora's own", owner=cora.user)
    text = Client().get(f"/calendar/{make_feed(cora_client)}.ics").content.decode()
    assert summaries(text) == ["Action target: Cora's own"]


def test_the_feed_keeps_its_queries_constant(alice_client, alice, django_assert_max_num_queries):
    secret = make_feed(alice_client)
    anonymous = Client()
    with django_assert_max_num_queries(12) as small:
        anonymous.get(f"/calendar/{secret}.ics")
    for n in range(20):
        response = ResponseFactory.create(report__body=alice.body)
        response.chief_reply_by = timezone.localdate()
        response.save()
        ActionFactory.create(body=alice.body, response=response)
        Meeting.objects.create(
            body=alice.body, name=f"Board {n}", kind=Forum.OTHER, held_on=timezone.localdate()
        )
    with django_assert_max_num_queries(len(small.captured_queries)):
        anonymous.get(f"/calendar/{secret}.ics")


def test_text_is_escaped():
    assert escape("a\\b;c,d\ne") == "a\\\\b\\;c\\,d\\ne"


def test_long_lines_fold_at_75_octets_without_splitting_a_character():
    line = "SUMMARY:" + "é" * 100
    folded = fold(line)
    parts = folded.split("\r\n")
    assert all(len(part.encode()) <= 75 for part in parts)
    assert all(part.startswith(" ") for part in parts[1:])
    assert "".join(part[1:] if i else part for i, part in enumerate(parts)) == line
