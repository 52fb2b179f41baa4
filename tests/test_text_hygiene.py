"""Invisible direction controls (issue 10, item 10): removed from everything every form
receives, and never shown from text stored before, so no title can be made to read
backwards."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile

import inspections.forms
from inspections.forms.util import TextHygiene
from inspections.models import AssuranceAction, Evidence, InspectionReport
from inspections.validation import BIDI_CONTROLS, without_bidi_controls

from .factories import ActionFactory, ReportFactory, inspectorate

pytestmark = pytest.mark.django_db

# Embeddings and overrides, isolates, and the three direction marks.
CONTROLS = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c"
# "Annual report" with its last word reversed on screen by a right-to-left override.
DISGUISED = "Annual \u202etroper\u202c review " + CONTROLS


def form_classes() -> list[type[forms.BaseForm]]:
    found = []
    for info in pkgutil.iter_modules(inspections.forms.__path__):
        module = importlib.import_module(f"inspections.forms.{info.name}")
        for _name, value in inspect.getmembers(module, inspect.isclass):
            if issubclass(value, forms.BaseForm) and value.__module__ == module.__name__:
                found.append(value)
    return found


def has_none(text: str) -> bool:
    return not BIDI_CONTROLS.intersection(text)


def test_the_list_covers_every_bidirectional_control():
    assert set(CONTROLS) == BIDI_CONTROLS
    assert without_bidi_controls(DISGUISED) == "Annual troper review "


def test_every_form_in_the_app_removes_them():
    classes = form_classes()
    assert len(classes) >= 20
    missing = [cls.__name__ for cls in classes if not issubclass(cls, TextHygiene)]
    assert missing == []


class TestThroughThePages:
    def test_a_report_title_is_stored_without_them(self, alice, alice_client):
        data = {
            "title": DISGUISED,
            "reference": "REF\u202e1",
            "report_type": "peel",
            "lead_inspectorate": inspectorate().pk,
            "published_on": "2026-01-05",
            "url": "",
            "scope": "national",
            "summary": "Summary \u2067hidden\u2069",
            "marking": "official",
        }
        assert alice_client.post("/reports/new/", data).status_code == 302
        report = InspectionReport.objects.get()
        assert report.title == "Annual troper review"  # trailing space stripped as usual
        assert (report.reference, report.summary) == ("REF1", "Summary hidden")

    def test_an_action_title_is_stored_without_them(self, alice, alice_client):
        data = {
            "title": DISGUISED,
            "description": CONTROLS + "Monthly",
            "start_on": "2026-01-05",
            "target_on": "2026-06-30",
            "status": "in_progress",
            "percent_complete": "20",
        }
        assert alice_client.post("/actions/new/", data).status_code == 302
        action = AssuranceAction.objects.get()
        assert action.title == "Annual troper review"
        assert action.description == "Monthly"

    @pytest.mark.parametrize("character", sorted(CONTROLS))
    def test_each_control_alone_is_removed(self, alice, alice_client, character):
        data = {
            "title": f"Call{character} handling",
            "start_on": "2026-01-05",
            "target_on": "2026-06-30",
            "status": "in_progress",
            "percent_complete": "20",
        }
        assert alice_client.post("/actions/new/", data).status_code == 302
        assert AssuranceAction.objects.get().title == "Call handling"

    def test_a_title_of_nothing_else_is_refused_as_empty(self, alice, alice_client):
        data = {
            "title": CONTROLS,
            "start_on": "2026-01-05",
            "target_on": "2026-06-30",
            "status": "in_progress",
            "percent_complete": "20",
        }
        page = alice_client.post("/actions/new/", data)
        assert page.status_code == 422
        assert not AssuranceAction.objects.exists()
        assert has_none(page.text)

    def test_a_progress_update_is_stored_without_them(self, alice, alice_client):
        action = ActionFactory.create(body=alice.body, percent_complete=10)
        url = f"/actions/{action.pk}/updates/"
        assert alice_client.post(url, {"text": "Done \u202eit"}).status_code == 302
        assert action.updates.get().text == "Done it"

    def test_an_evidence_file_name_cannot_disguise_its_type(
        self, alice, alice_client, settings, tmp_path
    ):
        settings.MEDIA_ROOT = tmp_path / "private"
        action = ActionFactory.create(body=alice.body)
        upload = SimpleUploadedFile("minutes\u202etxt.csv", b"a,b\n", content_type="text/csv")
        page = alice_client.post(f"/actions/{action.pk}/evidence/", {"file": upload})
        assert page.status_code == 302
        assert Evidence.objects.get().original_name == "minutestxt.csv"

    def test_a_search_is_read_without_them(self, alice, alice_client):
        ReportFactory.create(body=alice.body, title="Vetting inspection")
        page = alice_client.get("/reports/", {"q": "Vet\u202eting"})
        assert "Vetting inspection" in page.text


class TestTextStoredBefore:
    """Saved directly, as rows from before the forms removed them would be."""

    def test_report_titles_are_shown_without_them(self, alice, alice_client):
        report = ReportFactory.create(body=alice.body, title=DISGUISED)
        for url in ("/reports/", f"/reports/{report.pk}/"):
            page = alice_client.get(url)
            assert "Annual troper review" in page.text, url
            assert has_none(page.text), url

    def test_action_titles_are_shown_without_them(self, alice, alice_client):
        action = ActionFactory.create(body=alice.body, title=DISGUISED)
        for url in ("/actions/", f"/actions/{action.pk}/"):
            page = alice_client.get(url)
            assert "Annual troper review" in page.text, url
            assert has_none(page.text), url
