"""The public pages and feed: published responses only, to anyone, with nothing internal."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from inspections.models import Marking, Response, ResponseStatus

from .factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ReportFactory,
    ResponseFactory,
    UserFactory,
    publish,
)

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"

# Text that must never reach the public, planted in fields the public pages must not show.
NEVER = {
    "draft": "DRAFT-MARKER-d41c",
    "approved": "APPROVED-MARKER-8e2a",
    "no response": "NO-RESPONSE-MARKER-5b07",
    "no response reason": "NO-RESPONSE-REASON-MARKER-c3f9",
    "sensitive response": "SENSITIVE-RESPONSE-MARKER-0a6e",
    "sensitive report": "SENSITIVE-REPORT-MARKER-77d1",
    "reason on a published one": "REASON-ON-PUBLISHED-MARKER-91b3",
    "approver": "APPROVER-MARKER-6c18",
    "action": "ACTION-MARKER-e5d0",
    "other body": "OTHER-BODY-MARKER-4a9c",
    "invited on": "3 August 2023",
    "reply by": "17 August 2023",
    "received on": "16 August 2023",
    "copies": "25 September 2023",
    "status": "Published and copies sent",
}


def assert_nothing_leaks(text: str) -> None:
    leaked = {name: marker for name, marker in NEVER.items() if marker in text}
    assert not leaked


@pytest.fixture
def published(body) -> Response:
    report = ReportFactory.create(
        body=body,
        title="Management of terrorist offenders in the wake of terrorist attacks",
        published_on=dt.date(2023, 7, 20),
        url="https://www.justiceinspectorates.gov.uk/example-report/",
    )
    approver = UserFactory.create(username="approver", first_name=NEVER["approver"])
    response = ResponseFactory.create(
        report=report,
        status=ResponseStatus.PUBLISHED,
        published_on=dt.date(2023, 9, 1),
        comments="Terror attacks are not just for our metropolitan areas.\n\nSecond paragraph.",
        chief_comments="The Chief Constable welcomes the report.",
        chief_comments_reply="We will hold the force to its word.",
        signatory_name="Donna Jones",
        signatory_role="Police and Crime Commissioner",
        closing_line="No recommendations were made for Chief Constables or PCCs.",
        chief_invited_on=dt.date(2023, 8, 3),
        chief_reply_by=dt.date(2023, 8, 17),
        chief_comments_received_on=dt.date(2023, 8, 16),
        no_response_reason=NEVER["reason on a published one"],
        approved_by=approver,
        version=7,
    )
    finding = FindingFactory.create(
        report=report,
        reference="Recommendation 19",
        text="Counter Terrorism Policing should review its risk tools.",
    )
    EntryFactory.create(
        response=response,
        finding=finding,
        answer="taken",
        text="The force reviewed its tools in August.",
    )
    ActionFactory.create(body=body, response=response, title=NEVER["action"])
    return publish(response)


@pytest.fixture
def copies_sent(body) -> Response:
    """Published later; the chief officer made no comments."""
    response = ResponseFactory.create(
        report__body=body,
        report__title="PEEL 2023–25: an inspection of the force",
        report__published_on=dt.date(2023, 9, 14),
        status=ResponseStatus.COPIES_SENT,
        published_on=dt.date(2023, 10, 20),
        copy_to_inspectorate_on=dt.date(2023, 9, 25),
        copy_to_home_secretary_on=dt.date(2023, 9, 25),
        comments="We welcome the PEEL report.",
    )
    return publish(response)


@pytest.fixture
def hidden(body, other_body) -> dict[str, Response]:
    """Responses the public must never see, each carrying its marker."""

    def make(marker: str, **fields: object) -> Response:
        fields.setdefault("report__body", body)
        response = ResponseFactory.create(
            report__title=f"Report {marker}", comments=marker, chief_comments=marker, **fields
        )
        # Published ones have their editions, so hiding them is the public pages' doing.
        return publish(response) if response.published_on else response

    return {
        "draft": make(NEVER["draft"]),
        "approved": make(NEVER["approved"], status=ResponseStatus.APPROVED),
        "no response": make(
            NEVER["no response"],
            status=ResponseStatus.NO_RESPONSE_NEEDED,
            no_response_reason=NEVER["no response reason"],
        ),
        "sensitive response": make(
            NEVER["sensitive response"],
            status=ResponseStatus.PUBLISHED,
            published_on=dt.date(2023, 12, 1),
            marking=Marking.OFFICIAL_SENSITIVE,
        ),
        "sensitive report": make(
            NEVER["sensitive report"],
            status=ResponseStatus.PUBLISHED,
            published_on=dt.date(2023, 12, 2),
            report__marking=Marking.OFFICIAL_SENSITIVE,
        ),
        "other body": make(
            NEVER["other body"],
            report__body=other_body,
            status=ResponseStatus.PUBLISHED,
            published_on=dt.date(2023, 12, 3),
        ),
    }


def without_tokens(html: str) -> str:
    """The page without what differs on every request (CSP nonces, the CSRF token)."""
    return re.sub(r'nonce="[^"]*"|"X-CSRFToken": "[^"]*"', "", html)


def list_url(body) -> str:
    return f"/public/{body.slug}/"


def page_url(body, response) -> str:
    return f"/public/{body.slug}/responses/{response.pk}/"


def feed_url(body) -> str:
    return f"/public/{body.slug}/feed/"


class TestTheList:
    def test_it_lists_only_published_responses_newest_first_without_sign_in(
        self, client, body, published, copies_sent, hidden
    ):
        page = client.get(list_url(body))
        assert page.status_code == 200
        newer = page.text.index("PEEL 2023–25: an inspection of the force (September 2023)")
        older = page.text.index(
            "Management of terrorist offenders in the wake of terrorist attacks (July 2023)"
        )
        assert newer < older
        assert f'href="{page_url(body, published)}"' in page.text
        assert f'href="{page_url(body, copies_sent)}"' in page.text
        assert "1 September 2023" in page.text
        assert_nothing_leaks(page.text)
        for response in hidden.values():
            assert f"/responses/{response.pk}/" not in page.text

    def test_it_links_to_the_feed_in_the_page_and_the_head(self, client, body):
        page = client.get(list_url(body))
        head = page.text.split("</head>")[0]
        assert f'<link rel="alternate" type="application/atom+xml" href="{feed_url(body)}"' in head
        assert f'<a class="govuk-link" href="{feed_url(body)}">' in page.text

    def test_it_says_when_nothing_is_published(self, client, body, hidden):
        page = client.get(list_url(body))
        assert "No responses have been published yet." in page.text
        assert_nothing_leaks(page.text)

    def test_an_unknown_body_is_not_found(self, client, body):
        assert client.get("/public/no-such-body/").status_code == 404
        assert client.get("/public/no-such-body/feed/").status_code == 404

    def test_it_refuses_posts(self, client, body, published):
        assert client.post(list_url(body)).status_code == 405
        assert client.post(page_url(body, published)).status_code == 405
        assert client.post(feed_url(body)).status_code == 405

    def test_the_query_count_does_not_grow_with_the_responses(
        self, client, body, django_assert_max_num_queries
    ):
        for _ in range(30):
            ResponseFactory.create(
                report__body=body, status=ResponseStatus.PUBLISHED, published_on=dt.date(2024, 1, 1)
            )
        with django_assert_max_num_queries(4):
            assert client.get(list_url(body)).status_code == 200


class TestAPublishedResponse:
    def test_it_reads_like_the_published_document(self, client, body, published):
        page = client.get(page_url(body, published))
        assert page.status_code == 200
        text = page.text
        assert (
            '<h1 class="govuk-heading-l">Management of terrorist offenders in the wake of '
            "terrorist attacks (July 2023)</h1>"
        ) in text
        assert (
            "Response from: Office of the Police and Crime Commissioner, Hampshire and Isle of "
            "Wight"
        ) in text
        assert '<time datetime="2023-09-01">1 September 2023</time>' in text
        assert 'href="https://www.justiceinspectorates.gov.uk/example-report/"' in text
        assert "<p>Terror attacks are not just for our metropolitan areas.</p>" in text
        assert "<p>Second paragraph.</p>" in text
        assert "Recommendation 19" in text
        assert "Counter Terrorism Policing should review its risk tools." in text
        assert "Action taken" in text
        assert "The force reviewed its tools in August." in text
        assert "Donna Jones" in text
        assert "Police and Crime Commissioner" in text
        assert "No recommendations were made for Chief Constables or PCCs." in text
        assert "The Chief Constable welcomes the report." in text
        assert_nothing_leaks(text)

    def test_it_never_shows_internal_fields(self, client, body, published):
        text = client.get(page_url(body, published)).text
        assert_nothing_leaks(text)
        for internal in ("Status", "Version", "Approved", "Statutory clock", "Sign out"):
            assert internal not in text

    def test_chief_officer_comments_the_body_kept_back_are_not_shown(
        self, client, body, copies_sent
    ):
        page = client.get(page_url(body, copies_sent))
        assert page.status_code == 200
        assert "We welcome the PEEL report." in page.text
        assert "The chief officer&#x27;s comments" not in page.text
        assert_nothing_leaks(page.text)

    def test_anything_not_published_or_sensitive_is_not_found(self, client, body, hidden):
        for name, response in hidden.items():
            assert client.get(page_url(body, response)).status_code == 404, name

    def test_another_bodys_response_is_found_only_under_its_own_body(
        self, client, body, other_body, hidden
    ):
        theirs = hidden["other body"]
        assert client.get(page_url(body, theirs)).status_code == 404
        assert client.get(page_url(other_body, theirs)).status_code == 200

    def test_an_unknown_body_or_response_is_not_found(self, client, body, published):
        assert client.get(f"/public/no-such-body/responses/{published.pk}/").status_code == 404
        assert client.get(f"/public/{body.slug}/responses/999999/").status_code == 404

    def test_user_text_is_escaped(self, client, body):
        response = publish(
            ResponseFactory.create(
                report__body=body,
                status=ResponseStatus.PUBLISHED,
                published_on=dt.date(2024, 1, 1),
                comments="<script>alert('x')</script>",
            )
        )
        text = client.get(page_url(body, response)).text
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert" in text

    def test_a_signed_in_member_sees_the_same_public_page(
        self, alice_client, client, body, published
    ):
        public = client.get(page_url(body, published)).text
        signed_in = alice_client.get(page_url(body, published)).text
        assert "Sign out" not in signed_in
        assert 'aria-label="Menu"' not in signed_in
        assert without_tokens(signed_in) == without_tokens(public)


class TestTheFeed:
    def test_it_is_atom_with_exactly_the_published_responses(
        self, client, body, published, copies_sent, hidden
    ):
        result = client.get(feed_url(body))
        assert result.status_code == 200
        assert result["Content-Type"].startswith("application/atom+xml")
        assert_nothing_leaks(result.text)
        feed = ET.fromstring(result.content)
        assert feed.tag == f"{ATOM}feed"
        assert "Police and Crime Commissioner for Hampshire and Isle of Wight" in (
            feed.findtext(f"{ATOM}title") or ""
        )
        entries = feed.findall(f"{ATOM}entry")
        assert [e.findtext(f"{ATOM}title") for e in entries] == [
            "PEEL 2023–25: an inspection of the force (September 2023)",
            "Management of terrorist offenders in the wake of terrorist attacks (July 2023)",
        ]
        first = entries[1]
        link = first.find(f"{ATOM}link")
        assert link is not None
        assert link.get("href") == f"http://testserver{page_url(body, published)}"
        assert (first.findtext(f"{ATOM}updated") or "").startswith("2023-09-01")
        summary = first.find(f"{ATOM}summary")
        assert summary is not None
        assert summary.get("type") == "text"
        assert summary.text == published.comments
        assert first.findtext(f"{ATOM}id")

    def test_the_summary_is_the_first_500_characters_of_the_comments(self, client, body):
        publish(
            ResponseFactory.create(
                report__body=body,
                status=ResponseStatus.PUBLISHED,
                published_on=dt.date(2024, 1, 1),
                comments="word " * 400,
            )
        )
        feed = ET.fromstring(client.get(feed_url(body)).content)
        summary = feed.findtext(f"{ATOM}entry/{ATOM}summary") or ""
        assert 400 < len(summary) <= 500

    def test_it_needs_no_sign_in_and_is_empty_when_nothing_is_published(self, body, hidden):
        result = Client().get(feed_url(body))
        assert result.status_code == 200
        assert ET.fromstring(result.content).findall(f"{ATOM}entry") == []
        assert_nothing_leaks(result.text)
