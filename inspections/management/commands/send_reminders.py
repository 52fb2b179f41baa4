from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.formats import date_format

from inspections.reminders import send_reminders
from inspections.tasks import CannotSchedule, schedule_daily_reminders


class Command(BaseCommand):
    help = (
        "Email today's digest: reminders of chief officer reply-by dates, responses due in "
        "14, 7 and 2 days or overdue, and action target dates approaching or passed, with "
        "the notifications people chose to get daily. One digest per person, each reminder "
        "and notification only once, so it is safe to run again. `manage.py run_schedule` "
        "runs it every day at DIGEST_AT; with --schedule, queue the daily run for "
        "`manage.py db_worker` instead."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--schedule",
            action="store_true",
            help="Queue the daily task for the worker instead of sending now. Does nothing "
            "if a run is already queued.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["schedule"]:
            self.schedule()
            return
        result = send_reminders()
        emails = "email" if result.emails == 1 else "emails"
        reminders = "reminder" if result.reminders == 1 else "reminders"
        updates = ""
        if result.notifications:
            noun = "update" if result.notifications == 1 else "updates"
            updates = f" and {result.notifications} {noun}"
        self.stdout.write(
            f"Sent {result.emails} {emails} with {result.reminders} {reminders}{updates}."
        )
        for address, count in result.sent_to:
            self.stdout.write(f"  {address}: {count}")
        if result.failed:
            failed = "email" if result.failed == 1 else "emails"
            raise CommandError(
                f"{result.failed} {failed} could not be sent (see the log); "
                "the next run retries their reminders."
            )

    def schedule(self) -> None:
        try:
            scheduled = schedule_daily_reminders()
        except CannotSchedule as error:
            raise CommandError(str(error)) from error
        when = timezone.localtime(scheduled.run_after)
        at = f"{date_format(when, 'j F Y')} at {when:%H:%M} ({when.tzname()})"
        if scheduled.created:
            self.stdout.write(f"Daily reminders queued, first run {at}. Run manage.py db_worker.")
        else:
            self.stdout.write(f"Daily reminders already queued for {at}; nothing added.")
