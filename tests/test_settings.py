"""The body's RAG tolerances: set by its approvers, kept in history, used everywhere."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections.models import PolicingBody

from .conftest import signed_in
from .factories import ActionFactory

pytestmark = pytest.mark.django_db


def post(client, body: PolicingBody, green: int | str, amber: int | str, **seen: int):
    """Posts the form as opened when the tolerances were `seen` (today's, by default)."""
    return client.post(
        "/settings/",
        {
            "rag_green_points": green,
            "rag_amber_points": amber,
            "seen_green": seen.get("seen_green", body.rag_green_points),
            "seen_amber": seen.get("seen_amber", body.rag_amber_points),
        },
    )


def test_an_approver_changes_the_tolerances_and_the_change_is_in_history(pat):
    client = signed_in(pat)
    assert post(client, pat.body, 20, 40).status_code == 302
    pat.body.refresh_from_db()
    assert (pat.body.rag_green_points, pat.body.rag_amber_points) == (20, 40)
    latest = pat.body.history.first()
    assert latest.history_user == pat.user
    page = client.get("/settings/")
    assert "RAG tolerances saved." in page.text
    assert page.context["history"][0].rag_green_points == 20


def test_an_editor_sees_the_tolerances_but_cannot_change_them(alice):
    client = signed_in(alice)
    page = client.get("/settings/")
    assert page.status_code == 200
    assert "At most 10 points behind" in page.text
    assert "Only an approver can change them." in page.text
    assert post(client, alice.body, 0, 0).status_code == 403
    alice.body.refresh_from_db()
    assert alice.body.rag_green_points == 10


def test_green_beyond_amber_or_over_100_is_refused_with_the_values_kept(pat):
    page = post(signed_in(pat), pat.body, 30, 20)
    assert page.status_code == 422
    assert "must be at least the green one" in page.text
    assert 'value="30"' in page.text
    assert post(signed_in(pat), pat.body, 10, 101).status_code == 422
    pat.body.refresh_from_db()
    assert (pat.body.rag_green_points, pat.body.rag_amber_points) == (10, 25)


def test_a_colleagues_change_in_between_is_refused_and_the_users_values_kept(pat):
    PolicingBody.objects.filter(pk=pat.body.pk).update(rag_green_points=5)
    page = post(signed_in(pat), pat.body, 15, 30, seen_green=10, seen_amber=25)
    assert page.status_code == 409
    assert "Someone changed the tolerances to 5 and 25 points" in page.text
    assert 'value="15"' in page.text
    pat.body.refresh_from_db()
    assert pat.body.rag_green_points == 5


def test_the_actions_list_colours_by_the_bodys_own_tolerances(pat, alice):
    today = timezone.localdate()
    # Halfway through: 50% expected, 35% done, 15 points behind.
    ActionFactory.create(
        body=alice.body,
        title="Fifteen behind",
        start_on=today - dt.timedelta(days=50),
        target_on=today + dt.timedelta(days=50),
        percent_complete=35,
    )
    client = signed_in(alice)
    assert "Fifteen behind" in client.get("/actions/?rag=amber").text
    assert post(signed_in(pat), pat.body, 20, 40).status_code == 302
    assert "Fifteen behind" in client.get("/actions/?rag=green").text
    assert "Fifteen behind" not in client.get("/actions/?rag=amber").text
