"""Every page reflows at 320 CSS pixels without scrolling sideways (WCAG 2.2 1.4.10): the
page is never wider than the screen; a wide table scrolls inside its own region.

The pages come from the URL patterns, as the tenancy sweep does (tests/test_tenancy.py):
a new page is measured as soon as it has a route, and a route this test cannot fill in
or does not know how to treat fails it until it is given ids here or a reason to skip.
The data are the demo's, plus a report with a long unbroken title and address."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone
from playwright.sync_api import Page

from inspections.demo import DEMO_PASSWORD
from inspections.models import (
    AssuranceAction,
    BoardPack,
    Finding,
    ImportKind,
    ImportUpload,
    InspectionReport,
    Invitation,
    PackStatus,
    PolicingBody,
    Response,
    token_digest,
)
from inspections.services.workflow import TRANSITIONS

from ..factories import SMALL_PDF, EvidenceFactory
from .conftest import sign_in

WIDTH = 320
INVITATION_TOKEN = "a-token-for-the-reflow-sweep"
LONG_WORD = "Supercalifragilisticexpialidocious" * 3
LONG_URL = "https://www.justiceinspectorates.gov.uk/hmicfrs/publications/" + "a" * 200

# Routes that answer with something other than a page (files, feeds, probes); a page is
# measured at every other route (one that answers GET with 405 has no page).
NOT_PAGES = {
    "healthz": "a probe, plain text",
    "report_pdf": "a PDF",
    "response_pdf": "a PDF",
    "edition_pdf": "a PDF",
    "response_docx": "a Word document",
    "evidence_download": "a file",
    "pack_download": "a PDF",
    "public_response_pdf": "a PDF",
    "public_feed": "an Atom feed",
    "calendar_feed": "an iCalendar feed",
    "feed": "a CSV feed",
    "audit_log_csv": "a CSV file",
    "audit_log_xlsx": "an XLSX file",
    "report_export": "a CSV or XLSX file",
    "finding_export": "a CSV or XLSX file",
    "response_export": "a CSV or XLSX file",
    "action_export": "a CSV or XLSX file",
    "update_export": "a CSV or XLSX file",
}
# Seen signed out: the public pages and what leads to signing in.
SIGNED_OUT = {"public_index", "public_list", "public_response", "invitation_accept", "login"}
# The allauth pages the app uses (its own routes are from inspections.urls).
ACCOUNT_PAGES = [
    "/account/password/change/",
    "/account/2fa/",
    "/account/2fa/recovery-codes/",
    "/account/2fa/webauthn/",
    "/account/reauthenticate/",
]
SIGNED_OUT_PAGES = ["/account/password/reset/", "/account/2fa/authenticate/", "/no-such-page/"]


@pytest.fixture
def pages(settings, tmp_path) -> dict[str, list[str]]:
    """The URL of every page, by who sees it: "ada" (an editor and administrator of
    Hampshire), "fred" (its force contributor) and "anyone" (signed out)."""
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", stdout=io.StringIO())
    body = PolicingBody.objects.get(slug__contains="hampshire")
    ada = body.members.get(user__username="ada")
    long = InspectionReport.objects.create(
        body=body,
        title=f"An inspection of {LONG_WORD} and everything else",
        report_type="force",
        lead_inspectorate=InspectionReport.objects.filter(body=body)[0].lead_inspectorate,
        published_on=timezone.localdate() - dt.timedelta(days=20),
        url=LONG_URL,
        scope="forces",
        summary=f"A summary with {LONG_WORD} in it.",
    )
    Finding.objects.create(
        report=long, kind="recommendation", reference=LONG_WORD[:100], text=LONG_WORD, position=1
    )
    response = Response.objects.filter(
        body=body, entries__isnull=False, editions__isnull=False
    ).first()
    assert response is not None
    entry = response.entries.first()
    assert entry is not None
    action = (
        AssuranceAction.objects.filter(body=body, findings__isnull=False)
        .exclude(owner__username="fred")
        .first()
    )
    assert action is not None
    linked = action.findings.first()
    assert linked is not None
    evidence = EvidenceFactory.create(action=action)
    pack = BoardPack(
        body=body,
        requested_by=ada.user,
        since=dt.date(2026, 1, 1),
        status=PackStatus.DONE,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    pack.file.save("pack.pdf", ContentFile(SMALL_PDF))
    invitation = Invitation.objects.create(
        body=body,
        email="newcomer-with-a-rather-long-address@example.org",
        role="editor",
        token_digest=token_digest(INVITATION_TOKEN),
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    upload = ImportUpload.objects.create(
        body=body,
        user=ada.user,
        kind=ImportKind.TRACKER,
        filename="tracker.csv",
        content=b"Title,Owner\nA,alice\n",
    )
    fred_action = AssuranceAction.objects.filter(body=body, owner__username="fred").first()
    assert fred_action is not None
    meeting = body.meetings.first()
    assert meeting is not None
    kwargs_for: dict[str, list[dict[str, object]]] = {
        "report_": [{"pk": entry.finding.report_id}, {"pk": long.pk}],
        "finding_add": [{"report_pk": long.pk}],
        "import_findings": [{"report_pk": long.pk}],
        "import_tracker_": [{"upload_pk": upload.pk}],
        "response_start": [{"report_pk": long.pk}],
        "finding_": [{"pk": entry.finding_id}],
        "response_": [{"pk": response.pk}],
        "entry_edit": [{"pk": response.pk, "finding_pk": entry.finding_id}],
        "response_transition": [{"pk": response.pk, "name": name} for name in TRANSITIONS],
        "action_": [{"pk": action.pk}],
        "update_add": [{"pk": action.pk}],
        "evidence_add": [{"pk": action.pk}],
        "finding_picker": [{"pk": action.pk}],
        "finding_unlink": [{"pk": action.pk, "finding_pk": linked.pk}],
        "pack_": [{"pk": pack.pk}],
        "person_": [{"pk": body.members.get(user__username="alice").pk}],
        "meeting_": [{"pk": meeting.pk}],
        "public_list": [{"body_slug": body.slug}],
        "public_response": [{"body_slug": body.slug, "pk": response.pk}],
        "invitation_accept": [{"token": INVITATION_TOKEN}],
        "invitation_withdraw": [{"pk": invitation.pk}],
        "token_": [{"pk": 1}],
        "evidence_download": [{"pk": evidence.pk}],
    }
    found: dict[str, list[str]] = {"ada": [], "fred": ["/", f"/actions/{fred_action.pk}/"]}
    found["anyone"] = list(SIGNED_OUT_PAGES)
    for route in get_resolver("inspections.urls").url_patterns:
        assert isinstance(route, URLPattern)
        name = str(route.name)
        if name in NOT_PAGES or route.name is None:
            continue
        if route.pattern.converters:
            kwargs = kwargs_for.get(name) or next(
                (v for k, v in kwargs_for.items() if k.endswith("_") and name.startswith(k)),
                None,
            )
            assert kwargs is not None, f"no ids for the route {name}: add it to this sweep"
            urls = [reverse(name, kwargs=k) for k in kwargs]
        else:
            urls = [reverse(name)]
        found["anyone" if name in SIGNED_OUT else "ada"] += urls
    found["ada"] += ACCOUNT_PAGES
    found["ada"] += [
        # Filtered lists and the dashboard with every part shown
        f"/dashboard/?type=force&since=2026-01-01&due_before={timezone.localdate()}",
        "/actions/?status=open&sort=title&page=2",
        f"/findings/?report={long.pk}",
        "/reports/?q=inspection",
        "/responses/?state=published",
    ]
    return found


def too_wide(page: Page, base: str, urls: list[str]) -> dict[str, int]:
    wide = {}
    for url in urls:
        answer = page.request.get(base + url)  # with the page's cookies
        if answer.status == 405:
            continue  # POST only: there is no page to see
        kind = answer.headers.get("content-type", "")
        assert kind.startswith("text/html"), f"{url} is {kind}: add it to NOT_PAGES"
        page.goto(base + url)
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[url] = width
    return wide


def test_every_page_fits_a_320_pixel_wide_screen(page: Page, server_url, pages):
    page.set_viewport_size({"width": WIDTH, "height": 720})
    wide = too_wide(page, server_url, pages["anyone"])
    sign_in(page, server_url, "ada", DEMO_PASSWORD)
    wide |= too_wide(page, server_url, pages["ada"])
    # A form showing its errors, with the error summary
    page.goto(f"{server_url}/actions/new/")
    page.get_by_role("button", name="Save action").click()
    page.wait_for_load_state()
    assert page.locator(".govuk-error-summary").is_visible()
    if (width := page.evaluate("document.documentElement.scrollWidth")) > WIDTH:
        wide["/actions/new/ (with errors)"] = width
    page.context.clear_cookies()
    sign_in(page, server_url, "fred", DEMO_PASSWORD)
    wide |= too_wide(page, server_url, pages["fred"])
    measured = sum(len(urls) for urls in pages.values())
    assert measured >= 90, measured
    assert not wide, f"wider than {WIDTH} px: {wide}"
