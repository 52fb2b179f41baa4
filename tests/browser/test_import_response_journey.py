"""Alice imports the body's published July 2023 response, in Chromium: she pastes it,
corrects a field in the preview and confirms; it is published with its edition."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from playwright.sync_api import Page, expect

from inspections.models import ReportType, Response, ResponseStatus
from tests.factories import FindingFactory, ReportFactory, addressee

from .conftest import assert_accessible, sign_in
from .dates import fill_date

SAMPLE = (
    Path(__file__).resolve().parents[2]
    / "inspections/data/hampshire-iow-terrorist-offenders-2023-07.txt"
).read_text()
TITLE = "Management of terrorist offenders in the wake of terrorist attacks"


def test_alice_pastes_the_sample_corrects_the_preview_and_publishes_it(
    page: Page, server_url, alice
):
    report = ReportFactory.create(
        body=alice.body,
        title=TITLE,
        report_type=ReportType.JOINT,
        published_on=dt.date(2023, 7, 20),
    )
    FindingFactory.create(
        report=report,
        reference="Recommendation 19",
        addressed_to=[addressee("national-lead", answerable=False)],
    )
    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/imports/response/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Import a published response")
    assert_accessible(page)

    page.get_by_role("button", name="Read the response").click()  # nothing pasted
    expect(page.locator(".govuk-error-summary")).to_contain_text("Paste the text of the response")
    assert_accessible(page, "the source with its error")

    page.get_by_label("Paste the text of the response").fill(SAMPLE)
    page.get_by_role("button", name="Read the response").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check the imported response")
    expect(page.get_by_label("The report it responds to")).to_have_value(str(report.pk))
    expect(page.get_by_label("Signatory (optional)")).to_have_value("Donna Jones")
    expect(page.locator("#import-warnings")).to_contain_text("No publication date was found")
    assert_accessible(page, "the preview")
    assert not Response.objects.exists()  # the preview saves nothing

    page.get_by_role("button", name="Import and publish").click()  # no date yet
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "Enter the date the response was published."
    )
    assert_accessible(page, "the preview with its error")
    page.get_by_label("Signatory's role (optional)").fill(
        "Police and Crime Commissioner for Hampshire and Isle of Wight"
    )
    fill_date(page, "Published on", dt.date(2023, 9, 7))
    page.get_by_role("button", name="Import and publish").click()

    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Response imported and published (edition 1)"
    )
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{TITLE} (July 2023)")
    expect(page.get_by_text("Published on 7 September 2023")).to_be_visible()
    expect(
        page.get_by_text("Donna Jones, Police and Crime Commissioner for Hampshire")
    ).to_be_visible()
    expect(page.get_by_role("link", name="Download as Word")).to_be_visible()
    assert_accessible(page, "the imported response")
    response = Response.objects.get(report=report)
    assert response.status == ResponseStatus.PUBLISHED
    assert response.editions.count() == 1
