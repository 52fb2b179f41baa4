"""History pages: every version of a response (with its entries) and of an action, who
and when, and what changed, in a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.formats import date_format

from inspections.history import word_diff
from inspections.models import ActionStatus, AssuranceAction, Response, ResponseEntry

from .factories import (
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ResponseFactory,
    addressee,
    response_data,
)

pytestmark = pytest.mark.django_db

DEL = '<del class="app-diff-del"><span class="govuk-visually-hidden">removed: </span>'
INS = '<ins class="app-diff-ins"><span class="govuk-visually-hidden">added: </span>'


def edit(record, user, reason: str = "", **fields: object):
    """Save a change as `user` would through a form (the middleware sets the user)."""
    for name, value in fields.items():
        setattr(record, name, value)
    record._history_user = user
    if reason:
        record._change_reason = reason
    record.save()
    return record


@pytest.fixture
def response(alice) -> Response:
    return ResponseFactory.create(report__body=alice.body, report__title="Vetting and misconduct")


def history_url(record) -> str:
    kind = "responses" if isinstance(record, Response) else "actions"
    return f"/{kind}/{record.pk}/history/"


class TestWordDiff:
    def test_it_marks_the_words_taken_out_and_put_in(self):
        html = word_diff("We welcome the report.", "We accept the report.")
        assert html == f"We {DEL}welcome</del> {INS}accept</ins> the report."

    def test_it_keeps_unchanged_text_and_line_breaks(self):
        html = word_diff("One two.\nThree.", "One two.\nThree. Four.")
        assert html == f"One two.<br>Three. {INS}Four.</ins>"

    def test_it_keeps_the_break_before_words_taken_off_the_end(self):
        html = word_diff("We welcome it.\nMore to say.", "We welcome it.")
        assert html == f"We welcome it.<br>{DEL}More to say.</del>"

    def test_it_escapes_user_text_before_adding_markup(self):
        html = word_diff("<b>safe</b>", "<script>alert(1)</script> & more")
        assert "<script>" not in html
        assert "<b>" not in html
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&amp;" in html


class TestTheResponseHistory:
    def test_two_edits_show_three_versions_with_who_when_and_what(self, alice_client, response):
        first = alice_client.post(f"/responses/{response.pk}/edit/", response_data(response))
        assert first.status_code == 302
        response.refresh_from_db()
        second = alice_client.post(
            f"/responses/{response.pk}/edit/",
            response_data(response, comments="We accept the report.", signatory_name="D. Jones"),
        )
        assert second.status_code == 302

        page = alice_client.get(history_url(response))
        assert page.status_code == 200
        text = page.text
        assert text.count('<time datetime="') == 3
        assert text.index("Version 3") < text.index("Version 2") < text.index("Version 1")
        assert "by System" in text  # the factory made the first version outside a request
        assert text.count("by Alice") == 2
        assert date_format(timezone.localdate(), "j F Y") in text
        # version 2: comments and signatory set from nothing
        assert "The body&#x27;s comments" in text
        assert "Not set" in text
        # version 3: a word changed in the comments, a name changed
        assert f"{DEL}welcome</del> {INS}accept</ins> the report." in text
        assert '<td class="govuk-table__cell">Donna Jones</td>' in text
        assert '<td class="govuk-table__cell">D. Jones</td>' in text
        # noise is left out
        assert ">Updated<" not in text
        assert ">Version<" not in text

    def test_choices_dates_reasons_and_people_are_shown_as_people_read_them(
        self, alice_client, alice, pat, response
    ):
        edit(
            response,
            alice.user,
            chief_reply_by=dt.date(2026, 3, 9),
            marking="official_sensitive",
        )
        edit(
            response,
            pat.user,
            reason="Returned to draft: the figures were out of date",
            status="draft",
            approved_by=pat.user,
        )
        text = alice_client.get(history_url(response)).text
        assert "Chief officer reply by" in text
        assert "9 March 2026" in text
        assert "OFFICIAL-SENSITIVE" in text
        assert "Returned to draft: the figures were out of date" in text
        assert '<td class="govuk-table__cell">Pat</td>' in text
        assert "by Pat" in text

    def test_user_text_is_escaped_everywhere(self, alice_client, alice, response):
        edit(response, alice.user, comments="<script>alert('one')</script> first")
        edit(
            response,
            alice.user,
            comments="<script>alert('two')</script> second",
            signatory_name="<b>bold</b>",
            reason="<i>why</i>",
        )
        text = alice_client.get(history_url(response)).text
        assert "<script>alert" not in text
        assert "<b>bold" not in text
        assert "<i>why" not in text
        assert "&lt;script&gt;alert(" in text
        assert "&lt;b&gt;bold&lt;/b&gt;" in text
        assert "&lt;i&gt;why&lt;/i&gt;" in text

    def test_an_entrys_changes_appear_in_the_response_history(self, alice_client, alice, response):
        finding = FindingFactory.create(
            report=response.report, reference="Recommendation 7", addressed_to=[addressee()]
        )
        entry = EntryFactory.create(
            response=response, finding=finding, text="A review by March.", answer="proposed"
        )
        edit(entry, alice.user, text="A review by June.", answer="taken")
        text = alice_client.get(history_url(response)).text
        assert "Entry for Recommendation 7, version 2" in text
        assert "Entry for Recommendation 7, version 1" in text
        assert f"A review by {DEL}March.</del> {INS}June.</ins>" in text
        assert "Action proposed" in text
        assert "Action taken" in text
        newest = text.index("Entry for Recommendation 7, version 2")
        assert newest < text.index("Version 1")

    def test_a_deleted_entry_is_shown_as_deleted(self, alice_client, alice, response):
        finding = FindingFactory.create(report=response.report, reference="Recommendation 8")
        entry = EntryFactory.create(response=response, finding=finding)
        ResponseEntry.objects.filter(pk=entry.pk).get().delete()
        finding.delete()
        text = alice_client.get(history_url(response)).text
        assert "Entry for Recommendation 8, version 2" in text
        assert "Deleted" in text

    def test_an_analyst_may_read_it(self, ana_client, ana):
        response = ResponseFactory.create(report__body=ana.body)
        assert ana_client.get(history_url(response)).status_code == 200

    def test_another_body_cannot(self, olly_client, response):
        assert olly_client.get(history_url(response)).status_code == 404

    def test_it_refuses_posts(self, alice_client, response):
        assert alice_client.post(history_url(response)).status_code == 405

    def test_the_response_page_links_to_it(self, ana_client, ana):
        response = ResponseFactory.create(report__body=ana.body)
        page = ana_client.get(f"/responses/{response.pk}/")
        assert f'href="{history_url(response)}"' in page.text

    def test_the_query_count_is_the_same_with_3_and_20_versions(
        self, alice_client, alice, pat, response
    ):
        finding = FindingFactory.create(report=response.report, reference="Recommendation 1")
        entry = EntryFactory.create(response=response, finding=finding)
        edit(response, alice.user, comments="Version two words.", approved_by=pat.user)

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert alice_client.get(history_url(response)).status_code == 200
            return len(queries)

        few = count()
        for n in range(17):
            who = alice.user if n % 2 else pat.user
            edit(response, who, comments=f"Version {n} words.", approved_by=who)
            edit(entry, who, text=f"Entry text {n}.")
        assert Response.history.filter(id=response.pk).count() == 19
        assert count() == few


class TestTheActionHistory:
    @pytest.fixture
    def action(self, alice) -> AssuranceAction:
        return ActionFactory.create(
            body=alice.body, title="Review vetting", status=ActionStatus.NOT_STARTED
        )

    def test_status_percent_and_findings_changes_are_shown(self, alice_client, alice, action):
        finding = FindingFactory.create(report__body=alice.body, reference="AFI 3")
        edit(action, alice.user, status=ActionStatus.IN_PROGRESS, percent_complete=40)
        action.findings.add(finding)
        edit(
            action,
            alice.user,
            status=ActionStatus.COMPLETE,
            percent_complete=100,
            completed_on=dt.date(2026, 6, 30),
            owner=alice.user,
        )
        page = alice_client.get(history_url(action))
        assert page.status_code == 200
        text = page.text
        assert text.index("Version 4") < text.index("Version 1")
        assert "Not started" in text
        assert "In progress" in text
        assert "Complete" in text
        assert '<td class="govuk-table__cell">40</td>' in text
        assert '<td class="govuk-table__cell">100</td>' in text
        assert "30 June 2026" in text
        assert "Findings it serves" in text
        assert '<td class="govuk-table__cell">AFI 3</td>' in text
        assert '<td class="govuk-table__cell">Alice</td>' in text

    def test_an_analyst_may_read_it_and_another_body_cannot(
        self, ana_client, olly_client, ana, action
    ):
        assert ana_client.get(history_url(action)).status_code == 200
        assert olly_client.get(history_url(action)).status_code == 404

    def test_it_refuses_posts(self, alice_client, action):
        assert alice_client.post(history_url(action)).status_code == 405

    def test_the_action_page_links_to_it(self, ana_client, action):
        page = ana_client.get(f"/actions/{action.pk}/")
        assert f'href="{history_url(action)}"' in page.text

    def test_the_query_count_is_the_same_with_3_and_20_versions(self, alice_client, alice, action):
        findings = [
            FindingFactory.create(report__body=alice.body, reference=f"R{n}") for n in range(20)
        ]
        edit(action, alice.user, percent_complete=10, owner=alice.user)
        action.findings.add(findings[0])

        def count() -> int:
            with CaptureQueriesContext(connection) as queries:
                assert alice_client.get(history_url(action)).status_code == 200
            return len(queries)

        few = count()
        for n in range(1, 18):
            if n % 2:
                edit(action, alice.user, percent_complete=10 + n, owner=alice.user)
            else:
                action.findings.add(findings[n])
        assert AssuranceAction.history.filter(id=action.pk).count() == 20
        assert count() == few
