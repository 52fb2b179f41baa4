from __future__ import annotations

import datetime as dt
import io
from typing import Any

import pytest
from django.contrib.auth.models import Permission
from django.core.mail.backends.base import BaseEmailBackend
from django.core.management import CommandError, call_command
from django.tasks import TaskResultStatus
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from inspections import reminders
from inspections.models import (
    ActionStatus,
    Marking,
    ReminderKind,
    ReminderSent,
    ReportType,
    Response,
    ResponseStatus,
    Role,
)
from inspections.reminders import due_reminders, send_reminders
from inspections.tasks import next_run_at, schedule_daily_reminders, send_daily_reminders

from .factories import (
    ActionFactory,
    BodyFactory,
    MembershipFactory,
    ResponseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 29)
DAY = dt.timedelta(days=1)
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
DATABASE_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


class RefusingBackend(BaseEmailBackend):
    """A mail server that refuses every message, or only those to `refuse` addresses."""

    refuse: frozenset[str] | None = None

    def send_messages(self, messages: Any) -> int:
        for message in messages:
            if self.refuse is None or set(message.to) & self.refuse:
                raise ConnectionRefusedError("The mail server is down.")
        return len(messages)


class RefusingPatBackend(RefusingBackend):
    refuse = frozenset({"pat@example.org"})


def use_mailer(settings, backend: str) -> None:
    settings.MAILERS = {"default": {"BACKEND": backend}}


def response_due_in(days: int, body, today: dt.date = TODAY, **kwargs) -> Response:
    """A response whose statutory last day is `days` after `today`."""
    published_on = today + days * DAY - 55 * DAY
    return ResponseFactory.create(
        report__body=body, report__published_on=published_on, body=body, **kwargs
    )


def keys_for(membership) -> list[str]:
    return sorted(
        ReminderSent.objects.filter(recipient=membership.user).values_list("key", flat=True)
    )


def thresholds_sent_on(day: dt.date) -> list[str]:
    keys = ReminderSent.objects.filter(sent_on=day).order_by("pk").values_list("key", flat=True)
    return [key.rsplit(":", 1)[1] for key in keys]


class TestResponseThresholds:
    def test_a_response_is_reminded_once_at_each_threshold_as_its_days_run_down(
        self, alice, mailoutbox
    ):
        response = response_due_in(30, alice.body)
        due = response.due_on
        assert due is not None
        expected = [
            (15, []),
            (14, ["due-14"]),
            (8, []),
            (7, ["due-7"]),
            (3, []),
            (2, ["due-2"]),
            (0, []),
            (-1, ["overdue"]),
            (-30, []),
        ]
        for days_left, thresholds in expected:
            day = due - days_left * DAY
            mailoutbox.clear()
            send_reminders(today=day)
            assert thresholds_sent_on(day) == thresholds, days_left
            assert len(mailoutbox) == (1 if thresholds else 0), days_left
        assert ReminderSent.objects.count() == 4

    @pytest.mark.parametrize(
        ("days_left", "threshold"),
        [
            (15, None),
            (14, "due-14"),
            (8, "due-14"),
            (7, "due-7"),
            (3, "due-7"),
            (2, "due-2"),
            (0, "due-2"),
            (-1, "overdue"),
        ],
    )
    def test_a_first_run_sends_only_the_most_urgent_threshold_crossed(
        self, alice, days_left, threshold
    ):
        response = response_due_in(days_left, alice.body)
        send_reminders(today=TODAY)
        expected = [] if threshold is None else [f"response:{response.pk}:{threshold}"]
        assert keys_for(alice) == expected

    def test_a_response_that_jumps_past_a_threshold_never_gets_the_lesser_one_later(self, alice):
        response = response_due_in(5, alice.body)
        send_reminders(today=TODAY)
        assert keys_for(alice) == [f"response:{response.pk}:due-7"]

        # The report's publication date is corrected: 10 days left again.
        report = response.report
        report.published_on += 5 * DAY
        report.save()
        send_reminders(today=TODAY + DAY)
        assert keys_for(alice) == [f"response:{response.pk}:due-7"]

    def test_a_missed_day_loses_nothing(self, alice):
        response = response_due_in(14, alice.body)
        # The job did not run on the 14-day mark; it runs with 12 days left.
        send_reminders(today=TODAY + 2 * DAY)
        assert keys_for(alice) == [f"response:{response.pk}:due-14"]

    @pytest.mark.parametrize(
        "status",
        [
            ResponseStatus.PUBLISHED,
            ResponseStatus.COPIES_SENT,
            ResponseStatus.NO_RESPONSE_NEEDED,
        ],
    )
    def test_closed_responses_never_remind(self, alice, mailoutbox, status):
        response_due_in(5, alice.body, status=status)
        response_due_in(-3, alice.body, status=status)
        for day in range(10):
            send_reminders(today=TODAY + day * DAY)
        assert mailoutbox == []
        assert not ReminderSent.objects.exists()

    def test_fire_report_responses_never_remind(self, alice, mailoutbox):
        fire = response_due_in(5, alice.body, report__report_type=ReportType.FIRE)
        fire.status = ResponseStatus.COMMENTS_REQUESTED
        fire.chief_reply_by = TODAY + DAY
        fire.save()
        assert fire.due_on is None
        for day in range(-60, 60, 3):
            send_reminders(today=TODAY + day * DAY)
        assert mailoutbox == []
        assert not ReminderSent.objects.exists()


class TestChiefOfficerReplyBy:
    def test_the_chief_officer_reply_by_date_reminds_three_days_ahead_and_once_it_passes(
        self, alice
    ):
        response = response_due_in(40, alice.body, status=ResponseStatus.COMMENTS_REQUESTED)
        response.chief_reply_by = TODAY + 10 * DAY
        response.save()
        sent = []
        for day in range(15):
            send_reminders(today=TODAY + day * DAY)
            sent += [(day, key) for key in thresholds_sent_on(TODAY + day * DAY)]
        assert sent == [(7, "chief-reply-by"), (11, "chief-reply-overdue")]

    def test_comments_received_stop_the_chief_officer_reminders(self, alice):
        response = response_due_in(40, alice.body, status=ResponseStatus.COMMENTS_RECEIVED)
        response.chief_reply_by = TODAY - 2 * DAY
        response.save()
        send_reminders(today=TODAY)
        assert keys_for(alice) == []


class TestActions:
    def test_an_action_reminds_two_weeks_before_its_target_date_and_once_it_passes(self, alice):
        action = ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY)
        sent = []
        for day in range(-20, 5):
            send_reminders(today=TODAY + day * DAY)
            sent += [(day, key) for key in thresholds_sent_on(TODAY + day * DAY)]
        assert sent == [(-14, "target-soon"), (1, "target-passed")]
        assert keys_for(alice) == [
            f"action:{action.pk}:target-passed",
            f"action:{action.pk}:target-soon",
        ]

    @pytest.mark.parametrize("status", [ActionStatus.COMPLETE, ActionStatus.NOT_ADOPTED])
    def test_closed_actions_never_remind(self, alice, mailoutbox, status):
        ActionFactory.create(body=alice.body, target_on=TODAY - DAY, status=status)
        send_reminders(today=TODAY)
        assert mailoutbox == []

    def test_an_owned_action_reminds_its_owner_only(self, alice, pat, ana, olly, mailoutbox):
        ActionFactory.create(body=alice.body, owner=pat.user, target_on=TODAY + DAY)
        send_reminders(today=TODAY)
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]

    def test_an_unowned_action_reminds_the_editors_and_approvers_but_never_analysts_or_outsiders(
        self, alice, pat, ana, olly, mailoutbox
    ):
        ActionFactory.create(body=alice.body, owner=None, target_on=TODAY + DAY)
        send_reminders(today=TODAY)
        assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "pat@example.org"]

    def test_an_action_owned_by_someone_outside_the_body_reminds_its_editors_instead(
        self, alice, olly, mailoutbox
    ):
        ActionFactory.create(body=alice.body, owner=olly.user, target_on=TODAY + DAY)
        send_reminders(today=TODAY)
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]


class TestRecipients:
    def test_response_reminders_go_to_editors_and_approvers_of_the_body_only(
        self, alice, pat, ana, olly, mailoutbox
    ):
        response_due_in(7, alice.body)
        send_reminders(today=TODAY)
        assert sorted(m.to[0] for m in mailoutbox) == ["alice@example.org", "pat@example.org"]

    def test_people_without_an_email_address_or_no_longer_active_are_skipped(
        self, alice, body, mailoutbox
    ):
        no_email = UserFactory.create(username="noemail", email="")
        MembershipFactory.create(user=no_email, body=body, role=Role.EDITOR)
        gone = UserFactory.create(username="gone", is_active=False)
        MembershipFactory.create(user=gone, body=body, role=Role.APPROVER)
        response_due_in(7, body)
        send_reminders(today=TODAY)
        assert [m.to for m in mailoutbox] == [["alice@example.org"]]


class TestDigest:
    def test_each_person_gets_one_digest_listing_all_their_reminders(self, alice, pat, mailoutbox):
        overdue = response_due_in(-3, alice.body, report__title="Vetting and counter-corruption")
        soon = response_due_in(7, alice.body, report__title="Police response to stalking")
        action = ActionFactory.create(
            body=alice.body, owner=alice.user, title="Clear the vetting backlog", target_on=TODAY
        )

        result = send_reminders(today=TODAY)

        assert (result.emails, result.reminders, result.failed) == (2, 5, 0)
        by_address = {m.to[0]: m for m in mailoutbox}
        assert set(by_address) == {"alice@example.org", "pat@example.org"}
        digest = by_address["alice@example.org"]
        assert digest.subject == "PCC Responses: 3 reminders for 29 November 2026"
        assert by_address["pat@example.org"].subject == (
            "PCC Responses: 2 reminders for 29 November 2026"
        )
        text = digest.body
        assert "Hello Alice," in text
        # Grouped by kind, most urgent first.
        assert (
            text.index("Response overdue")
            < text.index("Vetting and counter-corruption (October 2026)")
            < text.index("Response due soon")
            < text.index("Police response to stalking (October 2026)")
            < text.index("Action target date approaching")
            < text.index("Clear the vetting backlog")
        )
        assert "Was due 26 November 2026: 3 days ago" in text
        assert "Due 6 December 2026: in 7 days" in text
        assert "Target date 29 November 2026: today" in text
        assert f"http://127.0.0.1:8000/responses/{overdue.pk}/" in text
        assert f"http://127.0.0.1:8000/responses/{soon.pk}/" in text
        assert f"http://127.0.0.1:8000/actions/{action.pk}/" in text
        html, mimetype = digest.alternatives[0]
        assert mimetype == "text/html"
        assert f'<a href="http://127.0.0.1:8000/actions/{action.pk}/">' in html
        assert "Clear the vetting backlog" in html

    def test_the_links_use_the_site_url_setting(self, alice, settings, mailoutbox):
        settings.SITE_URL = "https://responses.example.org/"
        response = response_due_in(7, alice.body)
        send_reminders(today=TODAY)
        assert f"https://responses.example.org/responses/{response.pk}/" in mailoutbox[0].body

    def test_titles_are_not_escaped_in_the_text_but_are_in_the_html(self, alice, mailoutbox):
        response_due_in(7, alice.body, report__title="Stop & search <2026>")
        send_reminders(today=TODAY)
        assert "Stop & search <2026>" in mailoutbox[0].body
        assert "Stop &amp; search &lt;2026&gt;" in mailoutbox[0].alternatives[0][0]

    def test_an_official_sensitive_record_marks_the_digest_top_bottom_and_subject(
        self, alice, mailoutbox
    ):
        response_due_in(7, alice.body, marking=Marking.OFFICIAL_SENSITIVE)
        send_reminders(today=TODAY)
        digest = mailoutbox[0]
        assert digest.subject.startswith("OFFICIAL-SENSITIVE: PCC Responses: 1 reminder for")
        lines = digest.body.strip().splitlines()
        assert lines[0] == lines[-1] == "OFFICIAL-SENSITIVE"

    def test_the_record_says_what_was_sent_to_whom_and_when(self, alice):
        response = response_due_in(7, alice.body, report__title="Police response to stalking")
        send_reminders(today=TODAY)
        sent = ReminderSent.objects.get()
        assert sent.recipient == alice.user
        assert sent.key == f"response:{response.pk}:due-7"
        assert sent.kind == ReminderKind.RESPONSE_DUE
        assert sent.body == alice.body
        assert sent.subject_label == "Police response to stalking (October 2026)"
        assert sent.sent_on == TODAY
        assert sent.sent_at is not None


class TestIdempotency:
    def test_the_reminder_job_run_twice_sends_each_reminder_once(self, alice, pat, mailoutbox):
        response_due_in(7, alice.body)
        ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY - DAY)
        first = send_reminders(today=TODAY)
        assert (first.emails, first.reminders) == (2, 3)
        rows = ReminderSent.objects.count()
        mailoutbox.clear()

        second = send_reminders(today=TODAY)

        assert (second.emails, second.reminders) == (0, 0)
        assert mailoutbox == []
        assert ReminderSent.objects.count() == rows == 3

    def test_reminder_idempotency_across_two_runs_of_the_job(self, alice, mailoutbox):
        first = response_due_in(7, alice.body)
        send_reminders(today=TODAY)
        # Something new falls due later the same day: the second run sends only that.
        second = response_due_in(14, alice.body)
        mailoutbox.clear()

        result = send_reminders(today=TODAY)

        assert (result.emails, result.reminders) == (1, 1)
        assert str(second.report.title) in mailoutbox[0].body
        assert str(first.report.title) not in mailoutbox[0].body
        assert keys_for(alice) == [
            f"response:{first.pk}:due-7",
            f"response:{second.pk}:due-14",
        ]

    def test_a_reminder_recorded_by_a_racing_run_is_not_sent_again(
        self, alice, mailoutbox, monkeypatch
    ):
        response_due_in(7, alice.body)
        stale = due_reminders(today=TODAY)
        # Another worker sends the same digest between this run's check and its send.
        send_reminders(today=TODAY)
        mailoutbox.clear()
        monkeypatch.setattr(reminders, "due_reminders", lambda *, today: stale)

        result = send_reminders(today=TODAY)

        assert (result.emails, result.reminders, result.failed) == (0, 0, 0)
        assert mailoutbox == []
        assert ReminderSent.objects.count() == 1

    def test_a_failed_send_records_nothing_and_the_next_run_sends(
        self, alice, settings, mailoutbox
    ):
        response_due_in(7, alice.body)
        use_mailer(settings, f"{__name__}.RefusingBackend")

        failed = send_reminders(today=TODAY)

        assert (failed.emails, failed.failed) == (0, 1)
        assert not ReminderSent.objects.exists()

        use_mailer(settings, LOCMEM)
        retried = send_reminders(today=TODAY + DAY)
        assert (retried.emails, retried.reminders) == (1, 1)
        assert len(mailoutbox) == 1
        assert ReminderSent.objects.count() == 1

    def test_one_refused_address_does_not_hold_up_anyone_else(
        self, alice, pat, settings, mailoutbox
    ):
        response_due_in(7, alice.body)
        use_mailer(settings, f"{__name__}.RefusingPatBackend")
        result = send_reminders(today=TODAY)
        assert (result.emails, result.failed) == (1, 1)
        assert keys_for(alice) != []
        assert keys_for(pat) == []


class TestQueries:
    @staticmethod
    def world(n: int, alice, pat, ana) -> None:
        other = BodyFactory.create()
        for i in range(n):
            response_due_in(i % 20 - 3, alice.body)
            chief = response_due_in(40 + i, other, status=ResponseStatus.COMMENTS_REQUESTED)
            chief.chief_reply_by = TODAY + (i % 3) * DAY
            chief.save()
            ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY + i * DAY)
            ActionFactory.create(body=other, target_on=TODAY - i * DAY)
            MembershipFactory.create(body=other, role=Role.EDITOR)

    @pytest.mark.parametrize("size", [2, 20])
    def test_working_out_who_is_due_what_takes_a_fixed_number_of_queries(
        self, alice, pat, ana, size, django_assert_num_queries
    ):
        self.world(size, alice, pat, ana)
        send_reminders(today=TODAY - 10 * DAY)  # some already sent, so the check has rows
        with django_assert_num_queries(4):
            due = due_reminders(today=TODAY)
        assert alice.user in due
        assert ana.user not in due


class TestCommand:
    def test_the_command_sends_now_and_says_what_it_sent(self, alice, pat, mailoutbox):
        response_due_in(7, alice.body, today=timezone.localdate())
        ActionFactory.create(
            body=alice.body, owner=alice.user, target_on=timezone.localdate() + DAY
        )
        out = io.StringIO()
        call_command("send_reminders", stdout=out)
        assert out.getvalue().splitlines() == [
            "Sent 2 emails with 3 reminders.",
            "  alice@example.org: 2",
            "  pat@example.org: 1",
        ]
        assert len(mailoutbox) == 2

        again = io.StringIO()
        call_command("send_reminders", stdout=again)
        assert again.getvalue() == "Sent 0 emails with 0 reminders.\n"

    def test_the_command_fails_loudly_when_a_digest_could_not_be_sent(self, alice, settings):
        response_due_in(7, alice.body, today=timezone.localdate())
        use_mailer(settings, f"{__name__}.RefusingBackend")
        with pytest.raises(CommandError, match="1 email could not be sent"):
            call_command("send_reminders", stdout=io.StringIO())
        assert not ReminderSent.objects.exists()

    def test_schedule_queues_exactly_one_daily_task_even_when_called_twice(self, settings, db):
        settings.TASKS = DATABASE_TASKS
        first, second = io.StringIO(), io.StringIO()
        call_command("send_reminders", "--schedule", stdout=first)
        call_command("send_reminders", "--schedule", stdout=second)

        queued = DBTaskResult.objects.get()
        assert queued.task_path == "inspections.tasks.send_daily_reminders"
        assert queued.status == TaskResultStatus.READY
        local = timezone.localtime(queued.run_after)
        assert (local.hour, local.minute) == (7, 0)
        assert queued.run_after > timezone.now()
        assert first.getvalue().startswith("Daily reminders queued, first run ")
        assert "07:00" in first.getvalue()
        assert second.getvalue().startswith("Daily reminders already queued for ")

    def test_schedule_refuses_a_backend_that_cannot_run_tasks_later(self, settings, db):
        settings.TASKS = IMMEDIATE_TASKS
        with pytest.raises(CommandError, match="cannot run tasks later"):
            call_command("send_reminders", "--schedule", stdout=io.StringIO())


class TestTask:
    def test_the_task_runs_the_job_and_queues_tomorrows_run(self, alice, settings, mailoutbox):
        settings.TASKS = DATABASE_TASKS
        response_due_in(7, alice.body, today=timezone.localdate())

        result = send_daily_reminders.call()

        assert result == {"emails": 1, "reminders": 1, "failed": 0}
        assert len(mailoutbox) == 1
        queued = DBTaskResult.objects.get()
        assert queued.run_after == next_run_at(timezone.now())

        send_daily_reminders.call()
        assert DBTaskResult.objects.count() == 1
        assert len(mailoutbox) == 1

    def test_the_task_runs_through_the_immediate_backend(self, alice, settings, mailoutbox):
        settings.TASKS = IMMEDIATE_TASKS
        response_due_in(7, alice.body, today=timezone.localdate())

        result = send_daily_reminders.enqueue()

        assert result.status == TaskResultStatus.SUCCESSFUL
        assert result.return_value == {"emails": 1, "reminders": 1, "failed": 0}
        assert len(mailoutbox) == 1
        assert not DBTaskResult.objects.exists()

    def test_the_task_still_queues_tomorrow_when_today_fails(self, alice, settings):
        settings.TASKS = DATABASE_TASKS
        use_mailer(settings, f"{__name__}.RefusingBackend")
        response_due_in(7, alice.body, today=timezone.localdate())
        assert send_daily_reminders.call()["failed"] == 1
        assert DBTaskResult.objects.filter(status=TaskResultStatus.READY).count() == 1

    def test_a_queued_run_is_not_duplicated_by_scheduling_again(self, settings, db):
        settings.TASKS = DATABASE_TASKS
        now = dt.datetime(2026, 11, 29, 12, 0, tzinfo=dt.UTC)
        first = schedule_daily_reminders(now=now)
        second = schedule_daily_reminders(now=now + DAY)
        assert first.created
        assert not second.created
        assert second.run_after == first.run_after
        assert DBTaskResult.objects.count() == 1

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            # Before seven in the morning: today; at or after seven: tomorrow.
            ("2026-11-29T06:59:00+00:00", "2026-11-29T07:00:00+00:00"),
            ("2026-11-29T07:00:00+00:00", "2026-11-30T07:00:00+00:00"),
            ("2026-11-29T23:30:00+00:00", "2026-11-30T07:00:00+00:00"),
            # British Summer Time: seven in London is six UTC.
            ("2026-07-20T05:00:00+00:00", "2026-07-20T06:00:00+00:00"),
            # The clocks go forward overnight on 29 March 2026.
            ("2026-03-28T08:00:00+00:00", "2026-03-29T06:00:00+00:00"),
            # And back on 25 October 2026.
            ("2026-10-24T08:00:00+00:00", "2026-10-25T07:00:00+00:00"),
        ],
    )
    def test_the_daily_run_is_at_seven_in_the_morning_london_time(self, now, expected):
        assert next_run_at(dt.datetime.fromisoformat(now)) == dt.datetime.fromisoformat(expected)


class TestAdmin:
    def test_the_record_of_reminders_is_read_only_for_operators_and_hidden_from_staff(
        self, alice, olly
    ):
        response_due_in(7, alice.body)
        response_due_in(7, olly.body)
        send_reminders(today=TODAY)
        assert ReminderSent.objects.count() == 2
        own = ReminderSent.objects.get(body=alice.body)

        operator = Client()
        operator.force_login(UserFactory.create(username="root", is_staff=True, is_superuser=True))
        listing = operator.get("/admin/inspections/remindersent/")
        assert listing.status_code == 200
        assert listing.context["cl"].result_count == 2
        page = operator.get(f"/admin/inspections/remindersent/{own.pk}/change/")
        assert page.status_code == 200
        assert 'name="key"' not in page.text
        assert operator.get("/admin/inspections/remindersent/add/").status_code == 403
        assert operator.post(f"/admin/inspections/remindersent/{own.pk}/delete/").status_code == 403

        # A body's own staff, even with every permission, find no admin at all.
        alice.user.is_staff = True
        alice.user.save()
        alice.user.user_permissions.add(
            *Permission.objects.filter(content_type__app_label="inspections")
        )
        staff = Client()
        staff.force_login(alice.user)
        assert staff.get("/admin/inspections/remindersent/").status_code == 404
        assert ReminderSent.objects.count() == 2
