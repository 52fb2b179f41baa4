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
    ]


class ResponseFilterForm(ScopeFields):
    state = forms.ChoiceField(label=_("Which responses"), required=False, choices=response_states)
    due_before = DateField(
        label=_("Open and due by"),
        required=False,
        subject=_("the date to show responses due by"),
    )
    field_order = ["state", "due_before"]


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
    field_order = ["q", "kind", "closure", "new_since"]

    def __init__(self, data: Any = None, *args: Any, **kwargs: Any) -> None:
        if data is not None and "created_since" in data and "new_since" not in data:
            data = data.copy()  # the old name of the filter, from links made before
            data["new_since"] = data["created_since"]
        super().__init__(data, *args, **kwargs)
