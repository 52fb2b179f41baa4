"""Microsoft Entra ID sign-in per body, through HTTP against a real OpenID Connect provider
on loopback (tests/entra_provider.py): our form, the provider's page, our callback."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.entra import social_app
from inspections.models import AuditEvent, AuditKind, EntraSignIn, Invitation, Membership, Role
from inspections.services import people
from inspections.two_factor import totp_code

from .conftest import PAT_TOTP_SECRET
from .factories import PASSWORD, MembershipFactory, UserFactory

pytest.register_assert_rewrite("tests.entra_provider")
from .entra_provider import (  # noqa: E402
    ALICE,
    CLIENT_ID,
    DOMAIN,
    NEWCOMER,
    PAT,
    STRANGER_TENANT,
    UPN_ONLY,
    WRONG_DOMAIN,
    back,
    choose,
    sign_in_with_microsoft,
    start,
)

pytest_plugins = ["tests.entra_provider"]
pytestmark = pytest.mark.django_db

User = get_user_model()


def invite(entra: EntraSignIn, email: str, role: Role = Role.EDITOR, **kwargs) -> str:
    inviter = UserFactory.create(username="inviter")
    _invitation, token = people.invite(
        body=entra.body, email=email, role=role, invited_by=inviter, **kwargs
    )
    return token


def signed_in_user(client: Client):
    return client.get(reverse("home")).wsgi_request.user


def refusals() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_REFUSED))


def give_email(membership: Membership, email: str) -> Membership:
    membership.user.email = email
    membership.user.save(update_fields=["email"])
    return membership


# --- Apps from the bodies' rows ------------------------------------------------------------


def test_each_enabled_body_is_an_openid_connect_app_at_its_tenant(entra, settings):
    settings.ENTRA_AUTHORITY = "https://login.microsoftonline.com/{tenant}/v2.0"
    app = social_app(entra)
    assert app.pk is None  # never stored
    assert app.provider == "openid_connect"
    assert app.provider_id == f"entra-{entra.body.slug}"
    assert app.client_id == CLIENT_ID
    assert app.secret == "a-client-secret"
    assert app.settings["server_url"] == (
        f"https://login.microsoftonline.com/{entra.tenant_id}/v2.0"
    )
    assert app.settings["scope"] == ["openid", "email", "profile"]


def test_a_disabled_body_has_no_microsoft_sign_in(entra):
    entra.enabled = False
    entra.save()
    client = Client()
    assert client.get(f"/account/oidc/{entra.provider_id}/login/").status_code == 404
    response = client.post(reverse("entra_sign_in"), {"email": NEWCOMER.email})
    assert response.status_code == 422
    assert "is not set up for Microsoft sign-in" in response.content.decode()


def test_allauths_own_login_url_points_to_our_microsoft_page(entra):
    response = Client().get(f"/account/oidc/{entra.provider_id}/login/")
    assert response.status_code == 200
    page = response.content.decode()
    assert f'href="{reverse("entra_sign_in")}"' in page
    assert entra.body.name in page


# --- The sign-in page and our form --------------------------------------------------------


def test_the_sign_in_page_offers_microsoft_only_when_a_body_has_it_on(entra):
    page = Client().get(reverse("login")).content.decode()
    assert "Sign in with Microsoft" in page
    assert f'action="{reverse("entra_sign_in")}"' in page
    asked = Client().get(reverse("login"), {"next": "/reports/"}).content.decode()
    microsoft = asked[asked.index('id="entra-heading"') :]
    assert '<input type="hidden" name="next" value="/reports/">' in microsoft
    entra.enabled = False
    entra.save()
    assert "Sign in with Microsoft" not in Client().get(reverse("login")).content.decode()


def test_the_microsoft_page_shows_its_form_filled_in_from_an_invitations_link(entra):
    response = Client().get(reverse("entra_sign_in"), {"email": NEWCOMER.email, "invitation": "t"})
    assert response.status_code == 200
    page = response.content.decode()
    assert f'value="{NEWCOMER.email}"' in page
    assert 'name="invitation"' in page


def test_an_unknown_domain_is_a_clear_error_with_the_address_kept(entra):
    response = Client().post(reverse("entra_sign_in"), {"email": "Jo@Unknown.Example.org"})
    assert response.status_code == 422
    page = response.content.decode()
    assert (
        "unknown.example.org is not set up for Microsoft sign-in. Sign in with your username "
        "and password, or ask your administrator."
    ) in page
    assert 'value="Jo@Unknown.Example.org"' in page  # as typed
    assert "govuk-error-summary" in page
    assert 'href="#entra-email"' in page


def test_an_address_that_is_not_one_is_refused_on_the_form(entra):
    response = Client().post(reverse("entra_sign_in"), {"email": "not an address"})
    assert response.status_code == 422
    assert "Enter an email address in the correct format" in response.content.decode()


def test_the_microsoft_page_refuses_other_methods(entra):
    assert Client().put(reverse("entra_sign_in")).status_code == 405


def test_starting_needs_the_csrf_token(entra):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse("entra_sign_in"), {"email": NEWCOMER.email}).status_code == 403


def test_a_known_domain_goes_to_the_bodys_tenant_asking_for_that_address(entra, entra_provider):
    authorize = start(Client(), NEWCOMER.email.upper())
    assert authorize.startswith(f"{entra_provider}/oauth2/authorize?")
    query = parse_qs(urlsplit(authorize).query)
    assert query["client_id"] == [CLIENT_ID]
    assert query["login_hint"] == [NEWCOMER.email]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}
    assert query["redirect_uri"] == [
        f"http://testserver/account/oidc/{entra.provider_id}/login/callback/"
    ]
    assert query["code_challenge_method"] == ["S256"]


def test_when_microsoft_cannot_be_reached_the_form_says_so(entra, settings):
    settings.ENTRA_AUTHORITY = "http://127.0.0.1:9"  # nothing listens there
    response = Client().post(reverse("entra_sign_in"), {"email": NEWCOMER.email})
    assert response.status_code == 503
    page = response.content.decode()
    assert "Microsoft sign-in is not available just now." in page
    assert f'value="{NEWCOMER.email}"' in page


# --- Coming back: who gets in --------------------------------------------------------------


def test_an_invited_address_joins_the_body_with_the_invited_role(entra):
    invite(entra, NEWCOMER.email, Role.APPROVER, is_administrator=True, job_title="Head of Policy")
    client = Client()

    response = sign_in_with_microsoft(client, NEWCOMER)

    assert response.redirect_chain[-1] == (reverse("home"), 302)
    assert response.status_code == 200
    assert entra.body.name in response.content.decode()
    user = signed_in_user(client)
    assert user.is_authenticated
    assert user.email == NEWCOMER.email
    assert (user.first_name, user.last_name) == ("Nia", "Newcomer")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user)
    assert membership.body == entra.body
    assert membership.role == Role.APPROVER
    assert membership.is_administrator
    assert membership.job_title == "Head of Policy"
    invitation = Invitation.objects.get(email=NEWCOMER.email)
    assert invitation.accepted_at is not None
    assert invitation.accepted_by == user
    account = SocialAccount.objects.get(user=user)
    assert (account.provider, account.uid) == (entra.provider_id, NEWCOMER.sub)
    assert AuditEvent.objects.filter(kind=AuditKind.INVITATION_ACCEPTED, user=user).exists()
    assert AuditEvent.objects.get(kind=AuditKind.SIGNED_IN, user=user).detail == "Microsoft"


@pytest.mark.parametrize(
    ("asked", "landed"), [("/dashboard/", "/dashboard/"), ("https://evil.example/", "/")]
)
def test_the_page_asked_for_is_where_they_land_if_it_is_ours(entra, alice, asked, landed):
    give_email(alice, ALICE.email)
    client = Client()

    response = back(client, choose(start(client, ALICE.email, next_url=asked), ALICE.sub))

    assert response.redirect_chain[0] == (landed, 302)


def test_the_invited_person_signs_in_again_as_the_same_account(entra):
    invite(entra, NEWCOMER.email)
    first = Client()
    sign_in_with_microsoft(first, NEWCOMER)
    user = signed_in_user(first)

    again = Client()
    response = sign_in_with_microsoft(again, NEWCOMER)

    assert response.status_code == 200
    assert signed_in_user(again) == user
    assert User.objects.filter(email=NEWCOMER.email).count() == 1


def test_the_invitations_link_carries_through_microsoft(entra):
    token = invite(entra, NEWCOMER.email, Role.ANALYST)
    client = Client()

    response = sign_in_with_microsoft(client, NEWCOMER, invitation=token)

    assert response.status_code == 200
    assert Membership.objects.get(user=signed_in_user(client)).role == Role.ANALYST


def test_the_invitation_page_accepts_with_microsoft(entra):
    token = invite(entra, NEWCOMER.email, Role.ANALYST)
    client = Client()
    page = client.get(reverse("invitation_accept", args=[token])).content.decode()
    assert f'action="{reverse("entra_sign_in")}"' in page
    assert f'name="invitation" value="{token}"' in page

    back(client, choose(start(client, NEWCOMER.email, invitation=token), NEWCOMER.sub))

    assert Membership.objects.get(user=signed_in_user(client)).role == Role.ANALYST


def test_an_invitation_for_another_address_is_not_spent_by_the_wrong_account(entra):
    token = invite(entra, f"somebody.else@{DOMAIN}")
    client = Client()

    response = sign_in_with_microsoft(client, NEWCOMER, invitation=token)

    assert response.status_code == 403
    page = response.content.decode()
    assert f"Your invitation is for somebody.else@{DOMAIN}" in page
    assert Invitation.objects.get().accepted_at is None
    assert not signed_in_user(client).is_authenticated


def test_an_address_only_in_the_sign_in_name_is_used(entra):
    invite(entra, UPN_ONLY.email)
    client = Client()

    response = sign_in_with_microsoft(client, UPN_ONLY)

    assert response.status_code == 200
    assert signed_in_user(client).email == UPN_ONLY.email


def test_an_existing_member_signs_in_and_their_microsoft_account_is_connected(entra, alice):
    give_email(alice, ALICE.email.upper())
    client = Client()

    response = sign_in_with_microsoft(client, ALICE)

    assert response.redirect_chain[-1] == (reverse("home"), 302)
    assert signed_in_user(client) == alice.user
    assert SocialAccount.objects.get(uid=ALICE.sub).user == alice.user
    assert User.objects.count() == 1


@pytest.fixture
def priya(body) -> Membership:
    """An approver without two-factor sign-in of her own."""
    user = UserFactory.create(username="priya", email=PAT.email)
    return MembershipFactory.create(user=user, body=body, role=Role.APPROVER)


def test_an_approver_who_signs_in_with_microsoft_is_not_sent_to_set_up_two_factor(entra, priya):
    client = Client()

    response = sign_in_with_microsoft(client, PAT)

    assert response.redirect_chain == [(reverse("home"), 302)]
    dashboard = client.get(reverse("dashboard"))
    assert dashboard.status_code == 200
    assert signed_in_user(client) == priya.user


def test_the_same_approver_signing_in_with_a_password_must_set_up_two_factor(entra, priya):
    client = Client()
    assert client.login(username="priya", password=PASSWORD)
    assert client.get(reverse("dashboard"))["Location"] == reverse("account")


def test_an_approver_who_has_an_authenticator_app_is_still_asked_for_its_code(entra, pat):
    give_email(pat, PAT.email)
    client = Client()

    response = sign_in_with_microsoft(client, PAT)

    assert response.redirect_chain == [(reverse("mfa_authenticate"), 302)]
    assert not signed_in_user(client).is_authenticated
    done = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(PAT_TOTP_SECRET)}, follow=True
    )
    assert done.redirect_chain[-1] == (reverse("home"), 302)
    assert signed_in_user(client) == pat.user


def test_a_person_sees_their_connected_microsoft_account(entra):
    invite(entra, NEWCOMER.email)
    client = Client()
    sign_in_with_microsoft(client, NEWCOMER)

    page = client.get(reverse("socialaccount_connections"))
    assert page.status_code == 200
    assert NEWCOMER.email in page.content.decode()
    # Without a password of their own, it is their only way in: it stays.
    account = SocialAccount.objects.get()
    refused = client.post(reverse("socialaccount_connections"), {"account": account.pk})
    assert "Your account has no password set up." in refused.content.decode()
    assert SocialAccount.objects.filter(pk=account.pk).exists()


# --- Coming back: who is refused, and why ---------------------------------------------------


def assert_refused(response, reason: str, email: str, entra: EntraSignIn) -> None:
    assert response.status_code == 403
    page = response.content.decode()
    assert "You cannot sign in with Microsoft" in page
    assert reason in page
    assert "Sign in with your username and password, or ask your administrator." in page
    [event] = refusals()
    assert event.username == email
    assert event.body == entra.body
    assert reason in event.detail


def test_a_person_from_another_tenant_is_refused(entra):
    invite(entra, STRANGER_TENANT.email)  # even invited
    client = Client()

    response = sign_in_with_microsoft(client, STRANGER_TENANT)

    assert_refused(response, "not set up to sign in to", STRANGER_TENANT.email, entra)
    assert not signed_in_user(client).is_authenticated
    assert Invitation.objects.get().accepted_at is None
    assert not SocialAccount.objects.exists()


def test_an_address_in_a_domain_the_body_does_not_own_is_refused(entra):
    client = Client()
    # The address typed is the body's; the account Microsoft signs in is not.
    response = back(client, choose(start(client, NEWCOMER.email), WRONG_DOMAIN.sub))

    assert_refused(
        response,
        "is not in an email domain that Police and Crime Commissioner for Hampshire and "
        "Isle of Wight has set up for Microsoft sign-in",
        WRONG_DOMAIN.email,
        entra,
    )
    assert not signed_in_user(client).is_authenticated


def test_a_person_without_an_invitation_is_refused(entra):
    client = Client()

    response = sign_in_with_microsoft(client, NEWCOMER)

    assert_refused(response, "Ask your administrator to invite you.", NEWCOMER.email, entra)
    assert not User.objects.filter(email=NEWCOMER.email).exists()
    assert not signed_in_user(client).is_authenticated


@pytest.mark.parametrize("spent", ["withdrawn_at", "accepted_at", "expired"])
def test_an_invitation_that_cannot_be_used_lets_nobody_in(entra, spent):
    invite(entra, NEWCOMER.email)
    invitation = Invitation.objects.get()
    if spent == "expired":
        invitation.expires_at = timezone.now() - dt.timedelta(minutes=1)
    else:
        setattr(invitation, spent, timezone.now())
    invitation.save()

    response = sign_in_with_microsoft(Client(), NEWCOMER)

    assert response.status_code == 403
    assert not User.objects.filter(email=NEWCOMER.email).exists()


def test_a_member_of_another_body_with_the_same_address_is_refused(entra, olly):
    give_email(olly, NEWCOMER.email)
    # Even an invitation written past the usual check does not connect them across bodies.
    Invitation.objects.create(
        body=entra.body,
        email=NEWCOMER.email,
        role=Role.EDITOR,
        token_digest="x" * 64,
        expires_at=timezone.now() + dt.timedelta(days=1),
    )
    client = Client()

    response = sign_in_with_microsoft(client, NEWCOMER)

    assert_refused(response, "Your account belongs to another body", NEWCOMER.email, entra)
    assert not signed_in_user(client).is_authenticated
    assert not SocialAccount.objects.exists()
    assert Membership.objects.get(user=olly.user).body == olly.body


def test_a_deactivated_member_is_refused(entra, alice):
    give_email(alice, ALICE.email)
    alice.user.is_active = False
    alice.user.save()
    client = Client()

    response = sign_in_with_microsoft(client, ALICE)

    assert_refused(response, "has been deactivated", ALICE.email, entra)
    assert not signed_in_user(client).is_authenticated


def test_a_member_deactivated_after_connecting_microsoft_is_refused(entra, alice):
    give_email(alice, ALICE.email)
    sign_in_with_microsoft(Client(), ALICE)
    alice.user.is_active = False
    alice.user.save()
    client = Client()

    response = sign_in_with_microsoft(client, ALICE)

    assert_refused(response, "has been deactivated", ALICE.email, entra)
    assert not signed_in_user(client).is_authenticated


def test_a_connected_member_moved_to_another_body_is_refused(entra, alice, other_body):
    give_email(alice, ALICE.email)
    sign_in_with_microsoft(Client(), ALICE)
    Membership.objects.filter(pk=alice.pk).update(body=other_body)

    response = sign_in_with_microsoft(Client(), ALICE)

    assert_refused(response, "Your account belongs to another body", ALICE.email, entra)


def test_stopping_at_microsoft_signs_nobody_in(entra):
    client = Client()
    authorize = start(client, NEWCOMER.email)

    denied = requests.post(authorize, data={"action": "deny"}, allow_redirects=False, timeout=5)
    response = back(client, denied.headers["Location"])

    assert response.status_code == 200
    assert "You did not sign in with Microsoft" in response.content.decode()
    assert not signed_in_user(client).is_authenticated


def test_a_callback_without_its_state_is_an_error_page_not_a_sign_in(entra):
    client = Client()
    start(client, NEWCOMER.email)
    response = client.get(
        f"/account/oidc/{entra.provider_id}/login/callback/", {"code": "made-up", "state": "x"}
    )
    assert response.status_code == 401
    assert "Signing in with Microsoft did not work" in response.content.decode()
    assert not signed_in_user(client).is_authenticated
    assert AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_FAILED, body=entra.body).exists()


# --- The operator's admin -----------------------------------------------------------------


@pytest.fixture
def operator() -> Client:
    client = Client()
    client.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_operator_lists_and_edits_a_bodys_microsoft_sign_in(operator, entra, settings):
    settings.SITE_URL = "https://pcc.example.gov.uk"
    listing = operator.get("/admin/inspections/entrasignin/")
    assert listing.status_code == 200
    assert entra.body.name in listing.content.decode()

    url = f"/admin/inspections/entrasignin/{entra.pk}/change/"
    page = operator.get(url).content.decode()
    assert f"https://pcc.example.gov.uk/account/oidc/{entra.provider_id}/login/callback/" in page
    assert 'type="password"' in page
    assert "a-client-secret" not in page  # never shown again

    response = operator.post(
        url,
        {
            "body": entra.body.pk,
            "tenant_id": entra.tenant_id.upper(),
            "client_id": CLIENT_ID,
            "client_secret": "",  # left empty: the stored one stays
            "domains": f"@{DOMAIN.upper()}\n\nhiow.example.police.uk",
            "enabled": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()
    entra.refresh_from_db()
    assert entra.client_secret == "a-client-secret"
    assert entra.tenant_id == entra.tenant_id.lower()
    assert entra.domain_list == [DOMAIN, "hiow.example.police.uk"]


def test_the_operator_cannot_give_one_domain_to_two_bodies(operator, entra, other_body):
    response = operator.post(
        "/admin/inspections/entrasignin/add/",
        {
            "body": other_body.pk,
            "tenant_id": "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e",
            "client_id": "1c2d3e4f-5a6b-4c7d-8e9f-0a1b2c3d4e5f",
            "client_secret": "another-secret",
            "domains": DOMAIN,
            "enabled": "on",
        },
    )
    assert response.status_code == 200
    assert f"{DOMAIN} already belongs to {entra.body.name}" in response.content.decode()
    assert EntraSignIn.objects.count() == 1


def test_a_new_sign_in_needs_a_secret_and_real_ids(operator, other_body):
    response = operator.post(
        "/admin/inspections/entrasignin/add/",
        {"body": other_body.pk, "tenant_id": "contoso.onmicrosoft.com", "client_id": "x"},
    )
    page = response.content.decode()
    assert "Enter the client secret." in page
    assert "Enter the directory (tenant) ID as shown in Microsoft Entra" in page
    assert not EntraSignIn.objects.exists()


def test_staff_who_are_not_operators_find_no_microsoft_settings(entra, alice):
    alice.user.is_staff = True
    alice.user.save()
    client = Client()
    client.force_login(alice.user)
    assert client.get("/admin/inspections/entrasignin/").status_code == 404
