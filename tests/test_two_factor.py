"""Two-factor sign-in: who must use it, setting up an authenticator app, the code asked
at sign-in, recovery codes, and `manage.py two_factor_code`."""

from __future__ import annotations

import re
import time
from io import StringIO
from urllib.parse import quote

import pytest
from allauth.account.authentication import AUTHENTICATION_METHODS_SESSION_KEY
from allauth.mfa.models import Authenticator
from django.core.management import CommandError, call_command
from django.test import Client

from inspections.models import Membership, PolicingBody, Role
from inspections.two_factor import has_two_factor, totp_code

from .conftest import PAT_TOTP_SECRET, signed_in
from .factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def paula(body: PolicingBody) -> Membership:
    """An approver who has not set up two-factor sign-in yet."""
    user = UserFactory.create(username="paula", first_name="Paula")
    return MembershipFactory.create(user=user, body=body, role=Role.APPROVER)


def sign_in_with_password(client: Client, username: str):
    return client.post("/sign-in/", {"login": username, "password": PASSWORD})


def sign_in_with_code(client: Client, username: str, code: str):
    response = sign_in_with_password(client, username)
    assert response["Location"] == "/account/2fa/authenticate/"
    return client.post("/account/2fa/authenticate/", {"code": code})


def recovery_codes(client: Client) -> list[str]:
    page = client.get("/account/2fa/recovery-codes/")
    return re.findall(r"<li><code>(\d+)</code></li>", page.text)


# --- Who must use it ----------------------------------------------------------------------


def test_an_approver_without_two_factor_is_sent_to_set_it_up(paula):
    client = signed_in(paula)
    response = client.get("/dashboard/")
    assert response.status_code == 302
    assert response["Location"] == "/account/"
    page = client.get("/account/")
    assert "Set up two-factor sign-in to carry on" in page.text
    assert "Approvers must use two-factor sign-in." in page.text
    assert 'href="/account/2fa/totp/activate/"' in page.text
    assert 'href="/account/2fa/webauthn/add/"' in page.text


def test_htmx_requests_are_sent_with_hx_redirect(paula):
    response = signed_in(paula).get("/actions/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/account/"


@pytest.mark.parametrize(
    "path",
    [
        "/account/",
        "/account/2fa/",
        "/account/2fa/totp/activate/",
        "/account/2fa/webauthn/add/",
        "/healthz",
        "/accessibility/",
    ],
)
def test_set_up_pages_stay_open_meanwhile(paula, path):
    # Setting up asks to confirm the password first (the test client signed in long ago).
    response = signed_in(paula).get(path, follow=True)
    assert response.status_code == 200
    assert response.redirect_chain in (
        [],
        [(f"/account/reauthenticate/?next={quote(path, safe='')}", 302)],
    )


def test_signing_out_stays_open_meanwhile(paula):
    assert signed_in(paula).post("/sign-out/")["Location"] == "/sign-in/"


def test_an_editor_need_not_use_it(alice_client):
    assert alice_client.get("/dashboard/").status_code == 200
    assert "Set up two-factor sign-in" not in alice_client.get("/account/").text


def test_a_body_can_ask_it_of_everyone(alice, alice_client):
    alice.body.require_two_factor = True
    alice.body.save()
    assert alice_client.get("/dashboard/")["Location"] == "/account/"
    assert "asks everyone to use two-factor sign-in" in alice_client.get("/account/").text


def test_a_session_signed_in_with_microsoft_is_exempt(paula):
    # allauth records each step of a sign-in in the session; Entra ID's is "socialaccount".
    client = signed_in(paula)
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {"method": "socialaccount", "at": 0, "provider": "entra", "uid": "x"}
    ]
    session["account_authentication_methods_user"] = str(paula.user.pk)
    session.save()
    assert client.get("/dashboard/").status_code == 200


# --- Setting up an authenticator app ------------------------------------------------------


def test_setting_up_an_authenticator_app_through_the_form_opens_the_dashboard(paula):
    client = Client()
    assert sign_in_with_password(client, "paula")["Location"] == "/"
    assert client.get("/dashboard/")["Location"] == "/account/"
    page = client.get("/account/2fa/totp/activate/")
    assert page.status_code == 200
    assert "Set up an authenticator app" in page.text
    shown = re.search(r'<code id="totp-secret">([A-Z2-7]+)</code>', page.text)
    assert shown
    secret = shown.group(1)
    assert 'src="data:image/svg+xml;base64,' in page.text

    wrong = client.post("/account/2fa/totp/activate/", {"code": "000000"})
    assert "The code is not right." in wrong.text
    assert not has_two_factor(paula.user)

    response = client.post("/account/2fa/totp/activate/", {"code": totp_code(secret)})
    assert response["Location"] == "/account/2fa/recovery-codes/"
    assert len(recovery_codes(client)) == 10
    assert client.get("/dashboard/").status_code == 200
    assert has_two_factor(paula.user)


def test_an_approver_cannot_turn_off_their_only_second_factor(pat):
    client = Client()
    sign_in_with_code(client, "pat", totp_code(PAT_TOTP_SECRET))
    page = client.get("/account/2fa/totp/deactivate/")
    assert "You cannot turn this off: you must use two-factor sign-in." in page.text
    client.post("/account/2fa/totp/deactivate/")
    assert has_two_factor(pat.user)


def test_an_editor_can_turn_off_the_authenticator_app(alice):
    from inspections.two_factor import enable_totp

    enable_totp(alice.user, PAT_TOTP_SECRET)
    client = Client()
    sign_in_with_code(client, "alice", totp_code(PAT_TOTP_SECRET))
    response = client.post("/account/2fa/totp/deactivate/")
    assert response["Location"] == "/account/2fa/"
    assert not has_two_factor(alice.user)


# --- Signing in with a second factor ------------------------------------------------------


def test_signing_in_with_an_authenticator_app_asks_for_the_code(pat):
    client = Client()
    response = sign_in_with_password(client, "pat")
    assert response["Location"] == "/account/2fa/authenticate/"
    page = client.get(response["Location"])
    assert "Enter your sign-in code" in page.text
    assert 'autocomplete="one-time-code"' in page.text
    assert client.get("/")["Location"] == "/sign-in/?next=/"  # not signed in yet
    response = client.post("/account/2fa/authenticate/", {"code": totp_code(PAT_TOTP_SECRET)})
    assert response["Location"] == "/"
    assert client.get("/dashboard/").status_code == 200


def test_a_wrong_code_is_refused_with_a_clear_error(pat):
    client = Client()
    response = sign_in_with_code(client, "pat", "123456")
    assert response.status_code == 200
    assert "There is a problem" in response.text
    assert '<a href="#id_code">The code is not right.' in response.text
    assert client.get("/")["Location"] == "/sign-in/?next=/"


def test_a_recovery_code_works_once(pat):
    viewer = Client()
    sign_in_with_code(viewer, "pat", totp_code(PAT_TOTP_SECRET))
    codes = recovery_codes(viewer)
    assert len(codes) == 10
    first = Client()
    assert sign_in_with_code(first, "pat", codes[0])["Location"] == "/"
    assert "9 of 10 not used yet" in first.get("/account/").text
    again = sign_in_with_code(Client(), "pat", codes[0])
    assert "The code is not right." in again.text


def test_changing_how_you_sign_in_long_after_signing_in_asks_for_the_password(pat):
    client = Client()
    sign_in_with_code(client, "pat", totp_code(PAT_TOTP_SECRET))
    assert client.get("/account/2fa/webauthn/add/").status_code == 200
    session = client.session
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [
        {**step, "at": step["at"] - 6 * 60} for step in session[AUTHENTICATION_METHODS_SESSION_KEY]
    ]
    session.save()
    response = client.get("/account/2fa/webauthn/add/")
    assert (
        response["Location"] == "/account/reauthenticate/?next=%2Faccount%2F2fa%2Fwebauthn%2Fadd%2F"
    )
    page = client.get(response["Location"])
    assert "Confirm it is you" in page.text
    confirmed = client.post(response["Location"], {"password": PASSWORD})
    assert confirmed["Location"] == "/account/2fa/webauthn/add/"
    assert client.get("/account/2fa/webauthn/add/").status_code == 200


def test_a_totp_code_works_once(pat):
    code = totp_code(PAT_TOTP_SECRET)
    assert sign_in_with_code(Client(), "pat", code)["Location"] == "/"
    assert "The code is not right." in sign_in_with_code(Client(), "pat", code).text


# --- manage.py two_factor_code -----------------------------------------------------------


def test_two_factor_code_prints_the_current_code(pat):
    out = StringIO()
    call_command("two_factor_code", "pat", stdout=out)
    now = time.time()  # the code of now, or of the 30 seconds before if they just ended
    assert out.getvalue().strip() in {totp_code(PAT_TOTP_SECRET, at=at) for at in (now - 30, now)}


def test_two_factor_code_refuses_someone_without_an_authenticator_app(alice):
    with pytest.raises(CommandError, match="alice has no authenticator app"):
        call_command("two_factor_code", "alice")
    with pytest.raises(CommandError, match="No user called 'nobody'"):
        call_command("two_factor_code", "nobody")
    assert not Authenticator.objects.filter(user=alice.user).exists()
