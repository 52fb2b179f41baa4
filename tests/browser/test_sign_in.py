from __future__ import annotations

import re

from django.core import mail
from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in, tab_to

SHOTS = "/tmp/signin-helper"


def test_alice_signs_in_by_keyboard_alone_and_sees_her_body(page: Page, server_url, alice):
    page.goto(f"{server_url}/")
    expect(page).to_have_url(f"{server_url}/sign-in/?next=/")
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-sign-in.png", full_page=True)

    page.keyboard.press("Tab")
    expect(page.get_by_role("link", name="Skip to main content")).to_be_focused()
    page.get_by_label("Username").focus()
    page.keyboard.type("alice")
    page.keyboard.press("Tab")
    page.keyboard.type("a-test-password-2026")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Alice")
    expect(page.locator(".govuk-service-navigation")).to_contain_text(alice.body.name)
    assert page.evaluate("document.body.classList.contains('govuk-frontend-supported')")
    assert_accessible(page)


def test_a_wrong_password_shows_an_accessible_error_summary(page: Page, server_url, alice):
    sign_in(page, server_url, "alice", "not-the-password")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_contain_text("The username, email address or password is not right.")
    expect(page.get_by_label("Username")).to_have_value("alice")
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-sign-in-error.png", full_page=True)
    # The summary's link takes the keyboard to the field.
    summary.get_by_role("link").click()
    expect(page.get_by_label("Username")).to_be_focused()


def test_pages_load_without_console_errors_under_the_content_security_policy(
    page: Page, server_url, alice
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, server_url, "alice")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    # The sign-in page runs allauth's passkey scripts, under the nonce.
    assert page.evaluate("typeof window.allauth.webauthn.forms.loginForm") == "function"
    assert errors == []


def test_alice_resets_a_forgotten_password_by_keyboard(page: Page, server_url, alice):
    page.goto(f"{server_url}/sign-in/")
    tab_to(page, "Forgotten your password?")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Reset your password")
    assert_accessible(page)
    page.get_by_label("Email address").focus()
    page.keyboard.type(alice.user.email)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    assert_accessible(page)

    link = re.search(
        r"https?://[^/\s]+(/account/password/reset/key/\S+/)", str(mail.outbox[0].body)
    )
    assert link
    page.goto(server_url + link.group(1))
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill("short")
    page.get_by_label("Type the new password again").fill("short")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "new password refused")
    page.get_by_label("New password", exact=True).fill("a-brand-new-password-2026")
    page.get_by_label("Type the new password again").fill("a-brand-new-password-2026")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your password has been changed")
    assert_accessible(page)

    sign_in(page, server_url, "alice", "a-brand-new-password-2026")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Welcome, Alice")


def test_the_account_pages_are_accessible(page: Page, server_url, alice):
    sign_in(page, server_url, "alice")
    page.get_by_role("link", name="Your account").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-account.png", full_page=True)

    page.get_by_role("link", name="Change your password").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Change your password")
    assert_accessible(page)
    page.get_by_role("button", name="Change password").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page, "password change with errors")
    page.screenshot(path=f"{SHOTS}-password-change-error.png", full_page=True)

    for path, heading in [
        ("/account/logout/", "Sign out"),
        ("/account/reauthenticate/", "Confirm it is you"),
        ("/account/2fa/", "Two-factor sign-in"),
        ("/account/password/reset/", "Reset your password"),
    ]:
        page.goto(server_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, path)


def test_the_pages_for_visitors_are_accessible(page: Page, server_url):
    for path, heading in [
        ("/account/signup/", "You join by invitation"),
        ("/account/password/reset/key/done/", "Your password has been changed"),
        ("/account/password/reset/key/1-not-a-key/", "This link does not work"),
        ("/account/inactive/", "Your account is not active"),
    ]:
        page.goto(server_url + path)
        expect(page.get_by_role("heading", level=1)).to_have_text(heading)
        assert_accessible(page, path)
