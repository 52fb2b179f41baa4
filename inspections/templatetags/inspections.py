from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from ..models import AssuranceAction, Response
from ..rules import Rag

register = template.Library()

RAG_CLASSES = {
    Rag.RED: "app-rag--red",
    Rag.AMBER: "app-rag--amber",
    Rag.GREEN: "app-rag--green",
    Rag.BLUE: "app-rag--blue",
    Rag.GREY: "app-rag--grey",
}


@register.inclusion_tag("inspections/partials/clock.html")
def response_clock(response: Response | None, today: dt.date | None = None) -> dict[str, Any]:
    """Where a response stands against the statutory 56 days."""
    today = today or timezone.localdate()
    if not response:  # None, or "" from the |first filter on no responses
        return {"state": "none"}
    due = response.due_date
    left = response.days_left(today)
    if due is None:
        state = "no_clock"
    elif response.published_on is not None:
        state = "published_late" if response.published_late else "published_on_time"
    elif response.is_closed():
        state = "closed"
    elif left is not None and left < 0:
        state = "overdue"
    elif left is not None and left <= 7:
        state = "due_soon"
    else:
        state = "running"
    return {
        "response": response,
        "state": state,
        "due": due,
        "days_left": left,
        "days_over": -left if left is not None and left < 0 else None,
    }


@register.inclusion_tag("inspections/partials/rag.html")
def rag_tag(action: AssuranceAction, today: dt.date | None = None) -> dict[str, Any]:
    rag = action.rag(today or timezone.localdate())
    return {"rag": rag, "css": RAG_CLASSES[rag]}


@register.simple_tag(takes_context=True)
def query_with(context: template.Context, **changes: Any) -> str:
    """The current query string with some parameters replaced (for sort and page links)."""
    params = context["request"].GET.copy()
    for key, value in changes.items():
        if value in (None, ""):
            params.pop(key, None)
        else:
            params[key] = value
    return "?" + params.urlencode() if params else "?"
