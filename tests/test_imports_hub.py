"""The imports hub: where an editor starts each of the three imports."""

from __future__ import annotations

from .factories import ReportFactory


def test_an_editor_sees_the_three_imports_and_her_bodys_reports(alice_client, alice, olly):
    mine = ReportFactory.create(body=alice.body, title="Custody services inspection")
    theirs = ReportFactory.create(body=olly.body, title="Thames Valley vetting inspection")
    page = alice_client.get("/imports/")
    assert page.status_code == 200
    text = page.text
    assert "/imports/response/" in text
    assert "/imports/tracker/" in text
    assert f"/reports/{mine.pk}/findings/import/" in text
    assert theirs.title not in text
    assert f"/reports/{theirs.pk}/" not in text
    assert 'href="/imports/" aria-current="page"' in text  # the menu says where she is


def test_the_menu_offers_imports_to_editors_only(alice_client, ana_client):
    assert 'href="/imports/"' in alice_client.get("/").text
    assert 'href="/imports/"' not in ana_client.get("/").text


def test_an_analyst_is_refused_and_a_contributor_finds_nothing(ana_client, cora_client):
    assert ana_client.get("/imports/").status_code == 403
    assert cora_client.get("/imports/").status_code == 404


def test_it_answers_get_only(alice_client):
    assert alice_client.post("/imports/").status_code == 405


def test_it_runs_a_fixed_number_of_queries(alice_client, alice, django_assert_max_num_queries):
    for n in range(25):
        ReportFactory.create(body=alice.body, title=f"Report {n}")
    with django_assert_max_num_queries(8):
        assert alice_client.get("/imports/").status_code == 200
