from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..models import FindingKind, Inspectorate, ReportType
from ..rules import DUE_SOON_DAYS
from .util import DateField, Form


class ScopeFields(Form):
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
        help_text=_("For example the date of the last board meeting."),
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
    ]


class ResponseFilterForm(ScopeFields):
    state = forms.ChoiceField(label=_("Which responses"), required=False, choices=response_states)
    field_order = ["state"]


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
            ("open", _("Open")),
            ("force", _("Force says complete")),
            ("assured", _("Body assured")),
            ("inspectorate", _("Inspectorate complete")),
        ],
    )
    created_since = DateField(
        label=_("Recorded since"),
        required=False,
        subject=_("the date to show findings recorded since"),
    )
    field_order = ["q", "kind", "closure", "created_since"]
