"""Uploaded files, checked before anything reads them: the type is what the content says,
not what the name says, and every refusal is a message a person can act on."""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from dataclasses import dataclass
from pathlib import PureWindowsPath
from typing import Any

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from ..validation import without_bidi_controls

# An OLE compound file: what Office writes for a password-protected (encrypted) XLSX or
# DOCX, and for the old .xls and .doc formats.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURE = b"PK\x03\x04"
PDF_SIGNATURE = b"%PDF-"
# The part each Office format must contain.
OFFICE_PARTS = {"xlsx": "xl/workbook.xml", "docx": "word/document.xml"}
LABELS = {
    "csv": "CSV",
    "xlsx": "Excel (.xlsx)",
    "docx": "Word (.docx)",
    "pdf": "PDF",
    "html": "web page (.html)",
    "txt": "text (.txt)",
}
# The Office kinds as a sentence names them.
OFFICE_NAMES = {
    "xlsx": _lazy("an Excel workbook (.xlsx)"),
    "docx": _lazy("a Word document (.docx)"),
}
TEXT_KINDS = frozenset({"csv", "html", "txt"})
# An Office file may unpack to this many times the upload limit, and no more: XML
# compresses about tenfold, a "zip bomb" a millionfold.
UNPACKED_FACTOR = 20
# Control characters no text file of ours holds: everything below a space except tab,
# line feed, vertical tab (Excel's line break in a cell), form feed and carriage return.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1f\x7f]")
# Bytes of 0x80 and above that follow each other: single in English and Welsh text saved
# as Windows-1252 ("£85,000", "café", curly quotes), in pairs and runs in a double-byte
# encoding (Shift-JIS, GBK, EUC-KR) that happens to decode as Windows-1252.
_HIGH_RUN = re.compile(rb"[\x80-\xff]{2,}")
# Windows-1252's punctuation above 0x80: quotes, dashes, the ellipsis, guillemets and the
# no-break space, which do stand together (nested quotes, a quote and a dash).
_PUNCTUATION = bytes([0x82, 0x84, 0x85, 0x8B, *range(0x91, 0x98), 0x9B, 0xA0, 0xAB, 0xBB])


class UploadRefused(ValueError):
    """The message says what is wrong with the file and what to do."""


@dataclass(frozen=True)
class Upload:
    name: str
    kind: str  # one of LABELS
    content: bytes


def _kinds_list(kinds: tuple[str, ...]) -> str:
    return ", ".join(LABELS[k] for k in kinds)


def clean_name(name: str) -> str:
    """The file's own name, without a folder (some browsers send C:\\fakepath\\...) or
    invisible direction controls that could disguise its type."""
    return without_bidi_controls(PureWindowsPath(name).name).strip()[-255:]


def _too_big(name: str) -> UploadRefused:
    return UploadRefused(
        _("The file %(name)s is larger than %(size)s. Split it, or remove images.")
        % {"name": name, "size": filesizeformat(settings.IMPORT_MAX_BYTES)}
    )


def check_upload(name: str, content: bytes, kinds: tuple[str, ...]) -> Upload:
    """Refuses an empty or oversized file, a type not in `kinds`, a renamed file whose
    content is another type, and a password-protected Office file."""
    name = clean_name(name)
    if not content:
        raise UploadRefused(_("The file %(name)s is empty.") % {"name": name})
    if len(content) > settings.IMPORT_MAX_BYTES:
        raise _too_big(name)
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "htm":
        extension = "html"
    if extension not in kinds:
        raise UploadRefused(
            _("%(name)s is not a file this import reads. Choose a %(kinds)s file.")
            % {"name": name, "kinds": _kinds_list(kinds)}
        )
    if extension in OFFICE_PARTS:
        _check_office(name, content, extension)
    elif extension in TEXT_KINDS:
        _check_text(name, content, extension)
    if extension == "pdf" and not content.lstrip()[:5] == PDF_SIGNATURE:
        raise UploadRefused(_("%(name)s is not a real PDF file.") % {"name": name})
    return Upload(name=name, kind=extension, content=content)


def check_uploaded_file(uploaded: Any, kinds: tuple[str, ...]) -> Upload:
    """`check_upload` for a Django UploadedFile, refusing an oversized one before reading
    it into memory."""
    name = str(getattr(uploaded, "name", "") or "")
    size = getattr(uploaded, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise _too_big(clean_name(name))
    uploaded.seek(0)
    return check_upload(name, uploaded.read(settings.IMPORT_MAX_BYTES + 1), kinds)


def _check_office(name: str, content: bytes, extension: str) -> None:
    label = LABELS[extension]
    if content.startswith(OLE_SIGNATURE):
        raise UploadRefused(
            _(
                "%(name)s is password-protected or in an old Office format. Remove the "
                "password (or save it as %(kind)s) and upload it again."
            )
            % {"name": name, "kind": label}
        )
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, ValueError, EOFError):
        raise UploadRefused(
            _("%(name)s is not a real %(kind)s file: it may be damaged.")
            % {"name": name, "kind": label}
        ) from None
    names = {info.filename for info in infos}
    if OFFICE_PARTS[extension] not in names:
        other = next((k for k, part in OFFICE_PARTS.items() if part in names), None)
        if other is not None:
            raise UploadRefused(
                _("%(name)s is %(other)s renamed, not %(kind)s.")
                % {"name": name, "other": OFFICE_NAMES[other], "kind": OFFICE_NAMES[extension]}
            )
        raise UploadRefused(
            _("%(name)s is a ZIP archive, not %(kind)s.")
            % {"name": name, "kind": OFFICE_NAMES[extension]}
        )
    if sum(info.file_size for info in infos) > settings.IMPORT_MAX_BYTES * UNPACKED_FACTOR:
        raise UploadRefused(
            _("%(name)s is too large once unpacked. Split it into smaller files.") % {"name": name}
        )


def _check_text(name: str, content: bytes, extension: str) -> None:
    """A text file that is really a workbook, a document or a PDF gets a message saying
    so, rather than one about its encoding."""
    if content.startswith(ZIP_SIGNATURE) or content.startswith(OLE_SIGNATURE):
        raise UploadRefused(
            _(
                "%(name)s is an Excel workbook or another Office file, not a %(kind)s file. "
                "Upload the workbook as .xlsx, or save it as %(kind)s first."
            )
            % {"name": name, "kind": LABELS[extension]}
        )
    if content.lstrip()[:5] == PDF_SIGNATURE:
        raise UploadRefused(
            _("%(name)s is a PDF, not a %(kind)s file.") % {"name": name, "kind": LABELS[extension]}
        )


def _encoding_refused() -> UploadRefused:
    return UploadRefused(
        _(
            "The file is not in an encoding this import reads (UTF-8, UTF-16 or "
            'Windows-1252). Save it as "CSV UTF-8" and upload it again.'
        )
    )


def _looks_double_byte(content: bytes) -> bool:
    """Windows-1252 text has its accented letters and pound signs one at a time and few
    of them, and its punctuation (curly quotes, dashes) at most side by side. A double-byte
    encoding has letters in pairs and runs, and many: about half the letters."""
    letters = [len(run.translate(None, _PUNCTUATION)) for run in _HIGH_RUN.findall(content)]
    if any(n >= 3 for n in letters) or sum(n >= 2 for n in letters) >= 2:
        return True
    high = len(re.findall(rb"[\x80-\xff]", content.translate(None, _PUNCTUATION)))
    ascii_letters = len(re.findall(rb"[A-Za-z]", content))
    return high >= 4 and high > 0.3 * (high + ascii_letters)


def decode_text(content: bytes) -> str:
    """Text files as people save them: UTF-8 (with or without a byte order mark),
    UTF-16 with a byte order mark, or Windows-1252 (Excel's "CSV" on Windows). Anything
    else is refused rather than read as the wrong characters: UTF-16 without its byte
    order mark, Shift-JIS and other double-byte encodings, and binary files."""
    text: str | None = None
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            text = content.decode("utf-16")
        except UnicodeDecodeError:
            raise _encoding_refused() from None
    else:
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            if not _looks_double_byte(content):
                with contextlib.suppress(UnicodeDecodeError):
                    text = content.decode("cp1252")
    if text is None or "\x00" in text:
        raise _encoding_refused()
    text = text.rstrip("\x1a")  # DOS's end-of-file mark, left by some old programs
    if _CONTROLS.search(text):
        raise UploadRefused(
            _(
                "The file holds characters no text file has: it may be a spreadsheet or "
                "document saved under the wrong name. Save it as CSV and upload it again."
            )
        )
    return text
