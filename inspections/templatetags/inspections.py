from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.template.defaultfilters import stringfilter
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

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
def bar_chart(
    figures: list[Any], chart_id: str, title: str, summary: str = "", collapsible: bool = True
) -> dict[str, Any]:
    """A horizontal bar chart as inline SVG, with a table of the same figures (and their
    links) as its text equivalent, folded in a details element on pages (`collapsible`) so
    the page is not twice as long, printed open in PDFs. One partial for both."""
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
        "collapsible": collapsible,
        "headers": [_("Group"), _("Number")],
        "rows": [(f.label, [f]) for f in figures],
    }


# Trend lines: each told apart by colour, dash pattern and marker shape, never by colour
# alone (WCAG 1.4.1), each colour at least 3:1 against white (1.4.11).
LINE_STYLES = [
    ("#1d70b8", "", "circle"),
    ("#00703c", "9 5", "square"),
    ("#b52a1b", "3 4", "triangle"),
]
TREND_WIDTH = 360  # narrow, so the text stays legible on a phone
TREND_LEFT = 48  # room for the values of the vertical axis ("100%")
TREND_RIGHT = 12
TREND_PLOT = 150
LEGEND_ROW = 22


def _marker(shape: str, x: float, y: float) -> str:
    """An SVG path for a point's marker."""
    if shape == "square":
        return f"M{x - 4.5:.1f} {y - 4.5:.1f}h9v9h-9z"
    if shape == "triangle":
        return f"M{x:.1f} {y - 6:.1f}L{x + 5.5:.1f} {y + 4:.1f}H{x - 5.5:.1f}z"
    return f"M{x - 5:.1f} {y:.1f}a5 5 0 1 0 10 0a5 5 0 1 0 -10 0z"


def _nice_top(value: int) -> tuple[int, int]:
    """The top of the vertical axis and its step: 1, 2 or 5 times a power of ten, at most
    five steps."""
    step = 1
    while True:
        for factor in (1, 2, 5):
            if value <= step * factor * 5:
                size = step * factor
                return max(size, -(-value // size) * size), size
        step *= 10


@register.inclusion_tag("inspections/partials/trend_chart.html")
def trend_chart(trend: Any, collapsible: bool = True) -> dict[str, Any]:
    """A line chart of a `dashboard.Trend` as inline SVG, with a table of the same figures
    (each linking to its list), in a details element where `collapsible`, so the page is
    not twice as long. The same partial renders in pages and in PDFs."""
    legend_height = len(trend.lines) * LEGEND_ROW + 8
    top_y = legend_height + 10
    bottom_y = top_y + TREND_PLOT
    values = [v for line in trend.lines for v in line.values if v is not None]
    top, step = (100, 25) if trend.percent else _nice_top(max(values, default=0))
    plot_width = TREND_WIDTH - TREND_LEFT - TREND_RIGHT
    slot = plot_width / max(len(trend.periods), 1)

    def x_of(index: int) -> float:
        return TREND_LEFT + slot * (index + 0.5)

    def y_of(value: int) -> float:
        return bottom_y - TREND_PLOT * value / top

    unit = "%" if trend.percent else ""
    lines = []
    for n, line in enumerate(trend.lines):
        colour, dash, shape = LINE_STYLES[n % len(LINE_STYLES)]
        segments: list[list[str]] = [[]]
        points = []
        for i, value in enumerate(line.values):
            if value is None:
                segments.append([])
                continue
            x, y = x_of(i), y_of(value)
            segments[-1].append(f"{x:.1f},{y:.1f}")
            points.append(
                {"d": _marker(shape, x, y), "x": x, "y": y - 10, "label": f"{value}{unit}"}
            )
        legend_y = 8 + n * LEGEND_ROW
        lines.append(
            {
                "label": line.label,
                "colour": colour,
                "dash": dash,
                "segments": [" ".join(seg) for seg in segments if seg],
                "points": points,
                "legend_y": legend_y + 6,
                "legend_text_y": legend_y + 11,
                "legend_marker": _marker(shape, 22, legend_y + 6),
            }
        )
    return {
        "trend": trend,
        "width": TREND_WIDTH,
        "height": bottom_y + 44,
        "left": TREND_LEFT,
        "right": TREND_WIDTH - TREND_RIGHT,
        "lines": lines,
        "label_values": len(trend.lines) == 1,  # one line: its values fit above its points
        "y_ticks": [
            {"y": y_of(v), "text_y": y_of(v) + 5, "label": f"{v}{unit}"}
            for v in range(0, top + 1, step)
        ],
        # The second line (a quarter's year) only where it changes, to keep the axis clear.
        "x_ticks": [
            {
                "x": x_of(i),
                "first": first,
                "second": second if i == 0 or trend.ticks[i - 1][1] != second else "",
            }
            for i, (first, second) in enumerate(trend.ticks)
        ],
        "tick_y": bottom_y + 20,
        "tick2_y": bottom_y + 38,
        "collapsible": collapsible,
        "headers": [_("Period"), *trend.headers],
        "rows": trend.table_rows,
    }


# --- The menu ----------------------------------------------------------------------------

# Which menu item a page belongs to, by its URL name: exact names first, then prefixes.
# A page of none of them (the public pages, signing in) highlights nothing.
NAV_NAMES = {
    "home": "home",
    "account_login": "",  # signing in, at allauth's address for it
    "dashboard": "dashboard",
    "finding_picker": "actions",  # an action's page: linking it to findings
    "finding_link": "actions",
    "finding_unlink": "actions",
    "imports": "imports",
    "body_settings": "settings",
    "body_letterhead": "settings",
    "body_logo": "settings",
    "people": "people",
    "invite": "people",
    "two_factor_policy": "people",
    "account": "account",
    "notification_preferences": "account",
    "calendar_settings": "account",
}
NAV_PREFIXES = [
    ("import_", "imports"),  # before report_: a report's findings import is an import
    ("pack_", "dashboard"),  # board packs and meetings are the dashboard's
    ("meeting_", "dashboard"),
    ("report_", "reports"),
    ("finding_", "findings"),
    ("response_", "responses"),
    ("entry_", "responses"),
    ("edition_", "responses"),
    ("action_", "actions"),
    ("update_", "actions"),
    ("evidence_", "actions"),
    ("person_", "people"),
    ("invitation_withdraw", "people"),
    ("audit_log", "people"),
    ("account_", "account"),
    ("mfa_", "account"),
    ("token_", "account"),
]


def nav_section(url_name: str | None) -> str:
    """The menu item of the page with this URL name, or ""."""
    name = url_name or ""
    if name in NAV_NAMES:
        return NAV_NAMES[name]
    return next((section for prefix, section in NAV_PREFIXES if name.startswith(prefix)), "")


@register.simple_tag(takes_context=True)
def navigation(context: template.Context) -> list[dict[str, Any]]:
    """The menu for the signed-in member: each item's label, address, whether the page is
    in its section (highlighted) and whether it is the item's own page (aria-current
    "page"; "true" on the section's other pages)."""
    request = context["request"]
    match = getattr(request, "resolver_match", None)
    url_name = match.url_name if match else None
    section = nav_section(url_name)
    membership = context.get("membership")
    items: list[tuple[str, str, Any]] = [("home", "home", _("Home"))]
    if membership is not None and membership.is_contributor:
        items.append(("actions", "action_list", _("Your actions")))
    elif membership is not None:
        items += [
            ("dashboard", "dashboard", _("Dashboard")),
            ("reports", "report_list", _("Reports")),
            ("findings", "finding_list", _("Findings")),
            ("responses", "response_list", _("Responses")),
            ("actions", "action_list", _("Actions")),
        ]
        if membership.can_edit:
            items.append(("imports", "imports", _("Import")))
        items.append(("settings", "body_settings", _("Settings")))
        if membership.can_administer:
            items.append(("people", "people", _("People")))
    items.append(("account", "account", _("Your account")))
    return [
        {
            "label": label,
            "url": reverse(name),
            "active": key == section,
            "current": ("page" if url_name == name else "true") if key == section else "",
        }
        for key, name, label in items
    ]
