"""The forms of the findings import: the source (pasted text or the report's PDF), then
the preview, a table with a row for each finding read, where every value can be
corrected and any row left out before anything is saved."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import PurePath
from typing import Any, cast

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..imports import findings as parser
from ..imports.files import UploadRefused, check_upload, decode_text
from ..models import Addressee, Finding, FindingKind, InspectionReport
from ..services.imports_findings import NewFinding, reference_key
from ..validation import without_bidi_controls
from .editing import add_finding_change_reason
from .util import DateField, Form, choice, date_field

KINDS = ("pdf", "txt")
NOTHING_FOUND = gettext_lazy(
    "No recommendations, causes of concern, areas for improvement or innovative practice "
    "were found in %(source)s. Check that it is the report itself (its recommendations "
    "are usually in the summary), or paste the part of the report that lists them."
)


class FindingsSourceForm(Form):
    text = forms.CharField(
        label=gettext_lazy("Paste the report's text"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false"}),
        help_text=gettext_lazy(
            "Copy the part of the report with its recommendations, causes of concern, areas "
            "for improvement and innovative practice, or the whole report."
        ),
    )
    file = forms.FileField(
        label=gettext_lazy("Or upload the report"),
        required=False,
        allow_empty_file=True,  # check_upload says so, in its words
        widget=forms.FileInput(attrs={"accept": ".pdf,.txt"}),
        help_text=gettext_lazy(
            "The PDF as published on the inspectorate's website, or a text file (.txt)."
        ),
    )

    def __init__(self, *args: Any, report: InspectionReport, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.report = report
        self.auto_id = "source-%s"

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        text = str(cleaned.get("text") or "")
        upload = cleaned.get("file")
        if upload is not None and text.strip():
            self.add_error("file", _("Paste the text or upload a file, not both."))
            return cleaned
        published_on = self.report.published_on
        if upload is not None:
            name = without_bidi_controls(PurePath(upload.name or "").name) or "upload"
            field = "file"
            try:
                checked = check_upload(name, upload.read(), KINDS)
                if checked.kind == "pdf":
                    parsed = parser.parse_pdf(checked.content, published_on=published_on)
                else:
                    parsed = parser.parse_text(
                        decode_text(checked.content), published_on=published_on
                    )
            except parser.FindingsRefused as refused:
                self.add_error("file", f"{name}: {refused}")
                return cleaned
            except UploadRefused as refused:
                self.add_error("file", str(refused))
                return cleaned
        elif text.strip():
            name, field = _("the pasted text"), "text"
            parsed = parser.parse_text(text, published_on=published_on)
        else:
            self.add_error("text", _("Paste the report's text, or choose its PDF."))
            return cleaned
        if not parsed.findings:
            self.add_error(field, NOTHING_FOUND % {"source": name})
            return cleaned
        cleaned["parsed"], cleaned["source"] = parsed, name
        return cleaned


class FindingRowForm(Form):
    """One finding read from the report. A row matched to a finding the report already
    has (`matched`) is shown, not imported; the others are imported when ticked."""

    include = forms.BooleanField(label=gettext_lazy("Import"), required=False)
    matched = forms.BooleanField(required=False, widget=forms.HiddenInput)
    kind = forms.ChoiceField(label=gettext_lazy("Kind"), choices=FindingKind.choices)
    reference = forms.CharField(
        label=gettext_lazy("Reference"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-full"}),
    )
    cause_of_concern = forms.ChoiceField(
        label=gettext_lazy("Answers cause of concern"), required=False
    )
    text = forms.CharField(
        label=gettext_lazy("Text"), required=False, widget=forms.Textarea(attrs={"rows": 9})
    )
    addressees = forms.MultipleChoiceField(
        label=gettext_lazy("Addressed to"), required=False, widget=forms.CheckboxSelectMultiple
    )
    deadline_text = forms.CharField(
        label=gettext_lazy("Deadline as written"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"class": "govuk-!-width-full"}),
    )
    deadline = DateField(label=gettext_lazy("Deadline"), required=False)

    def __init__(
        self,
        *args: Any,
        addressee_choices: Sequence[tuple[str, str]] = (),
        concern_choices: Sequence[tuple[str, str]] = (),
        existing: Mapping[str, Finding] | None = None,
        row_number: int = 0,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.existing = existing or {}
        self.row_number = row_number
        choice(self, "addressees").choices = list(addressee_choices)
        choice(self, "cause_of_concern").choices = [("", _("None")), *concern_choices]
        date_field(self, "deadline").subject = _("the deadline")
        date_field(self, "deadline").help_text = ""

    @property
    def is_matched(self) -> bool:
        if self.is_bound:
            return self.fields["matched"].widget.value_from_datadict(
                self.data, self.files, self.add_prefix("matched")
            ) in ("True", "true", "on", "1")
        return bool(self.initial.get("matched"))

    @property
    def kind_label(self) -> str:
        return str(dict(FindingKind.choices).get(str(self["kind"].value()), ""))

    @property
    def label(self) -> str:
        """How the error summary names the row: "Row 3 (Recommendation 3)"."""
        reference = str(self["reference"].value() or "").strip()
        if reference:
            return _("Row %(n)s (%(ref)s)") % {"n": self.row_number, "ref": reference}
        return _("Row %(n)s") % {"n": self.row_number}

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if self.is_matched:
            cleaned["include"] = False
            return cleaned
        if not cleaned.get("include"):
            return cleaned
        reference = " ".join(str(cleaned.get("reference") or "").split())
        cleaned["reference"] = reference
        if not reference:
            self.add_error("reference", _("Enter the reference, for example Recommendation 3."))
        elif reference_key(reference) in self.existing:
            self.add_error(
                "reference",
                _("The report already has %(ref)s: change the reference, or untick the row.")
                % {"ref": reference},
            )
        if not str(cleaned.get("text") or "").strip():
            self.add_error("text", _("Enter the text of the finding, or untick the row."))
        if cleaned.get("cause_of_concern") and cleaned.get("kind") != FindingKind.RECOMMENDATION:
            self.add_error(
                "cause_of_concern", _("Only a recommendation can answer a cause of concern.")
            )
        return cleaned


class BaseFindingRowFormSet(forms.BaseFormSet[FindingRowForm]):
    def __init__(
        self,
        *args: Any,
        addressees: Sequence[Addressee],
        existing: Mapping[str, Finding],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.addressees = {str(a.pk): a for a in addressees}
        self.existing = existing
        self.concerns = self._concerns()

    def _concerns(self) -> list[tuple[str, str]]:
        """The causes of concern a recommendation may answer: the report's, and those in
        the table (as sent, when the table was sent)."""
        references = [f.reference for f in self.existing.values() if f.kind == "cause_of_concern"]
        if self.is_bound:
            for i in range(self.total_form_count()):
                prefix = self.add_prefix(i)
                if self.data.get(f"{prefix}-kind") == FindingKind.CAUSE_OF_CONCERN:
                    references.append(
                        " ".join(str(self.data.get(f"{prefix}-reference", "")).split())
                    )
        else:
            references += [
                str(row.get("reference", ""))
                for row in self.initial or []
                if row.get("kind") == FindingKind.CAUSE_OF_CONCERN
            ]
        seen: dict[str, str] = {}
        for reference in references:
            if reference and reference_key(reference) not in seen:
                seen[reference_key(reference)] = reference
        return [(ref, ref) for ref in seen.values()]

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        return {
            "addressee_choices": [(pk, a.name) for pk, a in self.addressees.items()],
            "concern_choices": self.concerns,
            "existing": self.existing,
            "row_number": (index or 0) + 1,
        }

    @property
    def new_rows(self) -> list[FindingRowForm]:
        return [form for form in self.forms if not form.is_matched]

    @property
    def matched_rows(self) -> list[FindingRowForm]:
        return [form for form in self.forms if form.is_matched]

    def clean(self) -> None:
        if any(form.errors for form in self.forms):
            return
        chosen = [form for form in self.forms if form.cleaned_data.get("include")]
        if not chosen:
            raise forms.ValidationError(
                _("Tick at least one finding to import."), code="nothing_chosen"
            )
        seen: set[str] = set()
        concerns = {
            key for key, f in self.existing.items() if f.kind == FindingKind.CAUSE_OF_CONCERN
        }
        for form in chosen:
            data = form.cleaned_data
            key = reference_key(data["reference"])
            if key in seen:
                form.add_error(
                    "reference",
                    _("%(ref)s is in the table twice: give one of them another reference.")
                    % {"ref": data["reference"]},
                )
            seen.add(key)
            concern = data.get("cause_of_concern")
            if concern and reference_key(concern) not in concerns:
                form.add_error(
                    "cause_of_concern",
                    _(
                        "%(ref)s is not in the report and not imported above this row: tick "
                        "it, or choose another."
                    )
                    % {"ref": concern},
                )
            if data.get("kind") == FindingKind.CAUSE_OF_CONCERN:
                concerns.add(key)

    def new_findings(self) -> list[NewFinding]:
        """The ticked rows, in order, as the service takes them."""
        return [
            NewFinding(
                kind=data["kind"],
                reference=data["reference"],
                text=data["text"].strip(),
                addressees=tuple(self.addressees[pk] for pk in data.get("addressees") or ()),
                cause_of_concern=data.get("cause_of_concern") or "",
                deadline_text=data.get("deadline_text", "").strip(),
                deadline=data.get("deadline"),
            )
            for data in (form.cleaned_data for form in self.forms)
            if data.get("include")
        ]

    def error_summary(self) -> list[tuple[str, str]]:
        """Every problem in the table, as (where it is, what it says), for the summary."""
        problems = [("findings-table", str(error)) for error in self.non_form_errors()]
        for form in self.forms:
            for field in form:
                for error in field.errors:
                    anchor = cast(Any, field).error_anchor
                    problems.append((anchor, f"{form.label}: {error}"))
        return problems


# A report with more findings than this is imported in parts (paste each part).
MAX_ROWS = 500
_RowFormSet = cast(
    type[BaseFindingRowFormSet],
    forms.formset_factory(
        FindingRowForm,
        formset=BaseFindingRowFormSet,
        extra=0,
        max_num=MAX_ROWS,
        absolute_max=MAX_ROWS,
        validate_max=True,
    ),
)


def finding_rows(
    data: Mapping[str, Any] | None = None,
    *,
    initial: Sequence[Mapping[str, Any]] | None = None,
    addressees: Sequence[Addressee],
    existing: Mapping[str, Finding],
) -> BaseFindingRowFormSet:
    """The preview's table: from what was read (`initial`), or as sent back (`data`)."""
    return _RowFormSet(
        data, initial=initial, prefix="rows", addressees=addressees, existing=existing
    )


class ImportConfirmForm(Form):
    """What the preview sends besides the table: where the findings came from (for the
    log) and, under a response sent for approval or approved, why they are added."""

    source = forms.CharField(widget=forms.HiddenInput, max_length=255)

    def __init__(self, *args: Any, reason_needed: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "confirm-%s"
        if reason_needed:
            add_finding_change_reason(self, label=_("Why are you adding these findings?"))
