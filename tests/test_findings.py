from __future__ import annotations

import datetime as dt
import html

import pytest

from inspections.models import Finding

from .factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ReportFactory,
    addressee,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def finding_data(**overrides) -> dict[str, object]:
    data = {
        "kind": "recommendation",
        "reference": "Recommendation 4",
        "text": "Chief constables should improve call handling.",
        "addressees": [addressee("chief-constables").pk],
        "inspectorate_status": "awaiting_review",
        "deadline_text": "within six months",
    }
    return data | overrides


@pytest.fixture
def report(alice):
    return ReportFactory.create(body=alice.body)


def references(report) -> list[str]:
    return list(report.findings.order_by("position").values_list("reference", flat=True))


class TestAddingFindings:
    def test_an_editor_adds_findings_in_order(self, alice_client, report):
        for n in (1, 2, 3):
            data = finding_data(reference=f"Recommendation {n}")
            response = alice_client.post(f"/reports/{report.pk}/findings/new/", data)
            assert response.status_code == 302
        assert references(report) == ["Recommendation 1", "Recommendation 2", "Recommendation 3"]
        assert report.findings.get(reference="Recommendation 1").addressees.get().answerable

    def test_with_htmx_the_findings_region_is_swapped_and_the_form_emptied(
        self, alice_client, report
    ):
        response = alice_client.post(
            f"/reports/{report.pk}/findings/new/", finding_data(), headers=HTMX
        )
        assert response.status_code == 200
        assert response["HX-Retarget"] == "#findings"
        assert "<html" not in response.text
        assert "Recommendation 4 added." in response.text
        assert 'id="new-finding"' in response.text
        assert 'hx-swap-oob="true"' in response.text

    def test_invalid_input_is_kept_with_linked_errors(self, alice_client, report):
        data = finding_data(reference="", text="My careful wording")
        page = alice_client.post(f"/reports/{report.pk}/findings/new/", data)
        assert page.status_code == 422
        assert 'href="#finding-new-reference"' in page.text
        assert "My careful wording" in page.text
        partial = alice_client.post(f"/reports/{report.pk}/findings/new/", data, headers=HTMX)
        assert partial.status_code == 422
        assert "<html" not in partial.text
        assert "My careful wording" in partial.text
        assert report.findings.count() == 0

    def test_a_reference_cannot_repeat_within_a_report(self, alice_client, report):
        FindingFactory.create(report=report, reference="Recommendation 4")
        page = alice_client.post(f"/reports/{report.pk}/findings/new/", finding_data())
        assert page.status_code == 422
        assert "already has a finding with that reference" in page.text

    def test_an_analyst_cannot_add(self, ana_client, ana):
        report = ReportFactory.create(body=ana.body)
        assert (
            ana_client.post(f"/reports/{report.pk}/findings/new/", finding_data()).status_code
            == 403
        )
        assert report.findings.count() == 0

    def test_an_outsider_cannot_add_to_another_bodys_report(self, olly_client, report):
        url = f"/reports/{report.pk}/findings/new/"
        assert olly_client.get(url).status_code == 404
        assert olly_client.post(url, finding_data(), headers=HTMX).status_code == 404
        assert report.findings.count() == 0


class TestEditingFindings:
    def test_htmx_swaps_in_an_edit_form_and_back(self, alice_client, report):
        finding = FindingFactory.create(
            report=report, reference="AFI 1", kind="area_for_improvement"
        )
        form = alice_client.get(f"/findings/{finding.pk}/edit/", headers=HTMX)
        assert form.status_code == 200
        assert "<html" not in form.text
        assert f'id="finding-{finding.pk}"' in form.text
        shown = alice_client.get(f"/findings/{finding.pk}/", headers=HTMX)
        assert "AFI 1" in shown.text
        assert "<html" not in shown.text
        assert alice_client.get(f"/findings/{finding.pk}/").status_code == 302

    def test_an_editor_changes_the_inspectorate_status(self, alice_client, report):
        finding = FindingFactory.create(report=report, reference="Recommendation 4")
        data = finding_data(inspectorate_status="complete", version=finding.version)
        response = alice_client.post(f"/findings/{finding.pk}/edit/", data)
        assert response.status_code == 302
        finding.refresh_from_db()
        assert finding.inspectorate_status == "complete"

    def test_outsiders_and_analysts_cannot_edit(self, olly_client, ana_client, ana, report):
        finding = FindingFactory.create(report=report)
        assert olly_client.get(f"/findings/{finding.pk}/edit/").status_code == 404
        assert olly_client.post(f"/findings/{finding.pk}/edit/", finding_data()).status_code == 404
        own = FindingFactory.create(report__body=ana.body, text="Unchanged")
        assert ana_client.post(f"/findings/{own.pk}/edit/", finding_data()).status_code == 403
        own.refresh_from_db()
        assert own.text == "Unchanged"


class TestReordering:
    def test_moving_a_finding_swaps_it_with_its_neighbour(self, alice_client, report):
        first, _second, third = (
            FindingFactory.create(report=report, reference=f"R{n}") for n in (1, 2, 3)
        )
        assert (
            alice_client.post(f"/findings/{third.pk}/move/", {"direction": "up"}).status_code == 302
        )
        assert references(report) == ["R1", "R3", "R2"]
        response = alice_client.post(
            f"/findings/{first.pk}/move/", {"direction": "down"}, headers=HTMX
        )
        assert response.status_code == 200
        assert "R1 moved down." in response.text
        assert references(report) == ["R3", "R1", "R2"]

    def test_moving_the_first_up_changes_nothing(self, alice_client, report):
        first = FindingFactory.create(report=report, reference="R1")
        FindingFactory.create(report=report, reference="R2")
        alice_client.post(f"/findings/{first.pk}/move/", {"direction": "up"})
        assert references(report) == ["R1", "R2"]

    def test_a_bad_direction_or_method_is_refused(self, alice_client, report):
        finding = FindingFactory.create(report=report)
        assert (
            alice_client.post(
                f"/findings/{finding.pk}/move/", {"direction": "sideways"}
            ).status_code
            == 400
        )
        assert alice_client.get(f"/findings/{finding.pk}/move/").status_code == 405

    def test_outsiders_and_analysts_cannot_move(self, olly_client, ana_client, ana, report):
        finding = FindingFactory.create(report=report)
        assert (
            olly_client.post(f"/findings/{finding.pk}/move/", {"direction": "up"}).status_code
            == 404
        )
        own = FindingFactory.create(report__body=ana.body)
        assert ana_client.post(f"/findings/{own.pk}/move/", {"direction": "up"}).status_code == 403


class TestRemoving:
    def test_removal_is_confirmed_first_and_says_what_goes_with_it(
        self, alice_client, alice, report
    ):
        finding = FindingFactory.create(report=report, reference="Recommendation 9")
        EntryFactory.create(finding=finding, response__report=report)
        ActionFactory.create(body=alice.body).findings.add(finding)
        page = alice_client.get(f"/findings/{finding.pk}/delete/")
        assert page.status_code == 200
        assert "Remove Recommendation 9?" in page.text
        assert "response entry will be removed too" in page.text
        assert "unlinked from 1 assurance action" in page.text
        partial = alice_client.get(f"/findings/{finding.pk}/delete/", headers=HTMX)
        assert "<html" not in partial.text
        assert Finding.objects.filter(pk=finding.pk).exists()

    def test_posting_the_confirmation_removes_it(self, alice_client, report):
        finding = FindingFactory.create(report=report, reference="Recommendation 9")
        response = alice_client.post(f"/findings/{finding.pk}/delete/", headers=HTMX)
        assert response.status_code == 200
        assert "Recommendation 9 removed." in response.text
        assert not Finding.objects.filter(pk=finding.pk).exists()

    def test_outsiders_and_analysts_cannot_remove(self, olly_client, ana_client, ana, report):
        finding = FindingFactory.create(report=report)
        assert olly_client.post(f"/findings/{finding.pk}/delete/").status_code == 404
        own = FindingFactory.create(report__body=ana.body)
        assert ana_client.get(f"/findings/{own.pk}/delete/").status_code == 403
        assert ana_client.post(f"/findings/{own.pk}/delete/").status_code == 403
        assert Finding.objects.count() == 2


# Issue 13: recommendations addressed only to others, and the closure prompts.


def test_a_recommendation_addressed_only_to_others_is_not_the_forces_open_work(
    alice_client, report
):
    others = addressee("college-of-policing", answerable=False)
    FindingFactory.create(report=report, reference="R1", addressed_to=[others])
    FindingFactory.create(
        report=report, reference="R2", addressed_to=[others, addressee("chief-constables")]
    )
    FindingFactory.create(report=report, reference="R3")  # no addressee: the force's work
    assert sorted(Finding.objects.force_work().values_list("reference", flat=True)) == [
        "R2",
        "R3",
    ]
    board = alice_client.get("/dashboard/").context["board"]
    recommendations = next(r for r in board.findings if r["kind"] == "Recommendation")
    assert recommendations["cells"][1].value == 2
    others_figure = board.closure[0]
    assert others_figure.value == 1
    listed = alice_client.get(others_figure.url).context["page"].object_list
    assert [f.reference for f in listed] == ["R1"]
    assert "Addressed to others: 1" in alice_client.get("/dashboard/").text


def test_when_every_action_is_complete_the_finding_prompts_to_record_the_forces_word(
    alice_client, alice, report
):
    done = FindingFactory.create(report=report, reference="Done")
    half = FindingFactory.create(report=report, reference="Half")
    FindingFactory.create(report=report, reference="None yet")
    for finding, status in ((done, "complete"), (done, "not_adopted"), (half, "complete")):
        ActionFactory.create(body=alice.body, status=status).findings.add(finding)
    ActionFactory.create(body=alice.body, status="in_progress").findings.add(half)
    assert list(Finding.objects.actions_all_complete()) == [done]
    page = alice_client.get(f"/reports/{report.pk}/")
    assert page.text.count('data-prompt="force-complete"') == 1
    assert "Record that the force says this is complete" in page.text
    board = alice_client.get("/dashboard/").context["board"]
    ready = board.closure[1]
    assert ready.value == 1
    listed = alice_client.get(ready.url)
    assert [f.reference for f in listed.context["page"].object_list] == ["Done"]
    assert 'data-prompt="force-complete"' in listed.text


def test_once_the_force_says_complete_it_prompts_for_the_bodys_assurance(
    alice_client, ana_client, report
):
    FindingFactory.create(report=report, force_complete_on=dt.date(2026, 11, 1))
    FindingFactory.create(
        report=report,
        reference="Assured",
        force_complete_on=dt.date(2026, 11, 1),
        body_assured_on=dt.date(2026, 11, 20),
        assurance_level="substantial",
    )
    page = alice_client.get(f"/reports/{report.pk}/")
    assert page.text.count('data-prompt="body-assured"') == 1
    assert "Record the body's assurance" in html.unescape(page.text)
    awaiting = alice_client.get("/dashboard/").context["board"].closure[2]
    assert awaiting.value == 1
    assert alice_client.get(awaiting.url).context["page"].paginator.count == 1
    # An analyst sees where it stands but is not offered the edit.
    analyst = html.unescape(ana_client.get(f"/reports/{report.pk}/").text)
    assert "Record the body's assurance" not in analyst


def test_each_closure_prompt_leads_to_its_date_on_the_findings_edit_page(
    alice_client, alice, report
):
    ready = FindingFactory.create(report=report, reference="Ready")
    ActionFactory.create(body=alice.body, status="complete").findings.add(ready)
    said = FindingFactory.create(
        report=report, reference="Said", force_complete_on=dt.date(2026, 11, 1)
    )
    page = alice_client.get(f"/findings/?q=&report={report.pk}").text
    for finding, field in ((ready, "force_complete_on"), (said, "body_assured_on")):
        href = f"/findings/{finding.pk}/edit/#finding-{finding.pk}-{field}"
        assert f'href="{href}"' in page
        edit = alice_client.get(href.split("#")[0]).text
        assert f'id="finding-{finding.pk}-{field}"' in edit
