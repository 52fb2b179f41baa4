"""Board packs: requesting one queues the task; the task builds the PDF (figures, charts,
overdue items, changes, every open action with its header on each page, page numbers,
production date, marking) and records its progress; packs expire; downloads are for the
body's members only."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.http import FileResponse
from django.tasks import task_backends
from django.tasks.backends.dummy import DummyBackend
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfReader

from inspections import packs
from inspections.models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssuranceAction,
    BoardPack,
    Marking,
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

pytestmark = pytest.mark.django_db

DUMMY_TASKS = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
IMMEDIATE_TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


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
        # The dashboard's figures (dashboard.build: nine more since its trends, breakdown
        # by report and assurance levels), then the pack's own lists.
        with django_assert_max_num_queries(32):
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
        # One row per open action: each row, and nothing else on these pages, has a "%".
        start = next(i for i, page in enumerate(pages) if f"All {open_count} open actions" in page)
        table = "\n".join(pages[start:]).split(f"All {open_count} open actions", 1)[1]
        assert table.count("%") == open_count
        assert_page_furniture(pages)

    def test_the_demo_pack_is_marked_because_it_lists_actions_on_the_custody_report(self, demo):
        ana = demo.members.get(user__username="ana")
        pages = pages_of(build(ana))
        for text in pages:
            assert text.count("OFFICIAL-SENSITIVE") >= 2  # top and bottom of every page


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

    def test_each_row_has_owner_target_status_percent_rag_and_latest_update(self, alice, media):
        action = ActionFactory.create(
            body=alice.body,
            title="Audit custody records",
            owner=alice.user,
            start_on=TODAY - 100 * DAY,
            target_on=TODAY - 2 * DAY,
            percent_complete=55,
            status=ActionStatus.PENDING_SIGN_OFF,
        )
        update = UpdateFactory.create(action=action, author=alice.user)
        UpdateFactory.create(
            action=action, author=alice.user, written_at=update.written_at - 10 * DAY
        )
        ActionFactory.create(body=alice.body, title="Unallocated work", owner=None)
        text = flat("\n".join(pages_of(build(alice))))
        row = (
            f"Audit custody records Alice {action.target_on:%-d %b %Y} Pending sign-off 55% Red "
            f"{timezone.localtime(update.written_at):%-d %b %Y}"
        )
        assert row in text
        assert "Unallocated work Awaiting allocation" in text
        assert "None yet" in text
        assert "1 overdue action" in text


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

        def watching(html: str) -> bytes:
            row = BoardPack.objects.get(pk=pack.pk)
            seen.append((row.status, row.stage, row.progress))
            return render_pdf(html)

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
        def broken(html: str) -> bytes:
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

    def test_the_failed_page_offers_to_try_again_with_the_same_filters(self, alice, media):
        pack = build(alice, filters={"inspectorate": "gone"}, since=dt.date(2026, 3, 4))
        page = signed_in(alice).get(f"/board-packs/{pack.pk}/")
        assert "The board pack could not be produced." in page.text
        assert '<input type="hidden" name="inspectorate" value="gone">' in page.text
        assert '<input type="hidden" name="since" value="2026-03-04">' in page.text
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
