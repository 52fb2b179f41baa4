"""Writes to a body's own settings. Keyword-only, one transaction each."""

from __future__ import annotations

from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from ..letterhead import CheckedLogo, letterhead_version
from ..models import PolicingBody
from .responses import EditConflict


@transaction.atomic
def body_set_rag_tolerances(
    *, body: PolicingBody, green: int, amber: int, seen_green: int, seen_amber: int
) -> PolicingBody:
    """Refused (EditConflict) if someone changed the tolerances since the user saw them.
    The change is kept in the body's history."""
    current = PolicingBody.objects.select_for_update().get(pk=body.pk)
    if (current.rag_green_points, current.rag_amber_points) != (seen_green, seen_amber):
        raise EditConflict
    if (green, amber) == (seen_green, seen_amber):
        return current
    current.rag_green_points, current.rag_amber_points = green, amber
    current.full_clean(exclude=["slug"])
    current.save(update_fields=["rag_green_points", "rag_amber_points"])
    return current


@transaction.atomic
def body_set_letterhead(
    *,
    body: PolicingBody,
    user: Any,
    version: str,
    office_address: str,
    logo: CheckedLogo | None = None,
    remove_logo: bool = False,
) -> PolicingBody:
    """Replace (or remove) the logo and set the office address. Refused (EditConflict)
    if the letterhead changed since the administrator saw it (`version`). The logo goes
    to the private storage under a new random name; the old file is deleted once the
    change is committed. The change is kept in the body's history."""
    current = PolicingBody.objects.select_for_update().get(pk=body.pk)
    if letterhead_version(current) != version:
        raise EditConflict
    fields = []
    old = ""
    if office_address != current.office_address:
        current.office_address = office_address
        fields.append("office_address")
    if logo is not None or (remove_logo and current.logo):
        old = current.logo.name or ""
        if logo is not None:
            current.logo.save(f"logo{logo.extension}", ContentFile(logo.content), save=False)
            current.logo_content_type = logo.content_type
        else:
            current.logo = ""
            current.logo_content_type = ""
        fields += ["logo", "logo_content_type"]
    if not fields:
        return current
    current._history_user = user  # type: ignore[attr-defined]
    current.save(update_fields=fields)
    if old:
        storage = current.logo.storage
        transaction.on_commit(lambda: storage.delete(old))
    return current
