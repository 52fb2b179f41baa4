"""The response as a Word document, for offices that finish their letter in Word.

It prints what the response PDF prints (`templates/pdf/response.html`), from the same
content (`editions.edition_content`, or a published edition's frozen content): the title
with month and year, "Response from:", the publication or status line, the comments, the
recommendations with the response to each, the signatory and role, the closing line, and
the chief officer's comments with the body's response to them. Headings are Word's own
heading styles, so the navigation pane and screen readers find them. The protective
marking is in every page's header and footer and in the document's properties."""

from __future__ import annotations

import datetime as dt
import io
import re
from collections.abc import Mapping
from typing import Any

import docx
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from docx.document import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph

from ..models import Marking

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
# Characters XML 1.0 (so Word) cannot hold; a pasted control character would break the file.
NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(value: Any) -> str:
    return NOT_XML.sub("", str(value or ""))


def _lines(paragraph: Paragraph, text: str, *, bold: bool = False) -> Paragraph:
    """The text in one paragraph, its line breaks kept as Word line breaks."""
    for number, line in enumerate(_text(text).split("\n")):
        run = paragraph.add_run(line)
        run.bold = bold or None
        if number:
            run._r.addprevious(_break())
    return paragraph


def _break() -> Any:
    run = OxmlElement("w:r")
    run.append(OxmlElement("w:br"))
    return run


def _prose(document: Document, text: str, style: str | None = None) -> None:
    """Paragraphs separated by blank lines, as the PDF's `linebreaks` makes them."""
    for block in re.split(r"\n\s*\n", _text(text).strip()):
        if block.strip():
            _lines(document.add_paragraph(style=style), block.strip())


def _field(paragraph: Paragraph, instruction: str) -> None:
    """A field Word fills in (PAGE, NUMPAGES), showing 1 until it does."""
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), instruction)
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _language(document: Document, lang: str) -> None:
    """The document's language for spelling and for screen readers (en-GB, cy)."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    if defaults is None:
        return
    run_defaults = defaults.find(qn("w:rPrDefault"))
    if run_defaults is None:
        run_defaults = OxmlElement("w:rPrDefault")
        defaults.insert(0, run_defaults)
    properties = run_defaults.find(qn("w:rPr"))
    if properties is None:
        properties = OxmlElement("w:rPr")
        run_defaults.append(properties)
    for old in properties.findall(qn("w:lang")):
        properties.remove(old)
    language = OxmlElement("w:lang")
    language.set(qn("w:val"), lang)
    properties.append(language)


def _marked(document: Document, marking: str, produced: dt.datetime) -> None:
    section = document.sections[0]
    top = section.header.paragraphs[0]
    top.alignment = WD_ALIGN_PARAGRAPH.CENTER
    top.add_run(marking).bold = True
    bottom = section.footer.paragraphs[0]
    bottom.alignment = WD_ALIGN_PARAGRAPH.CENTER
    bottom.add_run(marking).bold = True
    line = section.footer.add_paragraph()
    line.alignment = WD_ALIGN_PARAGRAPH.CENTER
    line.add_run(
        _("Produced %(when)s") % {"when": date_format(produced, "j F Y")} + " · " + _("Page") + " "
    )
    _field(line, "PAGE")
    line.add_run(" " + _("of") + " ")
    _field(line, "NUMPAGES")


def response_document(
    content: Mapping[str, Any],
    *,
    status: str,
    sensitive: bool,
    produced: dt.datetime,
    lang: str = "en-GB",
    published_on: dt.date | None = None,
    correction: Mapping[str, Any] | None = None,
) -> bytes:
    """The .docx of a response's content (an edition's, or `edition_content` of a draft),
    marked OFFICIAL-SENSITIVE where the response or its report is."""
    marking = str(Marking.OFFICIAL_SENSITIVE.label if sensitive else Marking.OFFICIAL.label)
    document = docx.Document()
    _language(document, lang)
    title = _text(content["title"])
    properties = document.core_properties
    properties.title = title
    properties.author = _text(content["office"])
    properties.subject = _("Response to %(title)s") % {"title": _text(content["report_title"])}
    properties.keywords = marking
    properties.category = marking
    properties.comments = _("Protective marking: %(marking)s") % {"marking": marking}
    properties.language = lang
    properties.created = produced
    properties.modified = produced
    properties.last_modified_by = "PCC Responses"
    _marked(document, marking, produced)

    document.add_heading(title, level=1)
    _lines(
        document.add_paragraph(),
        _("Response from: %(office)s") % {"office": _text(content["office"])},
    )
    if published_on is not None:
        document.add_paragraph(
            _("Published %(date)s") % {"date": date_format(published_on, "j F Y")}
        )
        if correction:
            document.add_paragraph(
                _("Corrected on %(date)s: %(reason)s")
                % {
                    "date": date_format(correction["on"], "j F Y"),
                    "reason": _text(correction["reason"]),
                }
            )
    else:
        document.add_paragraph(_("Not yet published. Status: %(status)s.") % {"status": status})

    if content.get("comments"):
        _prose(document, content["comments"])

    if content.get("entries"):
        document.add_heading(_("The recommendations and the response to each"), level=2)
        for entry in content["entries"]:
            document.add_heading(_text(entry["reference"]), level=3)
            _lines(document.add_paragraph(style="Quote"), entry["recommendation"])
            if entry.get("answer"):
                _lines(document.add_paragraph(), entry["answer_label"], bold=True)
                _prose(document, entry["text"])
            else:
                _lines(document.add_paragraph(), _("No entry yet"), bold=True)

    if content.get("signatory_name"):
        signature = _text(content["signatory_name"])
        if content.get("signatory_role"):
            signature += "\n" + _text(content["signatory_role"])
        _lines(document.add_paragraph(), signature)
    if content.get("closing_line"):
        _lines(document.add_paragraph(), content["closing_line"])

    if content.get("chief_comments"):
        document.add_heading(_("The chief officer's comments"), level=2)
        _prose(document, content["chief_comments"])
        if content.get("chief_comments_reply"):
            document.add_heading(_("Our response to the chief officer's comments"), level=2)
            _prose(document, content["chief_comments_reply"])

    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
