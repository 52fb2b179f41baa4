from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory

from inspections.models import Response

from .factories import (
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


def test_a_staff_member_of_a_body_sees_only_that_bodys_records_in_the_admin(records, alice):
    alice.user.is_staff = True
    alice.user.save()
    from django.contrib.auth.models import Permission

    alice.user.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="inspections")
    )
    client = Client()
    client.force_login(alice.user)
    listing = client.get("/admin/inspections/response/")
    assert listing.status_code == 200
    assert listing.context["cl"].result_count == 1
    other = Response.objects.exclude(body=alice.body).get()
    assert client.get(f"/admin/inspections/response/{other.pk}/change/").status_code == 302


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
