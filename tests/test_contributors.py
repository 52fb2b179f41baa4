"""Force contributors (the force's own staff) see only the actions they own, with the text
of the findings those actions serve; they post progress and evidence and may say the force
has completed an action, never that it is complete. Every other URL of the project is a 404
for them. Action owners are the body's editors and force contributors."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from inspections.access import (
    CONTRIBUTOR_URL_NAMES,
    actions_for,
    contributor_may_reach,
    visible_to,
)
from inspections.forms.actions import ActionForm
from inspections.forms.util import model_choice
from inspections.models import (
    ActionStatus,
    AssuranceAction,
    BoardPack,
    Evidence,
    FindingKind,
    InspectionReport,
    Invitation,
    Membership,
    PackStatus,
    ProgressUpdate,
    Role,
    token_digest,
)
from inspections.services import actions as services

from .conftest import _member, signed_in
from .factories import (
    SMALL_PDF,
    ActionFactory,
    EntryFactory,
    EvidenceFactory,
    FindingFactory,
    UpdateFactory,
)

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
FINDING_TEXT = (
    "By 31 March 2027, the force should make sure that every 999 call is answered within "
    "ten seconds.\n\nIt should report its progress to the commissioner each quarter."
)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def hers(cora, media) -> AssuranceAction:
    """Cora's action, serving a recommendation of a PEEL report, with an update and a file."""
    finding = FindingFactory.create(
        report__body=cora.body,
        report__title="PEEL 2025: call handling",
        kind=FindingKind.RECOMMENDATION,
        reference="Recommendation 4",
        text=FINDING_TEXT,
    )
    action = ActionFactory.create(
        body=cora.body, owner=cora.user, title="Answer 999 calls faster", percent_complete=40
    )
    action.findings.add(finding)
    UpdateFactory.create(action=action, author=cora.user, text="Call handlers recruited.")
    EvidenceFactory.create(action=action, uploaded_by=cora.user)
    return action


@pytest.fixture
def theirs(alice, media) -> AssuranceAction:
    """The body's action that someone else owns, with a file."""
    action = ActionFactory.create(body=alice.body, owner=alice.user, title="Alice's own work")
    EvidenceFactory.create(action=action, uploaded_by=alice.user)
    return action


@pytest.fixture
def carl(body) -> Membership:
    """Another force contributor of the same body."""
    return _member("carl", body, Role.CONTRIBUTOR)


def update(client: Client, action: AssuranceAction, headers=None, **data):
    return client.post(
        f"/actions/{action.pk}/updates/", {"text": "Done.", **data}, headers=headers or {}
    )


# --- The sweep: every URL of the project -------------------------------------------------


def routes(
    patterns: list[URLPattern | URLResolver] | None = None, prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str]]:
    """Every route of the project as (view name, pattern text), resolvers walked."""
    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        text = str(pattern.pattern)
        if isinstance(pattern.pattern, RegexPattern):
            text = text.removeprefix("^").removesuffix("$")
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from routes(pattern.url_patterns, prefix + text, inner)
        else:
            assert isinstance(pattern.pattern, RoutePattern | RegexPattern)
            yield namespace + (pattern.name or str(pattern.lookup_str)), prefix + text


def fill(text: str, values: dict[str, str], default: str) -> str:
    """The pattern with each argument replaced by its value (`default` for any other)."""
    text = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values.get(m.group(1), default), text)
    text = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: values.get(m.group(1), default), text)
    return re.sub(r"\([^)]*\)", default, text)  # simple_history's unnamed groups


@pytest.fixture
def every_url(cora, hers, theirs, alice) -> list[tuple[str, str]]:
    """One URL per route of the project (each filled twice where it takes ids: with the
    body's records, and with records that cora owns or can see), as (view name, URL)."""
    entry = EntryFactory.create(response__report__body=cora.body, finding__report__body=cora.body)
    hers.findings.add(entry.finding)
    invitation = Invitation.objects.create(
        body=cora.body,
        email="newcomer@example.org",
        role=Role.CONTRIBUTOR,
        token_digest=token_digest("sweep"),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    pack = BoardPack.objects.create(
        body=cora.body,
        requested_by=alice.user,
        since=dt.date(2026, 1, 1),
        status=PackStatus.DONE,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    finding = hers.findings.first()
    assert finding is not None
    bodys = {
        "pk": str(theirs.pk),
        "report_pk": str(entry.finding.report_id),
        "finding_pk": str(entry.finding_id),
        "number": "1",
        "name": "return-to-draft",
        "object_id": str(theirs.pk),
        "app_label": "inspections",
        "body_slug": cora.body.slug,
        "token": "sweep",
    }
    # Hers: her action, its report, her own membership, the response her finding has.
    own = bodys | {
        "pk": str(hers.pk),
        "report_pk": str(finding.report_id),
        "finding_pk": str(finding.pk),
        "object_id": str(hers.pk),
        "fmt": "csv",
        "name": "actions",
    }
    specific = {
        "evidence_download": ("evidence", theirs, hers),
        "person_edit": ("membership", alice, cora),
        "person_deactivate": ("membership", alice, cora),
        "person_reactivate": ("membership", alice, cora),
        "invitation_withdraw": ("invitation", invitation, invitation),
    }
    urls = []
    for view_name, text in routes():
        for whose, given in (("body", bodys), ("hers", own)):
            values = dict(given)
            name = view_name.rsplit(":", 1)[-1]
            if name.startswith("report_"):
                values["pk"] = values["report_pk"]
            elif name.startswith("finding_") and not name.startswith(
                ("finding_picker", "finding_link", "finding_unlink")
            ):
                values["pk"] = values["finding_pk"]
            elif name.startswith(("response_", "entry_", "edition_")):
                values["pk"] = str(entry.response_id)
            elif name.startswith("pack_"):
                values["pk"] = str(pack.pk)
            elif name in specific:
                kind, body_record, her_record = specific[name]
                record = body_record if whose == "body" else her_record
                if kind == "evidence":
                    record = record.evidence.get()
                values["pk"] = str(record.pk)
            url = "/" + fill(text, values, values["pk"])
            # Named by the route that answers it (an earlier pattern may shadow this one).
            answered = (resolve(url).view_name, url)
            if answered not in urls:
                urls.append(answered)
    return urls


def counts() -> dict[str, int]:
    # Refusals are written to the sign-in log by design; nothing else may change.
    return {
        m._meta.label: m._default_manager.count()
        for m in apps.get_models()
        if m._meta.label != "inspections.AuditEvent"
    } | {"versions": sum(AssuranceAction.objects.values_list("version", flat=True))}


def test_a_contributor_gets_404_at_every_url_of_the_project_outside_the_allow_list(
    cora_client, every_url
):
    before = counts()
    refused = [(name, url) for name, url in every_url if not contributor_may_reach(name)]
    assert len(refused) >= 200  # the workspace, exports, history, people, the whole admin
    swept = {name for name, _url in refused}
    for name in (
        "dashboard",
        "report_detail",
        "report_pdf",
        "response_pdf",
        "edition_pdf",
        "pack_download",
        "action_edit",
        "action_history",
        "finding_picker",
        "response_history",
        "body_settings",
        "people",
        "audit_log_csv",
        "admin:index",
        "admin:inspections_assuranceaction_change",
        "admin:inspections_assuranceaction_simple_history",
        "admin:login",
    ):
        assert name in swept, name
    for name, url in refused:
        for headers in ({}, HTMX):
            got = cora_client.get(url, headers=headers)
            assert got.status_code == 404, (name, url, got.status_code)
            posted = cora_client.post(url, {"text": "x", "status": "complete"}, headers=headers)
            assert posted.status_code == 404, (name, url, posted.status_code)
    assert counts() == before


def test_the_sweep_covers_the_routes_and_the_public_pages_stay_public(cora_client, every_url):
    names = {name for name, _url in every_url}
    assert {"dashboard", "report_pdf", "pack_download", "action_history"} <= names
    assert any(name.startswith("admin:") for name in names)
    # Public pages are everyone's (published responses only): the allow-list names them.
    assert contributor_may_reach("public_feed")
    assert cora_client.get("/public/").status_code == 200


def test_the_allow_list_is_the_agreed_one():
    assert {
        "home",
        "action_list",
        "action_detail",
        "update_add",
        "evidence_add",
        "evidence_download",
        "login",
        "logout",
        "account",
    } <= CONTRIBUTOR_URL_NAMES
    for name in ("account_login", "mfa_index", "socialaccount_connections", "public_list"):
        assert contributor_may_reach(name)
    for refused in ("admin:login", "admin:index", "dashboard", "action_edit", None, ""):
        assert not contributor_may_reach(refused)


# --- Only her own actions ------------------------------------------------------------------


def test_another_contributors_action_in_the_same_body_is_a_404(hers, carl):
    client = signed_in(carl)
    evidence = hers.evidence.get()
    for headers in ({}, HTMX):
        assert client.get(f"/actions/{hers.pk}/", headers=headers).status_code == 404
        assert update(client, hers, headers=headers).status_code == 404
        upload = SimpleUploadedFile("notes.pdf", SMALL_PDF, content_type="application/pdf")
        posted = client.post(f"/actions/{hers.pk}/evidence/", {"file": upload}, headers=headers)
        assert posted.status_code == 404
        assert client.get(f"/evidence/{evidence.pk}/", headers=headers).status_code == 404
    assert hers.updates.count() == 1
    assert hers.evidence.count() == 1
    assert list(actions_for(carl)) == []


def test_the_one_lookup_gives_her_her_own_actions_and_nothing_else(cora, alice, hers, theirs):
    assert list(actions_for(cora)) == [hers]
    assert {a.pk for a in actions_for(alice)} == {hers.pk, theirs.pk}
    assert list(visible_to(Evidence.objects.all(), cora)) == [hers.evidence.get()]
    assert list(visible_to(ProgressUpdate.objects.all(), cora)) == [hers.updates.get()]
    report = hers.findings.get().report
    assert not visible_to(InspectionReport.objects.all(), cora).exists()
    assert list(visible_to(InspectionReport.objects.all(), alice)) == [report]


def test_the_bodys_other_actions_are_a_404_for_her(cora_client, hers, theirs):
    assert cora_client.get(f"/actions/{theirs.pk}/").status_code == 404
    assert update(cora_client, theirs).status_code == 404
    assert cora_client.get(f"/evidence/{theirs.evidence.get().pk}/").status_code == 404
    assert not theirs.updates.exists()


def test_her_home_page_lists_her_open_actions_then_her_closed_ones(cora, cora_client, theirs):
    late = ActionFactory.create(
        body=cora.body,
        owner=cora.user,
        title="Audit repeat victims",
        start_on=dt.date(2025, 1, 1),
        target_on=timezone.localdate() - dt.timedelta(days=10),
        percent_complete=10,
    )
    done = ActionFactory.create(
        body=cora.body,
        owner=cora.user,
        title="Publish the call data",
        status=ActionStatus.COMPLETE,
        percent_complete=100,
        completed_on=dt.date(2026, 3, 2),
    )
    page = cora_client.get("/")
    assert page.status_code == 200
    assert [a.pk for a in page.context["yours"].open] == [late.pk]
    assert [a.pk for a in page.context["yours"].closed] == [done.pk]
    text = page.text
    assert "Your actions" in text
    assert text.index("Audit repeat victims") < text.index("Publish the call data")
    assert "Red" in text  # its RAG colour
    assert late.target_on.strftime("%-d %B %Y") in text
    assert "2 March 2026" in text
    assert "Alice's own work" not in text


def test_her_action_list_has_only_her_actions_and_names_no_one_else(
    cora_client, hers, theirs, alice, pat
):
    page = cora_client.get("/actions/")
    assert page.status_code == 200
    assert [a.pk for a in page.context["page"].object_list] == [hers.pk]
    assert "owner" not in page.context["filters"].fields
    assert "mine" not in page.context["filters"].fields
    assert "Alice" not in page.text
    assert "Pat" not in page.text
    # Asking for someone else's actions changes nothing.
    asked = cora_client.get(f"/actions/?owner={alice.user.pk}", headers=HTMX)
    assert [a.pk for a in asked.context["page"].object_list] == [hers.pk]


def test_the_navigation_shows_only_home_her_actions_her_account_and_sign_out(cora_client, hers):
    page = cora_client.get(f"/actions/{hers.pk}/")
    nav = page.text[page.text.index('id="navigation"') : page.text.index("</nav>")]
    for shown in ("Home", "Your actions", "Your account", "Sign out"):
        assert shown in nav
    for hidden in ("Dashboard", "Reports", "Settings", "People", "/dashboard/", "/reports/"):
        assert hidden not in nav
    # Her account page (password, two-factor sign-in, notifications) is hers to use.
    assert cora_client.get("/account/").status_code == 200


def test_she_reads_the_findings_her_action_serves_in_full(cora_client, hers):
    page = cora_client.get(f"/actions/{hers.pk}/")
    assert page.status_code == 200
    assert "Recommendation 4" in page.text
    assert "Recommendation" in page.text  # its kind
    assert "PEEL 2025: call handling" in page.text
    assert "It should report its progress to the commissioner each quarter." in page.text
    # The office's pages are not hers: no links to them.
    assert "/reports/" not in page.text
    assert f"/actions/{hers.pk}/history/" not in page.text
    assert f"/actions/{hers.pk}/edit/" not in page.text
    assert "Link a finding" not in page.text


def test_she_cannot_export_anything(cora):
    assert not cora.can_export


# --- Progress and evidence -----------------------------------------------------------------


def test_she_posts_a_progress_update(cora_client, hers):
    posted = update(cora_client, hers, text="Recruitment finished.", percent_complete="60")
    assert posted.status_code == 302
    hers.refresh_from_db()
    assert (hers.status, hers.percent_complete) == (ActionStatus.IN_PROGRESS, 60)
    assert hers.updates.first().text == "Recruitment finished."


def test_she_posts_an_update_with_htmx_and_gets_the_timeline(cora_client, hers):
    posted = update(cora_client, hers, headers=HTMX, text="Rota changed.")
    assert posted.status_code == 200
    assert 'id="timeline"' in posted.text
    assert "Rota changed." in posted.text
    assert "<html" not in posted.text


def test_she_marks_force_says_complete_and_it_is_at_100_percent(cora_client, hers):
    page = cora_client.get(f"/actions/{hers.pk}/")
    assert "Force says complete" in page.text
    form = page.context["progress_form"]
    assert [value for value, _label in form.fields["status"].choices] == [
        "",
        ActionStatus.NOT_STARTED,
        ActionStatus.IN_PROGRESS,
        ActionStatus.PENDING_SIGN_OFF,
    ]
    posted = update(cora_client, hers, text="All done.", status=ActionStatus.PENDING_SIGN_OFF)
    assert posted.status_code == 302
    hers.refresh_from_db()
    assert (hers.status, hers.percent_complete) == (ActionStatus.PENDING_SIGN_OFF, 100)
    assert hers.completed_on is None
    after = cora_client.get(f"/actions/{hers.pk}/")
    assert "Force says complete: awaiting the office" in after.text


@pytest.mark.parametrize("status", [ActionStatus.COMPLETE, ActionStatus.NOT_ADOPTED])
def test_she_cannot_set_complete_or_not_adopted(cora_client, hers, status):
    for headers in ({}, HTMX):
        refused = update(cora_client, hers, headers=headers, status=status, percent_complete="100")
        assert refused.status_code == 422
        assert "Only the office can mark an action complete or not adopted" in refused.text
        assert "Done." in refused.text  # her words are kept
    hers.refresh_from_db()
    assert hers.status == ActionStatus.IN_PROGRESS
    assert hers.updates.count() == 1


def test_force_says_complete_with_less_than_100_percent_is_refused(cora_client, hers):
    refused = update(cora_client, hers, status=ActionStatus.PENDING_SIGN_OFF, percent_complete="80")
    assert refused.status_code == 422
    assert "Force says complete means 100% complete, not 80%" in refused.text
    hers.refresh_from_db()
    assert hers.status == ActionStatus.IN_PROGRESS


def test_on_an_action_the_office_closed_she_writes_but_changes_no_status(cora_client, hers):
    AssuranceAction.objects.filter(pk=hers.pk).update(
        status=ActionStatus.COMPLETE, percent_complete=100
    )
    page = cora_client.get(f"/actions/{hers.pk}/")
    assert "status" not in page.context["progress_form"].fields
    posted = update(cora_client, hers, text="Still holding.", status=ActionStatus.IN_PROGRESS)
    assert posted.status_code == 302
    hers.refresh_from_db()
    assert hers.status == ActionStatus.COMPLETE
    assert hers.updates.first().status == ""


def test_the_service_refuses_a_contributor_what_the_form_refuses(cora, hers, theirs):
    with pytest.raises(services.ProgressNotAllowed):
        services.action_record_progress(
            action=hers, author=cora.user, text="x", status=ActionStatus.COMPLETE
        )
    with pytest.raises(services.ProgressNotAllowed):
        services.action_record_progress(action=theirs, author=cora.user, text="x")
    assert ProgressUpdate.objects.filter(text="x").count() == 0


def test_she_uploads_evidence_and_downloads_it(cora_client, hers):
    upload = SimpleUploadedFile("minutes.pdf", SMALL_PDF, content_type="application/pdf")
    posted = cora_client.post(
        f"/actions/{hers.pk}/evidence/", {"file": upload, "description": "Board minutes"}
    )
    assert posted.status_code == 302
    evidence = Evidence.objects.get(original_name="minutes.pdf")
    assert evidence.action == hers
    download = cora_client.get(f"/evidence/{evidence.pk}/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == SMALL_PDF


def test_editors_and_approvers_are_unaffected(alice_client, pat, hers, theirs):
    for client in (alice_client, signed_in(pat)):
        for url in ("/dashboard/", "/reports/", f"/actions/{hers.pk}/edit/", "/actions/"):
            assert client.get(url).status_code == 200, url
        listed = client.get("/actions/").context["page"].object_list
        assert {a.pk for a in listed} == {hers.pk, theirs.pk}
        page = client.get(f"/actions/{hers.pk}/")
        assert f"/actions/{hers.pk}/history/" in page.text
        assert 'value="complete"' in page.text  # the office may sign it off
    assert (
        update(alice_client, hers, status=ActionStatus.COMPLETE, percent_complete="100").status_code
        == 302
    )


# --- Action owners -------------------------------------------------------------------------


def test_owners_are_the_bodys_editors_and_contributors_labelled_with_their_role(
    alice, pat, ana, cora, olly
):
    cora.user.first_name, cora.user.last_name = "Cora", "Bloggs"
    cora.user.save()
    form = ActionForm(body=alice.body)
    owner = model_choice(form, "owner")
    assert set(owner.queryset or []) == {alice.user, pat.user, cora.user}
    labels = {owner.label_from_instance(user) for user in owner.queryset or []}
    assert "Cora Bloggs (force contributor)" in labels
    assert "Alice (editor)" in labels
    assert "Pat (approver)" in labels


def test_a_deactivated_person_an_analyst_or_an_outsider_is_refused_as_owner(
    alice_client, alice, ana, cora, olly
):
    cora.user.is_active = False
    cora.user.save()
    data = {
        "title": "Keep going",
        "start_on_0": "1",
        "start_on_1": "6",
        "start_on_2": "2026",
        "target_on_0": "1",
        "target_on_1": "12",
        "target_on_2": "2026",
        "status": ActionStatus.NOT_STARTED,
        "percent_complete": "0",
    }
    for user in (ana.user, cora.user, olly.user):
        refused = alice_client.post("/actions/new/", data | {"owner": user.pk})
        assert refused.status_code == 422, user
        assert 'href="#id_owner"' in refused.text
    assert not AssuranceAction.objects.exists()


def test_the_service_refuses_an_owner_outside_the_set(alice, ana, cora):
    with pytest.raises(services.OwnerNotAllowed):
        services.action_create(
            body=alice.body,
            title="x",
            start_on=dt.date(2026, 1, 1),
            target_on=dt.date(2026, 2, 1),
            owner=ana.user,
        )
    action = services.action_create(
        body=alice.body,
        title="y",
        start_on=dt.date(2026, 1, 1),
        target_on=dt.date(2026, 2, 1),
        owner=cora.user,
    )
    with pytest.raises(services.OwnerNotAllowed):
        services.action_update(action=action, version=action.version, owner=ana.user)


def test_an_actions_current_owner_may_stay_though_no_longer_an_owner(alice_client, alice, cora):
    action = ActionFactory.create(body=alice.body, owner=cora.user)
    Membership.objects.filter(pk=cora.pk).update(role=Role.ANALYST)
    form = alice_client.get(f"/actions/{action.pk}/edit/").context["form"]
    assert cora.user in set(form.fields["owner"].queryset)
    saved = services.action_update(action=action, version=action.version, title="Renamed")
    assert saved.owner == cora.user
