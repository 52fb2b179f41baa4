"""Alice logs a new report with three findings and writes its response, in Chromium."""

from __future__ import annotations

import datetime as dt
import re

from playwright.sync_api import Page, expect

from inspections.reference_data import load_reference_data

from .conftest import assert_accessible, sign_in
from .dates import fill_date


def test_alice_logs_a_report_with_three_findings_and_answers_them(page: Page, server_url, alice):
    load_reference_data()
    sign_in(page, server_url, "alice")
    page.get_by_role("link", name="Reports", exact=True).click()  # in the menu
    expect(page.get_by_role("heading", level=1)).to_have_text("Inspection reports")
    assert_accessible(page)

    page.get_by_role("link", name="Add a report").click()
    page.get_by_role("button", name="Save report").click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    expect(page).to_have_title("Error: Add a report – PCC Responses")
    assert_accessible(page)  # the form showing its errors

    page.get_by_label("Title").fill("An inspection of call handling")
    page.get_by_label("National thematic").check()
    fill_date(page, "Publication date", dt.date(2026, 11, 2))
    page.get_by_label("National", exact=True).check()
    page.get_by_role("button", name="Save report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("An inspection of call handling")
    assert_accessible(page)

    new = page.locator("#new-finding")
    for n in (1, 2, 3):
        new.get_by_label("Recommendation", exact=True).check()
        new.get_by_label("Reference in the report").fill(f"Recommendation {n}")
        new.get_by_label("Text").fill(f"Chief constables should improve step {n}.")
        if n < 3:
            new.get_by_label("Chief constables").check()
        else:
            new.get_by_label("Home Office").check()
        new.get_by_role("button", name="Add finding").click()
        expect(page.locator("#findings")).to_contain_text(f"Recommendation {n}")
        expect(new.get_by_label("Reference in the report")).to_have_value("")
    assert page.locator("#findings li.app-finding").count() == 3

    # Reorder without leaving the page, then check the order.
    page.get_by_role("button", name="Move up Recommendation 3").click()
    expect(page.locator("#findings h4").nth(1)).to_contain_text("Recommendation 3")
    assert_accessible(page)

    page.get_by_role("button", name="Start the response").click()
    expect(page.locator("#missing")).to_contain_text("2 recommendations still need an entry")
    assert_accessible(page)
    for n in (1, 2):
        page.get_by_role("link", name=f"Write entry for Recommendation {n}").click()
        row = page.locator(".app-entry--editing")
        row.get_by_label("Action proposed").check()
        row.get_by_label("The action, or the reason").fill(f"The force will act on step {n}.")
        row.get_by_role("button", name=f"Save entry for Recommendation {n}").click()
        expect(page.locator(".app-entry--editing")).to_have_count(0)
    page.reload()
    expect(page.locator("#missing")).to_contain_text("Every recommendation for the force")
    expect(page.get_by_text("The force will act on step 2.")).to_be_visible()
    assert_accessible(page)


def test_a_finding_is_removed_only_after_confirmation(page: Page, server_url, alice):
    from tests.factories import FindingFactory, ReportFactory

    report = ReportFactory.create(body=alice.body, title="A report to tidy")
    FindingFactory.create(report=report, reference="AFI 9", kind="area_for_improvement")
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/reports/{report.pk}/")
    page.get_by_role("link", name="Remove AFI 9").click()
    expect(page.get_by_text("Remove AFI 9?")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Cancel").click()
    expect(page.locator("#findings")).to_contain_text("AFI 9")
    page.get_by_role("link", name="Remove AFI 9").click()
    page.get_by_role("button", name="Yes, remove AFI 9").click()
    expect(page.locator("#findings")).to_contain_text("No findings recorded yet.")


def test_the_report_list_filters_live_and_keeps_the_filters_in_the_url(
    page: Page, server_url, alice
):
    from tests.factories import ReportFactory

    ReportFactory.create(body=alice.body, title="Vetting and misconduct")
    ReportFactory.create(body=alice.body, title="Burglary and robbery")
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/reports/")
    page.get_by_label("Search").fill("vetting")
    expect(page.locator("#results")).to_contain_text("1 report")
    expect(page).to_have_url(re.compile(r"/reports/\?q=vetting&"))
    page.reload()
    expect(page.locator("#results")).not_to_contain_text("Burglary")


def test_the_report_journey_works_without_javascript(browser, server_url, alice):
    from tests.factories import ReportFactory

    report = ReportFactory.create(body=alice.body, title="No script here")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/reports/{report.pk}/")
    new = page.locator("#new-finding")
    new.get_by_label("Area for improvement").check()
    new.get_by_label("Reference in the report").fill("AFI 1")
    new.get_by_label("Text").fill("The force should improve.")
    new.get_by_role("button", name="Add finding").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("AFI 1 added.")
    page.get_by_role("link", name="Remove AFI 1").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Remove AFI 1?")
    page.get_by_role("button", name="Yes, remove AFI 1").click()
    expect(page.locator(".govuk-notification-banner")).to_contain_text("AFI 1 removed.")
    context.close()
