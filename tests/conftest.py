"""Personas (after healthchecks' alice/bob/charlie): an editor, an approver and an analyst
of one body, and an outsider editor of another body."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client

from inspections.models import Membership, PolicingBody, Role

from .factories import PASSWORD, BodyFactory, ForceFactory, MembershipFactory, UserFactory

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
HAVE_CHROMIUM = Path(CHROMIUM).exists()
INSTALL_HINT = "sudo apt-get install -y chromium"


def pytest_report_header(config: pytest.Config) -> str:
    if HAVE_CHROMIUM:
        return f"browser tests: Chromium at {CHROMIUM}"
    return f"browser tests: SKIPPED, Chromium not found. Install it with: {INSTALL_HINT}"


SKIPPED_BROWSER_TESTS: list[str] = []


@pytest.hookimpl(trylast=True)  # after tests/browser/conftest.py has marked its tests
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if HAVE_CHROMIUM:
        return
    if os.environ.get("REQUIRE_BROWSER"):
        raise pytest.UsageError(f"REQUIRE_BROWSER is set but Chromium is missing: {INSTALL_HINT}")
    skip = pytest.mark.skip(reason=f"Chromium not found; install it with: {INSTALL_HINT}")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)
            SKIPPED_BROWSER_TESTS.append(item.nodeid)


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if SKIPPED_BROWSER_TESTS:
        terminalreporter.write_line(
            f"{len(SKIPPED_BROWSER_TESTS)} browser tests SKIPPED: Chromium not found "
            f"(install it with: {INSTALL_HINT}). Every other test ran.",
            yellow=True,
            bold=True,
        )


@pytest.fixture
def body(db: None) -> PolicingBody:
    force = ForceFactory.create(name="Hampshire and Isle of Wight Constabulary")
    return BodyFactory.create(
        name="Police and Crime Commissioner for Hampshire and Isle of Wight", force=force
    )


@pytest.fixture
def other_body(db: None) -> PolicingBody:
    force = ForceFactory.create(name="Thames Valley Police")
    return BodyFactory.create(name="Police and Crime Commissioner for Thames Valley", force=force)


def _member(username: str, body: PolicingBody, role: Role) -> Membership:
    user = UserFactory.create(username=username, first_name=username.title())
    return MembershipFactory.create(user=user, body=body, role=role)


@pytest.fixture
def alice(body: PolicingBody) -> Membership:
    return _member("alice", body, Role.EDITOR)


# Pat's authenticator app holds this secret (approvers must use two-factor sign-in):
# `inspections.two_factor.totp_code(PAT_TOTP_SECRET)` is the code it shows now.
PAT_TOTP_SECRET = "KRSXG5CQMFZXIVDPORYFGZLDOJSXIMZS"


@pytest.fixture
def pat(body: PolicingBody) -> Membership:
    """The approver of alice's body, with two-factor sign-in on (an authenticator app)."""
    from inspections.two_factor import enable_totp

    membership = _member("pat", body, Role.APPROVER)
    enable_totp(membership.user, PAT_TOTP_SECRET)
    return membership


@pytest.fixture
def ana(body: PolicingBody) -> Membership:
    return _member("ana", body, Role.ANALYST)


@pytest.fixture
def olly(other_body: PolicingBody) -> Membership:
    return _member("olly", other_body, Role.EDITOR)


# Ada's authenticator app holds this secret (administrators must use two-factor sign-in).
ADA_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture
def ada(body: PolicingBody) -> Membership:
    """An administrator of alice's body, editing too, with two-factor sign-in on."""
    from inspections.two_factor import enable_totp

    membership = _member("ada", body, Role.EDITOR)
    membership.is_administrator = True
    membership.save(update_fields=["is_administrator"])
    enable_totp(membership.user, ADA_TOTP_SECRET)
    return membership


@pytest.fixture
def cora(body: PolicingBody) -> Membership:
    """A force contributor in alice's body: she sees only the actions she owns."""
    membership = _member("cora", body, Role.CONTRIBUTOR)
    membership.job_title = "Superintendent, Hampshire and Isle of Wight Constabulary"
    membership.save(update_fields=["job_title"])
    return membership


def signed_in(membership: Membership) -> Client:
    client = Client()
    assert client.login(username=membership.user.username, password=PASSWORD)
    return client


@pytest.fixture
def alice_client(alice: Membership) -> Client:
    return signed_in(alice)


@pytest.fixture
def ana_client(ana: Membership) -> Client:
    return signed_in(ana)


@pytest.fixture
def olly_client(olly: Membership) -> Client:
    return signed_in(olly)


@pytest.fixture
def ada_client(ada: Membership) -> Client:
    return signed_in(ada)


@pytest.fixture
def cora_client(cora: Membership) -> Client:
    return signed_in(cora)


# Browser tests: Debian's Chromium, never a downloaded build.
@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict[str, object]) -> dict[str, object]:
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }
