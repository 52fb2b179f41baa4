"""`manage.py run_schedule`: the daily jobs once a day at DIGEST_AT, London time, driven
here with a fixed clock (--at)."""

from __future__ import annotations

import datetime as dt
import io
import zoneinfo

import pytest
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.utils import timezone

from inspections.management.commands import run_schedule
from inspections.models import Delivery, Notification, NotificationKind

from .factories import ActionFactory, MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db

LONDON = zoneinfo.ZoneInfo("Europe/London")


def waiting(membership, subject: str = "Response sent for approval: Vetting") -> Notification:
    """A notification its person chose to get in the daily digest."""
    return Notification.objects.create(
        user=membership.user,
        kind=NotificationKind.APPROVAL_REQUESTED,
        subject=subject,
        text="Alice sent the response to Vetting for approval.",
        url="/responses/1/",
        delivery=Delivery.DIGEST,
    )


def tick(at: str, *options: str) -> str:
    out = io.StringIO()
    call_command("run_schedule", "--once", "--at", at, *options, stdout=out)
    return out.getvalue()


class TestOncePerDay:
    def test_nothing_runs_before_the_digest_time(self, pat, mailoutbox):
        waiting(pat)
        assert tick("2026-11-29T06:59") == "Nothing due.\n"
        assert mailoutbox == []

    def test_the_digest_goes_at_seven_and_not_again_that_day(self, pat, mailoutbox):
        waiting(pat, "First")
        out = tick("2026-11-29T07:00")
        assert out.startswith("2026-11-29 07:00 GMT: the daily jobs for 29 November 2026.")
        assert "Sent 1 email with 0 reminders and 1 update." in out
        assert [m.to for m in mailoutbox] == [["pat@example.org"]]

        # Later that day, and after a restart (a new process reads the same database).
        waiting(pat, "Second")
        assert tick("2026-11-29T07:01") == "Nothing due.\n"
        assert tick("2026-11-29T23:59") == "Nothing due.\n"
        assert len(mailoutbox) == 1

        # The next day: nothing before seven, then the digest with what waited.
        assert tick("2026-11-30T06:59") == "Nothing due.\n"
        assert "the daily jobs for 30 November 2026" in tick("2026-11-30T07:00")
        assert len(mailoutbox) == 2
        assert "Second" in mailoutbox[1].body
        assert "First" not in mailoutbox[1].body

    def test_a_missed_time_runs_at_the_first_wake_that_day(self, pat, mailoutbox):
        waiting(pat)
        # The machine was off at seven; it wakes at twenty to twelve.
        assert "the daily jobs for 29 November 2026" in tick("2026-11-29T11:40")
        assert len(mailoutbox) == 1

    def test_british_summer_time_is_london_time(self, pat, mailoutbox):
        waiting(pat)
        assert tick("2026-07-20T05:59:00+00:00") == "Nothing due.\n"
        out = tick("2026-07-20T06:00:00+00:00")  # seven in London
        assert out.startswith("2026-07-20 07:00 BST: the daily jobs")
        assert len(mailoutbox) == 1

    def test_now_runs_the_jobs_again_even_on_a_day_they_ran(self, pat, mailoutbox):
        tick("2026-11-29T07:00")
        waiting(pat)
        assert tick("2026-11-29T08:00") == "Nothing due.\n"
        assert "the daily jobs" in tick("2026-11-29T08:00", "--now")
        assert len(mailoutbox) == 1

    def test_the_days_run_are_remembered_in_the_database(self, db):
        tick("2026-11-29T07:00")
        assert cache.get("run_schedule:daily:2026-11-29") is not None
        assert cache.get("run_schedule:daily:2026-11-30") is None


class TestSettings:
    def test_digest_at_sets_the_time(self, pat, settings, mailoutbox):
        settings.DIGEST_AT = "18:30"
        waiting(pat)
        assert tick("2026-11-29T18:29") == "Nothing due.\n"
        assert "the daily jobs" in tick("2026-11-29T18:30")
        assert len(mailoutbox) == 1

    def test_a_digest_at_that_is_not_a_time_fails_loudly(self, settings):
        settings.DIGEST_AT = "seven"
        with pytest.raises(ImproperlyConfigured, match="DIGEST_AT must be a time as HH:MM"):
            tick("2026-11-29T07:00")


class TestJobs:
    def test_it_runs_the_digest_the_audit_pruning_and_the_cleaning(self, db):
        out = tick("2026-11-29T07:00")
        jobs = [
            "  send_reminders:",
            "  prune_audit_log:",
            "  clean_board_packs:",
            "  clean_import_uploads:",
        ]
        assert sorted(jobs, key=out.index) == jobs
        assert "Deleted 0 expired board packs." in out
        assert "Deleted 0 import uploads older than 24 hours." in out

    def test_an_upload_left_for_more_than_a_day_is_deleted(self, alice):
        from inspections.models import ImportKind, ImportUpload

        def upload(hours_ago: int) -> ImportUpload:
            return ImportUpload.objects.create(
                body=alice.body,
                user=alice.user,
                kind=ImportKind.TRACKER,
                filename=f"{hours_ago}.csv",
                content=b"a,b,c",
                created_at=timezone.now() - dt.timedelta(hours=hours_ago),
            )

        old, fresh = upload(25), upload(23)
        out = io.StringIO()
        call_command("clean_import_uploads", stdout=out)
        assert "Deleted 1 import upload older than 24 hours." in out.getvalue()
        assert list(ImportUpload.objects.all()) == [fresh]
        assert not ImportUpload.objects.filter(pk=old.pk).exists()

    def test_a_job_this_deployment_lacks_is_skipped(self, db, monkeypatch):
        monkeypatch.setattr(
            run_schedule, "DAILY_JOBS", ("send_reminders", "no_such_job", "clean_board_packs")
        )
        out = tick("2026-11-29T07:00")
        assert "  no_such_job: not installed here; skipped." in out
        assert "Deleted 0 expired board packs." in out

    def test_a_failing_job_does_not_stop_the_others(self, db, settings):
        settings.MAILERS = {"default": {"BACKEND": "tests.test_reminders.RefusingBackend"}}
        member = MembershipFactory.create(user=UserFactory.create(username="erin"))
        ActionFactory.create(body=member.body, owner=member.user, target_on=dt.date(2026, 11, 30))
        out = tick("2026-11-29T07:00")
        assert "send_reminders failed: 1 email could not be sent" in out
        assert "Deleted 0 expired board packs." in out
        assert "Failed: send_reminders" in out


class TestRunningForever:
    def test_it_starts_runs_what_is_due_and_stops_cleanly(self, db, monkeypatch):
        slept: list[float] = []

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            if len(slept) == 2:
                raise KeyboardInterrupt

        monkeypatch.setattr("time.sleep", sleep)
        out = io.StringIO()
        call_command("run_schedule", stdout=out)
        lines = out.getvalue().splitlines()
        assert lines[0].startswith("Scheduler started: the daily jobs (send_reminders, ")
        assert "at 07:00 Europe/London each day" in lines[0]
        assert lines[-1] == "Scheduler stopped."
        assert all(1 <= s <= 60 for s in slept)

    @pytest.mark.parametrize(
        ("now", "expected"),
        [
            (dt.datetime(2026, 11, 29, 6, 59, 59, tzinfo=LONDON), 1.5),
            (dt.datetime(2026, 11, 29, 6, 59, 0, tzinfo=LONDON), 60.0),
            (dt.datetime(2026, 11, 29, 6, 59, 30, tzinfo=LONDON), 30.5),
        ],
    )
    def test_it_wakes_at_least_every_minute_just_after_the_minute(self, now, expected):
        assert run_schedule.seconds_to_sleep(now) == pytest.approx(expected)
