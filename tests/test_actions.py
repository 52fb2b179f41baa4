from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from pypdf import PdfWriter

from inspections.models import ActionStatus, AssuranceAction, Evidence, ProgressUpdate
from inspections.services import actions as services

from .factories import (
    ActionFactory,
    EvidenceFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    UpdateFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    """Uploads land in a temporary folder, never in var/private."""
    settings.MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT)


@pytest.fixture
def action(alice):
    return ActionFactory.create(
        body=alice.body,
        title="Improve call handling",
        start_on=TODAY - 100 * DAY,
        target_on=TODAY + 100 * DAY,
        percent_complete=50,
    )


def titles(response) -> list[str]:
    return [a.title for a in response.context["page"].object_list]


def action_data(**overrides) -> dict[str, object]:
    data = {
        "title": "Check the vetting backlog is cleared",
        "description": "The force reports monthly to the accountability board.",
        "owner": "",
        "force_lead": "Deputy Chief Constable",
        "start_on": "2026-01-05",
        "target_on": "2026-06-30",
        "status": ActionStatus.IN_PROGRESS,
        "percent_complete": "20",
        "completed_on": "",
        "assurance_level": "",
        "assurance_evidence": "",
        "forum": "accountability_board",
        "response": "",
    }
    return data | overrides


def edit_data(action: AssuranceAction, **overrides) -> dict[str, object]:
    return (
        action_data(
            title=action.title,
            start_on=action.start_on.isoformat(),
            target_on=action.target_on.isoformat(),
            status=action.status,
            percent_complete=str(action.percent_complete),
            version=str(action.version),
        )
        | overrides
    )


def real_pdf() -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=72, height=72)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def upload(name: str, data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def count_queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


class TestTheList:
    def test_it_lists_only_the_users_own_bodys_actions_with_their_columns(
        self, alice_client, alice, olly
    ):
        ours = ActionFactory.create(
            body=alice.body, title="Ours", owner=alice.user, target_on=dt.date(2026, 12, 31)
        )
        ours.findings.add(*FindingFactory.create_batch(2, report__body=alice.body))
        ActionFactory.create(body=olly.body, title="Theirs")
        response = alice_client.get("/actions/")
        assert response.status_code == 200
        assert titles(response) == ["Ours"]
        assert f'href="/actions/{ours.pk}/"' in response.text
        assert "Alice" in response.text
        assert "31 December 2026" in response.text
        assert "In progress" in response.text
        assert "app-rag" in response.text
        assert response.context["page"].object_list[0].finding_count == 2

    def test_an_outsider_sees_only_their_own_bodys_list(self, olly_client, alice, olly):
        ActionFactory.create(body=alice.body, title="Ours")
        response = olly_client.get("/actions/", headers=HTMX)
        assert response.status_code == 200
        assert titles(response) == []
        assert "Ours" not in response.text

    def test_htmx_gets_only_the_results(self, alice_client, action):
        response = alice_client.get("/actions/?q=call", headers=HTMX)
        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'id="results"' in response.text
        assert "Improve call handling" in response.text
        full = alice_client.get("/actions/?q=call")
        assert "<html" in full.text
        assert 'hx-get="/actions/"' in full.text

    def test_it_refuses_posts(self, alice_client):
        assert alice_client.post("/actions/").status_code == 405

    def test_the_rag_filter_returns_exactly_the_actions_of_that_colour(
        self, alice_client, alice, olly
    ):
        running = {"start_on": TODAY - 100 * DAY, "target_on": TODAY + 100 * DAY}
        make = ActionFactory.create
        make(body=alice.body, title="Blue", status=ActionStatus.COMPLETE, **running)
        make(body=alice.body, title="Grey", status=ActionStatus.NOT_ADOPTED, **running)
        make(body=alice.body, title="Late", start_on=TODAY - 100 * DAY, target_on=TODAY - DAY)
        make(body=alice.body, title="Slow", percent_complete=10, **running)
        make(body=alice.body, title="Amber", percent_complete=30, **running)
        make(body=alice.body, title="Green", percent_complete=50, **running)
        make(body=olly.body, title="Their red", percent_complete=0, **running)
        expected = {
            "red": {"Late", "Slow"},
            "amber": {"Amber"},
            "green": {"Green"},
            "blue": {"Blue"},
            "grey": {"Grey"},
        }
        for colour, wanted in expected.items():
            response = alice_client.get(f"/actions/?rag={colour}")
            assert set(titles(response)) == wanted, colour
            for action in response.context["page"].object_list:
                assert action.rag(TODAY) == colour

    def test_the_mine_filter_shows_only_the_signed_in_users_actions(self, alice_client, alice, pat):
        ActionFactory.create(body=alice.body, title="Alice's", owner=alice.user)
        ActionFactory.create(body=alice.body, title="Pat's", owner=pat.user)
        ActionFactory.create(body=alice.body, title="Nobody's")
        assert titles(alice_client.get("/actions/?mine=on")) == ["Alice's"]

    def test_it_filters_by_owner_or_awaiting_allocation(self, alice_client, alice, pat, olly):
        ActionFactory.create(body=alice.body, title="Alice's", owner=alice.user)
        ActionFactory.create(body=alice.body, title="Pat's", owner=pat.user)
        ActionFactory.create(body=alice.body, title="Nobody's")
        assert titles(alice_client.get(f"/actions/?owner={pat.user.pk}")) == ["Pat's"]
        assert titles(alice_client.get("/actions/?owner=none")) == ["Nobody's"]
        page = alice_client.get("/actions/")
        assert "Awaiting allocation" in page.text
        # Only members of the body are offered, and another body's member is no filter.
        assert str(olly.user.first_name) not in page.text
        refused = alice_client.get(f"/actions/?owner={olly.user.pk}")
        assert len(titles(refused)) == 3
        assert "govuk-error-message" in refused.text

    def test_it_filters_by_status_due_window_and_title(self, alice_client, alice):
        start = TODAY - 200 * DAY
        make = ActionFactory.create
        make(body=alice.body, title="Overdue", start_on=start, target_on=TODAY - DAY)
        make(body=alice.body, title="Done late", start_on=start, target_on=TODAY - DAY,
             status=ActionStatus.COMPLETE)  # fmt: skip
        make(body=alice.body, title="Soon", start_on=start, target_on=TODAY + 20 * DAY)
        make(body=alice.body, title="Later", start_on=start, target_on=TODAY + 60 * DAY)
        make(body=alice.body, title="Far", start_on=start, target_on=TODAY + 200 * DAY,
             status=ActionStatus.PENDING_SIGN_OFF)  # fmt: skip
        assert titles(alice_client.get("/actions/?due=overdue")) == ["Overdue"]
        assert titles(alice_client.get("/actions/?due=30")) == ["Soon"]
        assert titles(alice_client.get("/actions/?due=90")) == ["Soon", "Later"]
        assert titles(alice_client.get("/actions/?status=pending_sign_off")) == ["Far"]
        assert titles(alice_client.get("/actions/?status=complete")) == ["Done late"]
        assert titles(alice_client.get("/actions/?q=LATE")) == ["Done late", "Later"]

    def test_it_sorts_and_paginates_keeping_the_filters(self, alice_client, alice):
        for n in range(30):
            ActionFactory.create(
                body=alice.body,
                title=f"Action {29 - n:02}",
                start_on=dt.date(2026, 1, 1),
                target_on=dt.date(2026, 2, 1) + n * DAY,
            )
        by_target = alice_client.get("/actions/?q=Action")
        assert titles(by_target)[:2] == ["Action 29", "Action 28"]
        assert 'href="?q=Action&amp;page=2"' in by_target.text
        by_title = alice_client.get("/actions/?sort=title&q=Action&page=2")
        assert titles(by_title) == [f"Action {n}" for n in range(25, 30)]
        assert titles(alice_client.get("/actions/?sort=newest"))[0] == "Action 00"

    def test_the_query_count_does_not_grow_with_the_actions(
        self, alice_client, alice, pat, django_assert_max_num_queries
    ):
        def make(n: int) -> None:
            for i in range(n):
                action = ActionFactory.create(
                    body=alice.body, owner=(alice.user, pat.user, None)[i % 3]
                )
                action.findings.add(FindingFactory.create(report__body=alice.body))

        url = "/actions/?rag=green&sort=title"
        make(3)
        few = count_queries(alice_client, url), count_queries(alice_client, "/actions/")
        make(27)
        many = count_queries(alice_client, url), count_queries(alice_client, "/actions/")
        assert few == many
        with django_assert_max_num_queries(7):
            assert alice_client.get(url).status_code == 200


class TestCreating:
    def test_an_editor_adds_an_action_to_her_body(self, alice_client, alice, pat):
        page = alice_client.get("/actions/new/")
        assert page.status_code == 200
        assert 'name="start_on-day"' in page.text  # the GOV.UK date input, not type="date"
        response = alice_client.post("/actions/new/", action_data(owner=pat.user.pk))
        action = AssuranceAction.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/actions/{action.pk}/"
        assert (action.body, action.owner, action.percent_complete) == (alice.body, pat.user, 20)
        assert action.version == 1

    def test_an_approver_adds_one_too(self, pat):
        from .conftest import signed_in

        assert signed_in(pat).post("/actions/new/", action_data()).status_code == 302
        assert AssuranceAction.objects.count() == 1

    def test_owners_and_responses_come_from_the_users_own_body_only(
        self, alice_client, alice, pat, olly
    ):
        ours = ResponseFactory.create(report__body=alice.body)
        theirs = ResponseFactory.create(report__body=olly.body)
        form = alice_client.get("/actions/new/").context["form"]
        assert set(form.fields["owner"].queryset) == {alice.user, pat.user}
        assert list(form.fields["response"].queryset) == [ours]
        response = alice_client.post(
            "/actions/new/", action_data(owner=olly.user.pk, response=theirs.pk)
        )
        assert response.status_code == 422
        assert 'href="#id_owner"' in response.text
        assert 'href="#id_response"' in response.text
        assert not AssuranceAction.objects.exists()

    def test_invalid_input_is_kept_and_the_errors_are_linked_from_a_summary(self, alice_client):
        data = action_data(
            title="Keep my words", start_on="2026-06-01", target_on="2026-05-01",
            percent_complete="150",
        )  # fmt: skip
        response = alice_client.post("/actions/new/", data)
        assert response.status_code == 422
        assert "There is a problem" in response.text
        assert 'href="#id_target_on-day"' in response.text
        assert 'href="#id_percent_complete"' in response.text
        assert "The target date cannot be before the start date." in response.text
        assert 'value="Keep my words"' in response.text
        assert not AssuranceAction.objects.exists()

    def test_htmx_gets_the_form_alone_and_a_redirect_it_follows(self, alice_client):
        form = alice_client.get("/actions/new/", headers=HTMX)
        assert form.status_code == 200
        assert "<html" not in form.text
        assert 'id="action-form"' in form.text
        invalid = alice_client.post("/actions/new/", action_data(title=""), headers=HTMX)
        assert invalid.status_code == 422
        assert "<html" not in invalid.text
        saved = alice_client.post("/actions/new/", action_data(), headers=HTMX)
        assert saved["HX-Redirect"] == f"/actions/{AssuranceAction.objects.get().pk}/"

    def test_a_complete_action_without_a_date_is_completed_today(self, alice_client):
        alice_client.post(
            "/actions/new/", action_data(status=ActionStatus.COMPLETE, percent_complete="100")
        )
        action = AssuranceAction.objects.get()
        assert action.completed_on == TODAY
        assert action.percent_complete == 100

    def test_an_analyst_cannot_add_an_action(self, ana_client):
        assert ana_client.get("/actions/new/").status_code == 403
        assert ana_client.post("/actions/new/", action_data()).status_code == 403
        assert ana_client.post("/actions/new/", action_data(), headers=HTMX).status_code == 403
        assert not AssuranceAction.objects.exists()

    def test_it_refuses_other_methods(self, alice_client):
        assert alice_client.delete("/actions/new/").status_code == 405


class TestTheActionPage:
    def test_it_shows_the_facts_findings_timeline_and_evidence(self, alice_client, alice, action):
        response_record = ResponseFactory.create(report__body=alice.body)
        action.owner = alice.user
        action.force_lead = "ACC Operations"
        action.assurance_level = "reasonable"
        action.assurance_evidence = "Dip sample of 50 calls."
        action.forum = "joint_audit_committee"
        action.response = response_record
        action.save()
        finding = FindingFactory.create(report__body=alice.body, reference="AFI 3")
        action.findings.add(finding)
        UpdateFactory.create(action=action, author=alice.user, text="Training has started.")
        EvidenceFactory.create(action=action, uploaded_by=alice.user)

        page = alice_client.get(f"/actions/{action.pk}/")
        assert page.status_code == 200
        text = page.text
        for expected in [
            "Improve call handling", "Alice", "ACC Operations", "Reasonable",
            "Dip sample of 50 calls.", "Joint audit committee", "50%", "Green",
            f'href="/responses/{response_record.pk}/"', "AFI 3", finding.report.title,
            f'href="/reports/{finding.report_id}/#finding-{finding.pk}"', "Unlink",
            "Training has started.", "board-minutes.pdf", 'enctype="multipart/form-data"',
            'hx-trigger="input changed delay:300ms, search"', 'id="picker-results"',
            (TODAY - 100 * DAY).strftime("%-d %B %Y"),
        ]:  # fmt: skip
            assert expected in text, expected

    def test_htmx_gets_only_the_facts(self, alice_client, action):
        response = alice_client.get(f"/actions/{action.pk}/", headers=HTMX)
        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'id="facts"' in response.text

    def test_another_bodys_action_is_not_found(self, olly_client, action):
        assert olly_client.get(f"/actions/{action.pk}/").status_code == 404
        assert olly_client.get(f"/actions/{action.pk}/", headers=HTMX).status_code == 404

    def test_it_refuses_posts(self, alice_client, action):
        assert alice_client.post(f"/actions/{action.pk}/").status_code == 405

    def test_an_analyst_reads_everything_but_sees_no_forms(self, ana_client, ana, action):
        action.findings.add(FindingFactory.create(report__body=ana.body, reference="AFI 9"))
        UpdateFactory.create(action=action, text="Training has started.")
        EvidenceFactory.create(action=action)
        page = ana_client.get(f"/actions/{action.pk}/")
        assert page.status_code == 200
        assert "AFI 9" in page.text
        assert "Training has started." in page.text
        assert "board-minutes.pdf" in page.text
        assert '<form method="post"' not in page.text.split('id="main-content"')[1]
        assert "Unlink" not in page.text
        assert f"/actions/{action.pk}/edit/" not in page.text
        assert 'id="picker-results"' not in page.text

    def test_the_query_count_does_not_grow_with_updates_findings_and_evidence(
        self, alice_client, alice, pat, action, django_assert_max_num_queries
    ):
        def grow(n: int) -> None:
            for i in range(n):
                author = (alice.user, pat.user)[i % 2]
                UpdateFactory.create(action=action, author=author)
                action.findings.add(FindingFactory.create(report__body=alice.body))
                EvidenceFactory.create(action=action, uploaded_by=author)
                current = AssuranceAction.objects.get(pk=action.pk)
                services.action_update(
                    action=current,
                    version=current.version,
                    target_on=current.target_on + DAY,
                    target_reason=f"Move {i}",
                    by=author,
                )

        url = f"/actions/{action.pk}/"
        grow(3)
        few = count_queries(alice_client, url)
        grow(27)
        assert count_queries(alice_client, url) == few
        with django_assert_max_num_queries(8):
            assert alice_client.get(url).status_code == 200


class TestEditing:
    def test_an_editor_saves_the_action_and_the_version_moves_on(self, alice_client, action):
        response = alice_client.post(
            f"/actions/{action.pk}/edit/", edit_data(action, title="Answer calls faster")
        )
        assert response.status_code == 302
        assert response["Location"] == f"/actions/{action.pk}/"
        action.refresh_from_db()
        assert (action.title, action.version) == ("Answer calls faster", 2)

    def test_it_saves_only_the_forms_fields(self, alice_client, action):
        with CaptureQueriesContext(connection) as queries:
            alice_client.post(f"/actions/{action.pk}/edit/", edit_data(action))
        updates = [
            q["sql"] for q in queries if q["sql"].startswith('UPDATE "inspections_assuranceaction"')
        ]
        assert updates
        assert all('"body_id"' not in sql and '"created_at"' not in sql for sql in updates)

    def test_a_save_over_someone_elses_change_is_refused_and_keeps_the_text(
        self, alice_client, action
    ):
        AssuranceAction.objects.filter(pk=action.pk).update(title="Their title", version=2)
        data = edit_data(action, title="My title", description="My careful words", version="1")
        response = alice_client.post(f"/actions/{action.pk}/edit/", data)
        assert response.status_code == 409
        assert "Someone else changed this action" in response.text
        assert '<td class="govuk-table__cell app-prose" data-testid="theirs">Their title</td>' in (
            response.text
        )
        assert '<td class="govuk-table__cell app-prose" data-testid="yours">My title</td>' in (
            response.text
        )
        assert "My careful words" in response.text
        assert 'value="My title"' in response.text
        assert 'name="version" value="2"' in response.text
        action.refresh_from_db()
        assert (action.title, action.version) == ("Their title", 2)

    def test_a_progress_update_since_the_form_opened_is_kept_with_the_edit(
        self, alice_client, action
    ):
        data = edit_data(action, title="My title")
        alice_client.post(
            f"/actions/{action.pk}/updates/",
            {"text": "Done", "status": "complete", "percent_complete": "100"},
        )
        response = alice_client.post(f"/actions/{action.pk}/edit/", data, follow=True)
        assert response.redirect_chain == [(f"/actions/{action.pk}/", 302)]
        assert "theirs were kept too (status, percent complete, completed on)" in response.text
        action.refresh_from_db()
        assert (action.title, action.status, action.percent_complete, action.version) == (
            "My title", "complete", 100, 3,
        )  # fmt: skip

    def test_invalid_input_is_kept_with_an_error_summary(self, alice_client, action):
        data = edit_data(action, title="Kept", target_on="2000-01-01")
        response = alice_client.post(f"/actions/{action.pk}/edit/", data)
        assert response.status_code == 422
        assert 'href="#id_target_on-day"' in response.text
        assert 'value="Kept"' in response.text
        action.refresh_from_db()
        assert (action.title, action.version) == ("Improve call handling", 1)

    def test_only_a_complete_action_has_a_completion_date(self, alice_client, action):
        data = edit_data(action, completed_on=TODAY.isoformat())
        response = alice_client.post(f"/actions/{action.pk}/edit/", data)
        assert response.status_code == 422
        assert 'href="#id_completed_on-day"' in response.text
        data |= {"status": ActionStatus.COMPLETE, "percent_complete": "100"}
        assert alice_client.post(f"/actions/{action.pk}/edit/", data).status_code == 302
        action.refresh_from_db()
        assert (action.status, action.completed_on) == ("complete", TODAY)

    def test_htmx_gets_only_the_form(self, alice_client, action):
        response = alice_client.get(f"/actions/{action.pk}/edit/", headers=HTMX)
        assert response.status_code == 200
        assert "<html" not in response.text
        assert 'name="version" value="1"' in response.text

    def test_another_bodys_action_is_not_found(self, olly_client, action):
        url = f"/actions/{action.pk}/edit/"
        assert olly_client.get(url).status_code == 404
        assert olly_client.post(url, edit_data(action, title="Hijacked")).status_code == 404
        assert olly_client.post(url, edit_data(action), headers=HTMX).status_code == 404
        action.refresh_from_db()
        assert action.title == "Improve call handling"

    def test_an_analyst_cannot_edit(self, ana_client, action):
        url = f"/actions/{action.pk}/edit/"
        assert ana_client.get(url).status_code == 403
        assert ana_client.post(url, edit_data(action, title="Changed")).status_code == 403
        assert ana_client.post(url, edit_data(action), headers=HTMX).status_code == 403
        action.refresh_from_db()
        assert (action.title, action.version) == ("Improve call handling", 1)

    def test_it_refuses_other_methods(self, alice_client, action):
        assert alice_client.delete(f"/actions/{action.pk}/edit/").status_code == 405


class TestProgressUpdates:
    def test_an_update_is_kept_and_moves_the_action_on(self, alice_client, alice, action):
        response = alice_client.post(
            f"/actions/{action.pk}/updates/",
            {
                "text": "  Half the staff trained.  ",
                "status": "in_progress",
                "percent_complete": "60",
            },
            follow=True,
        )
        assert response.redirect_chain == [(f"/actions/{action.pk}/#timeline", 302)]
        assert "Progress update added." in response.text
        update = ProgressUpdate.objects.get()
        assert (update.text, update.author, update.percent_complete) == (
            "Half the staff trained.", alice.user, 60,
        )  # fmt: skip
        action.refresh_from_db()
        assert (action.percent_complete, action.version) == (60, 2)

    def test_a_note_alone_changes_nothing_on_the_action(self, alice_client, action):
        alice_client.post(f"/actions/{action.pk}/updates/", {"text": "Meeting held."})
        action.refresh_from_db()
        assert (action.status, action.percent_complete, action.version) == ("in_progress", 50, 1)
        assert ProgressUpdate.objects.get().status == ""

    def test_completing_through_an_update_records_the_completion_date(self, alice_client, action):
        # Complete means 100%: an update saying complete at 50% is refused.
        refused = alice_client.post(
            f"/actions/{action.pk}/updates/", {"text": "Signed off.", "status": "complete"}
        )
        assert refused.status_code == 422
        alice_client.post(
            f"/actions/{action.pk}/updates/",
            {"text": "Signed off.", "status": "complete", "percent_complete": "100"},
        )
        action.refresh_from_db()
        assert (action.status, action.completed_on, action.percent_complete) == (
            "complete", TODAY, 100,
        )  # fmt: skip

    def test_reopening_through_an_update_clears_the_completion_date(self, alice_client, action):
        action.status, action.completed_on = ActionStatus.COMPLETE, TODAY - DAY
        action.save()
        alice_client.post(
            f"/actions/{action.pk}/updates/", {"text": "Reopened.", "status": "in_progress"}
        )
        action.refresh_from_db()
        assert (action.status, action.completed_on, action.version) == ("in_progress", None, 2)

    def test_an_update_written_earlier_completes_the_action_on_the_day_it_was_written(
        self, alice, action
    ):
        written = timezone.now() - 10 * DAY
        services.action_record_progress(
            action=action, author=alice.user, text="Signed off.", status="complete",
            percent_complete=100, written_at=written,
        )  # fmt: skip
        action.refresh_from_db()
        assert (action.status, action.completed_on) == ("complete", timezone.localdate(written))
        assert action.updates.get().written_at == written

    def test_with_htmx_the_timeline_and_the_facts_update_in_place(self, alice_client, action):
        response = alice_client.post(
            f"/actions/{action.pk}/updates/",
            {"text": "Nearly there.", "percent_complete": "90"},
            headers=HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#timeline"
        assert "<html" not in response.text
        assert 'id="timeline"' in response.text
        assert "Nearly there." in response.text
        assert 'id="facts" hx-swap-oob="true"' in response.text
        assert "90%" in response.text

    def test_the_timeline_is_newest_first_with_author_date_and_time(
        self, alice_client, alice, pat, action
    ):
        written = timezone.make_aware(dt.datetime(2026, 3, 2, 14, 5))  # noqa: DTZ001
        UpdateFactory.create(action=action, author=pat.user, text="Older", written_at=written)
        UpdateFactory.create(
            action=action, author=alice.user, text="Newer", written_at=written + DAY
        )
        text = alice_client.get(f"/actions/{action.pk}/").text
        assert text.index("Newer") < text.index("Older")
        assert "2 March 2026 at 14:05" in text
        assert "By Pat" in text

    def test_an_invalid_update_is_kept_with_an_error_summary(self, alice_client, action):
        data = {"text": " ", "percent_complete": "101"}
        response = alice_client.post(f"/actions/{action.pk}/updates/", data)
        assert response.status_code == 422
        assert "<html" in response.text
        assert 'href="#update-text"' in response.text
        assert 'href="#update-percent_complete"' in response.text
        kept = {"text": "My words", "percent_complete": "101"}
        partial = alice_client.post(f"/actions/{action.pk}/updates/", kept, headers=HTMX)
        assert partial.status_code == 422
        assert "<html" not in partial.text
        assert "My words" in partial.text
        assert not ProgressUpdate.objects.exists()

    def test_updates_are_never_edited_or_deleted(self, action):
        update = UpdateFactory.create(action=action)
        update.text = "Rewritten"
        with pytest.raises(ValueError, match="cannot be changed"):
            update.save()
        with pytest.raises(ValueError, match="cannot be deleted"):
            update.delete()

    def test_another_bodys_action_is_not_found(self, olly_client, action):
        url = f"/actions/{action.pk}/updates/"
        assert olly_client.post(url, {"text": "Hello"}).status_code == 404
        assert olly_client.post(url, {"text": "Hello"}, headers=HTMX).status_code == 404
        assert not ProgressUpdate.objects.exists()

    def test_an_analyst_cannot_add_updates(self, ana_client, action):
        url = f"/actions/{action.pk}/updates/"
        assert ana_client.post(url, {"text": "Hi", "percent_complete": "99"}).status_code == 403
        assert ana_client.post(url, {"text": "Hi"}, headers=HTMX).status_code == 403
        assert not ProgressUpdate.objects.exists()
        action.refresh_from_db()
        assert action.percent_complete == 50

    def test_it_needs_a_post(self, alice_client, action):
        assert alice_client.get(f"/actions/{action.pk}/updates/").status_code == 405


class TestEvidence:
    def test_an_editor_uploads_a_real_pdf_stored_privately(
        self, alice_client, alice, action, media
    ):
        pdf = real_pdf()
        response = alice_client.post(
            f"/actions/{action.pk}/evidence/",
            {"file": upload("Board minutes.PDF", pdf), "description": "Minutes, March"},
        )
        assert response.status_code == 302
        assert response["Location"] == f"/actions/{action.pk}/#evidence"
        evidence = Evidence.objects.get()
        assert (evidence.original_name, evidence.content_type, evidence.size) == (
            "Board minutes.PDF", "application/pdf", len(pdf),
        )  # fmt: skip
        assert evidence.uploaded_by == alice.user
        stored = Path(evidence.file.path)
        assert stored.read_bytes() == pdf
        assert stored.is_relative_to(media / "evidence" / str(alice.body.pk))
        assert stored.suffix == ".pdf"
        assert "Board" not in stored.name
        assert not stored.is_relative_to(Path(django_settings.STATIC_ROOT))
        for static_dir in django_settings.STATICFILES_DIRS:
            assert not stored.is_relative_to(Path(static_dir))
        # Nothing serves the storage by URL: only the checked download view hands it out.
        name = str(evidence.file.name)
        assert name.startswith(f"evidence/{alice.body.pk}/")
        assert alice_client.get(f"/{name}").status_code == 404
        assert alice_client.get(f"/media/{name}").status_code == 404
        page = alice_client.get(f"/actions/{action.pk}/")
        assert f'href="/evidence/{evidence.pk}/"' in page.text
        assert name not in page.text

    def test_office_and_text_files_with_the_right_contents_are_accepted(self, alice_client, action):
        docx = io.BytesIO()
        with zipfile.ZipFile(docx, "w") as archive:
            archive.writestr("[Content_Types].xml", "<Types/>")
        for name, data in [
            ("plan.docx", docx.getvalue()),
            ("figures.csv", b"Force,Calls\nHampshire,1203\n"),
            ("note.txt", "Café meeting notes".encode()),
            ("photo.jpg", b"\xff\xd8\xff\xe0" + b"\x00" * 20),
        ]:
            response = alice_client.post(
                f"/actions/{action.pk}/evidence/", {"file": upload(name, data)}
            )
            assert response.status_code == 302, name
        assert Evidence.objects.count() == 4
        assert Evidence.objects.get(original_name="plan.docx").content_type == (
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )

    @pytest.mark.parametrize(
        ("name", "data", "message"),
        [
            ("malware.exe", b"MZ\x90\x00", "The file must be one of these types"),
            ("page.html", b"<html><script>alert(1)</script>", "The file must be one of these"),
            ("fake.pdf", b"<html><script>alert(1)</script>", "not a valid PDF"),
            ("fake.docx", b"%PDF-1.4 not a zip", "not a valid DOCX"),
            ("fake.png", b"GIF89a", "not a valid PNG"),
            ("latin1.csv", "Café".encode("latin-1"), "not plain text (UTF-8)"),
        ],
    )
    def test_files_of_the_wrong_type_or_contents_are_refused(
        self, alice_client, action, media, name, data, message
    ):
        response = alice_client.post(
            f"/actions/{action.pk}/evidence/", {"file": upload(name, data), "description": "Mine"}
        )
        assert response.status_code == 422
        assert message in response.text
        assert 'href="#evidence-file"' in response.text
        assert 'value="Mine"' in response.text
        assert not Evidence.objects.exists()
        assert not (media / "evidence").exists()

    def test_an_oversized_file_is_refused(self, alice_client, action, settings, media):
        settings.EVIDENCE_MAX_BYTES = 1024
        data = b"%PDF-1.4\n" + b"0" * 2048
        response = alice_client.post(
            f"/actions/{action.pk}/evidence/", {"file": upload("big.pdf", data)}, headers=HTMX
        )
        assert response.status_code == 422
        assert "<html" not in response.text
        assert 'id="evidence"' in response.text
        assert "The file must be smaller than 1.0" in response.text
        assert not Evidence.objects.exists()
        assert not (media / "evidence").exists()

    def test_with_htmx_the_evidence_region_is_swapped(self, alice_client, action):
        response = alice_client.post(
            f"/actions/{action.pk}/evidence/",
            {"file": upload("minutes.pdf", real_pdf())},
            headers=HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#evidence"
        assert "<html" not in response.text
        assert "minutes.pdf uploaded." in response.text
        assert f'href="/evidence/{Evidence.objects.get().pk}/"' in response.text

    def test_an_analyst_downloads_it_as_an_attachment(self, ana_client, action):
        pdf = real_pdf()
        evidence = EvidenceFactory.create(
            action=action,
            file=SimpleUploadedFile("x.pdf", pdf),
            original_name="Board minutes.pdf",
            size=len(pdf),
        )
        response = ana_client.get(f"/evidence/{evidence.pk}/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == 'attachment; filename="Board minutes.pdf"'
        assert response["X-Content-Type-Options"] == "nosniff"
        assert b"".join(response.streaming_content) == pdf

    def test_another_bodys_file_is_not_found(self, olly_client, olly, action):
        evidence = EvidenceFactory.create(action=action)
        assert olly_client.get(f"/evidence/{evidence.pk}/").status_code == 404
        assert olly_client.get(f"/evidence/{evidence.pk}/", headers=HTMX).status_code == 404
        assert olly_client.get(f"/evidence/{evidence.pk + 1000}/").status_code == 404

    def test_an_outsider_cannot_upload(self, olly_client, action, media):
        url = f"/actions/{action.pk}/evidence/"
        assert olly_client.post(url, {"file": upload("a.pdf", real_pdf())}).status_code == 404
        response = olly_client.post(url, {"file": upload("a.pdf", real_pdf())}, headers=HTMX)
        assert response.status_code == 404
        assert not Evidence.objects.exists()
        assert not (media / "evidence").exists()

    def test_an_analyst_cannot_upload(self, ana_client, action, media):
        url = f"/actions/{action.pk}/evidence/"
        assert ana_client.post(url, {"file": upload("a.pdf", real_pdf())}).status_code == 403
        response = ana_client.post(url, {"file": upload("a.pdf", real_pdf())}, headers=HTMX)
        assert response.status_code == 403
        assert not Evidence.objects.exists()
        assert not (media / "evidence").exists()

    def test_the_upload_needs_a_post_and_the_download_a_get(self, alice_client, action):
        evidence = EvidenceFactory.create(action=action)
        assert alice_client.get(f"/actions/{action.pk}/evidence/").status_code == 405
        assert alice_client.post(f"/evidence/{evidence.pk}/").status_code == 405


class TestThePicker:
    def test_it_finds_the_bodys_findings_from_any_report_and_never_another_bodys(
        self, alice_client, alice, olly, action
    ):
        other_report = ReportFactory.create(body=alice.body, title="Vetting and counter-fraud")
        by_text = FindingFactory.create(report__body=alice.body, text="Improve vetting checks.")
        by_reference = FindingFactory.create(report=other_report, reference="AFI 12")
        FindingFactory.create(report__body=olly.body, text="Improve vetting checks.")
        FindingFactory.create(report__body=olly.body, reference="AFI 12")
        ReportFactory.create(body=olly.body, title="Vetting elsewhere")

        def found(q: str) -> list[int]:
            response = alice_client.get(f"/actions/{action.pk}/findings/?q={q}", headers=HTMX)
            assert response.status_code == 200
            return [f.pk for f in response.context["results"]]

        assert set(found("vetting")) == {by_text.pk, by_reference.pk}
        assert found("afi 12") == [by_reference.pk]
        assert found("counter-fraud") == [by_reference.pk]
        assert found("") == []

    def test_it_leaves_out_findings_already_linked_and_stops_at_20(
        self, alice_client, alice, action
    ):
        findings = FindingFactory.create_batch(25, report__body=alice.body, text="Vetting")
        action.findings.add(findings[0])
        response = alice_client.get(f"/actions/{action.pk}/findings/?q=vetting", headers=HTMX)
        results = response.context["results"]
        assert len(results) == 20
        assert findings[0] not in results
        assert "The first 20 matches" in response.text

    def test_htmx_gets_the_results_and_without_javascript_a_whole_page(
        self, alice_client, alice, action
    ):
        finding = FindingFactory.create(report__body=alice.body, text="Improve vetting.")
        url = f"/actions/{action.pk}/findings/?q=vetting"
        partial = alice_client.get(url, headers=HTMX)
        assert "<html" not in partial.text
        assert partial.text.strip().startswith('<div id="picker-results"')
        assert 'hx-post="/actions/' in partial.text
        page = alice_client.get(url)
        assert "<html" in page.text
        assert 'role="search"' in page.text
        assert 'value="vetting"' in page.text
        assert f'name="finding" value="{finding.pk}"' in page.text
        assert 'action="/actions/' in page.text
        assert "hx-post" not in page.text.split('id="picker-results"')[1]

    def test_another_bodys_action_is_not_found(self, olly_client, action):
        url = f"/actions/{action.pk}/findings/?q=a"
        assert olly_client.get(url).status_code == 404
        assert olly_client.get(url, headers=HTMX).status_code == 404

    def test_an_analyst_is_not_offered_it(self, ana_client, action):
        assert ana_client.get(f"/actions/{action.pk}/findings/?q=a").status_code == 403

    def test_it_refuses_posts(self, alice_client, action):
        assert alice_client.post(f"/actions/{action.pk}/findings/").status_code == 405


class TestLinkingFindings:
    def test_an_editor_links_a_finding_and_both_pages_show_it(self, alice_client, alice, action):
        finding = FindingFactory.create(report__body=alice.body, reference="Recommendation 7")
        response = alice_client.post(
            f"/actions/{action.pk}/findings/link/", {"finding": finding.pk}, follow=True
        )
        assert response.redirect_chain == [(f"/actions/{action.pk}/#linked-findings", 302)]
        assert "Recommendation 7 linked." in response.text
        assert list(action.findings.all()) == [finding]
        report_page = alice_client.get(f"/reports/{finding.report_id}/")
        assert f'href="/actions/{action.pk}/"' in report_page.text

    def test_with_htmx_the_linked_findings_and_the_results_update(
        self, alice_client, alice, action
    ):
        linked, other = FindingFactory.create_batch(2, report__body=alice.body, text="Vetting")
        response = alice_client.post(
            f"/actions/{action.pk}/findings/link/",
            {"finding": linked.pk, "q": "vetting"},
            headers=HTMX,
        )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#linked-findings"
        assert "<html" not in response.text
        assert f'id="linked-{linked.pk}"' in response.text
        assert '<div id="picker-results" hx-swap-oob="true">' in response.text
        assert f'id="pick-{other.pk}"' in response.text
        assert f'id="pick-{linked.pk}"' not in response.text

    def test_linking_another_bodys_finding_is_not_found(self, alice_client, olly, action):
        theirs = FindingFactory.create(report__body=olly.body)
        url = f"/actions/{action.pk}/findings/link/"
        assert alice_client.post(url, {"finding": theirs.pk}).status_code == 404
        assert alice_client.post(url, {"finding": theirs.pk}, headers=HTMX).status_code == 404
        assert not action.findings.exists()

    def test_a_missing_finding_is_a_bad_request(self, alice_client, action):
        url = f"/actions/{action.pk}/findings/link/"
        assert alice_client.post(url, {}).status_code == 400
        assert alice_client.post(url, {"finding": "seven"}).status_code == 400

    def test_an_outsider_cannot_link_to_the_action(self, olly_client, olly, action):
        theirs = FindingFactory.create(report__body=olly.body)
        url = f"/actions/{action.pk}/findings/link/"
        assert olly_client.post(url, {"finding": theirs.pk}).status_code == 404
        assert olly_client.post(url, {"finding": theirs.pk}, headers=HTMX).status_code == 404
        assert not action.findings.exists()

    def test_an_analyst_cannot_link(self, ana_client, ana, action):
        finding = FindingFactory.create(report__body=ana.body)
        url = f"/actions/{action.pk}/findings/link/"
        assert ana_client.post(url, {"finding": finding.pk}).status_code == 403
        assert ana_client.post(url, {"finding": finding.pk}, headers=HTMX).status_code == 403
        assert not action.findings.exists()

    def test_it_needs_a_post(self, alice_client, action):
        assert alice_client.get(f"/actions/{action.pk}/findings/link/").status_code == 405


class TestUnlinkingFindings:
    @pytest.fixture
    def finding(self, alice, action):
        finding = FindingFactory.create(report__body=alice.body, reference="AFI 2")
        action.findings.add(finding)
        return finding

    def test_an_editor_unlinks_a_finding(self, alice_client, action, finding):
        response = alice_client.post(f"/actions/{action.pk}/findings/{finding.pk}/unlink/")
        assert response.status_code == 302
        assert response["Location"] == f"/actions/{action.pk}/#linked-findings"
        assert not action.findings.exists()

    def test_with_htmx_the_linked_findings_region_is_swapped(self, alice_client, action, finding):
        response = alice_client.post(
            f"/actions/{action.pk}/findings/{finding.pk}/unlink/", headers=HTMX
        )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#linked-findings"
        assert "<html" not in response.text
        assert "AFI 2 unlinked." in response.text
        assert "No findings linked yet." in response.text

    def test_another_bodys_finding_or_action_is_not_found(
        self, alice_client, olly_client, olly, action, finding
    ):
        theirs = FindingFactory.create(report__body=olly.body)
        assert (
            alice_client.post(f"/actions/{action.pk}/findings/{theirs.pk}/unlink/").status_code
            == 404
        )
        url = f"/actions/{action.pk}/findings/{finding.pk}/unlink/"
        assert olly_client.post(url).status_code == 404
        assert olly_client.post(url, headers=HTMX).status_code == 404
        assert list(action.findings.all()) == [finding]

    def test_an_analyst_cannot_unlink(self, ana_client, action, finding):
        url = f"/actions/{action.pk}/findings/{finding.pk}/unlink/"
        assert ana_client.post(url).status_code == 403
        assert ana_client.post(url, headers=HTMX).status_code == 403
        assert list(action.findings.all()) == [finding]

    def test_it_needs_a_post(self, alice_client, action, finding):
        url = f"/actions/{action.pk}/findings/{finding.pk}/unlink/"
        assert alice_client.get(url).status_code == 405


class TestEvidenceInTheAdmin:
    @pytest.fixture
    def root(self):
        from django.test import Client

        from .factories import UserFactory

        client = Client()
        client.force_login(UserFactory.create(is_staff=True, is_superuser=True))
        return client

    def test_evidence_is_shown_read_only_and_cannot_be_deleted(self, root, action):
        evidence = EvidenceFactory.create(action=action)
        page = root.get(f"/admin/inspections/evidence/{evidence.pk}/change/")
        assert page.status_code == 200
        assert "board-minutes.pdf" in page.text
        assert 'type="file"' not in page.text
        assert root.get(f"/admin/inspections/evidence/{evidence.pk}/delete/").status_code == 403

    def test_an_upload_in_the_admin_gets_the_same_checks(self, root, action, media):
        url = "/admin/inspections/evidence/add/"
        refused = root.post(url, {"action": action.pk, "file": upload("x.pdf", b"<html>")})
        assert refused.status_code == 200
        assert "not a valid PDF" in refused.text
        assert not Evidence.objects.exists()
        saved = root.post(url, {"action": action.pk, "file": upload("x.pdf", real_pdf())})
        assert saved.status_code == 302
        evidence = Evidence.objects.get()
        assert (evidence.original_name, evidence.content_type) == ("x.pdf", "application/pdf")
        assert Path(evidence.file.path).is_relative_to(media)
