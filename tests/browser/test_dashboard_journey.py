"""Pat opens the dashboard before a board: "since" is the last meeting's date and the page
says so, what is due before the next meeting is listed, the page passes axe and fits a
320 px wide screen."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import Forum, Meeting

from .conftest import assert_accessible, sign_in


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
    assert_accessible(page, "the dashboard")
    page.set_viewport_size({"width": 320, "height": 800})
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 320, f"the dashboard is {width} px wide at 320 px"
    page.screenshot(path="/tmp/dashboard-320.png", full_page=True)
