from __future__ import annotations

import os
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.contrib.auth import get_user_model
from django.core.cache import cache
from playwright.sync_api import Page

from inspections.two_factor import totp_code, totp_secret
from tests.factories import PASSWORD

# Playwright's sync API runs an event loop; live_server's ORM calls come from this thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

WCAG_22_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
_axe = Axe()


def assert_accessible(page: Page, where: str = "") -> None:
    """axe-core over the whole page, WCAG 2.2 A and AA rules: no violations."""
    results = _axe.run(page, options={"runOnly": {"type": "tag", "values": WCAG_22_AA}})
    violations = results.response["violations"]
    assert not violations, f"{where or page.url}\n{results.generate_report()}"


def sign_in(page: Page, base_url: str, username: str, password: str = PASSWORD) -> None:
    """Signs in on the sign-in page. Someone with an authenticator app is then asked for
    its code: this enters the code it shows now, worked out from their secret."""
    # Every test signs in from 127.0.0.1, often, and an authenticator code works only
    # once: start each sign-in with no rate limits or used codes in the cache.
    cache.clear()
    page.goto(f"{base_url}/sign-in/")
    page.get_by_label("Username or email address").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()
    if "/account/2fa/authenticate/" in page.url:
        secret = totp_secret(get_user_model().objects.get(username=username))
        assert secret, f"{username} has two-factor sign-in but no authenticator app"
        page.get_by_label("Code").fill(totp_code(secret))
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()


@pytest.fixture
def server_url(live_server) -> str:
    return str(live_server.url)


BROWSER_DIR = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # pytest hands this hook every item of the session, not only those below this
    # folder: mark only the tests that live here.
    for item in items:
        if BROWSER_DIR in Path(item.path).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.django_db(transaction=True))


def tab_to(page: Page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text, value or label contains `text`."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const el = document.activeElement;
                if (!el || el === document.body) return "";
                const label = el.labels && el.labels.length ? el.labels[0].innerText : "";
                return [el.innerText, el.value, el.getAttribute("aria-label"), label]
                    .filter(Boolean).join(" ");
            }"""
        )
        if text in focused:
            return
    raise AssertionError(f"Tab never reached {text!r}")
