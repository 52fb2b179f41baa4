from __future__ import annotations

from typing import Any

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django_stubs_ext import StrOrPromise

from ..models import Response, ResponseEntry
from ..validation import day, reply_by_warnings, response_date_problems
from .util import DateField, ModelForm, add_problems, choice, date_field, date_hint

CHANGE_REASON_HELP = _(
    "This response is approved. Saving a change returns it to draft and it needs approval "
    "again; say why you are changing it (kept in its history)."
)


def add_change_reason(form: forms.BaseForm, status: str) -> None:
    """After approval a change needs a reason, recorded when it returns to draft."""
    if status == "approved":
        form.fields["change_reason"] = forms.CharField(
            label=_("Why are you changing an approved response?"),
            help_text=CHANGE_REASON_HELP,
            widget=forms.Textarea(attrs={"rows": 2}),
        )


RESPONSE_DATES = ("chief_invited_on", "chief_reply_by", "chief_comments_received_on")


def check_response_dates(
    form: forms.BaseForm, cleaned: dict[str, Any], response: Response
) -> list[str]:
    """Checks the s55 dates the form sets against each other, the response's other dates
    and the report's publication (`validation.response_date_problems`), and returns the
    warnings to show once it is saved. A stored date the form does not set is taken as
    it is: its problems are not this form's to report."""
    values = {
        name: cleaned.get(name) if name in form.fields else getattr(response, name)
        for name in RESPONSE_DATES
    }
    problems = response_date_problems(report_published_on=response.report.published_on, **values)
    add_problems(form, [(name, message) for name, message in problems if name in form.fields])
    if "chief_reply_by" not in form.fields:
        return []
    warnings = reply_by_warnings(chief_reply_by=values["chief_reply_by"], due_on=response.due_on)
    return [message for _name, message in warnings]


REPLY_BY_HELP = _("The date you set for the chief officer's comments (s55(4)).")


def set_response_date_subjects(form: forms.BaseForm) -> None:
    """How error messages name the s55 dates ("Enter the reply-by date.")."""
    subjects = {
        "chief_invited_on": _("the date the chief officer was invited"),
        "chief_reply_by": _("the reply-by date"),
        "chief_comments_received_on": _("the date the comments were received"),
    }
    for name, subject in subjects.items():
        if name in form.fields:
            date_field(form, name).subject = subject


def reply_by_hint(response: Response) -> StrOrPromise:
    """The reply-by hint, naming the statutory due date where there is one."""
    if response.due_on is None:
        return date_hint(REPLY_BY_HELP)
    due = _("The response is due by %(date)s.") % {"date": day(response.due_on)}
    return date_hint(format_lazy("{} {}", REPLY_BY_HELP, due))


class VersionedForm(ModelForm[Any]):
    """Carries the version the user started from, so a save over someone else's change
    is refused instead of silently overwriting it (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["version"] = self.instance.version


class ResponseForm(VersionedForm):
    class Meta:
        model = Response
        fields = [
            "chief_invited_on",
            "chief_reply_by",
            "chief_comments_received_on",
            "chief_comments",
            "chief_comments_reply",
            "comments",
            "closing_line",
            "signatory_name",
            "signatory_role",
            "marking",
        ]
        field_classes = {
            "chief_invited_on": DateField,
            "chief_reply_by": DateField,
            "chief_comments_received_on": DateField,
        }
        widgets = {
            "chief_comments": forms.Textarea(attrs={"rows": 5}),
            "comments": forms.Textarea(attrs={"rows": 12}),
            "marking": forms.RadioSelect,
        }
        help_texts = {
            "comments": _("Your comments on the report, as they will be published."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_change_reason(self, self.instance.status)
        self.warnings: list[str] = []
        set_response_date_subjects(self)
        date_field(self, "chief_reply_by").help_text = reply_by_hint(self.instance)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        self.warnings = check_response_dates(self, cleaned, self.instance)
        return cleaned


class EntryForm(ModelForm[ResponseEntry]):
    # The entry's version when the user opened it (empty if there was none yet): a save
    # merges with changes saved since (services.merging).
    version = forms.IntegerField(widget=forms.HiddenInput, required=False, min_value=1)

    class Meta:
        model = ResponseEntry
        fields = ["answer", "text"]
        widgets = {
            "answer": forms.RadioSelect,
            "text": forms.Textarea(attrs={"rows": 5}),
        }
        labels = {"answer": _("What the body says"), "text": _("The action, or the reason")}

    def __init__(self, *args: Any, prefix_id: str, status: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_change_reason(self, status)
        choice(self, "answer").choices = ResponseEntry.Answer.choices
        self.auto_id = f"entry-{prefix_id}-%s"
        if not self.is_bound and self.instance.pk:
            self.initial["version"] = self.instance.version

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text", "")).strip()
        if not text:
            raise forms.ValidationError(_("Enter the action taken or proposed, or the reason."))
        return text
