from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections.dashboard import Figure
from inspections.models import ActionStatus, ResponseStatus

from .factories import PASSWORD, ActionFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_healthz_answers_ok_without_signing_in():
    response = Client().get("/healthz")
    assert response.status_code == 200
    assert response.text == "ok"
    assert response["Cache-Control"].startswith("max-age=0")


def test_healthz_answers_503_when_the_database_does_not():
    with mock.patch.object(connection, "cursor", side_effect=OperationalError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503


def test_healthz_refuses_posts():
    assert Client().post("/healthz").status_code == 405


def test_the_home_page_sends_visitors_to_sign_in():
    response = Client().get("/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=/"


def test_the_sign_in_page_is_a_gov_uk_form():
    response = Client().get("/sign-in/")
    assert response.status_code == 200
    assert 'class="govuk-input' in response.text
    assert "govuk-frontend.min.css" in response.text


def test_a_wrong_password_is_refused_with_an_error_summary_and_the_username_kept(alice):
    response = Client().post("/sign-in/", {"login": "alice", "password": "wrong"})
    assert response.status_code == 422
    assert "There is a problem" in response.text
    assert 'href="#id_login"' in response.text
    assert 'value="alice"' in response.text


def test_signing_in_shows_the_home_page_with_the_users_body(alice):
    client = Client()
    response = client.post("/sign-in/", {"login": "alice", "password": PASSWORD}, follow=True)
    assert response.status_code == 200
    assert alice.body.name in response.text
    assert "Editor" in response.text


def test_the_home_page_counts_only_the_users_own_bodys_records(alice_client, alice, olly):
    today = timezone.localdate()
    ResponseFactory.create(
        report__body=alice.body, report__published_on=today - dt.timedelta(days=60)
    )
    ResponseFactory.create(
        report__body=alice.body, report__published_on=today - dt.timedelta(days=50)
    )
    ResponseFactory.create(
        report__body=alice.body,
        report__published_on=today - dt.timedelta(days=60),
        status=ResponseStatus.PUBLISHED,
    )
    ResponseFactory.create(
        report__body=olly.body, report__published_on=today - dt.timedelta(days=60)
    )
    ActionFactory.create(
        body=alice.body,
        target_on=today - dt.timedelta(days=1),
        start_on=today.replace(year=today.year - 1),
    )
    ActionFactory.create(
        body=alice.body, status=ActionStatus.COMPLETE, start_on=today, target_on=today
    )
    ActionFactory.create(body=olly.body, start_on=today, target_on=today)

    response = alice_client.get("/")
    home = response.context["home"]
    assert [(str(f.label), f.value) for f in home.responses] == [
        ("Open", 2),
        ("Due in the next 14 days", 1),
        ("Overdue", 1),
    ]
    assert [(str(f.label), f.value) for f in home.actions] == [
        ("Open", 1),
        ("Past their target date", 1),
    ]


def test_the_home_page_keeps_a_constant_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert alice_client.get("/").status_code == 200
        return len(queries)

    busy_home(alice.body, 2)
    small = count()
    busy_home(alice.body, 20)
    assert count() == small
    with django_assert_max_num_queries(6):
        assert alice_client.get("/").status_code == 200


# Issue 13: every figure links to its list; an approver's and an editor's own figures.

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def busy_home(body, size: int) -> None:
    """Responses in every state the home page counts and actions due at every distance."""
    for n in range(size):
        published = TODAY - dt.timedelta(days=55 - (n % 20) + 5)  # due from 5 days ago on
        ResponseFactory.create(
            report__body=body,
            report__published_on=published,
            status=ResponseStatus.READY_FOR_APPROVAL if n % 3 == 0 else ResponseStatus.DRAFT,
        )
        ActionFactory.create(
            body=body,
            start_on=TODAY - 30 * DAY,
            target_on=TODAY + (n % 12 - 3) * DAY,
            status=ActionStatus.COMPLETE if n % 5 == 0 else ActionStatus.IN_PROGRESS,
        )


def home_figures(client) -> list[Figure]:
    home = client.get("/").context["home"]
    figures = [*home.responses, *home.actions, *home.due_this_week]
    return figures + ([home.awaiting_approval] if home.awaiting_approval else [])


def test_every_figure_on_the_home_page_opens_a_list_of_the_same_count(pat, client):
    busy_home(pat.body, 24)
    client.force_login(pat.user)
    figures = home_figures(client)
    assert len(figures) == 8  # an approver sees both "awaiting" and "due this week"
    assert any(f.value for f in figures)
    for figure in figures:
        page = client.get(figure.url)
        assert page.status_code == 200, figure.url
        assert page.context["page"].paginator.count == figure.value, (figure.label, figure.url)
        assert f'href="{figure.url.replace("&", "&amp;")}"' in client.get("/").text


def test_an_approver_sees_the_responses_awaiting_approval(pat, client):
    busy_home(pat.body, 6)  # n = 0 and 3 are ready for approval
    client.force_login(pat.user)
    page = client.get("/")
    assert page.context["home"].awaiting_approval.value == 2
    assert "Awaiting your approval" in page.text
    assert 'data-figure="awaiting-approval"' in page.text


def test_an_editor_sees_what_is_due_this_week_and_no_approvals(alice_client, alice):
    ResponseFactory.create(  # due in 7 days: this week
        report__body=alice.body, report__published_on=TODAY - dt.timedelta(days=48)
    )
    ResponseFactory.create(  # due in 8 days: not
        report__body=alice.body, report__published_on=TODAY - dt.timedelta(days=47)
    )
    for days in (0, 7, 8, -1):
        ActionFactory.create(
            body=alice.body, start_on=TODAY - 9 * DAY, target_on=TODAY + days * DAY
        )
    page = alice_client.get("/")
    home = page.context["home"]
    assert home.awaiting_approval is None
    assert "Awaiting your approval" not in page.text
    assert [f.value for f in home.due_this_week] == [1, 2]
    day = (TODAY + 7 * DAY).strftime("%-d %B %Y")
    assert f"Open and due by {day}." in page.text


def test_an_analyst_sees_neither_approvals_nor_the_week(ana_client):
    home = ana_client.get("/").context["home"]
    assert (home.awaiting_approval, home.due_this_week) == (None, [])


def test_a_user_without_a_body_sees_no_records():
    UserFactory.create(username="stray")
    client = Client()
    client.login(username="stray", password=PASSWORD)
    response = client.get("/")
    assert response.status_code == 403
    assert "not linked to a policing body" in response.text


def test_pages_carry_a_nonce_based_content_security_policy(alice_client):
    response = alice_client.get("/")
    policy = response["Content-Security-Policy"]
    assert "'nonce-" in policy
    assert "unsafe-inline" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.text


def test_signing_out_needs_a_post(alice_client):
    assert alice_client.get("/sign-out/").status_code == 405
    assert alice_client.post("/sign-out/").status_code == 302
    assert alice_client.get("/").status_code == 302
