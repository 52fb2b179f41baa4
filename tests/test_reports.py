from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from inspections.models import InspectionReport, ReportType, Response, ResponseStatus
from inspections.services import reports as services

from .factories import FindingFactory, ReportFactory, ResponseFactory, inspectorate

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def titles(response) -> list[str]:
    return [r.title for r in response.context["page"].object_list]


def valid_report(**overrides) -> dict[str, object]:
    data = {
        "title": "An inspection of neighbourhood policing",
        "reference": "ISBN 978-1-0000",
        "report_type": ReportType.NATIONAL_THEMATIC,
        "lead_inspectorate": inspectorate("hmicfrs").pk,
        "published_on": "2026-10-01",
        "scope": "national",
        "marking": "official",
        "summary": "",
        "url": "",
    }
    return data | overrides


class TestTheList:
    def test_it_lists_only_the_users_own_bodys_reports(self, alice_client, alice, olly):
        ReportFactory.create(body=alice.body, title="Ours")
        ReportFactory.create(body=olly.body, title="Theirs")
        response = alice_client.get("/reports/")
        assert response.status_code == 200
        assert titles(response) == ["Ours"]

    def test_search_matches_title_reference_and_finding_text(self, alice_client, alice):
        ReportFactory.create(body=alice.body, title="Vetting and misconduct")
        ReportFactory.create(body=alice.body, title="Other", reference="HMICFRS-2024-17")
        found = ReportFactory.create(body=alice.body, title="Third")
        FindingFactory.create(report=found, text="Improve digital forensics capacity")
        ReportFactory.create(body=alice.body, title="Unrelated")
        assert titles(alice_client.get("/reports/?q=vetting")) == ["Vetting and misconduct"]
        assert titles(alice_client.get("/reports/?q=2024-17")) == ["Other"]
        assert titles(alice_client.get("/reports/?q=forensics")) == ["Third"]

    def test_filters_by_type_inspectorate_year_and_response_status(self, alice_client, alice):
        probation = inspectorate("hmi-probation")
        peel = ReportFactory.create(
            body=alice.body,
            title="PEEL",
            report_type=ReportType.PEEL,
            published_on=dt.date(2024, 3, 1),
        )
        joint = ReportFactory.create(body=alice.body, title="Joint", report_type=ReportType.JOINT)
        joint.partner_inspectorates.add(probation)
        ResponseFactory.create(report=peel, status=ResponseStatus.APPROVED)
        assert titles(alice_client.get("/reports/?type=peel")) == ["PEEL"]
        assert titles(alice_client.get("/reports/?inspectorate=hmi-probation")) == ["Joint"]
        assert titles(alice_client.get("/reports/?year=2024")) == ["PEEL"]
        assert titles(alice_client.get("/reports/?response=approved")) == ["PEEL"]
        assert titles(alice_client.get("/reports/?response=none")) == ["Joint"]

    def test_it_sorts_and_paginates_keeping_the_filters(self, alice_client, alice):
        for n in range(30):
            ReportFactory.create(
                body=alice.body,
                title=f"Report {n:02}",
                published_on=dt.date(2024, 1, 1) + dt.timedelta(days=n),
            )
        first = alice_client.get("/reports/?sort=title&q=Report")
        assert titles(first)[:2] == ["Report 00", "Report 01"]
        assert 'href="?sort=title&amp;q=Report&amp;page=2"' in first.text
        second = alice_client.get("/reports/?sort=title&q=Report&page=2")
        assert titles(second) == ["Report 25", "Report 26", "Report 27", "Report 28", "Report 29"]
        assert titles(alice_client.get("/reports/?sort=oldest"))[0] == "Report 00"
        assert titles(alice_client.get("/reports/"))[0] == "Report 29"

    def test_htmx_gets_only_the_results(self, alice_client, alice):
        ReportFactory.create(body=alice.body)
        partial = alice_client.get("/reports/?q=x", headers=HTMX)
        assert partial.status_code == 200
        assert "<html" not in partial.text
        assert 'id="results"' in partial.text
        assert "<html" in alice_client.get("/reports/").text

    def test_the_query_count_does_not_grow_with_the_reports(
        self, alice_client, alice, django_assert_num_queries
    ):
        def count() -> int:
            from django.db import connection
            from django.test.utils import CaptureQueriesContext

            with CaptureQueriesContext(connection) as ctx:
                assert alice_client.get("/reports/").status_code == 200
            return len(ctx.captured_queries)

        for _ in range(3):
            ResponseFactory.create(report__body=alice.body)
        small = count()
        for _ in range(20):
            FindingFactory.create(report=ResponseFactory.create(report__body=alice.body).report)
        assert count() == small

    def test_it_refuses_posts(self, alice_client):
        assert alice_client.post("/reports/").status_code == 405


class TestAddingAReport:
    def test_an_editor_adds_a_report_to_her_body(self, alice_client, alice):
        response = alice_client.post("/reports/new/", valid_report())
        report = InspectionReport.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/reports/{report.pk}/"
        assert report.body == alice.body

    def test_invalid_input_is_kept_and_the_errors_are_linked_from_a_summary(self, alice_client):
        response = alice_client.post(
            "/reports/new/", valid_report(title="", published_on="31/02/2026", summary="Keep me")
        )
        assert response.status_code == 422
        assert "There is a problem" in response.text
        assert 'href="#id_title"' in response.text
        assert 'href="#id_published_on-day"' in response.text
        assert "Keep me" in response.text
        assert InspectionReport.objects.count() == 0

    def test_a_named_force_report_needs_its_forces(self, alice_client):
        response = alice_client.post("/reports/new/", valid_report(scope="forces"))
        assert response.status_code == 422
        assert "Choose the forces" in response.text

    def test_an_analyst_cannot_add_a_report(self, ana_client):
        assert ana_client.get("/reports/new/").status_code == 403
        assert ana_client.post("/reports/new/", valid_report()).status_code == 403
        assert InspectionReport.objects.count() == 0

    def test_it_refuses_other_methods(self, alice_client):
        assert alice_client.put("/reports/new/").status_code == 405


class TestTheReportPage:
    def test_it_shows_the_findings_grouped_by_kind_and_the_response_clock(
        self, alice_client, alice
    ):
        report = ReportFactory.create(body=alice.body, published_on=timezone.localdate())
        FindingFactory.create(report=report, reference="Recommendation 7", kind="recommendation")
        FindingFactory.create(report=report, reference="AFI 2", kind="area_for_improvement")
        ResponseFactory.create(report=report)
        page = alice_client.get(f"/reports/{report.pk}/")
        assert page.status_code == 200
        assert "Recommendation 7" in page.text
        assert "Area for improvement" in page.text
        assert "55 days left" in page.text

    def test_another_bodys_report_is_not_found(self, olly_client, alice):
        report = ReportFactory.create(body=alice.body)
        assert olly_client.get(f"/reports/{report.pk}/").status_code == 404
        assert olly_client.get(f"/reports/{report.pk}/", headers=HTMX).status_code == 404
        assert olly_client.get(f"/reports/{report.pk}/edit/").status_code == 404
        assert olly_client.post(f"/reports/{report.pk}/edit/", valid_report()).status_code == 404

    def test_the_query_count_does_not_grow_with_findings_and_actions(
        self, alice_client, alice, django_assert_max_num_queries
    ):
        from .factories import ActionFactory

        report = ReportFactory.create(body=alice.body)
        ResponseFactory.create(report=report)
        for _ in range(25):
            finding = FindingFactory.create(report=report)
            ActionFactory.create(body=alice.body).findings.add(finding)
        with django_assert_max_num_queries(14):
            assert alice_client.get(f"/reports/{report.pk}/").status_code == 200

    def test_an_analyst_reads_but_sees_no_edit_controls(self, ana_client, ana):
        report = ReportFactory.create(body=ana.body)
        FindingFactory.create(report=report)
        page = ana_client.get(f"/reports/{report.pk}/")
        assert page.status_code == 200
        assert "Add a finding" not in page.text
        assert "Move up" not in page.text

    def test_it_refuses_posts(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        assert alice_client.post(f"/reports/{report.pk}/").status_code == 405


class TestEditingAReport:
    def test_an_editor_changes_the_title(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        data = valid_report(title="A better title", version=report.version)
        response = alice_client.post(f"/reports/{report.pk}/edit/", data)
        assert response.status_code == 302
        report.refresh_from_db()
        assert report.title == "A better title"
        assert report.history.count() == 2

    def test_a_new_publication_date_moves_the_responses_due_date(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body, published_on=dt.date(2026, 10, 1))
        response = ResponseFactory.create(report=report)
        assert response.due_on == dt.date(2026, 11, 25)
        data = valid_report(published_on="2026-10-08", version=report.version)
        assert alice_client.post(f"/reports/{report.pk}/edit/", data).status_code == 302
        response.refresh_from_db()
        assert response.due_on == dt.date(2026, 12, 2)

    def test_becoming_a_fire_report_stops_the_responses_clock(self, alice):
        report = ReportFactory.create(body=alice.body, published_on=dt.date(2026, 10, 1))
        response = ResponseFactory.create(report=report)
        report = services.report_update(report=report, version=1, report_type=ReportType.FIRE)
        response.refresh_from_db()
        assert response.due_on is None
        services.report_update(report=report, version=2, report_type=ReportType.PEEL)
        response.refresh_from_db()
        assert response.due_on == dt.date(2026, 11, 25)

    def test_a_change_that_leaves_the_clock_alone_leaves_the_due_date(self, alice):
        report = ReportFactory.create(body=alice.body, published_on=dt.date(2026, 10, 1))
        response = ResponseFactory.create(report=report)
        Response.objects.filter(pk=response.pk).update(due_on=None)
        services.report_update(report=report, version=1, title="A better title")
        response.refresh_from_db()
        assert response.due_on is None  # not recomputed: nothing it depends on changed

    def test_an_analyst_cannot_edit(self, ana_client, ana):
        report = ReportFactory.create(body=ana.body, title="Before")
        assert ana_client.post(f"/reports/{report.pk}/edit/", valid_report()).status_code == 403
        report.refresh_from_db()
        assert report.title == "Before"
