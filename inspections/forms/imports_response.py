"""The forms of the response import: the source (pasted text or a file), then the preview
where every field read from it can be corrected before anything is saved."""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from ..imports import responses as parser
from ..imports.files import UploadRefused, check_upload
from ..models import (
    Finding,
    InspectionReport,
    PolicingBody,
    ReportType,
    Response,
    ResponseEntry,
    Scope,
)
from ..validation import without_bidi_controls
from .reports import ReportForm
from .util import DateField, Form, ModelForm, choice, date_field

KINDS = ("html", "docx", "txt")
NEW = "new"  # the report choice (and an entry's finding choice) for one added by the import
SKIP = "skip"  # an entry's finding choice for a quoted recommendation left out


class ResponseSourceForm(Form):
    text = forms.CharField(
        label=_("Paste the text of the response"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=_(
            "Copy the whole response from your website or letter: its title, the comments, "
            "the signature and the closing line."
        ),
    )
    file = forms.FileField(
        label=_("Or upload the page or document"),
        required=False,
        allow_empty_file=True,  # check_upload says so, in its words
        widget=forms.FileInput(attrs={"accept": ".html,.htm,.docx,.txt"}),
        help_text=_(
            "A web page saved from your website (.html), a Word document (.docx) or a text "
            "file (.txt)."
        ),
    )
    report = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "source-%s"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        text = str(cleaned.get("text") or "")
        upload = cleaned.get("file")
        if upload is not None and text.strip():
            self.add_error("file", _("Paste the text or upload a file, not both."))
            return cleaned
        if upload is not None:
            name = without_bidi_controls(PurePath(upload.name or "").name) or "upload"
            try:
                checked = check_upload(name, upload.read(), KINDS)
                cleaned["parsed"] = parser.parse_upload(checked)
            except (UploadRefused, parser.NotAResponse) as refused:
                self.add_error("file", str(refused))
            cleaned["source"] = name
            return cleaned
        if not text.strip():
            self.add_error("text", _("Paste the text of the response, or choose a file."))
            return cleaned
        try:
            cleaned["parsed"] = parser.parse_text(text)
        except parser.NotAResponse as refused:
            self.add_error("text", str(refused))
        cleaned["source"] = str(_("pasted text"))
        return cleaned


MONTH_YEAR = re.compile(rf"^(?:{'|'.join(parser.MONTHS)})\s+\d{{4}}$", re.I)


def report_label(report: InspectionReport) -> str:
    return f"{report.title} ({report.published_on:%B %Y})"


class ImportedResponseForm(ModelForm[Response]):
    """The response as read, to correct: the report it answers, its text, its signatory
    and when and where it was published."""

    report = forms.ChoiceField(
        label=_("The report it responds to"),
        help_text=_(
            "Matched by the title and its month and year. Choose another, or add the report "
            "if it is not in the app yet."
        ),
    )
    title = forms.CharField(
        label=_("The report's title, as the response gives it"), required=False, max_length=400
    )
    month_year = forms.CharField(
        label=_("Month and year in the title"),
        required=False,
        max_length=20,
        help_text=_("For example, July 2023"),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-10"}),
    )
    response_from = forms.CharField(
        label=_("Response from"),
        required=False,
        max_length=300,
        help_text=_(
            "As the response names its author. It is published as from your office; this is "
            "here to check that it is your body's response."
        ),
    )

    source = forms.CharField(widget=forms.HiddenInput, required=False, max_length=255)

    class Meta:
        model = Response
        fields = [
            "comments",
            "chief_comments",
            "chief_comments_reply",
            "signatory_name",
            "signatory_role",
            "closing_line",
            "published_on",
            "published_url",
        ]
        field_classes = {"published_on": DateField}
        widgets = {
            "comments": forms.Textarea(attrs={"rows": 12}),
            "chief_comments": forms.Textarea(attrs={"rows": 5}),
            "chief_comments_reply": forms.Textarea(attrs={"rows": 4}),
        }
        labels = {"published_on": _("Published on"), "published_url": _("Published at")}
        help_texts = {
            "comments": _("The body's comments, as published."),
            "published_url": _("The web address of the published response, if it has one."),
        }

    field_order = ["report", "title", "month_year", "response_from"]

    def __init__(self, *args: Any, reports: Sequence[InspectionReport], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "import-%s"
        choice(self, "report").error_messages["required"] = _(
            "Choose the report this response is to, or add it as a new report."
        )
        choice(self, "report").choices = [
            ("", _("Choose the report")),
            *((str(report.pk), report_label(report)) for report in reports),
            (NEW, _("A new report: add it below")),
        ]
        date_field(self, "published_on").required = True
        date_field(self, "published_on").subject = _("the date the response was published")

    def clean_month_year(self) -> str:
        value = str(self.cleaned_data.get("month_year") or "").strip()
        if value and not MONTH_YEAR.match(value):
            raise forms.ValidationError(_("Enter the month and year like this: July 2023."))
        return value


def finding_label(finding: Finding) -> str:
    text = finding.text if len(finding.text) <= 90 else finding.text[:88].rstrip() + "…"
    return f"{finding.reference}: {text}"


class ImportedEntryForm(Form):
    """A quoted recommendation and the body's comment on it, and which recommendation of
    the report it answers (or a new one, or none: left out)."""

    finding = forms.ChoiceField(label=_("It answers"))
    reference = forms.CharField(
        label=_("Reference"),
        required=False,
        max_length=100,
        help_text=_('As the report numbers it, for example "Recommendation 3".'),
        widget=forms.TextInput(attrs={"class": "govuk-input--width-20"}),
    )
    recommendation = forms.CharField(
        label=_("The recommendation, as quoted"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = forms.ChoiceField(
        label=_("What the body says"), required=False, widget=forms.RadioSelect
    )
    text = forms.CharField(
        label=_("The body's comment: the action, or the reason"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, findings: Sequence[Finding] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.findings = {str(f.pk): f for f in findings}
        choice(self, "finding").choices = [
            *((key, finding_label(f)) for key, f in self.findings.items()),
            (NEW, _("A recommendation to add to the report")),
            (SKIP, _("Leave it out of the response")),
        ]
        choice(self, "answer").choices = ResponseEntry.Answer.choices
        choice(self, "finding").error_messages.update(
            required=_("Choose the recommendation this answers, or leave it out."),
            invalid_choice=_(
                "Choose again: the report chosen has changed. Use “Match again” to match the "
                "entries with its recommendations."
            ),
        )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        chosen = cleaned.get("finding")
        if chosen == SKIP or chosen is None:
            return cleaned
        if not cleaned.get("answer"):
            self.add_error("answer", _("Choose what the body says about this recommendation."))
        if not str(cleaned.get("text") or "").strip():
            self.add_error(
                "text", _("Enter the body's comment on this recommendation, or leave it out.")
            )
        if chosen == NEW:
            if not str(cleaned.get("reference") or "").strip():
                self.add_error("reference", _("Enter the recommendation's reference."))
            if not str(cleaned.get("recommendation") or "").strip():
                self.add_error("recommendation", _("Enter the recommendation's text."))
        return cleaned

    @property
    def chosen_finding(self) -> Finding | None:
        return self.findings.get(str(self.cleaned_data.get("finding")))


class BaseImportedEntryFormSet(forms.BaseFormSet[ImportedEntryForm]):
    def __init__(self, *args: Any, existing_references: Sequence[str] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.existing_references = {r.casefold() for r in existing_references}

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        answered: set[str] = set()
        added: set[str] = set()
        for form in self.forms:
            chosen = form.cleaned_data.get("finding")
            if chosen == NEW:
                reference = str(form.cleaned_data.get("reference") or "").strip().casefold()
                if reference in self.existing_references or reference in added:
                    form.add_error(
                        "reference",
                        _("The report already has a recommendation with this reference."),
                    )
                added.add(reference)
            elif chosen and chosen != SKIP:
                if chosen in answered:
                    form.add_error(
                        "finding",
                        _("Another entry answers this recommendation already. Leave one out."),
                    )
                answered.add(chosen)


ImportedEntryFormSet = cast(
    "type[BaseImportedEntryFormSet]",
    forms.formset_factory(ImportedEntryForm, formset=BaseImportedEntryFormSet, extra=0),
)


# Reports whose findings name the body's force; the others are national.
FORCE_REPORT_TYPES = frozenset({ReportType.PEEL, ReportType.FORCE, ReportType.REVISIT})


class ImportReportForm(ReportForm):
    """The few facts a report needs, to add it from the preview: the rest (reference,
    partners, link, summary) on the report's page afterwards. A PEEL, force or revisit
    report names the body's force; the other types are national."""

    KEPT = ("title", "report_type", "lead_inspectorate", "published_on")

    def __init__(self, *args: Any, body: PolicingBody, **kwargs: Any) -> None:
        super().__init__(*args, prefix="report", **kwargs)
        self.body = body
        self.auto_id = "new-report-%s"
        for name in list(self.fields):
            if name not in self.KEPT:
                del self.fields[name]
        self.fields["title"].help_text = _("As the inspectorate published it, without the month.")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        force_report = cleaned.get("report_type") in FORCE_REPORT_TYPES
        cleaned["scope"] = Scope.FORCES if force_report else Scope.NATIONAL
        cleaned["forces"] = [self.body.force] if force_report else []
        return cleaned
