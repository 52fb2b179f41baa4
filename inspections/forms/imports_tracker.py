"""Importing a tracker spreadsheet: the upload, the mapping of its columns to fields, and
the check of every row (the dry run) that the import then applies.

Each row is checked by `ActionForm`, the form that adds and edits an action on screen, so
a row obeys exactly the rules a person typing it would: real dates within the window,
status and percentage that agree, a target on or after the start, a completion date only
for a complete action. The cells are first read into plain values
(`imports.trackers.parse_*`), and the owner is looked up among the body's action owners
(`MembershipQuerySet.action_owners`) once for the whole file."""

from __future__ import annotations

import contextlib
import copy
import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Prefetch, Q
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..imports import trackers as t
from ..imports.files import Upload, UploadRefused, check_uploaded_file
from ..models import (
    ActionStatus,
    AssuranceAction,
    AssuranceLevel,
    Finding,
    Forum,
    ImportMapping,
    Membership,
    PolicingBody,
    ProgressUpdate,
)
from ..validation import day, status_progress_problems
from .actions import ActionForm, person
from .util import Form

KINDS = ("csv", "xlsx")

# The fields of ActionForm a tracker may set, in its order.
ACTION_FIELDS = (
    "title",
    "description",
    "force_lead",
    "start_on",
    "target_on",
    "status",
    "percent_complete",
    "completed_on",
    "assurance_level",
    "assurance_evidence",
    "forum",
)
TEXT_FIELDS = frozenset({"title", "description", "force_lead", "assurance_evidence"})
DATE_FIELDS = frozenset({"start_on", "target_on", "completed_on"})
# Where a problem found on a field is shown when that field has no column in the file.
RELATED = {
    "percent_complete": "status",
    "status": "percent_complete",
    "start_on": "target_on",
    "target_on": "start_on",
    "completed_on": "status",
}
# Words trackers use for statuses, beyond our own labels and values.
STATUS_WORDS = {
    "not yet started": ActionStatus.NOT_STARTED,
    "open": ActionStatus.IN_PROGRESS,
    "ongoing": ActionStatus.IN_PROGRESS,
    "on track": ActionStatus.IN_PROGRESS,
    "started": ActionStatus.IN_PROGRESS,
    "force says complete": ActionStatus.PENDING_SIGN_OFF,
    "awaiting sign off": ActionStatus.PENDING_SIGN_OFF,
    "pending sign off": ActionStatus.PENDING_SIGN_OFF,
    "completed": ActionStatus.COMPLETE,
    "closed": ActionStatus.COMPLETE,
    "done": ActionStatus.COMPLETE,
    "rejected": ActionStatus.NOT_ADOPTED,
}
ASSURANCE_WORDS = {"no assurance": AssuranceLevel.NONE, "moderate": AssuranceLevel.REASONABLE}
# An owner cell that says there is none.
NO_OWNER = frozenset({"awaiting allocation", "unassigned", "none", "tbc", "n/a", "-"})


# --- Upload -------------------------------------------------------------------------------


class TrackerUploadForm(Form):
    file = forms.FileField(
        label=gettext_lazy("Upload a tracker"),
        allow_empty_file=True,  # check_upload says so, in its words
        error_messages={"required": gettext_lazy("Choose a CSV or Excel file to upload.")},
        widget=forms.FileInput(attrs={"accept": ".csv,.xlsx"}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "tracker-%s"
        self.fields["file"].help_text = _(
            "A CSV or Excel (.xlsx) file of up to %(size)s, with a row naming its columns. "
            "Rows above that row, such as a title, are skipped."
        ) % {"size": filesizeformat(settings.IMPORT_MAX_BYTES)}
        self.upload: Upload | None = None
        self.tracker: t.Tracker | None = None

    def clean_file(self) -> UploadedFile[Any]:
        uploaded: UploadedFile[Any] = self.cleaned_data["file"]
        try:
            self.upload = check_uploaded_file(uploaded, KINDS)
            self.tracker = t.read_tracker(self.upload.name, self.upload.content, self.upload.kind)
        except UploadRefused as refused:
            raise forms.ValidationError(str(refused), code="refused") from None
        return uploaded


# --- Mapping ------------------------------------------------------------------------------


def remembered_mapping(body: PolicingBody, tracker: t.Tracker) -> ImportMapping | None:
    return ImportMapping.objects.filter(
        body=body, headers_key=t.headers_key(tracker.headers)
    ).first()


def mapping_for(body: PolicingBody, tracker: t.Tracker) -> dict[str, str]:
    """The body's remembered mapping for this layout, else the one the headers suggest."""
    remembered = remembered_mapping(body, tracker)
    if remembered is not None:
        known = {k for k in t.FIELDS_BY_KEY if t.FIELDS_BY_KEY[k].imported}
        saved = {str(h): str(k) for h, k in dict(remembered.mapping).items()}
        return {h: saved.get(h, "") if saved.get(h, "") in known else "" for h in tracker.headers}
    return t.suggest_mapping(tracker.headers)


def _column_field(index: int) -> str:
    return f"column_{index}"


class MappingForm(Form):
    """A choice of field for each column of the tracker."""

    hide_optional = True
    unassigned = forms.BooleanField(
        label=gettext_lazy(
            "Import rows whose owner is not one of our action owners, as awaiting allocation"
        ),
        required=False,
        help_text=gettext_lazy(
            "Action owners are the body’s editors and force contributors. Without this, a row "
            "naming anyone else is not imported."
        ),
    )

    def __init__(
        self, *args: Any, tracker: t.Tracker, mapping: Mapping[str, str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.auto_id = "map-%s"
        self.tracker = tracker
        choices = [("", _("Do not import")), *((f.key, f.label) for f in t.IMPORTED_FIELDS)]
        columns: dict[str, forms.Field] = {}
        for column in tracker.columns:
            examples = tracker.examples(column)
            hint = _("Column %(letter)s.") % {"letter": column.letter}
            if examples:
                hint += " " + _("For example: %(values)s") % {"values": "; ".join(examples)}
            else:
                hint += " " + _("Empty in every row.")
            known = t.FIELDS_BY_KEY.get(t.field_for_header(column.header) or "")
            if known is not None and not known.imported:
                hint += " " + str(known.why_not)
            columns[_column_field(column.index)] = forms.ChoiceField(
                label=column.header,
                choices=choices,
                required=False,
                initial=mapping.get(column.header, ""),
                help_text=hint,
            )
        unassigned = self.fields.pop("unassigned")
        self.fields.update(columns)
        self.fields["unassigned"] = unassigned

    def column_fields(self) -> list[forms.BoundField]:
        return [self[_column_field(c.index)] for c in self.tracker.columns]

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean() or {}
        chosen: dict[str, str] = {}
        for column in self.tracker.columns:
            name = _column_field(column.index)
            key = cleaned.get(name) or ""
            if not key:
                continue
            if key in chosen:
                self.add_error(
                    name,
                    _("%(field)s is already the column “%(other)s”. Choose one column for it.")
                    % {"field": t.FIELDS_BY_KEY[key].label, "other": chosen[key]},
                )
            else:
                chosen[key] = column.header
        if "title" not in chosen and "action_id" not in chosen and self.tracker.columns:
            self.add_error(
                _column_field(self.tracker.columns[0].index),
                _(
                    "Choose the column that holds each action’s title (or its Action ID): "
                    "without one, no row can be imported."
                ),
            )
        return cleaned

    @property
    def mapping(self) -> dict[str, str]:
        return {
            column.header: self.cleaned_data.get(_column_field(column.index)) or ""
            for column in self.tracker.columns
        }


class ConfirmForm(Form):
    rows = forms.ChoiceField(
        choices=[("all", gettext_lazy("All rows")), ("valid", gettext_lazy("Only the valid rows"))]
    )
    sheet = forms.CharField(required=False, widget=forms.HiddenInput)
    unassigned = forms.BooleanField(required=False, widget=forms.HiddenInput)


# --- Checking the rows ----------------------------------------------------------------------


class TrackerRowForm(ActionForm):
    """ActionForm's rules for one row of a tracker. The owner is looked up beforehand,
    once for the whole file, and a tracker does not name the response an action serves."""

    def __init__(self, *args: Any, body: PolicingBody, **kwargs: Any) -> None:
        super().__init__(*args, body=body, **kwargs)
        del self.fields["owner"]
        del self.fields["response"]
        # A row gives its reason in its own column, or the import names the file.
        self.fields.pop("target_reason", None)

    def clean(self) -> dict[str, Any] | None:
        cleaned = super().clean()
        # The model's two check constraints (target on or after start, at most 100%) are
        # what ActionForm.clean and the percentage field check already; asked of the
        # database they cost three queries a row, for every row of every check.
        self._validate_constraints = False
        return cleaned


def _form_data(action: AssuranceAction | None) -> dict[str, str]:
    """What the action form would post for the action as it is (empty for a new one)."""
    if action is None:
        return {
            **dict.fromkeys(ACTION_FIELDS, ""),
            "status": ActionStatus.NOT_STARTED,
            "percent_complete": "0",
        }
    data: dict[str, str] = {}
    for name in ACTION_FIELDS:
        value = getattr(action, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else str(value or "")
    data["percent_complete"] = str(action.percent_complete)
    data["version"] = str(action.version)
    return data


def _display(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, dt.date):
        return day(value)
    if name == "percent_complete":
        return f"{value}%"
    if name == "status":
        return str(ActionStatus(value).label)
    if name == "assurance_level":
        return str(AssuranceLevel(value).label)
    if name == "forum":
        return str(Forum(value).label)
    if name == "owner":
        return person(value)
    return str(value)


def _same(name: str, before: Any, after: Any) -> bool:
    if name in TEXT_FIELDS:
        return t.same_text(before, after)
    return bool(before == after)


def _norm(text: str) -> str:
    return " ".join(text.split()).casefold()


class _Owners:
    """The body's action owners, found by username, email address or full name."""

    def __init__(self, body: PolicingBody) -> None:
        self.by_key: dict[str, list[Any]] = defaultdict(list)
        memberships = (
            Membership.objects.filter(body=body).action_owners().active().select_related("user")
        )
        for membership in memberships:
            user = membership.user
            keys = {user.get_username(), user.email, user.get_full_name()}
            for key in filter(None, keys):
                if user not in self.by_key[_norm(key)]:
                    self.by_key[_norm(key)].append(user)

    def find(self, text: str) -> list[Any]:
        return self.by_key.get(_norm(text), [])


def _names(user: Any) -> set[str]:
    return {_norm(n) for n in (user.get_username(), user.email, user.get_full_name()) if n}


class _Findings:
    """The body's findings, by report and reference, for linking rows to them."""

    def __init__(self, body: PolicingBody) -> None:
        self.all = list(
            Finding.objects.filter(report__body=body)
            .select_related("report")
            .only(
                "pk",
                "reference",
                "text",
                "report__reference",
                "report__title",
                "report__published_on",
            )
        )

    @staticmethod
    def names_report(finding: Finding, name: str) -> bool:
        """Whether `name` is the finding's report: its reference, title, or title with the
        month and year."""
        report, wanted = finding.report, _norm(name)
        return wanted != "" and wanted in {
            _norm(report.reference),
            _norm(report.title),
            _norm(report.title_with_month),
        }

    def in_reports(self, names: list[str]) -> list[Finding]:
        return [f for f in self.all if any(self.names_report(f, n) for n in names)]

    def qualified(self, reference: str) -> list[Finding]:
        """A finding written "<report>/<finding reference>", as the action export writes
        those of an action serving several reports."""
        for cut, char in enumerate(reference):
            if char != "/":
                continue
            report, ref = reference[:cut].strip(), reference[cut + 1 :].strip()
            matches = [
                f
                for f in self.all
                if _norm(f.reference) == _norm(ref) and self.names_report(f, report)
            ]
            if matches:
                return matches
        return []


class TrackerCheck:
    """Checks every row of a tracker against the body's records: what importing it would
    create, update or leave unchanged, and what it would refuse, and why."""

    def __init__(
        self,
        tracker: t.Tracker,
        mapping: Mapping[str, str],
        *,
        body: PolicingBody,
        unassigned: bool,
        today: dt.date | None = None,
    ) -> None:
        self.tracker = tracker
        self.body = body
        self.unassigned = unassigned
        self.today = today or timezone.localdate()
        self.columns: dict[str, t.Column] = {}
        for column in tracker.columns:
            key = mapping.get(column.header, "")
            if key in t.FIELDS_BY_KEY and t.FIELDS_BY_KEY[key].imported:
                self.columns.setdefault(key, column)
        self.owners = _Owners(body) if "owner" in self.columns else None
        self.unknown_owners = 0
        wants_findings = {"finding_references", "finding_text"} & set(self.columns)
        self.findings = _Findings(body) if wants_findings else None
        self._load_actions()

    def _load_actions(self) -> None:
        ids: set[int] = set()
        titles: set[str] = set()
        for row in self.tracker.rows:
            if column := self.columns.get("action_id"):
                with contextlib.suppress(t.CellProblem):
                    ids.add(t.parse_whole_number(row.value(column)))
            if column := self.columns.get("title"):
                titles.add(t.cell_text(row.value(column)))
        actions = (
            AssuranceAction.objects.filter(body=self.body)
            .filter(Q(pk__in=ids) | Q(title__in=titles - {""}))
            .select_related("owner")
            .prefetch_related(
                Prefetch("findings", queryset=Finding.objects.only("pk")),
                Prefetch("updates", queryset=ProgressUpdate.objects.only("pk", "action", "text")),
            )
        )
        self.by_id: dict[int, AssuranceAction] = {}
        self.by_title: dict[str, list[AssuranceAction]] = defaultdict(list)
        for action in actions:
            self.by_id[action.pk] = action
            self.by_title[action.title].append(action)

    def plan(self) -> t.TrackerPlan:
        mapped = {c.header for c in self.columns.values()}
        plan = t.TrackerPlan(filename=self.tracker.filename, rows=[])
        for column in self.tracker.columns:
            if column.header in mapped:
                continue
            if t.field_for_header(column.header) is None:
                plan.unknown_columns.append(column.header)
            else:
                plan.ignored_columns.append(column.header)
        seen: dict[object, int] = {}
        self.unknown_owners = 0
        for row in self.tracker.rows:
            plan.rows.append(self._row(row, seen))
        plan.unknown_owners = self.unknown_owners
        return plan

    # One row ---------------------------------------------------------------------------

    def _header(self, key: str) -> str:
        column = self.columns.get(key) or self.columns.get(RELATED.get(key, ""))
        return column.header if column else ""

    def _cells(self, row: t.Row, plan: t.RowPlan) -> tuple[dict[str, Any], set[str]]:
        """Each mapped, non-empty cell as a plain value; a problem for each that is not, and
        the fields of those."""
        parsers: dict[str, Callable[[t.CellValue], Any]] = {
            "action_id": t.parse_whole_number,
            "start_on": t.parse_date,
            "target_on": t.parse_date,
            "completed_on": t.parse_date,
            "percent_complete": t.parse_percent,
            "status": lambda v: t.parse_choice(
                v, ActionStatus, also=STATUS_WORDS, what=_("status")
            ),
            "assurance_level": lambda v: t.parse_choice(
                v, AssuranceLevel, also=ASSURANCE_WORDS, what=_("assurance level")
            ),
            "forum": lambda v: t.parse_choice(v, Forum, what=_("forum")),
        }
        values: dict[str, Any] = {}
        unreadable: set[str] = set()
        for key, column in self.columns.items():
            raw = row.value(column)
            if t.cell_text(raw) == "":
                continue
            parse = parsers.get(key)
            try:
                values[key] = parse(raw) if parse else t.cell_text(raw)
            except t.CellProblem as problem:
                plan.problems.append(t.Problem(column.header, str(problem)))
                unreadable.add(key)
        return values, unreadable

    def _action(self, values: dict[str, Any], plan: t.RowPlan) -> AssuranceAction | None:
        if "action_id" in values:
            action = self.by_id.get(values["action_id"])
            if action is None:
                plan.problems.append(
                    t.Problem(
                        self._header("action_id"),
                        _(
                            "There is no action with the ID %(id)s. Leave the Action ID empty "
                            "to add this row as a new action."
                        )
                        % {"id": values["action_id"]},
                    )
                )
            return action
        title = values.get("title", "")
        matches = self.by_title.get(title, []) if title else []
        if len(matches) > 1:
            plan.problems.append(
                t.Problem(
                    self._header("title"),
                    _(
                        "%(n)s actions are called “%(title)s”. Add an Action ID column to say "
                        "which one this row is."
                    )
                    % {"n": len(matches), "title": title},
                )
            )
            return None
        return matches[0] if matches else None

    def _owner(
        self, values: dict[str, Any], action: AssuranceAction | None, plan: t.RowPlan
    ) -> tuple[bool, Any]:
        """(whether the row sets the owner, the owner it sets)."""
        text = values.get("owner")
        if text is None or self.owners is None:
            return False, None
        header = self._header("owner")
        current = action.owner if action is not None else None
        if _norm(text) in NO_OWNER:
            return current is not None, None
        if current is not None and _norm(text) in _names(current):
            return False, current
        found = self.owners.find(text)
        if len(found) == 1:
            return found[0] != current, found[0]
        if len(found) > 1:
            plan.problems.append(
                t.Problem(
                    header,
                    _("More than one person is called “%(name)s”: use their username.")
                    % {"name": text},
                )
            )
            return False, None
        if self.unassigned:
            plan.notes.append(
                t.Problem(
                    header,
                    _(
                        "“%(name)s” is not one of our action owners: imported as awaiting "
                        "allocation."
                    )
                    % {"name": text},
                )
            )
            return current is not None, None
        self.unknown_owners += 1
        plan.problems.append(
            t.Problem(
                header,
                _(
                    "“%(name)s” is not one of our action owners (the body’s editors and force "
                    "contributors). Invite them first, or choose to import such rows as "
                    "awaiting allocation."
                )
                % {"name": text},
            )
        )
        return False, None

    def _findings(
        self, values: dict[str, Any], action: AssuranceAction | None, plan: t.RowPlan
    ) -> list[Finding]:
        if self.findings is None:
            return []
        references = t.split_references(values.get("finding_references", ""))
        text = values.get("finding_text", "")
        if not references and not text:
            return []
        # A cell may name several reports, separated by semicolons (the export does).
        names = t.split_references(values.get("report_reference", "")) or t.split_references(
            values.get("report_title", "")
        )
        header = self._header("finding_references") or self._header("finding_text")
        candidates = self.findings.in_reports(names) if names else self.findings.all
        if names and not candidates:
            plan.notes.append(
                t.Problem(
                    self._header("report_reference") or self._header("report_title"),
                    _("No report “%(report)s” was found, so no finding is linked.")
                    % {"report": "; ".join(names)},
                )
            )
            return []
        found: list[Finding] = []
        for reference in references:
            matches = [f for f in candidates if _norm(f.reference) == _norm(reference)]
            if not matches and "/" in reference:
                matches = self.findings.qualified(reference)
            if len(matches) == 1:
                found.append(matches[0])
            elif matches:
                plan.notes.append(
                    t.Problem(
                        header,
                        _(
                            "%(ref)s is in more than one report, so it is not linked: add a "
                            "Report reference column."
                        )
                        % {"ref": reference},
                    )
                )
            else:
                plan.notes.append(
                    t.Problem(header, _("Finding not found: %(ref)s.") % {"ref": reference})
                )
        if not references:
            matches = [f for f in candidates if _norm(f.text) == _norm(text)]
            if len(matches) == 1:
                found.append(matches[0])
            else:
                plan.notes.append(
                    t.Problem(
                        header,
                        _("Finding not found: no finding has this text.")
                        if not matches
                        else _("More than one finding has this text, so none is linked."),
                    )
                )
        return found

    def _row(self, row: t.Row, seen: dict[object, int]) -> t.RowPlan:
        plan = t.RowPlan(number=row.number, outcome=t.Outcome.REFUSED)
        values, unreadable = self._cells(row, plan)
        action = self._action(values, plan)
        plan.title = values.get("title") or (action.title if action else "")
        if action is None and "action_id" not in values and not values.get("title"):
            plan.problems.append(
                t.Problem(
                    self._header("title"),
                    _("A new action needs a title, and this row has none."),
                )
            )
        key: object = action.pk if action is not None else _norm(values.get("title", ""))
        if key in seen:
            plan.problems.append(
                t.Problem(
                    self._header("title") or self._header("action_id"),
                    _(
                        "Row %(row)s is this action too. Give each action one row, with its "
                        "finding references in one cell, separated by semicolons."
                    )
                    % {"row": seen[key]},
                )
            )
        elif key != "":
            seen[key] = row.number
        if action is None and "action_id" in values:
            return plan  # an action that is not the body's: nothing more to say of it
        sets_owner, owner = self._owner(values, action, plan)
        data = _form_data(action)
        for name in ACTION_FIELDS:
            if name in values:
                value = values[name]
                data[name] = value.isoformat() if isinstance(value, dt.date) else str(value)
        self._fill_gaps(data, values, action, plan)
        form = TrackerRowForm(
            data,
            instance=copy.copy(action) if action else AssuranceAction(body=self.body),
            body=self.body,
        )
        if not form.is_valid():
            said: set[str] = set()
            for name, errors in form.errors.items():
                if name in unreadable or RELATED.get(name) in unreadable:
                    continue  # said already, of the cell
                header = self._header(name) if name in ACTION_FIELDS else ""
                for message in map(str, errors):
                    if message not in said:
                        said.add(message)
                        plan.problems.append(t.Problem(header, message))
        findings = self._findings(values, action, plan)
        if plan.problems:
            return plan
        self._outcome(plan, form.cleaned_data, action, sets_owner, owner, findings, values)
        return plan

    def _fill_gaps(
        self,
        data: dict[str, str],
        values: Mapping[str, Any],
        action: AssuranceAction | None,
        plan: t.RowPlan,
    ) -> None:
        """What a row leaves out and the action needs: a start date for a new action
        (today, or its target date if that is earlier), the percentage its status means
        when none is given, and no completion date once it is not complete."""
        if action is None and not data["start_on"] and "start_on" not in values:
            target = values.get("target_on")
            start = min(self.today, target) if isinstance(target, dt.date) else self.today
            data["start_on"] = start.isoformat()
        status = data["status"]
        if "status" in values and "percent_complete" not in values:
            given = int(data["percent_complete"] or 0)
            for percent in (given, 100, 0):
                if not status_progress_problems(status=status, percent_complete=percent):
                    if percent != given:
                        data["percent_complete"] = str(percent)
                        plan.notes.append(
                            t.Problem(
                                self._header("status"),
                                _(
                                    "Percent complete taken as %(percent)s%%, as the status "
                                    "is %(status)s."
                                )
                                % {"percent": percent, "status": ActionStatus(status).label},
                            )
                        )
                    break
        if status != ActionStatus.COMPLETE and "completed_on" not in values:
            data["completed_on"] = ""

    def _outcome(
        self,
        plan: t.RowPlan,
        cleaned: Mapping[str, Any],
        action: AssuranceAction | None,
        sets_owner: bool,
        owner: Any,
        findings: list[Finding],
        values: Mapping[str, Any],
    ) -> None:
        text = values.get("latest_update", "")
        if action is None:
            plan.outcome = t.Outcome.CREATE
            plan.values = {name: cleaned[name] for name in ACTION_FIELDS}
            plan.values["owner"] = owner
            plan.finding_ids = tuple(dict.fromkeys(f.pk for f in findings))
            plan.update_text = text
            for name in ("owner", "target_on", "status", "percent_complete"):
                plan.changes.append(
                    t.Change(form_label(name), "", _display(name, plan.values[name]))
                )
            if findings:
                references = "; ".join(dict.fromkeys(f.reference for f in findings))
                plan.changes.append(t.Change(_("Findings linked"), "", references))
            return
        plan.action_id, plan.version = action.pk, action.version
        for name in ACTION_FIELDS:
            before, after = getattr(action, name), cleaned[name]
            if not _same(name, before, after):
                plan.values[name] = after
                plan.changes.append(
                    t.Change(str(form_label(name)), _display(name, before), _display(name, after))
                )
        if "target_on" in plan.values:
            plan.target_reason = values.get("target_reason", "")
            plan.changes.append(
                t.Change(
                    str(t.FIELDS_BY_KEY["target_reason"].label),
                    "",
                    plan.target_reason or _("None given: recorded as imported from this file"),
                )
            )
        if sets_owner:
            plan.values["owner"] = owner
            plan.changes.append(
                t.Change(_("Owner"), _display("owner", action.owner), _display("owner", owner))
            )
        linked = {f.pk for f in action.findings.all()}
        new = [f for f in findings if f.pk not in linked]
        plan.finding_ids = tuple(dict.fromkeys(f.pk for f in new))
        if new:
            plan.changes.append(
                t.Change(
                    _("Findings linked"), "", "; ".join(dict.fromkeys(f.reference for f in new))
                )
            )
        # Any update of the action with the same text: the tracker's update is imported
        # once, however often the same tracker is imported again.
        if text and not any(t.same_text(text, u.text) for u in action.updates.all()):
            plan.update_text = text
            plan.changes.append(t.Change(_("New progress update"), "", text))
        changed = plan.values or plan.finding_ids or plan.update_text
        plan.outcome = t.Outcome.UPDATE if changed else t.Outcome.UNCHANGED


def form_label(name: str) -> str:
    return str(getattr(AssuranceAction._meta.get_field(name), "verbose_name", name)).capitalize()


def check_tracker(
    tracker: t.Tracker,
    mapping: Mapping[str, str],
    *,
    body: PolicingBody,
    unassigned: bool = False,
    today: dt.date | None = None,
) -> t.TrackerPlan:
    """The dry run: what importing `tracker` with `mapping` would do, row by row."""
    return TrackerCheck(tracker, mapping, body=body, unassigned=unassigned, today=today).plan()


__all__ = [
    "ConfirmForm",
    "MappingForm",
    "TrackerUploadForm",
    "check_tracker",
    "mapping_for",
    "remembered_mapping",
]
