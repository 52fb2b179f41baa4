"""Ada, an administrator, puts the body's letterhead right (a file that is not a PNG
first, then the logo and the office address); Pat builds the board pack for the next
accountability board from the meeting's page, watches the real task queue produce it,
finds it kept on the meeting's page, and the PDF carries the letterhead. Axe checks each
page."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.utils import timezone
from PIL import Image
from playwright.sync_api import Page, expect
from pypdf import PdfReader

from inspections.models import BoardPack, Forum, Meeting, PackStatus
from tests.factories import ActionFactory

from .conftest import assert_accessible, sign_in
from .test_board_pack import run_the_queue


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT)


def test_ada_sets_the_letterhead_and_pat_builds_the_pack_for_the_board(
    page: Page, server_url, ada, pat, media, tmp_path
):
    today = timezone.localdate()
    board = Meeting.objects.create(
        body=pat.body,
        name="Accountability board, winter",
        kind=Forum.ACCOUNTABILITY_BOARD,
        held_on=today + dt.timedelta(days=14),
    )
    for n in range(12):
        ActionFactory.create(
            body=pat.body, title=f"Custody audit {n}", target_on=today + dt.timedelta(days=n)
        )
    logo, fake = tmp_path / "logo.png", tmp_path / "logo-not.png"
    Image.new("RGB", (300, 100), "#1d70b8").save(logo)
    fake.write_text("not a picture at all")

    sign_in(page, server_url, "ada")
    page.goto(f"{server_url}/settings/")
    expect(page.get_by_role("heading", name="Letterhead")).to_be_visible()
    assert_accessible(page, "the settings page")
    page.get_by_label("Logo").set_input_files(fake)
    page.get_by_label("Office address").fill("St George's Chambers\nWinchester SO23 8AJ")
    page.get_by_role("button", name="Save letterhead").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The file is not a PNG image.")
    expect(page.get_by_label("Office address")).to_have_value(
        "St George's Chambers\nWinchester SO23 8AJ"
    )
    assert_accessible(page, "the letterhead form with an error")
    summary.get_by_role("link").first.click()
    expect(page.get_by_label("Logo")).to_be_focused()
    page.get_by_label("Logo").set_input_files(logo)
    page.get_by_role("button", name="Save letterhead").click()
    expect(page.get_by_text("Letterhead saved.")).to_be_visible()
    preview = page.get_by_role("img", name=re.compile("^Logo of "))
    expect(preview).to_be_visible()
    assert (
        page.evaluate("document.querySelector('img[alt^=\"Logo of\"]').naturalWidth") == 300
    )  # served, and a real image
    assert_accessible(page, "the settings page with a logo")
    page.get_by_role("button", name="Sign out").click()

    sign_in(page, server_url, "pat")
    page.goto(f"{server_url}/meetings/")
    page.get_by_role("link", name="Accountability board, winter").click()
    page.get_by_role("button", name="Build the board pack for this meeting").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack")
    status = page.locator("#pack-status")
    expect(status).to_contain_text("waiting for the background worker")
    expect(page.get_by_text("For the meeting")).to_be_visible()
    assert_accessible(page, "a queued pack for a meeting")

    worker = run_the_queue()
    expect(page.get_by_role("heading", name="Your board pack is ready")).to_be_visible(
        timeout=60_000
    )
    worker.join(timeout=30)
    expect(status).to_contain_text("It is kept with the meeting")
    assert_accessible(page, "a finished pack for a meeting")
    pack = BoardPack.objects.get()
    assert pack.status == PackStatus.DONE
    assert pack.meeting == board
    assert pack.expires_at is None

    page.get_by_role("link", name="Accountability board, winter").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Accountability board, winter")
    packs = page.get_by_role("heading", name="Board packs for this meeting")
    expect(packs).to_be_visible()
    expect(page.get_by_text("Ready")).to_be_visible()
    assert_accessible(page, "the meeting page with its pack")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("^Download")).click()
    reader = PdfReader(io.BytesIO(Path(download.value.path()).read_bytes()))
    first = reader.pages[0].extract_text()
    assert "Winchester SO23 8AJ" in first
    assert "For the meeting" in first
    text = " ".join(sheet.extract_text() for sheet in reader.pages)
    assert "All 12 open actions" in text
    page.goto("about:blank")
