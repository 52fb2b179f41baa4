"""Publication freezes the response: pat approves, alice publishes, the public reads it;
the inspectorate rewords a finding and the public page does not move; pat publishes a
correction with its reason, which the public page then states (demo data)."""

from __future__ import annotations

import io

from django.core.management import call_command
from playwright.sync_api import Browser, expect

from inspections.demo import DEMO_PASSWORD
from inspections.models import Finding, Response, ResponseEdition, ResponseStatus

from .conftest import assert_accessible, sign_in


def test_a_published_response_stays_as_published_until_an_approver_corrects_it(
    browser: Browser, server_url, db
):
    call_command("load_demo", stdout=io.StringIO())
    ready = Response.objects.filter(
        body__slug__contains="hampshire", status=ResponseStatus.READY_FOR_APPROVAL
    ).select_related("report", "body")
    response = next(r for r in ready if r.is_complete())
    finding = response.report.findings.filter(kind="recommendation").first()
    assert finding is not None

    pat = browser.new_context().new_page()
    sign_in(pat, server_url, "pat", DEMO_PASSWORD)
    pat.goto(f"{server_url}/responses/{response.pk}/")
    pat.get_by_role("link", name="Approve the response").click()
    pat.get_by_role("button", name="Approve the response").click()
    expect(pat.locator(".govuk-notification-banner")).to_contain_text("Approved")

    alice = browser.new_context().new_page()
    sign_in(alice, server_url, "alice", DEMO_PASSWORD)
    alice.goto(f"{server_url}/responses/{response.pk}/")
    alice.get_by_role("link", name="Record publication").click()
    alice.get_by_label("Where it is published").fill("https://www.example.org/our-response")
    assert_accessible(alice, "the publish step")
    alice.get_by_role("button", name="Record publication").click()
    expect(alice.locator(".govuk-notification-banner")).to_contain_text("Published")
    expect(alice.locator("#editions")).to_be_visible()

    public = browser.new_context().new_page()
    public.goto(f"{server_url}/sign-in/")
    public.get_by_role("link", name="Read the responses bodies have published").click()
    public.get_by_role("link", name=response.body.name, exact=True).click()
    public.get_by_role("link", name=response.report.title_with_month).click()
    expect(public.get_by_role("heading", level=1)).to_have_text(response.report.title_with_month)
    expect(public.locator("article")).to_contain_text(finding.text[:40])
    assert_accessible(public, "the public response")
    public.screenshot(path="test-results/public-response.png", full_page=True)
    published_url = public.url

    # The inspectorate rewords the recommendation: nothing published moves.
    Finding.objects.filter(pk=finding.pk).update(text="Reworded after publication.")
    public.goto(published_url)
    expect(public.locator("article")).to_contain_text(finding.text[:40])
    expect(public.locator("article")).not_to_contain_text("Reworded after publication.")
    alice.reload()
    expect(alice.locator("#live-differs")).to_contain_text("differs from what was published")

    pat.goto(f"{server_url}/responses/{response.pk}/")
    pat.get_by_role("link", name="Publish a correction").click()
    pat.get_by_label("What was corrected, and why").fill(
        "The inspectorate reworded the recommendation."
    )
    assert_accessible(pat, "the correction step")
    pat.get_by_role("button", name="Publish a correction").click()
    expect(pat.locator(".govuk-notification-banner")).to_contain_text("Done")

    public.goto(published_url)
    expect(public.locator(".govuk-inset-text")).to_contain_text(
        "The inspectorate reworded the recommendation."
    )
    expect(public.locator("article")).to_contain_text("Reworded after publication.")
    public.screenshot(path="test-results/public-response-corrected.png", full_page=True)
    assert ResponseEdition.objects.filter(response=response).count() == 2
