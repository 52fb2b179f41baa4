"""Writing a `Table` as CSV (streamed) or XLSX (openpyxl's write-only mode, into a
temporary file), in constant memory however long the table.

- **CSV**: UTF-8 with a byte order mark (so Excel reads it as UTF-8); the first line
  states the protective marking, then the header; dates as ISO 8601 (`2026-07-20`),
  times with their UTC offset. A text cell that a spreadsheet would run as a formula
  gets a leading apostrophe (`safe_cell`).
- **XLSX**: row 1 the marking, row 2 the header (bold, frozen); real date and number
  cells; column widths; the marking in the workbook's keywords and category too. Text is
  always stored as text, never as a formula, so it is kept exactly.
- A file holding anything OFFICIAL-SENSITIVE has a name starting `OFFICIAL-SENSITIVE-`.
"""

from __future__ import annotations

import csv
import datetime as dt
import tempfile
from collections.abc import Iterator, Sequence
from typing import IO

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

from ..models import Marking
from .tables import Cell, Column, Table

# A spreadsheet runs a cell that starts with one of these as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
CSV_ROWS_PER_CHUNK = 200
XLSX_DATE = "d mmmm yyyy"
XLSX_DATETIME = "d mmmm yyyy hh:mm"
XLSX_MAX_TEXT = 32767  # Excel's limit for one cell
SHEET_TITLE_MAX = 31
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_cell(value: object) -> str:
    """A value as a CSV cell that a spreadsheet shows and never runs."""
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def marking_line(marking: Marking) -> str:
    return _("Protective marking: %(marking)s") % {"marking": marking.label}


def filename(table: Table, extension: str, *, day: dt.date | None = None) -> str:
    """`assurance-actions-2026-07-20.csv`; `OFFICIAL-SENSITIVE-…` when it holds such rows."""
    day = day or timezone.localdate()
    prefix = "OFFICIAL-SENSITIVE-" if table.sensitive else ""
    return f"{prefix}{table.name}-{day:%Y-%m-%d}.{extension}"


# --- CSV ----------------------------------------------------------------------------------


class _Echo:
    """A file-like object whose write hands back the line: csv.writer writes one row."""

    def write(self, value: str) -> str:
        return value


def _utc_iso(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def csv_text(value: Cell, column: Column) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if column.utc:
            return _utc_iso(value)
        return timezone.localtime(value).isoformat(timespec="seconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int):
        return str(value)
    return safe_cell(value)


def csv_chunks(table: Table) -> Iterator[str]:
    """The table as CSV text, a few hundred rows at a time, for a streaming response."""
    writer = csv.writer(_Echo())
    columns = table.columns
    head = [BOM]
    if table.marking is not None:
        head.append(writer.writerow([marking_line(table.marking)]))
    head.append(writer.writerow([column.header for column in columns]))
    yield "".join(head)
    lines: list[str] = []
    for row in table.rows:
        lines.append(
            writer.writerow(
                [csv_text(value, column) for value, column in zip(row, columns, strict=True)]
            )
        )
        if len(lines) >= CSV_ROWS_PER_CHUNK:
            yield "".join(lines)
            lines.clear()
    if lines:
        yield "".join(lines)


# --- XLSX ---------------------------------------------------------------------------------

BOLD = Font(bold=True)


def _text_cell(sheet: WriteOnlyWorksheet, text: str, *, bold: bool = False) -> WriteOnlyCell:
    """Text stays text: openpyxl would store a string starting "=" as a formula."""
    cell = WriteOnlyCell(sheet, value=ILLEGAL_CHARACTERS_RE.sub("", text)[:XLSX_MAX_TEXT])
    cell.data_type = "s"
    if bold:
        cell.font = BOLD
    return cell


def _xlsx_value(sheet: WriteOnlyWorksheet, value: Cell, column: Column) -> object:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        # Excel has no time zones: UK time, or UTC where the column says so.
        moment = value.astimezone(dt.UTC) if column.utc else timezone.localtime(value)
        cell = WriteOnlyCell(sheet, value=moment.replace(tzinfo=None))
        cell.number_format = XLSX_DATETIME
        return cell
    if isinstance(value, dt.date):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = XLSX_DATE
        return cell
    if isinstance(value, int):
        return value
    if value.startswith("=") or len(value) > XLSX_MAX_TEXT or ILLEGAL_CHARACTERS_RE.search(value):
        return _text_cell(sheet, value)
    return value  # plain text: openpyxl stores it as a string as it is


def _sheet_title(title: str) -> str:
    for character in "[]:*?/\\":
        title = title.replace(character, " ")
    return title[:SHEET_TITLE_MAX]


def xlsx_file(table: Table) -> IO[bytes]:
    """The table as an XLSX workbook in a temporary file (deleted when closed), read from
    the start. openpyxl's write-only mode writes each row out as it is appended."""
    book = Workbook(write_only=True)
    marking = table.marking or Marking.OFFICIAL
    book.properties.title = table.title
    book.properties.creator = "PCC Responses"
    book.properties.keywords = str(marking.label)
    book.properties.category = str(marking.label)
    sheet: WriteOnlyWorksheet = book.create_sheet(_sheet_title(table.title))
    columns: Sequence[Column] = table.columns
    for index, column in enumerate(columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = column.width
    sheet.freeze_panes = "A3"  # the marking and the header stay in view
    sheet.append([_text_cell(sheet, marking_line(marking), bold=True)])
    sheet.append([_text_cell(sheet, column.header, bold=True) for column in columns])
    for row in table.rows:
        sheet.append(
            [_xlsx_value(sheet, value, column) for value, column in zip(row, columns, strict=True)]
        )
    handle = tempfile.TemporaryFile()  # noqa: SIM115  # the response closes it, which deletes it
    book.save(handle)
    handle.seek(0)
    return handle
