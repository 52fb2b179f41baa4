"""axe-core (WCAG 2.2 A and AA) over every page of the workspace, on the demo data,
including forms showing their errors."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from inspections.demo import DEMO_PASSWORD
from inspections.models import AssuranceAction, Finding, InspectionReport, Response

from .conftest import assert_accessible, sign_in


@pytest.fixture
def demo(db) -> None:
    call_command("load_demo", stdout=io.StringIO())


def pages() -> dict[str, str]:
    report = InspectionReport.objects.filter(body__slug__contains="hampshire").order_by("pk")[1]
    finding = Finding.objects.filter(report=report).first()
    response = Response.objects.filter(
        body__slug__contains="hampshire", entries__isnull=False
    ).first()
    assert finding is not None
    assert response is not None
    entry = response.entries.first()
    assert entry is not None
    recommendation = entry.finding
    action = AssuranceAction.objects.filter(body__slug__contains="hampshire").first()
    assert action is not None
    return {
        "home": "/",
        "reports": "/reports/?q=inspection&sort=title",
        "report": f"/reports/{report.pk}/",
        "new report": "/reports/new/",
        "edit report": f"/reports/{report.pk}/edit/",
        "new finding": f"/reports/{report.pk}/findings/new/",
        "edit finding": f"/findings/{finding.pk}/edit/",
        "remove finding": f"/findings/{finding.pk}/delete/",
        "response": f"/responses/{response.pk}/",
        "edit response": f"/responses/{response.pk}/edit/",
        "entry": f"/responses/{response.pk}/entries/{recommendation.pk}/",
        "actions": "/actions/",
        "action": f"/actions/{action.pk}/",
        "new action": "/actions/new/",
        "edit action": f"/actions/{action.pk}/edit/",
        "finding picker": f"/actions/{action.pk}/findings/?q=recommendation",
        "dashboard": "/dashboard/",
        "dashboard filtered": "/dashboard/?type=peel&since=2026-01-01",
        "responses list": "/responses/?state=overdue",
        "findings list": "/findings/?kind=recommendation&closure=open",
        "imports": "/imports/",
        "accessibility": "/accessibility/",
        "change password": "/account/password/change/",
        "account": "/account/",
        "two-factor": "/account/2fa/",
        "notifications": "/account/notifications/",
        "not found": "/reports/999999/",
    }


def test_every_page_has_no_axe_violations(page: Page, server_url, demo):
    sign_in(page, server_url, "alice", DEMO_PASSWORD)
    for name, url in pages().items():
        page.goto(server_url + url)
        assert_accessible(page, name)


@pytest.mark.parametrize(
    ("url_name", "button"),
    [
        ("new report", "Save report"),
        ("edit finding", "Save finding"),
        ("entry", "Save entry"),
        ("new action", "Save action"),
        ("change password", "Change password"),
    ],
)
def test_forms_showing_errors_have_no_axe_violations(
    page: Page, server_url, demo, url_name, button
):
    sign_in(page, server_url, "alice", DEMO_PASSWORD)
    page.goto(server_url + pages()[url_name])
    form = page.locator("main form").filter(has=page.get_by_role("button", name=button)).first
    for field in form.locator("input[type=text], input[type=password], textarea").all():
        field.fill("")
    form.get_by_role("button", name=button).click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def administrators_pages() -> dict[str, str]:
    from inspections.models import Membership

    someone = Membership.objects.filter(body__slug__contains="hampshire").exclude(
        user__username="ada"
    )[0]
    return {
        "people": "/people/",
        "invite": "/people/invite/",
        "person": f"/people/{someone.pk}/",
        "sign-in log": "/people/sign-in-log/",
    }


def test_the_administrators_pages_have_no_axe_violations(page: Page, server_url, demo):
    sign_in(page, server_url, "ada", DEMO_PASSWORD)
    for name, url in administrators_pages().items():
        page.goto(server_url + url)
        expect(page.locator("h1")).to_be_visible()
        assert_accessible(page, name)


def test_the_invitation_form_showing_errors_has_no_axe_violations(page: Page, server_url, demo):
    sign_in(page, server_url, "ada", DEMO_PASSWORD)
    page.goto(server_url + "/people/invite/")
    page.locator("main form input[type=email]").fill("not an address")
    page.locator("main form").get_by_role("button").last.click()
    expect(page.locator(".govuk-error-summary")).to_be_visible()
    assert_accessible(page)


def test_the_force_contributors_pages_have_no_axe_violations(page: Page, server_url, demo):
    sign_in(page, server_url, "fred", DEMO_PASSWORD)
    page.goto(server_url + "/")
    assert_accessible(page, "contributor home")
    action = AssuranceAction.objects.filter(owner__username="fred").first()
    assert action is not None
    page.goto(f"{server_url}/actions/{action.pk}/")
    expect(page.locator("h1")).to_be_visible()
    assert_accessible(page, "contributor action")


def test_the_sign_in_pages_have_no_axe_violations(page: Page, server_url, demo):
    for url in ("/sign-in/", "/account/password/reset/"):
        page.goto(server_url + url)
        assert_accessible(page, url)


def test_the_analysts_read_only_pages_have_no_axe_violations(page: Page, server_url, demo):
    sign_in(page, server_url, "ana", DEMO_PASSWORD)
    for url in (pages()["report"], pages()["response"], pages()["action"]):
        page.goto(server_url + url)
        assert_accessible(page)
