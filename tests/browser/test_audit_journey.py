"""An administrator reads the sign-in log, filters it and downloads the CSV."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

from playwright.sync_api import Page, expect

from inspections.models import AuditEvent, AuditKind
from inspections.two_factor import totp_code
from tests.conftest import ADA_TOTP_SECRET
from tests.factories import PASSWORD

from .conftest import assert_accessible


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base_url}/sign-in/")
    page.locator("input[name=login], input[name=username]").fill(username)
    page.get_by_role("textbox", name="Password").fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()


def sign_in_with_code(page: Page, base_url: str, username: str, secret: str) -> None:
    """The password, then the authenticator app's code if the sign-in asks for one."""
    sign_in(page, base_url, username)
    code = page.locator("input[name=code]")
    if code.count():
        code.fill(totp_code(secret))
        code.press("Enter")
    expect(page.locator("input[name=code]")).to_have_count(0)


def test_ada_filters_the_sign_in_log_and_downloads_it(page: Page, server_url, ada, alice):
    sign_in(page, server_url, "alice", "not-alices-password")  # a failed sign-in
    sign_in_with_code(page, server_url, "ada", ADA_TOTP_SECRET)
    assert AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_FAILED, username="alice").exists()

    page.goto(f"{server_url}/people/sign-in-log/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign-in log")
    table = page.get_by_role("table")
    expect(table).to_contain_text("Sign-in failed")
    expect(table).to_contain_text("Signed in")
    expect(table).to_contain_text("UTC")
    assert_accessible(page)

    page.get_by_label("What").select_option(label="Sign-in failed")
    expect(page.get_by_role("status")).to_have_text("1 entry")  # updated in place
    expect(table.locator("tbody tr")).to_have_count(1)
    expect(table).to_contain_text("Wrong username or password")
    expect(page).to_have_url(re.compile(r"kind=sign_in_failed"))
    page.screenshot(path="/tmp/audit-log.png", full_page=True)
    assert_accessible(page)

    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download CSV")).click()
    assert download.value.suggested_filename.startswith("sign-in-log-")
    text = Path(download.value.path()).read_bytes().decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["When (UTC)", "Username", "Name", "What"]
    assert [(row[1], row[3]) for row in rows[1:]] == [("alice", "Sign-in failed")]
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", rows[1][0])
    assert AuditEvent.objects.filter(kind=AuditKind.EXPORTED, user=ada.user).exists()
