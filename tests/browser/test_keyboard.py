"""A journey completed with the keyboard alone: no clicks, no mouse."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from inspections.models import ResponseEntry
from tests.factories import FindingFactory, ResponseFactory, addressee

from .conftest import sign_in, tab_to


def test_alice_writes_a_response_entry_using_only_the_keyboard(page: Page, server_url, alice):
    response = ResponseFactory.create(report__body=alice.body, report__title="Keyboard report")
    FindingFactory.create(
        report=response.report, reference="Recommendation 1", addressed_to=[addressee()]
    )
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/responses/{response.pk}/")

    tab_to(page, "Write entry")
    page.keyboard.press("Enter")
    expect(page.locator(".app-entry--editing")).to_be_visible()
    tab_to(page, "Action taken")
    page.keyboard.press("Space")
    page.keyboard.press("Tab")  # leaves the radio group for the text box
    page.keyboard.type("Done in October, audited by the OPCC.")
    tab_to(page, "Save entry")
    page.keyboard.press("Enter")

    expect(page.get_by_text("Done in October, audited by the OPCC.")).to_be_visible()
    entry = ResponseEntry.objects.get()
    assert (entry.answer, entry.text) == ("taken", "Done in October, audited by the OPCC.")
    # Focus stays usable: the next Tab lands on a control inside the page, not lost.
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement !== document.body")
