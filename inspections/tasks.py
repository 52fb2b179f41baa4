"""Background tasks (django.tasks), run by `manage.py db_worker` from django-tasks-db."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.tasks import TaskResultStatus, task
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.models import DBTaskResult, get_date_max

from .packs import board_pack_build
from .reminders import digest_time, send_notification, send_reminders

logger = logging.getLogger(__name__)


@task()
def send_daily_reminders() -> dict[str, int]:
    """Send today's reminders, then queue tomorrow's run: once a worker has one queued,
    it runs every day. Tomorrow is queued even if today's run fails."""
    try:
        return send_reminders().as_dict()
    finally:
        if send_daily_reminders.get_backend().supports_defer:
            schedule_daily_reminders()


class CannotSchedule(Exception):
    """The task backend cannot run a task later (the immediate backend, for one)."""


@dataclass(frozen=True)
class Scheduled:
    run_after: dt.datetime
    created: bool  # False when a run was already queued


def next_run_at(now: dt.datetime) -> dt.datetime:
    """The next DIGEST_AT (07:00 unless set), local time, strictly after `now`."""
    zone = timezone.get_default_timezone()
    local = timezone.localtime(now, zone)
    at = digest_time()
    candidate = dt.datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= local:
        candidate = dt.datetime.combine(local.date() + dt.timedelta(days=1), at, tzinfo=zone)
    return candidate


def queued_daily_reminders() -> dt.datetime | None:
    """When the queued daily run is due, if one is waiting in the database queue."""
    backend = send_daily_reminders.get_backend()
    if not isinstance(backend, DatabaseBackend):
        return None
    queued = (
        DBTaskResult.objects.filter(
            task_path=send_daily_reminders.module_path,
            backend_name=backend.alias,
            status=TaskResultStatus.READY,
        )
        .order_by("run_after")
        .first()
    )
    if queued is None:
        return None
    run_after: dt.datetime = queued.run_after
    return timezone.now() if run_after == get_date_max() else run_after


def schedule_daily_reminders(*, now: dt.datetime | None = None) -> Scheduled:
    """Queue the daily reminders for the next DIGEST_AT, unless a run is already queued."""
    if not send_daily_reminders.get_backend().supports_defer:
        raise CannotSchedule("The task backend cannot run tasks later; use db_worker's.")
    with transaction.atomic():
        queued = queued_daily_reminders()
        if queued is not None:
            return Scheduled(run_after=queued, created=False)
        run_after = next_run_at(now or timezone.now())
        send_daily_reminders.using(run_after=run_after).enqueue()
    return Scheduled(run_after=run_after, created=True)


@task()
def build_board_pack(pack_id: int) -> None:
    """Build a queued board pack (inspections.packs), recording its progress on the pack.
    Failures are recorded on the pack, not raised: the pack page shows them."""
    board_pack_build(pack_id=pack_id)


@task()
def send_notifications(notification_ids: list[int]) -> int:
    """Email notifications chosen "at once" (queued by `services.notify` once the change
    that caused them is committed). One that cannot be sent is logged and left unsent:
    the next daily digest carries it. How many were sent."""
    sent = 0
    for notification_id in notification_ids:
        try:
            sent += send_notification(notification_id=notification_id)
        except Exception:
            logger.exception(
                "Could not email notification %s; the next digest carries it.", notification_id
            )
    return sent
