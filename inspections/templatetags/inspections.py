from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.defaultfilters import stringfilter
from django.utils import timezone

from ..models import AssuranceAction, Response
from ..rules import Rag
from ..validation import without_bidi_controls

register = template.Library()


@register.inclusion_tag("inspections/partials/clock.html")
def response_clock(response: Response | None, today: dt.date | None = None) -> dict[str, Any]:
    """Where a response stands against the statutory 56 days."""
    today = today or timezone.localdate()
    if not response:  # None, or "" from the |first filter on no responses
        return {"state": "none"}
    due = response.due_on
    left = response.days_left(today)
    if due is None:
        state = "no_clock"
    elif response.published_on is not None:
        state = "published_late" if response.published_late else "published_on_time"
    elif response.is_closed():
        state = "closed"
    elif left is not None and left < 0:
        state = "overdue"
    elif response.is_due_soon(today):
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
    return {"rag": rag, "css": rag.css}


@register.filter(is_safe=True)
@stringfilter
def nobidi(value: str) -> str:
    """Text without bidirectional controls. Forms remove them on the way in; this covers
    text stored before that, or written by anything other than a form."""
    return without_bidi_controls(value)


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


# Bar fills with at least 3:1 contrast against white (WCAG 1.4.11); the value is also
# written beside each bar, so colour is never the only signal.
BAR_FILLS = {
    Rag.RED.css: "#b52a1b",
    Rag.AMBER.css: "#9c5700",
    Rag.GREEN.css: "#00703c",
    Rag.BLUE.css: "#1d70b8",
    Rag.GREY.css: "#505a5f",
    "": "#1d70b8",
}
BAR_ROW = 34
CHART_WIDTH = 460
LABEL_WIDTH = 175
BAR_WIDTH = 235


@register.inclusion_tag("inspections/partials/bar_chart.html")
def bar_chart(figures: list[Any], chart_id: str, title: str, summary: str = "") -> dict[str, Any]:
    """A horizontal bar chart as inline SVG, with a table of the same figures (and their
    links) as its text equivalent. The same partial renders in pages and in PDFs."""
    top = max((f.value for f in figures), default=0) or 1
    bars = [
        {
            "figure": f,
            "y": i * BAR_ROW,
            "text_y": i * BAR_ROW + 21,
            "width": round(BAR_WIDTH * f.value / top),
            "value_x": LABEL_WIDTH + round(BAR_WIDTH * f.value / top) + 8,
            "fill": BAR_FILLS.get(f.css, BAR_FILLS[""]),
        }
        for i, f in enumerate(figures)
    ]
    described = summary or "; ".join(f"{f.label}: {f.value}" for f in figures)
    return {
        "bars": bars,
        "chart_id": chart_id,
        "title": title,
        "summary": described,
        "height": max(len(bars), 1) * BAR_ROW,
        "width": CHART_WIDTH,
        "bar_x": LABEL_WIDTH,
    }
