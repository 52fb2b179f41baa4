"""Alice imports a report's findings from its PDF, and from pasted text, in Chromium: she
corrects a cell in the preview, leaves a row out, and sees the findings on the report."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import FilePayload, Page, expect

from inspections.models import Finding
from inspections.reference_data import load_reference_data
from tests.factories import ReportFactory
from tests.test_import_findings import fixture_text, report_pdf

from .conftest import assert_accessible, sign_in

PUBLISHED = dt.date(2025, 3, 12)


def test_alice_imports_a_reports_findings_from_its_pdf(page: Page, server_url, alice):
    load_reference_data()
    report = ReportFactory.create(
        body=alice.body, title="PEEL 2025–27: Wessex Constabulary", published_on=PUBLISHED
    )
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/reports/{report.pk}/")
    page.get_by_role("link", name="Import findings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Import findings")
    assert_accessible(page)

    pdf: FilePayload = {
        "name": "wessex-peel.pdf",
        "mimeType": "application/pdf",
        "buffer": report_pdf(),
    }
    page.get_by_label("Or upload the report").set_input_files(files=[pdf])
    page.get_by_role("button", name="Read the findings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the findings to import")
    expect(page.locator("#found")).to_contain_text("10 findings were read from wessex-peel.pdf")
    assert_accessible(page, "the preview table")

    # Row 6 is Recommendation 5: correct its text. Row 9, the innovative practice: leave out.
    five = page.locator("#row-6")
    expect(five.get_by_label("Reference")).to_have_value("Recommendation 5")
    five.get_by_label("Text").fill(
        "By 30 June 2026, the NPCC and the College of Policing should agree a standard."
    )
    page.locator("#row-9").get_by_label("Import").uncheck()
    # A mistake first: a ticked row without its reference is shown again, kept.
    page.locator("#row-8").get_by_label("Reference").fill("")
    page.get_by_role("button", name="Import the ticked findings").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Row 8: Enter the reference")
    expect(five.get_by_label("Text")).to_have_value(
        "By 30 June 2026, the NPCC and the College of Policing should agree a standard."
    )
    expect(page.locator("#row-9").get_by_label("Import")).not_to_be_checked()
    assert_accessible(page, "the preview with an error")
    summary.get_by_role("link", name="Row 8: Enter the reference").click()
    expect(page.locator("#row-8").get_by_label("Reference")).to_be_focused()
    page.locator("#row-8").get_by_label("Reference").fill("AFI 1")

    page.get_by_role("button", name="Import the ticked findings").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("PEEL 2025–27: Wessex Constabulary")
    expect(page.get_by_text("9 findings imported.").first).to_be_visible()
    findings = page.locator("#findings")
    expect(findings).to_contain_text("Cause of concern 1")
    expect(findings).to_contain_text("the NPCC and the College of Policing should agree a standard")
    expect(findings).not_to_contain_text("Innovative practice 1")
    assert Finding.objects.filter(report=report).count() == 9
    assert_accessible(page)


def test_alice_pastes_findings_and_a_second_import_adds_nothing(page: Page, server_url, alice):
    load_reference_data()
    report = ReportFactory.create(
        body=alice.body, title="A joint inspection", published_on=PUBLISHED
    )
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/reports/{report.pk}/findings/import/")
    page.get_by_label("Paste the report's text").fill(fixture_text("joint"))
    page.get_by_role("button", name="Read the findings").click()
    one = page.locator("#row-1")
    expect(one.get_by_role("group", name="Addressed to")).to_be_visible()
    expect(one.get_by_label("Home Office")).to_be_checked()
    expect(
        one.get_by_label("Ministry of Justice and HM Prison and Probation Service")
    ).to_be_checked()
    page.get_by_role("button", name="Import the ticked findings").click()
    expect(page.get_by_text("7 findings imported.").first).to_be_visible()

    page.goto(f"{server_url}/reports/{report.pk}/findings/import/")
    page.get_by_label("Paste the report's text").fill(fixture_text("joint"))
    page.get_by_role("button", name="Read the findings").click()
    expect(page.locator("#nothing-new")).to_be_visible()
    expect(page.locator(".govuk-tag", has_text="Already in the report")).to_have_count(7)
    expect(page.get_by_role("button", name="Import the ticked findings")).to_have_count(0)
    assert_accessible(page, "a preview of findings all in the report")
    assert Finding.objects.filter(report=report).count() == 7
