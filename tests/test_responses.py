from __future__ import annotations

import datetime as dt
import re

import pytest

from inspections.models import ReportType, Response, ResponseEntry
from inspections.services import responses as services

from .factories import (
    EntryFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    addressee,
    response_data,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def response(alice):
    report = ReportFactory.create(body=alice.body, published_on=dt.date(2026, 11, 1))
    chief = addressee("chief-constables")
    FindingFactory.create(report=report, reference="Recommendation 1", addressed_to=[chief])
    FindingFactory.create(report=report, reference="Recommendation 2", addressed_to=[chief])
    FindingFactory.create(
        report=report,
        reference="Recommendation 3",
        addressed_to=[addressee("home-office", answerable=False)],
    )
    FindingFactory.create(report=report, reference="AFI 1", kind="area_for_improvement")
    return ResponseFactory.create(report=report)


def finding(response, reference):
    return response.report.findings.get(reference=reference)


def someone_else_saves(response, **changes) -> None:
    theirs = Response.objects.get(pk=response.pk)
    for field, value in changes.items():
        setattr(theirs, field, value)
    theirs.version += 1
    theirs.save()


class TestStartingAResponse:
    def test_an_editor_starts_one_response_per_report(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        first = alice_client.post(f"/reports/{report.pk}/response/")
        second = alice_client.post(f"/reports/{report.pk}/response/")
        created = Response.objects.get()
        assert first["Location"] == second["Location"] == f"/responses/{created.pk}/"
        assert created.body == alice.body

    def test_it_needs_a_post_an_editor_and_the_right_body(
        self, alice_client, ana_client, olly_client, alice
    ):
        report = ReportFactory.create(body=alice.body)
        assert alice_client.get(f"/reports/{report.pk}/response/").status_code == 405
        assert ana_client.post(f"/reports/{report.pk}/response/").status_code == 403
        assert olly_client.post(f"/reports/{report.pk}/response/").status_code == 404
        assert not Response.objects.exists()

    def test_it_is_due_on_the_last_of_the_56_days_from_the_reports_publication(
        self, alice_client, alice
    ):
        report = ReportFactory.create(body=alice.body, published_on=dt.date(2023, 7, 20))
        alice_client.post(f"/reports/{report.pk}/response/")
        # Publication day is day 1 (s55(5A)), so the last day is 55 days later.
        assert Response.objects.get().due_on == dt.date(2023, 9, 13)

    def test_a_fire_and_rescue_report_gives_a_response_without_a_due_date(self, alice):
        report = ReportFactory.create(body=alice.body, report_type=ReportType.FIRE)
        response = services.response_start(body=alice.body, report=report)
        assert response.due_on is None
        assert not response.is_overdue(dt.date(2030, 1, 1))


class TestTheResponsePage:
    def test_entries_sit_beside_their_recommendations_and_missing_ones_are_named(
        self, alice_client, response
    ):
        EntryFactory.create(response=response, finding=finding(response, "Recommendation 1"))
        page = alice_client.get(f"/responses/{response.pk}/")
        assert page.status_code == 200
        assert "1 recommendation still needs an entry" in page.text
        assert f'href="#row-{finding(response, "Recommendation 2").pk}"' in page.text
        assert "Not addressed to the force or the body" in page.text
        assert "AFI 1" not in page.text

    def test_a_complete_response_says_so(self, alice_client, response):
        for ref in ("Recommendation 1", "Recommendation 2"):
            EntryFactory.create(response=response, finding=finding(response, ref))
        page = alice_client.get(f"/responses/{response.pk}/")
        assert "Every recommendation for the force or the body has an entry." in page.text

    def test_another_bodys_response_is_not_found(self, olly_client, response):
        assert olly_client.get(f"/responses/{response.pk}/").status_code == 404
        assert olly_client.get(f"/responses/{response.pk}/edit/").status_code == 404
        rec = finding(response, "Recommendation 1")
        assert olly_client.get(f"/responses/{response.pk}/entries/{rec.pk}/").status_code == 404

    def test_the_query_count_does_not_grow_with_the_recommendations(
        self, alice_client, response, django_assert_max_num_queries
    ):
        for n in range(30):
            rec = FindingFactory.create(
                report=response.report, reference=f"Extra {n}", addressed_to=[addressee()]
            )
            EntryFactory.create(response=response, finding=rec)
        with django_assert_max_num_queries(9):
            assert alice_client.get(f"/responses/{response.pk}/").status_code == 200

    def test_it_refuses_posts(self, alice_client, response):
        assert alice_client.post(f"/responses/{response.pk}/").status_code == 405


class TestEditingTheResponse:
    def test_an_editor_saves_the_comments_and_the_version_moves_on(self, alice_client, response):
        result = alice_client.post(f"/responses/{response.pk}/edit/", response_data(response))
        assert result.status_code == 302
        response.refresh_from_db()
        assert response.comments == "We welcome the report."
        assert response.version == 2

    def test_a_save_over_someone_elses_change_is_refused_and_keeps_the_text(
        self, alice_client, response
    ):
        stale = response_data(response, comments="My own paragraph")
        someone_else_saves(response, comments="Pat's words")
        result = alice_client.post(f"/responses/{response.pk}/edit/", stale)
        assert result.status_code == 409
        assert "Someone else changed this response" in result.text
        theirs = re.search(r'data-testid="theirs">(.*?)</td>', result.text, re.S)
        yours = re.search(r'data-testid="yours">(.*?)</td>', result.text, re.S)
        assert theirs is not None
        assert yours is not None
        assert theirs.group(1) == "Pat&#x27;s words"
        assert yours.group(1) == "My own paragraph"
        assert '<textarea name="comments"' in result.text
        assert 'name="version" value="2"' in result.text
        response.refresh_from_db()
        assert response.comments == "Pat's words"

    def test_after_seeing_the_conflict_saving_again_is_a_deliberate_overwrite(
        self, alice_client, response
    ):
        someone_else_saves(response, comments="Pat's words")
        again = response_data(response, comments="My own paragraph", version=2)
        assert alice_client.post(f"/responses/{response.pk}/edit/", again).status_code == 302
        response.refresh_from_db()
        assert (response.comments, response.version) == ("My own paragraph", 3)
        assert response.history.filter(comments="Pat's words").exists()

    def test_a_reply_date_before_the_invitation_is_refused(self, alice_client, response):
        data = response_data(response, chief_invited_on="2026-11-10", chief_reply_by="2026-11-01")
        result = alice_client.post(f"/responses/{response.pk}/edit/", data)
        assert result.status_code == 422
        assert 'href="#id_chief_reply_by-day"' in result.text

    def test_an_analyst_cannot_edit(self, ana_client, ana):
        response = ResponseFactory.create(report__body=ana.body, comments="Before")
        result = ana_client.post(f"/responses/{response.pk}/edit/", response_data(response))
        assert result.status_code == 403
        response.refresh_from_db()
        assert response.comments == "Before"


class TestEntries:
    def test_an_editor_writes_an_entry_in_place(self, alice_client, response):
        rec = finding(response, "Recommendation 1")
        url = f"/responses/{response.pk}/entries/{rec.pk}/"
        form = alice_client.get(url, headers=HTMX)
        assert form.status_code == 200
        assert "<html" not in form.text
        saved = alice_client.post(
            url, {"answer": "proposed", "text": "A review by March."}, headers=HTMX
        )
        assert saved.status_code == 200
        assert "A review by March." in saved.text
        assert "Entry for Recommendation 1 saved." in saved.text
        entry = ResponseEntry.objects.get()
        assert (entry.answer, entry.finding) == ("proposed", rec)

    def test_an_empty_entry_is_refused_with_the_choice_kept(self, alice_client, response):
        rec = finding(response, "Recommendation 1")
        result = alice_client.post(
            f"/responses/{response.pk}/entries/{rec.pk}/", {"answer": "none", "text": "  "}
        )
        assert result.status_code == 422
        assert f'href="#entry-{rec.pk}-text"' in result.text
        checked = re.search(
            r'<input type="radio" name="answer" value="(\w+)"[^>]*checked', result.text
        )
        assert checked is not None
        assert checked.group(1) == "none"
        assert not ResponseEntry.objects.exists()

    def test_editing_the_text_someone_else_changed_shows_both_side_by_side(
        self, alice_client, response
    ):
        rec = finding(response, "Recommendation 1")
        entry = EntryFactory.create(response=response, finding=rec, text="Original")
        url = f"/responses/{response.pk}/entries/{rec.pk}/"
        theirs = ResponseEntry.objects.get(pk=entry.pk)
        theirs.text, theirs.version = "Pat's version", 2
        theirs.save()
        result = alice_client.post(url, {"answer": "proposed", "text": "Mine", "version": "1"})
        assert result.status_code == 409
        assert "Someone else changed the entry for Recommendation 1" in result.text
        assert re.findall(r'data-testid="theirs">(.*?)</td>', result.text) == ["Pat&#x27;s version"]
        assert re.findall(r'data-testid="yours">(.*?)</td>', result.text) == ["Mine"]
        assert 'name="version" value="2"' in result.text
        entry.refresh_from_db()
        assert entry.text == "Pat's version"

    def test_with_htmx_the_comparison_takes_the_pages_place(self, alice_client, response):
        rec = finding(response, "Recommendation 1")
        entry = EntryFactory.create(response=response, finding=rec, text="Original")
        ResponseEntry.objects.filter(pk=entry.pk).update(text="Pat's version", version=2)
        url = f"/responses/{response.pk}/entries/{rec.pk}/"
        data = {"answer": "proposed", "text": "Mine", "version": "1"}
        result = alice_client.post(url, data, headers=HTMX)
        assert result.status_code == 409
        assert result["HX-Retarget"] == "#main-content"
        assert "<html" not in result.text
        assert "Save my version" in result.text

    def test_changes_to_different_fields_of_an_entry_are_merged(self, alice_client, response):
        rec = finding(response, "Recommendation 1")
        entry = EntryFactory.create(response=response, finding=rec, answer="proposed")
        theirs = ResponseEntry.objects.get(pk=entry.pk)
        theirs.answer, theirs.version = "taken", 2
        theirs.save()
        url = f"/responses/{response.pk}/entries/{rec.pk}/"
        data = {"answer": "proposed", "text": "Done in March.", "version": "1"}
        result = alice_client.post(url, data, follow=True)
        assert result.status_code == 200
        assert "theirs were kept too (answer)" in result.text
        entry.refresh_from_db()
        assert (entry.answer, entry.text, entry.version) == ("taken", "Done in March.", 3)

    def test_two_people_writing_the_first_entry_cannot_both_win(self, alice_client, response):
        rec = finding(response, "Recommendation 1")
        url = f"/responses/{response.pk}/entries/{rec.pk}/"
        EntryFactory.create(response=response, finding=rec, text="Got there first")
        result = alice_client.post(url, {"answer": "taken", "text": "Second", "version": ""})
        assert result.status_code == 409
        assert ResponseEntry.objects.get().text == "Got there first"

    def test_only_recommendations_of_this_report_have_entries(self, alice_client, alice, response):
        afi = finding(response, "AFI 1")
        other = FindingFactory.create(report__body=alice.body)
        assert alice_client.get(f"/responses/{response.pk}/entries/{afi.pk}/").status_code == 404
        assert alice_client.get(f"/responses/{response.pk}/entries/{other.pk}/").status_code == 404

    def test_an_analyst_cannot_write_entries(self, ana_client, ana):
        response = ResponseFactory.create(report__body=ana.body)
        rec = FindingFactory.create(report=response.report)
        url = f"/responses/{response.pk}/entries/{rec.pk}/"
        assert ana_client.post(url, {"answer": "taken", "text": "x"}).status_code == 403
        assert not ResponseEntry.objects.exists()
