"""A real OpenID Connect provider on loopback (oidc-provider-mock) standing in for
Microsoft Entra ID, with predefined people, and the HTTP steps of signing in through it.

Test modules load it with `pytest_plugins = ["tests.entra_provider"]`."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client
from django.urls import reverse
from oidc_provider_mock import User, run_server_in_thread

from inspections.models import EntraSignIn, PolicingBody

TENANT = "3f6c1a2e-8d4b-4e7a-9c1d-2b5e8f0a7c13"  # the body's Entra tenant
OTHER_TENANT = "9a0b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"  # someone else's
CLIENT_ID = "b7e2c9d4-1a3f-4e5b-8c6d-7f9a0b1c2d3e"
DOMAIN = "hiow-pcc.example.gov.uk"


@dataclass(frozen=True)
class Person:
    sub: str
    email: str
    tid: str = TENANT
    name: str = ""
    email_claim: bool = True  # False: only `preferred_username` carries the address

    def claims(self) -> dict[str, object]:
        claims: dict[str, object] = {"tid": self.tid, "name": self.name, "oid": self.sub}
        if self.email_claim:
            claims["email"] = self.email
        claims["preferred_username"] = self.email
        return claims


NEWCOMER = Person("newcomer-sub", f"nia.newcomer@{DOMAIN}", name="Nia Newcomer")
ALICE = Person("alice-sub", f"alice@{DOMAIN}", name="Alice Editor")
PAT = Person("pat-sub", f"pat@{DOMAIN}", name="Pat Approver")
UPN_ONLY = Person("upn-sub", f"uma.upn@{DOMAIN}", name="Uma Upn", email_claim=False)
STRANGER_TENANT = Person("stranger-sub", f"sam.stranger@{DOMAIN}", tid=OTHER_TENANT, name="Sam")
WRONG_DOMAIN = Person("elsewhere-sub", "wendy@elsewhere.example.org", name="Wendy Elsewhere")
PEOPLE = [NEWCOMER, ALICE, PAT, UPN_ONLY, STRANGER_TENANT, WRONG_DOMAIN]


@pytest.fixture(scope="session")
def entra_provider() -> Iterator[str]:
    """The provider's base URL, which is also the issuer it advertises."""
    users = [User(sub=person.sub, claims=person.claims()) for person in PEOPLE]
    with run_server_in_thread(port=0, user_claims=users) as server:
        base_url = f"http://127.0.0.1:{server.server_port}"
        issuer = requests.get(f"{base_url}/.well-known/openid-configuration", timeout=5).json()[
            "issuer"
        ]
        assert issuer == base_url
        yield base_url


@pytest.fixture
def entra(settings, entra_provider: str, body: PolicingBody) -> EntraSignIn:
    """The body's Microsoft sign-in, pointed at the local provider."""
    settings.ENTRA_AUTHORITY = entra_provider
    return EntraSignIn.objects.create(
        body=body,
        tenant_id=TENANT,
        client_id=CLIENT_ID,
        client_secret="a-client-secret",
        domains=f"{DOMAIN}\nhiow.example.police.uk",
    )


CONTINUE = re.compile(r'id="continue-to-microsoft" href="([^"]+)"')
REFRESH = re.compile(r'<meta http-equiv="refresh" content="0; url=([^"]+)">')


def start(client: Client, email: str, invitation: str = "", next_url: str = "") -> str:
    """Posts the address to our form; returns the provider's authorisation URL, where
    our page sends the browser on (a refresh, and a link to follow if it does not)."""
    data = {"email": email, "invitation": invitation}
    if next_url:
        data["next"] = next_url
    response = client.post(reverse("entra_sign_in"), data)
    assert response.status_code == 200, response.content.decode()
    page = response.content.decode()
    link, refresh = CONTINUE.search(page), REFRESH.search(page)
    assert link is not None, page
    assert refresh is not None, page
    assert link.group(1) == refresh.group(1)
    return html.unescape(link.group(1))


def choose(authorize_url: str, sub: str) -> str:
    """At the provider: the page with its form, then the person picked. Returns the URL
    the provider sends the browser back to (our callback, with the code)."""
    with requests.Session() as http:
        page = http.get(authorize_url, timeout=5)
        assert page.status_code == 200, page.text
        assert sub in page.text  # a predefined person to pick
        picked = http.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
    assert picked.status_code == 302, picked.text
    return str(picked.headers["Location"])


def back(client: Client, callback_url: str, follow: bool = True):
    parts = urlsplit(callback_url)
    assert parts.netloc == "testserver"
    return client.get(f"{parts.path}?{parts.query}", follow=follow)


def sign_in_with_microsoft(
    client: Client, person: Person, invitation: str = "", follow: bool = True
):
    """The whole round trip: our form, the provider's page, our callback."""
    return back(client, choose(start(client, person.email, invitation), person.sub), follow)
