"""What the dashboard's trends count in a period, each in one place: the dashboard counts
them quarter by quarter in one aggregate query per chart, and the lists its figures open
filter by the same conditions (`?opened=2026-Q3`, `?completed=2026-Q3`...), so a figure
and its list always agree.

- Findings **opened** in a quarter: those of reports published in it (as "new findings").
- Findings **closed** in a quarter: those the body recorded its assurance on in it
  (`body_assured_on`). Of the three closure facts the body's assurance is the body's own
  decision and carries a date; the force's word is a claim the body still has to test,
  and the inspectorate's status has no date.
- Actions **opened** in a quarter: those whose start date falls in it (not the day the
  row was recorded, which a tracker import would make all new).
- Actions **completed** in a quarter: complete, with a completion date in it
  (`completed_on`, set by the services when an action becomes complete, or as entered).
- Actions **overdue at the end of** a quarter: on that day, past the target date then in
  force (the target before any later change, from `TargetChange`) and not yet complete.
  Actions not adopted are left out, as they are never red.
- Responses **published on time** in a year: `ResponseQuerySet.published_on_time`,
  among those published that year with a statutory clock.

Quarters are calendar quarters (January to March is the first), labelled by their months
so nobody wonders whose first quarter it is. The current quarter runs to today.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .models import OPEN_ACTION_STATUSES, ActionStatus, TargetChange

QUARTERS_SHOWN = 8
YEARS_SHOWN = 5
QUARTER_KEY = re.compile(r"(\d{4})-Q([1-4])")


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int  # 1 to 4: January to March is 1

    @classmethod
    def of(cls, day: dt.date) -> Quarter:
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, key: str) -> Quarter:
        """From its key, "2026-Q3"; ValueError for anything else."""
        match = QUARTER_KEY.fullmatch(key.strip())
        if match is None or not 1990 <= int(match[1]) <= 2100:
            raise ValueError(f"Not a quarter: {key!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def last(cls, today: dt.date, count: int = QUARTERS_SHOWN) -> list[Quarter]:
        """The `count` quarters up to and including today's, oldest first."""
        current = cls.of(today)
        return [current.shifted(n) for n in range(1 - count, 1)]

    def shifted(self, quarters: int) -> Quarter:
        year, index = divmod(self.year * 4 + self.number - 1 + quarters, 4)
        return Quarter(year, index + 1)

    @property
    def key(self) -> str:
        return f"{self.year}-Q{self.number}"

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, 3 * self.number - 2, 1)

    @property
    def last_day(self) -> dt.date:
        return self.shifted(1).first_day - dt.timedelta(days=1)

    def end(self, today: dt.date) -> dt.date:
        """The last day counted: the quarter's last, or today while it runs."""
        return min(self.last_day, today)

    @property
    def short(self) -> str:
        """For a chart's axis, where eight must fit a phone: its first month, "Jan"."""
        return date_format(self.first_day, "M")

    @property
    def label(self) -> str:
        """ "January to March 2026"."""
        return _("%(first)s to %(last)s %(year)s") % {
            "first": date_format(self.first_day, "F"),
            "last": date_format(self.last_day, "F"),
            "year": self.year,
        }

    def __str__(self) -> str:
        return self.label


def findings_opened(start: dt.date, end: dt.date) -> Q:
    """Findings of reports published between two days, both included."""
    return Q(report__published_on__gte=start, report__published_on__lte=end)


def findings_closed(start: dt.date, end: dt.date) -> Q:
    """Findings the body recorded its assurance on between two days, both included."""
    return Q(body_assured_on__gte=start, body_assured_on__lte=end)


def actions_opened(start: dt.date, end: dt.date) -> Q:
    """Actions starting between two days, both included."""
    return Q(start_on__gte=start, start_on__lte=end)


def actions_completed(start: dt.date, end: dt.date) -> Q:
    """Complete actions with a completion date between two days, both included."""
    return Q(status=ActionStatus.COMPLETE, completed_on__gte=start, completed_on__lte=end)


def actions_overdue_on(day: dt.date) -> Q:
    """Actions overdue at the end of a day: open then (open now, or completed later) and
    past the target then in force. For today this is `open()` with a target before today,
    the actions list's "Overdue"."""
    after = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))
    first_change_after = (
        TargetChange.objects.filter(action_id=OuterRef("pk"), changed_at__gte=after)
        .order_by("changed_at", "pk")
        .values("from_on")[:1]
    )
    target_then = Coalesce(Subquery(first_change_after), F("target_on"))
    open_then = Q(status__in=OPEN_ACTION_STATUSES) | Q(
        status=ActionStatus.COMPLETE, completed_on__gt=day
    )
    return open_then & Q(LessThan(target_then, day))


def responses_published_in(year: int) -> Q:
    """Responses published in a calendar year."""
    return Q(published_on__year=year)
