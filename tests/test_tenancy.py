"""Sweeps every URL of the workspace: another body's records are a 404 for every method,
with and without htmx, and an analyst's write is a 403 that changes nothing. A force
contributor of the same body gets a 404 at every one of them too, since none is one of
their own actions (tests/test_contributors.py sweeps the whole project)."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, get_resolver, resolve, reverse
from django.utils import timezone

from inspections.access import contributor_may_reach
from inspections.demo import DEMO_PASSWORD
from inspections.models import (
    AssuranceAction,
    BoardPack,
    Evidence,
    ImportKind,
    ImportUpload,
    Invitation,
    PackStatus,
    PolicingBody,
    Response,
    token_digest,
)

from .factories import SMALL_PDF, EvidenceFactory

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


@pytest.fixture
def hampshire_urls(settings, tmp_path) -> list[str]:
    """One URL per route, filled with a Hampshire record's ids."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    body = PolicingBody.objects.get(slug__contains="hampshire")
    response = Response.objects.filter(
        body=body, entries__isnull=False, editions__isnull=False
    ).first()
    assert response is not None  # published, so its edition's PDF can be downloaded
    entry = response.entries.first()
    assert entry is not None
    # Not one of fred's: he is the demo's force contributor, and sees only his own.
    action = (
        AssuranceAction.objects.filter(body=body, findings__isnull=False)
        .exclude(owner__username="fred")
        .first()
    )
    assert action is not None
    linked = action.findings.first()
    assert linked is not None
    evidence = EvidenceFactory.create(action=action)
    ana = body.members.get(user__username="ana")
    pack = BoardPack(
        body=body,
        requested_by=ana.user,
        since=dt.date(2026, 1, 1),
        status=PackStatus.DONE,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    pack.file.save("pack.pdf", ContentFile(SMALL_PDF))  # downloadable, so a 404 means refused
    invitation = Invitation.objects.create(
        body=body,
        email="newcomer@example.org",
        role="editor",
        token_digest=token_digest("a-token-for-the-sweep"),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    upload = ImportUpload.objects.create(
        body=body,
        user=body.members.get(user__username="alice").user,
        kind=ImportKind.TRACKER,
        filename="tracker.csv",
        content=b"Title,Owner\nA,alice\n",
    )
    ids = {
        "upload": upload.pk,
        "report": entry.finding.report_id,
        "finding": entry.finding_id,
        "response": response.pk,
        "action": action.pk,
        "evidence": evidence.pk,
        "pack": pack.pk,
        "linked": linked.pk,
        "person": body.members.get(user__username="alice").pk,
        "invitation": invitation.pk,
        "meeting": body.meetings.first().pk,  # type: ignore[union-attr]
    }
    kwargs_for: dict[str, dict[str, object]] = {
        "report_": {"pk": ids["report"]},
        "finding_add": {"report_pk": ids["report"]},
        "import_findings": {"report_pk": ids["report"]},
        "import_tracker_": {"upload_pk": ids["upload"]},
        "response_start": {"report_pk": ids["report"]},
        "finding_": {"pk": ids["finding"]},
        "response_": {"pk": ids["response"]},
        "entry_edit": {"pk": ids["response"], "finding_pk": ids["finding"]},
        "response_transition": {"pk": ids["response"], "name": "return-to-draft"},
        "action_": {"pk": ids["action"]},
        "update_add": {"pk": ids["action"]},
        "evidence_add": {"pk": ids["action"]},
        "evidence_download": {"pk": ids["evidence"]},
        "finding_picker": {"pk": ids["action"]},
        "finding_link": {"pk": ids["action"]},
        "finding_unlink": {"pk": ids["action"], "finding_pk": ids["linked"]},
        "pack_": {"pk": ids["pack"]},
        "edition_pdf": {"pk": ids["response"], "number": 1},
        "person_": {"pk": ids["person"]},
        "invitation_withdraw": {"pk": ids["invitation"]},
        "meeting_": {"pk": ids["meeting"]},
    }
    urls = []
    for route in get_resolver("inspections.urls").url_patterns:
        if not isinstance(route, URLPattern) or not route.pattern.converters:
            continue
        if str(route.name).startswith("public_"):
            continue  # published responses are public by design: tests/test_public.py
        if route.name == "invitation_accept":
            continue  # a link sent by email, its token the only key: tests/test_people.py
        if str(route.name).endswith("_export") or route.name == "feed":
            continue  # lists, not records (no ids): their scoping is in tests/test_exports.py
        if route.name == "calendar_feed":
            continue  # a private address, its secret the only key: tests/test_calendar.py
        if route.name == "token_revoke":
            continue  # a person's own tokens, not the body's: tests/test_tokens.py
        if True:
            name = str(route.name)
            match = kwargs_for.get(name) or next(
                (v for k, v in kwargs_for.items() if k.endswith("_") and name.startswith(k)),
                None,
            )
            assert match is not None, f"no ids for the route {name}: add it to this sweep"
            urls.append(reverse(name, kwargs=match))
    return urls


# Refusals are written to the sign-in log by design (tests/test_audit.py); nothing else.
LOGGED = {"inspections.AuditEvent"}


def snapshot() -> dict[str, int]:
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    return {label: n for label, n in counts.items() if label not in LOGGED} | {
        "response versions": sum(Response.objects.values_list("version", flat=True)),
        "action versions": sum(AssuranceAction.objects.values_list("version", flat=True)),
    }


def test_olly_gets_404_for_every_hampshire_url_and_method(hampshire_urls):
    olly = Client()
    assert olly.login(username="olly", password=DEMO_PASSWORD)
    before = snapshot()
    assert len(hampshire_urls) >= 19
    for url in hampshire_urls:
        for headers in ({}, HTMX):
            assert olly.get(url, headers=headers).status_code in (404, 405), url
            status = olly.post(url, {"direction": "up", "finding": 1}, headers=headers).status_code
            assert status in (404, 405), url
        assert olly.get(url).status_code != 200, url
    assert snapshot() == before


# What an analyst may post: exports are theirs too (a failed board pack's retry builds
# the same export again; tests/test_board_pack.py covers who may).
ANALYSTS_MAY_POST = frozenset({"pack_retry"})


def test_ana_may_read_but_every_write_is_refused_and_changes_nothing(hampshire_urls):
    ana = Client()
    assert ana.login(username="ana", password=DEMO_PASSWORD)
    before = snapshot()
    refused = 0
    for url in hampshire_urls:
        if resolve(url).url_name in ANALYSTS_MAY_POST:
            continue
        for headers in ({}, HTMX):
            status = ana.post(url, {"direction": "up", "text": "x"}, headers=headers).status_code
            assert status in (403, 405), url
            refused += status == 403
    assert refused >= 2 * 13
    assert snapshot() == before
    assert Evidence.objects.count() == 1


def test_fred_a_force_contributor_of_the_same_body_gets_404_for_every_url_and_method(
    hampshire_urls,
):
    fred = Client()
    assert fred.login(username="fred", password=DEMO_PASSWORD)
    before = snapshot()
    for url in hampshire_urls:
        # The pages of his own actions are open to him, so there a wrong method is a 405
        # (the same answer for any id); every other page is a 404 before any view runs.
        refusals = (404, 405) if contributor_may_reach(resolve(url).view_name) else (404,)
        for headers in ({}, HTMX):
            assert fred.get(url, headers=headers).status_code in refusals, url
            status = fred.post(url, {"direction": "up", "text": "x"}, headers=headers).status_code
            assert status in refusals, url
        assert fred.get(url).status_code != 200, url
    assert snapshot() == before
