"""Reading a tracker spreadsheet (CSV or XLSX) of findings and actions, whatever is above
its header row, and the plain values its cells hold.

`read_tracker` finds the header row (title rows, a "Protective marking: …" line and blank
rows above it are skipped) and returns the rows as cells by column. `suggest_mapping`
says which field each column probably holds, from its header; the app's own action
export maps completely. The `parse_*` functions turn one cell into a value or raise
`CellProblem` with a message for the person who typed it. `TrackerPlan` is what checking
the rows found (inspections/forms/imports_tracker.py) and what importing them applies
(inspections/services/imports_tracker.py). Nothing here reads the database."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any
from xml.etree.ElementTree import ParseError

from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_stubs_ext import StrOrPromise
from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException

from ..exports.writers import FORMULA_STARTS
from ..validation import without_bidi_controls
from .files import UploadRefused, decode_text

# A header row is found in the first rows, or not at all.
HEADER_SEARCH_ROWS = 30
# A tracker is a few hundred rows; more is a mistake (a whole data dump) or an attack.
MAX_ROWS = 5000
MAX_COLUMNS = 100
MAX_HEADER_LENGTH = 100
DELIMITERS = (",", ";", "\t")

type CellValue = str | int | float | Decimal | bool | dt.datetime | dt.date | dt.time | None


# --- Fields -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackerField:
    key: str
    label: StrOrPromise
    synonyms: tuple[str, ...] = ()
    imported: bool = True  # False: recognised (so not "unknown"), never imported
    why_not: StrOrPromise = ""  # for a field not imported, why


# The labels are the headers of the app's action export (names.md), so that file maps
# without a choice being made. Synonyms are the headers OPCC trackers use; they are
# compared lower case, with spaces collapsed and a bracketed note removed.
FIELDS: tuple[TrackerField, ...] = (
    TrackerField("action_id", gettext_lazy("Action ID"), ("action id",)),
    TrackerField(
        "title",
        gettext_lazy("Title"),
        (
            "action",
            "actions",
            "action title",
            "action to be taken",
            "action required",
            "agreed action",
            "proposed action",
            "planned action",
        ),
    ),
    TrackerField(
        "description",
        gettext_lazy("Description"),
        ("details", "detail", "action detail", "action details", "action description"),
    ),
    TrackerField(
        "owner",
        gettext_lazy("Owner"),
        (
            "action owner",
            "opcc owner",
            "opcc lead",
            "responsible officer",
            "lead officer",
            "assigned to",
            "responsible",
        ),
    ),
    TrackerField(
        "force_lead",
        gettext_lazy("Force lead"),
        ("force owner", "force lead officer", "force contact", "chief officer lead"),
    ),
    TrackerField("start_on", gettext_lazy("Start date"), ("start", "started", "date started")),
    TrackerField(
        "target_on",
        gettext_lazy("Target date"),
        (
            "due date",
            "deadline",
            "due",
            "due by",
            "date due",
            "target",
            "target completion date",
            "revised target date",
        ),
    ),
    TrackerField(
        "target_reason",
        gettext_lazy("Reason for target change"),
        (
            "reason for change",
            "reason for target change",
            "reason for revised date",
            "reason for revised target",
            "reason for extension",
            "extension reason",
            "slippage reason",
            "reason for slippage",
            "reason for delay",
        ),
    ),
    TrackerField(
        "original_target_on",
        gettext_lazy("Original target date"),
        ("original target", "original due date", "original deadline"),
        imported=False,
        why_not=gettext_lazy(
            "Not imported: the original target is the first one the app recorded; a new "
            "target date is imported from the target date column, with its reason."
        ),
    ),
    TrackerField(
        "slip_count",
        gettext_lazy("Times the target moved later"),
        ("times moved", "number of extensions", "times slipped"),
        imported=False,
        why_not=gettext_lazy("Not imported: counted from the target date changes."),
    ),
    TrackerField(
        "slip_days",
        gettext_lazy("Days slipped"),
        ("days late against original target", "slippage (days)", "slippage days"),
        imported=False,
        why_not=gettext_lazy("Not imported: worked out from the original and current target."),
    ),
    TrackerField("status", gettext_lazy("Status"), ("current status", "action status")),
    TrackerField(
        "percent_complete",
        gettext_lazy("Percent complete"),
        (
            "% complete",
            "percentage complete",
            "progress",
            "progress %",
            "% progress",
            "% done",
            "complete %",
            "percent",
        ),
    ),
    TrackerField(
        "rag",
        gettext_lazy("RAG"),
        ("rag status", "rag rating"),
        imported=False,
        why_not=gettext_lazy("RAG is worked out from the dates and progress, not imported."),
    ),
    TrackerField(
        "assurance_level",
        gettext_lazy("Assurance level"),
        ("assurance", "level of assurance", "assurance rating"),
    ),
    TrackerField(
        "assurance_evidence",
        gettext_lazy("Evidence of assurance"),
        ("evidence", "assurance evidence", "evidence of completion"),
    ),
    TrackerField(
        "forum",
        gettext_lazy("Forum"),
        ("where discussed", "governance forum", "reported to", "board"),
    ),
    TrackerField(
        "completed_on",
        gettext_lazy("Completed on"),
        ("date completed", "completion date", "closed on", "date closed", "actual completion date"),
    ),
    TrackerField(
        "report_title",
        gettext_lazy("Report"),
        ("report title", "report name", "inspection", "inspection report", "inspection title"),
    ),
    TrackerField(
        "report_reference",
        gettext_lazy("Report reference"),
        ("report ref", "inspection reference", "report no"),
    ),
    TrackerField(
        "finding_references",
        gettext_lazy("Finding references"),
        (
            "finding reference",
            "finding ref",
            "rec ref",
            "rec no",
            "rec number",
            "recommendation ref",
            "recommendation reference",
            "recommendation number",
            "recommendation no",
            "afi ref",
            "reference",
            "ref",
        ),
    ),
    TrackerField(
        "finding_text",
        gettext_lazy("Finding text"),
        (
            "recommendation",
            "recommendations",
            "finding",
            "recommendation text",
            "area for improvement",
            "recommendation / afi",
            "text",
        ),
    ),
    TrackerField(
        "response",
        gettext_lazy("Response"),
        (),
        imported=False,
        why_not=gettext_lazy("Not imported: choose an action's response on its page."),
    ),
    TrackerField(
        "latest_update",
        gettext_lazy("Latest progress update"),
        (
            "last update",
            "latest update",
            "progress update",
            "latest progress",
            "update",
            "updates",
            "progress notes",
            "commentary",
            "progress commentary",
        ),
    ),
    TrackerField(
        "latest_update_on",
        gettext_lazy("Last update on"),
        ("date of update", "update date", "date updated", "last updated"),
        imported=False,
        why_not=gettext_lazy("Not imported: an update imported is dated the day it is imported."),
    ),
)
FIELDS_BY_KEY = {f.key: f for f in FIELDS}
IMPORTED_FIELDS = tuple(f for f in FIELDS if f.imported)


def normalise_header(text: str) -> str:
    return " ".join(str(text).split()).strip().casefold()


def _match_keys(header: str) -> list[str]:
    """A header as it may be written: "Target date (dd/mm/yyyy)", "Owner:", "Due Date *"."""
    plain = normalise_header(header)
    without_note = re.sub(r"\s*\([^)]*\)\s*$", "", plain)
    return [key.rstrip(" :*") for key in dict.fromkeys([plain, without_note])]


_SYNONYMS: dict[str, str] = {}
for _field in FIELDS:
    for _name in (str(_field.label), *_field.synonyms):
        _SYNONYMS.setdefault(normalise_header(_name), _field.key)


def field_for_header(header: str) -> str | None:
    """The field a header names, or None: "Due date" is the target date."""
    for key in _match_keys(header):
        if key in _SYNONYMS:
            return _SYNONYMS[key]
    return None


def suggest_mapping(headers: Sequence[str]) -> dict[str, str]:
    """Each header with the imported field it probably holds ("" for none); a field is
    suggested once, for its first column."""
    taken: set[str] = set()
    mapping: dict[str, str] = {}
    for header in headers:
        key = field_for_header(header)
        if key is not None and FIELDS_BY_KEY[key].imported and key not in taken:
            mapping[header] = key
            taken.add(key)
        else:
            mapping[header] = ""
    return mapping


def headers_key(headers: Iterable[str]) -> str:
    """What a layout is remembered by: the digest of its normalised header row."""
    joined = "\x1f".join(normalise_header(h) for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


# --- Reading ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    index: int
    header: str

    @property
    def letter(self) -> str:
        return str(get_column_letter(self.index + 1))


@dataclass(frozen=True)
class Row:
    number: int  # as the spreadsheet numbers it (Excel's row number, for a CSV too)
    cells: tuple[CellValue, ...]

    def value(self, column: Column) -> CellValue:
        return self.cells[column.index] if column.index < len(self.cells) else None


@dataclass(frozen=True)
class Tracker:
    filename: str
    kind: str  # "csv" or "xlsx"
    header_row: int
    columns: tuple[Column, ...]
    rows: tuple[Row, ...]
    sheet: str = ""  # the worksheet read, for an XLSX
    sheets: tuple[str, ...] = ()

    @property
    def headers(self) -> tuple[str, ...]:
        return tuple(c.header for c in self.columns)

    def column(self, header: str) -> Column | None:
        return next((c for c in self.columns if c.header == header), None)

    def examples(self, column: Column, limit: int = 2) -> list[str]:
        """The first few values in a column, as text, for the mapping page."""
        found: list[str] = []
        for row in self.rows:
            text = cell_text(row.value(column))
            if text and text not in found:
                found.append(text if len(text) <= 60 else text[:57] + "…")
            if len(found) == limit:
                break
        return found


def _is_blank(value: CellValue) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _looks_like_header(value: CellValue) -> bool:
    if not isinstance(value, str):
        return False
    text = value.strip()
    return 0 < len(text) <= MAX_HEADER_LENGTH and not re.fullmatch(r"[\d.,%/:\- ]+", text)


def find_header(rows: Sequence[Sequence[CellValue]]) -> int | None:
    """The index of the header row: the first of the first rows with at least three
    non-empty cells, every one of them short text, no two alike, and at least one naming
    a field we know. None if there is none."""
    for index, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        filled = [c for c in cells if not _is_blank(c)]
        if len(filled) < 3 or not all(_looks_like_header(c) for c in filled):
            continue
        names = [normalise_header(str(c)) for c in filled]
        if len(set(names)) != len(names):
            continue
        if any(field_for_header(str(c)) for c in filled):
            return index
    return None


def _recognised(cells: Sequence[CellValue]) -> int:
    return sum(1 for c in cells if isinstance(c, str) and field_for_header(c))


def _columns(header_cells: Sequence[CellValue], width: int) -> tuple[Column, ...]:
    """A column for each header cell, and for each column beyond the header that holds
    data ("Column H"). Repeated headers are told apart by their letter."""
    columns: list[Column] = []
    seen: set[str] = set()
    for index in range(width):
        raw = header_cells[index] if index < len(header_cells) else None
        letter = get_column_letter(index + 1)
        text = " ".join(without_bidi_controls(str(raw)).split())
        header = text if text else _("Column %s") % letter
        if normalise_header(header) in seen:
            header = f"{header} ({letter})"
        seen.add(normalise_header(header))
        columns.append(Column(index, header))
    return tuple(columns)


def _tracker(
    filename: str,
    kind: str,
    records: Sequence[tuple[int, Sequence[CellValue]]],
    *,
    sheet: str = "",
    sheets: tuple[str, ...] = (),
) -> Tracker | None:
    """The tracker in `records` (row number, cells), or None if no header row is found."""
    found = find_header([cells for _number, cells in records])
    if found is None:
        return None
    header_number, header_cells = records[found]
    body = records[found + 1 :]
    if len(body) > MAX_ROWS:
        raise UploadRefused(
            _("%(name)s has more than %(max)s rows. Split it into smaller files.")
            % {"name": filename, "max": f"{MAX_ROWS:,}"}
        )
    width = max([len(header_cells), *(_last_filled(cells) for _n, cells in body)])
    if width > MAX_COLUMNS:
        raise UploadRefused(
            _("%(name)s has more than %(max)s columns.") % {"name": filename, "max": MAX_COLUMNS}
        )
    return Tracker(
        filename=filename,
        kind=kind,
        header_row=header_number,
        columns=_columns(header_cells, width),
        rows=tuple(Row(n, tuple(cells[:width])) for n, cells in body),
        sheet=sheet,
        sheets=sheets,
    )


def _last_filled(cells: Sequence[CellValue]) -> int:
    for index in range(len(cells) - 1, -1, -1):
        if not _is_blank(cells[index]):
            return index + 1
    return 0


def no_header(filename: str) -> UploadRefused:
    names = ", ".join(str(f.label) for f in FIELDS[:8])
    return UploadRefused(
        _(
            "We could not find the header row in %(name)s: the row that names the columns, "
            "such as %(names)s. Check that it is within the first %(rows)s rows and names "
            "at least three columns."
        )
        % {"name": filename, "names": names, "rows": HEADER_SEARCH_ROWS}
    )


def read_tracker(filename: str, content: bytes, kind: str, *, sheet: str = "") -> Tracker:
    """The tracker in a checked upload (`files.check_upload`) of kind "csv" or "xlsx".
    UploadRefused if it cannot be read or has no header row."""
    if kind == "csv":
        return _read_csv(filename, content)
    if kind == "xlsx":
        return _read_xlsx(filename, content, sheet)
    raise UploadRefused(_("%(name)s is not a CSV or Excel file.") % {"name": filename})


# Rows kept while reading: a header in the first rows, then at most MAX_ROWS below it; one
# more tells a file that has too many.
ROWS_READ = MAX_ROWS + HEADER_SEARCH_ROWS + 1


def _csv_records(text: str, delimiter: str) -> list[tuple[int, list[CellValue]]]:
    """Each non-empty record with the row number Excel gives it (a cell holding a line
    break is still one row; a first line "sep=;", Excel's hint, is not a row)."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=False)
    records: list[tuple[int, list[CellValue]]] = []
    offset = 0
    try:
        for number, cells in enumerate(reader, start=1):
            if number == 1 and cells and cells[0].lower().startswith("sep=") and not any(cells[1:]):
                offset = 1
                continue
            if not all(map(_is_blank, cells)):
                records.append((number - offset, [_csv_cell(c) for c in cells]))
            if len(records) >= ROWS_READ:
                break
    except csv.Error:
        return []
    return records


def _csv_cell(text: str) -> str:
    """A CSV cell as written: the apostrophe our exports put before a cell that a
    spreadsheet would run as a formula ("'=...", "'-...") is not part of the text."""
    if text.startswith("'") and text[1:2] and text[1:].startswith(FORMULA_STARTS):
        text = text[1:]
    return text.replace("\r\n", "\n")


def _read_csv(filename: str, content: bytes) -> Tracker:
    text = decode_text(content)
    best: tuple[int, int, Tracker] | None = None
    for delimiter in DELIMITERS:
        records = _csv_records(text, delimiter)
        tracker = _tracker(filename, "csv", records)
        if tracker is None:
            continue
        header = records[[n for n, _c in records].index(tracker.header_row)][1]
        score = (_recognised(header), len(tracker.columns))
        if best is None or score > best[:2]:
            best = (*score, tracker)
    if best is None:
        raise no_header(filename)
    return best[2]


def _xlsx_value(cell: Any) -> CellValue:
    value = cell.value
    # A percentage cell holds a fraction: 75% is 0.75.
    if isinstance(value, int | float) and "%" in str(getattr(cell, "number_format", "") or ""):
        return round(value * 100, 6)
    if isinstance(value, str):
        return value.replace("\r\n", "\n")
    return value  # type: ignore[no-any-return]


def _sheet_records(worksheet: Any) -> list[tuple[int, list[CellValue]]]:
    """Each non-empty row with its number. Rows only formatted, however many, are passed
    over without being kept."""
    records: list[tuple[int, list[CellValue]]] = []
    for number, row in enumerate(worksheet.iter_rows(), start=1):
        cells = [_xlsx_value(cell) for cell in row[: MAX_COLUMNS + 1]]
        if not all(map(_is_blank, cells)):
            records.append((number, cells))
        if len(records) >= ROWS_READ:
            break
    return records


def _read_xlsx(filename: str, content: bytes, sheet: str) -> Tracker:
    damaged = UploadRefused(
        _(
            "%(name)s could not be read as an Excel workbook: it may be damaged. Open it in "
            "Excel, save it again as .xlsx and upload that."
        )
        % {"name": filename}
    )
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, ParseError, KeyError, ValueError, OSError):
        raise damaged from None
    except Exception:  # openpyxl's parsers raise many other kinds on a broken file
        raise damaged from None
    try:
        names = tuple(workbook.sheetnames)
        order = [sheet] if sheet in names else []
        order += [n for n in names if n not in order]
        for name in order:
            try:
                records = _sheet_records(workbook[name])
            except UploadRefused:
                raise
            except Exception:
                raise damaged from None
            tracker = _tracker(filename, "xlsx", records, sheet=name, sheets=names)
            if tracker is not None:
                return tracker
    finally:
        workbook.close()
    raise no_header(filename)


# --- Cells ------------------------------------------------------------------------------


class CellProblem(ValueError):
    """What is wrong with a cell, said to the person who typed it."""


def cell_text(value: CellValue) -> str:
    """A cell as text: numbers without a needless ".0", dates as ISO dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    # Invisible direction controls go, as from every form's text (validation.py).
    return without_bidi_controls(str(value)).strip()


_MONTHS = {
    **{date_format(dt.date(2000, m, 1), "F").casefold(): m for m in range(1, 13)},
    **{dt.date(2000, m, 1).strftime("%B").casefold(): m for m in range(1, 13)},
    **{dt.date(2000, m, 1).strftime("%b").casefold(): m for m in range(1, 13)},
    "sept": 9,
}
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})")
_ISO_DATE = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?")
_WORDS_DATE = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?[ \-]+([A-Za-z]+)\.?,?[ \-]+(\d{2}|\d{4})")


def parse_date(value: CellValue) -> dt.date:
    """A date as trackers hold it: a real date cell, 2026-07-20, 20/07/2026 (day first, as
    in the UK), 20.07.26, 20 July 2026 or 20-Jul-26."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = cell_text(value)
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        raise CellProblem(
            _("%(value)s is a number, not a date. Enter a date such as 20/07/2026.")
            % {"value": text}
        )
    parts: tuple[int, int, int] | None = None
    if match := _ISO_DATE.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        parts = (year, month, day)
    elif match := _NUMERIC_DATE.fullmatch(text):
        day, month, year = (int(g) for g in match.groups())
        parts = (year + 2000 if len(match.group(3)) == 2 else year, month, day)
    elif (match := _WORDS_DATE.fullmatch(text)) and match.group(2).casefold() in _MONTHS:
        year, month = int(match.group(3)), _MONTHS[match.group(2).casefold()]
        parts = (year + 2000 if len(match.group(3)) == 2 else year, month, int(match.group(1)))
    if parts is None:
        raise CellProblem(
            _("“%(value)s” is not a date. Enter a date such as 20/07/2026.") % {"value": text}
        )
    try:
        return dt.date(*parts)
    except ValueError:
        raise CellProblem(
            _("%(value)s is not a real date: check the day and the month.") % {"value": text}
        ) from None


def parse_percent(value: CellValue) -> int:
    """A whole percentage from 0 to 100: 75, "75", "75%"; a percentage cell's 0.75 was
    made 75 when it was read."""
    text = cell_text(value).rstrip("%").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise CellProblem(
            _("“%(value)s” is not a percentage. Enter a whole number from 0 to 100.")
            % {"value": cell_text(value)}
        ) from None
    if not number.is_finite() or number != number.to_integral_value():
        raise CellProblem(
            _("%(value)s is not a whole number. Enter a whole number from 0 to 100.")
            % {"value": cell_text(value)}
        )
    if not 0 <= number <= 100:
        raise CellProblem(
            _("%(value)s%% is not possible: percent complete is from 0 to 100.")
            % {"value": int(number)}
        )
    return int(number)


def parse_whole_number(value: CellValue) -> int:
    text = cell_text(value)
    if not re.fullmatch(r"\d{1,12}", text):
        raise CellProblem(_("“%(value)s” is not an Action ID: it is a number.") % {"value": text})
    return int(text)


def _choice_key(text: str) -> str:
    return re.sub(r"[\s_\-]+", " ", text).strip().casefold()


def parse_choice(
    value: CellValue,
    choices: type[models.TextChoices],
    *,
    also: Mapping[str, str] | None = None,
    what: StrOrPromise,
) -> str:
    """A choice by its label or its value, in any case ("In progress", "in_progress",
    "IN PROGRESS"), or one of the other words `also` gives for it."""
    text = cell_text(value)
    known = {_choice_key(str(label)): key for key, label in choices.choices}
    known |= {_choice_key(key): key for key in choices.values}
    known |= {_choice_key(word): key for word, key in (also or {}).items()}
    found = known.get(_choice_key(text))
    if found is None:
        raise CellProblem(
            _("“%(value)s” is not a %(what)s we know. Use one of: %(choices)s.")
            % {
                "value": text,
                "what": what,
                "choices": ", ".join(str(label) for _key, label in choices.choices),
            }
        )
    return found


def split_references(value: CellValue) -> list[str]:
    """Finding references in one cell: separated by semicolons or line breaks."""
    return [part.strip() for part in re.split(r"[;\n]", cell_text(value)) if part.strip()]


def same_text(a: str | None, b: str | None) -> bool:
    """Text that reads the same: line endings and surrounding spaces aside."""

    def plain(text: str | None) -> str:
        return (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    return plain(a) == plain(b)


# --- What checking found ----------------------------------------------------------------


class Outcome(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    REFUSED = "refused"


@dataclass(frozen=True)
class Problem:
    """A problem (or a note) on one cell of a row; `column` is empty for the whole row."""

    column: str
    message: str


@dataclass(frozen=True)
class Change:
    label: str
    before: str
    after: str


@dataclass
class RowPlan:
    number: int
    outcome: Outcome
    title: str = ""
    action_id: int | None = None  # the action updated (or unchanged)
    version: int | None = None  # its version when checked
    values: dict[str, Any] = field(default_factory=dict)  # to create with, or changed
    finding_ids: tuple[int, ...] = ()  # findings to link that are not linked yet
    update_text: str = ""  # the tracker's latest update, not yet on the action
    target_reason: str = ""  # why the target date moves, if the row moves it and says why
    changes: list[Change] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)

    @property
    def progress_changed(self) -> bool:
        return "status" in self.values or "percent_complete" in self.values


@dataclass
class TrackerPlan:
    filename: str
    rows: list[RowPlan]
    unknown_columns: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    unknown_owners: int = 0  # rows refused only because their owner is not an action owner

    def count(self, outcome: Outcome) -> int:
        return sum(1 for row in self.rows if row.outcome == outcome)

    @property
    def counts(self) -> dict[str, int]:
        return {outcome.value: self.count(outcome) for outcome in Outcome}

    @property
    def has_problems(self) -> bool:
        return any(row.problems for row in self.rows)

    @property
    def to_apply(self) -> list[RowPlan]:
        return [r for r in self.rows if r.outcome in (Outcome.CREATE, Outcome.UPDATE)]


def describe_counts(counts: Mapping[str, int]) -> str:
    """ "3 actions added, 2 updated, 1 unchanged, 1 row not imported"."""
    parts = [
        _("%(n)s added") % {"n": counts.get(Outcome.CREATE, 0)},
        _("%(n)s updated") % {"n": counts.get(Outcome.UPDATE, 0)},
        _("%(n)s unchanged") % {"n": counts.get(Outcome.UNCHANGED, 0)},
        _("%(n)s not imported") % {"n": counts.get(Outcome.REFUSED, 0)},
    ]
    return ", ".join(parts)
