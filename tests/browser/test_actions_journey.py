"""Alice creates an action, links it to two findings, records progress and attaches
evidence, in Chromium."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from inspections.models import AssuranceAction
from tests.factories import FindingFactory, ReportFactory

from .conftest import assert_accessible, sign_in
from .dates import fill_date

PDF = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"


@pytest.fixture
def uploads(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT)


def test_alice_creates_an_action_links_two_findings_and_records_progress(
    page: Page, server_url, alice, uploads, tmp_path
):
    peel = ReportFactory.create(body=alice.body, title="PEEL 2025: call handling")
    FindingFactory.create(
        report=peel, reference="Recommendation 1", text="Answer 999 calls faster."
    )
    thematic = ReportFactory.create(body=alice.body, title="Vulnerability thematic")
    FindingFactory.create(
        report=thematic, reference="Recommendation 8", text="Identify repeat callers."
    )

    sign_in(page, server_url, "alice")
    page.get_by_role("link", name="Actions", exact=True).click()  # in the menu
    expect(page.get_by_role("heading", level=1)).to_contain_text("actions")
    assert_accessible(page)
    page.get_by_role("link", name="Add an action").click()
    page.get_by_label("Title").fill("Improve call handling")
    fill_date(page, "Start date", dt.date(2026, 10, 1))
    fill_date(page, "Target date", dt.date(2027, 3, 31))
    page.get_by_label("In progress").check()
    page.get_by_label("Percent complete").fill("10")
    page.get_by_role("button", name="Save action").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Improve call handling")
    assert_accessible(page)

    picker = page.locator("#finding-picker")
    for query, ref, title in (
        ("999", "Recommendation 1", "PEEL 2025: call handling"),
        ("repeat callers", "Recommendation 8", "Vulnerability thematic"),
    ):
        picker.get_by_label("Find a finding to link").fill(query)
        link = picker.get_by_role("button", name=f"Link {ref} of {title}")
        expect(link).to_be_visible()
        link.click()
        expect(page.locator("#linked-findings")).to_contain_text(ref)
    expect(page.locator("#linked-findings li")).to_have_count(2)

    page.get_by_label("What has changed").fill("Twelve call handlers recruited.")
    page.get_by_label("Percent complete now").fill("40")
    page.get_by_role("button", name="Add update").click()
    expect(page.locator("#timeline")).to_contain_text("Twelve call handlers recruited.")
    expect(page.locator("#facts")).to_contain_text("40%")

    evidence = tmp_path / "call-answering-audit.pdf"
    evidence.write_bytes(PDF)
    page.get_by_label("Upload a file").set_input_files(str(evidence))
    page.get_by_role("button", name="Upload file").click()
    expect(page.locator("#evidence")).to_contain_text("call-answering-audit.pdf")
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name="call-answering-audit.pdf").click()
    assert Path(download.value.path()).read_bytes() == PDF

    action = AssuranceAction.objects.get()
    assert action.percent_complete == 40
    assert {f.reference for f in action.findings.all()} == {"Recommendation 1", "Recommendation 8"}
    assert action.updates.count() == 1
    assert action.evidence.count() == 1

    # Both sides show the link.
    page.goto(f"{server_url}/reports/{peel.pk}/")
    expect(page.locator("#findings")).to_contain_text("Improve call handling")
