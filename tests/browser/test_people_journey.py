"""Ada, an administrator, invites a colleague; the colleague accepts in a browser of their
own; Ada changes their role and deactivates them. In Chromium, every page checked with
axe-core."""

from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Browser, Page, expect

from inspections.models import Membership, Role
from inspections.two_factor import totp_code
from tests.conftest import ADA_TOTP_SECRET
from tests.factories import PASSWORD

from .conftest import assert_accessible

SHOTS = "/tmp/team-helper"
NEW_PASSWORD = "Lantern-harbour-47"


def sign_in_with_code(page: Page, base_url: str, username: str, secret: str) -> None:
    """Password, then the authenticator app's code if the sign-in asks for one."""
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    code = page.locator('input[name="code"]')
    page.wait_for_load_state()
    if code.count():
        code.fill(totp_code(secret))
        code.press("Enter")
        page.wait_for_load_state()


def test_ada_invites_a_colleague_who_joins_and_is_later_deactivated(
    page: Page, browser: Browser, server_url: str, ada: Membership, alice: Membership
):
    sign_in_with_code(page, server_url, "ada", ADA_TOTP_SECRET)
    page.get_by_role("link", name="People", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("People")
    expect(page.locator(f"#person-{alice.pk}")).to_contain_text("alice@example.org")
    assert_accessible(page, "people page")
    page.screenshot(path=f"{SHOTS}-people.png", full_page=True)

    # Inviting: a mistake first, then the real thing.
    page.get_by_role("button", name="Invite someone").click()
    page.get_by_label("Email address").fill("sam.jones@")
    page.get_by_role("button", name="Send invitation").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Enter an email address in the correct format")
    expect(summary).to_contain_text("Choose a role")
    expect(page.get_by_label("Email address")).to_have_value("sam.jones@")
    assert_accessible(page, "invite form with errors")
    page.screenshot(path=f"{SHOTS}-invite-errors.png", full_page=True)
    summary.get_by_role("link", name="Choose a role").click()
    expect(page.get_by_label("Editor", exact=True)).to_be_focused()

    page.get_by_label("Email address").fill("sam.jones@example.org")
    page.get_by_label("Analyst", exact=True).check()
    page.get_by_label("Job title").fill("Performance analyst")
    page.get_by_role("button", name="Send invitation").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Invitation sent to sam.jones@example.org"
    )
    expect(page.locator("body")).to_contain_text("Invitations waiting")
    assert_accessible(page, "people page with an invitation")

    (message,) = mail.outbox
    found = re.search(r"/invitations/[\w-]+/", str(message.body))
    assert found, message.body
    link = server_url + found.group(0)

    # Sam opens the link in a browser of their own.
    sams = browser.new_context()
    sam = sams.new_page()
    sam.goto(link)
    expect(sam.get_by_role("heading", level=1)).to_have_text("Accept your invitation")
    expect(sam.locator("main")).to_contain_text(ada.body.name)
    expect(sam.locator("main")).to_contain_text("Analyst")
    expect(sam.get_by_label("Username")).to_have_value("sam.jones")
    assert_accessible(sam, "accept page")
    sam.get_by_label("First name").fill("Sam")
    sam.get_by_label("Last name").fill("Jones")
    sam.get_by_label("Password", exact=True).fill("password")
    sam.get_by_label("Confirm password").fill("password")
    sam.get_by_role("button", name="Create my account").click()
    expect(sam.locator(".govuk-error-summary")).to_contain_text("too common")
    assert_accessible(sam, "accept page with errors")
    sam.screenshot(path=f"{SHOTS}-accept-errors.png", full_page=True)
    sam.get_by_label("Password", exact=True).fill(NEW_PASSWORD)
    sam.get_by_label("Confirm password").fill(NEW_PASSWORD)
    sam.get_by_role("button", name="Create my account").click()
    expect(sam).to_have_url(f"{server_url}/")
    expect(sam.locator(".govuk-notification-banner").first).to_contain_text(
        "Welcome to PCC Responses, Sam"
    )
    assert_accessible(sam, "home after joining")
    sam.screenshot(path=f"{SHOTS}-joined.png", full_page=True)
    joined = Membership.objects.get(user__username="sam.jones")
    assert joined.role == Role.ANALYST

    # Ada makes Sam an editor.
    page.reload()
    page.get_by_role("link", name="Sam Jones").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Sam Jones")
    assert_accessible(page, "person page")
    page.screenshot(path=f"{SHOTS}-person.png", full_page=True)
    page.get_by_label("Editor", exact=True).check()
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sam Jones’s role saved")
    expect(page.locator(f"#person-{joined.pk}")).to_contain_text("Editor")

    # And later deactivates Sam, who is signed out at once.
    page.get_by_role("link", name="Sam Jones").click()
    page.get_by_role("button", name="Deactivate").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Deactivate Sam Jones?")
    assert_accessible(page, "deactivation confirmation")
    page.screenshot(path=f"{SHOTS}-deactivate.png", full_page=True)
    page.get_by_role("button", name="Yes, deactivate Sam Jones").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("Sam Jones is deactivated")
    expect(page.locator(f"#person-{joined.pk}")).to_contain_text("Deactivated")
    assert_accessible(page, "people page after deactivation")
    page.screenshot(path=f"{SHOTS}-people-after.png", full_page=True)

    sam.reload()
    expect(sam).to_have_url(re.compile(r"/sign-in/"))
    sams.close()
