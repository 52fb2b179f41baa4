from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest
from django.db import connection
from django.db.utils import OperationalError
from django.test import Client
from django.utils import timezone

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
    summary = response.context["summary"]
    assert (summary.responses_open, summary.responses_overdue, summary.responses_due_soon) == (
        2,
        1,
        1,
    )
    assert (summary.actions_open, summary.actions_past_target) == (1, 1)


def test_the_home_page_keeps_a_constant_number_of_queries(
    alice_client, alice, django_assert_max_num_queries
):
    for _ in range(20):
        ResponseFactory.create(report__body=alice.body)
        ActionFactory.create(body=alice.body)
    with django_assert_max_num_queries(6):
        assert alice_client.get("/").status_code == 200


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
