"""Uploaded files, checked before anything reads them: the type is what the content says,
not what the name says, and every refusal is a message a person can act on."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

# An OLE compound file: what Office writes for a password-protected (encrypted) XLSX or
# DOCX, and for the old .xls and .doc formats.
OLE_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
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


class UploadRefused(ValueError):
    """The message says what is wrong with the file and what to do."""


@dataclass(frozen=True)
class Upload:
    name: str
    kind: str  # one of LABELS
    content: bytes


def _kinds_list(kinds: tuple[str, ...]) -> str:
    return ", ".join(LABELS[k] for k in kinds)


def check_upload(name: str, content: bytes, kinds: tuple[str, ...]) -> Upload:
    """Refuses an empty or oversized file, a type not in `kinds`, a renamed file whose
    content is another type, and a password-protected Office file."""
    if not content:
        raise UploadRefused(_("The file %(name)s is empty.") % {"name": name})
    limit = settings.IMPORT_MAX_BYTES
    if len(content) > limit:
        raise UploadRefused(
            _("The file %(name)s is larger than %(mb)s MB. Split it, or remove images.")
            % {"name": name, "mb": limit // (1024 * 1024)}
        )
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension == "htm":
        extension = "html"
    if extension not in kinds:
        raise UploadRefused(
            _("%(name)s is not a file this import reads. Choose a %(kinds)s file.")
            % {"name": name, "kinds": _kinds_list(kinds)}
        )
    if extension in OFFICE_PARTS:
        if content.startswith(OLE_SIGNATURE):
            raise UploadRefused(
                _(
                    "%(name)s is password-protected or in an old Office format. Remove the "
                    "password (or save it as %(kind)s) and upload it again."
                )
                % {"name": name, "kind": LABELS[extension]}
            )
        try:
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise UploadRefused(
                _("%(name)s is not a real %(kind)s file: it may be damaged.")
                % {"name": name, "kind": LABELS[extension]}
            ) from None
        if OFFICE_PARTS[extension] not in names:
            raise UploadRefused(
                _("%(name)s is a ZIP archive, not a %(kind)s file.")
                % {"name": name, "kind": LABELS[extension]}
            )
    if extension == "pdf" and not content.lstrip()[:5] == b"%PDF-":
        raise UploadRefused(_("%(name)s is not a real PDF file.") % {"name": name})
    return Upload(name=name, kind=extension, content=content)


def decode_text(content: bytes) -> str:
    """Text files as people save them: UTF-8 (with or without a byte order mark),
    UTF-16 with a byte order mark, or Windows-1252 (Excel's "CSV" on Windows). Anything
    else is refused rather than read as the wrong characters."""
    if content.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return content.decode("utf-16")
        except UnicodeDecodeError:
            pass
    else:
        for encoding in ("utf-8-sig", "cp1252"):
            try:
                text = content.decode(encoding)
            except UnicodeDecodeError:
                continue
            if "\x00" not in text:
                return text
    raise UploadRefused(
        _(
            "The file is not in an encoding this import reads (UTF-8, UTF-16 or "
            'Windows-1252). Save it as "CSV UTF-8" and upload it again.'
        )
    )
