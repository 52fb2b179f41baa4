"""At most once (issue 10): every create form carries a key made when it is shown; the
same form sent twice stores one record and answers the second time as the first
(`services.idempotency`). Four people adding the same recommendation at the same moment
make one finding; the others are told it exists."""

from __future__ import annotations

import re
import threading
import uuid
from collections.abc import Mapping
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client

from inspections.forms.reports import FindingForm
from inspections.models import (
    AssuranceAction,
    Evidence,
    Finding,
    InspectionReport,
    ProgressUpdate,
    Response,
    SubmissionKey,
)
from inspections.services import reports as services

from .conftest import signed_in
from .factories import (
    SMALL_PDF,
    ActionFactory,
    FindingFactory,
    ReportFactory,
    addressee,
    inspectorate,
)

HTMX = {"HX-Request": "true"}
KEY = re.compile(r'name="submission_key" value="([0-9a-f-]{36})"')


@pytest.fixture(autouse=True)
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "private"
    return Path(settings.MEDIA_ROOT)


def finding_data(**overrides: object) -> dict[str, object]:
    data: dict[str, object] = {
        "kind": "recommendation",
        "reference": "Recommendation 4",
        "text": "Chief constables should improve call handling.",
        "addressees": [addressee("chief-constables").pk],
        "inspectorate_status": "awaiting_review",
    }
    return data | overrides


def keys(page) -> list[str]:
    return KEY.findall(page.content.decode())


@pytest.mark.django_db
class TestEveryCreateFormCarriesAFreshKey:
    def test_on_each_page_with_a_create_form(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        action = ActionFactory.create(body=alice.body)
        FindingFactory.create(report__body=alice.body, reference="Recommendation 7")
        pages = {
            "report": ("/reports/new/", 1),
            "finding and response start": (f"/reports/{report.pk}/", 2),
            "finding, without JavaScript": (f"/reports/{report.pk}/findings/new/", 1),
            "action": ("/actions/new/", 1),
            "progress update and evidence": (f"/actions/{action.pk}/", 2),
            "finding link": (f"/actions/{action.pk}/findings/?q=Recommendation", 1),
        }
        for name, (url, count) in pages.items():
            first, second = keys(alice_client.get(url)), keys(alice_client.get(url))
            assert len(first) == count, name
            assert len(set(first)) == count, name  # one key per form
            assert not set(first) & set(second), name  # a new key each time it is shown

    def test_edit_forms_carry_a_version_instead(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        page = alice_client.get(f"/reports/{report.pk}/edit/")
        assert keys(page) == []
        assert 'name="version" value="1"' in page.text


def report_data() -> dict[str, object]:
    return {
        "title": "An inspection of neighbourhood policing",
        "report_type": "national_thematic",
        "lead_inspectorate": inspectorate().pk,
        "published_on": "2026-10-01",
        "scope": "national",
        "marking": "official",
    }


def action_data() -> dict[str, object]:
    return {
        "title": "Check the vetting backlog is cleared",
        "start_on": "2026-01-05",
        "target_on": "2026-06-30",
        "status": "in_progress",
        "percent_complete": "20",
    }


@pytest.mark.django_db
class TestTheSamePostTwice:
    def twice(self, client: Client, url: str, data: Mapping[str, object], htmx: bool = False):
        key = str(uuid.uuid4())
        headers = HTMX if htmx else {}
        first = client.post(url, {**data, "submission_key": key}, headers=headers)
        second = client.post(url, {**data, "submission_key": key}, headers=headers)
        return first, second

    def test_a_report_is_added_once(self, alice_client):
        first, second = self.twice(alice_client, "/reports/new/", report_data())
        report = InspectionReport.objects.get()
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"] == f"/reports/{report.pk}/"

    def test_a_finding_is_added_once_with_or_without_htmx(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        url = f"/reports/{report.pk}/findings/new/"
        first, second = self.twice(alice_client, url, finding_data(), htmx=True)
        assert first.status_code == second.status_code == 200
        assert "Recommendation 4 added." in first.text
        assert "Recommendation 4 added." in second.text  # not "already has Recommendation 4"
        first, second = self.twice(alice_client, url, finding_data(reference="Recommendation 5"))
        assert first.status_code == second.status_code == 302
        assert first["Location"] == second["Location"] == f"/reports/{report.pk}/#findings"
        assert sorted(report.findings.values_list("reference", flat=True)) == [
            "Recommendation 4", "Recommendation 5",
        ]  # fmt: skip

    def test_a_response_is_started_once(self, alice_client, alice):
        report = ReportFactory.create(body=alice.body)
        first, second = self.twice(alice_client, f"/reports/{report.pk}/response/", {})
        assert first["Location"] == second["Location"] == f"/responses/{Response.objects.get().pk}/"

    def test_an_action_is_added_once(self, alice_client):
        first, second = self.twice(alice_client, "/actions/new/", action_data())
        action = AssuranceAction.objects.get()
        assert first["Location"] == second["Location"] == f"/actions/{action.pk}/"

    def test_a_double_clicked_progress_update_is_stored_once(self, alice_client, alice):
        action = ActionFactory.create(body=alice.body, percent_complete=10)
        url = f"/actions/{action.pk}/updates/"
        data = {"text": "Half the staff trained.", "percent_complete": "50"}
        first, second = self.twice(alice_client, url, data, htmx=True)
        assert first.status_code == second.status_code == 200
        assert "Progress update added." in first.text
        assert "Progress update added." in second.text
        assert ProgressUpdate.objects.count() == 1
        action.refresh_from_db()
        assert (action.percent_complete, action.version) == (50, 2)

    def test_evidence_is_uploaded_once(self, alice_client, alice):
        action = ActionFactory.create(body=alice.body)
        key = str(uuid.uuid4())
        url = f"/actions/{action.pk}/evidence/"
        answers = [
            alice_client.post(
                url,
                {
                    "file": SimpleUploadedFile("minutes.pdf", SMALL_PDF),
                    "description": "Board minutes",
                    "submission_key": key,
                },
            )
            for _ in range(2)
        ]
        assert [a["Location"] for a in answers] == [f"/actions/{action.pk}/#evidence"] * 2
        assert Evidence.objects.count() == 1

    def test_a_finding_is_linked_once_and_answered_the_same(self, alice_client, alice):
        action = ActionFactory.create(body=alice.body)
        finding = FindingFactory.create(report__body=alice.body, reference="Recommendation 7")
        url = f"/actions/{action.pk}/findings/link/"
        first, second = self.twice(alice_client, url, {"finding": finding.pk}, htmx=True)
        assert first.status_code == second.status_code == 200
        assert "Recommendation 7 linked." in first.text
        assert "Recommendation 7 linked." in second.text
        assert list(action.findings.all()) == [finding]
        assert SubmissionKey.objects.count() == 1

    def test_without_a_key_each_post_stores_as_before(self, alice_client):
        alice_client.post("/actions/new/", action_data())
        alice_client.post("/actions/new/", action_data())
        assert AssuranceAction.objects.count() == 2

    def test_a_refused_submission_leaves_its_key_unused(self, alice_client):
        key = str(uuid.uuid4())
        refused = alice_client.post(
            "/actions/new/", action_data() | {"title": "", "submission_key": key}
        )
        assert refused.status_code == 422
        alice_client.post("/actions/new/", action_data() | {"submission_key": key})
        assert AssuranceAction.objects.count() == 1

    def test_a_key_belongs_to_one_user(self, alice_client, pat):
        key = str(uuid.uuid4())
        alice_client.post("/actions/new/", action_data() | {"submission_key": key})
        answer = signed_in(pat).post("/actions/new/", action_data() | {"submission_key": key})
        assert AssuranceAction.objects.count() == 2  # Pat's is his own, not a replay of hers
        assert answer["Location"] == f"/actions/{AssuranceAction.objects.latest('pk').pk}/"


@pytest.mark.django_db
def test_the_database_refuses_a_second_finding_with_a_reference(alice):
    # The form checks first; two adds at the same moment both pass it, and then the
    # constraint decides, and the service says so in words.
    report = ReportFactory.create(body=alice.body)
    FindingFactory.create(report=report, reference="Recommendation 4")
    with pytest.raises(services.FindingReferenceTaken) as taken:
        services.finding_create(
            report=report, kind="recommendation", reference="Recommendation 4", text="x"
        )
    assert taken.value.reference == "Recommendation 4"
    assert report.findings.count() == 1


@pytest.mark.django_db
def test_a_finding_saved_just_after_the_forms_check_is_a_clear_409(
    alice, alice_client, monkeypatch
):
    """The interleaving of a race, one request at a time: a colleague's Recommendation 4
    is saved after this request's form found no clash, before it saves its own."""
    report = ReportFactory.create(body=alice.body)
    checked = FindingForm.clean

    def clean_then_colleague_saves(form: FindingForm) -> object:
        cleaned = checked(form)
        FindingFactory.create(report=report, reference="Recommendation 4")
        return cleaned

    monkeypatch.setattr(FindingForm, "clean", clean_then_colleague_saves)
    url = f"/reports/{report.pk}/findings/new/"
    data = finding_data() | {"submission_key": str(uuid.uuid4())}
    for headers in ({}, HTMX):
        page = alice_client.post(url, data, headers=headers)
        assert page.status_code == 409
        assert "This report already has Recommendation 4." in page.text
        Finding.objects.filter(report=report).delete()
    assert not SubmissionKey.objects.exists()  # refused, so the key is still unused


@pytest.mark.django_db(transaction=True)
def test_four_simultaneous_adds_of_one_reference_make_one_finding(alice, monkeypatch):
    """Four people (four sessions, four keys) add Recommendation 4 at the same moment.

    On PostgreSQL each request runs in its own thread with its own connection, and a
    barrier holds each one after the form's own check for a repeated reference, so all
    four have passed it before any saves: only the database tells them apart.

    SQLite's test database is shared in memory, where a second connection's write fails
    at once ("database table is locked") instead of waiting, so there the same
    interleaving runs in one thread: all four forms are checked first, then saved."""
    report = ReportFactory.create(body=alice.body)
    if connection.vendor != "postgresql":
        forms = [FindingForm(finding_data(), report=report) for _ in range(4)]
        assert all(form.is_valid() for form in forms)  # none saved yet: all pass
        outcomes = []
        for form in forms:
            try:
                services.finding_create(report=report, **form.cleaned_data)
                outcomes.append("added")
            except services.FindingReferenceTaken as taken:
                outcomes.append(f"already has {taken.reference}")
        assert outcomes == ["added"] + ["already has Recommendation 4"] * 3
        assert report.findings.count() == 1
        return

    url = f"/reports/{report.pk}/findings/new/"
    clients = [signed_in(alice) for _ in range(4)]
    barrier = threading.Barrier(4)
    answers: list[tuple[int, str]] = []
    lock = threading.Lock()
    checked = FindingForm.clean

    def clean_then_wait(form: FindingForm) -> object:
        cleaned = checked(form)
        barrier.wait(timeout=10)
        return cleaned

    monkeypatch.setattr(FindingForm, "clean", clean_then_wait)

    def post(client: Client) -> None:
        try:
            data = finding_data() | {"submission_key": str(uuid.uuid4())}
            page = client.post(url, data, headers=HTMX)
            with lock:
                answers.append((page.status_code, page.content.decode()))
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Finding.objects.filter(report=report, reference="Recommendation 4").count() == 1
    assert sorted(status for status, _text in answers) == [200, 409, 409, 409]
    for status, text in answers:
        if status == 409:
            assert "This report already has Recommendation 4." in text
