from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command

from inspections.models import ResponseEdition, ResponseStatus

from .factories import ResponseFactory

pytestmark = pytest.mark.django_db


def run() -> str:
    out = io.StringIO()
    call_command("backfill_editions", stdout=out)
    return out.getvalue()


def test_every_published_response_without_an_edition_gets_one_and_a_rerun_adds_none(body):
    published = ResponseFactory.create(
        report__body=body, status=ResponseStatus.PUBLISHED, published_on=dt.date(2024, 1, 10)
    )
    ResponseFactory.create(report__body=body, status=ResponseStatus.DRAFT)
    assert run() == "Made 1 edition.\n"
    edition = ResponseEdition.objects.get()
    assert (edition.response, edition.number, edition.published_on) == (
        published,
        1,
        dt.date(2024, 1, 10),
    )
    assert edition.pdf.read().startswith(b"%PDF-")
    assert run() == "Made 0 editions.\n"
