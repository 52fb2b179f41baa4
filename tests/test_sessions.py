"""Sessions: signing in rotates the session, idle and absolute timeouts end it, and a new
password ends every other session."""

from __future__ import annotations

import time

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from inspections.middleware import LAST_SEEN, SIGNED_IN_AT
from inspections.models import AuditEvent, AuditKind

from .factories import PASSWORD
from .test_sign_in import NEW_PASSWORD, reset_password_by_email

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str = "alice") -> None:
    response = client.post("/sign-in/", {"login": username, "password": PASSWORD})
    assert response.status_code == 302, response


def set_clocks(client: Client, *, idle: int = 0, since: int = 0) -> None:
    """Moves the session's clocks back: last seen `idle` seconds ago, signed in `since`."""
    session = client.session
    now = int(time.time())
    session[LAST_SEEN] = now - idle
    session[SIGNED_IN_AT] = now - max(since, idle)
    session.save()


def test_signing_in_rotates_the_session_key(alice):
    client = Client()
    before = client.session.session_key
    sign_in(client)
    after = client.cookies[settings.SESSION_COOKIE_NAME].value
    assert after != before
    assert not Session.objects.filter(session_key=before).exists()


def test_signing_in_starts_both_clocks(alice):
    client = Client()
    sign_in(client)
    session = client.session
    assert abs(session[SIGNED_IN_AT] - time.time()) < 5
    assert session[LAST_SEEN] == session[SIGNED_IN_AT]


def test_a_session_idle_for_thirty_minutes_ends_with_a_message(alice):
    client = Client()
    sign_in(client)
    set_clocks(client, idle=30 * 60 + 5)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/sign-in/?next=%2Fdashboard%2F"
    page = client.get(response["Location"])
    assert "You were signed out after 30 minutes without activity." in page.text
    assert client.get("/dashboard/")["Location"] == "/sign-in/?next=/dashboard/"
    event = AuditEvent.objects.get(kind=AuditKind.SESSION_EXPIRED)
    assert event.user == alice.user
    assert event.body == alice.body
    assert event.detail == "Idle for more than 30 minutes"
    # Signing out because the session expired is not a second event.
    assert not AuditEvent.objects.filter(kind=AuditKind.SIGNED_OUT).exists()


def test_a_session_used_within_thirty_minutes_carries_on(alice):
    client = Client()
    sign_in(client)
    set_clocks(client, idle=29 * 60)
    assert client.get("/dashboard/").status_code == 200
    assert abs(client.session[LAST_SEEN] - time.time()) < 5


def test_a_session_ends_twelve_hours_after_signing_in_however_busy(alice):
    client = Client()
    sign_in(client)
    set_clocks(client, idle=10, since=12 * 60 * 60 + 5)
    response = client.get("/", follow=True)
    assert "You were signed out because you signed in 12 hours ago." in response.text
    assert AuditEvent.objects.get(kind=AuditKind.SESSION_EXPIRED).detail == (
        "Signed in more than 12 hours ago"
    )


def test_htmx_is_sent_to_sign_in_with_a_whole_page_redirect(alice):
    client = Client()
    sign_in(client)
    set_clocks(client, idle=31 * 60)
    response = client.get(
        "/actions/?status=open",
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/actions/?q=x"},
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/sign-in/?next=%2Factions%2F%3Fq%3Dx"


@override_settings(SESSION_IDLE_SECONDS=60)
def test_the_idle_timeout_is_a_setting(alice):
    client = Client()
    sign_in(client)
    set_clocks(client, idle=61)
    response = client.get("/", follow=True)
    assert "You were signed out after 1 minute without activity." in response.text


def test_a_busy_session_is_written_at_most_once_a_minute(alice):
    client = Client()
    sign_in(client)
    set_clocks(client, idle=20)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert not [q for q in queries.captured_queries if 'UPDATE "django_session"' in q["sql"]]
    set_clocks(client, idle=61)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/").status_code == 200
    assert [q for q in queries.captured_queries if 'UPDATE "django_session"' in q["sql"]]


def test_changing_the_password_ends_every_other_session_and_keeps_this_one(alice):
    here, elsewhere = Client(), Client()
    sign_in(here)
    sign_in(elsewhere)
    assert elsewhere.get("/").status_code == 200
    response = here.post(
        "/account/password/change/",
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain == [("/account/", 302)]
    assert "Your password has been changed." in response.text
    assert here.get("/").status_code == 200
    assert elsewhere.get("/")["Location"] == "/sign-in/?next=/"
    (notice,) = mail.outbox
    assert notice.subject == "Your PCC Responses password was changed"
    assert "Hello Alice," in notice.body
    html = notice.alternatives[0][0]  # type: ignore[attr-defined]
    assert "If this was not you, change your password now" in html


def test_a_wrong_current_password_changes_nothing(alice_client):
    response = alice_client.post(
        "/account/password/change/",
        {"oldpassword": "not-it", "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert Client().login(username="alice", password=PASSWORD)


def test_resetting_the_password_ends_every_session(alice):
    signed_in_client = Client()
    sign_in(signed_in_client)
    reset_password_by_email(Client(), alice.user.email)
    assert signed_in_client.get("/")["Location"] == "/sign-in/?next=/"
