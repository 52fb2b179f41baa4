"""Two people editing one response lose no text; pat approves a complete response and is
refused, with the missing recommendations named, on an incomplete one (demo data)."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect

from inspections.demo import DEMO_PASSWORD
from inspections.models import Response, ResponseStatus
from tests.factories import ResponseFactory

from .conftest import assert_accessible, sign_in


def test_two_browsers_editing_one_response_lose_no_text(browser: Browser, server_url, alice, pat):
    response = ResponseFactory.create(report__body=alice.body, comments="The first draft.")
    edit_url = f"{server_url}/responses/{response.pk}/edit/"
    alice_page = browser.new_context().new_page()
    pat_page = browser.new_context().new_page()
    sign_in(alice_page, server_url, "alice")
    sign_in(pat_page, server_url, "pat")
    alice_page.goto(edit_url)
    pat_page.goto(edit_url)

    pat_page.get_by_label("The body's comments").fill("Pat's careful paragraph.")
    pat_page.get_by_role("button", name="Save response").click()
    expect(pat_page.locator(".govuk-notification-banner")).to_contain_text("Response saved.")

    alice_page.get_by_label("The body's comments").fill("Alice's own paragraph.")
    alice_page.get_by_role("button", name="Save response").click()
    expect(alice_page.get_by_role("heading", level=1)).to_have_text(
        "Someone else changed this response"
    )
    expect(alice_page.get_by_test_id("theirs")).to_have_text("Pat's careful paragraph.")
    expect(alice_page.get_by_test_id("yours")).to_have_text("Alice's own paragraph.")
    expect(alice_page.get_by_label("The body's comments")).to_have_value("Alice's own paragraph.")
    assert_accessible(alice_page)
    assert Response.objects.get(pk=response.pk).comments == "Pat's careful paragraph."

    alice_page.get_by_label("The body's comments").fill(
        "Pat's careful paragraph. Alice's own paragraph."
    )
    alice_page.get_by_role("button", name="Save my version").click()
    expect(alice_page.locator(".govuk-notification-banner")).to_contain_text("Response saved.")
    saved = Response.objects.get(pk=response.pk)
    assert saved.comments == "Pat's careful paragraph. Alice's own paragraph."
    assert list(saved.history.values_list("comments", flat=True)) == [
        "Pat's careful paragraph. Alice's own paragraph.",
        "Pat's careful paragraph.",
        "The first draft.",
    ]


def test_pat_approves_a_complete_response_and_is_refused_on_an_incomplete_one(
    page: Page, server_url, db
):
    call_command("load_demo", stdout=io.StringIO())
    ready = Response.objects.filter(
        body__slug__contains="hampshire", status=ResponseStatus.READY_FOR_APPROVAL
    ).select_related("report")
    complete = next(r for r in ready if r.is_complete())
    incomplete = next(r for r in ready if not r.is_complete())
    sign_in(page, server_url, "pat", DEMO_PASSWORD)

    page.goto(f"{server_url}/responses/{complete.pk}/")
    page.get_by_role("link", name="Approve the response").click()
    assert_accessible(page)
    page.get_by_role("button", name="Approve the response").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "The response is now “Approved”."
    )
    expect(page.locator("#workflow")).to_contain_text("Approved by Pat Palmer")

    page.goto(f"{server_url}/responses/{incomplete.pk}/")
    page.get_by_role("link", name="Approve the response").click()
    refusal = page.locator(".govuk-error-summary")
    expect(refusal).to_contain_text("This response cannot be approved yet.")
    expect(refusal).to_contain_text("Recommendation 4 still has no entry")
    expect(page.get_by_role("button", name="Approve the response")).to_have_count(0)
    assert_accessible(page)
    assert Response.objects.get(pk=incomplete.pk).status == ResponseStatus.READY_FOR_APPROVAL
