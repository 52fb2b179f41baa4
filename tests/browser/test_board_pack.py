"""Ana asks for a board pack from the dashboard, watches it being produced by the real
task queue (django-tasks-db), and downloads it without reloading the page."""

from __future__ import annotations

import datetime as dt
import io
import threading
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connections
from django_tasks_db.management.commands.db_worker import Worker
from playwright.sync_api import Page, expect

from inspections.demo import DEMO_PASSWORD
from inspections.models import BoardPack, PackStatus

from .conftest import assert_accessible, sign_in
from .dates import fill_date


@pytest.fixture
def demo(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    call_command("load_demo", stdout=io.StringIO())
    return Path(settings.MEDIA_ROOT)


def run_the_queue() -> threading.Thread:
    """`manage.py db_worker --batch` in a thread: runs what is queued, then stops. The
    command itself installs signal handlers, which only the main thread may do, so the
    thread runs the command's worker directly."""

    def work() -> None:
        try:
            Worker(
                queue_names=["default"],
                interval=0.1,
                batch=True,
                backend_name="default",
                startup_delay=False,
                max_tasks=None,
                worker_id="browser-test",
                excluded_queue_names=[],
            ).run()
        finally:
            connections.close_all()

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    return thread


def test_ana_requests_a_board_pack_watches_its_progress_and_downloads_it(
    page: Page, server_url, demo
):
    sign_in(page, server_url, "ana", DEMO_PASSWORD)
    page.goto(f"{server_url}/dashboard/?type=joint")
    page.get_by_role("link", name="Board pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board packs")
    expect(page.get_by_label("Report type")).to_have_value("joint")
    assert_accessible(page, "board packs")

    fill_date(page, "Changed since", dt.date(2026, 1, 1))
    page.get_by_role("button", name="Produce a board pack").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Board pack")
    status = page.locator("#pack-status")
    expect(status).to_contain_text("Queued")
    expect(status).to_contain_text("0% – waiting for the background worker")
    expect(page.get_by_label("Progress")).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Refresh")).to_be_visible()
    assert_accessible(page, "a queued board pack")
    pack = BoardPack.objects.get()
    assert pack.status == PackStatus.QUEUED
    assert pack.filters == {"type": "joint"}

    # A marker that a reload would wipe: the page must update itself in place.
    page.evaluate("window.stillTheSamePage = true")
    worker = run_the_queue()
    download_link = page.get_by_role("link", name="Download the board pack")
    expect(download_link).to_be_visible(timeout=30_000)
    worker.join(timeout=30)
    assert not worker.is_alive()
    assert page.evaluate("window.stillTheSamePage") is True
    expect(page.get_by_role("heading", name="Your board pack is ready")).to_be_visible()
    assert_accessible(page, "a finished board pack")

    with page.expect_download() as download:
        download_link.click()
    assert download.value.suggested_filename.startswith("board-pack-")
    assert download.value.suggested_filename.endswith(".pdf")
    pdf = Path(download.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF-")
    pack.refresh_from_db()
    assert pack.status == PackStatus.DONE
    assert pdf == Path(pack.file.path).read_bytes()
    assert Path(pack.file.path).is_relative_to(demo / "packs" / str(pack.body_id))

    page.get_by_role("link", name="Board packs").click()
    expect(page.get_by_role("table")).to_contain_text("Ready")
    assert_accessible(page, "board packs with one ready")
    page.goto("about:blank")  # stop any polling before the live server's test ends
