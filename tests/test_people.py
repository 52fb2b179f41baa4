"""A body runs its own team: its administrators invite people, set their roles, deactivate
them and require two-factor sign-in; the invited accept by a link that works once."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inspections.models import (
    AuditEvent,
    AuditKind,
    EntraSignIn,
    Invitation,
    Membership,
    PolicingBody,
    Role,
)
from inspections.services import people as services
from inspections.two_factor import enable_totp, has_two_factor

from .conftest import signed_in
from .factories import PASSWORD, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

User = get_user_model()
NEW_PASSWORD = "Lantern-harbour-47"


def invite(ada: Membership, email: str = "sam.jones@example.org", **kwargs: object) -> str:
    """Invites through the service and returns the raw token."""
    fields = {"role": Role.EDITOR} | kwargs
    _invitation, token = services.invite(
        body=ada.body,
        email=email,
        invited_by=ada.user,
        **fields,  # type: ignore[arg-type]
    )
    return token


def link_in(message: mail.EmailMessage) -> str:
    found = re.search(r"https?://\S+/invitations/[\w-]+/", str(message.body))
    assert found, message.body
    return found.group(0)


def path_of(url: str) -> str:
    return "/" + url.split("/", 3)[3]


def accept_data(**overrides: str) -> dict[str, str]:
    return {
        "username": "sjones",
        "first_name": "Sam",
        "last_name": "Jones",
        "password1": NEW_PASSWORD,
        "password2": NEW_PASSWORD,
    } | overrides


@pytest.fixture
def oscar(other_body: PolicingBody) -> Membership:
    """An administrator of the other body."""
    user = UserFactory.create(username="oscar", first_name="Oscar")
    enable_totp(user, "JBSWY3DPEHPK3PXP")  # administrators must use two-factor sign-in
    return MembershipFactory.create(
        user=user, body=other_body, role=Role.ANALYST, is_administrator=True
    )


@pytest.fixture
def pat_client(pat: Membership) -> Client:
    return signed_in(pat)


# The people page ----------------------------------------------------------------------


class TestThePeoplePage:
    def test_an_administrator_sees_everyone_of_her_body(self, ada_client, ada, alice, ana, olly):
        alice.job_title = "Policy officer"
        alice.save()
        ana.user.is_active = False
        ana.user.save()
        # 20 July 2023, 8:05 UTC is 9:05am in London (summer time).
        ada.user.last_login = dt.datetime(2023, 7, 20, 8, 5, tzinfo=dt.UTC)
        ada.user.save()
        page = ada_client.get("/people/")
        assert page.status_code == 200
        text = page.text
        for expected in (
            "Alice",
            "alice@example.org",
            "Editor",
            "Analyst",
            "Administrator",
            "Policy officer",
            "Deactivated",
            "Active",
            "20 July 2023 at 9:05am",
            "Never",
        ):
            assert expected in text, expected
        assert "olly" not in text  # another body's member
        row = re.search(rf'id="person-{ada.pk}".*?</tr>', text, re.S)
        assert row
        assert ">On<" in row.group(0)
        row = re.search(rf'id="person-{alice.pk}".*?</tr>', text, re.S)
        assert row
        assert ">Off<" in row.group(0)

    def test_it_lists_invitations_waiting_with_their_dates(self, ada_client, ada):
        invite(ada, "wait@example.org", role=Role.APPROVER, is_administrator=True)
        invitation = Invitation.objects.get()
        page = ada_client.get("/people/")
        assert "wait@example.org" in page.text
        assert "Approver and administrator" in page.text
        assert timezone.localtime(invitation.expires_at).strftime("%-d %B %Y") in page.text
        assert f"/people/invitations/{invitation.pk}/withdraw/" in page.text

    def test_the_navigation_shows_people_to_administrators_only(self, ada_client, alice_client):
        assert 'href="/people/"' in ada_client.get("/").text
        assert 'href="/people/"' not in alice_client.get("/").text

    def test_the_number_of_queries_does_not_grow_with_the_members(
        self, ada_client, ada, django_assert_max_num_queries
    ):
        def grow(start: int, stop: int) -> None:
            for n in range(start, stop):
                member = MembershipFactory.create(body=ada.body, role=Role.EDITOR, job_title="x")
                if n % 2:
                    enable_totp(member.user, "JBSWY3DPEHPK3PXP")
                invite(ada, f"invitee{n}@example.org")

        ada_client.get("/")  # the first request after signing in starts the session's clocks
        counts = []
        for start, stop in ((0, 5), (5, 50)):
            grow(start, stop)
            with CaptureQueriesContext(connection) as queries:
                page = ada_client.get("/people/")
            assert page.text.count('id="person-') == stop + 1
            assert page.text.count('id="invitation-') == stop
            counts.append(len(queries))
        assert counts[0] == counts[1]
        # The page's own three (members, two-factor, invitations), the session, the user,
        # the membership, and room for the sign-in middleware.
        with django_assert_max_num_queries(10):
            assert ada_client.get("/people/").status_code == 200

    def test_it_only_answers_get(self, ada_client):
        assert ada_client.post("/people/").status_code == 405


# Who may reach the people pages -------------------------------------------------------


def people_urls(membership: Membership, invitation: Invitation) -> list[str]:
    return [
        "/people/",
        "/people/invite/",
        "/people/two-factor/",
        f"/people/{membership.pk}/",
        f"/people/{membership.pk}/deactivate/",
        f"/people/{membership.pk}/reactivate/",
        f"/people/invitations/{invitation.pk}/withdraw/",
    ]


@pytest.fixture
def hampshire_invitation(ada: Membership) -> Invitation:
    invite(ada, "pending@example.org")
    return Invitation.objects.get(email="pending@example.org")


class TestAccess:
    @pytest.mark.parametrize("persona", ["alice", "pat", "ana"])
    def test_members_who_are_not_administrators_get_403_everywhere(
        self, request, persona, ada, alice, hampshire_invitation
    ):
        someone = request.getfixturevalue(persona)
        if not has_two_factor(someone.user):  # pat must have it; the others may
            enable_totp(someone.user, "JBSWY3DPEHPK3PXP")
        client = signed_in(someone)
        before = (
            Membership.objects.filter(is_administrator=True).count(),
            Invitation.objects.usable().count(),
        )
        for url in people_urls(alice, hampshire_invitation):
            assert client.get(url).status_code in (403, 405), url
            status = client.post(url, {"role": "analyst", "require_two_factor": "true"})
            assert status.status_code == (405 if url == "/people/" else 403), url
        assert PolicingBody.objects.get(pk=ada.body_id).require_two_factor is False
        after = (
            Membership.objects.filter(is_administrator=True).count(),
            Invitation.objects.usable().count(),
        )
        assert after == before
        assert alice.user.is_active

    def test_another_bodys_administrator_gets_404_for_this_bodys_people(
        self, oscar, ada, alice, hampshire_invitation
    ):
        client = signed_in(oscar)
        for url in people_urls(alice, hampshire_invitation)[3:]:
            for headers in ({}, {"HX-Request": "true"}):
                assert client.get(url, headers=headers).status_code in (404, 405), url
                data = {"role": "analyst", "is_administrator": "on"}
                assert client.post(url, data, headers=headers).status_code == 404, url
            assert client.put(url).status_code in (404, 405), url
        alice.refresh_from_db()
        alice.user.refresh_from_db()
        assert (alice.role, alice.is_administrator, alice.user.is_active) == (
            Role.EDITOR,
            False,
            True,
        )
        assert Invitation.objects.usable().filter(pk=hampshire_invitation.pk).exists()
        # Oscar's own page lists only his body.
        page = client.get("/people/")
        assert page.status_code == 200
        assert "alice" not in page.text
        assert "pending@example.org" not in page.text

    def test_a_user_without_a_body_is_refused(self, ada):
        loner = UserFactory.create(username="loner")
        client = Client()
        client.force_login(loner)
        assert client.get("/people/").status_code == 403

    def test_signed_out_visitors_are_sent_to_sign_in(self, ada, alice):
        response = Client().get(f"/people/{alice.pk}/")
        assert response.status_code == 302
        assert "/sign-in/" in response["Location"]


# Inviting -----------------------------------------------------------------------------


class TestInviting:
    def test_the_form_offers_each_role_with_a_hint(self, ada_client):
        page = ada_client.get("/people/invite/")
        assert page.status_code == 200
        for role in ("Editor", "Approver", "Analyst", "Force contributor"):
            assert role in page.text
        assert page.text.count("govuk-radios__hint") == 4
        assert 'aria-describedby="id_role_0-hint"' in page.text
        assert 'name="is_administrator"' in page.text
        assert 'name="job_title"' in page.text

    def test_an_administrator_invites_someone_by_email(self, ada_client, ada, settings):
        settings.SITE_URL = "https://pcc.example.gov.uk"
        response = ada_client.post(
            "/people/invite/",
            {
                "email": "Sam.Jones@Example.org",
                "role": "approver",
                "is_administrator": "on",
                "job_title": "Head of assurance",
            },
            follow=True,
        )
        assert response.redirect_chain[-1][0] == "/people/"
        invitation = Invitation.objects.get()
        assert (invitation.email, invitation.role, invitation.is_administrator) == (
            "sam.jones@example.org",
            Role.APPROVER,
            True,
        )
        assert invitation.job_title == "Head of assurance"
        assert invitation.invited_by == ada.user
        expires = timezone.localtime(invitation.expires_at)
        assert expires - timezone.localtime(invitation.created_at) == dt.timedelta(days=7)
        assert (
            f"Invitation sent to sam.jones@example.org. The link works until "
            f"{expires.day} {expires:%B %Y}." in response.text
        )
        (message,) = mail.outbox
        assert message.to == ["sam.jones@example.org"]
        assert "Hampshire" in message.subject
        url = link_in(message)
        assert url.startswith("https://pcc.example.gov.uk/invitations/")
        token = url.rstrip("/").rsplit("/", 1)[1]
        assert invitation.token_digest != token  # only the digest is stored
        assert services.invitation_from_token(token) == invitation
        html, mimetype = message.alternatives[0]  # type: ignore[attr-defined]
        assert mimetype == "text/html"
        assert url in str(html)
        assert "Approver and administrator" in message.body
        event = AuditEvent.objects.get(kind=AuditKind.INVITED)
        assert (event.user, event.body_id) == (ada.user, ada.body_id)
        assert "sam.jones@example.org" in event.detail

    def test_a_wrong_form_comes_back_with_the_input_and_linked_errors(self, ada_client):
        response = ada_client.post(
            "/people/invite/", {"email": "not-an-address", "job_title": "Analyst lead"}
        )
        assert response.status_code == 422
        assert 'value="not-an-address"' in response.text
        assert 'value="Analyst lead"' in response.text
        assert 'href="#id_email"' in response.text
        assert 'href="#id_role_0"' in response.text
        assert "Choose a role" in response.text
        assert Invitation.objects.count() == 0
        assert not mail.outbox

    @pytest.mark.parametrize("email", ["alice@example.org", "OLLY@example.org"])
    def test_it_refuses_an_address_that_already_has_an_account(
        self, ada_client, alice, olly, email
    ):
        response = ada_client.post("/people/invite/", {"email": email, "role": "editor"})
        assert response.status_code == 422
        assert "already has an account" in response.text
        assert f'value="{email}"' in response.text
        assert Invitation.objects.count() == 0
        assert not mail.outbox

    def test_the_service_refuses_a_members_address_too(self, ada, alice):
        with pytest.raises(services.AlreadyMember):
            invite(ada, "Alice@Example.org")

    def test_inviting_the_same_address_again_asks_then_replaces_the_link(self, ada_client, ada):
        first = invite(ada, "sam@example.org")
        data = {"email": "sam@example.org", "role": "analyst"}
        asked = ada_client.post("/people/invite/", data)
        assert asked.status_code == 422
        assert "was already invited on" in asked.text
        assert 'value="sam@example.org"' in asked.text
        assert re.search(r'value="analyst"[^>]*checked', asked.text)
        assert 'name="replace" value="True"' in asked.text
        assert "Send a new invitation" in asked.text
        assert services.invitation_from_token(first) is not None
        assert len(mail.outbox) == 1
        response = ada_client.post("/people/invite/", data | {"replace": "True"}, follow=True)
        assert "The earlier invitation was withdrawn" in response.text
        assert services.invitation_from_token(first) is None
        assert len(mail.outbox) == 2
        latest = services.usable_invitation_for(body=ada.body, email="sam@example.org")
        assert latest is not None
        assert latest.role == Role.ANALYST
        assert Invitation.objects.usable().count() == 1
        assert AuditEvent.objects.filter(kind=AuditKind.INVITATION_WITHDRAWN).count() == 1

    def test_an_invitation_to_another_body_does_not_count(self, ada_client, ada, oscar):
        services.invite(
            body=oscar.body, email="sam@example.org", role=Role.EDITOR, invited_by=oscar.user
        )
        response = ada_client.post(
            "/people/invite/", {"email": "sam@example.org", "role": "editor"}
        )
        assert response.status_code == 302
        assert Invitation.objects.usable().count() == 2

    def test_an_administrator_withdraws_an_invitation(self, ada_client, ada):
        token = invite(ada, "sam@example.org")
        invitation = Invitation.objects.get()
        assert ada_client.get(f"/people/invitations/{invitation.pk}/withdraw/").status_code == 405
        response = ada_client.post(f"/people/invitations/{invitation.pk}/withdraw/", follow=True)
        assert "Invitation to sam@example.org withdrawn" in response.text
        assert services.invitation_from_token(token) is None
        assert "sam@example.org" not in ada_client.get("/people/").text
        again = ada_client.post(f"/people/invitations/{invitation.pk}/withdraw/", follow=True)
        assert "had already been accepted, withdrawn or expired" in again.text
        assert AuditEvent.objects.filter(kind=AuditKind.INVITATION_WITHDRAWN).count() == 1


# Accepting ----------------------------------------------------------------------------


class TestAccepting:
    def test_the_page_shows_the_body_and_role_and_suggests_a_username(self, ada):
        UserFactory.create(username="sam.jones")
        token = invite(ada, "Sam.Jones@example.org", role=Role.APPROVER)
        page = Client().get(f"/invitations/{token}/")
        assert page.status_code == 200
        assert "Police and Crime Commissioner for Hampshire and Isle of Wight" in page.text
        assert "Approver" in page.text
        assert 'value="sam.jones2"' in page.text  # sam.jones is taken
        assert "Accept with Microsoft" not in page.text

    def test_a_new_person_sets_a_password_and_lands_at_home_signed_in(self, ada):
        token = invite(ada, "sam.jones@example.org", role=Role.ANALYST, job_title="Analyst")
        client = Client()
        response = client.post(f"/invitations/{token}/", accept_data(), follow=True)
        assert response.redirect_chain[-1][0] == "/"
        assert "Welcome to PCC Responses, Sam" in response.text
        user = User.objects.get(username="sjones")
        assert (user.email, user.first_name, user.last_name) == (
            "sam.jones@example.org",
            "Sam",
            "Jones",
        )
        assert user.check_password(NEW_PASSWORD)
        membership = user.membership
        assert (membership.body, membership.role, membership.job_title) == (
            ada.body,
            Role.ANALYST,
            "Analyst",
        )
        assert not membership.is_administrator
        assert response.wsgi_request.user == user  # signed in
        assert EmailAddress.objects.get(user=user).verified
        invitation = Invitation.objects.get()
        assert invitation.accepted_by == user
        assert invitation.accepted_at is not None
        event = AuditEvent.objects.get(kind=AuditKind.INVITATION_ACCEPTED)
        assert (event.user, event.body_id) == (user, ada.body_id)
        # The link works once.
        client.post("/sign-out/")
        assert Client().get(f"/invitations/{token}/").status_code == 410

    def test_the_password_must_pass_the_validators_and_match(self, ada):
        token = invite(ada)
        response = Client().post(
            f"/invitations/{token}/",
            accept_data(password1="12345678", password2="12345678", first_name="Sam"),
        )
        assert response.status_code == 422
        assert 'href="#id_password1"' in response.text
        assert "too common" in response.text
        assert 'value="Sam"' in response.text
        assert 'value="12345678"' not in response.text  # passwords are not echoed back
        mismatch = Client().post(
            f"/invitations/{token}/", accept_data(password2="Another-password-99")
        )
        assert mismatch.status_code == 422
        assert 'href="#id_password2"' in mismatch.text
        assert "The passwords do not match" in mismatch.text
        assert not User.objects.filter(username="sjones").exists()

    def test_a_taken_username_is_refused(self, ada, alice):
        token = invite(ada)
        response = Client().post(f"/invitations/{token}/", accept_data(username="ALICE"))
        assert response.status_code == 422
        assert "That username is taken" in response.text
        assert 'href="#id_username"' in response.text

    @pytest.mark.parametrize("spent", ["expired", "used", "withdrawn"])
    def test_a_spent_link_says_to_ask_for_a_new_one(self, ada, spent):
        token = invite(ada)
        invitation = Invitation.objects.get()
        if spent == "expired":
            invitation.expires_at = timezone.now() - dt.timedelta(seconds=1)
        elif spent == "used":
            invitation.accepted_at = timezone.now()
        else:
            invitation.withdrawn_at = timezone.now()
        invitation.save()
        for response in (
            Client().get(f"/invitations/{token}/"),
            Client().post(f"/invitations/{token}/", accept_data()),
        ):
            assert response.status_code == 410
            assert "ask your administrator" in response.text.lower()
        assert not User.objects.filter(username="sjones").exists()

    def test_an_unknown_link_is_404(self, ada):
        invite(ada)
        assert Client().get("/invitations/not-a-real-token/").status_code == 404
        assert Client().post("/invitations/not-a-real-token/", accept_data()).status_code == 404

    def test_a_signed_in_user_is_asked_to_sign_out_first(self, ada, alice_client):
        token = invite(ada)
        for response in (
            alice_client.get(f"/invitations/{token}/"),
            alice_client.post(f"/invitations/{token}/", accept_data()),
        ):
            assert "Sign out to accept this invitation" in response.text
        assert not User.objects.filter(username="sjones").exists()
        assert services.invitation_from_token(token) is not None

    def test_two_tabs_accepting_at_once_make_one_account(self, ada):
        token = invite(ada)
        invitation = services.invitation_from_token(token)
        assert invitation is not None
        first = Client().post(f"/invitations/{token}/", accept_data())
        assert first.status_code == 302
        # The second tab loaded the invitation before the first accepted it.
        with pytest.raises(services.InvitationUnusable):
            services.invitation_accept(
                invitation=invitation,
                username="sjones2",
                first_name="Sam",
                last_name="Jones",
                password=NEW_PASSWORD,
            )
        assert not User.objects.filter(username="sjones2").exists()  # rolled back
        assert Membership.objects.filter(user__email="sam.jones@example.org").count() == 1

    def test_an_address_that_joined_another_body_meanwhile_is_refused(self, ada, oscar):
        token = invite(ada, "sam@example.org")
        other = services.invite(
            body=oscar.body, email="sam@example.org", role=Role.EDITOR, invited_by=oscar.user
        )[1]
        assert Client().post(f"/invitations/{other}/", accept_data()).status_code == 302
        response = Client().post(f"/invitations/{token}/", accept_data(username="sam2"))
        assert response.status_code == 422
        assert "already has an account" in response.text
        assert not User.objects.filter(username="sam2").exists()
        assert services.invitation_from_token(token) is not None  # nothing was spent

    def test_an_entra_body_offers_accepting_with_microsoft(self, ada):
        EntraSignIn.objects.create(
            body=ada.body,
            tenant_id="11111111-2222-3333-4444-555555555555",
            client_id="client",
            client_secret="secret",
            domains="hampshire-pcc.gov.uk",
        )
        inside = invite(ada, "sam@hampshire-pcc.gov.uk")
        outside = invite(ada, "sam@example.org")
        invitation = services.invitation_from_token(inside)
        assert invitation is not None
        assert services.entra_for_invitation(invitation) is not None
        from django.urls import NoReverseMatch, reverse

        try:
            entra_url = reverse("entra_sign_in")
        except NoReverseMatch:
            entra_url = None
        page = Client().get(f"/invitations/{inside}/")
        if entra_url:
            assert "Accept with Microsoft" in page.text
            assert f'action="{entra_url}"' in page.text
            assert f'name="invitation" value="{inside}"' in page.text
        else:
            assert "Accept with Microsoft" not in page.text
        assert "Accept with Microsoft" not in Client().get(f"/invitations/{outside}/").text

    def test_join_is_what_a_microsoft_sign_in_calls(self, ada):
        token = invite(ada, "Kim@Example.org", role=Role.CONTRIBUTOR, job_title="Inspector")
        invitation = services.invitation_from_token(token)
        assert invitation is not None
        user = UserFactory.create(username="kim", email="")
        membership = services.join(invitation=invitation, user=user)
        assert (membership.role, membership.job_title, membership.body) == (
            Role.CONTRIBUTOR,
            "Inspector",
            ada.body,
        )
        user.refresh_from_db()
        assert user.email == "kim@example.org"
        assert services.invitation_from_token(token) is None
        assert services.usable_invitation_for(body=ada.body, email="kim@example.org") is None


# Changing a person --------------------------------------------------------------------


def person_data(membership: Membership, **changes: object) -> dict[str, object]:
    seen = services.membership_state(membership)
    data: dict[str, object] = {
        "role": seen["role"],
        "job_title": seen["job_title"],
        "seen_role": seen["role"],
        "seen_is_administrator": str(seen["is_administrator"]),
        "seen_job_title": seen["job_title"],
    }
    if seen["is_administrator"]:
        data["is_administrator"] = "on"
    for name, value in changes.items():
        if name == "is_administrator":
            if value:
                data["is_administrator"] = "on"
            else:
                data.pop("is_administrator", None)
        else:
            data[name] = value
    return data


class TestChangingAPerson:
    def test_an_administrator_changes_a_role(self, ada_client, ada, alice):
        page = ada_client.get(f"/people/{alice.pk}/")
        assert page.status_code == 200
        assert "alice@example.org" in page.text
        assert "Never" in page.text
        response = ada_client.post(
            f"/people/{alice.pk}/",
            person_data(alice, role="approver", is_administrator=True, job_title="Deputy"),
            follow=True,
        )
        assert response.redirect_chain[-1][0] == "/people/"
        assert "Alice’s role saved" in response.text
        alice.refresh_from_db()
        assert (alice.role, alice.is_administrator, alice.job_title) == (
            Role.APPROVER,
            True,
            "Deputy",
        )
        event = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED)
        assert event.detail.startswith("alice: editor → approver; administrator added")
        assert event.user == ada.user
        assert alice.history.first().history_user == ada.user

    def test_a_wrong_form_keeps_the_input(self, ada_client, alice):
        response = ada_client.post(
            f"/people/{alice.pk}/", person_data(alice, role="", job_title="x" * 201)
        )
        assert response.status_code == 422
        assert 'href="#id_role_0"' in response.text
        assert 'href="#id_job_title"' in response.text
        assert "x" * 201 in response.text

    def test_a_colleagues_change_meanwhile_is_never_overwritten(self, ada_client, ada, alice):
        opened = person_data(alice, role="analyst")
        # Another administrator makes alice an approver after ada opened the page.
        services.person_change(
            membership=alice,
            role=Role.APPROVER,
            is_administrator=False,
            job_title="",
            seen=services.membership_state(alice),
            by=ada.user,
        )
        response = ada_client.post(f"/people/{alice.pk}/", opened)
        assert response.status_code == 409
        assert "Someone else changed this person" in response.text
        assert "Role: you saw Editor, it is now Approver" in response.text
        assert re.search(r'value="analyst"[^>]*checked', response.text)  # ada's choice kept
        assert 'name="seen_role" value="approver"' in response.text
        alice.refresh_from_db()
        assert alice.role == Role.APPROVER
        # Saving again is a deliberate choice, and works.
        again = person_data(alice, role="analyst")
        assert ada_client.post(f"/people/{alice.pk}/", again).status_code == 302
        alice.refresh_from_db()
        assert alice.role == Role.ANALYST

    def test_the_last_active_administrator_cannot_step_down(self, ada_client, ada, alice):
        response = ada_client.post(f"/people/{ada.pk}/", person_data(ada, is_administrator=False))
        assert response.status_code == 422
        assert "only active administrator" in response.text
        assert 'href="#id_is_administrator"' in response.text
        ada.refresh_from_db()
        assert ada.is_administrator
        # With a second active administrator she can.
        alice.is_administrator = True
        alice.save()
        ada.refresh_from_db()
        assert (
            ada_client.post(f"/people/{ada.pk}/", person_data(ada, is_administrator=False))
        ).status_code == 302
        ada.refresh_from_db()
        assert not ada.is_administrator

    def test_a_deactivated_administrator_does_not_count(self, ada_client, ada, alice):
        alice.is_administrator = True
        alice.save()
        alice.user.is_active = False
        alice.user.save()
        response = ada_client.post(f"/people/{ada.pk}/", person_data(ada, is_administrator=False))
        assert response.status_code == 422


# Deactivating -------------------------------------------------------------------------


class TestDeactivating:
    def test_deactivating_signs_them_out_at_once(self, ada_client, ada, alice, alice_client):
        assert alice_client.get("/").status_code == 200
        page = ada_client.get(f"/people/{alice.pk}/deactivate/")
        assert page.status_code == 200
        assert "Deactivate Alice?" in page.text
        response = ada_client.post(f"/people/{alice.pk}/deactivate/", follow=True)
        assert "Alice is deactivated" in response.text
        alice.user.refresh_from_db()
        assert not alice.user.is_active
        # Alice's next request, in her own browser, goes to sign-in.
        after = alice_client.get("/")
        assert after.status_code == 302
        assert "/sign-in/" in after["Location"]
        assert not Client().login(username="alice", password=PASSWORD)
        event = AuditEvent.objects.get(kind=AuditKind.DEACTIVATED)
        assert (event.user, event.detail) == (ada.user, "alice")
        # Still listed, marked.
        row = re.search(rf'id="person-{alice.pk}".*?</tr>', ada_client.get("/people/").text, re.S)
        assert row
        assert "Deactivated" in row.group(0)

    def test_every_one_of_their_browsers_is_signed_out(self, ada_client, ada, alice):
        browsers = [signed_in(alice), signed_in(alice)]
        assert [b.get("/").status_code for b in browsers] == [200, 200]
        ada_client.post(f"/people/{alice.pk}/deactivate/")
        assert [b.get("/").status_code for b in browsers] == [302, 302]

    def test_an_administrator_cannot_deactivate_herself(self, ada_client, ada):
        page = ada_client.get(f"/people/{ada.pk}/").text
        assert f"/people/{ada.pk}/deactivate/" not in page
        response = ada_client.post(f"/people/{ada.pk}/deactivate/")
        assert response.status_code == 422
        assert "You cannot deactivate yourself" in response.text
        ada.user.refresh_from_db()
        assert ada.user.is_active

    def test_the_last_active_administrator_cannot_be_deactivated(self, ada, alice):
        with pytest.raises(services.LastAdministrator):
            services.person_deactivate(membership=ada, by=alice.user)
        ada.user.refresh_from_db()
        assert ada.user.is_active

    def test_reactivating_lets_them_sign_in_again(self, ada_client, ada, alice):
        ada_client.post(f"/people/{alice.pk}/deactivate/")
        page = ada_client.get(f"/people/{alice.pk}/")
        assert "Reactivate" in page.text
        assert ada_client.get(f"/people/{alice.pk}/reactivate/").status_code == 200
        response = ada_client.post(f"/people/{alice.pk}/reactivate/", follow=True)
        assert "Alice is active again" in response.text
        assert Client().login(username="alice", password=PASSWORD)
        assert AuditEvent.objects.filter(kind=AuditKind.REACTIVATED).count() == 1

    def test_a_deactivated_author_keeps_their_name_on_their_work(self, ada_client, alice):
        from .factories import UpdateFactory

        update = UpdateFactory.create(action__body=alice.body, author=alice.user)
        ada_client.post(f"/people/{alice.pk}/deactivate/")
        update.refresh_from_db()
        assert update.author == alice.user

    def test_deactivating_only_answers_get_and_post(self, ada_client, alice):
        assert ada_client.put(f"/people/{alice.pk}/deactivate/").status_code == 405


# The body's two-factor requirement ----------------------------------------------------


class TestTwoFactorPolicy:
    def test_an_administrator_requires_two_factor_for_everyone(self, ada_client, ada):
        page = ada_client.get("/people/")
        assert "Require two-factor sign-in for everyone" in page.text
        response = ada_client.post(
            "/people/two-factor/", {"require_two_factor": "true"}, follow=True
        )
        assert "now required for everyone" in response.text
        body = PolicingBody.objects.get(pk=ada.body_id)
        assert body.require_two_factor
        assert body.history.first().history_user == ada.user
        event = AuditEvent.objects.get(kind=AuditKind.ROLE_CHANGED)
        assert event.detail == "Two-factor sign-in required for everyone"
        assert "Require it only for approvers and administrators" in response.text
        ada_client.post("/people/two-factor/", {"require_two_factor": "false"})
        assert not PolicingBody.objects.get(pk=ada.body_id).require_two_factor

    def test_it_only_answers_post(self, ada_client):
        assert ada_client.get("/people/two-factor/").status_code == 405

    def test_a_nonsense_value_changes_nothing(self, ada_client, ada):
        ada_client.post("/people/two-factor/", {"require_two_factor": "maybe"})
        assert not PolicingBody.objects.get(pk=ada.body_id).require_two_factor


def test_an_invited_approver_is_asked_to_set_up_two_factor_sign_in_first(ada):
    token = invite(ada, role=Role.APPROVER)
    client = Client()
    response = client.post(f"/invitations/{token}/", accept_data())
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/account/"


def test_a_force_contributor_cannot_be_an_administrator(ada_client, ada, alice):
    data = {"email": "kim@example.org", "role": "contributor", "is_administrator": "on"}
    response = ada_client.post("/people/invite/", data)
    assert response.status_code == 422
    assert 'href="#id_is_administrator"' in response.text
    assert not Invitation.objects.exists()
    edit = ada_client.post(
        f"/people/{alice.pk}/", person_data(alice, role="contributor", is_administrator=True)
    )
    assert edit.status_code == 422
    alice.refresh_from_db()
    assert alice.role == Role.EDITOR
    with pytest.raises(services.PeopleError):
        invite(ada, "kim@example.org", role=Role.CONTRIBUTOR, is_administrator=True)


def test_a_force_contributor_of_the_body_gets_404_on_the_people_pages(ada, alice):
    kim = MembershipFactory.create(body=ada.body, role=Role.CONTRIBUTOR)
    client = Client()
    client.force_login(kim.user)
    for url in ("/people/", "/people/invite/", f"/people/{alice.pk}/"):
        assert client.get(url).status_code == 404, url
