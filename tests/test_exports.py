"""Every list as CSV and XLSX: the columns, the list's own filters and sort, real dates and
numbers in XLSX, the protective marking, body and role, the log, and a query count that
does not grow with the list."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from inspections.exports.tables import ACTION_HEADERS, FINDING_HEADERS
from inspections.exports.writers import safe_cell
from inspections.models import (
    ActionStatus,
    AssuranceAction,
    AuditEvent,
    AuditKind,
    FindingKind,
    Forum,
    Marking,
    ProgressUpdate,
    ResponseStatus,
)

from .factories import (
    ActionFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    UpdateFactory,
    addressee,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)
LISTS = ["report_export", "finding_export", "response_export", "action_export", "update_export"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def content_of(response) -> bytes:
    if response.streaming:
        return b"".join(response.streaming_content)
    content: bytes = response.content
    return content


def csv_of(response) -> tuple[str, list[str], list[list[str]]]:
    """The marking line, the header and the rows of a CSV download."""
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    text = content_of(response).decode("utf-8")
    assert text.startswith("\ufeff")
    marking, header, *rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    return marking[0], header, rows


def xlsx_of(response):
    assert response.status_code == 200
    assert response["Content-Type"] == XLSX
    return load_workbook(io.BytesIO(content_of(response)))


def sheet_rows(book) -> tuple[str, list[str], list[tuple[object, ...]]]:
    rows = list(book.active.iter_rows(values_only=True))
    return rows[0][0], list(rows[1]), rows[2:]


def naive(iso: str) -> dt.datetime:
    """A spreadsheet's date or time: no time zone (UK time, or UTC for the sign-in log)."""
    return dt.datetime.fromisoformat(iso)


def url(name: str, fmt: str = "csv") -> str:
    return reverse(name, kwargs={"fmt": fmt})


@pytest.fixture
def report(body):
    return ReportFactory.create(
        body=body,
        title="Police response to violence against women and girls",
        reference="ISBN 978-1-78655-000-1",
        published_on=dt.date(2025, 9, 12),
    )


@pytest.fixture
def findings(report):
    chief = addressee("chief-constables")
    first = FindingFactory.create(
        report=report,
        reference="Recommendation 1",
        position=1,
        text="By 31 March 2026, chief constables should review their vetting.",
        deadline=dt.date(2026, 3, 31),
        addressed_to=[chief, addressee("pccs")],
    )
    second = FindingFactory.create(
        report=report,
        kind=FindingKind.AREA_FOR_IMPROVEMENT,
        reference="AFI 2",
        position=2,
        text="The force should improve how it records £85,000 of “seized” cash.",
        deadline_text="within six months",
        force_complete_on=dt.date(2026, 2, 1),
    )
    return first, second


@pytest.fixture
def actions(alice, findings):
    first = ActionFactory.create(
        body=alice.body,
        title="Review vetting of all officers",
        description="Monthly report to the accountability board.",
        owner=alice.user,
        force_lead="ACC Jones",
        start_on=dt.date(2026, 1, 5),
        target_on=dt.date(2026, 6, 30),
        percent_complete=40,
        status=ActionStatus.IN_PROGRESS,
        forum=Forum.ACCOUNTABILITY_BOARD,
    )
    first.findings.set(findings)
    UpdateFactory.create(
        action=first,
        author=alice.user,
        text="Half the files reviewed.",
        written_at=dt.datetime(2026, 3, 2, 10, 30, tzinfo=dt.UTC),
    )
    UpdateFactory.create(
        action=first,
        author=alice.user,
        text="Started.",
        written_at=dt.datetime(2026, 1, 10, 9, 0, tzinfo=dt.UTC),
    )
    second = ActionFactory.create(
        body=alice.body,
        title="Audit seized cash",
        start_on=dt.date(2026, 2, 1),
        target_on=dt.date(2026, 4, 30),
        status=ActionStatus.NOT_STARTED,
    )
    UpdateFactory.create(action=second, author=alice.user, text="Not yet begun.")
    return first, second


# --- The actions: the tracker's columns -------------------------------------------------


def test_the_actions_csv_has_the_marking_then_the_tracker_columns_in_order(ana_client, actions):
    response = ana_client.get(url("action_export"), {"sort": "title"})
    assert re.fullmatch(
        r'attachment; filename="actions-\d{4}-\d{2}-\d{2}\.csv"', response["Content-Disposition"]
    )
    assert response["Cache-Control"] in {"private, no-store", "no-store, private"}
    marking, header, rows = csv_of(response)
    assert marking == "Protective marking: OFFICIAL"
    assert header == list(ACTION_HEADERS)
    assert header == [
        "Action ID", "Title", "Description", "Owner", "Force lead", "Start date",
        "Target date", "Original target date", "Times the target moved later", "Days slipped",
        "Status", "Percent complete", "RAG", "Assurance level",
        "Evidence of assurance", "Forum", "Completed on", "Report", "Report reference",
        "Finding references", "Response", "Last update", "Last update on",
    ]  # fmt: skip
    assert [row[1] for row in rows] == ["Audit seized cash", "Review vetting of all officers"]
    vetting = dict(zip(header, rows[1], strict=True))
    assert vetting == {
        "Action ID": str(actions[0].pk),
        "Title": "Review vetting of all officers",
        "Description": "Monthly report to the accountability board.",
        "Owner": "alice",
        "Force lead": "ACC Jones",
        "Start date": "2026-01-05",
        "Target date": "2026-06-30",
        "Original target date": "2026-06-30",
        "Times the target moved later": "0",
        "Days slipped": "0",
        "Status": "In progress",
        "Percent complete": "40",
        "RAG": actions[0].rag().label,
        "Assurance level": "",
        "Evidence of assurance": "",
        "Forum": "Accountability board",
        "Completed on": "",
        "Report": "Police response to violence against women and girls",
        "Report reference": "ISBN 978-1-78655-000-1",
        "Finding references": "Recommendation 1; AFI 2",
        "Response": "",
        "Last update": "Half the files reviewed.",
        "Last update on": "2026-03-02",
    }


def test_an_action_serving_several_reports_names_each_finding_with_its_report(
    ana_client, alice, findings
):
    other = ReportFactory.create(body=alice.body, reference="", published_on=dt.date(2025, 1, 1))
    earlier = FindingFactory.create(report=other, reference="Recommendation 4", position=1)
    response = ResponseFactory.create(report=other)
    action = ActionFactory.create(body=alice.body, title="Both", response=response)
    action.findings.set([findings[1], earlier])
    _m, header, rows = csv_of(ana_client.get(url("action_export")))
    row = dict(zip(header, rows[0], strict=True))
    assert row["Report"] == f"{other.title}; Police response to violence against women and girls"
    assert row["Report reference"] == "ISBN 978-1-78655-000-1"
    assert row["Finding references"] == (
        f"{other.title}/Recommendation 4; ISBN 978-1-78655-000-1/AFI 2"
    )
    assert row["Response"] == other.title_with_month


def test_the_actions_xlsx_has_real_dates_and_numbers_a_bold_frozen_header_and_widths(
    ana_client, actions
):
    response = ana_client.get(url("action_export", "xlsx"), {"sort": "title"})
    assert re.fullmatch(
        r'attachment; filename="actions-\d{4}-\d{2}-\d{2}\.xlsx"', response["Content-Disposition"]
    )
    book = xlsx_of(response)
    sheet = book.active
    assert sheet.title == "Assurance actions"
    assert sheet.freeze_panes == "A3"
    assert sheet["A1"].value == "Protective marking: OFFICIAL"
    assert sheet["A1"].font.b
    assert sheet["A2"].font.b
    assert sheet["T2"].font.b
    assert book.properties.keywords == "OFFICIAL"
    assert book.properties.category == "OFFICIAL"
    assert sheet.column_dimensions["B"].width == 40
    _marking, header, rows = sheet_rows(book)
    assert header == list(ACTION_HEADERS)
    vetting = dict(zip(header, rows[1], strict=True))
    assert vetting["Action ID"] == actions[0].pk
    assert vetting["Percent complete"] == 40
    assert vetting["Start date"] == naive("2026-01-05")  # a date cell
    assert sheet.cell(row=4, column=6).is_date
    assert sheet.cell(row=4, column=6).number_format == "d mmmm yyyy"
    assert vetting["Last update on"] == naive("2026-03-02")
    assert vetting["Completed on"] is None
    assert vetting["Finding references"] == "Recommendation 1; AFI 2"


def test_the_export_follows_the_lists_filters_and_sort(ana_client, alice, actions):
    ActionFactory.create(body=alice.body, title="Another in progress")
    params = {"status": ActionStatus.IN_PROGRESS, "sort": "title"}
    page = ana_client.get(reverse("action_list"), params)
    shown = [a.title for a in page.context["page"].object_list]
    _m, _h, rows = csv_of(ana_client.get(url("action_export"), params))
    assert (
        [row[1] for row in rows]
        == shown
        == [
            "Another in progress",
            "Review vetting of all officers",
        ]
    )
    _m, _h, xrows = sheet_rows(xlsx_of(ana_client.get(url("action_export", "xlsx"), params)))
    assert [row[1] for row in xrows] == shown


def test_an_invalid_filter_is_left_out_as_on_the_list_page(ana_client, actions):
    _m, _h, rows = csv_of(ana_client.get(url("action_export"), {"status": "nonsense"}))
    assert len(rows) == 2


def test_the_progress_updates_export_has_the_updates_of_the_filtered_actions(ana_client, actions):
    params = {"status": ActionStatus.IN_PROGRESS}
    marking, header, rows = csv_of(ana_client.get(url("update_export"), params))
    assert marking == "Protective marking: OFFICIAL"
    assert header == [
        "Update ID",
        "Action ID",
        "Action",
        "Written at",
        "Author",
        "Update",
        "Percent complete then",
        "Status then",
    ]
    assert [row[5] for row in rows] == ["Half the files reviewed.", "Started."]
    assert rows[0][3] == "2026-03-02T10:30:00+00:00"  # UK time, GMT in March
    _m, _h, xrows = sheet_rows(xlsx_of(ana_client.get(url("update_export", "xlsx"), params)))
    assert xrows[0][3] == naive("2026-03-02T10:30")


# --- Findings, reports, responses ---------------------------------------------------------


def test_the_findings_export_has_the_agreed_columns_and_the_lists_filters(
    ana_client, findings, actions
):
    _marking, header, rows = csv_of(
        ana_client.get(url("finding_export"), {"kind": "recommendation"})
    )
    assert header == list(FINDING_HEADERS)
    assert header == [
        "Finding ID", "Report", "Report reference", "Published on", "Kind", "Reference", "Text",
        "Addressees", "Deadline", "Inspectorate status", "Force reported complete on",
        "Body assured on", "Assurance level", "Open", "Actions",
    ]  # fmt: skip
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Reference"] == "Recommendation 1"
    assert row["Addressees"] == "chief-constables; pccs"
    assert row["Deadline"] == "2026-03-31"
    assert row["Published on"] == "2025-09-12"
    assert row["Open"] == "Yes"
    assert row["Actions"] == "1"
    book = xlsx_of(ana_client.get(url("finding_export", "xlsx")))
    _m, header, xrows = sheet_rows(book)
    afi = dict(zip(header, xrows[1], strict=True))
    assert afi["Text"] == "The force should improve how it records £85,000 of “seized” cash."
    assert afi["Deadline"] == "within six months"  # no date: the words
    assert afi["Force reported complete on"] == naive("2026-02-01")
    assert afi["Open"] == "No"
    assert afi["Actions"] == 1


def test_the_reports_export_follows_the_search_and_has_every_field(ana_client, body, report):
    ReportFactory.create(body=body, title="Something else entirely")
    ResponseFactory.create(report=report, status=ResponseStatus.DRAFT)
    _marking, header, rows = csv_of(ana_client.get(url("report_export"), {"q": "violence"}))
    assert header[:4] == ["Report ID", "Title", "Reference", "Type"]
    assert len(rows) == 1
    row = dict(zip(header, rows[0], strict=True))
    assert row["Title"] == report.title
    assert row["Published on"] == "2025-09-12"
    assert row["Response status"] == "Draft"
    assert row["Response due on"] == report.response_due_on.isoformat()
    assert row["Protective marking"] == "OFFICIAL"
    assert row["Findings"] == "0"


def test_the_responses_export_follows_the_state_filter(ana_client, body, report):
    ResponseFactory.create(report=report, status=ResponseStatus.DRAFT)
    closed = ReportFactory.create(body=body, title="Closed one")
    ResponseFactory.create(report=closed, status=ResponseStatus.NO_RESPONSE_NEEDED)
    _m, header, rows = csv_of(ana_client.get(url("response_export"), {"state": "open"}))
    assert [dict(zip(header, r, strict=True))["Status"] for r in rows] == ["Draft"]
    _m, header, xrows = sheet_rows(xlsx_of(ana_client.get(url("response_export", "xlsx"))))
    assert len(xrows) == 2
    assert "Statutory due date" in header


# --- Marking ------------------------------------------------------------------------------


def test_anything_official_sensitive_marks_the_file_and_its_name(ana_client, report, actions):
    report.marking = Marking.OFFICIAL_SENSITIVE
    report.save()
    for name in ("finding_export", "action_export", "update_export", "report_export"):
        response = ana_client.get(url(name))
        assert 'filename="OFFICIAL-SENSITIVE-' in response["Content-Disposition"], name
        marking, _h, _r = csv_of(response)
        assert marking == "Protective marking: OFFICIAL-SENSITIVE"
        book = xlsx_of(ana_client.get(url(name, "xlsx")))
        assert book.active["A1"].value == "Protective marking: OFFICIAL-SENSITIVE"
        assert book.properties.keywords == "OFFICIAL-SENSITIVE"
    # Filtered down to an action that serves nothing sensitive, the file is OFFICIAL.
    response = ana_client.get(url("action_export"), {"q": "seized"})
    assert 'filename="actions-' in response["Content-Disposition"]
    assert csv_of(response)[0] == "Protective marking: OFFICIAL"


# --- Formulas -----------------------------------------------------------------------------


def test_cells_a_spreadsheet_would_run_are_kept_as_text(ana_client, alice):
    ActionFactory.create(body=alice.body, title='=HYPERLINK("http://x","y")', force_lead="+1")
    _m, header, rows = csv_of(ana_client.get(url("action_export")))
    row = dict(zip(header, rows[0], strict=True))
    assert row["Title"] == '\'=HYPERLINK("http://x","y")'
    assert row["Force lead"] == "'+1"
    book = xlsx_of(ana_client.get(url("action_export", "xlsx")))
    cell = book.active["B3"]
    assert cell.value == '=HYPERLINK("http://x","y")'  # exactly, and as text
    assert cell.data_type == "s"


def test_safe_cell_quotes_only_what_starts_like_a_formula():
    assert safe_cell("-2") == "'-2"
    assert safe_cell("@SUM(A1)") == "'@SUM(A1)"
    assert safe_cell("a-b") == "a-b"
    assert safe_cell(None) == ""


# --- Who may, and whose rows ----------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_analysts_editors_and_approvers_may_export_and_contributors_get_404(
    name, fmt, ana_client, alice_client, cora_client, actions
):
    assert ana_client.get(url(name, fmt)).status_code == 200
    assert alice_client.get(url(name, fmt)).status_code == 200
    assert cora_client.get(url(name, fmt)).status_code == 404


def test_a_force_contributors_404_is_the_middlewares_allow_list(cora_client, cora):
    from inspections.access import contributor_may_reach

    for name in [*LISTS, "audit_log_xlsx", "token_list", "token_revoke"]:
        assert not contributor_may_reach(name)


@pytest.mark.parametrize("name", LISTS)
def test_exports_refuse_other_methods(name, ana_client):
    assert ana_client.post(url(name)).status_code == 405


def test_signed_out_the_exports_send_you_to_sign_in(client):
    response = client.get(url("action_export"))
    assert response.status_code == 302
    assert "/sign-in/" in response["Location"]


def test_another_bodys_records_are_never_in_an_export(olly_client, olly, actions, findings):
    ActionFactory.create(body=olly.body, title="Thames Valley action")
    for name in LISTS:
        text = content_of(olly_client.get(url(name))).decode()
        assert "vetting" not in text.lower(), name
        assert "Police response to violence" not in text, name
    _m, _h, rows = csv_of(olly_client.get(url("action_export")))
    assert [row[1] for row in rows] == ["Thames Valley action"]


def test_the_list_pages_link_to_their_downloads_with_the_current_filters(ana_client, actions):
    page = ana_client.get(reverse("action_list"), {"status": "in_progress", "page": "1"})
    html = page.content.decode()
    assert f"{url('action_export')}?status=in_progress" in html
    assert f"{url('action_export', 'xlsx')}?status=in_progress" in html
    assert f"{url('update_export')}?status=in_progress" in html
    for list_name, export in [
        ("report_list", "report_export"),
        ("finding_list", "finding_export"),
        ("response_list", "response_export"),
    ]:
        html = ana_client.get(reverse(list_name), {"type": "peel"}).content.decode()
        assert f"{url(export)}?type=peel" in html, list_name
        assert f"{url(export, 'xlsx')}?type=peel" in html, list_name


def test_a_force_contributors_actions_page_offers_no_download(cora_client, cora, alice):
    ActionFactory.create(body=alice.body, owner=cora.user, title="Cora owns this")
    html = cora_client.get(reverse("action_list")).content.decode()
    assert "Cora owns this" in html
    assert "export" not in html


# --- The log ------------------------------------------------------------------------------


def test_each_download_is_logged_with_the_list_and_its_filters(ana_client, ana, actions):
    ana_client.get(url("action_export", "xlsx"), {"status": "in_progress", "sort": "title"})
    event = AuditEvent.objects.get(kind=AuditKind.EXPORTED)
    assert (event.user, event.body) == (ana.user, ana.body)
    assert event.detail == "Assurance actions (XLSX): Status: In progress; Sort by: Title"
    assert event.path.startswith(url("action_export", "xlsx"))
    ana_client.get(url("finding_export"))
    latest = AuditEvent.objects.filter(kind=AuditKind.EXPORTED).first()
    assert latest is not None
    assert latest.detail == "Findings (CSV)"


# --- The sign-in log as XLSX ---------------------------------------------------------------


def test_the_sign_in_log_xlsx_is_for_administrators_with_utc_times(ada_client, ana_client, ada):
    AuditEvent.objects.create(
        body=ada.body,
        kind=AuditKind.SIGNED_IN,
        username="alice",
        at=dt.datetime(2026, 7, 1, 9, 5, tzinfo=dt.UTC),
        detail="=cmd",
    )
    assert ana_client.get(reverse("audit_log_xlsx")).status_code == 403
    response = ada_client.get(reverse("audit_log_xlsx"), {"who": "alice"})
    book = xlsx_of(response)
    marking, header, rows = sheet_rows(book)
    assert marking == "Protective marking: OFFICIAL"
    assert header[0] == "When (UTC)"
    assert rows == [
        (naive("2026-07-01T09:05"), "alice", None, "Signed in", "=cmd", None, None, None)
    ]
    assert book.active["E3"].data_type == "s"
    event = AuditEvent.objects.get(kind=AuditKind.EXPORTED)
    assert event.detail == "Sign-in log (XLSX): who “alice”"
    html = ada_client.get(reverse("audit_log"), {"who": "alice"}).content.decode()
    assert f"{reverse('audit_log_xlsx')}?who=alice" in html


# --- Constant queries, streaming ------------------------------------------------------------


def _many_actions(body, author, count: int, *, batch: str = "a") -> None:
    """`count` actions with an update each, serving findings (with addressees) of a report
    per 100 actions (with partner inspectorates, forces in scope and a response with
    entries), all made in bulk."""
    from inspections.models import Finding, ResponseEntry

    from .factories import ForceFactory, inspectorate

    chief, partner = addressee("chief-constables"), inspectorate("hmi-probation")
    force = ForceFactory.create()
    served = []
    for r in range(max(1, count // 100)):
        report = ReportFactory.create(body=body, title=f"Report {batch}{r}")
        report.partner_inspectorates.set([partner])
        report.forces.set([force])
        response = ResponseFactory.create(report=report)
        findings = Finding.objects.bulk_create(
            Finding(report=report, reference=f"Recommendation {n}", position=n, text="Do it.")
            for n in range(10)
        )
        Finding.addressees.through.objects.bulk_create(
            Finding.addressees.through(finding_id=f.pk, addressee_id=chief.pk) for f in findings
        )
        ResponseEntry.objects.bulk_create(
            ResponseEntry(response=response, finding=f, answer="proposed", text="Will do.")
            for f in findings
        )
        served.append((response, findings))
    made = AssuranceAction.objects.bulk_create(
        AssuranceAction(
            body=body,
            title=f"Action {batch}{n:05d}",
            start_on=TODAY - 30 * DAY,
            target_on=TODAY + (n % 200) * DAY,
            percent_complete=n % 100,
            status=ActionStatus.IN_PROGRESS,
            response=served[n % len(served)][0],
        )
        for n in range(count)
    )
    links = AssuranceAction.findings.through
    links.objects.bulk_create(
        links(assuranceaction_id=a.pk, finding_id=f.pk)
        for n, a in enumerate(made)
        for f in served[n % len(served)][1][:2]
    )
    ProgressUpdate.objects.bulk_create(
        ProgressUpdate(action=a, author=author, text=f"Update on {a.title}") for a in made
    )


def _queries(client, path: str, params: dict[str, str] | None = None) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, params or {})
        body = content_of(response)
    assert response.status_code == 200
    return len(queries), len(body)


@pytest.mark.parametrize("name", LISTS)
@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_the_query_count_does_not_grow_with_the_list(name, fmt, ana_client, alice):
    _many_actions(alice.body, alice.user, 20)
    small, _size = _queries(ana_client, url(name, fmt))
    _many_actions(alice.body, alice.user, 1980, batch="b")
    large, size = _queries(ana_client, url(name, fmt))
    assert large == small
    if name in {"action_export", "update_export"}:
        assert size > 2000 * 20  # all 2,000 rows are there


def test_a_large_csv_streams_in_many_chunks(ana_client, alice):
    _many_actions(alice.body, alice.user, 1000)
    response = ana_client.get(url("action_export"))
    assert response.streaming
    chunks = list(response.streaming_content)
    assert len(chunks) > 3
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8"))))
    assert len(rows) == 1002  # marking, header, 1,000 actions


def test_an_unknown_format_is_not_found(ana_client):
    assert ana_client.get("/actions/export.pdf").status_code == 404
