"""Signing in with Microsoft in Chromium: the sign-in page, the provider's own page (a real
OpenID Connect provider on loopback standing in for Entra ID), and back into the body."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from inspections.models import Membership, Role
from inspections.services import people
from tests.factories import UserFactory

from .conftest import assert_accessible

pytest.register_assert_rewrite("tests.entra_provider")
from tests.entra_provider import NEWCOMER  # noqa: E402

pytest_plugins = ["tests.entra_provider"]


@pytest.fixture
def invited(entra):
    people.invite(
        body=entra.body,
        email=NEWCOMER.email,
        role=Role.APPROVER,
        invited_by=UserFactory.create(username="inviter"),
    )
    return entra


def test_an_invited_person_signs_in_with_microsoft_and_lands_in_their_body(
    page: Page, server_url, invited
):
    page.goto(f"{server_url}/sign-in/")
    section = page.locator(
        "section", has=page.get_by_role("heading", name="Sign in with Microsoft")
    )
    expect(section).to_be_visible()
    assert_accessible(page, "sign-in page with Microsoft")
    page.screenshot(path="/tmp/entra-helper-sign-in.png", full_page=True)

    section.get_by_label("Work email address").fill("nobody@unknown.example.org")
    section.get_by_role("button", name="Sign in with Microsoft").click()
    expect(page.locator(".govuk-error-summary")).to_contain_text(
        "unknown.example.org is not set up for Microsoft sign-in"
    )
    expect(page.get_by_label("Work email address")).to_have_value("nobody@unknown.example.org")
    assert_accessible(page, "Microsoft page with an error")
    page.screenshot(path="/tmp/entra-helper-error.png", full_page=True)

    page.get_by_label("Work email address").fill(NEWCOMER.email)
    page.get_by_role("button", name="Continue to Microsoft").click()

    # The provider's own page: pick the person.
    expect(page.get_by_role("heading", name="Authorize Client")).to_be_visible()
    page.screenshot(path="/tmp/entra-helper-provider.png", full_page=True)
    page.get_by_role("button", name=f"Authorize as {NEWCOMER.sub}").click()

    expect(page).to_have_url(f"{server_url}/")
    expect(page.locator(".govuk-service-navigation")).to_contain_text(invited.body.name)
    page.screenshot(path="/tmp/entra-helper-home.png", full_page=True)
    assert_accessible(page, "home after Microsoft sign-in")
    membership = Membership.objects.get(user__email=NEWCOMER.email)
    assert (membership.body, membership.role) == (invited.body, Role.APPROVER)


def test_a_refused_person_reads_why_on_an_accessible_page(page: Page, server_url, entra):
    page.goto(f"{server_url}/sign-in/microsoft/")
    page.get_by_label("Work email address").fill(NEWCOMER.email)
    page.get_by_role("button", name="Continue to Microsoft").click()
    page.get_by_role("button", name=f"Authorize as {NEWCOMER.sub}").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("You cannot sign in with Microsoft")
    expect(page.locator("#refusal-reason")).to_contain_text("Ask your administrator to invite you.")
    page.screenshot(path="/tmp/entra-helper-refused.png", full_page=True)
    assert_accessible(page, "refusal page")
