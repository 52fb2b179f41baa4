"""Two-factor sign-in in Chromium: the code asked at sign-in, setting up an authenticator
app when it is required, and passkeys on a virtual authenticator (Chrome DevTools)."""

from __future__ import annotations

from django.core.cache import cache
from playwright.sync_api import Page, expect

from inspections.models import Role
from inspections.two_factor import has_two_factor, totp_code
from tests.conftest import PAT_TOTP_SECRET
from tests.factories import PASSWORD, MembershipFactory, UserFactory

from .conftest import assert_accessible, sign_in

SHOTS = "/tmp/signin-helper"


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def test_pat_signs_in_with_the_code_from_his_app_by_keyboard(page: Page, server_url, pat):
    cache.clear()
    page.goto(f"{server_url}/sign-in/")
    page.get_by_label("Username").focus()
    page.keyboard.type("pat")
    page.keyboard.press("Tab")
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    expect(heading(page)).to_have_text("Enter your sign-in code")
    expect(page.get_by_label("Code")).to_be_visible()
    assert_accessible(page)

    page.get_by_label("Code").focus()
    page.keyboard.type("000000")
    page.keyboard.press("Enter")
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("The code is not right.")
    assert_accessible(page, "wrong code")
    page.screenshot(path=f"{SHOTS}-code-error.png", full_page=True)

    page.get_by_label("Code").focus()
    page.keyboard.type(totp_code(PAT_TOTP_SECRET))
    page.keyboard.press("Enter")
    expect(heading(page)).to_contain_text("Welcome, Pat")


def test_an_approver_sets_up_an_authenticator_app_before_anything_else(
    page: Page, server_url, body
):
    user = UserFactory.create(username="paula", first_name="Paula")
    paula = MembershipFactory.create(user=user, body=body, role=Role.APPROVER)
    sign_in(page, server_url, "paula")
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{server_url}/account/")
    expect(page.locator(".govuk-notification-banner")).to_contain_text(
        "Set up two-factor sign-in to carry on"
    )
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-set-up-needed.png", full_page=True)

    page.locator(".govuk-notification-banner").get_by_role(
        "link", name="Set up an authenticator app"
    ).click()
    expect(heading(page)).to_have_text("Set up an authenticator app")
    expect(
        page.get_by_role("img", name="QR code to scan with your authenticator app")
    ).to_be_visible()
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-totp-activate.png", full_page=True)
    secret = page.locator("#totp-secret").inner_text()
    page.get_by_label("Enter the 6-digit code the app now shows").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on two-factor sign-in").click()

    expect(heading(page)).to_have_text("Your recovery codes")
    expect(page.locator("#recovery-codes li")).to_have_count(10)
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-recovery-codes.png", full_page=True)
    assert has_two_factor(paula.user)

    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(f"{server_url}/dashboard/")
    for path, title in [
        ("/account/", "Your account"),
        ("/account/2fa/", "Two-factor sign-in"),
        ("/account/2fa/totp/deactivate/", "Turn off the authenticator app"),
        ("/account/2fa/recovery-codes/generate/", "Make new recovery codes"),
        ("/account/2fa/reauthenticate/", "Confirm it is you"),
        ("/account/2fa/webauthn/", "Passkeys and security keys"),
    ]:
        page.goto(server_url + path)
        expect(heading(page)).to_have_text(title)
        assert_accessible(page, path)
    # An approver keeps their only second factor.
    page.goto(f"{server_url}/account/2fa/totp/deactivate/")
    expect(page.locator("#form-errors")).to_contain_text("You cannot turn this off")


def add_virtual_authenticator(page: Page) -> None:
    """A passkey-capable authenticator inside Chromium that says yes to everything."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )


def test_pat_adds_a_passkey_and_signs_in_with_it(page: Page, server_url, pat):
    add_virtual_authenticator(page)
    sign_in(page, server_url, "pat")
    page.get_by_role("link", name="Your account").click()
    page.get_by_role("link", name="Add a passkey").click()
    expect(heading(page)).to_have_text("Add a passkey")
    assert_accessible(page)
    page.screenshot(path=f"{SHOTS}-passkey-add.png", full_page=True)
    page.get_by_label("Name").fill("Work laptop")
    expect(page.get_by_label("Let me sign in with it alone, without a password")).to_be_checked()
    page.get_by_role("button", name="Add the passkey").click()
    expect(page.get_by_text("Passkey added.")).to_be_visible()
    expect(page.locator("#factor-webauthn")).to_have_text("1 added")

    page.goto(f"{server_url}/account/2fa/webauthn/")
    expect(page.get_by_role("cell", name="Work laptop", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Passkey", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name="Rename Work laptop").click()
    expect(heading(page)).to_have_text("Rename a passkey")
    assert_accessible(page)
    page.get_by_label("Name").fill("Office laptop")
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Remove Office laptop").click()
    expect(heading(page)).to_have_text("Remove “Office laptop”?")
    assert_accessible(page)
    page.goto(f"{server_url}/account/2fa/webauthn/reauthenticate/")
    expect(heading(page)).to_have_text("Confirm it is you")
    assert_accessible(page)

    page.get_by_role("button", name="Sign out").click()
    # Someone has guessed at pat's password: his username is locked for now...
    for _ in range(6):
        page.get_by_label("Username or email address").fill("pat")
        page.get_by_label("Password", exact=True).fill("a-guess")
        page.get_by_role("button", name="Sign in", exact=True).click()
    expect(page.locator(".govuk-error-summary")).to_contain_text("too many failed attempts")
    # ...but his passkey still signs him in.
    page.get_by_role("button", name="Sign in with a passkey").click()
    expect(heading(page)).to_contain_text("Welcome, Pat")

    # With a password, the passkey can stand in for the authenticator app's code.
    page.get_by_role("button", name="Sign out").click()
    cache.clear()
    page.get_by_label("Username or email address").fill("pat")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    expect(heading(page)).to_have_text("Enter your sign-in code")
    assert_accessible(page)
    page.get_by_role("button", name="Use a passkey or security key").click()
    expect(heading(page)).to_contain_text("Welcome, Pat")
