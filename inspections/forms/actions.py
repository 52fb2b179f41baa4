"""Forms for assurance actions: the action itself, progress updates, evidence files, the
finding picker and the list's filters."""

from __future__ import annotations

import codecs
from pathlib import PurePath
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q, QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ..access import CONTRIBUTOR_STATUSES
from ..models import (
    OPEN_ACTION_STATUSES,
    ActionStatus,
    AssuranceAction,
    AssuranceLevel,
    Evidence,
    Forum,
    Membership,
    PolicingBody,
    ProgressUpdate,
    Response,
)
from ..rules import RAG_LABELS
from ..selectors import AGE_BANDS, DUE_WINDOWS
from ..validation import status_progress_problems, without_bidi_controls
from .responses import VersionedForm
from .scope import ScopeFields, level_field, quarter_field, report_field
from .util import DateField, Form, ModelForm, add_problems, choice, date_field, model_choice

PERCENT = forms.NumberInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric"})


def percent_field(*, required: bool, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(
        min_value=0, max_value=100, required=required, widget=PERCENT, **kwargs
    )


def members_of(body: PolicingBody) -> QuerySet[Any]:
    return (
        get_user_model()
        .objects.filter(membership__body=body)
        .order_by("first_name", "last_name", "username")
    )


def action_owners(body: PolicingBody, current: Any = None) -> QuerySet[Any]:
    """Who may be made an action's owner: the body's active editors and force contributors
    (`MembershipQuerySet.action_owners`), and the action's current owner, who may stay."""
    owners = Membership.objects.filter(body=body).action_owners().active()
    current_id = getattr(current, "pk", current)
    return (
        get_user_model()
        .objects.filter(Q(membership__in=owners) | Q(pk=current_id, membership__body=body))
        .select_related("membership")
        .order_by("first_name", "last_name", "username")
    )


def person(user: AbstractBaseUser) -> str:
    full_name: str = getattr(user, "get_full_name", lambda: "")()
    return full_name or user.get_username()


class OwnerField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """Each person with their role, as in "Fred Bloggs (force contributor)"."""

    def label_from_instance(self, obj: Any) -> str:
        membership = getattr(obj, "membership", None)
        if membership is None:
            return person(obj)
        return gettext("%(name)s (%(role)s)") % {
            "name": person(obj),
            "role": str(membership.get_role_display()).lower(),
        }


class ResponseField(forms.ModelChoiceField):  # type: ignore[type-arg]
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.report.title_with_month)


# docs/domain.md#status-and-progress-agree, said where the user chooses either.
STATUS_HELP = _("Complete means 100% complete; Not started means 0%.")


TARGET_REASON_NEEDED = _("Enter why the target date is changing")


def target_reason_field() -> forms.CharField:
    """Asked beside the target date on every edit; needed only when the date changes."""
    field = forms.CharField(
        label=_("Why is the target date changing?"),
        required=False,
        max_length=2000,
        help_text=_(
            "Needed only if you change the target date. Kept with the date it had, the new "
            "date, your name and the time; the board sees how often and how far each "
            "action's target has moved."
        ),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    field.hide_optional = True  # type: ignore[attr-defined]  # read by forms/govuk_field.html
    return field


class ActionForm(VersionedForm):
    percent_complete = percent_field(
        required=True,
        label=_("Percent complete"),
        help_text=_("100 for a complete action, 0 for one not started."),
    )

    class Meta:
        model = AssuranceAction
        fields = [
            "title",
            "description",
            "owner",
            "force_lead",
            "start_on",
            "target_on",
            "status",
            "percent_complete",
            "completed_on",
            "assurance_level",
            "assurance_evidence",
            "forum",
            "response",
        ]
        field_classes = {
            "owner": OwnerField,
            "response": ResponseField,
            "start_on": DateField,
            "target_on": DateField,
            "completed_on": DateField,
        }
        widgets = {
            "title": forms.TextInput(attrs={"class": "govuk-!-width-full"}),
            "description": forms.Textarea(attrs={"rows": 4}),
            "status": forms.RadioSelect,
            "assurance_evidence": forms.Textarea(attrs={"rows": 4}),
        }
        help_texts = {
            "status": STATUS_HELP,
            "completed_on": _("Left empty, it is set to today when the status is complete."),
            "assurance_level": _("How assured the body is that the force has done it."),
            "response": _("The statutory response this action delivers on, if any."),
        }

    def __init__(self, *args: Any, body: PolicingBody, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk is None:
            # A new action has no one to conflict with, and its target is the original.
            del self.fields["version"]
        else:
            self.fields["target_reason"] = target_reason_field()
            before = ["title", "description", "owner", "force_lead", "start_on", "target_on"]
            self.order_fields([*before, "target_reason"])
        choice(self, "status").choices = ActionStatus.choices
        owner = model_choice(self, "owner")
        owner.queryset = action_owners(body, current=self.instance.owner_id)
        owner.help_text = _("One of the body's editors, or a force contributor.")
        owner.empty_label = _("Awaiting allocation")
        response = model_choice(self, "response")
        response.queryset = Response.objects.filter(body=body).select_related("report")
        response.empty_label = _("None")
        # Say what an empty choice means instead of Django's dashes.
        choice(self, "assurance_level").choices = [
            ("", _("Not assessed yet")),
            *AssuranceLevel.choices,
        ]
        choice(self, "forum").choices = [("", _("Not decided")), *Forum.choices]
        date_field(self, "completed_on").subject = _("the completion date")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if cleaned.get("status"):
            add_problems(
                self,
                status_progress_problems(
                    status=cleaned["status"], percent_complete=cleaned.get("percent_complete")
                ),
            )
        start_on, target_on = cleaned.get("start_on"), cleaned.get("target_on")
        if start_on and target_on and target_on < start_on:
            self.add_error("target_on", _("The target date cannot be before the start date."))
        if self.moves_target_without_reason(cleaned):
            self.add_error("target_reason", TARGET_REASON_NEEDED)
        completed_on = cleaned.get("completed_on")
        if completed_on and cleaned.get("status") != ActionStatus.COMPLETE:
            self.add_error(
                "completed_on",
                _("Only a complete action has a completion date. Choose Complete or clear it."),
            )
        elif start_on and completed_on and completed_on < start_on:
            self.add_error("completed_on", _("The completion date cannot be before the start."))
        return cleaned

    def moves_target_without_reason(self, cleaned: dict[str, Any]) -> bool:
        """A new target without a reason, seen against the version the user opened when
        that is the saved one. Otherwise the service decides after merging with what was
        saved since (services.actions.action_update raises TargetReasonNeeded)."""
        if "target_reason" not in self.fields or cleaned.get("target_reason"):
            return False
        target_on = cleaned.get("target_on")
        opened_saved = cleaned.get("version") == self.instance.version
        return bool(target_on) and opened_saved and target_on != self.instance.target_on


class ProgressForm(ModelForm[ProgressUpdate]):
    """An update to `action` (when given, the status or percentage left unchanged is the
    action's own, so an update cannot make the two contradict each other)."""

    percent_complete = percent_field(
        required=False,
        label=_("Percent complete now"),
        help_text=_("Leave empty if it has not changed. 100 if it is complete."),
    )

    class Meta:
        model = ProgressUpdate
        fields = ["text", "status", "percent_complete"]
        widgets = {"text": forms.Textarea(attrs={"rows": 4})}
        error_messages = {"text": {"required": _("Enter what has changed.")}}
        labels = {"text": _("What has changed"), "status": _("Status now")}
        help_texts = {
            "text": _("Updates are kept as written: they cannot be edited or removed later."),
            "status": format_lazy(
                "{} {}", _("Leave it as it is if the status has not changed."), STATUS_HELP
            ),
        }

    def __init__(self, *args: Any, action: AssuranceAction | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.action = action
        self.auto_id = "update-%s"
        choice(self, "status").choices = [("", _("No change")), *ActionStatus.choices]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        status, percent = cleaned.get("status") or "", cleaned.get("percent_complete")
        changes_either = bool(status) or percent is not None
        if self.action is not None:
            status = status or self.action.status
            percent = self.action.percent_complete if percent is None else percent
        if changes_either and status and "percent_complete" not in self.errors:
            add_problems(self, status_progress_problems(status=status, percent_complete=percent))
        return cleaned

    def clean_text(self) -> str:
        text = str(self.cleaned_data.get("text", "")).strip()
        if not text:
            raise forms.ValidationError(_("Enter what has changed."))
        return text


FORCE_SAYS_COMPLETE = _("Force says complete")


class ContributorProgressForm(ProgressForm):
    """A force contributor's update to an action they own. They may say the force has done
    it ("Force says complete": pending the body's sign-off, at 100%), never that it is
    complete or not adopted: the body decides that once it has assessed the work. On an
    action the body has closed they may still write, not change its status."""

    def __init__(self, *args: Any, action: AssuranceAction | None = None, **kwargs: Any) -> None:
        super().__init__(*args, action=action, **kwargs)
        if action is not None and action.status not in OPEN_ACTION_STATUSES:
            del self.fields["status"]
            del self.fields["percent_complete"]
            return
        labels = {ActionStatus.PENDING_SIGN_OFF: FORCE_SAYS_COMPLETE}
        status = choice(self, "status")
        status.choices = [
            ("", _("No change")),
            *((s.value, labels.get(s, s.label)) for s in CONTRIBUTOR_STATUSES),
        ]
        status.help_text = _(
            "Choose Force says complete when the force has done all it will do. The office "
            "then assesses the work and signs it off."
        )
        status.error_messages["invalid_choice"] = _(
            "Only the office can mark an action complete or not adopted. Choose Force says "
            "complete if the force has done it."
        )
        percent = self.fields["percent_complete"]
        percent.help_text = _("Leave empty if it has not changed. Force says complete is 100%.")

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        if cleaned.get("status") == ActionStatus.PENDING_SIGN_OFF:
            percent = cleaned.get("percent_complete")
            if percent is None:
                cleaned["percent_complete"] = 100
            elif percent != 100 and "percent_complete" not in self.errors:
                self.add_error(
                    "percent_complete",
                    _(
                        "Force says complete means 100%% complete, not %(percent)s%%: enter "
                        "100 or leave it empty, or choose In progress."
                    )
                    % {"percent": percent},
                )
        return cleaned


def progress_form_for(
    membership: Membership, data: Any = None, *, action: AssuranceAction
) -> ProgressForm:
    """The progress form the member's role gives them on this action."""
    form_class = ContributorProgressForm if membership.is_contributor else ProgressForm
    return form_class(data, action=action)


# The first bytes each type must start with. Office Open XML and OpenDocument files are
# zip archives; Outlook .msg files are OLE compound documents.
SIGNATURES: dict[str, tuple[bytes, ...]] = {
    ".pdf": (b"%PDF-",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".docx": (b"PK\x03\x04",),
    ".xlsx": (b"PK\x03\x04",),
    ".pptx": (b"PK\x03\x04",),
    ".odt": (b"PK\x03\x04",),
    ".ods": (b"PK\x03\x04",),
    ".msg": (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",),
}
TEXT_TYPES = frozenset({".csv", ".txt", ".eml"})


def is_utf8(upload: UploadedFile[Any]) -> bool:
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        for chunk in upload.chunks():
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    finally:
        upload.seek(0)
    return True


def starts_with(upload: UploadedFile[Any], signatures: tuple[bytes, ...]) -> bool:
    upload.seek(0)
    head = upload.read(max(len(s) for s in signatures))
    upload.seek(0)
    return any(head.startswith(s) for s in signatures)


def allowed_extensions() -> list[str]:
    return sorted(settings.EVIDENCE_TYPES)


class EvidenceForm(ModelForm[Evidence]):
    """Checks the size, the extension and that the bytes match it; records the file's
    name, size and the content type it will be served with (from the allow-list, never
    what the browser claimed)."""

    class Meta:
        model = Evidence
        fields = ["file", "description"]
        widgets = {
            "file": forms.FileInput,
            "description": forms.TextInput(attrs={"class": "govuk-!-width-full"}),
        }
        labels = {"file": _("Upload a file"), "description": _("What it shows")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "evidence-%s"
        if upload := self.fields.get("file"):  # the admin's read-only view has no file field
            upload.widget.attrs["accept"] = ",".join(allowed_extensions())
            upload.help_text = _("%(types)s. Up to %(size)s.") % {
                "types": ", ".join(e.lstrip(".").upper() for e in allowed_extensions()),
                "size": filesizeformat(settings.EVIDENCE_MAX_BYTES),
            }

    def clean_file(self) -> UploadedFile[Any]:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        # Direction controls in a file name can disguise its type ("report\u202efdp.exe").
        name = without_bidi_controls(PurePath(upload.name or "").name)
        extension = PurePath(name).suffix.lower()
        types: dict[str, str] = settings.EVIDENCE_TYPES
        if extension not in types:
            raise forms.ValidationError(
                _("The file must be one of these types: %(types)s."),
                params={"types": ", ".join(e.lstrip(".").upper() for e in allowed_extensions())},
                code="extension",
            )
        if upload.size is None or upload.size > settings.EVIDENCE_MAX_BYTES:
            raise forms.ValidationError(
                _("The file must be smaller than %(size)s."),
                params={"size": filesizeformat(settings.EVIDENCE_MAX_BYTES)},
                code="size",
            )
        if extension in TEXT_TYPES:
            if not is_utf8(upload):
                raise forms.ValidationError(
                    _("The file is not plain text (UTF-8). Save it as UTF-8 and try again."),
                    code="content",
                )
        elif not starts_with(upload, SIGNATURES[extension]):
            raise forms.ValidationError(
                _("The file's contents are not a valid %(ext)s. Check it is the right file."),
                params={"ext": extension.lstrip(".").upper()},
                code="content",
            )
        facts = {
            "original_name": name[-255:],
            "content_type": types[extension],
            "size": upload.size,
        }
        # The admin saves the form's instance; the app's view hands cleaned_data to
        # services.actions.evidence_add. Both get the same facts.
        for key, value in facts.items():
            setattr(self.instance, key, value)
        self.cleaned_data.update(facts)
        return upload


class PickerForm(Form):
    q = forms.CharField(
        label=_("Find a finding to link"),
        required=False,
        max_length=200,
        help_text=_("Search by reference, the finding's text or the report's title"),
        widget=forms.TextInput(attrs={"type": "search", "class": "govuk-!-width-full"}),
    )

    def __init__(self, *args: Any, results_url: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "picker-%s"
        # Search as you type; the enclosing GET form does the same without JavaScript.
        self.fields["q"].widget.attrs.update(
            {
                "hx-get": results_url,
                "hx-trigger": "input changed delay:300ms, search",
                "hx-target": "#picker-results",
                "hx-swap": "outerHTML",
                "hx-sync": "closest form:replace",
                "autocomplete": "off",
                "aria-controls": "picker-results",
            }
        )


class ActionFilterForm(ScopeFields):
    hide_optional = True  # every filter is optional; saying so on each is noise
    field_order = ["q", "mine", "owner", "status", "rag", "due", "age", "slipped", "sort"]
    q = forms.CharField(
        label=_("Search"),
        required=False,
        help_text=_("Words in the title"),
        widget=forms.TextInput(attrs={"type": "search", "class": "govuk-!-width-full"}),
    )
    mine = forms.BooleanField(label=_("Only actions I own"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[
            ("", _("Any status")),
            ("open", _("Open (not started, in progress or pending sign-off)")),
            *ActionStatus.choices,
        ],
    )
    rag = forms.ChoiceField(
        label=_("RAG"),
        required=False,
        choices=[("", _("Any")), *RAG_LABELS.items()],
    )
    due = forms.ChoiceField(
        label=_("Due"),
        required=False,
        choices=lambda: [
            ("", gettext("Any time")),
            ("overdue", gettext("Overdue")),
            *(
                (key, gettext("In the next %(days)s days") % {"days": days})
                for key, days in DUE_WINDOWS.items()
            ),
        ],
    )
    age = forms.ChoiceField(
        label=_("Open for"),
        required=False,
        choices=[("", _("Any time")), *((key, label) for key, label, _a, _b in AGE_BANDS)],
    )
    due_before = DateField(
        label=_("Open and due by"), required=False, subject=_("the date to show actions due by")
    )
    updated_since = DateField(
        label=_("With progress updates since"),
        required=False,
        subject=_("the date to show updates since"),
    )
    slipped = forms.ChoiceField(
        label=_("Target date moved"),
        required=False,
        choices=[
            ("", _("Any")),
            ("later", _("Moved later at least once")),
            ("open", _("Open and moved later at least once")),
        ],
    )
    report = report_field()
    level = level_field()
    opened = quarter_field(_("Started in"))
    completed = quarter_field(_("Completed in"))
    overdue_at = quarter_field(_("Overdue at the end of"))
    sort = forms.ChoiceField(
        label=_("Sort by"),
        required=False,
        choices=[
            ("target", _("Target date")),
            ("title", _("Title")),
            ("newest", _("Newest first")),
            ("slipped", _("Most slipped first")),
        ],
    )

    def __init__(self, *args: Any, membership: Membership, **kwargs: Any) -> None:
        super().__init__(*args, body=membership.body, **kwargs)
        self.auto_id = "filter-%s"
        body = membership.body
        if membership.is_contributor:
            # Their own actions only: no one else of the body is named to them, nor the
            # body's reports (only the findings their actions serve).
            del self.fields["owner"]
            del self.fields["mine"]
            del self.fields["report"]
            return
        choice(self, "owner").choices = [
            ("", _("Anyone")),
            ("none", _("Awaiting allocation")),
            *((str(user.pk), person(user)) for user in members_of(body)),
        ]
