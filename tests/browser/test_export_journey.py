"""Ana filters the actions list and downloads it as CSV and XLSX; then she makes an API
token on her account page, sees it once, and a feed opens with it."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path

from django.test import Client
from openpyxl import load_workbook
from playwright.sync_api import Page, expect

from inspections.models import ActionStatus, ApiToken, AuditEvent, AuditKind
from tests.factories import ActionFactory

from .conftest import assert_accessible, sign_in


def test_ana_downloads_a_filtered_list_and_makes_a_token(page: Page, server_url, ana, alice):
    ActionFactory.create(
        body=alice.body,
        title="Review vetting of all officers",
        owner=alice.user,
        status=ActionStatus.IN_PROGRESS,
        percent_complete=40,
        start_on=dt.date(2026, 1, 5),
        target_on=dt.date(2026, 6, 30),
    )
    ActionFactory.create(
        body=alice.body, title="Audit seized cash", status=ActionStatus.NOT_STARTED
    )
    ActionFactory.create(
        body=alice.body, title="Check call handling", status=ActionStatus.IN_PROGRESS
    )

    sign_in(page, server_url, "ana")
    page.goto(f"{server_url}/actions/")
    page.get_by_label("Status").select_option(label="In progress")
    expect(page.get_by_role("status")).to_have_text("2 actions")  # updated in place
    page.get_by_label("Sort by").select_option(label="Title")
    expect(page).to_have_url(re.compile(r"status=in_progress.*sort=title|sort=title.*status=in"))
    expect(page.locator("#results tbody tr").first).to_contain_text("Check call handling")
    shown = page.locator("#results tbody tr td:first-child").all_inner_texts()
    assert shown == ["Check call handling", "Review vetting of all officers"]
    assert_accessible(page, "the filtered actions list with its download links")

    with page.expect_download() as csv_download:
        page.get_by_role("link", name="Download CSV of these actions").click()
    assert re.fullmatch(r"actions-\d{4}-\d{2}-\d{2}\.csv", csv_download.value.suggested_filename)
    text = Path(csv_download.value.path()).read_bytes().decode("utf-8-sig")
    marking, header, *rows = list(csv.reader(io.StringIO(text)))
    assert marking == ["Protective marking: OFFICIAL"]
    assert header[:3] == ["Action ID", "Title", "Description"]
    assert [row[1] for row in rows] == shown
    assert {row[header.index("Status")] for row in rows} == {"In progress"}

    with page.expect_download() as xlsx_download:
        page.get_by_role("link", name="Download XLSX of these actions").click()
    assert xlsx_download.value.suggested_filename.endswith(".xlsx")
    book = load_workbook(io.BytesIO(Path(xlsx_download.value.path()).read_bytes()))
    cells = list(book.active.iter_rows(values_only=True))
    assert cells[0][0] == "Protective marking: OFFICIAL"
    assert [row[1] for row in cells[2:]] == shown
    vetting = cells[3]
    assert vetting[5] == dt.datetime.fromisoformat("2026-01-05")  # a date cell
    assert vetting[cells[1].index("Percent complete")] == 40  # a number
    exports = AuditEvent.objects.filter(kind=AuditKind.EXPORTED, user=ana.user)
    assert exports.count() == 2

    # A token, on the account page
    page.goto(f"{server_url}/account/")
    page.get_by_role("link", name=re.compile("tokens for Power BI")).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("API tokens")
    assert_accessible(page, "the tokens page")
    page.get_by_role("button", name="Make a token").click()  # no name yet
    expect(page.get_by_role("alert")).to_contain_text("Enter a name for the token")
    assert_accessible(page, "the tokens page with an error")
    page.get_by_label("Name").fill("Power BI board dashboard")
    page.get_by_role("button", name="Make a token").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Token made")
    secret = page.get_by_label("Your new token").input_value()
    assert secret.startswith("pcc_")
    page.screenshot(path="/tmp/tokens-page.png", full_page=True)
    assert_accessible(page, "the tokens page showing a new token")
    token = ApiToken.objects.get(user=ana.user)
    assert token.hint == secret[-4:]

    page.goto(f"{server_url}/account/tokens/")  # shown once: never again
    expect(page.get_by_label("Your new token")).to_have_count(0)
    assert secret not in page.content()
    expect(page.get_by_role("table")).to_contain_text("Power BI board dashboard")

    # The token opens the feed without a session, with the same filters.
    feed = Client().get(
        "/feeds/actions.csv",
        {"status": "in_progress", "sort": "title"},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    fed = b"".join(feed).decode("utf-8-sig")  # streamed
    assert [row[1] for row in list(csv.reader(io.StringIO(fed)))[2:]] == shown

    page.get_by_role("button", name="Revoke Power BI board dashboard").click()
    expect(page.get_by_role("alert")).to_contain_text("revoked")
    assert_accessible(page, "the tokens page after revoking")
    refused = Client().get("/feeds/actions.csv", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401
