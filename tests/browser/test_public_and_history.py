"""axe-core over the public pages (signed out) and the history pages (signed in)."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import Page, expect

from inspections.models import ActionStatus, ResponseStatus
from tests.factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    addressee,
    publish,
)

from .conftest import assert_accessible, sign_in


def _edit(record, user, **fields: object) -> None:
    for name, value in fields.items():
        setattr(record, name, value)
    record._history_user = user
    record.save()


def test_the_public_and_history_pages_pass_axe(page: Page, server_url, alice):
    report = ReportFactory.create(
        body=alice.body,
        title="Management of terrorist offenders in the wake of terrorist attacks",
        url="https://www.justiceinspectorates.gov.uk/example-report/",
    )
    response = ResponseFactory.create(
        report=report,
        status=ResponseStatus.PUBLISHED,
        published_on=dt.date(2023, 9, 1),
        comments="Terror attacks are not just for our metropolitan areas.",
        chief_comments="The Chief Constable welcomes the report.",
        signatory_name="Donna Jones",
        signatory_role="Police and Crime Commissioner",
        closing_line="No recommendations were made for Chief Constables or PCCs.",
    )
    finding = FindingFactory.create(
        report=report, reference="Recommendation 19", addressed_to=[addressee()]
    )
    entry = EntryFactory.create(response=response, finding=finding, text="A review by March.")
    _edit(entry, alice.user, text="A review by June.", answer="taken")
    _edit(response, alice.user, comments="Terror attacks are not only for big cities.")
    publish(response)  # the edition the public pages show
    action = ActionFactory.create(body=alice.body, status=ActionStatus.NOT_STARTED)
    _edit(action, alice.user, status=ActionStatus.IN_PROGRESS, percent_complete=40)
    slug = alice.body.slug

    page.goto(f"{server_url}/public/{slug}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Responses to inspection reports")
    assert_accessible(page, "public list")
    page.goto(f"{server_url}/public/")
    assert_accessible(page, "public index")
    page.get_by_role("link", name=alice.body.name, exact=True).click()
    page.get_by_role("link", name="Management of terrorist offenders").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("(July 2023)")
    expect(page.get_by_role("button", name="Sign out")).to_have_count(0)
    assert_accessible(page, "public response")

    sign_in(page, server_url, "alice")
    page.goto(f"{server_url}/responses/{response.pk}/")
    page.get_by_role("link", name="History of changes").click()
    expect(page.locator("ins", has_text="June.")).to_be_visible()
    assert_accessible(page, "response history")
    page.goto(f"{server_url}/actions/{action.pk}/history/")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Version 2")
    assert_accessible(page, "action history")
