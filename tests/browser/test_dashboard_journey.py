"""Pat opens the dashboard before a board: "since" is the last meeting's date and the page
says so, what is due before the next meeting is listed; the trend charts show their
figures on request and each figure opens its list; the open work is broken down by report.
The page and the home page pass axe and fit a 320 px wide screen."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import ActionStatus, Forum, Meeting, ResponseStatus
from inspections.trends import Quarter

from ..factories import ActionFactory, FindingFactory, ReportFactory, ResponseFactory
from .conftest import assert_accessible, sign_in


def fits_320(page: Page, where: str) -> None:
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"{where} is {width} px wide at 320 px"
    page.set_viewport_size({"width": 1280, "height": 800})


def test_pat_sees_what_changed_since_the_last_meeting_and_what_is_due_before_the_next(
    page: Page, server_url, pat
):
    today = timezone.localdate()
    last = today - dt.timedelta(days=21)
    Meeting.objects.create(
        body=pat.body, name="Autumn board", kind=Forum.ACCOUNTABILITY_BOARD, held_on=last
    )
    Meeting.objects.create(
        body=pat.body,
        name="Winter board",
        kind=Forum.ACCOUNTABILITY_BOARD,
        held_on=today + dt.timedelta(days=14),
    )
    quarter = Quarter.of(today)
    report = ReportFactory.create(
        body=pat.body, title="Custody inspection", published_on=quarter.first_day
    )
    finding = FindingFactory.create(report=report)
    FindingFactory.create(report=report)
    ActionFactory.create(  # red: past its target
        body=pat.body, start_on=quarter.first_day, target_on=today - dt.timedelta(days=1)
    ).findings.add(finding)
    ActionFactory.create(
        body=pat.body,
        start_on=quarter.shifted(-1).first_day,
        target_on=quarter.shifted(-1).last_day,
        status=ActionStatus.COMPLETE,
        completed_on=quarter.first_day,
        percent_complete=100,
    )
    sign_in(page, server_url, "pat")
    page.goto(f"{server_url}/dashboard/")
    expect(
        page.get_by_role(
            "heading",
            name=f"What has changed since the last meeting (Autumn board, {last:%-d %B %Y})",
        )
    ).to_be_visible()
    expect(
        page.get_by_role("heading", name="Due before the next meeting (Winter board,")
    ).to_be_visible()
    chart = page.get_by_role("img", name="Findings opened and closed, quarter by quarter")
    expect(chart).to_be_visible()
    assert_accessible(page, "the dashboard")
    fits_320(page, "the dashboard")

    # The figures behind a chart, on request; each opens its list.
    page.locator("summary", has_text="Findings opened and closed, quarter by quarter").click()
    table = page.get_by_role(
        "table", name="Findings opened and closed, quarter by quarter: the figures"
    )
    expect(table).to_be_visible()
    assert_accessible(page, "the dashboard with a chart's figures shown")
    fits_320(page, "the dashboard with a chart's figures shown")
    table.get_by_role("link", name=f"2 Opened, {quarter.label}").click()
    expect(page.get_by_role("status")).to_have_text("2 findings")
    expect(page.get_by_label("Opened in (report published)")).to_have_value(quarter.key)

    # The open work, report by report
    page.goto(f"{server_url}/dashboard/")
    page.get_by_role("link", name="1 red action, Custody inspection").click()
    expect(page.get_by_role("status")).to_have_text("1 action")
    expect(page.get_by_label("Report", exact=True)).to_have_value(str(report.pk))
    page.screenshot(path="/tmp/dashboard-320.png", full_page=True)


def test_the_home_page_shows_pat_what_awaits_approval_and_what_is_due_this_week(
    page: Page, server_url, pat
):
    today = timezone.localdate()
    ResponseFactory.create(
        report__body=pat.body,
        report__published_on=today - dt.timedelta(days=50),  # due in 5 days
        status=ResponseStatus.READY_FOR_APPROVAL,
    )
    ActionFactory.create(
        body=pat.body, start_on=today - dt.timedelta(days=9), target_on=today + dt.timedelta(days=3)
    )
    sign_in(page, server_url, "pat")
    page.goto(f"{server_url}/")
    expect(page.get_by_role("heading", name="Awaiting your approval")).to_be_visible()
    expect(page.get_by_role("heading", name="Due this week")).to_be_visible()
    assert_accessible(page, "the home page")
    fits_320(page, "the home page")
    page.get_by_role("link", name="1 response ready for approval").click()
    expect(page.get_by_role("status")).to_have_text("1 response")
    page.goto(f"{server_url}/")
    page.get_by_role("link", name="1 action", exact=True).click()
    expect(page.get_by_role("status")).to_have_text("1 action")
