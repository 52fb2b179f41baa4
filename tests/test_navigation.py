"""The menu: every page highlights the one item it belongs to (or none, for the public
pages and signing in), with aria-current "page" on the item's own page and "true" on the
other pages of its section."""

from __future__ import annotations

import io
import re

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import URLPattern, get_resolver

from inspections.demo import DEMO_PASSWORD
from inspections.models import AssuranceAction, Finding, Meeting, PolicingBody, Response
from inspections.templatetags.inspections import nav_section

pytestmark = pytest.mark.django_db

ITEMS = {
    "home": "Home",
    "dashboard": "Dashboard",
    "reports": "Reports",
    "findings": "Findings",
    "responses": "Responses",
    "actions": "Actions",
    "imports": "Import",
    "settings": "Settings",
    "people": "People",
    "account": "Your account",
}
# Pages of no menu item: seen signed out, or not pages at all.
NO_ITEM = {
    "healthz",
    "accessibility",
    "login",
    "logout",
    "account_login",
    "entra_sign_in",
    "invitation_accept",
    "calendar_feed",
    "feed",
}


def test_every_route_belongs_to_a_menu_item_or_is_known_to_belong_to_none():
    for route in get_resolver("inspections.urls").url_patterns:
        assert isinstance(route, URLPattern)
        name = route.name
        if name is None or name in NO_ITEM or name.startswith("public_"):
            assert name is None or nav_section(name) == "", name
            continue
        assert nav_section(name) in ITEMS, f"{name} highlights no menu item: add it to NAV_*"


@pytest.mark.parametrize(
    ("name", "section"),
    [
        ("import_findings", "imports"),  # a report's findings import is an import
        ("import_response_confirm", "imports"),
        ("finding_picker", "actions"),  # linking an action to findings, on its page
        ("finding_edit", "findings"),
        ("report_pdf", "reports"),
        ("entry_edit", "responses"),
        ("edition_pdf", "responses"),
        ("meeting_edit", "dashboard"),
        ("pack_detail", "dashboard"),
        ("audit_log", "people"),
        ("notification_preferences", "account"),
        ("token_list", "account"),
        ("calendar_settings", "account"),
        ("mfa_activate_totp", "account"),
        ("account_change_password", "account"),
    ],
)
def test_pages_inside_a_section_highlight_its_item(name, section):
    assert nav_section(name) == section


@pytest.fixture
def demo() -> PolicingBody:
    call_command("load_demo", stdout=io.StringIO())
    return PolicingBody.objects.get(slug__contains="hampshire")


def menu(client: Client, url: str) -> str:
    page = client.get(url)
    assert page.status_code == 200, url
    return page.text[page.text.index('id="navigation"') : page.text.index("</nav>")]


def highlighted(nav: str) -> list[tuple[str, str]]:
    return re.findall(
        r'item--active"><a class="govuk-service-navigation__link" href="[^"]*"'
        r' aria-current="(page|true)"><strong [^>]*>([^<]+)</strong>',
        nav,
    )


def test_each_page_highlights_exactly_its_item(demo):
    ada = Client()
    assert ada.login(username="ada", password=DEMO_PASSWORD)  # an editor and administrator
    finding = Finding.objects.filter(report__body=demo)[0]
    report = finding.report
    response = Response.objects.filter(body=demo)[0]
    action = AssuranceAction.objects.filter(body=demo)[0]
    meeting = Meeting.objects.filter(body=demo)[0]
    pages = {
        "/": ("Home", "page"),
        "/dashboard/": ("Dashboard", "page"),
        "/meetings/": ("Dashboard", "true"),
        f"/meetings/{meeting.pk}/": ("Dashboard", "true"),
        "/board-packs/": ("Dashboard", "true"),
        "/reports/": ("Reports", "page"),
        f"/reports/{report.pk}/": ("Reports", "true"),
        "/findings/": ("Findings", "page"),
        f"/findings/{finding.pk}/edit/": ("Findings", "true"),
        "/responses/": ("Responses", "page"),
        f"/responses/{response.pk}/": ("Responses", "true"),
        f"/responses/{response.pk}/history/": ("Responses", "true"),
        "/actions/": ("Actions", "page"),
        f"/actions/{action.pk}/": ("Actions", "true"),
        f"/actions/{action.pk}/history/": ("Actions", "true"),
        "/imports/": ("Import", "page"),
        "/imports/tracker/": ("Import", "true"),
        f"/reports/{report.pk}/findings/import/": ("Import", "true"),
        "/settings/": ("Settings", "page"),
        "/people/": ("People", "page"),
        "/people/invite/": ("People", "true"),
        "/people/sign-in-log/": ("People", "true"),
        "/account/": ("Your account", "page"),
        "/account/notifications/": ("Your account", "true"),
        "/account/tokens/": ("Your account", "true"),
        "/account/calendar/": ("Your account", "true"),
        "/account/password/change/": ("Your account", "true"),
        "/account/2fa/": ("Your account", "true"),
    }
    for url, (item, current) in pages.items():
        assert highlighted(menu(ada, url)) == [(current, item)], url


def test_the_public_pages_and_the_accessibility_statement_highlight_nothing(demo):
    alice = Client()
    assert alice.login(username="alice", password=DEMO_PASSWORD)
    for url in ("/accessibility/", "/public/", f"/public/{demo.slug}/"):
        page = alice.get(url)
        assert page.status_code == 200, url
        assert "item--active" not in page.text, url
        assert "aria-current" not in page.text, url


def test_a_force_contributor_sees_home_their_actions_and_their_account(demo):
    fred = Client()
    assert fred.login(username="fred", password=DEMO_PASSWORD)
    nav = menu(fred, "/actions/")
    labels = re.findall(
        r'class="govuk-service-navigation__link"[^>]*>(?:<strong [^>]*>)?([^<]+)<', nav
    )
    assert labels == ["Home", "Your actions", "Your account"]
    assert highlighted(nav) == [("page", "Your actions")]
    own = AssuranceAction.objects.filter(owner__username="fred")[0]
    assert highlighted(menu(fred, f"/actions/{own.pk}/")) == [("true", "Your actions")]
