from __future__ import annotations

from playwright.sync_api import Page, expect

from .conftest import assert_accessible, sign_in


def test_alice_signs_in_by_keyboard_alone_and_sees_her_body(page: Page, server_url, alice):
    page.goto(f"{server_url}/")
    expect(page).to_have_url(f"{server_url}/sign-in/?next=/")
    assert_accessible(page)

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
    expect(page.get_by_label("Username")).to_have_value("alice")
    assert_accessible(page)


def test_pages_load_without_console_errors_under_the_content_security_policy(
    page: Page, server_url, alice
):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    sign_in(page, server_url, "alice")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert page.evaluate("typeof htmx") == "object"
    assert errors == []
