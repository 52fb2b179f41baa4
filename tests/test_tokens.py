"""Personal API tokens and the feeds they open: made on the account page and shown once,
stored as a digest, revoked; a feed answers a token, never a session, with its owner's
membership as it is now; every use is in the sign-in log."""

from __future__ import annotations

import csv
import hashlib
import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from inspections.models import (
    ActionStatus,
    ApiToken,
    AuditEvent,
    AuditKind,
    Role,
    SubmissionKey,
)
from inspections.services import tokens as services

from .factories import ActionFactory

pytestmark = pytest.mark.django_db

ADDRESS = "198.51.100.7"
FEEDS = ["reports", "findings", "responses", "actions", "updates"]


def feed_url(name: str = "actions") -> str:
    return reverse("feed", kwargs={"name": name})


def bearer(secret: str) -> dict[str, Any]:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}", "REMOTE_ADDR": ADDRESS}


def make_token(membership, name: str = "Power BI") -> tuple[ApiToken, str]:
    return services.token_create(membership=membership, name=name)


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.content[:300]
    text = b"".join(response.streaming_content).decode("utf-8").removeprefix("\ufeff")
    return list(csv.reader(io.StringIO(text)))


def key() -> str:
    import uuid

    return str(uuid.uuid4())


@pytest.fixture
def actions(alice):
    return [
        ActionFactory.create(
            body=alice.body, title="Review vetting", status=ActionStatus.IN_PROGRESS
        ),
        ActionFactory.create(body=alice.body, title="Audit cash", status=ActionStatus.NOT_STARTED),
    ]


# --- The account page ---------------------------------------------------------------------


def test_the_account_page_links_to_the_tokens_of_those_who_may_export(ana_client, cora_client):
    assert reverse("token_list") in ana_client.get(reverse("account")).content.decode()
    assert reverse("token_list") not in cora_client.get(reverse("account")).content.decode()


def test_making_a_token_shows_it_once_and_stores_only_its_digest(ana_client, ana):
    response = ana_client.post(
        reverse("token_list"), {"name": "Power BI board dashboard", "submission_key": key()}
    )
    assert response.status_code == 200
    assert response["Cache-Control"] in {"private, no-store", "no-store, private"}
    token = ApiToken.objects.get()
    secret = response.context["secret"]
    assert secret.startswith("pcc_")
    assert len(secret) > 40
    assert secret in response.content.decode()
    assert token.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert token.hint == secret[-4:]
    assert (token.user, token.body, token.name) == (ana.user, ana.body, "Power BI board dashboard")
    assert secret not in str(list(ApiToken.objects.values()))
    again = ana_client.get(reverse("token_list")).content.decode()
    assert secret not in again
    assert "Power BI board dashboard" in again
    assert f"…{token.hint}" in again
    event = AuditEvent.objects.get(kind=AuditKind.TOKEN_CREATED)
    assert (event.user, event.body) == (ana.user, ana.body)
    assert "Power BI board dashboard" in event.detail
    assert secret not in event.detail


def test_a_token_needs_a_name(ana_client):
    response = ana_client.post(reverse("token_list"), {"name": "  ", "submission_key": key()})
    assert response.status_code == 422
    html = response.content.decode()
    assert "There is a problem" in html
    assert 'href="#id_name"' in html
    assert "Enter a name for the token" in html
    assert not ApiToken.objects.exists()


def test_a_name_that_is_too_long_is_refused_and_kept(ana_client):
    response = ana_client.post(reverse("token_list"), {"name": "x" * 101, "submission_key": key()})
    assert response.status_code == 422
    assert "x" * 101 in response.content.decode()
    assert not ApiToken.objects.exists()


def test_the_form_sent_twice_makes_one_token(ana_client):
    sent = {"name": "Excel", "submission_key": key()}
    assert ana_client.post(reverse("token_list"), sent).status_code == 200
    second = ana_client.post(reverse("token_list"), sent)
    assert second.status_code == 302
    assert ApiToken.objects.count() == 1
    assert SubmissionKey.objects.count() == 1


def test_the_tokens_page_refuses_other_methods(ana_client, ana):
    token, _secret = make_token(ana)
    assert ana_client.put(reverse("token_list")).status_code == 405
    assert ana_client.get(reverse("token_revoke", args=[token.pk])).status_code == 405


def test_revoking_a_token_stops_it_and_is_logged(ana_client, ana, actions):
    token, secret = make_token(ana)
    assert Client().get(feed_url(), **bearer(secret)).status_code == 200
    response = ana_client.post(reverse("token_revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    event = AuditEvent.objects.get(kind=AuditKind.TOKEN_REVOKED)
    assert (event.user, event.body) == (ana.user, ana.body)
    assert Client().get(feed_url(), **bearer(secret)).status_code == 401
    page = ana_client.get(reverse("token_list")).content.decode()
    assert "Revoked" in page


def test_nobody_revokes_someone_elses_token(alice_client, olly_client, ana):
    token, _secret = make_token(ana, "Quarterly board feed")
    assert alice_client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    assert olly_client.post(reverse("token_revoke", args=[token.pk])).status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert "Quarterly board feed" not in alice_client.get(reverse("token_list")).content.decode()


def test_force_contributors_may_not_make_or_see_tokens(cora_client, cora):
    assert cora_client.get(reverse("token_list")).status_code == 404
    response = cora_client.post(reverse("token_list"), {"name": "Mine", "submission_key": key()})
    assert response.status_code == 404
    assert not ApiToken.objects.exists()
    with pytest.raises(PermissionDenied):
        services.token_create(membership=cora, name="Mine")


# --- Feeds --------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FEEDS)
def test_a_token_fetches_each_list_without_a_session(name, ana, actions):
    _token, secret = make_token(ana)
    client = Client()
    response = client.get(feed_url(name), **bearer(secret))
    rows = rows_of(response)
    assert rows[0] == ["Protective marking: OFFICIAL"]
    assert response["Cache-Control"] in {"private, no-store", "no-store, private"}
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "sessionid" not in response.cookies


def test_a_feed_has_the_same_columns_and_filters_as_the_export(ana, ana_client, actions):
    _token, secret = make_token(ana)
    params = {"status": "in_progress"}
    fed = rows_of(Client().get(feed_url(), params, **bearer(secret)))
    exported = rows_of(ana_client.get(reverse("action_export", kwargs={"fmt": "csv"}), params))
    assert fed == exported
    assert [row[1] for row in fed[2:]] == ["Review vetting"]


def test_every_use_is_logged_with_the_list_and_the_address(ana, actions):
    token, secret = make_token(ana, "Board dashboard")
    for _ in range(3):
        Client().get(feed_url(), {"status": "in_progress"}, **bearer(secret))
    Client().get(feed_url("findings"), **bearer(secret))
    uses = list(AuditEvent.objects.filter(kind=AuditKind.TOKEN_USED).order_by("at", "pk"))
    assert len(uses) == 4
    first = uses[0]
    assert (first.user, first.body, first.ip_address) == (ana.user, ana.body, ADDRESS)
    assert first.detail.startswith("Feed: Assurance actions; token “Board dashboard”")
    assert first.path == f"{feed_url()}?status=in_progress"
    assert uses[-1].detail.startswith("Feed: Findings;")
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_no_unknown_or_revoked_token_opens_a_feed_and_each_gets_the_same_answer(ana, actions):
    revoked, revoked_secret = make_token(ana, "Old")
    services.token_revoke(token=revoked)
    answers = [
        Client().get(feed_url(), REMOTE_ADDR=ADDRESS),
        Client().get(feed_url(), **bearer("pcc_not-a-real-token")),
        Client().get(feed_url(), **bearer(revoked_secret)),
        Client().get(feed_url(), HTTP_AUTHORIZATION="Basic YW5hOnB3", REMOTE_ADDR=ADDRESS),
        Client().get(feed_url(), HTTP_AUTHORIZATION="Bearer ", REMOTE_ADDR=ADDRESS),
    ]
    for response in answers:
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == 'Bearer realm="PCC Responses"'
        assert response.content == answers[0].content
        assert "Review vetting" not in response.content.decode()
    assert not AuditEvent.objects.filter(kind=AuditKind.TOKEN_USED).exists()
    refused = AuditEvent.objects.get(kind=AuditKind.REFUSED)  # the known, revoked one
    assert refused.body == ana.body
    assert "Old" in refused.detail


def test_a_session_alone_does_not_open_a_feed(ana_client, actions):
    response = ana_client.get(feed_url())
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_another_bodys_data_is_never_in_a_feed(olly, actions):
    ActionFactory.create(body=olly.body, title="Thames Valley action")
    _token, secret = make_token(olly)
    for name in FEEDS:
        text = str(rows_of(Client().get(feed_url(name), **bearer(secret))))
        assert "Review vetting" not in text, name
        assert "Audit cash" not in text, name
    rows = rows_of(Client().get(feed_url(), **bearer(secret)))
    assert [row[1] for row in rows[2:]] == ["Thames Valley action"]


def test_a_token_stops_working_when_its_owner_is_deactivated(ana, actions):
    _token, secret = make_token(ana)
    ana.user.is_active = False
    ana.user.save()
    assert Client().get(feed_url(), **bearer(secret)).status_code == 401


def test_a_token_stops_working_when_its_owner_may_no_longer_export(ana, actions):
    _token, secret = make_token(ana)
    ana.role = Role.CONTRIBUTOR
    ana.save()
    assert Client().get(feed_url(), **bearer(secret)).status_code == 401
    ana.role = Role.EDITOR  # and works again with a role that may export
    ana.save()
    assert Client().get(feed_url(), **bearer(secret)).status_code == 200


def test_a_contributors_token_never_opens_a_feed(cora, actions):
    # Made behind the service's back (it refuses contributors): the feed refuses it too.
    secret = ApiToken.new_secret()
    token = ApiToken(user=cora.user, body=cora.body, name="Sneaky")
    token.set_secret(secret)
    token.save()
    assert Client().get(feed_url(), **bearer(secret)).status_code == 401


def test_a_token_of_someone_who_must_use_two_factor_still_works_without_a_session(pat, actions):
    _token, secret = make_token(pat)
    assert Client().get(feed_url(), **bearer(secret)).status_code == 200


def test_a_feed_answers_only_get(ana, actions):
    _token, secret = make_token(ana)
    assert Client().post(feed_url(), **bearer(secret)).status_code == 405


def test_an_unknown_feed_is_not_found(ana):
    _token, secret = make_token(ana)
    assert Client().get("/feeds/people.csv", **bearer(secret)).status_code == 404


def test_a_feed_takes_the_same_number_of_queries_however_long(
    ana, alice, django_assert_max_num_queries
):
    _token, secret = make_token(ana)
    ActionFactory.create_batch(3, body=alice.body)
    with django_assert_max_num_queries(11) as small:
        rows_of(Client().get(feed_url(), **bearer(secret)))
    ActionFactory.create_batch(60, body=alice.body)
    with django_assert_max_num_queries(len(small)):
        rows_of(Client().get(feed_url(), **bearer(secret)))
