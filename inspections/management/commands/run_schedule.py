"""The app's clock: runs the daily jobs once a day at DIGEST_AT, local time.

Which days have had their run is kept in the cache (a table in the database here), one
entry per day, claimed with `cache.add`: a restart the same day does not run them again,
two schedulers started by mistake run them once between them, and a time missed (the
machine was off at 07:00) is made up at the first wake after it that day. The jobs are
safe to repeat anyway: the digest never sends a reminder or a notification twice.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import time
from typing import Any

from django.core.cache import cache
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandParser, OutputWrapper
from django.db import close_old_connections
from django.utils import timezone
from django.utils.formats import date_format

from inspections.reminders import digest_time

logger = logging.getLogger(__name__)

# In order. A job whose command this deployment lacks is skipped, not an error.
DAILY_JOBS = ("send_reminders", "prune_audit_log", "clean_board_packs", "clean_import_uploads")
RAN_KEY = "run_schedule:daily:{day}"
REMEMBER_SECONDS = 8 * 24 * 60 * 60  # long enough to cover any restart; days are distinct keys
LONGEST_SLEEP = 60.0  # wakes at least once a minute


def parse_at(value: str) -> dt.datetime:
    """An ISO 8601 date and time; local time (TIME_ZONE) unless it gives an offset."""
    try:
        moment = dt.datetime.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a date and time such as 2026-11-29T07:05"
        ) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def due_day(now: dt.datetime) -> dt.date | None:
    """The local day whose daily jobs are due at `now`: today, once DIGEST_AT has come."""
    local = timezone.localtime(now)
    return local.date() if local.time() >= digest_time() else None


def claim(day: dt.date, now: dt.datetime) -> bool:
    """True for the first to claim this day's run, across restarts and processes."""
    return cache.add(RAN_KEY.format(day=day.isoformat()), now.isoformat(), REMEMBER_SECONDS)


def run_daily_jobs(out: OutputWrapper) -> list[str]:
    """Runs each daily job this deployment has; one that fails does not stop the rest.
    The names of those that failed."""
    available = get_commands()
    failed: list[str] = []
    for name in DAILY_JOBS:
        if name not in available:
            out.write(f"  {name}: not installed here; skipped.")
            continue
        out.write(f"  {name}:")
        try:
            call_command(name, stdout=out, stderr=out)
        except Exception as error:
            logger.exception("The daily job %s failed.", name)
            out.write(f"  {name} failed: {error}")
            failed.append(name)
    return failed


def run_due(*, now: dt.datetime, out: OutputWrapper, force: bool = False) -> bool:
    """Runs the daily jobs if they are due at `now` and nobody has run them that day, or
    at once with `force` (the day is still recorded as run). True if they ran."""
    day = timezone.localtime(now).date() if force else due_day(now)
    if day is None:
        return False
    if not claim(day, now) and not force:
        return False
    local = timezone.localtime(now)
    out.write(f"{local:%Y-%m-%d %H:%M %Z}: the daily jobs for {date_format(day, 'j F Y')}.")
    failed = run_daily_jobs(out)
    if failed:
        out.write(f"  Failed: {', '.join(failed)} (see the log); they run again tomorrow.")
    return True


def seconds_to_sleep(now: dt.datetime) -> float:
    """Until just after the start of the next minute: DIGEST_AT is a whole minute, so the
    jobs start within a second of it."""
    local = timezone.localtime(now)
    left = 60.0 - local.second - local.microsecond / 1_000_000 + 0.5
    return max(1.0, min(LONGEST_SLEEP, left))


class Command(BaseCommand):
    help = (
        "Run forever, and once a day at DIGEST_AT (local time, 07:00 unless set) run the "
        "daily jobs: the digest (send_reminders), prune_audit_log, clean_board_packs and "
        "clean_import_uploads. "
        "A restart the same day does not run them again; a time missed runs at the next "
        "wake that day. With --once, run what is due now and exit; with --now, run the "
        "daily jobs now, even if they ran today, and exit."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="Run what is due now, then exit.")
        parser.add_argument(
            "--now",
            action="store_true",
            help="Run the daily jobs now, whatever the time and even if they ran today; exit.",
        )
        parser.add_argument(
            "--at",
            type=parse_at,
            help="With --once or --now: take this as the time (ISO 8601, local time unless "
            "it has an offset), for tests and for making up a missed day.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        at = digest_time()  # a bad DIGEST_AT fails here, at start
        call_command("createcachetable", verbosity=0)  # where the days run are kept
        if options["once"] or options["now"]:
            now = options["at"] or timezone.now()
            if not run_due(now=now, out=self.stdout, force=options["now"]):
                self.stdout.write("Nothing due.")
            return
        zone = timezone.get_current_timezone_name()
        self.stdout.write(
            f"Scheduler started: the daily jobs ({', '.join(DAILY_JOBS)}) run at "
            f"{at:%H:%M} {zone} each day."
        )
        self.stdout.flush()
        try:
            while True:
                self.tick()
                time.sleep(seconds_to_sleep(timezone.now()))
        except KeyboardInterrupt:
            self.stdout.write("Scheduler stopped.")

    def tick(self) -> None:
        """One wake: run what is due. A failure (the database away for a moment) is
        logged and the next wake tries again."""
        close_old_connections()
        try:
            run_due(now=timezone.now(), out=self.stdout)
        except Exception:
            logger.exception("The scheduler could not run the daily jobs; trying again.")
        finally:
            close_old_connections()
            self.stdout.flush()
