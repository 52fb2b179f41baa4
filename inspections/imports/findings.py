"""A report's findings, read from its text: pasted, or extracted from the report's PDF.

HMICFRS writes its findings in a few recognisable ways, and this reads them:

- numbered recommendations: "Recommendation 3", "R3", or "3." in a "Recommendations"
  section; a lead-in ending in a colon ("By 31 March 2025, chief constables should:")
  keeps its bullet points as one recommendation;
- causes of concern ("Cause of concern", numbered or not) and the recommendations that
  follow them, numbered or as bullet points under "Within three months, the force
  should:" (one recommendation each, as the inspectorate's register lists them);
- areas for improvement ("AFI 2", "Area for improvement 2", or "2." and bullet points
  under "Areas for improvement");
- innovative (or promising) practice.

Each gets the reference the app stores ("Recommendation 3", "Cause of concern 1", "AFI 2",
"Innovative practice 1": what the demo and people type), the addressees named before
"should" (codes of `reference_data.ADDRESSEES`) and the deadline as written, with its date
when one can be worked out (relative ones from the report's publication date).

Text runs across lines and page breaks; running headers, footers and page numbers of a
PDF are dropped (lines repeated at the top or bottom of the pages). Anything doubtful is
said in `warnings`: the preview shows them and every value can be corrected there.

Plain values only: nothing here reads or writes the database."""

from __future__ import annotations

import calendar
import datetime as dt
import io
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

import pypdf
from django.utils.translation import gettext as _

from ..models import FindingKind
from ..validation import without_bidi_controls
from .files import UploadRefused

K = FindingKind

# How the app writes each kind's reference (as the demo and the add form do).
PREFIXES = {
    K.RECOMMENDATION: "Recommendation",
    K.CAUSE_OF_CONCERN: "Cause of concern",
    K.AREA_FOR_IMPROVEMENT: "AFI",
    K.INNOVATIVE_PRACTICE: "Innovative practice",
}

# A PDF with less text than this per page (on average) is pictures of pages.
MIN_CHARS_PER_PAGE = 25


class FindingsRefused(UploadRefused):
    """The document cannot be read for findings; the message says why and what to do."""


@dataclass(frozen=True)
class ParsedFinding:
    kind: FindingKind
    reference: str
    text: str
    addressees: tuple[str, ...] = ()  # Addressee codes (reference_data.ADDRESSEES)
    deadline_text: str = ""
    deadline: dt.date | None = None
    cause_of_concern: str = ""  # the reference of the cause of concern it answers
    page: int | None = None  # where it starts in a PDF (1-based)


@dataclass(frozen=True)
class ParsedReport:
    findings: tuple[ParsedFinding, ...]
    warnings: tuple[str, ...] = ()
    pages: int = 0  # of the PDF; 0 for pasted text

    def count(self, kind: FindingKind) -> int:
        return sum(1 for f in self.findings if f.kind == kind)


# --- Reading a PDF ------------------------------------------------------------------------


def pdf_pages(content: bytes) -> list[str]:
    """The text of each page of a PDF, laid out as on the page (so that the space between
    paragraphs survives as blank lines). Refuses an encrypted PDF, a damaged one and one
    without a text layer (a scan)."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(content))
        if reader.is_encrypted and not _decrypts_without_password(reader):
            raise FindingsRefused(
                _(
                    "This PDF is password-protected. Save a copy without the password (or "
                    "download the report again from the inspectorate's website) and upload "
                    "that, or paste the report's text instead."
                )
            )
        pages = [_page_text(page) for page in reader.pages]
    except FindingsRefused:
        raise
    except Exception:  # pypdf raises many kinds of error for a broken file; all mean this
        raise FindingsRefused(
            _(
                "This PDF could not be read: it may be damaged. Download the report again, "
                "or paste its text instead."
            )
        ) from None
    if not pages:
        raise FindingsRefused(_("This PDF has no pages."))
    characters = sum(len("".join(text.split())) for text in pages)
    if characters < MIN_CHARS_PER_PAGE * len(pages):
        raise FindingsRefused(
            _(
                "This import needs a PDF with text: this one looks scanned (its pages are "
                "pictures of text). Use the PDF from the inspectorate's website, or paste "
                "the report's text instead."
            )
        )
    return pages


def _decrypts_without_password(reader: pypdf.PdfReader) -> bool:
    """A PDF encrypted only to restrict printing or copying opens with an empty password
    and can be read; one that needs a password to open cannot."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # an encryption pypdf cannot undo here is as good as a password
        return False


def _page_text(page: pypdf.PageObject) -> str:
    try:
        return page.extract_text(extraction_mode="layout")
    except Exception:  # layout mode gives up on some fonts; plain text is still text
        return page.extract_text()


# --- Lines, page furniture and paragraphs --------------------------------------------------

LIGATURES = str.maketrans(
    {"\ufb00": "ff", "\ufb01": "fi", "\ufb02": "fl", "\ufb03": "ffi", "\ufb04": "ffl"}
)
SPACES = re.compile(r"[ \t\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
PAGE_NUMBER = re.compile(
    r"(?:page\s+)?\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|[-\u2013]\s*\d{1,4}\s*[-\u2013]",
    re.IGNORECASE,
)
PAGE_LABEL = re.compile(r"page\s+\d{1,4}(?:\s+of\s+\d{1,4})?", re.IGNORECASE)
# Lines of a table of contents: "Recommendations ........ 12"
CONTENTS_LINE = re.compile(r"(?:\.\s?){3,}\s*\d{1,4}$|\u2026+\s*\d{1,4}$")
TERMINAL = (".", "!", "?", ":", ";", ".)", ".\u201d", '."', ".'", ".\u2019")
# Lines at the top or bottom of a page that are checked for furniture.
ZONE = 3

# A line of text, "" for a blank line, None where a page ended or furniture was taken out
# (which may or may not end a paragraph: `_paragraphs` decides from the text either side);
# with the number of the page it is on.
type Token = tuple[str | None, int]


def _clean_line(line: str) -> str:
    line = without_bidi_controls(line.translate(LIGATURES)).replace("\u00ad", "")
    return SPACES.sub(" ", line).strip()


def _furniture_key(line: str) -> str:
    return re.sub(r"\d+", "#", line.lower())


def _may_be_furniture(line: str) -> bool:
    """Headers and footers are labels: never a sentence, a finding or a heading."""
    return (
        bool(line)
        and not _ends_sentence(line)
        and not SHOULD.search(line)
        and _classify(line).kind == "plain"
    )


def _furniture(pages: list[list[str]]) -> list[set[int]]:
    """For each page, the indexes of its running header and footer lines and page
    numbers: lines near the top or bottom repeated on several pages (page numbers aside),
    and anything that is only a page number there. Findings and headings are never
    furniture, however often they start a page."""
    zones = []
    for lines in pages:
        filled = [i for i, line in enumerate(lines) if line]
        zones.append(set(filled[:ZONE]) | set(filled[-ZONE:]))
    seen: Counter[str] = Counter()
    for lines, zone in zip(pages, zones, strict=True):
        seen.update({_furniture_key(lines[i]) for i in zone})
    repeated = max(2, round(len(pages) * 0.3))
    return [
        {
            i
            for i in zone
            if _may_be_furniture(lines[i])
            and (
                PAGE_NUMBER.fullmatch(lines[i])
                or (len(pages) > 1 and seen[_furniture_key(lines[i])] >= repeated)
            )
        }
        for lines, zone in zip(pages, zones, strict=True)
    ]


def _pasted_furniture(lines: list[str]) -> set[int]:
    """In pasted text: page numbers, and running headers copied with each page (short
    lines repeated three times or more that carry a number or several words)."""
    keys = [_furniture_key(line) for line in lines]
    seen = Counter(key for key, line in zip(keys, lines, strict=True) if line)
    found = set()
    for i, line in enumerate(lines):
        if not _may_be_furniture(line):
            continue
        page_number = PAGE_LABEL.fullmatch(line) or re.fullmatch(r"\d{1,4}", line)
        header = seen[keys[i]] >= 3 and len(line) <= 120
        if page_number or (header and ("#" in keys[i] or len(line.split()) >= 4)):
            found.add(i)
    return found


def _tokens(pages: list[str], *, from_pdf: bool) -> list[Token]:
    """The document as lines, with furniture taken out."""
    page_lines = [[_clean_line(line) for line in page.splitlines()] for page in pages]
    if from_pdf or len(page_lines) > 1:
        furniture = _furniture(page_lines)
    else:
        furniture = [_pasted_furniture(page_lines[0])]
    tokens: list[Token] = []
    for number, (lines, drop) in enumerate(zip(page_lines, furniture, strict=True), start=1):
        kept: list[str | None] = [None if i in drop else line for i, line in enumerate(lines)]
        if number > 1:
            kept.insert(0, None)
        tokens.extend((line, number) for line in (_paragraph_gaps(kept) if from_pdf else kept))
    return tokens


def _paragraph_gaps(lines: list[str | None]) -> list[str | None]:
    """A PDF page laid out as text has blank lines where the page has space. Lines of one
    paragraph may have blank lines between them too (wide line spacing): the gap usual
    after a full line is the space between lines, and only more than that is a new
    paragraph."""
    text_lines = [line for line in lines if line]
    if not text_lines:
        return lines
    full = 0.7 * max(len(line) for line in text_lines)
    gaps: Counter[int] = Counter()
    previous: str | None = None
    gap = 0
    for line in lines:
        if line:
            if previous is not None and len(previous) >= full:
                gaps[gap] += 1
            previous, gap = line, 0
        elif line == "":
            gap += 1
    usual = gaps.most_common(1)[0][0] if gaps else 0
    result: list[str | None] = []
    run: list[str | None] = []
    for line in lines:
        if not line:
            run.append(line)
            continue
        if None in run:
            result.append(None)
        elif sum(1 for t in run if t == "") > usual:
            result.append("")
        run = []
        result.append(line)
    if None in run:
        result.append(None)
    return result


@dataclass
class Line:
    kind: Literal["marker", "section", "numbered", "bullet", "plain", "contents"]
    text: str = ""
    finding_kind: FindingKind | None = None
    number: str | None = None


NUMBER = r"(\d{1,3}(?:\.\d{1,2})?)"
SEPARATOR = r"(?P<sep>\s*[:.\u2013\u2014-]\s*|\s+|$)"
MARKERS: list[tuple[FindingKind, re.Pattern[str]]] = [
    (K.RECOMMENDATION, re.compile(rf"(?i:recommendation)(?:\s*{NUMBER})?")),
    (K.RECOMMENDATION, re.compile(rf"R{NUMBER}")),
    (K.CAUSE_OF_CONCERN, re.compile(rf"(?i:cause\s+of\s+concern)(?:\s*{NUMBER})?")),
    (K.AREA_FOR_IMPROVEMENT, re.compile(rf"(?i:area\s+for\s+improvement)(?:\s*{NUMBER})?")),
    (K.AREA_FOR_IMPROVEMENT, re.compile(rf"AFI(?:\s*{NUMBER})?")),
    (
        K.INNOVATIVE_PRACTICE,
        re.compile(rf"(?i:(?:innovative|promising)\s+practice)(?:\s*{NUMBER})?"),
    ),
]
SECTIONS: list[tuple[FindingKind, re.Pattern[str]]] = [
    (
        K.RECOMMENDATION,
        re.compile(r"(?:(?:our|summary\s+of|list\s+of|the)\s+)?recommendations", re.I),
    ),
    (
        K.CAUSE_OF_CONCERN,
        re.compile(
            r"(?:(?:our|summary\s+of|the)\s+)?causes\s+of\s+concern(?:\s+and\s+recommendations)?",
            re.I,
        ),
    ),
    (
        K.AREA_FOR_IMPROVEMENT,
        re.compile(r"(?:(?:summary\s+of|the)\s+)?areas\s+for\s+improvement", re.I),
    ),
    (
        K.INNOVATIVE_PRACTICE,
        re.compile(
            r"examples\s+of\s+(?:innovative|promising)\s+practices?"
            r"|(?:innovative|promising)\s+(?:and|or)\s+(?:innovative|promising)\s+practices?"
            r"|(?:innovative|promising)\s+practices",
            re.I,
        ),
    ),
]
NUMBERED = re.compile(r"(\d{1,2})[.)](?:\s+(?P<rest>.*))?")
BULLET = re.compile(
    r"(?:[\u2022\u25cf\u25aa\u25e6\u2023\u2219\u00b7\uf0b7\uf0a7]\s*|[-\u2013\u2014*]\s+)(?P<rest>.*)"
)


def _classify(line: str) -> Line:
    if CONTENTS_LINE.search(line):
        return Line("contents", line)
    if line[:1].isupper():
        for kind, pattern in SECTIONS:
            if pattern.fullmatch(line.rstrip(":").rstrip()):
                return Line("section", line, finding_kind=kind)
        for kind, pattern in MARKERS:
            marker = _marker(line, kind, pattern)
            if marker is not None:
                return marker
    if numbered := NUMBERED.fullmatch(line):
        return Line("numbered", numbered.group("rest") or "", number=numbered.group(1))
    if bullet := BULLET.fullmatch(line):
        return Line("bullet", bullet.group("rest").strip())
    return Line("plain", line)


def _marker(line: str, kind: FindingKind, pattern: re.Pattern[str]) -> Line | None:
    start = pattern.match(line)
    if start is None:
        return None
    after = re.compile(SEPARATOR).match(line, start.end())
    if after is None:
        return None
    separator, rest = after.group("sep"), line[after.end() :]
    if rest[:1].isalnum() and not separator and start.end() < len(line):
        return None  # "Recommendations", "Rachel", "AFIs"
    if rest and rest[:1].islower() and not separator.strip():
        return None  # running text: "Recommendation 3 of our 2021 report..."
    if rest and re.fullmatch(r"[\d\s.,]+", rest):
        return None  # a contents line whose dots went: "Recommendation 1 12"
    return Line("marker", rest.strip(), finding_kind=kind, number=start.group(1))


@dataclass
class Paragraph:
    line: Line
    parts: list[str] = field(default_factory=list)
    page: int = 1

    @property
    def text(self) -> str:
        return _join(self.parts)


def _join(lines: Iterable[str]) -> str:
    text = ""
    for line in lines:
        if not text:
            text = line
        elif text.endswith("-") and text[-2:-1].isalpha() and line[:1].islower():
            text += line  # a word broken over the line keeps its hyphen: "well-being"
        else:
            text += " " + line
    return text


def _ends_sentence(line: str) -> bool:
    return line.endswith(TERMINAL)


def _is_title(text: str) -> bool:
    """A short line without a full stop, as headings are."""
    return _is_short(text) and text[:1].isupper()


def _is_short(text: str) -> bool:
    """Short and without a full stop: a heading, or the title of a practice."""
    return 0 < len(text.split()) <= 8 and not _ends_sentence(text)


def _paragraphs(tokens: list[Token]) -> list[Paragraph]:
    """Lines grouped into paragraphs. A line naming a finding, a section heading, a
    numbered item or a bullet point starts one; a blank line ends one unless the sentence
    runs on into a lower-case word; a page break ends one only when a sentence ended
    before it on a short line. Text with no blank lines at all (pasted from some viewers)
    has no other sign of paragraphs, so there a finished sentence on a short line, or a
    heading, ends one too."""
    texts = [text for text, _page in tokens if text]
    dense = sum(1 for text, _page in tokens if text == "") * 20 < len(texts)
    short = 0.75 * max((len(text) for text in texts), default=0)
    paragraphs: list[Paragraph] = []
    current: Paragraph | None = None
    gap: Literal["", "blank", "page"] = ""
    previous = ""
    for token, page in tokens:
        if token is None:
            gap = "page"
            continue
        if token == "":
            gap = gap or "blank"
            continue
        line = _classify(token)
        if line.kind == "contents":
            continue
        ended = _ends_sentence(previous)
        runs_on = token[:1].islower()
        if line.kind != "plain" or current is None or current.line.kind == "section":
            starts = True
        elif gap == "page":
            starts = ended and not runs_on and len(previous) < short
        elif gap == "blank":
            starts = ended or not runs_on
        elif dense:
            starts = (ended and not runs_on and (len(previous) < short or _is_title(token))) or (
                current.line.kind == "plain" and _is_title(current.text) and not ended
            )
        else:
            starts = False
        if starts or current is None:
            current = Paragraph(line, [line.text] if line.text else [], page)
            paragraphs.append(current)
        else:
            current.parts.append(token)
        previous, gap = token, ""
    return paragraphs


# --- Findings -----------------------------------------------------------------------------

SHOULD = re.compile(r"\b(?:should|must|needs? to|are to|is to)\b", re.I)


@dataclass
class _Item:
    kind: FindingKind
    number: str | None
    page: int
    parts: list[str] = field(default_factory=list)
    bullets: list[str] = field(default_factory=list)
    cause: _Item | None = None
    awaiting: bool = False  # only its label so far; the text is the next paragraph
    titled: bool = False  # its text so far is a title; the next paragraph belongs to it
    closed_to_bullets: bool = False
    lead_in: str = ""  # the lead-in it follows ("The Home Office should")
    reference: str = ""

    @property
    def text(self) -> str:
        lines = [*self.parts, *(f"\u2022 {b}" for b in self.bullets)]
        return "\n".join(line for line in lines if line)

    def takes_bullets(self) -> bool:
        return not self.closed_to_bullets and (
            bool(self.bullets) or bool(self.parts and self.parts[-1].endswith(":"))
        )


@dataclass
class _LeadIn:
    kind: FindingKind
    stem: str  # "Within three months, the force should"


def _bullet_finding(stem: str, bullet: str) -> str:
    """One recommendation from a lead-in and one of its bullet points."""
    bullet = re.sub(r"\s*(?:;|,)?\s*(?:and|or)?\s*$", "", bullet.rstrip(";,. ")).strip()
    if not bullet:
        return stem
    return f"{stem} {bullet}."


def _items(paragraphs: Sequence[Paragraph]) -> list[_Item]:
    items: list[_Item] = []
    current: _Item | None = None
    cause: _Item | None = None  # the cause of concern whose recommendations follow
    cause_recommendations = 0
    section: FindingKind | None = None
    section_items = 0
    lead_in: _LeadIn | None = None

    def start(kind: FindingKind, number: str | None, page: int, text: str) -> _Item:
        nonlocal cause_recommendations, section_items
        item = _Item(kind, number, page)
        if kind == K.RECOMMENDATION and cause is not None:
            item.cause = cause
            cause_recommendations += 1
        if lead_in is not None and lead_in.kind == kind:
            item.lead_in = lead_in.stem
        if text:
            item.parts.append(text)
            item.titled = _is_short(text)
        else:
            item.awaiting = True
        items.append(item)
        section_items += 1
        return item

    for paragraph in paragraphs:
        line, text = paragraph.line, paragraph.text
        if line.kind == "marker":
            assert line.finding_kind is not None
            kind = line.finding_kind
            if lead_in is not None and lead_in.kind != kind:
                lead_in = None
            if kind != K.RECOMMENDATION:
                cause = None
            if section is not None and section != kind:
                section = None
            current = start(kind, line.number, paragraph.page, text)
            if kind == K.CAUSE_OF_CONCERN:
                cause, cause_recommendations = current, 0
            continue
        if line.kind == "section":
            current, lead_in = None, None
            assert line.finding_kind is not None
            kind = line.finding_kind
            if not (kind == K.RECOMMENDATION and cause is not None and not cause_recommendations):
                cause = None
            section, section_items = kind, 0
            continue
        if line.kind == "numbered" and section is not None and not _is_title(text):
            if lead_in is not None and lead_in.kind != section:
                lead_in = None
            current = start(section, line.number, paragraph.page, text)
            continue
        if line.kind == "bullet":
            if current is not None and current.awaiting:  # a label, then its text bulleted
                current.parts, current.awaiting = [text], False
                continue
            if current is not None and current.takes_bullets():
                current.bullets.append(text)
                continue
            if lead_in is not None:
                current = start(lead_in.kind, None, paragraph.page, "")
                current.parts, current.awaiting = [_bullet_finding(lead_in.stem, text)], False
                current.closed_to_bullets, current.lead_in = True, ""
                continue
            if section in (K.RECOMMENDATION, K.AREA_FOR_IMPROVEMENT) and SHOULD.search(text):
                current = start(section, None, paragraph.page, text)
                current.closed_to_bullets, current.titled = True, False
                continue
        # Running text: a finding's text, a lead-in, or the report's narrative.
        if current is not None and current.awaiting:
            current.parts, current.awaiting = [text], False
            current.titled = _is_short(text)
            continue
        if current is not None and current.titled and not current.bullets:
            current.parts.append(text)
            current.titled = False
            continue
        if current is not None and current.bullets and text[:1].islower():
            current.bullets[-1] = _join([current.bullets[-1], text])
            continue
        in_recommendations = cause is not None or section == K.RECOMMENDATION
        if (
            text.endswith(":")
            and SHOULD.search(text)
            and (in_recommendations or section == K.AREA_FOR_IMPROVEMENT)
        ):
            current = None
            kind = K.RECOMMENDATION if in_recommendations else K.AREA_FOR_IMPROVEMENT
            lead_in = _LeadIn(kind, text[:-1].rstrip())
            continue
        current, lead_in = None, None
        if _is_title(text):  # a heading: a new part of the report
            cause, section = None, None
        else:
            if cause is not None and cause_recommendations:
                cause = None
            if section is not None and section_items:
                section = None
    for item in items:
        # "The Home Office should:" over numbered recommendations: each reads with it.
        if item.lead_in and item.parts and not SHOULD.search(item.text):
            item.parts.insert(0, f"{item.lead_in}:")
    return items


def _number_and_deduplicate(items: list[_Item], warnings: list[str]) -> list[_Item]:
    """References for every item: the report's own numbers, and the next free number of
    the kind for findings the report does not number (said in a warning). A reference
    met again (a summary, then the chapter) keeps its first text."""
    given = []
    for kind, prefix in PREFIXES.items():
        of_kind = [item for item in items if item.kind == kind]
        used = {item.number for item in of_kind if item.number}
        counter = 0
        for item in of_kind:
            if item.number is None:
                counter += 1
                while str(counter) in used:
                    counter += 1
                item.number = str(counter)
                used.add(item.number)
                if kind != K.INNOVATIVE_PRACTICE:  # practice is not numbered anywhere
                    given.append(f"{prefix} {item.number}")
            item.reference = f"{prefix} {item.number}"
    if given:
        warnings.append(
            _(
                "The report does not number some findings, so they were numbered in order: "
                "%(refs)s. Check the references against the report."
            )
            % {"refs": ", ".join(given)}
        )
    kept: dict[str, _Item] = {}
    result = []
    for item in items:
        if not item.text:
            continue
        first = kept.get(item.reference.lower())
        if first is None:
            kept[item.reference.lower()] = item
            result.append(item)
            continue
        if first.cause is None and item.cause is not None:
            first.cause = item.cause
        if _normalised(first.text) != _normalised(item.text):
            warnings.append(
                _("%(ref)s appears more than once with different text; the first is shown.")
                % {"ref": item.reference}
            )
    return result


def _normalised(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()


# --- Addressees ---------------------------------------------------------------------------

# In the order the reference data lists them; earlier patterns take their words first
# ("the NPCC lead for ..." is a national lead, not the NPCC).
ADDRESSEE_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    (
        "national-lead",
        re.compile(
            r"\b(?:NPCC|national(?:\s+policing)?|national\s+police\s+chiefs[\u2019']?\s+council)"
            r"\s+leads?\b|senior\s+national\s+co-?ordinator"
            r"|counter[-\s]terrorism\s+policing|\bCTP\b",
            re.I,
        ),
    ),
    (
        "npcc",
        re.compile(r"national\s+police\s+chiefs[\u2019']?\s+council|\bNPCC\b", re.I),
    ),
    ("college-of-policing", re.compile(r"college\s+of\s+policing", re.I)),
    ("home-office", re.compile(r"home\s+office|home\s+secretary", re.I)),
    (
        "moj-hmpps",
        re.compile(
            r"ministry\s+of\s+justice|\bMoJ\b|hm\s+prison\s+and\s+probation\s+service|\bHMPPS\b"
            r"|probation\s+service",
            re.I,
        ),
    ),
    (
        "fire-chiefs",
        re.compile(
            r"chief\s+fire\s+officers?|fire\s+and\s+rescue\s+(?:services?|authorit(?:y|ies))"
            r"|\bthe\s+service\b",
            re.I,
        ),
    ),
    (
        "policing-bodies",
        re.compile(
            r"police,?\s+(?:fire\s+)?and\s+crime\s+commissioners?|\bP(?:F)?CCs?\b"
            r"|(?:local\s+)?policing\s+bodies|mayor[\u2019']?s\s+office\s+for\s+policing"
            r"|\bMOPAC\b|\bmayors\b",
            re.I,
        ),
    ),
    (
        "chief-constables",
        re.compile(
            r"chief\s+constables?|chief\s+officers|\b(?:the|all|each|every)\s+forces?\b"
            r"|\bpolice\s+forces\b|\bforces\b|\bthe\s+constabulary\b|\bpolice\s+service\b"
            r"|\bthe\s+police\b"
            r"|commissioner\s+of\s+(?:police\s+of\s+)?the\s+metropoli",
            re.I,
        ),
    ),
]
DEADLINE_LEAD = re.compile(r"^\s*(?:by|before|within|no\s+later\s+than)\b[^,]*,\s*", re.I)


def addressees_of(text: str) -> tuple[tuple[str, ...], str]:
    """Who a finding is addressed to, from the words before its first "should", and
    those words: (codes, subject). No "should", no addressees."""
    should = SHOULD.search(text)
    if should is None:
        return (), ""
    subject = text[: should.start()]
    subject = re.split(r"(?<=[.!?])\s+", subject)[-1]
    subject = re.sub(r"^.*\bwe\s+recommend\s+that\b", "", subject, flags=re.I)
    subject = DEADLINE_LEAD.sub("", subject).strip(" ,")
    taken: list[tuple[int, int]] = []
    codes = []
    for code, pattern in ADDRESSEE_PATTERNS:
        for match in pattern.finditer(subject):
            if any(match.start() < end and start < match.end() for start, end in taken):
                continue
            taken.append(match.span())
            if code not in codes:
                codes.append(code)
    return tuple(codes), subject


# --- Deadlines ----------------------------------------------------------------------------

MONTHS = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
]
COUNTS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "eighteen": 18,
    "twenty-four": 24,
}
MONTH_NAMES = "|".join(MONTHS)
DEADLINE = re.compile(
    r"\b(?P<phrase>"
    r"(?:by|before|no\s+later\s+than|not\s+later\s+than)\s+(?:the\s+end\s+of\s+)?"
    rf"(?:(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+)?(?P<month>{MONTH_NAMES})(?:\s+(?P<year>\d{{4}}))?"
    r"|(?:by|before)\s+the\s+end\s+of\s+(?P<end_year>\d{4})"
    rf"|within\s+(?P<count>\d{{1,3}}|{'|'.join(COUNTS)})\s+(?P<unit>months?|weeks?|years?|days?)"
    r"|immediately"
    r")\b",
    re.I,
)


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def deadline_of(text: str, published_on: dt.date | None = None) -> tuple[str, dt.date | None, str]:
    """The deadline as written ("by 31 March 2025", "within six months"), its date where
    one follows, and a problem to warn of (or ""). Relative deadlines count from the
    report's publication; a day and month without a year is the next one after it."""
    match = DEADLINE.search(text)
    if match is None:
        return "", None, ""
    phrase = SPACES.sub(" ", match.group("phrase"))
    written = phrase[:1].lower() + phrase[1:]
    groups = match.groupdict()
    if groups["end_year"]:
        return written, dt.date(int(groups["end_year"]), 12, 31), ""
    if groups["month"]:
        month = MONTHS.index(groups["month"].lower()) + 1
        day = int(groups["day"]) if groups["day"] else None
        if groups["year"]:
            year = int(groups["year"])
        elif published_on is not None:
            year = published_on.year
            last = day or calendar.monthrange(year, month)[1]
            if (month, last) < (published_on.month, published_on.day):
                year += 1
        else:
            return written, None, ""
        if day is None:
            day = calendar.monthrange(year, month)[1]
        try:
            return written, dt.date(year, month, day), ""
        except ValueError:
            return written, None, _("“%(deadline)s” is not a real date.") % {"deadline": phrase}
    if groups["count"]:
        if published_on is None:
            return written, None, ""
        count_text = groups["count"].lower()
        count = int(count_text) if count_text.isdigit() else COUNTS[count_text]
        unit = groups["unit"].lower().rstrip("s")
        if unit == "month":
            return written, _add_months(published_on, count), ""
        if unit == "year":
            return written, _add_months(published_on, 12 * count), ""
        days = count * 7 if unit == "week" else count
        return written, published_on + dt.timedelta(days=days), ""
    return written, None, ""  # "immediately"


# --- The whole document -------------------------------------------------------------------


def parse_pages(
    pages: list[str], *, published_on: dt.date | None = None, from_pdf: bool = False
) -> ParsedReport:
    tokens = _tokens(pages, from_pdf=from_pdf)
    warnings: list[str] = []
    items = _number_and_deduplicate(_items(_paragraphs(tokens)), warnings)
    findings = []
    for item in items:
        text = item.text
        addressees: tuple[str, ...] = ()
        deadline_text, deadline = "", None
        if item.kind in (K.RECOMMENDATION, K.AREA_FOR_IMPROVEMENT):
            addressees, subject = addressees_of(text)
            if item.kind == K.RECOMMENDATION:
                if not addressees and subject:
                    addressees = ("other",)
                    warnings.append(
                        _(
                            "%(ref)s is addressed to “%(subject)s”, which is not one of the "
                            "addressees the app knows: it is marked Other."
                        )
                        % {"ref": item.reference, "subject": subject}
                    )
                elif not addressees:
                    warnings.append(
                        _("%(ref)s: nobody it is addressed to was found; choose who.")
                        % {"ref": item.reference}
                    )
                deadline_text, deadline, problem = deadline_of(text, published_on)
                if problem:
                    warnings.append(f"{item.reference}: {problem}")
        findings.append(
            ParsedFinding(
                kind=item.kind,
                reference=item.reference,
                text=text,
                addressees=addressees,
                deadline_text=deadline_text,
                deadline=deadline,
                cause_of_concern=item.cause.reference if item.cause is not None else "",
                page=item.page if from_pdf else None,
            )
        )
    return ParsedReport(
        findings=tuple(findings),
        warnings=tuple(warnings),
        pages=len(pages) if from_pdf else 0,
    )


def parse_text(text: str, *, published_on: dt.date | None = None) -> ParsedReport:
    """Findings in pasted text (or a .txt file). Form feeds, where a copy keeps them,
    are page breaks."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return parse_pages(text.split("\f"), published_on=published_on)


def parse_pdf(content: bytes, *, published_on: dt.date | None = None) -> ParsedReport:
    """Findings in a report's PDF. FindingsRefused for a PDF that cannot be read."""
    return parse_pages(pdf_pages(content), published_on=published_on, from_pdf=True)
