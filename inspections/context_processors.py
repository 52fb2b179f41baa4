from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from .access import membership_or_none


def membership(request: HttpRequest) -> dict[str, Any]:
    """The signed-in user's membership (or None) for the header and navigation."""
    return {"membership": membership_or_none(request)}
