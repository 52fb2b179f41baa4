"""Importing an existing tracker (CSV or XLSX): the header row found below whatever is
above it, its encoding, the mapping of columns remembered, every row checked by row and
column in a dry run, then all rows or only the valid ones imported in one transaction;
importing again updates rather than duplicates."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.forms.imports_tracker import check_tracker
from inspections.imports.files import OLE_SIGNATURE
from inspections.imports.trackers import Outcome, read_tracker, suggest_mapping
from inspections.models import (
    ActionStatus,
    AssuranceAction,
    AuditEvent,
    AuditKind,
    Finding,
    ImportKind,
    ImportMapping,
    ImportUpload,
    Membership,
    ProgressUpdate,
    Role,
    TargetChange,
)
from inspections.services import actions as action_services
from inspections.services import imports_tracker as services
from inspections.services.idempotency import KEY_FIELD

from .conftest import signed_in
from .factories import ActionFactory, FindingFactory, MembershipFactory, ReportFactory, UserFactory

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).parent / "fixtures" / "imports"
OPCC_CSV = FIXTURES / "tracker-opcc-windows-1252.csv"
UPLOAD_URL = reverse("import_tracker")
TODAY = timezone.localdate()
KEY = "8d9a4c3e-1f2b-4a5c-9d8e-7f6a5b4c3d2e"
OTHER_KEY = "1b2c3d4e-5f6a-4b7c-8d9e-0f1a2b3c4d5e"

# Our own action export's header row (names.md): it maps without a choice being made.
EXPORT_HEADERS = [
    "Action ID",
    "Title",
    "Description",
    "Owner",
    "Force lead",
    "Start date",
    "Target date",
    "Original target date",
    "Times the target moved later",
    "Days slipped",
    "Status",
    "Percent complete",
    "RAG",
    "Assurance level",
    "Evidence of assurance",
    "Forum",
    "Completed on",
    "Report",
    "Report reference",
    "Finding references",
    "Response",
    "Last update",
    "Last update on",
]


# --- Helpers ------------------------------------------------------------------------------


def csv_bytes(
    rows: Sequence[Sequence[object]], *, encoding: str = "utf-8-sig", delimiter: str = ","
) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue().encode(encoding)


def xlsx_bytes(build: Callable[[openpyxl.Workbook], None]) -> bytes:
    workbook = openpyxl.Workbook()
    build(workbook)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(client: Client, content: bytes, name: str = "tracker.csv") -> Any:
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, content)})


def uploaded(client: Client, content: bytes, name: str = "tracker.csv") -> ImportUpload:
    response = upload(client, content, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    found = re.search(r"/imports/tracker/(\d+)/map/", response["Location"])
    assert found is not None
    return ImportUpload.objects.get(pk=int(found[1]))


def map_url(upload_: ImportUpload) -> str:
    return reverse("import_tracker_map", args=[upload_.pk])


def check_url(upload_: ImportUpload, **params: str) -> str:
    url = reverse("import_tracker_check", args=[upload_.pk])
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return f"{url}?{query}" if query else url


def confirm(
    client: Client, upload_: ImportUpload, rows: str = "valid", key: str = KEY, **extra: str
) -> Any:
    data = {"rows": rows, KEY_FIELD: key, "sheet": "", **extra}
    return client.post(reverse("import_tracker_check", args=[upload_.pk]), data)


def plan_of(response: Any) -> Any:
    return response.context["plan"]


def row(plan: Any, number: int) -> Any:
    return next(r for r in plan.rows if r.number == number)


def problems(plan: Any, number: int) -> list[tuple[str, str]]:
    return [(p.column, p.message) for p in row(plan, number).problems]


def text_of(response: Any) -> str:
    return re.sub(r"\s+", " ", response.content.decode())


@pytest.fixture
def findings(alice: Membership) -> dict[str, Finding]:
    """The report the OPCC tracker's rows serve, with the findings it names."""
    report = ReportFactory.create(
        body=alice.body, title="Vetting and counter-corruption", reference="HMICFRS-2025-04"
    )
    return {
        ref: FindingFactory.create(report=report, reference=ref, text=f"{ref} text.")
        for ref in ("Recommendation 1", "Recommendation 2", "AFI 3")
    }


@pytest.fixture
def opcc(alice: Membership, cora: Membership, findings: dict[str, Finding]) -> bytes:
    return OPCC_CSV.read_bytes()


def clean_tracker(*rows: Sequence[object]) -> bytes:
    header = ["Title", "Owner", "Start date", "Target date", "Status", "% complete"]
    return csv_bytes([header, *rows])


# --- Reading: header, encodings, delimiters -------------------------------------------------


def test_the_header_row_is_found_below_a_title_a_marking_line_and_a_blank_row():
    tracker = read_tracker("tracker.csv", OPCC_CSV.read_bytes(), "csv")
    assert tracker.header_row == 4
    assert tracker.headers[:4] == ("Rec ref", "Recommendation", "Action", "Action owner")
    # Rows are numbered as Excel numbers them: a cell with a line break is still one row.
    assert [r.number for r in tracker.rows] == list(range(5, 15))


def test_windows_1252_text_is_read_exactly():
    tracker = read_tracker("tracker.csv", OPCC_CSV.read_bytes(), "csv")
    first, second = tracker.rows[0], tracker.rows[1]
    assert first.cells[2] == "Fund two additional vetting officers (£85,000) to clear the backlog"
    assert first.cells[9] == (
        "Two officers recruited.\n£85,000 agreed by the Chief’s “resources board”."
    )
    assert second.cells[2] == "Publish the force’s “stop and search” scrutiny panel minutes"


@pytest.mark.parametrize("delimiter", [",", ";", "\t"], ids=["comma", "semicolon", "tab"])
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252"])
def test_each_delimiter_and_encoding_is_read(delimiter, encoding):
    content = csv_bytes(
        [
            ["OPCC tracker, 2026"],
            ["Title", "Owner", "Due date", "Status"],
            ["Budget of £85,000; “agreed”", "alice", "31/03/2027", "In progress"],
        ],
        encoding=encoding,
        delimiter=delimiter,
    )
    tracker = read_tracker("tracker.csv", content, "csv")
    assert tracker.headers == ("Title", "Owner", "Due date", "Status")
    assert tracker.rows[0].cells[0] == "Budget of £85,000; “agreed”"


def test_excels_sep_line_is_not_a_row():
    tracker = read_tracker("t.csv", b"sep=;\r\nTitle;Owner;Status\r\nA;alice;Open\r\n", "csv")
    assert (tracker.header_row, tracker.rows[0].number) == (1, 2)


def test_headers_are_suggested_fields_by_their_usual_names():
    mapping = suggest_mapping(
        [
            "Rec ref",
            "Recommendation",
            "Action",
            "Action owner",
            "Deadline",
            "RAG",
            "% complete",
            "Status",
            "Target date (dd/mm/yyyy)",
            "Notes",
        ]
    )
    assert mapping == {
        "Rec ref": "finding_references",
        "Recommendation": "finding_text",
        "Action": "title",
        "Action owner": "owner",
        "Deadline": "target_on",
        "RAG": "",  # worked out by the app, never imported
        "% complete": "percent_complete",
        "Status": "status",
        "Target date (dd/mm/yyyy)": "",  # the target date is taken already, by Deadline
        "Notes": "",
    }
    assert suggest_mapping(["Progress", "Due date"]) == {
        "Progress": "percent_complete",
        "Due date": "target_on",
    }


def test_our_own_export_headers_map_every_importable_field():
    mapping = suggest_mapping(EXPORT_HEADERS)
    not_imported = {"RAG", "Response", "Last update on"}
    # Slippage is worked out from the target date's changes, never imported.
    not_imported |= {"Original target date", "Times the target moved later", "Days slipped"}
    assert {h for h, key in mapping.items() if not key} == not_imported
    assert len({key for key in mapping.values() if key}) == len(EXPORT_HEADERS) - 6


# --- Uploading ------------------------------------------------------------------------------


def test_the_upload_page_says_what_it_reads(alice_client):
    response = alice_client.get(UPLOAD_URL)
    assert response.status_code == 200
    assert "CSV or Excel (.xlsx) file" in response.content.decode()


def test_an_upload_is_kept_for_its_uploader_and_leads_to_the_mapping(alice, alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    assert (kept.body, kept.user, kept.kind) == (alice.body, alice.user, ImportKind.TRACKER)
    assert bytes(kept.content) == opcc
    assert AssuranceAction.objects.count() == 0


def bad_inputs() -> list[tuple[str, bytes, str]]:
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    broken_xlsx = io.BytesIO()
    with zipfile.ZipFile(broken_xlsx, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/workbook.xml", "this is not XML <<<")
    return [
        ("tracker.pdf", b"%PDF-1.7\n", "tracker.pdf is not a file this import reads."),
        ("tracker.csv", b"", "The file tracker.csv is empty."),
        ("tracker.xlsx", broken_xlsx.getvalue(), "tracker.xlsx could not be read as an Excel"),
        (
            "tracker.xlsx",
            # A password-protected workbook is an OLE compound file; making a real one needs
            # msoffcrypto, which we do not have: the signature and padding are what is read.
            OLE_SIGNATURE + b"\x00" * 1024,
            "tracker.xlsx is password-protected or in an old Office format.",
        ),
        (
            "tracker.xlsx",
            docx.getvalue(),
            "tracker.xlsx is a Word document (.docx) renamed, not an Excel workbook (.xlsx).",
        ),
        (
            "tracker.csv",
            "Title,Owner,Status\nReview,alice,Open\n".encode("utf-16-le"),
            "The file is not in an encoding this import reads",
        ),
        (
            "tracker.csv",
            "件名,担当者,状態\n警察の見直し,山田太郎,完了\n".encode("shift_jis"),
            "The file is not in an encoding this import reads",
        ),
        (
            "tracker.csv",
            b"Our tracker\nSome notes about it\n1,2,3\n4,5,6\n",
            "We could not find the header row in tracker.csv",
        ),
        (
            "tracker.csv",
            b"Colour,Shape,Size\nred,square,big\n",
            "We could not find the header row in tracker.csv",
        ),
    ]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    bad_inputs(),
    ids=[
        "wrong type",
        "empty",
        "malformed xlsx",
        "password-protected xlsx",
        "docx renamed xlsx",
        "utf-16 without bom",
        "shift-jis",
        "no header",
        "unknown columns only",
    ],
)
def test_bad_input_is_refused_with_a_clear_message_and_nothing_saved(
    alice_client, name, content, message
):
    response = upload(alice_client, content, name)
    assert response.status_code == 422
    assert message in text_of(response)
    assert 'class="govuk-error-summary"' in response.content.decode()
    assert ImportUpload.objects.count() == 0
    assert AssuranceAction.objects.count() == 0


def test_an_oversized_file_is_refused(alice_client, settings):
    settings.IMPORT_MAX_BYTES = 1024
    response = upload(alice_client, clean_tracker(["x" * 2000, "", "", "", "", ""]))
    assert response.status_code == 422
    assert "is larger than 1.0\xa0KB" in response.content.decode()
    assert ImportUpload.objects.count() == 0


def test_a_file_of_more_rows_than_a_tracker_has_is_refused(alice_client):
    rows = [[f"Action {n}", "alice", "", "31/12/2027", "In progress", "10"] for n in range(5001)]
    response = upload(alice_client, clean_tracker(*rows))
    assert response.status_code == 422
    assert "tracker.csv has more than 5,000 rows. Split it into smaller files." in (
        response.content.decode()
    )
    assert ImportUpload.objects.count() == 0


def test_no_file_chosen_is_refused(alice_client):
    response = alice_client.post(UPLOAD_URL, {})
    assert response.status_code == 422
    assert "Choose a CSV or Excel file to upload." in response.content.decode()


def test_a_workbook_with_a_title_row_and_real_date_cells_is_read(alice, alice_client):
    def build(workbook: openpyxl.Workbook) -> None:
        sheet = workbook.active
        sheet.append(["Protective marking: OFFICIAL"])
        sheet.append(["PCC assurance tracker 2026/27"])
        sheet.append([])
        sheet.append(["Action", "Action owner", "Start date", "Due date", "Status", "Progress"])
        sheet.append(
            [
                "Fund the £85,000 “vetting” uplift",
                "alice",
                dt.date(2026, 1, 5),
                dt.datetime(2027, 3, 31),  # noqa: DTZ001 - Excel's date cells have no zone
                "In progress",
                0.4,
            ]
        )
        sheet["F5"].number_format = "0%"
        sheet.append(
            [
                "Audit the custody records",
                "alice",
                dt.date(2026, 2, 1),
                "31/02/2027",
                "In progress",
                10,
            ]
        )

    kept = uploaded(alice_client, xlsx_bytes(build), "tracker.xlsx")
    response = alice_client.get(check_url(kept))
    plan = plan_of(response)
    assert row(plan, 5).outcome == Outcome.CREATE
    assert row(plan, 5).values["target_on"] == dt.date(2027, 3, 31)
    assert row(plan, 5).values["percent_complete"] == 40
    assert problems(plan, 6) == [
        ("Due date", "31/02/2027 is not a real date: check the day and the month.")
    ]
    assert confirm(alice_client, kept).status_code == 302
    action = AssuranceAction.objects.get()
    assert action.title == "Fund the £85,000 “vetting” uplift"
    assert (action.start_on, action.percent_complete) == (dt.date(2026, 1, 5), 40)


def test_the_worksheet_with_the_tracker_is_read_or_the_one_chosen(alice_client, alice):
    def build(workbook: openpyxl.Workbook) -> None:
        workbook.active.title = "Cover"
        workbook.active.append(["This workbook tracks our actions."])
        for name, title in (("Actions", "Review vetting"), ("Archive", "Old action")):
            sheet = workbook.create_sheet(name)
            sheet.append(["Title", "Target date", "Status"])
            sheet.append([title, dt.date(2027, 1, 1), "In progress"])

    kept = uploaded(alice_client, xlsx_bytes(build), "tracker.xlsx")
    response = alice_client.get(map_url(kept))
    assert response.context["tracker"].sheet == "Actions"
    assert "Worksheet" in response.content.decode()
    response = alice_client.get(map_url(kept) + "?sheet=Archive")
    assert response.context["tracker"].sheet == "Archive"
    plan = plan_of(alice_client.get(check_url(kept, sheet="Archive")))
    assert row(plan, 2).title == "Old action"
    assert confirm(alice_client, kept, sheet="Archive").status_code == 302
    assert list(AssuranceAction.objects.values_list("title", flat=True)) == ["Old action"]


# --- Mapping --------------------------------------------------------------------------------


def mapping_data(form: Any, **changes: str) -> dict[str, str]:
    data = {name: (form[name].value() or "") for name in form.fields if name.startswith("column_")}
    for header, key in changes.items():
        column = next(c for c in form.tracker.columns if c.header == header)
        data[f"column_{column.index}"] = key
    return data


def test_the_mapping_page_offers_a_choice_for_each_column(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    response = alice_client.get(map_url(kept))
    assert response.status_code == 200
    form = response.context["form"]
    assert form["column_2"].value() == "title"  # "Action"
    assert form["column_10"].value() == ""  # "Board notes": not ours
    page = response.content.decode()
    assert "Board notes" in page
    assert "Column K. For example: Accountability board, May; Raised at panel" in page


def test_a_mapping_is_remembered_for_the_next_file_with_the_same_header_row(
    alice, alice_client, opcc, olly, olly_client
):
    kept = uploaded(alice_client, opcc)
    form = alice_client.get(map_url(kept)).context["form"]
    data = mapping_data(form, **{"Board notes": "description", "Progress update": ""})
    response = alice_client.post(map_url(kept), data)
    assert response.status_code == 302
    assert response["Location"] == check_url(kept)
    remembered = ImportMapping.objects.get(body=alice.body)
    assert remembered.mapping["Board notes"] == "description"

    again = uploaded(alice_client, opcc)
    response = alice_client.get(map_url(again))
    form = response.context["form"]
    assert form["column_10"].value() == "description"
    assert form["column_9"].value() == ""
    assert "These are the choices made for a file with the same columns" in text_of(response)
    plan = plan_of(alice_client.get(check_url(again)))
    assert row(plan, 5).values["description"] == "Accountability board, May"

    # Another body's import of the same layout starts from the suggestions.
    theirs = uploaded(olly_client, opcc)
    assert olly_client.get(map_url(theirs)).context["form"]["column_10"].value() == ""


def test_a_mapping_without_a_title_or_action_id_is_refused(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    form = alice_client.get(map_url(kept)).context["form"]
    response = alice_client.post(map_url(kept), mapping_data(form, Action=""))
    assert response.status_code == 422
    assert "Choose the column that holds each action’s title" in response.content.decode()
    assert not ImportMapping.objects.exists()


def test_a_field_chosen_for_two_columns_is_refused(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    form = alice_client.get(map_url(kept)).context["form"]
    response = alice_client.post(map_url(kept), mapping_data(form, **{"Board notes": "title"}))
    assert response.status_code == 422
    assert "Title is already the column “Action”. Choose one column for it." in (
        response.content.decode()
    )


def test_the_owner_option_chosen_on_the_mapping_page_carries_to_the_check(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    form = alice_client.get(map_url(kept)).context["form"]
    response = alice_client.post(map_url(kept), mapping_data(form) | {"unassigned": "on"})
    assert response["Location"] == check_url(kept, unassigned="1")


# --- The dry run: every problem by row and column -------------------------------------------


def test_each_problem_is_shown_by_row_and_column(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    response = alice_client.get(check_url(kept))
    assert response.status_code == 200
    plan = plan_of(response)
    assert [r.number for r in plan.rows if r.outcome == Outcome.CREATE] == [5, 6, 7]
    assert problems(plan, 8) == [
        ("Due date", "31/02/2026 is not a real date: check the day and the month.")
    ]
    assert problems(plan, 9) == [
        (
            "Status",
            "“Parked” is not a status we know. Use one of: Not started, In progress, "
            "Pending sign-off, Complete, Not adopted.",
        )
    ]
    assert problems(plan, 10) == [
        ("% complete", "120% is not possible: percent complete is from 0 to 100.")
    ]
    assert problems(plan, 11) == [("Due date", "The target date cannot be before the start date.")]
    assert problems(plan, 12) == [
        (
            "Action owner",
            "“Jo Bloggs” is not one of our action owners (the body’s editors and force "
            "contributors). Invite them first, or choose to import such rows as awaiting "
            "allocation.",
        )
    ]
    assert problems(plan, 13) == [
        (
            "% complete",
            "The status is Complete but percent complete is 50%. Complete means 100%: enter "
            "100, or choose another status.",
        )
    ]
    assert problems(plan, 14) == [
        ("% complete", "“about half” is not a percentage. Enter a whole number from 0 to 100.")
    ]
    # A finding the body does not have is reported, and the action still imported.
    assert [(n.column, n.message) for n in row(plan, 7).notes] == [
        ("Rec ref", "Finding not found: Recommendation 9.")
    ]
    page = text_of(response)
    assert "7 problems in the file" in page
    assert 'href="#row-8">Row 8, Due date: 31/02/2026 is not a real date' in page
    assert "We do not know these columns, so they are not imported: Board notes." in page
    assert "These columns are not imported: RAG." in page
    assert "Import the 3 valid rows" in page
    assert "Import all" not in page


def test_a_date_outside_the_window_is_refused_by_the_action_forms_rule(alice, alice_client):
    kept = uploaded(
        alice_client,
        clean_tracker(["Review", "alice", "01/01/1989", "31/12/2026", "In progress", "10"]),
    )
    plan = plan_of(alice_client.get(check_url(kept)))
    [(column, message)] = problems(plan, 2)
    assert column == "Start date"
    assert message.startswith("The start date must be between 1 January 1990 and ")


def test_nothing_changes_until_the_import_is_confirmed(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    alice_client.get(map_url(kept))
    alice_client.get(check_url(kept))
    alice_client.get(check_url(kept, unassigned="1"))
    assert AssuranceAction.objects.count() == 0
    assert ProgressUpdate.objects.count() == 0
    assert not AuditEvent.objects.filter(kind=AuditKind.IMPORTED).exists()


# --- Importing ------------------------------------------------------------------------------


def test_import_all_is_refused_while_rows_have_problems(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    response = confirm(alice_client, kept, rows="all")
    assert response.status_code == 422
    assert "Some rows have problems, so not every row can be imported." in text_of(response)
    assert AssuranceAction.objects.count() == 0
    assert ImportUpload.objects.filter(pk=kept.pk).exists()


def test_only_the_valid_rows_are_imported_in_one_go(alice, cora, alice_client, opcc, findings):
    kept = uploaded(alice_client, opcc)
    response = confirm(alice_client, kept)
    assert response.status_code == 302
    assert response["Location"] == reverse("action_list")
    message = "Imported tracker.csv: 3 added, 0 updated, 0 unchanged, 7 not imported."
    assert message in text_of(alice_client.get(response["Location"]))

    vetting, panel, audits = AssuranceAction.objects.order_by("pk")
    assert vetting.title == "Fund two additional vetting officers (£85,000) to clear the backlog"
    assert panel.title == "Publish the force’s “stop and search” scrutiny panel minutes"
    assert (vetting.owner, panel.owner, audits.owner) == (alice.user, cora.user, alice.user)
    assert (vetting.start_on, vetting.target_on) == (dt.date(2025, 4, 1), dt.date(2026, 3, 31))
    assert panel.target_on == dt.date(2026, 9, 30)
    assert (vetting.status, vetting.percent_complete) == (ActionStatus.IN_PROGRESS, 60)
    assert list(vetting.findings.all()) == [findings["Recommendation 1"]]
    assert list(panel.findings.all()) == [findings["Recommendation 2"]]
    assert list(audits.findings.all()) == []  # Recommendation 9: not found
    assert [u.text for u in vetting.updates.order_by("pk")] == [
        "Two officers recruited.\n£85,000 agreed by the Chief’s “resources board”.",
        "Imported from tracker.csv.",
    ]
    assert all(u.author == alice.user for u in ProgressUpdate.objects.all())
    # Created, then its finding linked: versions as the action's own pages make them.
    assert vetting.history.count() == 2
    event = AuditEvent.objects.get(kind=AuditKind.IMPORTED)
    assert event.detail == "Tracker tracker.csv: 3 added, 0 updated, 0 unchanged, 7 not imported"
    assert (event.user, event.body) == (alice.user, alice.body)
    assert not ImportUpload.objects.exists()


def test_unknown_owners_may_be_imported_as_awaiting_allocation(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    page = text_of(alice_client.get(check_url(kept)))
    link = "Import the row whose owner is not one of our action owners as awaiting allocation"
    assert f'href="{check_url(kept, unassigned="1")}">{link}' in page
    response = alice_client.get(check_url(kept, unassigned="1"))
    plan = plan_of(response)
    assert row(plan, 12).outcome == Outcome.CREATE
    assert [n.message for n in row(plan, 12).notes] == [
        "“Jo Bloggs” is not one of our action owners: imported as awaiting allocation."
    ]
    assert confirm(alice_client, kept, unassigned="1").status_code == 302
    review = AssuranceAction.objects.get(title__startswith="Commission an independent review")
    assert review.owner is None


def test_every_row_valid_imports_all(alice, alice_client):
    content = clean_tracker(
        ["Review the vetting backlog", "alice", "01/04/2026", "31/03/2027", "In progress", "20"],
        ["Close the custody gaps", "", "", "30 June 2027", "Complete", ""],
    )
    kept = uploaded(alice_client, content)
    page = text_of(alice_client.get(check_url(kept)))
    assert "Import all 2 rows" in page
    plan = plan_of(alice_client.get(check_url(kept)))
    # A status without a percentage takes the one it means; no start date starts today.
    assert [n.message for n in row(plan, 3).notes] == [
        "Percent complete taken as 100%, as the status is Complete."
    ]
    assert confirm(alice_client, kept, rows="all").status_code == 302
    closed = AssuranceAction.objects.get(title="Close the custody gaps")
    assert (closed.start_on, closed.percent_complete, closed.owner) == (TODAY, 100, None)
    assert closed.completed_on == TODAY


def test_reimporting_the_same_tracker_updates_nothing_and_doubles_nothing(alice_client, opcc):
    assert confirm(alice_client, uploaded(alice_client, opcc)).status_code == 302
    counts = (AssuranceAction.objects.count(), ProgressUpdate.objects.count())
    versions = list(AssuranceAction.objects.values_list("version", flat=True))

    again = uploaded(alice_client, opcc)
    plan = plan_of(alice_client.get(check_url(again)))
    assert [r.outcome for r in plan.rows[:3]] == [Outcome.UNCHANGED] * 3
    response = confirm(alice_client, again, key=OTHER_KEY)
    message = "Imported tracker.csv: 0 added, 0 updated, 3 unchanged, 7 not imported."
    assert message in text_of(alice_client.get(response["Location"]))
    assert (AssuranceAction.objects.count(), ProgressUpdate.objects.count()) == counts
    assert list(AssuranceAction.objects.values_list("version", flat=True)) == versions


def test_a_changed_tracker_updates_its_actions_through_their_history(alice, alice_client, opcc):
    assert confirm(alice_client, uploaded(alice_client, opcc)).status_code == 302
    vetting = AssuranceAction.objects.get(title__startswith="Fund two")
    versions_before = vetting.history.count()
    changed = (
        OPCC_CSV.read_bytes()
        .replace(b'"In progress","60%"', b"Complete,100")
        .replace(b"In progress,60%", b"Complete,100")
        .replace(b"30 September 2026", b"31 October 2026")
    )
    assert changed != OPCC_CSV.read_bytes()
    again = uploaded(alice_client, changed, "tracker-june.csv")
    plan = plan_of(alice_client.get(check_url(again)))
    assert row(plan, 5).outcome == Outcome.UPDATE
    assert [(c.label, c.before, c.after) for c in row(plan, 5).changes] == [
        ("Status", "In progress", "Complete"),
        ("Percent complete", "60%", "100%"),
    ]
    assert row(plan, 6).outcome == Outcome.UPDATE
    assert row(plan, 7).outcome == Outcome.UNCHANGED
    assert confirm(alice_client, again, key=OTHER_KEY).status_code == 302

    vetting.refresh_from_db()
    assert (vetting.status, vetting.percent_complete) == (ActionStatus.COMPLETE, 100)
    assert vetting.completed_on == TODAY
    assert vetting.version == 2
    # The change is a version, as an edit on screen is.
    assert vetting.history.count() == versions_before + 1
    latest = vetting.updates.first()
    assert latest is not None
    assert (latest.text, latest.status, latest.percent_complete) == (
        "Imported from tracker-june.csv.",
        ActionStatus.COMPLETE,
        100,
    )
    panel = AssuranceAction.objects.get(title__startswith="Publish")
    assert panel.target_on == dt.date(2026, 10, 31)
    assert panel.updates.count() == 1  # a date changed, not the progress: no new update
    assert AssuranceAction.objects.count() == 3


def test_a_row_is_matched_by_its_action_id_before_its_title(alice, alice_client):
    action = ActionFactory.create(body=alice.body, title="Old title", percent_complete=10)
    content = csv_bytes(
        [
            ["Action ID", "Title", "Percent complete"],
            [action.pk, "New title for the action", "30"],
        ]
    )
    kept = uploaded(alice_client, content)
    assert confirm(alice_client, kept, rows="all").status_code == 302
    action.refresh_from_db()
    assert (action.title, action.percent_complete) == ("New title for the action", 30)
    assert AssuranceAction.objects.count() == 1


def test_another_bodys_action_id_is_refused_and_left_alone(alice_client, olly):
    theirs = ActionFactory.create(body=olly.body, title="Thames Valley action")
    content = csv_bytes([["Action ID", "Title", "Status"], [theirs.pk, "Taken over", "Complete"]])
    kept = uploaded(alice_client, content)
    plan = plan_of(alice_client.get(check_url(kept)))
    assert problems(plan, 2) == [
        (
            "Action ID",
            f"There is no action with the ID {theirs.pk}. Leave the Action ID empty to add "
            "this row as a new action.",
        )
    ]
    theirs.refresh_from_db()
    assert theirs.title == "Thames Valley action"


def test_two_rows_for_one_action_are_refused_naming_the_first(alice, alice_client):
    content = clean_tracker(
        ["Review vetting", "alice", "", "31/12/2027", "In progress", "10"],
        ["Review vetting", "alice", "", "31/12/2027", "In progress", "20"],
    )
    plan = plan_of(alice_client.get(check_url(uploaded(alice_client, content))))
    assert problems(plan, 3)[0][1].startswith("Row 2 is this action too.")


def test_two_actions_with_the_same_title_need_an_action_id(alice, alice_client):
    ActionFactory.create_batch(2, body=alice.body, title="Review vetting")
    content = clean_tracker(["Review vetting", "alice", "", "31/12/2027", "In progress", "10"])
    plan = plan_of(alice_client.get(check_url(uploaded(alice_client, content))))
    assert problems(plan, 2) == [
        (
            "Title",
            "2 actions are called “Review vetting”. Add an Action ID column to say which one "
            "this row is.",
        )
    ]


def test_an_owner_is_found_by_username_email_or_full_name(alice, cora, alice_client):
    cora.user.last_name = "Bell"
    cora.user.save()
    content = clean_tracker(
        ["One", "CORA", "", "31/12/2027", "In progress", "10"],
        ["Two", "cora@example.org", "", "31/12/2027", "In progress", "10"],
        ["Three", "Cora Bell", "", "31/12/2027", "In progress", "10"],
        ["Four", "ana", "", "31/12/2027", "In progress", "10"],
    )
    MembershipFactory.create(
        user=UserFactory.create(username="ana"), body=alice.body, role=Role.ANALYST
    )
    plan = plan_of(alice_client.get(check_url(uploaded(alice_client, content))))
    assert [row(plan, n).values.get("owner") for n in (2, 3, 4)] == [cora.user] * 3
    # An analyst cannot own actions (MembershipQuerySet.action_owners).
    assert problems(plan, 5)[0][0] == "Owner"


def test_a_colleagues_change_since_the_check_stops_the_whole_import(alice, alice_client):
    from inspections.services import actions as action_services
    from inspections.services.merging import EditConflict

    action = ActionFactory.create(body=alice.body, title="Review vetting", percent_complete=10)
    content = csv_bytes(
        [
            ["Title", "Status", "Percent complete"],
            ["Review vetting", "In progress", "30"],
            ["A new action", "In progress", "0"],
        ]
    )
    kept = uploaded(alice_client, content)
    tracker = read_tracker(kept.filename, bytes(kept.content), "csv")
    plan = check_tracker(tracker, suggest_mapping(tracker.headers), body=alice.body)
    assert [r.outcome for r in plan.rows] == [Outcome.UPDATE, Outcome.REFUSED]  # no target
    # A colleague records 20% after the check and before the import.
    action_services.action_update(action=action, version=action.version, percent_complete=20)
    with pytest.raises(EditConflict):
        services.tracker_import(
            upload_pk=kept.pk, body=alice.body, user=alice.user, plan=plan, only_valid=True
        )
    action.refresh_from_db()
    assert action.percent_complete == 20
    assert ImportUpload.objects.filter(pk=kept.pk).exists()  # nothing happened: try again
    assert not AuditEvent.objects.filter(kind=AuditKind.IMPORTED).exists()


# --- Double confirm, roles, tenancy ----------------------------------------------------------


def test_a_second_confirm_imports_nothing_and_says_so(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    first = confirm(alice_client, kept)
    assert first.status_code == 302
    counts = (AssuranceAction.objects.count(), ProgressUpdate.objects.count())
    # The same form sent again (a double click): the first answer again.
    again = confirm(alice_client, kept)
    assert (again.status_code, again["Location"]) == (302, first["Location"])
    # The check page open in another tab: the upload is gone.
    other = confirm(alice_client, kept, key=OTHER_KEY)
    assert other.status_code == 404
    assert "This import is no longer waiting" in text_of(other)
    assert "It has been imported already" in text_of(other)
    assert (AssuranceAction.objects.count(), ProgressUpdate.objects.count()) == counts
    assert AuditEvent.objects.filter(kind=AuditKind.IMPORTED).count() == 1


def step_urls(kept: ImportUpload) -> list[str]:
    return [map_url(kept), check_url(kept)]


def test_an_analyst_may_not_import(ana_client, alice_client, opcc):
    assert ana_client.get(UPLOAD_URL).status_code == 403
    assert upload(ana_client, opcc).status_code == 403
    kept = uploaded(alice_client, opcc)
    for url in step_urls(kept):
        assert ana_client.get(url).status_code == 403
        assert ana_client.post(url, {"rows": "valid"}).status_code == 403
    assert ImportUpload.objects.count() == 1
    assert AssuranceAction.objects.count() == 0


def test_a_force_contributor_gets_404_everywhere(cora_client, alice_client, opcc):
    assert cora_client.get(UPLOAD_URL).status_code == 404
    assert upload(cora_client, opcc).status_code == 404
    kept = uploaded(alice_client, opcc)
    for url in step_urls(kept):
        assert cora_client.get(url).status_code == 404
        assert cora_client.post(url, {"rows": "valid"}).status_code == 404
    assert AssuranceAction.objects.count() == 0


def test_another_bodys_upload_is_a_404_at_every_step(olly_client, alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    for url in step_urls(kept):
        assert olly_client.get(url).status_code == 404
        assert olly_client.post(url, {"rows": "valid", KEY_FIELD: KEY}).status_code == 404
    assert AssuranceAction.objects.count() == 0
    assert ImportUpload.objects.filter(pk=kept.pk).exists()


def test_a_colleagues_upload_is_theirs_alone(alice, alice_client, opcc):
    colleague = MembershipFactory.create(
        user=UserFactory.create(username="eve"), body=alice.body, role=Role.EDITOR
    )
    kept = uploaded(alice_client, opcc)
    eve = signed_in(colleague)
    for url in step_urls(kept):
        assert eve.get(url).status_code == 404
    assert confirm(eve, kept).status_code == 404
    assert AssuranceAction.objects.count() == 0


def test_a_wrong_method_is_refused(alice_client, opcc):
    kept = uploaded(alice_client, opcc)
    for url in [UPLOAD_URL, *step_urls(kept)]:
        assert alice_client.put(url).status_code == 405
        assert alice_client.delete(url).status_code == 405


def test_the_check_page_reads_the_body_in_a_bounded_number_of_queries(
    alice, alice_client, opcc, django_assert_max_num_queries
):
    kept = uploaded(alice_client, opcc)
    # The session and membership, the upload, the mapping, and the actions, owners and
    # findings once for the whole file: none for each row.
    with django_assert_max_num_queries(12):
        assert alice_client.get(check_url(kept)).status_code == 200


def test_the_check_costs_the_same_queries_for_ten_rows_and_for_three_hundred(
    alice, alice_client, findings
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    ActionFactory.create(body=alice.body, title="Action 1")  # a row that updates

    def queries(rows: int) -> int:
        content = csv_bytes(
            [
                ["Title", "Owner", "Due date", "Status", "% complete", "Rec ref"],
                *(
                    [f"Action {n}", "alice", "31/12/2027", "In progress", n % 100, "AFI 3"]
                    for n in range(rows)
                ),
            ]
        )
        kept = uploaded(alice_client, content)
        with CaptureQueriesContext(connection) as captured:
            assert alice_client.get(check_url(kept)).status_code == 200
        return len(captured)

    assert queries(10) == queries(300)


# --- Round trip -----------------------------------------------------------------------------


@pytest.fixture
def tracked(alice, cora):
    """Actions as the office keeps them: with owners, findings of two reports, updates and
    text that needs care in a CSV ("£85,000", curly quotes, a leading "=" or "-")."""
    report = ReportFactory.create(body=alice.body, title="PEEL 2025", reference="PEEL-25")
    other = ReportFactory.create(body=alice.body, title="Custody inspection", reference="")
    one = FindingFactory.create(report=report, reference="AFI 1")
    two = FindingFactory.create(report=other, reference="Recommendation 4")
    first = ActionFactory.create(
        body=alice.body,
        title="Fund the £85,000 “vetting” uplift",
        description="Line one.\r\nLine two – with a dash.",
        owner=alice.user,
        force_lead="ACC Jones",
        percent_complete=40,
        assurance_level="limited",
        forum="accountability_board",
    )
    first.findings.add(one)
    second = ActionFactory.create(
        body=alice.body,
        title="=Review custody healthcare",
        description="-5% on last year",
        owner=cora.user,
        status=ActionStatus.COMPLETE,
        percent_complete=100,
        completed_on=dt.date(2026, 6, 1),
    )
    second.findings.add(one, two)
    third = ActionFactory.create(
        body=alice.body, title="Awaiting an owner", status=ActionStatus.NOT_STARTED
    )
    ProgressUpdate.objects.create(action=first, author=alice.user, text="Board agreed £85,000.")
    return [first, second, third]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_of_the_actions_imports_back_unchanged(alice_client, tracked, fmt):
    exported = alice_client.get(reverse("action_export", kwargs={"fmt": fmt}))
    assert exported.status_code == 200
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    kept = uploaded(alice_client, content, f"assurance-actions.{fmt}")
    form = alice_client.get(map_url(kept)).context["form"]
    # RAG, Response, its date; the original target, times moved and days slipped.
    assert [f.value() for f in form.column_fields()].count("") == 6
    plan = plan_of(alice_client.get(check_url(kept)))
    assert [(r.outcome, r.problems) for r in plan.rows] == [(Outcome.UNCHANGED, [])] * 3
    before = (
        list(AssuranceAction.objects.values_list("pk", "version", "title", "description")),
        ProgressUpdate.objects.count(),
        sorted(AssuranceAction.findings.through.objects.values_list("pk", flat=True)),
    )
    assert confirm(alice_client, kept, rows="all").status_code == 302
    after = (
        list(AssuranceAction.objects.values_list("pk", "version", "title", "description")),
        ProgressUpdate.objects.count(),
        sorted(AssuranceAction.findings.through.objects.values_list("pk", flat=True)),
    )
    assert after == before


def test_a_file_with_the_export_headers_creates_then_links_findings(alice, alice_client, tracked):
    new = FindingFactory.create(
        report=tracked[0].findings.get().report, reference="Recommendation 7"
    )

    def export_row(**cells: object) -> list[object]:
        return [cells.get(header, "") for header in EXPORT_HEADERS]

    content = csv_bytes(
        [
            ["Protective marking: OFFICIAL"],
            EXPORT_HEADERS,
            export_row(
                Title="A new action from the board",
                Owner="alice",
                **{"Target date": "2027-03-31", "Status": "In progress", "Percent complete": 5},
                RAG="Green",
                Report="PEEL 2025",
                **{"Report reference": "PEEL-25", "Finding references": "Recommendation 7"},
            ),
            export_row(
                **{"Action ID": tracked[0].pk, "Title": tracked[0].title},
                **{"Finding references": "PEEL-25/Recommendation 7"},
            ),
        ]
    )
    kept = uploaded(alice_client, content)
    plan = plan_of(alice_client.get(check_url(kept)))
    assert [r.outcome for r in plan.rows] == [Outcome.CREATE, Outcome.UPDATE]
    assert confirm(alice_client, kept, rows="all").status_code == 302
    created = AssuranceAction.objects.get(title="A new action from the board")
    assert list(created.findings.all()) == [new]
    assert set(tracked[0].findings.all()) == {new, *Finding.objects.filter(reference="AFI 1")}


# --- The daily clean-up ---------------------------------------------------------------------


def test_uploads_older_than_a_day_are_cleaned_up(alice):
    now = timezone.now()
    old = ImportUpload.objects.create(
        body=alice.body,
        user=alice.user,
        kind=ImportKind.TRACKER,
        filename="old.csv",
        content=b"x",
        created_at=now - dt.timedelta(hours=25),
    )
    fresh = ImportUpload.objects.create(
        body=alice.body,
        user=alice.user,
        kind=ImportKind.RESPONSE,
        filename="new.html",
        content=b"x",
        created_at=now - dt.timedelta(hours=23),
    )
    assert services.clean_uploads(now=now) == 1
    assert list(ImportUpload.objects.all()) == [fresh]
    assert not ImportUpload.objects.filter(pk=old.pk).exists()


def test_the_plan_is_the_same_read_directly(alice, opcc):
    """The check page and the form's function agree (the page is only its table)."""
    tracker = read_tracker("tracker.csv", opcc, "csv")
    plan = check_tracker(tracker, suggest_mapping(tracker.headers), body=alice.body)
    assert plan.counts == {"create": 3, "update": 0, "unchanged": 0, "refused": 7}


# --- Slippage -----------------------------------------------------------------------------


def test_a_moved_target_is_recorded_with_the_rows_reason_or_the_files_name(alice, alice_client):
    start = dt.date(2026, 1, 5)
    explained = ActionFactory.create(
        body=alice.body, title="Explained", start_on=start, target_on=dt.date(2026, 6, 30)
    )
    silent = ActionFactory.create(
        body=alice.body, title="Silent", start_on=start, target_on=dt.date(2026, 6, 30)
    )
    content = csv_bytes(
        [
            ["Title", "Target date", "Reason for slippage"],
            ["Explained", "30/09/2026", "The board agreed September on 3 March."],
            ["Silent", "31/05/2026", ""],
        ]
    )
    kept = uploaded(alice_client, content, "board-tracker.csv")
    form = alice_client.get(map_url(kept)).context["form"]
    assert [f.value() for f in form.column_fields()] == ["title", "target_on", "target_reason"]
    plan = plan_of(alice_client.get(check_url(kept)))
    assert [(c.label, c.before, c.after) for c in row(plan, 2).changes] == [
        ("Target date", "30 June 2026", "30 September 2026"),
        ("Reason for target change", "", "The board agreed September on 3 March."),
    ]
    assert row(plan, 3).changes[-1].after == "None given: recorded as imported from this file"
    assert confirm(alice_client, kept, rows="all").status_code == 302

    changes = {
        c.action.title: (c.from_on, c.to_on, c.changed_by, c.reason)
        for c in TargetChange.objects.select_related("action")
    }
    assert changes == {
        "Explained": (
            dt.date(2026, 6, 30),
            dt.date(2026, 9, 30),
            alice.user,
            "The board agreed September on 3 March.",
        ),
        "Silent": (
            dt.date(2026, 6, 30),
            dt.date(2026, 5, 31),
            alice.user,
            "Imported from board-tracker.csv, which gave no reason.",
        ),
    }
    explained.refresh_from_db()
    silent.refresh_from_db()
    assert (explained.slip_count, explained.slip_days) == (1, 92)
    assert (silent.slip_count, silent.slip_days) == (0, 0)  # earlier: kept, not a slip


def test_a_reason_without_a_new_target_changes_nothing(alice, alice_client):
    ActionFactory.create(body=alice.body, title="Steady", target_on=dt.date(2026, 6, 30))
    content = csv_bytes(
        [["Title", "Target date", "Reason for change"], ["Steady", "30/06/2026", "No reason"]]
    )
    kept = uploaded(alice_client, content)
    plan = plan_of(alice_client.get(check_url(kept)))
    assert row(plan, 2).outcome == Outcome.UNCHANGED
    assert confirm(alice_client, kept, rows="all").status_code == 302
    assert not TargetChange.objects.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_an_export_with_slipped_targets_imports_back_unchanged(alice, alice_client, tracked, fmt):
    first = AssuranceAction.objects.get(pk=tracked[0].pk)
    action_services.action_update(
        action=first,
        version=first.version,
        target_on=first.target_on + dt.timedelta(days=45),
        target_reason="The uplift was approved late.",
        by=alice.user,
    )
    exported = alice_client.get(reverse("action_export", kwargs={"fmt": fmt}))
    content = b"".join(exported.streaming_content) if exported.streaming else exported.content
    kept = uploaded(alice_client, content, f"assurance-actions.{fmt}")
    plan = plan_of(alice_client.get(check_url(kept)))
    assert [(r.outcome, r.problems) for r in plan.rows] == [(Outcome.UNCHANGED, [])] * 3
    assert confirm(alice_client, kept, rows="all").status_code == 302
    assert TargetChange.objects.count() == 1
    first.refresh_from_db()
    assert (first.slip_count, first.slip_days) == (1, 45)
