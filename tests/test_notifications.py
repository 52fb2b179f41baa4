"""Notifications by email: who hears of what, as each person chose, and how markings
travel. Everything through HTTP requests and management commands, as people cause it."""

from __future__ import annotations

import datetime as dt
import io
import re
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from inspections import reminders
from inspections.models import (
    Delivery,
    Marking,
    Membership,
    Notification,
    NotificationKind,
    NotificationPreference,
    Response,
    Role,
)
from inspections.reminders import send_notification, send_reminders
from inspections.services.actions import action_create
from inspections.services.notify import notify, silenced
from inspections.two_factor import enable_totp, has_two_factor

from .conftest import signed_in
from .factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    MembershipFactory,
    ResponseFactory,
    UserFactory,
    addressee,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
SITE = "http://127.0.0.1:8000"
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
K = NotificationKind
PAGE = "/account/notifications/"


@pytest.fixture(autouse=True)
def tasks_run_at_once(settings):
    """The worker's queue runs each task as it is queued, so an email is in the outbox
    as soon as the change that caused it is committed."""
    settings.TASKS = IMMEDIATE_TASKS
    settings.SITE_URL = SITE


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """Run what waits for the transaction to commit (the tests' transaction never does)."""

    def run(request):
        with django_capture_on_commit_callbacks(execute=True):
            return request()

    return run


def client_for(membership: Membership) -> Client:
    """Signed in, with two-factor sign-in set up where the role requires it."""
    if membership.must_use_two_factor and not has_two_factor(membership.user):
        enable_totp(membership.user, "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP")
    return signed_in(membership)


@pytest.fixture
def response(alice) -> Response:
    """A response ready to send for approval: the chief officer invited, and its one
    recommendation answered."""
    response = ResponseFactory.create(
        report__body=alice.body,
        report__title="Vetting and counter-corruption",
        report__published_on=TODAY - 30 * DAY,
        chief_invited_on=TODAY - 29 * DAY,
        status="comments_requested",
    )
    finding = FindingFactory.create(
        report=response.report, reference="Recommendation 1", addressed_to=[addressee()]
    )
    EntryFactory.create(response=response, finding=finding)
    return response


def step(client: Client, response: Response, name: str, **data: str):
    version = str(Response.objects.get(pk=response.pk).version)
    return client.post(f"/responses/{response.pk}/workflow/{name}/", {"version": version} | data)


def choose(membership: Membership, kind: str, delivery: str) -> None:
    NotificationPreference.objects.update_or_create(
        user=membership.user, kind=kind, defaults={"delivery": delivery}
    )


def checked(html: str, name: str) -> str | None:
    """The value of the radio of this name that is checked on the page."""
    found = re.search(rf'<input type="radio" name="{name}" value="(\w+)"[^>]* checked', html)
    return found.group(1) if found else None


def action_data(action, **overrides) -> dict[str, object]:
    data = {
        "title": action.title,
        "description": "",
        "owner": "",
        "force_lead": "",
        "start_on": action.start_on.isoformat(),
        "target_on": action.target_on.isoformat(),
        "status": action.status,
        "percent_complete": str(action.percent_complete),
        "completed_on": "",
        "assurance_level": "",
        "assurance_evidence": "",
        "forum": "",
        "response": "",
        "version": str(action.version),
    }
    return data | overrides


class TestApprovalRequests:
    def test_sending_for_approval_emails_the_approver_with_a_link_and_the_marking(
        self, alice, pat, ana, olly, response, committed, mailoutbox
    ):
        result = committed(lambda: step(client_for(alice), response, "submit"))

        assert result.status_code == 302
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        email = mailoutbox[0]
        title = "Vetting and counter-corruption"
        assert email.subject.startswith("Response sent for approval: " + title)
        text = email.body
        assert f"Alice sent the response to {title}" in text
        assert f"{SITE}/responses/{response.pk}/" in text
        lines = text.strip().splitlines()
        assert lines[0] == lines[-1] == "OFFICIAL"
        html, mimetype = email.alternatives[0]
        assert mimetype == "text/html"
        assert f'href="{SITE}/responses/{response.pk}/"' in html
        assert "OFFICIAL" in html
        assert f'href="{SITE}/account/notifications/"' in html
        sent = Notification.objects.get()
        assert (sent.user, sent.kind, sent.delivery) == (
            pat.user,
            K.APPROVAL_REQUESTED,
            "immediate",
        )
        assert sent.sent_at is not None

    def test_links_use_the_site_url_setting(
        self, alice, pat, response, committed, mailoutbox, settings
    ):
        settings.SITE_URL = "https://responses.example.org"
        committed(lambda: step(client_for(alice), response, "submit"))
        assert f"https://responses.example.org/responses/{response.pk}/" in mailoutbox[0].body

    def test_deactivated_approvers_and_those_without_an_address_are_not_emailed(
        self, alice, pat, body, response, committed, mailoutbox
    ):
        gone = UserFactory.create(username="gone", is_active=False)
        MembershipFactory.create(user=gone, body=body, role=Role.APPROVER)
        silent = UserFactory.create(username="silent", email="")
        MembershipFactory.create(user=silent, body=body, role=Role.APPROVER)
        committed(lambda: step(client_for(alice), response, "submit"))
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        assert Notification.objects.count() == 1

    def test_the_actor_is_never_emailed_about_their_own_act(
        self, pat, response, committed, mailoutbox
    ):
        # Pat, an approver, sends it for approval himself: he is the only approver.
        result = committed(lambda: step(client_for(pat), response, "submit"))
        assert result.status_code == 302
        assert mailoutbox == []
        assert not Notification.objects.exists()

    def test_a_step_that_fails_tells_nobody(self, alice, pat, response, committed, mailoutbox):
        stale = {"version": "99"}
        result = committed(
            lambda: client_for(alice).post(f"/responses/{response.pk}/workflow/submit/", stale)
        )
        assert result.status_code == 409
        assert mailoutbox == []
        assert not Notification.objects.exists()


class TestDecisions:
    def test_approval_emails_the_editor_who_worked_on_the_response(
        self, alice, pat, response, committed, mailoutbox
    ):
        committed(lambda: step(client_for(alice), response, "submit"))
        mailoutbox.clear()

        result = committed(lambda: step(client_for(pat), response, "approve"))

        assert result.status_code == 302
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]
        assert mailoutbox[0].subject.startswith("Response approved: Vetting and counter-corruption")
        assert "Pat approved the response" in mailoutbox[0].body

    def test_editors_who_never_touched_the_response_are_not_emailed(
        self, alice, pat, body, response, committed, mailoutbox
    ):
        MembershipFactory.create(user=UserFactory.create(username="bystander"), body=body)
        committed(lambda: step(client_for(alice), response, "submit"))
        mailoutbox.clear()
        committed(lambda: step(client_for(pat), response, "approve"))
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]

    def test_return_to_draft_says_why_and_publication_says_where(
        self, alice, pat, response, committed, mailoutbox
    ):
        committed(lambda: step(client_for(alice), response, "submit"))
        mailoutbox.clear()
        committed(
            lambda: step(client_for(pat), response, "return-to-draft", reason="Add the figures.")
        )
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]
        assert mailoutbox[0].subject.startswith("Response returned to draft:")
        assert "Why: Add the figures." in mailoutbox[0].body

        committed(lambda: step(client_for(alice), response, "submit"))
        committed(lambda: step(client_for(pat), response, "approve"))
        mailoutbox.clear()
        committed(
            lambda: step(
                client_for(alice),
                response,
                "publish",
                published_on=TODAY.isoformat(),
                published_url="https://example.org/our-response",
            )
        )
        # Alice published it; Pat approved it, so he worked on it too.
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        assert mailoutbox[0].subject.startswith("Response published:")
        assert "https://example.org/our-response" in mailoutbox[0].body

    def test_an_official_sensitive_response_is_named_and_linked_but_its_detail_left_out(
        self, alice, pat, response, committed, mailoutbox
    ):
        Response.objects.filter(pk=response.pk).update(marking=Marking.OFFICIAL_SENSITIVE)
        committed(lambda: step(client_for(alice), response, "submit"))
        approval = mailoutbox[0]
        assert approval.subject == "OFFICIAL-SENSITIVE: Response sent for approval"
        mailoutbox.clear()

        committed(
            lambda: step(
                client_for(pat), response, "return-to-draft", reason="The informant is named."
            )
        )

        email = mailoutbox[0]
        assert email.subject == "OFFICIAL-SENSITIVE: Response returned to draft"
        assert "informant" not in email.body
        assert "informant" not in email.alternatives[0][0]
        assert "leaves out the detail" in email.body
        assert f"{SITE}/responses/{response.pk}/" in email.body
        lines = email.body.strip().splitlines()
        assert lines[0] == lines[-1] == "OFFICIAL-SENSITIVE"
        assert Notification.objects.filter(marking=Marking.OFFICIAL_SENSITIVE).count() == 2


class TestPreferences:
    def test_none_sends_nothing_and_stores_nothing(
        self, alice, pat, response, committed, mailoutbox
    ):
        choose(pat, K.APPROVAL_REQUESTED, Delivery.NONE)
        committed(lambda: step(client_for(alice), response, "submit"))
        assert mailoutbox == []
        assert not Notification.objects.exists()

    def test_digest_sends_nothing_now_and_it_comes_in_the_daily_digest_once(
        self, alice, pat, response, committed, mailoutbox
    ):
        choose(pat, K.APPROVAL_REQUESTED, Delivery.DIGEST)
        committed(lambda: step(client_for(alice), response, "submit"))
        assert mailoutbox == []
        waiting = Notification.objects.get()
        assert (waiting.delivery, waiting.sent_at) == ("digest", None)

        out = io.StringIO()
        call_command("send_reminders", stdout=out)

        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        digest = mailoutbox[0]
        assert digest.subject.startswith("PCC Responses: 1 update for ")
        assert "Updates since your last digest" in digest.body
        assert "Response sent for approval: Vetting and counter-corruption" in digest.body
        assert f"{SITE}/responses/{response.pk}/" in digest.body
        assert f'href="{SITE}/responses/{response.pk}/"' in digest.alternatives[0][0]
        assert "and 1 update." in out.getvalue()
        waiting.refresh_from_db()
        assert waiting.sent_at is not None

        mailoutbox.clear()
        call_command("send_reminders", stdout=io.StringIO())
        assert mailoutbox == []

    def test_a_digest_of_reminders_and_updates_is_one_email(
        self, alice, pat, committed, mailoutbox
    ):
        choose(alice, K.ACTION_ASSIGNED, Delivery.DIGEST)
        ActionFactory.create(
            body=alice.body, owner=alice.user, title="Fix it", target_on=TODAY + 3 * DAY
        )
        action = ActionFactory.create(body=alice.body, title="Train the staff")
        committed(
            lambda: client_for(pat).post(
                f"/actions/{action.pk}/edit/", action_data(action, owner=str(alice.user.pk))
            )
        )
        assert mailoutbox == []

        call_command("send_reminders", stdout=io.StringIO())

        assert [m.to for m in mailoutbox] == [["alice@example.org"]]
        digest = mailoutbox[0]
        assert " 1 reminder and 1 update for " in digest.subject
        assert "Fix it" in digest.body
        assert "Action assigned to you: Train the staff" in digest.body

    def test_an_immediate_email_that_could_not_be_sent_goes_in_the_next_digest(
        self, alice, pat, response, committed, mailoutbox, settings
    ):
        settings.MAILERS = {"default": {"BACKEND": "tests.test_reminders.RefusingBackend"}}
        committed(lambda: step(client_for(alice), response, "submit"))
        assert Notification.objects.get().sent_at is None

        settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
        call_command("send_reminders", stdout=io.StringIO())
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        assert "Response sent for approval" in mailoutbox[0].body
        assert Notification.objects.get().sent_at is not None

    def test_reminders_set_to_none_stop_the_reminders(self, alice, mailoutbox):
        ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY + DAY)
        choose(alice, K.REMINDERS, Delivery.NONE)
        call_command("send_reminders", stdout=io.StringIO())
        assert mailoutbox == []

    def test_reminders_at_once_still_come_in_the_digest(self, alice, mailoutbox):
        ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY + DAY)
        choose(alice, K.REMINDERS, Delivery.IMMEDIATE)
        call_command("send_reminders", stdout=io.StringIO())
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]
        assert "1 reminder for" in mailoutbox[0].subject


class TestActions:
    def test_making_someone_an_actions_owner_emails_them(self, alice, pat, committed, mailoutbox):
        action = ActionFactory.create(body=alice.body, title="Train the staff")
        result = committed(
            lambda: client_for(alice).post(
                f"/actions/{action.pk}/edit/", action_data(action, owner=str(pat.user.pk))
            )
        )
        assert result.status_code == 302
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        email = mailoutbox[0]
        assert email.subject == "Action assigned to you: Train the staff"
        assert "Alice made you the owner of the action “Train the staff”." in email.body
        assert f"{SITE}/actions/{action.pk}/" in email.body

        # Saving it again with the same owner tells nobody.
        mailoutbox.clear()
        action.refresh_from_db()
        committed(
            lambda: client_for(alice).post(
                f"/actions/{action.pk}/edit/",
                action_data(action, owner=str(pat.user.pk), title="Train all the staff"),
            )
        )
        assert mailoutbox == []

    def test_a_new_action_with_an_owner_emails_the_owner_but_not_an_owner_who_chose_themself(
        self, alice, pat, committed, mailoutbox
    ):
        data = action_data(ActionFactory.build(title="Audit the vetting files"))
        data.pop("version")
        committed(
            lambda: client_for(alice).post("/actions/new/", data | {"owner": str(pat.user.pk)})
        )
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]
        mailoutbox.clear()
        committed(
            lambda: client_for(alice).post(
                "/actions/new/", data | {"owner": str(alice.user.pk), "title": "Mine"}
            )
        )
        assert mailoutbox == []

    def test_a_force_contributors_update_emails_the_editors_who_worked_on_the_action(
        self, alice, pat, cora, committed, mailoutbox
    ):
        action = ActionFactory.create(body=alice.body, title="Train the staff")
        committed(
            lambda: client_for(alice).post(
                f"/actions/{action.pk}/edit/", action_data(action, owner=str(cora.user.pk))
            )
        )
        mailoutbox.clear()

        result = committed(
            lambda: client_for(cora).post(
                f"/actions/{action.pk}/updates/",
                {"text": "Half the staff trained.", "percent_complete": "50"},
            )
        )

        assert result.status_code == 302, result.text[-1000:]
        # Alice worked on it; Pat, an editor too, never did.
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]
        email = mailoutbox[0]
        assert email.subject == "Progress update from the force: Train the staff"
        assert "Cora (force contributor) posted a progress update" in email.body
        assert "Half the staff trained." in email.body
        assert f"{SITE}/actions/{action.pk}/#timeline" in email.body

    def test_an_update_on_an_action_nobody_worked_on_emails_all_the_bodys_editors(
        self, alice, pat, ana, cora, committed, mailoutbox
    ):
        action = ActionFactory.create(body=alice.body, owner=cora.user, title="Train the staff")
        committed(
            lambda: client_for(cora).post(
                f"/actions/{action.pk}/updates/", {"text": "Started the training."}
            )
        )
        assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "pat@example.org"]

    def test_the_offices_own_updates_email_nobody(self, alice, pat, committed, mailoutbox):
        action = ActionFactory.create(body=alice.body, owner=pat.user)
        committed(
            lambda: client_for(alice).post(f"/actions/{action.pk}/updates/", {"text": "Met them."})
        )
        assert mailoutbox == []

    def test_an_update_on_an_official_sensitive_action_leaves_its_text_out(
        self, alice, cora, committed, mailoutbox
    ):
        sensitive = ResponseFactory.create(
            report__body=alice.body, marking=Marking.OFFICIAL_SENSITIVE
        )
        action = ActionFactory.create(
            body=alice.body, owner=cora.user, title="Protect the source", response=sensitive
        )
        committed(
            lambda: client_for(cora).post(
                f"/actions/{action.pk}/updates/", {"text": "The covert team met on Tuesday."}
            )
        )
        email = mailoutbox[0]
        assert email.subject == "OFFICIAL-SENSITIVE: Progress update from the force"
        assert "covert" not in email.body
        assert "covert" not in email.alternatives[0][0]
        assert f"{SITE}/actions/{action.pk}/#timeline" in email.body
        assert email.body.strip().splitlines()[0] == "OFFICIAL-SENSITIVE"


class TestPreferencesPage:
    def test_it_offers_each_kind_that_can_reach_an_approver_with_its_current_choice(self, pat):
        choose(pat, K.ACTION_UPDATED, Delivery.DIGEST)
        page = client_for(pat).get(PAGE)
        assert page.status_code == 200
        text = page.text
        for kind in K:
            assert f'name="{kind.value}"' in text
        assert '<legend class="govuk-fieldset__legend govuk-fieldset__legend--s">' in text
        assert checked(text, "action_updated") == "digest"
        assert checked(text, "approval_requested") == "immediate"
        assert checked(text, "reminders") == "digest"
        assert "always come in the daily digest" in text
        assert "07:00" in text

    def test_an_editor_is_not_offered_approval_requests(self, alice):
        text = client_for(alice).get(PAGE).text
        assert 'name="approval_requested"' not in text
        assert 'name="response_decided"' in text

    def test_a_force_contributor_chooses_for_their_actions_only(self, cora):
        page = client_for(cora).get(PAGE)
        assert page.status_code == 200
        names = [k.value for k in K if f'name="{k.value}"' in page.text]
        assert names == ["action_assigned", "reminders"]

    def test_an_analyst_is_told_there_is_nothing_to_choose(self, ana):
        page = client_for(ana).get(PAGE)
        assert page.status_code == 200
        assert "nothing to choose" in page.text
        assert "<form" not in page.text.split('id="main-content"')[1]

    def test_saving_stores_the_choices_and_says_so(self, alice):
        client = client_for(alice)
        data = {
            "response_decided": "digest",
            "action_assigned": "none",
            "action_updated": "immediate",
            "reminders": "none",
        }
        result = client.post(PAGE, data, follow=True)
        assert result.redirect_chain == [(PAGE, 302)]
        assert "Your email choices are saved." in result.text
        stored = dict(
            NotificationPreference.objects.filter(user=alice.user).values_list("kind", "delivery")
        )
        assert stored == data
        # And again, changed: still one row per kind.
        client.post(PAGE, data | {"reminders": "digest"})
        assert NotificationPreference.objects.filter(user=alice.user).count() == 4
        assert (
            NotificationPreference.objects.get(user=alice.user, kind="reminders").delivery
            == "digest"
        )

    def test_an_invalid_post_comes_back_with_the_errors_linked_and_the_choices_kept(self, alice):
        result = client_for(alice).post(PAGE, {"response_decided": "digest", "reminders": "loud"})
        assert result.status_code == 422
        text = result.text
        assert "Error: Email notifications" in text
        assert "There is a problem" in text
        assert 'href="#id_action_assigned_0"' in text
        assert 'href="#id_reminders_0"' in text
        assert checked(text, "response_decided") == "digest"
        assert checked(text, "reminders") is None
        assert "Select how you want to get reminders" in text
        assert "Select how you want to hear when you are made the owner of an action" in text
        assert not NotificationPreference.objects.exists()

    def test_a_kind_that_cannot_reach_the_person_is_ignored_when_posted(self, alice):
        data = {
            "approval_requested": "none",
            "response_decided": "digest",
            "action_assigned": "none",
            "action_updated": "immediate",
            "reminders": "none",
        }
        assert client_for(alice).post(PAGE, data).status_code == 302
        assert not NotificationPreference.objects.filter(kind="approval_requested").exists()

    def test_it_needs_a_sign_in_and_refuses_other_methods(self, alice):
        assert Client().get(PAGE).status_code == 302
        assert client_for(alice).delete(PAGE).status_code == 405


class TestSentOnce:
    def test_a_notification_a_racing_digest_already_sent_is_not_sent_again(
        self, pat, mailoutbox, monkeypatch
    ):
        choose(pat, K.APPROVAL_REQUESTED, Delivery.DIGEST)
        notify(
            K.APPROVAL_REQUESTED,
            recipients=[pat.user],
            subject="S",
            text="T",
            url="/",
            marking="official",
        )
        stale = reminders.pending_notifications()
        # Another worker sends the digest between this run's read and its send.
        send_reminders()
        assert len(mailoutbox) == 1
        monkeypatch.setattr(reminders, "pending_notifications", lambda: stale)

        result = send_reminders()

        assert (result.emails, result.notifications) == (0, 0)
        assert len(mailoutbox) == 1

    def test_the_immediate_email_and_the_digest_send_it_once_between_them(self, pat, mailoutbox):
        (sent,) = notify(
            K.APPROVAL_REQUESTED,
            recipients=[pat.user],
            subject="S",
            text="T",
            url="/",
            marking="official",
        )
        send_reminders()  # the digest got there first (the worker was down)
        assert send_notification(notification_id=sent.pk) is False
        assert len(mailoutbox) == 1

    def test_the_recipients_choices_are_read_in_one_query_however_many(
        self, body, django_assert_num_queries
    ):
        def people(n: int) -> list[Any]:
            users = [MembershipFactory.create(body=body).user for _ in range(n)]
            for user in users[::2]:
                NotificationPreference.objects.create(
                    user=user, kind=K.ACTION_UPDATED, delivery="digest"
                )
            return users

        few, many = people(2), people(20)
        counts = []
        for users in (few, many):
            with django_assert_num_queries(4) as captured:  # savepoint, read, insert, release
                notify(
                    K.ACTION_UPDATED,
                    recipients=users,
                    subject="S",
                    text="T",
                    url="/",
                    marking="official",
                )
            counts.append(len(captured))
        assert counts[0] == counts[1]
        assert Notification.objects.filter(delivery="digest").count() == 1 + 10

    def test_nothing_is_told_while_notifications_are_silenced(self, alice, pat):
        with silenced():
            action_create(
                body=alice.body, title="Demo", start_on=TODAY, target_on=TODAY, owner=pat.user
            )
        assert not Notification.objects.exists()
        action_create(
            body=alice.body, title="Real", start_on=TODAY, target_on=TODAY, owner=pat.user
        )
        assert Notification.objects.get().user == pat.user
