from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import Response, ResponseEntry
from .util import DATE, choice

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


def check_reply_by(form: forms.BaseForm, cleaned: dict[str, Any]) -> None:
    """The chief officer's reply-by date cannot come before the invitation."""
    invited, reply_by = cleaned.get("chief_invited_on"), cleaned.get("chief_reply_by")
    if invited and reply_by and reply_by < invited:
        form.add_error("chief_reply_by", _("The reply-by date must be after the invitation."))


class VersionedForm(forms.ModelForm):  # type: ignore[type-arg]
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
            "publish_chief_comments",
            "comments",
            "closing_line",
            "signatory_name",
            "signatory_role",
            "marking",
        ]
        widgets = {
            "chief_invited_on": DATE,
            "chief_reply_by": DATE,
            "chief_comments_received_on": DATE,
            "chief_comments": forms.Textarea(attrs={"rows": 5}),
            "comments": forms.Textarea(attrs={"rows": 12}),
            "marking": forms.RadioSelect,
        }
        help_texts = {
            "chief_reply_by": _("The date you set for the chief officer's comments (s55(4))."),
            "comments": _("Your comments on the report, as they will be published."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        add_change_reason(self, self.instance.status)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        check_reply_by(self, cleaned)
        return cleaned


class EntryForm(forms.ModelForm[ResponseEntry]):
    # The entry's last saved time when the user opened it: a later save by someone else
    # is refused rather than overwritten.
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

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
            self.initial["seen"] = self.instance.updated_at.isoformat()

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text", "")).strip()
        if not text:
            raise forms.ValidationError(_("Enter the action taken or proposed, or the reason."))
        return text
