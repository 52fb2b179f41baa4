"""Alice imports her office's tracker spreadsheet, in Chromium: she uploads the Windows-1252
CSV with a title row above its header, maps a column, sees the problems by row and column
in the dry run, imports the valid rows and finds the actions in the list."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

from inspections.models import AssuranceAction
from tests.factories import FindingFactory, ReportFactory

from .conftest import assert_accessible, sign_in

TRACKER = Path(__file__).resolve().parents[1] / "fixtures/imports/tracker-opcc-windows-1252.csv"


def test_alice_uploads_a_tracker_maps_a_column_and_imports_the_valid_rows(
    page: Page, server_url, alice, cora
):
    report = ReportFactory.create(body=alice.body, title="Vetting", reference="HMICFRS-2025-04")
    FindingFactory.create(report=report, reference="Recommendation 1")
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/imports/tracker/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a tracker")
    assert_accessible(page, "the upload page")

    page.get_by_label("Upload a tracker").set_input_files(str(TRACKER))
    page.get_by_role("button", name="Upload and continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Match the columns")
    expect(page.get_by_text("The header row is row 4")).to_be_visible()
    expect(page.get_by_label("Action", exact=True)).to_have_value("title")
    assert_accessible(page, "the mapping page")

    # The board's notes are worth keeping: they become each action's description.
    page.get_by_label("Board notes").select_option(label="Description")
    page.get_by_role("button", name="Check the rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check what the import will do")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("7 problems in the file")
    expect(summary).to_contain_text("Row 8, Due date: 31/02/2026 is not a real date")
    expect(summary).to_contain_text("Row 9, Status: “Parked” is not a status we know.")
    expect(page.locator("#row-7")).to_contain_text("Finding not found: Recommendation 9.")
    assert_accessible(page, "the check page")
    assert not AssuranceAction.objects.exists()  # the dry run saves nothing

    summary.get_by_role("link", name="Row 10, % complete").click()
    expect(page.locator("#row-10")).to_contain_text("120% is not possible")

    page.get_by_role("button", name="Import the 3 valid rows").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Assurance actions")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Imported tracker-opcc-windows-1252.csv: 3 added, 0 updated, 0 unchanged, 7 not imported."
    )
    title = "Fund two additional vetting officers (£85,000) to clear the backlog"
    page.get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_text("Accountability board, May")).to_be_visible()
    expect(page.get_by_text("Imported from tracker-opcc-windows-1252.csv.")).to_be_visible()
    assert AssuranceAction.objects.count() == 3
