"""Two people editing one action in two browsers lose nothing (issue 10, found 3): changes
to different fields are both kept, and where both changed the same field only that field
is put side by side, in a form that keeps the other person's changes."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from playwright.sync_api import Browser, Page, expect

from inspections.models import AssuranceAction
from tests.factories import ActionFactory

from .conftest import assert_accessible, sign_in

TODAY = timezone.localdate()


def two_editors(browser: Browser, server_url: str, action: AssuranceAction) -> tuple[Page, Page]:
    """Alice and Pat, each in a browser of their own, with the action's edit form open."""
    url = f"{server_url}/actions/{action.pk}/edit/"
    pages = []
    for username in ("alice", "pat"):
        page = browser.new_context().new_page()
        sign_in(page, server_url, username)
        page.goto(url)
        pages.append(page)
    return pages[0], pages[1]


def an_action(alice) -> AssuranceAction:
    return ActionFactory.create(
        body=alice.body,
        title="Improve call handling",
        start_on=TODAY - dt.timedelta(days=100),
        target_on=TODAY + dt.timedelta(days=100),
        percent_complete=50,
    )


def test_two_browsers_editing_different_fields_of_an_action_both_keep_their_change(
    browser: Browser, server_url, alice, pat
):
    action = an_action(alice)
    alice_page, pat_page = two_editors(browser, server_url, action)

    pat_page.get_by_label("Percent complete").fill("70")
    pat_page.get_by_role("button", name="Save action").click()
    expect(pat_page.locator(".govuk-notification-banner")).to_contain_text("Action saved.")

    alice_page.get_by_label("Title", exact=True).fill("Answer 999 calls faster")
    alice_page.get_by_role("button", name="Save action").click()
    banner = alice_page.locator(".govuk-notification-banner")
    expect(banner).to_contain_text("Action saved.")
    expect(banner).to_contain_text("theirs were kept too (percent complete)")
    expect(alice_page.get_by_role("heading", level=1)).to_have_text("Answer 999 calls faster")
    assert_accessible(alice_page)

    saved = AssuranceAction.objects.get(pk=action.pk)
    assert (saved.title, saved.percent_complete, saved.version) == (
        "Answer 999 calls faster", 70, 3,
    )  # fmt: skip


def test_where_both_changed_a_field_only_it_is_compared_and_nothing_else_is_lost(
    browser: Browser, server_url, alice, pat
):
    action = an_action(alice)
    alice_page, pat_page = two_editors(browser, server_url, action)

    pat_page.get_by_label("Title", exact=True).fill("Pat's title")
    pat_page.get_by_label("Percent complete").fill("70")
    pat_page.get_by_role("button", name="Save action").click()
    expect(pat_page.locator(".govuk-notification-banner")).to_contain_text("Action saved.")

    alice_page.get_by_label("Title", exact=True).fill("Alice's title")
    alice_page.get_by_role("button", name="Save action").click()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed this action"
    )
    expect(alice_page.get_by_test_id("theirs")).to_have_text(["Pat's title"])
    expect(alice_page.get_by_test_id("yours")).to_have_text(["Alice's title"])
    # The form holds Pat's percentage, which Alice never touched, and her own title.
    expect(alice_page.get_by_label("Percent complete")).to_have_value("70")
    expect(alice_page.get_by_label("Title", exact=True)).to_have_value("Alice's title")
    assert_accessible(alice_page)

    alice_page.get_by_role("button", name="Save my version").click()
    expect(alice_page.locator(".govuk-notification-banner")).to_contain_text("Action saved.")
    saved = AssuranceAction.objects.get(pk=action.pk)
    assert (saved.title, saved.percent_complete) == ("Alice's title", 70)
    assert list(saved.history.values_list("percent_complete", flat=True)) == [70, 70, 50]
