"""One small form per workflow transition: only what that step needs to record."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..models import Response
from ..validation import default_reply_by
from .responses import check_response_dates, reply_by_hint, set_response_date_subjects
from .util import DateField, Form, date_field


class TransitionForm(Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args: Any, response: Response, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.response = response
        # What the user should know once the step is done (allowed, but worth saying).
        self.warnings: list[str] = []
        if not self.is_bound:
            self.initial.setdefault("version", response.version)

    def changes(self) -> dict[str, Any]:
        """The response fields this step sets (and `reason`, kept in the history)."""
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


def _not_future(value: dt.date | None) -> None:
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("The date cannot be in the future."))


class RequestCommentsForm(TransitionForm):
    chief_invited_on = DateField(label=_("Chief officer invited on"), validators=[_not_future])
    chief_reply_by = DateField(label=_("Reply by"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_response_date_subjects(self)
        date_field(self, "chief_reply_by").help_text = reply_by_hint(self.response)
        # A response returned to draft keeps the invitation it had: offer its dates.
        invited = self.response.chief_invited_on or timezone.localdate()
        self.initial.setdefault("chief_invited_on", invited)
        self.initial.setdefault(
            "chief_reply_by",
            self.response.chief_reply_by
            or default_reply_by(invited_on=invited, due_on=self.response.due_on),
        )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        self.warnings = check_response_dates(self, cleaned, self.response)
        return cleaned


class RecordCommentsForm(TransitionForm):
    chief_comments_received_on = DateField(
        label=_("Comments received on"), validators=[_not_future]
    )
    chief_comments = forms.CharField(
        label=_("The chief officer's comments"), widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_response_date_subjects(self)
        self.initial.setdefault("chief_comments_received_on", timezone.localdate())
        self.initial.setdefault("chief_comments", self.response.chief_comments)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        check_response_dates(self, cleaned, self.response)
        return cleaned


class PublishForm(TransitionForm):
    published_on = DateField(
        label=_("Published on"), subject=_("the publication date"), validators=[_not_future]
    )
    published_url = forms.URLField(
        label=_("Where it is published"),
        help_text=_("The address of the page on your website."),
        max_length=500,
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("published_on", timezone.localdate())


class CopiesForm(TransitionForm):
    copy_to_inspectorate_on = DateField(
        label=_("Copy sent to HM Inspectors on"),
        subject=_("the date the copy was sent to HM Inspectors"),
        validators=[_not_future],
    )
    copy_to_home_secretary_on = DateField(
        label=_("Copy sent to the Home Secretary on"),
        subject=_("the date the copy was sent to the Home Secretary"),
        validators=[_not_future],
    )

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        published = self.response.published_on
        for name in ("copy_to_inspectorate_on", "copy_to_home_secretary_on"):
            sent = cleaned.get(name)
            if sent and published and sent < published:
                self.add_error(name, _("A copy cannot be sent before the response is published."))
        return cleaned


class ReasonForm(TransitionForm):
    reason = forms.CharField(
        label=_("Why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the response's history."),
    )


class NoResponseForm(TransitionForm):
    no_response_reason = forms.CharField(
        label=_("Why no response is needed"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "For example: the force is clearly not a subject of this national report, or "
            "the force report of the same inspection covers its findings."
        ),
    )

    def changes(self) -> dict[str, Any]:
        return super().changes() | {"reason": self.cleaned_data["no_response_reason"]}


class CorrectionForm(TransitionForm):
    """A correction after publication: a new edition, with its reason shown publicly."""

    reason = forms.CharField(
        label=_("What was corrected, and why"),
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            'Shown with the response, for example "Corrected on 3 August 2023: '
            "the date of the chief constable's letter\"."
        ),
    )
    published_on = DateField(
        label=_("Published on"),
        subject=_("the publication date"),
        validators=[_not_future],
        help_text=_("Change it only if the date recorded was wrong."),
    )
    published_url = forms.URLField(label=_("Where it is published"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initial.setdefault("published_on", self.response.published_on)
        self.initial.setdefault("published_url", self.response.published_url)


FORMS: dict[str, type[TransitionForm]] = {
    "request-comments": RequestCommentsForm,
    "record-comments": RecordCommentsForm,
    "submit": TransitionForm,
    "approve": TransitionForm,
    "publish": PublishForm,
    "correct": CorrectionForm,
    "record-copies": CopiesForm,
    "return-to-draft": ReasonForm,
    "no-response": NoResponseForm,
    "reopen": ReasonForm,
}
