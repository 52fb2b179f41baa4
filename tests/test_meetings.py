"""The body's meetings: list, add, page, edit (version-checked), delete (not once packs were
built for it)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.test import Client
from django.utils import timezone

from inspections.meetings import last_meeting, next_meeting
from inspections.models import BoardPack, Forum, Meeting

from .conftest import signed_in


def meeting(body, name: str, days: int, kind: str = Forum.ACCOUNTABILITY_BOARD) -> Meeting:
    return Meeting.objects.create(
        body=body, name=name, kind=kind, held_on=timezone.localdate() + dt.timedelta(days=days)
    )


def form(day: dt.date | None = None, **extra: str) -> dict[str, str]:
    day = day or timezone.localdate() + dt.timedelta(days=14)
    data = {
        "submission_key": str(uuid.uuid4()),
        "name": "Accountability board, spring",
        "kind": Forum.ACCOUNTABILITY_BOARD,
        "held_on-day": str(day.day),
        "held_on-month": str(day.month),
        "held_on-year": str(day.year),
        "notes": "Look at vetting",
        "version": "1",
    }
    data.update(extra)
    return data


@pytest.fixture
def pat_client(pat) -> Client:
    return signed_in(pat)


def test_the_list_shows_upcoming_soonest_first_then_past_newest_first(alice_client, alice):
    for name, days in [("Far", 60), ("Soon", 5), ("Old", -90), ("Recent", -10)]:
        meeting(alice.body, name, days)
    page = alice_client.get("/meetings/").text
    order = [page.index(name) for name in ("Soon", "Far", "Recent", "Old")]
    assert order == sorted(order)


def test_the_list_shows_no_other_bodys_meetings(alice_client, olly):
    meeting(olly.body, "Their board", 5)
    assert "Their board" not in alice_client.get("/meetings/").text


def test_the_list_keeps_its_queries_constant(alice_client, alice, django_assert_max_num_queries):
    for n in range(3):
        meeting(alice.body, f"Board {n}", n - 1)
    with django_assert_max_num_queries(12) as small:
        alice_client.get("/meetings/")
    for n in range(30):
        meeting(alice.body, f"More {n}", n - 15)
    with django_assert_max_num_queries(len(small.captured_queries)):
        alice_client.get("/meetings/")


def test_an_editor_adds_a_meeting_and_lands_on_its_page(alice_client, alice):
    response = alice_client.post("/meetings/new/", form())
    created = Meeting.objects.get()
    assert response.status_code == 302
    assert response.url == f"/meetings/{created.pk}/"
    assert created.body == alice.body
    assert created.history.first().history_user == alice.user


def test_a_bad_date_is_refused_with_a_linked_summary_and_the_text_kept(alice_client):
    data = form()
    data["held_on-month"] = "13"
    response = alice_client.post("/meetings/new/", data)
    assert response.status_code == 422
    assert 'href="#id_held_on-day"' in response.text or 'href="#id_held_on-month"' in (
        response.text
    )
    assert "govuk-error-summary" in response.text
    assert 'value="Accountability board, spring"' in response.text
    assert "Look at vetting" in response.text
    assert not Meeting.objects.exists()


def test_an_analyst_may_read_but_not_add(ana_client, ana):
    made = meeting(ana.body, "Panel", 3)
    assert ana_client.get(f"/meetings/{made.pk}/").status_code == 200
    assert ana_client.get("/meetings/new/").status_code == 403
    assert ana_client.post("/meetings/new/", form()).status_code == 403


def test_a_force_contributor_does_not_see_meetings(cora_client, cora):
    made = meeting(cora.body, "Panel", 3)
    assert cora_client.get("/meetings/").status_code == 404
    assert cora_client.get(f"/meetings/{made.pk}/").status_code == 404


def test_another_bodys_meeting_is_not_found(alice_client, olly):
    made = meeting(olly.body, "Theirs", 3)
    assert alice_client.get(f"/meetings/{made.pk}/").status_code == 404
    assert alice_client.get(f"/meetings/{made.pk}/edit/").status_code == 404


def test_the_page_links_to_the_dashboard_from_the_previous_meeting_to_this_one(pat_client, pat):
    earlier = meeting(pat.body, "Earlier", -40)
    meeting(pat.body, "Much earlier", -100)
    this = meeting(pat.body, "This", 10)
    page = pat_client.get(f"/meetings/{this.pk}/").text
    assert (
        f"/dashboard/?since={earlier.held_on.isoformat()}&amp;due_before={this.held_on.isoformat()}"
    ) in page
    assert f'name="meeting" value="{this.pk}"' in page
    assert "Build the board pack for this meeting" in page


def test_the_first_meeting_links_to_the_dashboard_without_since(pat_client, pat):
    this = meeting(pat.body, "First", 10)
    page = pat_client.get(f"/meetings/{this.pk}/").text
    assert f"/dashboard/?due_before={this.held_on.isoformat()}" in page


def test_the_page_lists_the_packs_built_for_the_meeting(pat_client, pat):
    this = meeting(pat.body, "This", 10)
    pack = BoardPack.objects.create(
        body=pat.body,
        requested_by=pat.user,
        since=timezone.localdate(),
        meeting=this,
        expires_at=timezone.now() + dt.timedelta(days=365),
    )
    page = pat_client.get(f"/meetings/{this.pk}/").text
    assert f"/board-packs/{pack.pk}/" in page


def test_the_meeting_page_refuses_post(alice_client, alice):
    this = meeting(alice.body, "This", 10)
    assert alice_client.post(f"/meetings/{this.pk}/").status_code == 405


def test_an_editor_edits_a_meeting_and_the_version_moves_on(alice_client, alice):
    this = meeting(alice.body, "This", 10)
    response = alice_client.post(f"/meetings/{this.pk}/edit/", form(name="Renamed"))
    assert response.status_code == 302
    this.refresh_from_db()
    assert (this.name, this.version) == ("Renamed", 2)


def test_a_stale_edit_gets_the_conflict_page_keeping_the_text(alice_client, alice):
    this = meeting(alice.body, "This", 10)
    Meeting.objects.filter(pk=this.pk).update(name="Their name", version=2)
    response = alice_client.post(f"/meetings/{this.pk}/edit/", form(name="My name"))
    assert response.status_code == 409
    assert "Someone else changed this meeting" in response.text
    assert 'value="My name"' in response.text
    this.refresh_from_db()
    assert this.name == "Their name"


def test_a_meeting_without_packs_is_deleted_after_confirming(alice_client, alice):
    this = meeting(alice.body, "This", 10)
    assert "Delete meeting" in alice_client.get(f"/meetings/{this.pk}/delete/").text
    response = alice_client.post(f"/meetings/{this.pk}/delete/")
    assert response.status_code == 302
    assert not Meeting.objects.exists()


def test_a_meeting_with_packs_is_not_deleted(alice_client, alice):
    this = meeting(alice.body, "This", 10)
    BoardPack.objects.create(
        body=alice.body,
        requested_by=alice.user,
        since=timezone.localdate(),
        meeting=this,
        expires_at=timezone.now() + dt.timedelta(days=365),
    )
    response = alice_client.post(f"/meetings/{this.pk}/delete/")
    assert response.status_code == 409
    assert "cannot be deleted" in response.text
    assert Meeting.objects.filter(pk=this.pk).exists()


def test_last_and_next_meeting_are_the_nearest_either_side_of_today(alice):
    meeting(alice.body, "Old", -50)
    last = meeting(alice.body, "Last", -5)
    upcoming = meeting(alice.body, "Next", 0)
    meeting(alice.body, "Later", 30)
    today = timezone.localdate()
    assert last_meeting(alice.body, today) == last
    assert next_meeting(alice.body, today) == upcoming


def test_the_meeting_page_keeps_its_queries_constant(
    pat_client, pat, django_assert_max_num_queries
):
    this = meeting(pat.body, "This", 10)

    def packs(count: int) -> None:
        for _ in range(count):
            BoardPack.objects.create(
                body=pat.body,
                requested_by=pat.user,
                since=timezone.localdate(),
                meeting=this,
                expires_at=timezone.now() + dt.timedelta(days=365),
            )

    packs(1)
    with django_assert_max_num_queries(15) as small:
        pat_client.get(f"/meetings/{this.pk}/")
    packs(20)
    with django_assert_max_num_queries(len(small.captured_queries)):
        pat_client.get(f"/meetings/{this.pk}/")
