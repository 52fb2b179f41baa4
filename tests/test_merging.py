"""Merges that lose nothing (issue 10): a save made on an older version keeps what a
colleague saved since in the fields the user left alone, and only the fields both changed
are put side by side (`services.merging`)."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.utils import timezone

from inspections.models import (
    AssuranceAction,
    Finding,
    InspectionReport,
    Response,
    ResponseEntry,
)
from inspections.services import actions as action_services
from inspections.services import reports as report_services
from inspections.services import responses as response_services
from inspections.services.merging import merge

from .conftest import signed_in
from .factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    addressee,
    inspectorate,
    response_data,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
TODAY = timezone.localdate()
DAY = dt.timedelta(days=1)


def cells(page, testid: str) -> list[str]:
    return re.findall(rf'data-testid="{testid}">(.*?)</td>', page.text, re.S)


def rows(page) -> list[str]:
    return re.findall(r'<th scope="row" class="govuk-table__header">(.*?)</th>', page.text)


@pytest.fixture
def action(alice):
    return ActionFactory.create(
        body=alice.body,
        title="Improve call handling",
        start_on=TODAY - 100 * DAY,
        target_on=TODAY + 100 * DAY,
        percent_complete=50,
    )


def action_form(action: AssuranceAction, **changes: object) -> dict[str, object]:
    """The action's edit form as the user opened it at `action.version`, with changes."""
    data: dict[str, object] = {
        "title": action.title,
        "description": action.description,
        "owner": action.owner_id or "",
        "force_lead": action.force_lead,
        "start_on": action.start_on.isoformat(),
        "target_on": action.target_on.isoformat(),
        "status": action.status,
        "percent_complete": str(action.percent_complete),
        "completed_on": "",
        "assurance_level": action.assurance_level,
        "assurance_evidence": action.assurance_evidence,
        "forum": action.forum,
        "response": action.response_id or "",
        "version": str(action.version),
    }
    return data | changes


class TestActions:
    def test_a_colleagues_new_percentage_survives_a_title_change_made_on_the_old_version(
        self, alice_client, pat, action
    ):
        # The case: Pat moves the percentage on; Alice, whose form still says 50,
        # changes only the title. Before, she got the conflict page and "save my version"
        # put 50 back.
        url = f"/actions/{action.pk}/edit/"
        alices_form = action_form(action, title="Answer calls faster")
        assert (
            signed_in(pat).post(url, action_form(action, percent_complete="70")).status_code == 302
        )
        page = alice_client.post(url, alices_form, follow=True)
        assert page.redirect_chain == [(f"/actions/{action.pk}/", 302)]
        assert "Action saved. Someone else had saved changes since you opened it" in page.text
        assert "theirs were kept too (percent complete)" in page.text
        action.refresh_from_db()
        assert (action.title, action.percent_complete, action.version) == (
            "Answer calls faster", 70, 3,
        )  # fmt: skip

    def test_only_fields_both_changed_are_compared_and_the_form_holds_the_merge(
        self, alice_client, pat, action
    ):
        url = f"/actions/{action.pk}/edit/"
        alices_form = action_form(action, title="Alice's title")
        theirs = action_form(action, title="Pat's title", percent_complete="70")
        assert signed_in(pat).post(url, theirs).status_code == 302
        page = alice_client.post(url, alices_form)
        assert page.status_code == 409
        assert rows(page) == ["Title"]
        assert cells(page, "theirs") == ["Pat&#x27;s title"]
        assert cells(page, "yours") == ["Alice&#x27;s title"]
        # The form carries Pat's percentage (the field Alice never touched), not her 50.
        assert re.search(r'name="percent_complete" value="70"', page.text)
        assert 'value="50"' not in page.text
        assert 'value="Alice&#x27;s title"' in page.text
        assert 'name="version" value="2"' in page.text
        assert "Their other changes are already in the form below: Percent complete." in (page.text)
        action.refresh_from_db()
        assert (action.title, action.percent_complete) == ("Pat's title", 70)

        # "Save my version" posts that form: her title, his percentage.
        again = action_form(action, title="Alice's title")
        assert alice_client.post(url, again).status_code == 302
        action.refresh_from_db()
        assert (action.title, action.percent_complete, action.version) == (
            "Alice's title", 70, 3,
        )  # fmt: skip

    def test_a_merge_that_would_make_status_and_percentage_disagree_is_a_conflict(
        self, alice_client, pat, alice
    ):
        action = ActionFactory.create(
            body=alice.body, status="in_progress", percent_complete=0,
            start_on=TODAY - 10 * DAY, target_on=TODAY + 10 * DAY,
        )  # fmt: skip
        url = f"/actions/{action.pk}/edit/"
        alices_form = action_form(action, percent_complete="30")
        assert (
            signed_in(pat).post(url, action_form(action, status="not_started")).status_code == 302
        )
        page = alice_client.post(url, alices_form)
        assert page.status_code == 409
        assert rows(page) == ["Status", "Percent complete"]
        action.refresh_from_db()
        assert (action.status, action.percent_complete) == ("not_started", 0)


class TestResponses:
    def test_comments_and_signatory_changed_by_two_people_are_both_kept(
        self, alice_client, pat, alice
    ):
        response = ResponseFactory.create(
            report__body=alice.body, comments="First draft.", signatory_name="Donna Jones",
            signatory_role="Police and Crime Commissioner",
        )  # fmt: skip
        url = f"/responses/{response.pk}/edit/"
        alices_form = response_data(response, comments="Alice's paragraph.")
        pats = response_data(response, comments="First draft.", signatory_name="Pat Palmer")
        assert signed_in(pat).post(url, pats).status_code == 302
        assert alice_client.post(url, alices_form).status_code == 302
        response.refresh_from_db()
        assert (response.comments, response.signatory_name, response.version) == (
            "Alice's paragraph.", "Pat Palmer", 3,
        )  # fmt: skip


def report_form(report: InspectionReport, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "title": report.title,
        "reference": report.reference,
        "report_type": report.report_type,
        "lead_inspectorate": report.lead_inspectorate_id,
        "partner_inspectorates": [i.pk for i in report.partner_inspectorates.all()],
        "published_on": report.published_on.isoformat(),
        "scope": report.scope,
        "marking": report.marking,
        "summary": report.summary,
        "url": report.url,
        "version": str(report.version),
    }
    return data | changes


class TestReports:
    def test_a_new_set_of_partners_and_a_new_title_are_both_kept(self, alice_client, pat, alice):
        report = ReportFactory.create(body=alice.body, title="The first title")
        probation = inspectorate("hmiprobation")
        url = f"/reports/{report.pk}/edit/"
        alices_form = report_form(report, title="A better title")
        pats = report_form(report, partner_inspectorates=[probation.pk])
        assert signed_in(pat).post(url, pats).status_code == 302
        assert alice_client.post(url, alices_form).status_code == 302
        report.refresh_from_db()
        assert report.title == "A better title"
        assert list(report.partner_inspectorates.all()) == [probation]
        assert report.version == 3

    def test_two_different_sets_conflict_as_a_whole(self, alice_client, pat, alice):
        report = ReportFactory.create(body=alice.body)
        probation, prisons = inspectorate("hmiprobation"), inspectorate("hmiprisons")
        url = f"/reports/{report.pk}/edit/"
        alices_form = report_form(report, partner_inspectorates=[prisons.pk])
        assert (
            signed_in(pat)
            .post(url, report_form(report, partner_inspectorates=[probation.pk]))
            .status_code
            == 302
        )
        page = alice_client.post(url, alices_form)
        assert page.status_code == 409
        assert "Someone else changed this report" in page.text
        assert rows(page) == ["Partner inspectorates"]
        assert cells(page, "theirs") == ["HMIPROBATION"]
        assert cells(page, "yours") == ["HMIPRISONS"]
        assert list(report.partner_inspectorates.all()) == [probation]


def finding_form(finding: Finding, **changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": finding.kind,
        "reference": finding.reference,
        "text": finding.text,
        "addressees": [a.pk for a in finding.addressees.all()],
        "inspectorate_status": finding.inspectorate_status,
        "deadline_text": finding.deadline_text,
        "assurance_level": finding.assurance_level,
        "version": str(finding.version),
    }
    return data | changes


class TestFindings:
    def test_new_addressees_and_a_new_status_are_both_kept(self, alice_client, pat, alice):
        finding = FindingFactory.create(report__body=alice.body, addressed_to=[addressee()])
        home_office = addressee("home-office", answerable=False)
        url = f"/findings/{finding.pk}/edit/"
        alices_form = finding_form(finding, inspectorate_status="being_progressed")
        pats = finding_form(finding, addressees=[addressee().pk, home_office.pk])
        assert signed_in(pat).post(url, pats).status_code == 302
        assert alice_client.post(url, alices_form).status_code == 302
        finding.refresh_from_db()
        assert finding.inspectorate_status == "being_progressed"
        assert set(finding.addressees.all()) == {addressee(), home_office}

    def test_with_htmx_a_conflict_takes_the_pages_place(self, alice_client, pat, alice):
        finding = FindingFactory.create(report__body=alice.body, text="The report's words.")
        url = f"/findings/{finding.pk}/edit/"
        alices_form = finding_form(finding, text="Alice's reading.")
        assert (
            signed_in(pat).post(url, finding_form(finding, text="Pat's reading.")).status_code
            == 302
        )
        page = alice_client.post(url, alices_form, headers=HTMX)
        assert page.status_code == 409
        assert page["HX-Retarget"] == "#main-content"
        assert "<html" not in page.text
        assert cells(page, "theirs") == ["Pat&#x27;s reading."]
        assert cells(page, "yours") == ["Alice&#x27;s reading."]
        finding.refresh_from_db()
        assert finding.text == "Pat's reading."

    def test_a_report_or_finding_edit_on_an_old_version_used_to_overwrite(
        self, alice_client, pat, alice
    ):
        # Before versions on reports and findings, the later save simply won.
        finding = FindingFactory.create(report__body=alice.body, text="Original.")
        url = f"/findings/{finding.pk}/edit/"
        alices_form = finding_form(finding, text="Alice's.")
        signed_in(pat).post(url, finding_form(finding, text="Pat's."))
        assert alice_client.post(url, alices_form).status_code == 409
        finding.refresh_from_db()
        assert finding.text == "Pat's."


class TestTheMerge:
    def test_every_save_moves_the_version_on_and_history_keeps_it(self, alice):
        report = ReportFactory.create(body=alice.body)
        report = report_services.report_update(report=report, version=1, title="Two")
        finding = FindingFactory.create(report=report)
        finding = report_services.finding_update(finding=finding, version=1, text="Two")
        response = ResponseFactory.create(report=report)
        entry = response_services.entry_save(
            response=response, finding=finding, version=None, answer="taken", text="One"
        )
        entry = response_services.entry_save(
            response=response, finding=finding, version=1, answer="taken", text="Two"
        )
        action = ActionFactory.create(body=alice.body)
        action = action_services.action_update(action=action, version=1, title="Two")
        for row in (report, finding, entry, action):
            assert row.version == 2
            assert list(type(row).history.filter(id=row.pk).values_list("version", flat=True)) == [
                2, 1,
            ]  # fmt: skip
        assert Response.objects.get(pk=response.pk).version == 3  # moved on with each entry

    def test_the_same_change_made_by_both_is_no_conflict(self, alice):
        action = ActionFactory.create(body=alice.body, title="One")
        action_services.action_update(action=action, version=1, title="Two")
        saved = action_services.action_update(action=action, version=1, title="Two")
        assert (saved.title, saved.version) == ("Two", 3)

    def test_a_version_not_in_the_history_makes_every_difference_a_conflict(self, alice):
        action = ActionFactory.create(body=alice.body, title="One", description="Same")
        action_services.action_update(action=action, version=1, title="Two")
        with pytest.raises(response_services.EditConflict) as refused:
            action_services.action_update(
                action=action, version=99, title="Mine", description="Same"
            )
        assert refused.value.result is not None
        assert refused.value.result.conflicts == ("title",)

    def test_a_first_entry_written_by_two_people_differently_conflicts(self, alice):
        response = ResponseFactory.create(report__body=alice.body)
        finding = FindingFactory.create(report=response.report)
        EntryFactory.create(response=response, finding=finding, text="First")
        with pytest.raises(response_services.EditConflict):
            response_services.entry_save(
                response=response, finding=finding, version=None, answer="proposed", text="Mine"
            )
        assert ResponseEntry.objects.get().text == "First"

    def test_it_reads_the_base_from_history_not_from_the_form(self, alice):
        report = ReportFactory.create(body=alice.body, title="One", summary="Base")
        report_services.report_update(report=report, version=1, summary="Theirs")
        with_history = merge(InspectionReport, report.pk, 1, {"title": "Mine", "summary": "Base"})
        assert with_history.conflicts == ()
        assert with_history.merged == {"title": "Mine", "summary": "Theirs"}
        assert with_history.kept == ("summary",)
