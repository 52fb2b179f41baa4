"""Alice moves an action's target date: she is asked why, and the move, its reason and the
slippage show on the action page, in the actions list and on the dashboard, in Chromium."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Page, expect

from inspections.models import TargetChange
from tests.factories import ActionFactory

from .conftest import assert_accessible, sign_in
from .dates import fill_date

TODAY = timezone.localdate()
FIRST = TODAY + dt.timedelta(days=60)
MOVED = FIRST + dt.timedelta(days=90)


def day(date: dt.date) -> str:
    return f"{date.day} {date:%B %Y}"


def test_alice_moves_a_target_with_a_reason_and_sees_the_slippage_everywhere(
    page: Page, server_url, alice
):
    ActionFactory.create(
        body=alice.body,
        title="Clear the vetting backlog",
        start_on=TODAY - dt.timedelta(days=30),
        target_on=FIRST,
        percent_complete=10,
    )
    ActionFactory.create(body=alice.body, title="Audit seized cash", target_on=FIRST)
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/actions/")
    page.get_by_role("link", name="Clear the vetting backlog").click()
    page.get_by_role("link", name="Edit the action").click()

    # A new date without a reason: asked for one, with the new date kept.
    fill_date(page, "Target date", MOVED)
    page.get_by_role("button", name="Save action").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter why the target date is changing")
    expect(page.get_by_role("group", name="Target date").get_by_label("Day")).to_have_value(
        str(MOVED.day)
    )
    assert_accessible(page, "the edit form with the reason missing")
    summary.get_by_role("link", name="Enter why the target date is changing").click()
    reason = page.get_by_label("Why is the target date changing?")
    expect(reason).to_be_focused()
    reason.fill("The national vetting guidance is revised in the spring.")
    page.get_by_role("button", name="Save action").click()

    # The action page: the original target, the slippage beside the target, the history.
    expect(page.get_by_role("heading", level=1)).to_have_text("Clear the vetting backlog")
    facts = page.locator("#facts")
    expect(facts).to_contain_text(day(MOVED))
    expect(facts).to_contain_text(f"First set for {day(FIRST)}")
    expect(facts).to_contain_text("Moved once, 90 days later")
    table = page.get_by_role("table", name="Every change of the target date, the newest first")
    row = table.get_by_role("row").nth(1)
    for text in (day(FIRST), day(MOVED), "90 days later", "Alice", "guidance is revised"):
        expect(row).to_contain_text(text)
    assert_accessible(page, "the action page with a moved target")
    assert TargetChange.objects.get().reason == (
        "The national vetting guidance is revised in the spring."
    )

    # The list: the slippage beside the target; filtered and sorted in place.
    page.get_by_role("link", name="All actions").click()
    page.get_by_label("Target date moved").select_option(label="Moved later at least once")
    expect(page.locator("#results")).to_contain_text("1 action")
    expect(page.locator("#results")).to_contain_text("Moved once, 90 days later")
    expect(page.locator("#results")).not_to_contain_text("Audit seized cash")
    assert "slipped=later" in page.url
    page.get_by_label("Sort by").select_option(label="Most slipped first")
    expect(page.locator("#results tbody tr")).to_have_count(1)
    assert_accessible(page, "the actions list filtered to slipped actions")

    # The dashboard lists it and links to the list of the same count.
    page.goto(f"{server_url}/dashboard/")
    slipped = page.get_by_role("table", name="Most-slipped open actions")
    expect(slipped).to_contain_text("Clear the vetting backlog")
    page.get_by_role("link", name="See the 1 open action whose target moved later").click()
    expect(page.locator("#results")).to_contain_text("1 action")
    expect(page.get_by_role("link", name="Clear the vetting backlog")).to_be_visible()
