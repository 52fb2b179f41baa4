"""Signing in and out with django-allauth: the sign-in page, allauth's pages we close,
password reset by email, login throttling, and the account page."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client, override_settings
from django.urls import get_resolver

from inspections.models import Role

from .conftest import PAT_TOTP_SECRET, signed_in
from .factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "a-brand-new-password-2026"


def error_summary(response) -> str:
    match = re.search(
        r'<ul class="govuk-list govuk-error-summary__list">(.*?)</ul>', response.text, re.S
    )
    assert match, "no error summary"
    return " ".join(match.group(1).split())


# --- The sign-in page ---------------------------------------------------------------------


def test_the_sign_in_page_asks_for_a_username_or_email_address_and_a_password():
    response = Client().get("/sign-in/")
    assert response.status_code == 200
    text = response.text
    assert '<label class="govuk-label" for="id_login">Username or email address</label>' in text
    assert 'name="login"' in text
    assert 'autocomplete="username"' in text
    assert 'name="password" type="password" autocomplete="current-password"' in text
    assert 'href="/account/password/reset/">Forgotten your password?</a>' in text


def test_the_sign_in_page_offers_a_passkey_with_scripts_under_the_csp_nonce():
    response = Client().get("/sign-in/")
    text = response.text
    assert ">Sign in with a passkey</button>" in text
    assert 'action="/account/2fa/webauthn/login/"' in text
    nonce = response["Content-Security-Policy"].split("'nonce-")[1].split("'")[0]
    scripts = re.findall(r"<script\b[^>]*>", text)
    assert any("mfa/js/webauthn.js" in script for script in scripts)
    for script in scripts:
        # Every script that runs carries the nonce; JSON data blocks run nothing.
        assert f'nonce="{nonce}"' in script or 'type="application/json"' in script, script


def test_signing_in_with_the_email_address_works_too(alice):
    response = Client().post("/sign-in/", {"login": alice.user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_signing_in_goes_back_to_the_page_asked_for(alice):
    client = Client()
    assert client.get("/actions/")["Location"] == "/sign-in/?next=/actions/"
    response = client.post("/sign-in/?next=/actions/", {"login": "alice", "password": PASSWORD})
    assert response["Location"] == "/actions/"


def test_a_wrong_password_and_an_unknown_username_get_the_same_answer(alice):
    known = Client().post("/sign-in/", {"login": "alice", "password": "not-it"})
    unknown = Client().post("/sign-in/", {"login": "nobody-here", "password": "not-it"})
    assert known.status_code == unknown.status_code == 422
    assert error_summary(known) == error_summary(unknown)
    assert "The username, email address or password is not right." in error_summary(known)
    assert 'value="nobody-here"' in unknown.text


def test_an_empty_form_names_both_fields():
    response = Client().post("/sign-in/", {"login": "", "password": ""})
    assert response.status_code == 422
    summary = error_summary(response)
    assert '<a href="#id_login">Enter your username or email address</a>' in summary
    assert '<a href="#id_password">Enter your password</a>' in summary


def test_someone_signed_in_is_sent_on_from_the_sign_in_page(alice_client):
    assert alice_client.get("/sign-in/")["Location"] == "/"


def test_signing_out_needs_a_post_and_says_so(alice_client):
    assert alice_client.get("/sign-out/").status_code == 405
    response = alice_client.post("/sign-out/", follow=True)
    assert response.redirect_chain[0] == ("/sign-in/", 302)
    assert "You have signed out." in response.text
    assert alice_client.get("/")["Location"] == "/sign-in/?next=/"


def test_allauths_own_sign_in_address_is_the_same_page(alice):
    page = Client().get("/account/login/?next=/actions/")
    assert 'action="/sign-in/"' in page.text
    assert Client().post("/account/login/", {"login": "alice", "password": "x"}).status_code == 422


def test_sign_up_says_people_join_by_invitation_and_makes_no_account():
    client = Client()
    page = client.get("/account/signup/")
    assert page.status_code == 200
    assert "You join by invitation" in page.text
    client.post(
        "/account/signup/",
        {
            "username": "eve",
            "email": "eve@example.org",
            "password1": NEW_PASSWORD,
            "password2": NEW_PASSWORD,
        },
    )
    assert not get_user_model().objects.filter(username="eve").exists()


@pytest.mark.parametrize(
    "path", ["/account/email/", "/account/password/set/", "/account/confirm-email/"]
)
def test_allauth_pages_we_do_not_use_are_not_found(alice_client, path):
    assert alice_client.get(path).status_code == 404
    assert Client().get(path).status_code == 404


# allauth's pages under /account/, each used, closed (above) or answering sensibly on its
# own. A new allauth version that adds a page fails this test: decide about it first.
ALLAUTH_URL_NAMES = {
    "account_login",  # the sign-in page, as at /sign-in/
    "account_logout",
    "account_inactive",
    "account_signup",  # "you join by invitation"
    "account_reauthenticate",
    "account_request_reauthentication_code",  # 403: reauthentication by code is off
    "account_confirm_reauthentication_code",
    "account_email",  # 404
    "account_email_verification_sent",  # 404
    "account_confirm_email",  # 404
    "account_change_password",
    "account_set_password",  # 404
    "account_reset_password",
    "account_confirm_login_code",  # sends back to sign in: sign-in by code is off
    "account_reset_password_from_key_done",
    "account_reset_password_from_key",
    "account_reset_password_done",
    "mfa_index",
    "mfa_authenticate",
    "mfa_reauthenticate",
    "mfa_activate_totp",
    "mfa_deactivate_totp",
    "mfa_view_recovery_codes",
    "mfa_generate_recovery_codes",
    "mfa_download_recovery_codes",
    "mfa_list_webauthn",
    "mfa_add_webauthn",
    "mfa_reauthenticate_webauthn",
    "mfa_remove_webauthn",
    "mfa_edit_webauthn",
    "mfa_login_webauthn",
}


def _allauth_names(patterns, inside_allauth=False):
    for pattern in patterns:
        in_allauth = inside_allauth or "allauth" in str(getattr(pattern, "urlconf_name", ""))
        if hasattr(pattern, "url_patterns"):
            yield from _allauth_names(pattern.url_patterns, in_allauth)
        elif in_allauth and (pattern.name or "").startswith(("account_", "mfa_")):
            yield pattern.name


def test_the_allauth_pages_on_offer_are_the_ones_we_decided_about():
    assert set(_allauth_names(get_resolver().url_patterns)) == ALLAUTH_URL_NAMES


# --- Password reset by email --------------------------------------------------------------


def _reset(client: Client, email: str):
    return client.post("/account/password/reset/", {"email": email})


def test_a_reset_gives_the_same_answer_whether_or_not_the_address_has_an_account(alice):
    known, unknown = _reset(Client(), alice.user.email), _reset(Client(), "nobody@example.org")
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == "/account/password/reset/done/"
    assert [message.to for message in mail.outbox] == [[alice.user.email]]
    done = Client().get("/account/password/reset/done/")
    assert "Check your email" in done.text
    assert "If that address belongs to an account" in done.text


@override_settings(SITE_URL="https://pcc.example.gov.uk")
def test_the_reset_email_has_text_and_html_and_links_to_site_url(alice):
    _reset(Client(HTTP_HOST="localhost"), alice.user.email)
    (message,) = mail.outbox
    assert message.subject == "Reset your PCC Responses password"
    ((html, mimetype),) = message.alternatives  # type: ignore[attr-defined]
    assert mimetype == "text/html"
    text = str(message.body)
    link = re.search(r"https://pcc\.example\.gov\.uk/account/password/reset/key/\S+/", text)
    assert link, text
    assert link.group(0) in html
    assert "Hello Alice," in text
    assert "Your username is alice." in text
    assert "localhost" not in text


def _reset_link(email_body: str) -> str:
    match = re.search(r"https?://[^/\s]+(/account/password/reset/key/\S+/)", email_body)
    assert match, email_body
    return match.group(1)


def reset_password_by_email(client: Client, email: str, password: str = NEW_PASSWORD):
    mail.outbox.clear()
    _reset(client, email)
    form_page = client.get(_reset_link(str(mail.outbox[0].body)), follow=True)
    assert "Choose a new password" in form_page.text
    path = form_page.redirect_chain[-1][0]
    return client.post(path, {"password1": password, "password2": password})


def test_the_reset_link_sets_a_new_password_once(alice):
    client = Client()
    response = reset_password_by_email(client, alice.user.email)
    assert response["Location"] == "/account/password/reset/key/done/"
    assert "Your password has been changed" in client.get(response["Location"]).text
    assert Client().login(username="alice", password=NEW_PASSWORD)
    # The link has been used.
    (first, _notification) = mail.outbox
    again = Client().get(_reset_link(str(first.body)), follow=True)
    assert "This link does not work" in again.text


def test_someone_who_signs_in_with_microsoft_gets_no_reset_email(body):
    user = UserFactory.create(username="mia")
    user.set_unusable_password()
    user.save()
    MembershipFactory.create(user=user, body=body, role=Role.EDITOR)
    assert _reset(Client(), user.email)["Location"] == "/account/password/reset/done/"
    assert mail.outbox == []


# --- Throttling ---------------------------------------------------------------------------


def _wrong_passwords(login: str, address: str, times: int = 30) -> list[tuple[int, str]]:
    client = Client(REMOTE_ADDR=address)
    answers = []
    for _ in range(times):
        response = client.post("/sign-in/", {"login": login, "password": "guess-again"})
        answers.append((response.status_code, error_summary(response)))
    return answers


def _cache_rows() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM cache")
        return int(cursor.fetchone()[0])


def test_thirty_wrong_passwords_are_refused_alike_for_known_and_unknown_usernames(alice):
    assert _cache_rows() == 0
    known = _wrong_passwords("alice", "10.0.0.1")
    unknown = _wrong_passwords("nobody-here", "10.0.0.2")
    assert known == unknown
    statuses = [status for status, _summary in known]
    # Five wrong answers, then every attempt refused without the password being checked.
    assert statuses == [422] * 5 + [429] * 25
    assert "password is not right" in known[0][1]
    assert "too many failed attempts" in known[5][1]
    # The counts live in the database cache, shared by every worker.
    assert _cache_rows() > 0


def test_the_right_password_is_refused_too_while_the_username_is_locked(alice):
    _wrong_passwords("alice", "10.0.0.1", times=5)
    response = Client(REMOTE_ADDR="10.0.0.9").post(
        "/sign-in/", {"login": "alice", "password": PASSWORD}
    )
    assert response.status_code == 429
    assert "too many failed attempts" in error_summary(response)


def test_a_password_reset_lets_the_real_person_back_in(alice):
    _wrong_passwords("alice", "10.0.0.1", times=30)
    _wrong_passwords(alice.user.email, "10.0.0.2", times=6)
    reset_password_by_email(Client(REMOTE_ADDR="10.0.0.9"), alice.user.email)
    for login in ("alice", alice.user.email):
        response = Client(REMOTE_ADDR="10.0.0.9").post(
            "/sign-in/", {"login": login, "password": NEW_PASSWORD}
        )
        assert response.status_code == 302, login
        assert response["Location"] == "/"


def test_one_address_trying_many_usernames_is_stopped_too(alice):
    client = Client(REMOTE_ADDR="10.0.0.3")
    statuses = [
        client.post("/sign-in/", {"login": f"user{n}", "password": "guess"}).status_code
        for n in range(21)
    ]
    assert statuses == [422] * 20 + [429]


# --- The account page ---------------------------------------------------------------------


def test_the_account_page_says_who_you_are_and_links_to_what_you_can_change(alice_client, alice):
    response = alice_client.get("/account/")
    assert response.status_code == 200
    text = response.text
    assert "Your account" in text
    assert alice.body.name in text
    assert "Editor" in text
    assert 'href="/account/password/change/"' in text
    assert 'href="/account/2fa/totp/activate/"' in text
    assert 'href="/account/2fa/webauthn/add/"' in text
    assert 'href="/account/notifications/"' in text
    fallback = '<strong class="govuk-service-navigation__active-fallback">'
    assert f'aria-current="page">{fallback}Your account</strong></a>' in text


def test_the_account_page_shows_two_factor_sign_in_as_it_is(pat):
    text = signed_in(pat).get("/account/").text
    assert 'id="factor-totp"><strong class="govuk-tag govuk-tag--green">On' in text
    assert "10 of 10 not used yet" in text
    assert 'href="/account/2fa/totp/deactivate/"' in text
    assert "Approvers must use two-factor sign-in." in text
    assert PAT_TOTP_SECRET not in text


def test_the_account_page_is_get_only_and_needs_signing_in(alice_client):
    assert alice_client.post("/account/").status_code == 405
    assert Client().get("/account/")["Location"] == "/sign-in/?next=/account/"


def test_someone_without_a_password_is_told_they_sign_in_with_microsoft(body):
    user = UserFactory.create(username="mia")
    user.set_unusable_password()
    user.save()
    MembershipFactory.create(user=user, body=body, role=Role.EDITOR)
    client = Client()
    client.force_login(user)
    text = client.get("/account/").text
    assert "You sign in with Microsoft, so you have no password here." in text
    assert 'href="/account/password/change/"' not in text
