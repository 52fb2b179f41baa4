from __future__ import annotations

from playwright.sync_api import Page, expect

from inspections.models import NotificationPreference

from .conftest import assert_accessible, sign_in


def test_alice_chooses_the_digest_for_decisions_on_her_responses(page: Page, server_url, alice):
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/account/notifications/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Email notifications")
    assert_accessible(page, "the preferences page")

    decided = page.get_by_role(
        "group", name="A response you worked on is approved, returned to draft or published"
    )
    expect(decided.get_by_label("Email me at once")).to_be_checked()
    decided.get_by_label("In my daily digest").check()
    page.get_by_role("group", name="Reminders of dates coming up and dates passed").get_by_label(
        "Do not email me"
    ).check()
    page.screenshot(path="/tmp/notifications-helper-preferences.png", full_page=True)
    page.get_by_role("button", name="Save choices").click()

    expect(page.locator(".govuk-notification-banner--success")).to_contain_text(
        "Your email choices are saved."
    )
    expect(decided.get_by_label("In my daily digest")).to_be_checked()
    assert_accessible(page, "after saving")
    stored = dict(
        NotificationPreference.objects.filter(user=alice.user).values_list("kind", "delivery")
    )
    assert stored["response_decided"] == "digest"
    assert stored["reminders"] == "none"


def test_a_missing_choice_is_summarised_and_its_link_reaches_the_radios(
    page: Page, server_url, alice
):
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/account/notifications/")
    # A choice can only go missing if the page is tampered with; the answer must still help.
    page.evaluate(
        "document.querySelectorAll('input[name=action_assigned]')"
        ".forEach((radio) => { radio.checked = false; })"
    )
    page.get_by_role("button", name="Save choices").click()

    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("There is a problem")
    expect(summary).to_be_focused()
    expect(page).to_have_title("Error: Email notifications – PCC Responses")
    assert_accessible(page, "with an error")
    page.screenshot(path="/tmp/notifications-helper-error.png", full_page=True)
    summary.get_by_role("link").click()
    expect(page.locator("#id_action_assigned_0")).to_be_focused()


def test_a_force_contributor_has_only_their_kinds(page: Page, server_url, cora):
    sign_in(page, server_url, "cora")
    page.goto(f"{server_url}/account/notifications/")
    expect(page.get_by_role("group")).to_have_count(2)
    assert_accessible(page, "a force contributor's preferences")
