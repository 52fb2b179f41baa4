"""Writes to a body's own settings. Keyword-only, one transaction each."""

from __future__ import annotations

from django.db import transaction

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
