from __future__ import annotations

from urllib.parse import quote

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import Client, RequestFactory
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from inspections.models import AssuranceAction

from .factories import (
    PASSWORD,
    ActionFactory,
    EntryFactory,
    FindingFactory,
    ResponseFactory,
    UpdateFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    user = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def records(alice, olly):
    entry = EntryFactory.create(response__report__body=alice.body, finding__report__body=alice.body)
    FindingFactory.create(report=entry.response.report)
    action = ActionFactory.create(body=alice.body)
    action.findings.add(entry.finding)
    UpdateFactory.create(action=action, author=alice.user)
    ResponseFactory.create(report__body=olly.body, comments="Thames Valley's own words")
    return entry


def test_every_model_has_a_working_list_add_and_change_page(superuser_client, records):
    root = get_user_model().objects.get(username="root")
    for model, _ in admin.site._registry.items():
        if model._meta.app_label != "inspections":
            continue
        base = f"/admin/inspections/{model._meta.model_name}/"
        assert superuser_client.get(base).status_code == 200, base
        assert superuser_client.get(base + "?q=test").status_code == 200, base
        request = RequestFactory().get(base)
        request.user = root
        can_add = admin.site._registry[model].has_add_permission(request)
        # Read-only records (e.g. reminders sent) refuse adding by hand.
        assert superuser_client.get(base + "add/").status_code == (200 if can_add else 403), base
        obj = model._default_manager.first()
        if obj is not None:
            change = superuser_client.get(f"{base}{obj.pk}/change/")
            assert change.status_code == 200, base
            if hasattr(model, "history"):
                history = superuser_client.get(f"{base}{obj.pk}/history/")
                assert history.status_code == 200, base


@pytest.fixture
def staff_client(alice) -> Client:
    """A member of a body who is staff and holds every permission, but is no superuser."""
    alice.user.is_staff = True
    alice.user.save()
    alice.user.user_permissions.add(*Permission.objects.all())
    client = Client()
    client.force_login(alice.user)
    return client


def admin_urls() -> list[tuple[str, dict[str, str]]]:
    """Every page of the admin, filled with real records where there are some: each
    registered model's list, add, change, delete, history and (simple_history's) revert
    pages, and the site's own pages. With the POST data that would change something."""
    urls: list[tuple[str, dict[str, str]]] = [
        ("/admin/", {}),
        ("/admin/login/", {"username": "alice", "password": PASSWORD}),
        ("/admin/logout/", {}),
        ("/admin/password_change/", {"old_password": PASSWORD, "new_password1": "x" * 20}),
        ("/admin/password_change/done/", {}),
        ("/admin/jsi18n/", {}),
        (
            "/admin/autocomplete/?app_label=inspections&model_name=assuranceaction"
            "&field_name=owner&term=a",
            {},
        ),
        ("/admin/no-such-page/", {}),
    ]
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        obj = model._default_manager.first()
        pk = str(obj.pk) if obj is not None else "1"
        urls += [
            (f"/admin/{opts.app_label}/", {}),
            (base, {"action": "delete_selected", "_selected_action": pk, "post": "yes"}),
            (base + "add/", {}),
            (f"{base}{pk}/change/", {}),
            (f"{base}{pk}/delete/", {"post": "yes"}),
            (f"{base}{pk}/history/", {}),
            (f"{base}{pk}/", {}),
        ]
        if obj is not None:
            content_type = ContentType.objects.get_for_model(model)
            urls.append((f"/admin/r/{content_type.pk}/{pk}/", {}))
        if isinstance(model_admin, SimpleHistoryAdmin) and obj is not None:
            historical = model.history.filter(id=obj.pk).first()  # type: ignore[attr-defined]
            assert historical is not None, opts.label
            urls.append((f"{base}{pk}/history/{historical.history_id}/", {"_save": "Revert"}))
    return urls


def snapshot() -> dict[str, int]:
    counts = {m._meta.label: m._default_manager.count() for m in apps.get_models()}
    counts.pop("inspections.AuditEvent", None)  # refusals are logged by design
    return counts


def test_a_staff_user_who_is_not_a_superuser_finds_no_admin_page_at_all(staff_client, records):
    before = snapshot()
    urls = admin_urls()
    assert len(urls) > 8 + 7 * len(admin.site._registry) // 2
    assert any("/history/" in url and url.count("/") > 6 for url, _data in urls)  # reverts
    for url, data in urls:
        assert staff_client.get(url).status_code == 404, url
        assert staff_client.post(url, data).status_code == 404, url
    assert snapshot() == before
    # Nothing of the admin's own sign-in or pages shows either.
    refused = staff_client.get("/admin/")
    assert "Django administration" not in refused.text
    assert "Log in" not in refused.text


def test_a_member_who_is_not_staff_finds_no_admin_page_either(alice_client, records):
    for url in ("/admin/", "/admin/login/", "/admin/inspections/response/"):
        assert alice_client.get(url).status_code == 404, url


def test_a_visitor_is_sent_to_our_own_sign_in_page(client, records):
    sign_in = reverse("login")
    for url in ("/admin/", "/admin/inspections/response/", "/admin/inspections/"):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"] == f"{sign_in}?next={quote(url)}", url
    # The admin's login form sends them to ours, and does not sign anyone in.
    response = client.get("/admin/login/?next=/admin/inspections/")
    assert response["Location"] == f"{sign_in}?next={quote('/admin/inspections/')}"
    posted = client.post("/admin/login/", {"username": "root", "password": PASSWORD})
    assert posted.status_code == 302
    assert posted["Location"].startswith(sign_in)
    assert "_auth_user_id" not in client.session


def test_a_superuser_still_gets_the_admin(superuser_client, records):
    assert superuser_client.get("/admin/").status_code == 200
    assert superuser_client.get("/admin/login/")["Location"] == "/admin/"
    action = AssuranceAction.objects.first()
    assert action is not None
    historical = action.history.first()
    revert = f"/admin/inspections/assuranceaction/{action.pk}/history/{historical.history_id}/"
    assert superuser_client.get(revert).status_code == 200


def test_progress_updates_are_read_only_in_the_admin(superuser_client, records):
    update = records.response.body.actions.get().updates.get()
    page = superuser_client.get(f"/admin/inspections/progressupdate/{update.pk}/change/")
    assert page.status_code == 200
    assert 'name="text"' not in page.text
    assert (
        superuser_client.post(
            f"/admin/inspections/progressupdate/{update.pk}/delete/", {"post": "yes"}
        ).status_code
        == 403
    )


def test_the_action_list_is_a_constant_number_of_queries(
    superuser_client, alice, django_assert_max_num_queries
):
    for _ in range(15):
        ActionFactory.create(body=alice.body)
    with django_assert_max_num_queries(12):
        assert superuser_client.get("/admin/inspections/assuranceaction/").status_code == 200
