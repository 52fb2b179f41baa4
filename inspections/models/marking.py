from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Marking(models.TextChoices):
    """Government Security Classifications as the app needs them."""

    OFFICIAL = "official", _("OFFICIAL")
    OFFICIAL_SENSITIVE = "official_sensitive", _("OFFICIAL-SENSITIVE")


def highest_marking(*markings: str) -> Marking:
    """A document takes the highest marking of what it contains."""
    if Marking.OFFICIAL_SENSITIVE in markings:
        return Marking.OFFICIAL_SENSITIVE
    return Marking.OFFICIAL
