from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import (
    Addressee,
    Finding,
    FindingKind,
    Force,
    InspectionReport,
    ReportType,
    ResponseStatus,
    Scope,
)
from .editing import add_finding_change_reason, add_version
from .scope import ScopeFields
from .util import DateField, ModelForm, choice, date_field, model_choice


class ReportForm(ModelForm[InspectionReport]):
    class Meta:
        model = InspectionReport
        fields = [
            "title",
            "reference",
            "report_type",
            "lead_inspectorate",
            "partner_inspectorates",
            "published_on",
            "url",
            "scope",
            "forces",
            "summary",
            "marking",
        ]
        widgets = {
            "report_type": forms.RadioSelect,
            "scope": forms.RadioSelect,
            "marking": forms.RadioSelect,
            "partner_inspectorates": forms.CheckboxSelectMultiple,
            "forces": forms.SelectMultiple(attrs={"size": 8}),
            "summary": forms.Textarea(attrs={"rows": 4}),
        }
        field_classes = {"published_on": DateField}
        help_texts = {
            "forces": _("For a report on named forces. Hold Ctrl or Cmd to choose several."),
            "published_on": _("The statutory 56 days start on this day."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choice(self, "report_type").choices = ReportType.choices
        choice(self, "scope").choices = Scope.choices  # radios need no "select" choice
        model_choice(self, "lead_inspectorate").empty_label = None
        model_choice(self, "forces").queryset = Force.objects.current()
        add_version(self)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        lead = cleaned.get("lead_inspectorate")
        partners = cleaned.get("partner_inspectorates")
        if lead and partners and lead in partners:
            self.add_error(
                "partner_inspectorates", _("The lead inspectorate cannot also be a partner.")
            )
        if cleaned.get("scope") == "forces" and not cleaned.get("forces"):
            self.add_error("forces", _("Choose the forces the report names."))
        return cleaned


class FindingForm(ModelForm[Finding]):
    class Meta:
        model = Finding
        fields = [
            "kind",
            "reference",
            "text",
            "addressees",
            "cause_of_concern",
            "deadline_text",
            "deadline",
            "inspectorate_status",
            "force_complete_on",
            "body_assured_on",
            "assurance_level",
        ]
        widgets = {
            "kind": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 4}),
            "addressees": forms.CheckboxSelectMultiple,
        }
        field_classes = {
            "deadline": DateField,
            "force_complete_on": DateField,
            "body_assured_on": DateField,
        }

    def __init__(
        self, *args: Any, report: InspectionReport, reason_needed: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        add_version(self)
        if reason_needed:  # services.responses.finding_changes_need_reason
            add_finding_change_reason(
                self,
                label=_("Why are you changing this finding?")
                if self.instance.pk
                else _("Why are you adding a finding?"),
            )
        choice(self, "kind").choices = FindingKind.choices
        model_choice(self, "addressees").queryset = Addressee.objects.all()
        concerns = report.findings.filter(kind=FindingKind.CAUSE_OF_CONCERN)
        if self.instance.pk:
            concerns = concerns.exclude(pk=self.instance.pk)
        model_choice(self, "cause_of_concern").queryset = concerns
        date_field(self, "force_complete_on").subject = _("the date the force reported it complete")
        date_field(self, "body_assured_on").subject = _("the date the body was assured")
        # Prefix ids so several finding forms can share the report page.
        self.auto_id = f"finding-{self.instance.pk or 'new'}-%s"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        reference = cleaned.get("reference")
        if reference:
            clash = self.report.findings.filter(reference__iexact=reference)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                self.add_error(
                    "reference", _("This report already has a finding with that reference.")
                )
        if cleaned.get("cause_of_concern") and cleaned.get("kind") != FindingKind.RECOMMENDATION:
            self.add_error(
                "cause_of_concern", _("Only a recommendation can answer a cause of concern.")
            )
        return cleaned


class ReportFilterForm(ScopeFields):
    hide_optional = True  # every filter is optional; saying so on each is noise
    field_order = ["q", "type", "inspectorate", "year", "response", "sort"]
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Title, reference or the text of a finding"),
        widget=forms.TextInput(attrs={"type": "search", "class": "govuk-!-width-full"}),
    )
    year = forms.IntegerField(
        label=_("Year published"),
        required=False,
        min_value=1990,
        max_value=2100,
        widget=forms.NumberInput(attrs={"class": "govuk-input--width-4", "inputmode": "numeric"}),
    )
    response = forms.ChoiceField(
        label=_("Response"),
        required=False,
        choices=[("", _("Any")), ("none", _("No response started")), *ResponseStatus.choices],
    )
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("newest", _("Newest first")),
            ("oldest", _("Oldest first")),
            ("title", _("Title")),
        ],
    )
