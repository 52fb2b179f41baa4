"""Board packs: requesting one queues the task; the task builds the PDF (figures, charts,
overdue items, changes, every open action with its header on each page, page numbers,
production date, marking) and records its progress; packs expire; downloads are for the
body's members only."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import FileResponse
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from inspections import packs, pdf_table
from inspections.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssuranceAction,
    BoardPack,
    Forum,
    Marking,
    Meeting,
    PackStage,
    PackStatus,
    PolicingBody,
    ReportType,
)
from inspections.packs import board_pack_build, board_packs_expire
from inspections.pdf import render_pdf
from inspections.tasks import build_board_pack

from .conftest import signed_in
from .factories import (
    ActionFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    UpdateFactory,
)
from .pdf_reading import Cell, content_of, marked_text, tables, text_runs

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def beats_only_at_stages(monkeypatch) -> None:
    """Between stages a build touches its heartbeat by the clock (at most every
    BEAT_SECONDS): on a slow machine, more often. Query counts and progress seen here are
    about the data, so those beats are off unless a test turns them on."""
    monkeypatch.setattr(packs, "BEAT_SECONDS", float("inf"))


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return Path(tmp_path)


@pytest.fixture
def dummy_tasks(settings):
    settings.TASKS = DUMMY_TASKS
    backend = task_backends["default"]
    assert isinstance(backend, DummyBackend)
    backend.clear()
    return backend


@pytest.fixture
def immediate_tasks(settings) -> None:
    settings.TASKS = IMMEDIATE_TASKS


def make_pack(member, **kwargs) -> BoardPack:
    values = {
        "body": member.body,
        "requested_by": member.user,
        "since": TODAY - 30 * DAY,
        "expires_at": timezone.now() + dt.timedelta(hours=24),
    } | kwargs
    return BoardPack.objects.create(**values)


def build(member, **kwargs) -> BoardPack:
    pack = make_pack(member, **kwargs)
    built = board_pack_build(pack_id=pack.pk)
    assert built is not None
    return built


def pages_of(pack: BoardPack) -> list[str]:
    with pack.file.open("rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    return [page.extract_text() for page in reader.pages]


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def assert_page_furniture(pages: list[str]) -> None:
    produced = f"Produced {TODAY:%-d %B %Y}"
    for number, text in enumerate(pages, start=1):
        assert f"Page {number} of {len(pages)}" in text, number
        assert produced in flat(text), number


class TestRequesting:
    def test_requesting_a_pack_records_it_queued_and_queues_the_task(
        self, ana, dummy_tasks, django_capture_on_commit_callbacks
    ):
        client = signed_in(ana)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                "/board-packs/", {"type": "peel", "published_from": "2024-01-01", "since": ""}
            )
        pack = BoardPack.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/board-packs/{pack.pk}/"
        assert pack.status == PackStatus.QUEUED
        assert pack.progress == 0
        assert pack.requested_by == ana.user
        assert pack.body == ana.body
        assert pack.filters == {"type": "peel", "published_from": "2024-01-01"}
        assert pack.since == TODAY - 30 * DAY  # the dashboard's default
        assert pack.expires_at is not None
        [queued] = dummy_tasks.results
        assert queued.task.module_path == build_board_pack.module_path
        assert queued.args == [pack.pk] or queued.args == (pack.pk,)

    def test_the_task_is_queued_only_once_the_pack_is_committed(
        self, ana, dummy_tasks, django_capture_on_commit_callbacks
    ):
        client = signed_in(ana)
        # An explicit outer transaction, so the check does not depend on the test's own.
        with (
            transaction.atomic(),
            django_capture_on_commit_callbacks(execute=False) as callbacks,
        ):
            client.post("/board-packs/", {"since": "2026-01-01"})
            assert dummy_tasks.results == []
        assert len(callbacks) == 1

    def test_with_the_immediate_backend_the_pack_is_built_inline(
        self, ana, media, immediate_tasks, django_capture_on_commit_callbacks
    ):
        ActionFactory.create(body=ana.body, title="Inline action")
        client = signed_in(ana)
        with django_capture_on_commit_callbacks(execute=True):
            client.post("/board-packs/", {"since": "2026-01-01"})
        pack = BoardPack.objects.get()
        assert pack.status == PackStatus.DONE
        assert "Download the board pack" in client.get(f"/board-packs/{pack.pk}/").text

    def test_invalid_filters_are_shown_and_nothing_is_queued(self, ana, dummy_tasks):
        response = signed_in(ana).post(
            "/board-packs/", {"published_from": "2026-05-01", "published_to": "2026-01-01"}
        )
        assert response.status_code == 422
        assert "The end of the period must be after its start." in response.text
        assert not BoardPack.objects.exists()
        assert dummy_tasks.results == []

    def test_the_form_starts_from_the_dashboards_filters(self, ana):
        response = signed_in(ana).get("/board-packs/?type=peel&since=2026-02-03")
        assert response.status_code == 200
        assert response.context["form"]["type"].value() == "peel"
        assert response.context["form"]["since"].value() == "2026-02-03"

    def test_the_dashboard_links_to_the_pack_page_with_its_filters(self, ana):
        page = signed_in(ana).get("/dashboard/?type=peel&since=2026-02-03")
        assert 'href="/board-packs/?type=peel&amp;since=2026-02-03"' in page.text
        partial = signed_in(ana).get("/dashboard/?type=joint", headers=HTMX)
        assert 'href="/board-packs/?type=joint"' in partial.text

    def test_the_list_shows_the_bodys_recent_packs_only(
        self, ana, olly, django_assert_max_num_queries
    ):
        for _ in range(5):
            make_pack(ana, filters={"type": "peel"})
        make_pack(ana, expires_at=timezone.now() - DAY)  # expired: gone from the list
        make_pack(olly)
        client = signed_in(ana)
        with django_assert_max_num_queries(8):
            response = client.get("/board-packs/")
        assert response.status_code == 200
        assert len(response.context["rows"]) == 5
        assert "Report type: PEEL assessment" in response.text

    def test_the_list_refuses_other_methods(self, ana):
        assert signed_in(ana).put("/board-packs/").status_code == 405


class TestBuildingOnTheDemoData:
    @pytest.fixture
    def demo(self, media):
        call_command("load_demo", stdout=io.StringIO())
        return PolicingBody.objects.get(slug__contains="hampshire")

    def test_the_pack_has_the_figures_charts_overdue_items_changes_and_every_open_action(
        self, demo, django_assert_max_num_queries
    ):
        ana = demo.members.get(user__username="ana")
        pack = make_pack(ana)
        # The dashboard's figures (dashboard.build), the pack's own (overdue responses, open
        # actions, the findings they serve, the marking) and its record's (claim, stages,
        # stalled packs).
        with django_assert_max_num_queries(34):
            built = board_pack_build(pack_id=pack.pk)
        assert built is not None
        assert built.status == PackStatus.DONE, built.error
        assert built.progress == 100
        assert built.stage == PackStage.DONE
        assert built.finished_at is not None
        assert built.size == built.file.size

        content = packs.gather(
            body=demo, filters={}, since=pack.since, today=TODAY, on_stage=lambda stage: None
        )
        pages = pages_of(built)
        text = flat("\n".join(pages))
        board = content.board
        assert f"Due in the next 14 days {board.due_soon.value}" in text
        assert f"Overdue {board.overdue.value}" in text
        assert "Actions by RAG" in text
        assert "Open actions by age" in text
        # The charts' figures print as numbers, not as the objects behind them.
        red = next(f for f in board.rag if f.label == "Red")
        assert f"Red {red.value}" in text
        assert "Figure(" not in text
        assert "overdue response" in text
        assert "overdue action" in text
        for response in content.overdue_responses:
            assert flat(response.title)[:30] in text
        assert f"What has changed since {pack.since:%-d %B %Y}" in text
        assert board.new_updates is not None
        assert f"{board.new_updates.value} actions with new progress updates" in text

        open_count = AssuranceAction.objects.filter(
            body=demo, status__in=OPEN_ACTION_STATUSES
        ).count()
        assert open_count > 10
        assert len(content.open_actions) == open_count
        assert f"All {open_count} open actions" in text
        # One row per open action, in order of target date.
        start = next(i for i, page in enumerate(pages) if f"All {open_count} open actions" in page)
        table = flat("\n".join(pages[start:]).split(f"All {open_count} open actions", 1)[1])
        positions = [table.index(flat(action.title)) for action in content.open_actions]
        assert positions == sorted(positions)
        assert_page_furniture(pages)

    def test_the_demo_pack_is_marked_because_it_lists_actions_on_the_custody_report(self, demo):
        ana = demo.members.get(user__username="ana")
        pages = pages_of(build(ana))
        for text in pages:
            assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and bottom of every page


def pdf_of(pack: BoardPack) -> PdfReader:
    with pack.file.open("rb") as handle:
        return PdfReader(io.BytesIO(handle.read()))


def open_action_rows(reader: PdfReader) -> list[list[Cell]]:
    """The open-actions table's body rows, cell by cell, as the tags give them."""
    *_others, table = tables(reader)
    header, *rows = table
    assert [c.text for c in header] == [
        "Action",
        "Report and findings",
        "Owner",
        "Target",
        "RAG",
        "Latest update",
    ]
    return rows


class TestTheTable:
    def test_a_long_table_repeats_its_header_on_every_page(self, alice, media):
        for n in range(120):
            ActionFactory.create(
                body=alice.body,
                title=f"Open action {n:03}",
                owner=alice.user,
                target_on=TODAY + (n + 1) * DAY,
                percent_complete=n % 100,
            )
        ActionFactory.create(body=alice.body, title="Closed action", status=ActionStatus.COMPLETE)
        pack = build(alice)
        pages = pages_of(pack)
        start = next(i for i, page in enumerate(pages) if "All 120 open actions" in page)
        table_pages = pages[start:]
        assert len(table_pages) >= 3
        for text in table_pages:
            assert "Owner" in text
            assert "RAG" in text
            assert "Latest" in text
        text = "\n".join(table_pages)
        for n in range(120):
            assert f"Open action {n:03}" in text
        assert "Closed action" not in text
        assert_page_furniture(pages)
        assert not any("OFFICIAL-SENSITIVE" in page for page in pages)

    def test_each_row_has_the_description_references_owner_target_slippage_rag_and_update(
        self, alice, media
    ):
        report = ReportFactory.create(body=alice.body, reference="HMICFRS-2024-07")
        action = ActionFactory.create(
            body=alice.body,
            title="Audit custody records",
            description="Dip-sample 30 custody records a quarter.",
            owner=alice.user,
            start_on=TODAY - 100 * DAY,
            target_on=TODAY - 60 * DAY,
            percent_complete=55,
            status=ActionStatus.PENDING_SIGN_OFF,
        )
        action.findings.add(
            FindingFactory.create(report=report, reference="Recommendation 3", position=3),
            FindingFactory.create(report=report, reference="AFI 2", position=9),
        )
        # Moved twice, 58 days in all (the original target and the count are what the
        # target-date changes record; the slippage partial says it).
        AssuranceAction.objects.filter(pk=action.pk).update(
            original_target_on=TODAY - 118 * DAY, slip_count=2
        )
        update = UpdateFactory.create(
            action=action, author=alice.user, text="Half the records are audited."
        )
        UpdateFactory.create(
            action=action,
            author=alice.user,
            text="An older update.",
            written_at=update.written_at - 10 * DAY,
        )
        ActionFactory.create(body=alice.body, title="Unallocated work", owner=None)
        pack = build(alice)
        rows = {
            row[0].text.split(" Dip")[0]: [c.text for c in row]
            for row in open_action_rows(pdf_of(pack))
        }
        written = timezone.localtime(update.written_at)
        assert rows["Audit custody records"] == [
            "Audit custody records Dip-sample 30 custody records a quarter.",
            "HMICFRS-2024-07 Recommendation 3, AFI 2",
            "Alice",
            f"{action.target_on:%-d %B %Y} Moved 2 times, 58 days later 60 days overdue",
            "Red 55% Pending sign-off",
            f"{written:%-d %B %Y} Half the records are audited.",
        ]
        unallocated = rows["Unallocated work"]
        assert unallocated[1] == "Not linked to a finding"
        assert unallocated[2] == "Awaiting allocation"
        assert unallocated[5] == "No updates yet"
        text = flat("\n".join(pages_of(pack)))
        assert "An older update." not in text
        assert "1 overdue action" in text
        assert "They come first in the table of open actions" in text

    def test_an_action_serving_only_a_response_names_its_report(self, alice, media):
        response = ResponseFactory.create(report__body=alice.body, report__title="Custody 2025")
        ActionFactory.create(body=alice.body, title="Reply to the chief", response=response)
        [row] = open_action_rows(pdf_of(build(alice)))
        assert row[1].text == "Custody 2025"

    def test_the_table_is_tagged_with_column_headers_and_one_row_per_action(self, alice, media):
        for n in range(40):
            ActionFactory.create(body=alice.body, title=f"Action {n:02}", target_on=TODAY + n * DAY)
        reader = pdf_of(build(alice))
        *_others, table = tables(reader)
        header, *rows = table
        assert all(c.kind == "TH" for c in header)
        assert all(c.attributes == {"/O": "/Table", "/Scope": "/Column"} for c in header)
        assert [row[0].text for row in rows] == [f"Action {n:02}" for n in range(40)]
        assert all(c.kind == "TD" for row in rows for c in row)
        # Every font is embedded, with a map back to the text.
        for page in reader.pages:
            resources: Any = page["/Resources"]
            for font in resources["/Font"].values():
                font = font.get_object()
                assert "/ToUnicode" in font
                descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
                assert "/FontFile2" in descriptor or "/FontFile3" in descriptor

    def test_a_screen_reader_meets_each_heading_then_its_table(self, alice, media):
        action = ActionFactory.create(body=alice.body, title="Custody audit")
        action.status = ActionStatus.PENDING_SIGN_OFF
        action.save()  # a status change, so both long tables are there
        reader = pdf_of(build(alice))
        order = [
            (kind, texts)
            for kind, texts in reading_order(reader)
            if kind == "/Table" or "status change since" in texts or "open action" in texts
        ]
        assert [kind for kind, _text in order][-4:] == ["/Sect", "/Table", "/Sect", "/Table"]
        assert "1 status change since" in order[-4][1]
        assert "1 open action" in order[-2][1]

    def test_no_row_is_split_and_every_page_but_the_last_is_full(self, alice, media):
        for n in range(75):
            action = ActionFactory.create(
                body=alice.body,
                title=f"Action {n:02}",
                description="Check what the force has done. " * (1 + n % 4),
                target_on=TODAY + n * DAY,
            )
            UpdateFactory.create(action=action, author=alice.user, text=f"Update {n:02}.")
        reader = pdf_of(build(alice))
        rows = open_action_rows(reader)
        assert len(rows) == 75
        for row in rows:
            assert len({cell.page for cell in row}) == 1, row[0].text  # never split
        pages = [row[0].page for row in rows]
        per_page = [pages.count(p) for p in sorted(set(pages))]
        assert len(per_page) >= 3
        assert per_page[-1] >= pdf_table.MIN_LAST_ROWS  # no page holding one row
        # Full pages: the lowest text of each page but the last is within one row of the
        # bottom margin (rows here are at most five lines high).
        lowest_row = pdf_table.MARGIN_BOTTOM + 5 * pdf_table.LEADING + 2 * pdf_table.PAD_Y
        for number in sorted(set(pages))[:-1]:
            heights = [
                y
                for text, y in text_runs(reader.pages[number])
                if y > pdf_table.MARGIN_BOTTOM and not text.startswith(("Page", "Produced"))
            ]
            assert min(heights) < lowest_row + pdf_table.LEADING, number

    def test_a_very_long_cell_is_cut_short_with_an_ellipsis_and_the_row_fits_a_page(
        self, alice, media
    ):
        action = ActionFactory.create(body=alice.body, title="Long one", description="word " * 3000)
        UpdateFactory.create(action=action, author=alice.user, text="Many words. " * 2000)
        [row] = open_action_rows(pdf_of(build(alice)))
        assert row[0].text.endswith("…")
        assert row[5].text.endswith("…")
        assert len(row[0].text) < 1000

    def test_characters_the_font_lacks_print_as_a_replacement_character(self, alice, media):
        ActionFactory.create(body=alice.body, title="Welsh ŵ ŷ and 警察 too")
        [row] = open_action_rows(pdf_of(build(alice)))
        assert row[0].text == "Welsh ŵ ŷ and \ufffd\ufffd too"


class TestLinks:
    def test_with_a_local_address_the_pack_has_no_links(self, alice, media, settings):
        settings.SITE_URL = "http://127.0.0.1:8000"
        ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY - DAY)
        assert link_targets(pdf_of(build(alice))) == []

    def test_with_a_public_address_every_link_leads_to_it(self, alice, media, settings):
        settings.SITE_URL = "https://pcc.example.gov.uk"
        ActionFactory.create(body=alice.body, owner=alice.user, target_on=TODAY - DAY)
        targets = link_targets(pdf_of(build(alice)))
        assert targets
        assert all(t.startswith("https://pcc.example.gov.uk/") for t in targets), targets


def reading_order(reader: PdfReader) -> list[tuple[str, str]]:
    """The document's top-level structure elements with the text they hold."""
    texts = marked_text(reader)
    pages = {p.indirect_reference.idnum: n for n, p in enumerate(reader.pages)}  # type: ignore[union-attr]
    trailer: Any = reader.trailer
    document = trailer["/Root"]["/StructTreeRoot"]["/K"]
    document = (document[0] if isinstance(document, list) else document).get_object()
    return [
        (
            str(kid.get_object()["/S"]),
            " ".join(texts.get(mark, "") for mark in content_of(kid.get_object(), pages)),
        )
        for kid in document["/K"]
    ]


def link_targets(reader: PdfReader) -> list[str]:
    found = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            annotation = annotation.get_object()
            action = annotation.get("/A")
            if annotation.get("/Subtype") == "/Link" and action is not None:
                found.append(str(action.get_object().get("/URI")))
    return found


def test_building_costs_the_same_number_of_queries_whatever_the_size(alice, media):
    def queries_for_a_pack() -> int:
        with CaptureQueriesContext(connection) as queries:
            build(alice)
        return len(queries)

    def add(n: int) -> None:
        for _ in range(n):
            report = ReportFactory.create(body=alice.body, published_on=TODAY - 90 * DAY)
            ResponseFactory.create(report=report)
            action = ActionFactory.create(body=alice.body, owner=alice.user)
            action.findings.add(FindingFactory.create(report=report))
            UpdateFactory.create(action=action, author=alice.user)
            action.status = ActionStatus.PENDING_SIGN_OFF
            action.save()

    add(2)
    small = queries_for_a_pack()
    add(20)
    assert queries_for_a_pack() == small


class TestMarking:
    def sensitive_report(self, body):
        return ReportFactory.create(body=body, marking=Marking.OFFICIAL_SENSITIVE)

    def test_nothing_sensitive_no_marking(self, alice, media):
        report = ReportFactory.create(body=alice.body)
        action = ActionFactory.create(body=alice.body)
        action.findings.add(FindingFactory.create(report=report))
        # A sensitive report with nothing listed from it does not mark the pack.
        self.sensitive_report(alice.body)
        pack = build(alice)
        assert pack.sensitive is False
        assert not any("OFFICIAL-SENSITIVE" in page for page in pages_of(pack))

    def test_an_open_action_on_a_sensitive_finding_marks_every_page(self, alice, media):
        action = ActionFactory.create(body=alice.body)
        action.findings.add(FindingFactory.create(report=self.sensitive_report(alice.body)))
        pack = build(alice)
        assert pack.sensitive is True
        pages = pages_of(pack)
        assert all(page.count("OFFICIAL-SENSITIVE") >= 2 for page in pages)

    def test_a_closed_action_on_a_sensitive_finding_does_not(self, alice, media):
        action = ActionFactory.create(body=alice.body, status=ActionStatus.COMPLETE)
        action.findings.add(FindingFactory.create(report=self.sensitive_report(alice.body)))
        assert build(alice).sensitive is False

    def test_unless_it_was_closed_since_the_date_and_so_is_listed_as_a_change(self, alice, media):
        action = ActionFactory.create(body=alice.body)
        action.findings.add(FindingFactory.create(report=self.sensitive_report(alice.body)))
        action.status = ActionStatus.COMPLETE
        action.save()
        assert build(alice).sensitive is True
        assert build(alice, since=TODAY + DAY).sensitive is False

    def test_a_listed_inspectorate_status_change_of_a_sensitive_finding_marks_it(
        self, alice, media
    ):
        finding = FindingFactory.create(report=self.sensitive_report(alice.body))
        assert build(alice).sensitive is False
        finding.inspectorate_status = "complete"
        finding.save()
        assert build(alice).sensitive is True

    def test_an_open_action_serving_a_sensitive_response_marks_it(self, alice, media):
        response = ResponseFactory.create(
            report__body=alice.body, marking=Marking.OFFICIAL_SENSITIVE
        )
        ActionFactory.create(body=alice.body, response=response)
        assert build(alice).sensitive is True

    def test_an_overdue_sensitive_response_marks_it(self, alice, media):
        ResponseFactory.create(
            report=self.sensitive_report(alice.body), report__published_on=TODAY - 90 * DAY
        )
        assert build(alice).sensitive is True

    def test_a_listed_status_change_of_a_sensitive_response_marks_it(self, alice, media):
        response = ResponseFactory.create(
            report=self.sensitive_report(alice.body), status="no_response_needed"
        )
        assert build(alice).sensitive is False  # created, not changed: not listed
        response.status = "draft"
        response.save()
        assert build(alice).sensitive is True

    def test_filters_leave_out_what_they_leave_out(self, alice, media):
        action = ActionFactory.create(body=alice.body)
        report = self.sensitive_report(alice.body)
        action.findings.add(FindingFactory.create(report=report))
        assert build(alice, filters={"type": ReportType.PEEL}).sensitive is False
        assert build(alice, filters={"type": report.report_type}).sensitive is True


class TestProgressAndFailure:
    def test_progress_is_recorded_stage_by_stage(self, alice, media, monkeypatch):
        pack = make_pack(alice)
        seen: list[tuple[str, str, int]] = []

        def watching(html: str, **kwargs) -> bytes:
            row = BoardPack.objects.get(pk=pack.pk)
            seen.append((row.status, row.stage, row.progress))
            return render_pdf(html, **kwargs)

        monkeypatch.setattr(packs, "render_pdf", watching)
        original_stage = packs._stage
        stages: list[str] = []

        def recording(stage):
            stages.append(str(stage))
            return original_stage(stage)

        monkeypatch.setattr(packs, "_stage", recording)
        built = board_pack_build(pack_id=pack.pk)
        assert built is not None
        assert stages == ["gathering", "listing", "laying_out", "writing", "done"]
        assert seen == [(PackStatus.RUNNING, PackStage.LAYING_OUT, 60)]
        assert (built.status, built.stage, built.progress) == ("done", "done", 100)

    def test_a_failing_render_marks_the_pack_failed_with_a_message(
        self, alice, media, monkeypatch, caplog
    ):
        def broken(html: str, **kwargs) -> bytes:
            raise RuntimeError("WeasyPrint ran out of paper")

        monkeypatch.setattr(packs, "render_pdf", broken)
        pack = build(alice)
        assert pack.status == PackStatus.FAILED
        assert pack.stage == PackStage.FAILED
        assert pack.error == "RuntimeError: WeasyPrint ran out of paper"
        assert not pack.file
        assert list(media.rglob("*.pdf")) == []
        assert f"Board pack {pack.pk} failed" in caplog.text
        assert "Traceback" in caplog.text

    def test_filters_no_longer_valid_fail_the_pack(self, alice, media):
        pack = build(alice, filters={"inspectorate": "no-such-inspectorate"})
        assert pack.status == PackStatus.FAILED
        assert pack.error == "ValueError: The filters are no longer valid (inspectorate)."

    def test_a_pack_is_built_once_even_if_the_task_runs_twice(self, alice, media):
        pack = build(alice)
        name = pack.file.name
        again = board_pack_build(pack_id=pack.pk)
        assert again is not None
        assert again.file.name == name
        assert len(list(media.rglob("*.pdf"))) == 1

    def test_the_failed_page_offers_to_try_the_same_pack_again(self, alice, media):
        pack = build(alice, filters={"inspectorate": "gone"}, since=dt.date(2026, 3, 4))
        page = signed_in(alice).get(f"/board-packs/{pack.pk}/")
        assert "The board pack could not be produced." in page.text
        assert f'<form method="post" action="/board-packs/{pack.pk}/retry/">' in page.text
        assert "Try again" in page.text


class TestStorageAndExpiry:
    def test_the_file_lives_under_the_bodys_folder_of_the_private_storage(self, alice, media):
        pack = build(alice)
        path = Path(pack.file.path)
        assert path.parent == media / "packs" / str(alice.body_id)
        assert path.suffix == ".pdf"
        assert path.read_bytes().startswith(b"%PDF-")
        assert pack.expires_at is not None
        assert pack.finished_at is not None
        assert pack.expires_at - pack.finished_at == dt.timedelta(hours=24)

    def test_the_time_to_live_is_a_setting(self, alice, media, settings):
        settings.BOARD_PACK_TTL_HOURS = 2
        pack = build(alice)
        assert pack.expires_at is not None
        assert pack.finished_at is not None
        assert pack.expires_at - pack.finished_at == dt.timedelta(hours=2)

    def test_the_cleanup_deletes_expired_packs_and_their_files(self, alice, media):
        old, fresh = build(alice), build(alice)
        BoardPack.objects.filter(pk=old.pk).update(expires_at=timezone.now() - DAY)
        stuck = make_pack(alice, expires_at=timezone.now() - DAY)  # never built
        assert board_packs_expire(now=timezone.now()) == 2
        assert list(BoardPack.objects.values_list("pk", flat=True)) == [fresh.pk]
        assert not Path(old.file.path).exists()
        assert Path(fresh.file.path).exists()
        assert not BoardPack.objects.filter(pk=stuck.pk).exists()

    def test_every_build_cleans_up_first(self, alice, media):
        old = build(alice)
        BoardPack.objects.filter(pk=old.pk).update(expires_at=timezone.now() - DAY)
        build(alice)
        assert not BoardPack.objects.filter(pk=old.pk).exists()
        assert not Path(old.file.path).exists()

    def test_the_command_cleans_up(self, alice, media):
        old = build(alice)
        BoardPack.objects.filter(pk=old.pk).update(expires_at=timezone.now() - DAY)
        out = io.StringIO()
        call_command("clean_board_packs", stdout=out)
        assert out.getvalue() == "Deleted 1 expired board pack.\n"
        assert not BoardPack.objects.exists()
        assert not Path(old.file.path).exists()

    def test_the_command_has_help(self):
        from inspections.management.commands.clean_board_packs import Command

        assert "expiry" in Command.help


class TestPackPage:
    def test_a_queued_pack_shows_its_progress_and_polls(self, ana):
        pack = make_pack(ana)
        page = signed_in(ana).get(f"/board-packs/{pack.pk}/")
        assert page.status_code == 200
        assert "<html" in page.text
        assert '<progress id="pack-progress"' in page.text
        assert '<label class="govuk-label govuk-label--s" for="pack-progress">' in page.text
        assert "0% – waiting for the background worker" in page.text
        assert 'hx-trigger="every 1s"' in page.text
        assert f'hx-get="/board-packs/{pack.pk}/?seen=queued-0"' in page.text
        assert '<noscript><meta http-equiv="refresh"' in page.text
        assert f'href="/board-packs/{pack.pk}/">Refresh' in page.text

    def test_the_poll_gets_only_the_partial(self, ana):
        pack = make_pack(ana, status=PackStatus.RUNNING, progress=40, stage=PackStage.LISTING)
        partial = signed_in(ana).get(f"/board-packs/{pack.pk}/?seen=queued-0", headers=HTMX)
        assert partial.status_code == 200
        assert "<html" not in partial.text
        assert partial.text.lstrip().startswith('<div id="pack-status"')
        assert "40% – listing open actions" in partial.text
        assert 'hx-trigger="every 1s"' in partial.text
        assert partial["Vary"] == "HX-Request" or "HX-Request" in partial["Vary"]

    def test_a_poll_with_nothing_new_gets_no_content(self, ana):
        pack = make_pack(ana, status=PackStatus.RUNNING, progress=40, stage=PackStage.LISTING)
        poll = signed_in(ana).get(f"/board-packs/{pack.pk}/?seen=running-40", headers=HTMX)
        assert poll.status_code == 204
        assert poll.content == b""

    def test_a_finished_pack_stops_polling_and_offers_the_download(self, ana, media):
        pack = build(ana)
        partial = signed_in(ana).get(f"/board-packs/{pack.pk}/?seen=running-60", headers=HTMX)
        assert "hx-trigger" not in partial.text
        assert f'href="/board-packs/{pack.pk}/download/"' in partial.text
        assert "Download the board pack (PDF," in partial.text
        page = signed_in(ana).get(f"/board-packs/{pack.pk}/")
        assert "http-equiv" not in page.text

    def test_a_sensitive_pack_says_so(self, ana, media):
        pack = make_pack(ana, status=PackStatus.DONE, sensitive=True, file="packs/x.pdf", size=1)
        page = signed_in(ana).get(f"/board-packs/{pack.pk}/")
        assert "The pack is marked OFFICIAL-SENSITIVE" in page.text

    def test_outsiders_and_expired_packs_get_404(self, ana, olly):
        pack = make_pack(ana)
        assert signed_in(olly).get(f"/board-packs/{pack.pk}/").status_code == 404
        assert signed_in(olly).get(f"/board-packs/{pack.pk}/", headers=HTMX).status_code == 404
        expired = make_pack(ana, expires_at=timezone.now() - DAY)
        assert signed_in(ana).get(f"/board-packs/{expired.pk}/").status_code == 404

    def test_the_page_refuses_posts(self, ana):
        pack = make_pack(ana)
        assert signed_in(ana).post(f"/board-packs/{pack.pk}/").status_code == 405


class TestDownload:
    def test_ana_downloads_the_pdf(self, ana, media):
        pack = build(ana)
        response = signed_in(ana).get(f"/board-packs/{pack.pk}/download/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith('attachment; filename="board-pack-')
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in response["Cache-Control"]
        assert isinstance(response, FileResponse)
        assert response.getvalue().startswith(b"%PDF-")

    def test_olly_from_another_body_gets_404(self, ana, olly, media):
        pack = build(ana)
        assert signed_in(olly).get(f"/board-packs/{pack.pk}/download/").status_code == 404

    def test_a_pack_not_done_is_404(self, ana):
        for status in (PackStatus.QUEUED, PackStatus.RUNNING, PackStatus.FAILED):
            pack = make_pack(ana, status=status)
            assert signed_in(ana).get(f"/board-packs/{pack.pk}/download/").status_code == 404

    def test_an_expired_pack_is_404_even_before_the_cleanup(self, ana, media):
        pack = build(ana)
        BoardPack.objects.filter(pk=pack.pk).update(expires_at=timezone.now() - DAY)
        assert signed_in(ana).get(f"/board-packs/{pack.pk}/download/").status_code == 404

    def test_a_missing_file_is_404(self, ana, media):
        pack = build(ana)
        Path(pack.file.path).unlink()
        assert signed_in(ana).get(f"/board-packs/{pack.pk}/download/").status_code == 404

    def test_every_role_may_download(self, alice, pat, ana, media):
        pack = build(alice)
        for member in (alice, pat, ana):
            assert signed_in(member).get(f"/board-packs/{pack.pk}/download/").status_code == 200


# Packs for a meeting ------------------------------------------------------------------


def a_meeting(body, name: str, days: int) -> Meeting:
    return Meeting.objects.create(
        body=body, name=name, kind=Forum.ACCOUNTABILITY_BOARD, held_on=TODAY + days * DAY
    )


class TestPacksForAMeeting:
    def test_the_meeting_pages_button_builds_a_pack_kept_with_the_meeting(
        self, pat, media, immediate_tasks, django_capture_on_commit_callbacks
    ):
        earlier = a_meeting(pat.body, "September board", -40)
        board = a_meeting(pat.body, "December board", 10)
        ActionFactory.create(body=pat.body, title="Due before the board", target_on=TODAY + DAY)
        client = signed_in(pat)
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post("/board-packs/", {"meeting": str(board.pk)})
        pack = BoardPack.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/board-packs/{pack.pk}/"
        assert pack.meeting == board
        assert pack.since == earlier.held_on  # changes since the meeting before
        assert pack.status == PackStatus.DONE, pack.error
        assert pack.expires_at is None  # kept: the record of what the meeting saw
        text = flat("\n".join(pages_of(pack)))
        assert f"For the meeting December board, {board.held_on:%-d %B %Y}" in text
        assert f"Due before the meeting on {board.held_on:%-d %B %Y}" in text
        page = client.get(f"/board-packs/{pack.pk}/").text
        assert "It is kept with the meeting “December board”" in page
        assert f'href="/meetings/{board.pk}/"' in page

    def test_it_is_listed_on_the_meeting_and_earlier_meetings_keep_theirs(self, pat, media):
        earlier = a_meeting(pat.body, "September board", -40)
        board = a_meeting(pat.body, "December board", 10)
        old = build(pat, meeting=earlier, expires_at=None)
        new = build(pat, meeting=board, expires_at=None)
        assert old.expires_at is None
        assert new.expires_at is None
        # Years later the cleanup still leaves them.
        assert board_packs_expire(now=timezone.now() + dt.timedelta(days=3650)) == 0
        client = signed_in(pat)
        for meeting, pack, other in ((earlier, old, new), (board, new, old)):
            page = client.get(f"/meetings/{meeting.pk}/").text
            assert f'href="/board-packs/{pack.pk}/download/"' in page
            assert f"/board-packs/{other.pk}/" not in page
        listing = client.get("/board-packs/").text
        assert "For the meeting: September board" in listing
        assert "For the meeting: December board" in listing
        assert client.get(f"/board-packs/{old.pk}/download/").status_code == 200

    def test_any_pack_changes_since_the_last_meeting_by_default_as_the_dashboard(
        self, ana, dummy_tasks
    ):
        last = a_meeting(ana.body, "Panel", -9)
        a_meeting(ana.body, "Next board", 5)
        signed_in(ana).post("/board-packs/", {"since": ""})
        pack = BoardPack.objects.get()
        assert pack.since == last.held_on
        assert pack.meeting is None
        assert pack.expires_at is not None

    def test_another_bodys_meeting_or_no_meeting_at_all_is_not_found(self, pat, olly, dummy_tasks):
        theirs = a_meeting(olly.body, "Their board", 10)
        client = signed_in(pat)
        assert client.post("/board-packs/", {"meeting": str(theirs.pk)}).status_code == 404
        assert client.post("/board-packs/", {"meeting": "999999"}).status_code == 404
        assert client.post("/board-packs/", {"meeting": "x; drop"}).status_code == 404
        assert not BoardPack.objects.exists()
        assert dummy_tasks.results == []

    def test_a_force_contributor_cannot_build_one(self, cora, dummy_tasks):
        board = a_meeting(cora.body, "Board", 10)
        response = signed_in(cora).post("/board-packs/", {"meeting": str(board.pk)})
        assert response.status_code == 404
        assert not BoardPack.objects.exists()


# Builds whose worker died -------------------------------------------------------------


def stalled(member, minutes: int = 10, **kwargs) -> BoardPack:
    """A pack left "running" by a worker that died `minutes` ago."""
    beat = timezone.now() - dt.timedelta(minutes=minutes)
    return make_pack(
        member,
        status=PackStatus.RUNNING,
        stage=PackStage.LAYING_OUT,
        progress=60,
        attempts=1,
        heartbeat_at=beat,
        **kwargs,
    )


class TestAWorkerThatDied:
    def test_viewing_the_pack_marks_it_failed_with_a_message_and_a_retry_button(self, ana):
        pack = stalled(ana)
        page = signed_in(ana).get(f"/board-packs/{pack.pk}/")
        pack.refresh_from_db()
        assert pack.status == PackStatus.FAILED
        assert pack.stage == PackStage.FAILED
        assert pack.error == (
            "The background worker stopped while producing this pack (no sign of life for "
            "2 minutes)."
        )
        assert "The board pack could not be produced." in page.text
        assert "The background worker stopped while producing this pack" in page.text
        assert f'action="/board-packs/{pack.pk}/retry/"' in page.text
        assert 'name="csrfmiddlewaretoken"' in page.text
        assert "hx-trigger" not in page.text  # no more polling

    def test_a_poll_notices_it_too(self, ana):
        pack = stalled(ana)
        partial = signed_in(ana).get(f"/board-packs/{pack.pk}/?seen=running-60", headers=HTMX)
        assert partial.status_code == 200
        assert "Try again" in partial.text

    def test_the_list_and_the_meeting_page_notice_it(self, pat):
        board = a_meeting(pat.body, "Board", 10)
        listed, on_meeting = stalled(pat), stalled(pat, meeting=board, expires_at=None)
        client = signed_in(pat)
        assert "Failed" in client.get("/board-packs/").text
        listed.refresh_from_db()
        assert listed.status == PackStatus.FAILED
        BoardPack.objects.filter(pk=on_meeting.pk).update(
            status=PackStatus.RUNNING, heartbeat_at=timezone.now() - dt.timedelta(hours=1)
        )
        assert "Failed" in client.get(f"/meetings/{board.pk}/").text
        on_meeting.refresh_from_db()
        assert on_meeting.status == PackStatus.FAILED

    def test_a_build_with_a_recent_heartbeat_is_left_running(self, ana):
        pack = stalled(ana, minutes=1)
        signed_in(ana).get(f"/board-packs/{pack.pk}/")
        pack.refresh_from_db()
        assert pack.status == PackStatus.RUNNING

    def test_the_timeout_is_a_setting(self, ana, settings):
        settings.BOARD_PACK_STALE_SECONDS = 30
        pack = stalled(ana, minutes=1)
        assert packs.board_packs_reap(now=timezone.now()) == 1
        pack.refresh_from_db()
        assert pack.status == PackStatus.FAILED
        assert "(no sign of life for 1 minutes)." in pack.error

    def test_the_daily_cleanup_notices_it(self, ana):
        pack = stalled(ana)
        out = io.StringIO()
        call_command("clean_board_packs", stdout=out)
        assert out.getvalue() == (
            "Deleted 0 expired board packs.\nMarked 1 stalled board pack as failed.\n"
        )
        pack.refresh_from_db()
        assert pack.status == PackStatus.FAILED

    def test_the_build_touches_the_heartbeat_as_it_goes(self, alice, media, monkeypatch):
        pack = make_pack(alice)
        beats: list[dt.datetime | None] = []

        def watching(html: str, **kwargs) -> bytes:
            beats.append(BoardPack.objects.get(pk=pack.pk).heartbeat_at)
            return render_pdf(html, **kwargs)

        monkeypatch.setattr(packs, "render_pdf", watching)
        started = timezone.now()
        built = board_pack_build(pack_id=pack.pk)
        assert built is not None
        [beat] = beats
        assert beat is not None
        assert beat >= started
        assert built.heartbeat_at is not None
        assert built.heartbeat_at >= beat
        assert built.attempts == 1

    def test_a_long_table_beats_while_it_is_drawn(self, alice, media, monkeypatch):
        for n in range(30):
            ActionFactory.create(body=alice.body, title=f"Action {n}")
        pack = make_pack(alice, status=PackStatus.RUNNING, attempts=1)
        monkeypatch.setattr(packs, "BEAT_SECONDS", 0.0)
        heartbeat = packs._Heartbeat(pack.pk, 1)
        seen: list[int] = []

        def beat(done: float) -> None:
            heartbeat(done)
            seen.append(BoardPack.objects.get(pk=pack.pk).progress)

        content = packs.gather(body=alice.body, filters={}, since=TODAY, today=TODAY)
        packs.render_document(content, produced=timezone.localtime(), on_progress=beat)
        assert seen
        assert all(60 <= p < 90 for p in seen)
        assert seen == sorted(seen)


class TestTryingAgain:
    def test_an_exporter_retries_and_a_new_worker_builds_it(
        self, ana, media, dummy_tasks, django_capture_on_commit_callbacks
    ):
        pack = stalled(ana)
        client = signed_in(ana)
        client.get(f"/board-packs/{pack.pk}/")  # noticed: failed
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(f"/board-packs/{pack.pk}/retry/")
        assert response.status_code == 302
        assert response["Location"] == f"/board-packs/{pack.pk}/"
        pack.refresh_from_db()
        assert (pack.status, pack.stage, pack.progress, pack.error) == (
            PackStatus.QUEUED,
            PackStage.WAITING,
            0,
            "",
        )
        [queued] = dummy_tasks.results
        assert queued.task.module_path == build_board_pack.module_path
        assert list(queued.args) == [pack.pk]
        # The new worker takes it up.
        built = board_pack_build(pack_id=pack.pk)
        assert built is not None
        assert built.status == PackStatus.DONE, built.error
        assert built.attempts == 2
        assert "Download the board pack" in client.get(f"/board-packs/{pack.pk}/").text

    def test_posting_twice_queues_it_once(
        self, ana, dummy_tasks, django_capture_on_commit_callbacks
    ):
        pack = stalled(ana)
        packs.board_packs_reap(now=timezone.now())
        client = signed_in(ana)
        with django_capture_on_commit_callbacks(execute=True):
            client.post(f"/board-packs/{pack.pk}/retry/")
            client.post(f"/board-packs/{pack.pk}/retry/")
        assert len(dummy_tasks.results) == 1

    def test_a_pack_that_did_not_fail_is_left_alone(self, ana, media, dummy_tasks):
        done = build(ana)
        response = signed_in(ana).post(f"/board-packs/{done.pk}/retry/")
        assert response.status_code == 302
        done.refresh_from_db()
        assert done.status == PackStatus.DONE
        assert dummy_tasks.results == []

    def test_a_retried_meeting_pack_is_still_kept(self, pat, media, dummy_tasks):
        board = a_meeting(pat.body, "Board", 10)
        pack = stalled(pat, meeting=board, expires_at=None)
        packs.board_packs_reap(now=timezone.now())
        signed_in(pat).post(f"/board-packs/{pack.pk}/retry/")
        pack.refresh_from_db()
        assert pack.status == PackStatus.QUEUED
        assert pack.expires_at is None

    def test_it_is_post_only_csrf_checked_and_for_the_bodys_exporters(self, ana, olly, cora):
        pack = stalled(ana)
        packs.board_packs_reap(now=timezone.now())
        assert signed_in(ana).get(f"/board-packs/{pack.pk}/retry/").status_code == 405
        assert signed_in(olly).post(f"/board-packs/{pack.pk}/retry/").status_code == 404
        assert signed_in(cora).post(f"/board-packs/{pack.pk}/retry/").status_code == 404
        strict = Client(enforce_csrf_checks=True)
        strict.force_login(ana.user)
        assert strict.post(f"/board-packs/{pack.pk}/retry/").status_code == 403
        pack.refresh_from_db()
        assert pack.status == PackStatus.FAILED

    def test_a_build_that_lost_its_pack_keeps_nothing(self, alice, media, monkeypatch):
        pack = make_pack(alice)

        def slow_worker(html: str, **kwargs) -> bytes:
            # Meanwhile the pack was marked stalled and retried: it belongs to a new run.
            packs.board_packs_reap(now=timezone.now() + dt.timedelta(hours=1))
            BoardPack.objects.filter(pk=pack.pk).update(status=PackStatus.QUEUED)
            return render_pdf(html, **kwargs)

        monkeypatch.setattr(packs, "render_pdf", slow_worker)
        built = board_pack_build(pack_id=pack.pk)
        assert built is not None
        assert built.status == PackStatus.QUEUED
        assert not built.file
        assert list(media.rglob("*.pdf")) == []
