"""Pat records the next accountability board (a bad date first, then put right), opens its
page and follows "Prepare for this meeting" to the dashboard for the period between the
last meeting and this one; the calendar page makes a private address. Axe checks each
page, and each fits a 320 px wide screen."""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import Forum, Meeting

from .conftest import assert_accessible, sign_in
from .dates import fill_date


def fits_320(page: Page, where: str) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{where} is {width} px wide at 320 px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_pat_records_a_meeting_and_prepares_for_it(page: Page, server_url, pat):
    today = timezone.localdate()
    last = Meeting.objects.create(
        body=pat.body,
        name="Police and Crime Panel, autumn",
        kind=Forum.POLICE_AND_CRIME_PANEL,
        held_on=today - dt.timedelta(days=30),
    )
    sign_in(page, server_url, "pat")
    page.goto(f"{server_url}/meetings/")
    expect(page.get_by_role("link", name="Police and Crime Panel, autumn")).to_be_visible()
    assert_accessible(page, "the meetings list")
    fits_320(page, "the meetings list")

    page.get_by_role("link", name="Add a meeting").click()
    page.get_by_label("Name").fill("Accountability board, winter")
    page.get_by_label("Accountability board").check()
    day = today + dt.timedelta(days=21)
    group = page.get_by_role("group", name="Date")
    group.get_by_label("Day").fill("32")
    group.get_by_label("Month").fill(str(day.month))
    group.get_by_label("Year").fill(str(day.year))
    page.get_by_label("Notes").fill("Vetting, then custody")
    page.get_by_role("button", name="Save meeting").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_be_visible()
    expect(page.get_by_label("Name")).to_have_value("Accountability board, winter")
    assert_accessible(page, "the meeting form with errors")
    fits_320(page, "the meeting form with errors")
    summary.get_by_role("link").first.click()
    fill_date(page, "Date", day)
    page.get_by_role("button", name="Save meeting").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability board, winter")
    expect(page.get_by_text("Vetting, then custody")).to_be_visible()
    expect(page.get_by_role("button", name="Build the board pack for this meeting")).to_be_visible()
    assert_accessible(page, "the meeting page")
    fits_320(page, "the meeting page")
    page.screenshot(path="/tmp/meeting-detail.png", full_page=True)

    page.get_by_role("link", name=re.compile("See on the dashboard")).click()
    expect(page).to_have_url(
        re.compile(rf"/dashboard/\?since={last.held_on.isoformat()}&due_before={day.isoformat()}$")
    )

    page.goto(f"{server_url}/account/")
    page.get_by_role("link", name="Your calendar feed of deadlines and meetings").click()
    page.get_by_role("button", name="Make a calendar address").click()
    expect(page.get_by_label("Your private calendar address")).to_have_value(
        re.compile(r"/calendar/cal_[\w-]+\.ics$")
    )
    assert_accessible(page, "the calendar page with a new address")
    fits_320(page, "the calendar page")
    page.screenshot(path="/tmp/calendar.png", full_page=True)
