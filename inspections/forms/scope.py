from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import (
    AssuranceLevel,
    FindingKind,
    InspectionReport,
    Inspectorate,
    PolicingBody,
    ReportType,
)
from ..rules import DUE_SOON_DAYS
from ..selectors import UNRECORDED
from ..trends import QUARTERS_SHOWN, YEARS_SHOWN, Quarter
from .util import DateField, Form


class PeriodField(forms.ChoiceField):
    """A quarter ("2026-Q3") or a year ("2025") in a select offering the recent ones.
    Any other well-formed one is accepted too, and offered while chosen, so an older
    dashboard's link still opens the list it counted."""

    def __init__(
        self, *, parse: Callable[[str], Any], recent: Callable[[], list[Any]], **kwargs: Any
    ) -> None:
        self.parse, self.recent = parse, recent
        super().__init__(choices=(), required=False, **kwargs)  # the form offers them
        self.chosen: Any = None

    def offered(self) -> list[tuple[str, str]]:
        periods = self.recent()
        if self.chosen is not None and self.chosen not in periods:
            periods = [*periods, self.chosen]
        return [("", gettext("Any time")), *((key_of(p), str(p)) for p in periods)]

    def valid_value(self, value: Any) -> bool:
        try:
            self.parse(str(value))
        except ValueError:
            return False
        return True

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        return self.parse(value) if value else None


def key_of(period: Any) -> str:
    return period.key if isinstance(period, Quarter) else str(period)


def parse_year(value: str) -> int:
    if not (value.isascii() and value.isdigit() and len(value) == 4):
        raise ValueError(value)
    return int(value)


def quarter_field(label: Any) -> PeriodField:
    return PeriodField(
        label=label,
        parse=Quarter.parse,
        recent=lambda: Quarter.last(timezone.localdate(), QUARTERS_SHOWN)[::-1],
    )


def year_field(label: Any) -> PeriodField:
    return PeriodField(
        label=label,
        parse=parse_year,
        recent=lambda: [timezone.localdate().year - n for n in range(YEARS_SHOWN)],
    )


def level_field() -> forms.ChoiceField:
    return forms.ChoiceField(
        label=_("Assurance level"),
        required=False,
        choices=[("", _("Any")), *AssuranceLevel.choices, (UNRECORDED, _("Not recorded"))],
    )


class PeriodFilters(Form):
    """Offers a period chosen from a link (an older quarter) in its select; limits the
    report filter to the body's reports."""

    def __init__(self, *args: Any, body: PolicingBody | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            if isinstance(field, PeriodField):
                if self.is_bound:
                    with contextlib.suppress(ValueError):
                        field.chosen = field.parse(str(self.data.get(name) or ""))
                field.choices = field.offered()
        report = self.fields.get("report")
        if isinstance(report, forms.ModelChoiceField):
            report.queryset = (
                InspectionReport.objects.filter(body=body).order_by("-published_on", "title")
                if body is not None
                else InspectionReport.objects.none()
            )


def report_field() -> forms.ModelChoiceField[InspectionReport]:
    return forms.ModelChoiceField(
        label=_("Report"),
        required=False,
        queryset=InspectionReport.objects.none(),
        empty_label=_("Any report"),
    )


class ScopeFields(PeriodFilters):
    """Report type, inspectorate and publication period: mixed into the dashboard's filters
    and into every list a dashboard figure opens."""

    hide_optional = True
    type = forms.ChoiceField(
        label=_("Report type"), required=False, choices=[("", _("Any type")), *ReportType.choices]
    )
    inspectorate = forms.ModelChoiceField(
        label=_("Inspectorate"),
        required=False,
        queryset=Inspectorate.objects.all(),
        empty_label=_("Any inspectorate"),
        to_field_name="code",
    )
    published_from = DateField(
        label=_("Reports published from"),
        required=False,
        subject=_("the start of the publication period"),
    )
    published_to = DateField(
        label=_("Reports published to"),
        required=False,
        subject=_("the end of the publication period"),
    )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and end < start:
            self.add_error("published_to", _("The end of the period must be after its start."))
        return cleaned

    def scope_params(self) -> dict[str, str]:
        """The valid scope as link parameters (`scope.SCOPE_PARAMS`: ISO dates, the
        inspectorate's code), whether the dates came in Day, Month and Year boxes or as
        one ISO date. For what stores or forwards the filters, such as a board pack."""
        cleaned = getattr(self, "cleaned_data", {})
        inspectorate = cleaned.get("inspectorate")
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        params = {
            "type": cleaned.get("type") or "",
            "inspectorate": inspectorate.code if inspectorate else "",
            "published_from": start.isoformat() if start else "",
            "published_to": end.isoformat() if end else "",
        }
        return {key: value for key, value in params.items() if value}


class DashboardForm(ScopeFields):
    since = DateField(
        label=_("Changed since"),
        required=False,
        subject=_("the date to show changes since"),
        help_text=_("Leave empty for the date of the last meeting (or 30 days ago)."),
    )
    due_before = DateField(
        label=_("Due before"),
        required=False,
        subject=_("the date to show what is due before"),
        help_text=_("Leave empty for the date of the next meeting."),
    )


def response_states() -> list[tuple[str, str]]:
    # A callable, so the labels are translated per request, not once at import.
    return [
        ("", gettext("All")),
        ("open", gettext("Open")),
        ("due_soon", gettext("Due in the next %(days)s days") % {"days": DUE_SOON_DAYS}),
        ("overdue", gettext("Overdue")),
        ("published12", gettext("Published in the last 12 months")),
        ("ontime12", gettext("Published on time in the last 12 months")),
        ("published", gettext("Published (with a statutory clock)")),
        ("ontime", gettext("Published on time")),
        ("awaiting_approval", gettext("Awaiting approval")),
    ]


class ResponseFilterForm(ScopeFields):
    state = forms.ChoiceField(label=_("Which responses"), required=False, choices=response_states)
    due_before = DateField(
        label=_("Open and due by"),
        required=False,
        subject=_("the date to show responses due by"),
    )
    year = year_field(_("Published in"))
    field_order = ["state", "due_before", "year"]


class FindingFilterForm(ScopeFields):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Reference or text"),
        widget=forms.TextInput(attrs={"type": "search"}),
    )
    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", _("Any kind")), *FindingKind.choices]
    )
    closure = forms.ChoiceField(
        label=_("Where it stands"),
        required=False,
        choices=[
            ("", _("Any")),
            ("work", _("The force's work, open or closed")),
            ("open", _("Open (the force's work)")),
            ("others", _("Open, addressed only to others")),
            ("ready", _("Ready for the force to say complete")),
            ("force", _("Force says complete")),
            ("awaiting", _("Awaiting the body's assurance")),
            ("assured", _("Body assured")),
            ("inspectorate", _("Inspectorate complete")),
        ],
    )
    new_since = DateField(
        label=_("In reports published since"),
        required=False,
        subject=_("the date to show new findings since"),
    )
    report = report_field()
    level = level_field()
    opened = quarter_field(_("Opened in (report published)"))
    closed = quarter_field(_("Closed in (body assured)"))
    field_order = ["q", "kind", "closure", "report", "level", "new_since", "opened", "closed"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and "created_since" in data and "new_since" not in data:
            data = data.copy()  # the old name of the filter, from links made before
            data["new_since"] = data["created_since"]
        super().__init__(data, *args, **kwargs)
