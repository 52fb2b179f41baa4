"""Filling a GOV.UK date input the way a person does: Day, Month and Year boxes inside
the fieldset whose legend names the date."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Locator, Page


def fill_date(where: Page | Locator, legend: str, date: dt.date) -> None:
    group = where.get_by_role("group", name=legend)
    group.get_by_label("Day").fill(str(date.day))
    group.get_by_label("Month").fill(str(date.month))
    group.get_by_label("Year").fill(str(date.year))
