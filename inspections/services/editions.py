"""Publishing editions: the frozen record of what a response published, and corrections.

An edition is made from the response's rows as they stand, rendered to PDF once and
stored with its SHA-256; nothing changes it afterwards (`ResponseEdition` refuses)."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.auth.models import User
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Max, Prefetch
from django.utils import timezone

from ..editions import edition_content, render_response_pdf
from ..models import Finding, Response, ResponseEdition


def _with_text(response: Response) -> Response:
    """The response with what its edition prints, in a fixed number of queries."""
    findings = Finding.objects.prefetch_related("addressees").order_by("position", "pk")
    return (
        Response.objects.select_related("report", "body")
        .prefetch_related(Prefetch("report__findings", queryset=findings), "entries")
        .get(pk=response.pk)
    )


def edition_create(
    *,
    response: Response,
    user: User | None,
    published_on: dt.date,
    published_url: str = "",
    correction_reason: str = "",
) -> ResponseEdition:
    """Freeze what the response says now as its next edition. Call inside the
    transaction that publishes or corrects it (the response row is locked there)."""
    response = _with_text(response)
    number = (response.editions.aggregate(last=Max("number"))["last"] or 0) + 1
    now = timezone.now()
    content = edition_content(response)
    correction = None
    if number > 1:
        correction = {"on": timezone.localdate(now), "reason": correction_reason}
    pdf = render_response_pdf(
        content,
        response=response,
        published_on=published_on,
        correction=correction,
        produced=timezone.localtime(now),
    )
    edition = ResponseEdition(
        response=response,
        number=number,
        published_on=published_on,
        published_url=published_url,
        content=content,
        correction_reason=correction_reason,
        pdf_sha256=hashlib.sha256(pdf).hexdigest(),
        created_by=user,
        created_at=now,
    )
    edition.pdf.save("response.pdf", ContentFile(pdf), save=False)
    edition.save()
    return edition


def editions_backfill(*, body_slug: str | None = None) -> int:
    """Edition 1 for each published response without one, from its rows as they stand.
    Returns how many were made. Each response in its own transaction."""
    missing = Response.objects.published().filter(editions__isnull=True)
    if body_slug:
        missing = missing.filter(body__slug=body_slug)
    made = 0
    for response in missing.order_by("pk").iterator():
        with transaction.atomic():
            locked = Response.objects.select_for_update().get(pk=response.pk)
            if locked.editions.exists():
                continue  # made meanwhile by another run
            assert locked.published_on is not None
            edition_create(
                response=locked,
                user=None,
                published_on=locked.published_on,
                published_url=locked.published_url,
            )
            made += 1
    return made
