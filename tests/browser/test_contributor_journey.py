"""Fred, the force's lead, signs in as a force contributor: he sees only his actions, reads
the finding one serves, tells the office the force has completed it, and finds nothing else
of the body's. Alice, of the office, then sees it waiting for her sign-off. In Chromium."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inspections.models import ActionStatus, AssuranceAction, FindingKind, Role
from tests.conftest import _member
from tests.factories import ActionFactory, FindingFactory

from .conftest import assert_accessible, sign_in

FINDING = (
    "By 31 March 2027, the force should make sure that every 999 call is answered within "
    "ten seconds, and report its progress to the commissioner each quarter."
)


@pytest.fixture
def fred(body):
    membership = _member("fred", body, Role.CONTRIBUTOR)
    membership.user.last_name = "Bloggs"
    membership.user.save()
    return membership


def test_fred_updates_his_action_and_alice_sees_it_pending_sign_off(
    page: Page, server_url, fred, alice, browser
):
    finding = FindingFactory.create(
        report__body=fred.body,
        report__title="PEEL 2025: call handling",
        kind=FindingKind.RECOMMENDATION,
        reference="Recommendation 4",
        text=FINDING,
    )
    his = ActionFactory.create(
        body=fred.body, owner=fred.user, title="Answer 999 calls faster", percent_complete=70
    )
    his.findings.add(finding)
    ActionFactory.create(body=fred.body, owner=alice.user, title="Review the OPCC budget")

    sign_in(page, server_url, "fred")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your actions")
    expect(page.get_by_text("Answer 999 calls faster")).to_be_visible()
    expect(page.get_by_text("Review the OPCC budget")).to_have_count(0)
    nav = page.get_by_role("navigation", name="Menu")
    for hidden in ("Dashboard", "Reports", "Settings", "People"):
        expect(nav.get_by_role("link", name=hidden)).to_have_count(0)
    expect(nav.get_by_role("link", name="Your account")).to_be_visible()
    assert_accessible(page, "fred's home")
    page.screenshot(path="/tmp/contributors-home.png", full_page=True)

    page.get_by_role("link", name="Answer 999 calls faster").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Answer 999 calls faster")
    expect(page.get_by_text("Recommendation 4")).to_be_visible()
    expect(page.get_by_text("From the report: PEEL 2025: call handling")).to_be_visible()
    expect(page.get_by_test_id("finding-text")).to_contain_text(
        "report its progress to the commissioner each quarter"
    )
    expect(page.get_by_role("link", name="History of changes")).to_have_count(0)
    expect(page.get_by_role("link", name="Edit the action")).to_have_count(0)
    assert_accessible(page, "fred's action")

    page.get_by_label("What has changed").fill("All call handlers are trained; target met.")
    page.get_by_label("Status now").select_option(label="Force says complete")
    page.get_by_role("button", name="Add update").click()
    expect(page.locator("#timeline")).to_contain_text("All call handlers are trained")
    expect(page.locator("#facts")).to_contain_text("Force says complete")
    expect(page.locator("#facts")).to_contain_text("100%")
    assert_accessible(page, "fred's action after his update")
    page.screenshot(path="/tmp/contributors-action.png", full_page=True)

    for path in ("/dashboard/", "/reports/", f"/actions/{his.pk}/history/"):
        response = page.goto(f"{server_url}{path}")
        assert response is not None
        assert response.status == 404, path
    page.screenshot(path="/tmp/contributors-404.png", full_page=True)

    his.refresh_from_db()
    assert (his.status, his.percent_complete) == (ActionStatus.PENDING_SIGN_OFF, 100)

    office = browser.new_context().new_page()
    sign_in(office, server_url, "alice")
    office.goto(f"{server_url}/actions/?status={ActionStatus.PENDING_SIGN_OFF}")
    row = office.get_by_role("row").filter(has_text="Answer 999 calls faster")
    expect(row).to_contain_text("Pending sign-off")
    expect(row).to_contain_text("Fred Bloggs")
    row.get_by_role("link", name="Answer 999 calls faster").click()
    expect(office.locator("#timeline")).to_contain_text("By Fred Bloggs")
    assert AssuranceAction.objects.get(pk=his.pk).status == ActionStatus.PENDING_SIGN_OFF
    office.screenshot(path="/tmp/contributors-alice.png", full_page=True)
