"""Reading a published response into plain fields for the import's preview: from pasted
text, a web page saved from the body's website (.html) or a Word document (.docx).

What it recognises, as bodies publish them (data/hampshire-iow-terrorist-offenders-2023-07.txt
is a real one):

- the title with the report's month and year: "Management of terrorist offenders ...
  (July 2023)" (or "Re: ..." in a letter);
- "Response from: Office of the Police and Crime Commissioner, ...";
- the body's comments, paragraph by paragraph;
- the signatory and role ("Donna Jones Police and Crime Commissioner" on one line, or on
  two, or after "Yours sincerely");
- the closing line about recommendations ("No recommendations were made for ...");
- a letter to the Home Secretary (a letterhead, a date, "Dear Home Secretary") that quotes
  each recommendation ("Recommendation 3: ...", in quotation marks, a quote style, a
  blockquote or a table row) followed by the body's comment on it ("Response: ...");
- the chief officer's comments and the body's response to them, under their headings;
- the layout of the app's own Word download (headings, "Action taken" and so on).

A saved web page loses its site's navigation, header, footer, cookie banner, scripts and
styles first; the page's main content is read. Nothing here touches the database:
`match_report` and `match_findings` work on plain values the caller gives them."""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from django.utils.translation import gettext as _

from ..models import ResponseEntry
from ..validation import without_bidi_controls
from .files import Upload, UploadRefused, decode_text

Answer = ResponseEntry.Answer

# Word's document part may be at most this large once unzipped (a zip bomb is refused).
MAX_DOCUMENT_XML = 50 * 1024 * 1024


class NotAResponse(ValueError):
    """The text was read, but it is not a published response; the message says why."""


@dataclass
class Block:
    """A paragraph as the source laid it out: a heading (its level), a quotation, or text.
    Lines within it (a <br>, a soft return) are kept as newlines."""

    text: str
    heading: int = 0
    quote: bool = False


@dataclass
class ParsedEntry:
    """A recommendation the response quotes, with the body's comment on it."""

    reference: str
    recommendation: str
    comment: str
    answer: str = Answer.PROPOSED
    finding_id: int | None = None  # set by `match_findings`


@dataclass
class ParsedResponse:
    title: str = ""
    month: int | None = None
    year: int | None = None
    response_from: str = ""
    comments: str = ""
    chief_comments: str = ""
    chief_comments_reply: str = ""
    signatory_name: str = ""
    signatory_role: str = ""
    entries: list[ParsedEntry] = field(default_factory=list)
    closing_line: str = ""
    published_on: dt.date | None = None
    published_url: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def month_year(self) -> str:
        """ "July 2023", or "" when the title gave none."""
        if self.month is None or self.year is None:
            return ""
        return f"{MONTHS[self.month - 1]} {self.year}"


# --- Patterns ---------------------------------------------------------------------------

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_MONTH = "|".join(MONTHS) + "|" + "|".join(m[:3] for m in MONTHS) + "|Sept"
_DATE = rf"(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<month>{_MONTH})\.?,?\s+(?P<year>\d{{4}})"
DATE_ONLY = re.compile(rf"^(?:(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day,?\s+)?{_DATE}$", re.I)
PUBLISHED = re.compile(
    rf"^(?:(?:date\s+)?(?:first\s+)?published(?:\s+on)?|date)\s*:?\s*{_DATE}\.?$", re.I
)
TITLE = re.compile(
    rf"^(?:(?:re|subject|title)\s*:\s*)?(?P<title>.+?)\s*"
    rf"(?:\(\s*(?P<month>{_MONTH})\.?\s+(?P<year>\d{{4}})\s*\)|[–—-]\s*(?P<month2>{_MONTH})\s+"
    rf"(?P<year2>\d{{4}}))\s*\.?$",
    re.I,
)
# The lines the app's own PDF and Word download print under the title.
OWN_STATUS = re.compile(rf"^not\s+yet\s+published\.\s+status:.+$|^corrected\s+on\s+{_DATE}:", re.I)
RE_LINE = re.compile(r"^(?:re|subject)\s*:\s*(?P<title>.+)$", re.I)
RESPONSE_FROM = re.compile(r"^response\s+from\s*:?\s*(?P<office>.+)$", re.I)
OFFICE = re.compile(
    r"^(?:the\s+)?(?:office\s+of\s+the\s+.*commissioner.*|.*\bpolice,?\s+(?:fire\s+)?and\s+crime"
    r"\s+commissioner\s+(?:for|of)\s+.+|mayor'?s\s+office\s+for\s+policing\s+and\s+crime.*)$",
    re.I,
)
SALUTATION = re.compile(r"^dear\s+[^.]{2,60},?$", re.I)
SIGN_OFF = re.compile(
    r"^(?:yours\s+(?:sincerely|faithfully|truly)|kind\s+regards|best\s+wishes|with\s+best\s+"
    r"wishes|regards|signed)[,.]?$",
    re.I,
)
COPIES = re.compile(r"^(?:cc|copy\s+to|copies\s+to|copied\s+to)\s*[:.]", re.I)
ROLE = (
    r"(?:(?:Deputy|Acting|Interim)\s+)?"
    r"(?:Police,?\s+(?:Fire\s+)?and\s+Crime\s+Commissioner|Police,?\s+Fire\s+and\s+Rescue\s+"
    r"Commissioner|Deputy\s+Mayor\s+for\s+Policing\s+and\s+Crime|Mayor|Chief\s+Executive|"
    r"Commissioner)"
    r"(?:\s+(?:for|of)\s+[A-Z][\w ,&'’-]*|\s+and\s+[A-Z][\w ,&'’-]*)?"
)
NAME_AND_ROLE = re.compile(rf"^(?P<name>[^,.;:]+?)[\s,]+(?P<role>{ROLE})$")
ROLE_ONLY = re.compile(rf"^{ROLE}$")
NAME = re.compile(
    r"^(?:(?:Dr|Mr|Mrs|Ms|Miss|Mx|Sir|Dame|Lord|Lady|Baroness|Cllr|Rt\.? Hon\.?)\.?\s+)*"
    r"[A-Z][\w'’-]*(?:\s+(?:[A-Z][\w'’.-]*|de|van|von|der|le|la|da|di|bin|al)){0,4}"
    r"(?:\s+(?:OBE|MBE|CBE|KC|QC|MP|DL|QPM|JP))*$"
)
CLOSING = re.compile(
    r"^(?:no|there\s+(?:were|are)\s+no|this\s+report\s+(?:made|makes)\s+no|the\s+report\s+"
    r"(?:made|makes)\s+no)\b.*\brecommendations?\b|\brecommendations?\s+(?:were|was|have\s+been"
    r"|has\s+been)\s+(?:made|addressed|directed)\b",
    re.I,
)
RECOMMENDATION = re.compile(
    r"^(?P<ref>recommendation\s+(?:no\.?\s*)?\d+[a-z]?)(?:\s*(?P<sep>[:.–—)-])\s*|\s*$|\n)"
    r"(?P<rest>.*)$",
    re.I | re.S,
)
COMMENT_LABEL = re.compile(
    r"^(?:(?:our|the|opcc|pcc|pfcc|mopac|commissioner'?s?|body'?s?|office'?s?)\s+){0,2}"
    r"(?:response|comments?|reply|update)\s*[:–—-]\s*(?P<rest>.*)$",
    re.I | re.S,
)
CHIEF_HEADING = re.compile(
    r"^(?:the\s+)?(?:chief\s+(?:officer|constable)'?[’']?s?\s+(?:comments?|response)|"
    r"comments?\s+(?:from|by|of)\s+the\s+chief\s+(?:officer|constable)|chief\s+(?:officer|"
    r"constable)\s+comments?)\s*:?$",
    re.I,
)
REPLY_HEADING = re.compile(
    r"^(?:our|the\s+\w+'?[’']?s?|(?:opcc|pcc|pfcc)'?s?)\s+(?:response|reply)\s+to\s+the\s+"
    r"chief\s+(?:officer|constable)'?[’']?s?\s+comments?\s*:?$",
    re.I,
)
SECTION_HEADING = re.compile(
    r"^(?:the\s+)?(?:recommendations?(?:\s+and\s+(?:the|our)\s+responses?(?:\s+to\s+each)?)?|"
    r"(?:our\s+)?responses?\s+to\s+the\s+recommendations?|the\s+recommendations\s+and\s+the\s+"
    r"response\s+to\s+each)\s*:?$",
    re.I,
)
# The labels the app's own PDF and Word download print above each entry's text.
ANSWER_LABELS = {str(label).casefold(): value for value, label in Answer.choices}
NO_ENTRY_LABEL = "no entry yet"
# Paragraphs that end a letter rather than answer its last recommendation.
LETTER_CLOSE = re.compile(
    r"^(?:I|We)\s+(?:would\s+like\s+to|wish\s+to|am\s+grateful|remain|will\s+continue|look\s+"
    r"forward|trust|hope)|^(?:Thank\s+you|In\s+conclusion|Overall|Finally|To\s+conclude)\b",
    re.I,
)
ANSWER_NONE = re.compile(
    r"\bno\s+(?:further\s+)?action\s+(?:is|will\s+be|was)\s+(?:needed|required|necessary|"
    r"taken|proposed)|\bnot\s+accepted\b|\bdo(?:es)?\s+not\s+accept\b|\bwill\s+not\s+(?:be\s+)?"
    r"(?:take|taken|implement|implemented|adopt|adopted)\b|\bnot\s+applicable\b|\bno\s+action\b",
    re.I,
)
ANSWER_TAKEN = re.compile(
    r"\b(?:has|have)\s+(?:now\s+|already\s+)?(?:been\s+)?(?:completed|implemented|taken|"
    r"introduced|put\s+in\s+place|achieved|established|delivered|adopted)\b|\bis\s+(?:now\s+)?"
    r"complete\b|\balready\s+in\s+place\b|\bwas\s+completed\b",
    re.I,
)
QUOTES = (("“", "”"), ('"', '"'), ("‘", "’"), ("'", "'"))
QUOTES_OPENING = {opening for opening, _closing in QUOTES}
SPACES = re.compile(r"[^\S\n]+")
# Invisible characters pages and documents carry (soft hyphens, zero-width spaces, BOMs).
INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\ufeff]")


# --- Text to blocks ---------------------------------------------------------------------


def _clean(text: str) -> str:
    text = INVISIBLE.sub("", without_bidi_controls(text)).replace("\u00a0", " ")
    lines = [SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def _unquoted(text: str) -> str | None:
    """The text inside quotation marks that wrap the whole of it, or None."""
    for opening, closing in QUOTES:
        if len(text) > 2 and text.startswith(opening) and text.rstrip(".").endswith(closing):
            inner = text[len(opening) :].rstrip(".")[: -len(closing)].strip()
            if opening not in inner[:1] and closing not in inner:
                return inner
    return None


def text_blocks(text: str) -> list[Block]:
    """Pasted text: paragraphs are separated by blank lines (or, where the text has none,
    by line breaks). A "# " line is a heading, a "> " paragraph a quotation."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    chunks = re.split(r"\n[^\S\n]*\n", text)
    if len(chunks) == 1 and text.strip().count("\n") >= 3:
        chunks = text.split("\n")
    blocks = []
    for chunk in chunks:
        heading = 0
        quote = False
        if match := re.match(r"^\s*(#{1,6})\s+", chunk):
            heading = len(match.group(1))
            chunk = chunk[match.end() :]
        lines = chunk.split("\n")
        if lines and all(line.lstrip().startswith(">") for line in lines if line.strip()):
            quote = True
            chunk = "\n".join(line.lstrip()[1:] for line in lines)
        cleaned = _clean(chunk)
        if cleaned:
            blocks.append(Block(cleaned, heading=heading, quote=quote))
    return blocks


# --- A saved web page -------------------------------------------------------------------

CHROME_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "nav",
    "aside",
    "form",
    "button",
    "iframe",
    "svg",
    "select",
    "dialog",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "link",
    "meta",
)
CHROME_ROLES = {"navigation", "banner", "contentinfo", "complementary", "search", "dialog"}
CHROME_NAMES = re.compile(
    r"cookie|consent|gdpr|breadcrumb|skip-?link|skip-?to|share|social|newsletter|sidebar|"
    r"site-?nav|main-?nav|navbar|menu|masthead|site-?header|site-?footer|related|"
    r"subscribe|back-?to-?top|print-?page|feedback",
    re.I,
)
BLOCK_TAGS = {
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "p",
    "li",
    "blockquote",
    "pre",
    "dt",
    "dd",
    "td",
    "th",
    "figcaption",
    "address",
    "div",
    "section",
    "article",
    "caption",
}
CONTENT_HEADER = re.compile(r"entry|post|article|page-?header|content", re.I)
LINE_BREAK = "\ue000"  # a <br> while whitespace is collapsed, then a newline
SAVED_FROM = re.compile(r"saved from url=\(\d+\)(?P<url>https?://\S+)", re.I)


def _chrome(tag: Any) -> bool:
    """Navigation, banners and the like: by element, role, or a class or id naming it."""
    if tag.name in {"html", "body", "main", "article"}:
        return False
    if tag.name in {"header", "footer"}:
        # A page's header and footer, not an article's own (which holds its title).
        names = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
        return tag.find_parent(["article", "main", "section"]) is None and not (
            CONTENT_HEADER.search(names)
        )
    if (tag.get("role") or "").lower() in CHROME_ROLES:
        return True
    if tag.get("aria-hidden") == "true" or tag.has_attr("hidden"):
        return True
    names = " ".join([tag.get("id") or "", *(tag.get("class") or [])])
    return bool(names.strip()) and bool(CHROME_NAMES.search(names))


def _page_url(soup: Any, html: str) -> str:
    for selector, attribute in (
        ('link[rel="canonical"]', "href"),
        ('meta[property="og:url"]', "content"),
    ):
        found = soup.select_one(selector)
        if found and str(found.get(attribute, "")).startswith(("https://", "http://")):
            return str(found[attribute]).strip()
    if match := SAVED_FROM.search(html[:2000]):
        return match.group("url")
    return ""


def _page_date(soup: Any) -> dt.date | None:
    for selector, attribute in (
        ('meta[property="article:published_time"]', "content"),
        ('meta[name="dcterms.issued"]', "content"),
        ('meta[name="DC.date.issued"]', "content"),
        ("time[datetime]", "datetime"),
    ):
        found = soup.select_one(selector)
        if found:
            try:
                return dt.date.fromisoformat(str(found.get(attribute, ""))[:10])
            except ValueError:
                continue
    return None


def html_blocks(html: str) -> tuple[list[Block], str, str, dt.date | None]:
    """The page's main content as blocks, its <title>, its address and any date it gives
    for its publication."""
    from bs4 import BeautifulSoup, Comment  # only an import of a web page needs it

    soup = BeautifulSoup(html, "html.parser")
    url = _page_url(soup, html)
    published = _page_date(soup)
    page_title = _clean(soup.title.get_text(" ")) if soup.title else ""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(CHROME_TAGS):
        tag.decompose()
    for tag in soup.find_all(True):
        if not tag.decomposed and _chrome(tag):
            tag.decompose()
    root = (
        soup.find("main")
        or soup.find(True, {"role": "main"})
        or soup.find("article")
        or soup.find(id=re.compile(r"^(?:main-?)?content$", re.I))
        or soup.body
        or soup
    )
    for br in root.find_all("br"):
        br.replace_with(LINE_BREAK)
    blocks = []
    for tag in root.find_all(BLOCK_TAGS):
        if tag.find(BLOCK_TAGS):
            continue  # its inner blocks are read one by one
        text = re.sub(r"\s+", " ", tag.get_text(" ")).replace(LINE_BREAK, "\n")
        cleaned = _clean(text)
        if not cleaned:
            continue
        heading = int(tag.name[1]) if re.fullmatch(r"h[1-6]", tag.name) else 0
        quote = tag.name == "blockquote" or tag.find_parent("blockquote") is not None
        blocks.append(Block(cleaned, heading=heading, quote=quote))
    return blocks, page_title, url, published


# --- A Word document --------------------------------------------------------------------

TABLE_LABELS = re.compile(
    r"^(?:no\.?|number|ref(?:erence)?\.?|recommendations?|(?:our\s+|opcc\s+|pcc\s+)?"
    r"(?:response|comments?)|actions?|status|progress)$",
    re.I,
)


def _docx_heading(style_name: str) -> int:
    if style_name == "Title":
        return 1
    if match := re.fullmatch(r"Heading (\d)", style_name):
        return int(match.group(1))
    return 0


def _table_blocks(table: Any) -> list[Block]:
    """Each row of a table of recommendations: the reference (if a column has it), the
    recommendation as a quotation, then the comment. A header row of labels is skipped."""
    blocks = []
    for row in table.rows:
        cells: list[str] = []
        seen: set[int] = set()
        for cell in row.cells:
            if id(cell._tc) in seen:  # a merged cell is returned once per column it spans
                continue
            seen.add(id(cell._tc))
            text = _clean(cell.text)
            if text:
                cells.append(text)
        if not cells or all(TABLE_LABELS.match(c) for c in cells):
            continue
        if len(cells) == 1:
            blocks.append(Block(cells[0]))
            continue
        first, rest = cells[0], cells[1:]
        if len(cells) >= 3 and len(first) <= 30:
            reference = f"Recommendation {first}" if first.rstrip(".").isdigit() else first
            blocks.append(Block(reference.rstrip("."), heading=4))
            first, rest = rest[0], rest[1:]
        blocks.append(Block(first, quote=True))
        blocks.extend(Block(text) for text in rest)
    return blocks


def docx_blocks(content: bytes) -> tuple[list[Block], str]:
    """The document's paragraphs and tables in order, and its title property."""
    import docx  # only an import of a Word document needs it
    from docx.table import Table

    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            info = archive.getinfo("word/document.xml")
            if info.file_size > MAX_DOCUMENT_XML:
                raise UploadRefused(_("The Word document is too large to read once unzipped."))
        document = docx.Document(io.BytesIO(content))
    except UploadRefused:
        raise
    except Exception:  # python-docx raises many kinds for a damaged file
        raise UploadRefused(
            _("The Word document could not be read: it may be damaged. Save it again and retry.")
        ) from None
    blocks: list[Block] = []
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks.extend(_table_blocks(item))
            continue
        text = _clean(item.text)
        if not text:
            continue
        style = item.style.name if item.style is not None else ""
        indent = item.paragraph_format.left_indent
        quote = "Quote" in style or (
            indent is not None and indent.inches >= 0.4 and "List" not in style
        )
        blocks.append(Block(text, heading=_docx_heading(style), quote=quote))
    return blocks, _clean(document.core_properties.title or "")


# --- Blocks to a response ---------------------------------------------------------------


def _month_number(name: str) -> int:
    key = name[:3].casefold()
    return next(i for i, month in enumerate(MONTHS, start=1) if month[:3].casefold() == key)


def _date(match: re.Match[str]) -> dt.date | None:
    groups = {k: v for k, v in match.groupdict().items() if v}
    try:
        return dt.date(int(groups["year"]), _month_number(groups["month"]), int(groups["day"]))
    except (KeyError, ValueError):
        return None


def _find_published(text: str) -> dt.date | None:
    match = PUBLISHED.match(text)
    return _date(match) if match else None


def _signature(text: str) -> tuple[str, str] | None:
    """(name, role) if the block is a signature: "Name Role", or "Name" and "Role" on two
    lines."""
    if len(text) > 160:
        return None
    lines = text.split("\n")
    if len(lines) >= 2 and NAME.match(lines[0]) and ROLE_ONLY.match(lines[1]):
        return lines[0], ", ".join(lines[1:])
    if len(lines) == 1 and (match := NAME_AND_ROLE.match(text)):
        name = match.group("name").strip()
        if NAME.match(name):
            return name, match.group("role").strip()
    return None


def _signature_before(
    blocks: Sequence[Block], stop: int, floor: int, used: set[int]
) -> tuple[int, int, str, str] | None:
    """The signature among the last few blocks before `stop`: (its first and last block,
    the name, the role). Closing lines are passed over."""
    for index in range(stop - 1, max(floor, stop - 6) - 1, -1):
        text = blocks[index].text
        if index in used or CLOSING.search(text):
            continue
        if found := _signature(text):
            return index, index, *found
        if ROLE_ONLY.match(text) and index > floor and NAME.match(blocks[index - 1].text):
            return index - 1, index, blocks[index - 1].text, text
    return None


@dataclass
class _Entry:
    reference: str
    recommendation: list[str] = field(default_factory=list)
    comment: list[str] = field(default_factory=list)
    answer: str | None = None
    stage: str = "recommendation"  # "quote" while quoted paragraphs continue; "comment"


def _answer(comment: str) -> str:
    """A first guess for the preview, which the editor confirms: no action where the
    comment says so, taken where it says it is done, otherwise proposed."""
    if ANSWER_NONE.search(comment):
        return Answer.NONE
    if ANSWER_TAKEN.search(comment):
        return Answer.TAKEN
    return Answer.PROPOSED


def _recommendation_start(block: Block) -> tuple[str, str, bool] | None:
    """(reference, the text after it, quoted) if the block starts a quoted recommendation."""
    text = block.text
    inner = _unquoted(text)
    quoted = block.quote or inner is not None
    if inner is not None:
        text = inner
    match = RECOMMENDATION.match(text)
    if match:
        reference = re.sub(r"\s+", " ", match.group("ref")).strip()
        reference = reference[:1].upper() + reference[1:].lower()
        rest = match.group("rest").strip()
        if rest and not (match.group("sep") or block.heading or quoted or "\n" in text):
            return None  # "Recommendation 3 is welcome, and ..." is a comment about it
        if rest[:1] in QUOTES_OPENING and (unquoted := _unquoted(rest)) is not None:
            rest, quoted = unquoted, True
        return reference, rest, quoted
    if quoted:
        return "", text, True
    return None


def _entries_and_sections(
    blocks: Sequence[Block],
) -> tuple[list[str], list[_Entry], list[str], list[str]]:
    """The body's comments, the quoted recommendations with their comments, the chief
    officer's comments and the body's response to them."""
    comments: list[str] = []
    chief: list[str] = []
    reply: list[str] = []
    entries: list[_Entry] = []
    section = "comments"
    for block in blocks:
        text = block.text
        if CHIEF_HEADING.match(text):
            section = "chief"
            continue
        if REPLY_HEADING.match(text):
            section = "reply"
            continue
        if SECTION_HEADING.match(text):
            section = "comments"
            continue
        if section in {"chief", "reply"} and not block.heading:
            (chief if section == "chief" else reply).append(text)
            continue
        current = entries[-1] if entries and section == "entry" else None
        continues_quote = current is not None and current.stage == "quote" and block.quote
        start = None if continues_quote else _recommendation_start(block)
        if start is not None and not (
            current is not None and current.stage == "recommendation" and not start[0]
        ):
            reference, rest, quoted = start
            entry = _Entry(reference, stage="quote" if quoted else "recommendation")
            if rest:
                entry.recommendation.append(rest)
                if not quoted:
                    entry.stage = "comment"
            entries.append(entry)
            section = "entry"
            continue
        if current is None:
            comments.append(text)
            continue
        if (answer := ANSWER_LABELS.get(text.casefold())) is not None:
            current.answer, current.stage = answer, "comment"
            continue
        if text.casefold() == NO_ENTRY_LABEL:
            current.stage = "comment"
            continue
        if label := COMMENT_LABEL.match(text):
            current.stage = "comment"
            if label.group("rest").strip():
                current.comment.append(label.group("rest").strip())
            continue
        if current.stage == "recommendation" or continues_quote:
            current.recommendation.append(_unquoted(text) or text)
            current.stage = "quote" if block.quote else "comment"
            continue
        current.stage = "comment"
        current.comment.append(text)
    # A letter's last paragraphs close the letter; they are not the last entry's comment.
    if entries and len(entries[-1].comment) > 1:
        last = entries[-1].comment
        for index in range(1, len(last)):
            if LETTER_CLOSE.match(last[index]):
                comments.extend(last[index:])
                del last[index:]
                break
    return comments, entries, chief, reply


def _title_parts(text: str) -> tuple[str, int, int] | None:
    """("Management of ...", 7, 2023) from "Management of ... (July 2023)"."""
    match = TITLE.match(text)
    if not match or len(text) >= 400:
        return None
    month = _month_number(match.group("month") or match.group("month2"))
    year = int(match.group("year") or match.group("year2"))
    return match.group("title").strip().rstrip(":–—- "), month, year


class _Reader:
    """One reading of a response's blocks. Each step claims the blocks it recognises
    (`used`), and moves where the comments start (`header_end`: a letterhead, addresses
    and the title come before) or stop (`end`: the sign-off, signature and closing line
    come after)."""

    def __init__(self, blocks: list[Block], parsed: ParsedResponse) -> None:
        self.blocks = blocks
        self.parsed = parsed
        self.used: set[int] = set()
        self.header_end = 0
        self.end = len(blocks)
        self.salutation: int | None = None
        self.signature_at: int | None = None

    def claim(self, index: int, *, header: bool = False) -> None:
        self.used.add(index)
        if header:
            self.header_end = max(self.header_end, index + 1)

    def free(self, indexes: Iterable[int]) -> Iterable[tuple[int, Block]]:
        return ((i, self.blocks[i]) for i in indexes if i not in self.used)

    def dates(self) -> None:
        """ "Published 7 September 2023" anywhere; the app's own status lines go."""
        for index, block in self.free(range(len(self.blocks))):
            if (day := _find_published(block.text)) is not None:
                self.parsed.published_on = self.parsed.published_on or day
                self.claim(index)
            elif OWN_STATUS.match(block.text):
                self.claim(index)

    def letter(self) -> None:
        """ "Dear Home Secretary,": what comes before it is the letterhead, the addresses
        and the date, which gives the publication date and the office."""
        self.salutation = next(
            (i for i, b in self.free(range(min(25, len(self.blocks)))) if _salutation(b.text)),
            None,
        )
        if self.salutation is None:
            return
        self.claim(self.salutation, header=True)
        for _index, block in self.free(range(self.salutation)):
            first_line = block.text.split("\n")[0]
            if (match := DATE_ONLY.match(block.text)) and (day := _date(match)):
                self.parsed.published_on = self.parsed.published_on or day
            if not self.parsed.response_from and OFFICE.match(first_line):
                self.parsed.response_from = first_line

    def title(self, fallback: str) -> None:
        """The title with its month and year near the top, else a letter's "Re:" line,
        else the first heading (or the page's or document's own title)."""
        parsed = self.parsed
        near_top = range(min((self.salutation or 0) + 6, len(self.blocks)))
        for index, block in self.free(near_top):
            if found := _title_parts(block.text.split("\n")[0]):
                parsed.title, parsed.month, parsed.year = found
                self.claim(index, header=True)
                return
        for index, block in self.free(near_top):
            if match := RE_LINE.match(block.text):
                parsed.title = match.group("title").strip()
                self.claim(index, header=True)
                return
        if self.salutation is not None:
            return
        heading = next(
            (i for i, b in self.free(range(min(6, len(self.blocks)))) if b.heading), None
        )
        if heading is not None:
            parsed.title = self.blocks[heading].text.replace("\n", " ")
            self.claim(heading, header=True)
        elif fallback:
            parsed.title = re.split(r"\s+[|–—-]\s+", fallback)[0]
        if found := _title_parts(parsed.title):
            parsed.title, parsed.month, parsed.year = found

    def response_from(self) -> None:
        near_top = range(min((self.salutation or 0) + 10, len(self.blocks)))
        for index, block in self.free(near_top):
            if match := RESPONSE_FROM.match(block.text):
                self.parsed.response_from = match.group("office").strip()
                self.claim(index, header=True)
                return

    def signature(self, chief_at: int) -> None:
        """After "Yours sincerely" (name, then role on the same block or the next), or a
        name and role among the last blocks (before the chief officer's comments, which
        may follow it)."""
        blocks, parsed = self.blocks, self.parsed
        sign_off = next(
            (
                i
                for i in range(len(blocks) - 1, self.header_end - 1, -1)
                if SIGN_OFF.match(blocks[i].text)
            ),
            None,
        )
        if sign_off is None:
            for stop in dict.fromkeys([len(blocks), chief_at]):
                if signed := _signature_before(blocks, stop, self.header_end, self.used):
                    first, last, parsed.signatory_name, parsed.signatory_role = signed
                    self.signature_at, self.end = last, first
                    self.used.update(range(first, last + 1))
                    return
            return
        self.claim(sign_off)
        self.end = sign_off
        after = [
            i
            for i in range(sign_off + 1, min(sign_off + 4, len(blocks)))
            if not COPIES.match(blocks[i].text)
            and not CLOSING.search(blocks[i].text)
            and len(blocks[i].text) <= 160
        ]
        if not after:
            return
        self.signature_at = after[0]
        self.claim(after[0])
        if found := _signature(blocks[after[0]].text):
            parsed.signatory_name, parsed.signatory_role = found
            return
        name, *role = blocks[after[0]].text.split("\n")
        if not role and len(after) > 1 and len(blocks[after[1]].text) <= 120:
            role = blocks[after[1]].text.split("\n")
            self.claim(after[1])
        parsed.signatory_name, parsed.signatory_role = name, ", ".join(role)

    def closing(self, stop: int) -> None:
        """The closing line about recommendations (after the signature, or among the last
        two blocks), and the copies a letter lists."""
        if self.signature_at is not None:
            tail = range(self.signature_at + 1, stop)
        else:
            tail = range(max(self.header_end, len(self.blocks) - 2), len(self.blocks))
        for index, block in self.free(tail):
            if (
                CLOSING.search(block.text)
                and len(block.text) <= 300
                and not self.parsed.closing_line
            ):
                self.parsed.closing_line = block.text
                self.claim(index)
                self.end = min(self.end, index)
            elif COPIES.match(block.text) and self.signature_at is not None:
                self.claim(index)


def _salutation(text: str) -> bool:
    return bool(SALUTATION.match(text)) and len(text) < 80


def parse_blocks(
    blocks: Sequence[Block],
    *,
    fallback_title: str = "",
    published_url: str = "",
    published_on: dt.date | None = None,
) -> ParsedResponse:
    """The fields of a published response, from its paragraphs in order. Raises
    NotAResponse if what was read is not one."""
    parsed = ParsedResponse(published_url=published_url, published_on=published_on)
    reader = _Reader([b for b in blocks if b.text], parsed)
    reader.dates()
    reader.letter()
    reader.title(fallback_title)
    reader.response_from()
    count = len(reader.blocks)
    chief_at = next(
        (i for i in range(reader.header_end, count) if CHIEF_HEADING.match(reader.blocks[i].text)),
        count,
    )
    reader.signature(chief_at)
    # The chief officer's comments may follow the signature (the app's own layout does).
    after_signature = reader.signature_at is not None and reader.signature_at < chief_at
    reader.closing(chief_at if after_signature else count)
    main = [
        *range(reader.header_end, reader.end),
        *(range(chief_at, count) if after_signature else ()),
    ]
    body = [block for _index, block in reader.free(main)]
    comments, entries, chief, reply = _entries_and_sections(body)
    parsed.comments = "\n\n".join(comments)
    parsed.chief_comments = "\n\n".join(chief)
    parsed.chief_comments_reply = "\n\n".join(reply)
    parsed.entries = [
        ParsedEntry(
            reference=entry.reference,
            recommendation="\n\n".join(entry.recommendation),
            comment="\n\n".join(entry.comment),
            answer=entry.answer or _answer(" ".join(entry.comment)),
        )
        for entry in entries
        if entry.recommendation or entry.comment
    ]
    _refuse_if_not_a_response(parsed, letter=reader.salutation is not None)
    parsed.warnings = _warnings(parsed)
    return parsed


def _refuse_if_not_a_response(parsed: ParsedResponse, *, letter: bool) -> None:
    answered = any(entry.comment for entry in parsed.entries)
    if parsed.entries and not answered and not parsed.comments:
        raise NotAResponse(
            _(
                "This looks like a report's recommendations, not a response to them: no "
                "comment on any of them was found. To import a report's findings, use the "
                "findings import on the report's page."
            )
        )
    recognised = (
        parsed.month is not None
        or bool(parsed.response_from)
        or answered
        or letter
        or bool(parsed.signatory_role)
    )
    if not recognised or not (parsed.comments or answered or parsed.chief_comments):
        raise NotAResponse(
            _(
                "This does not look like a published response: no title with its month and "
                'year, no "Response from:" line, no signatory and no quoted recommendations '
                "were found. Paste the response's own text, or upload the web page or Word "
                "document it was published in."
            )
        )


def _warnings(parsed: ParsedResponse) -> list[str]:
    warnings = []
    if not parsed.title:
        warnings.append(_("No title was found. Enter the report's title."))
    elif parsed.month is None:
        warnings.append(
            _('The title gives no month and year (such as "(July 2023)"). Check the report.')
        )
    if not parsed.response_from:
        warnings.append(_('No "Response from:" line was found.'))
    if not parsed.signatory_name:
        warnings.append(_("No signatory was found. Enter who signed the response."))
    elif not parsed.signatory_role:
        warnings.append(_("No role was found for the signatory. Enter it."))
    if not parsed.closing_line:
        warnings.append(_("No closing line about recommendations was found."))
    if parsed.published_on is None:
        warnings.append(_("No publication date was found. Enter the date it was published."))
    for number, entry in enumerate(parsed.entries, start=1):
        name = entry.reference or _("Quoted recommendation %(n)s") % {"n": number}
        if not entry.comment:
            warnings.append(_("%(name)s has no comment after it.") % {"name": name})
        if not entry.reference:
            warnings.append(_("%(name)s has no reference number.") % {"name": name})
    return warnings


# --- Each source ------------------------------------------------------------------------


def parse_text(text: str) -> ParsedResponse:
    if not text.strip():
        raise NotAResponse(_("Paste the text of the response, or choose a file."))
    return parse_blocks(text_blocks(text))


def parse_html(html: str) -> ParsedResponse:
    blocks, page_title, url, published = html_blocks(html)
    if not blocks:
        raise NotAResponse(_("The web page has no text in it once its navigation is removed."))
    return parse_blocks(
        blocks, fallback_title=page_title, published_url=url, published_on=published
    )


def parse_docx(content: bytes) -> ParsedResponse:
    blocks, title = docx_blocks(content)
    if not blocks:
        raise NotAResponse(_("The Word document has no text in it."))
    return parse_blocks(blocks, fallback_title=title)


def parse_upload(upload: Upload) -> ParsedResponse:
    """A file `files.check_upload` accepted (html, docx or txt). UploadRefused for text in
    an encoding we do not read, NotAResponse for a file that is not a response."""
    if upload.kind == "docx":
        return parse_docx(upload.content)
    text = decode_text(upload.content)
    if upload.kind == "html":
        return parse_html(text)
    return parse_text(text)


# --- Matching to the body's records -----------------------------------------------------


@dataclass(frozen=True)
class ReportChoice:
    pk: int
    title: str
    published_on: dt.date


@dataclass(frozen=True)
class FindingChoice:
    pk: int
    reference: str
    text: str


def _words(text: str) -> str:
    text = text.casefold().replace("&", " and ").replace("’", "'")
    return " ".join(re.findall(r"[\w']+", text))


def similarity(a: str, b: str) -> float:
    """How alike two texts are, 0 to 1, ignoring case, punctuation and spacing; a text
    wholly inside the other (a quotation of part of a recommendation) counts as alike."""
    a, b = _words(a), _words(b)
    if not a or not b:
        return 0.0
    if min(len(a), len(b)) >= 40 and (a in b or b in a):
        return 0.95
    matcher = SequenceMatcher(None, a, b, autojunk=False)
    # An upper bound, cheap: below every threshold it is answer enough (and saves the
    # full comparison of long texts with every recommendation of a large report).
    quick = matcher.quick_ratio()
    return quick if quick < TEXT_THRESHOLD else matcher.ratio()


# Words every body's name has; what is left names the place ("thames valley").
OFFICE_WORDS = frozenset(
    {
        *("office", "of", "the", "for", "and", "s", "deputy", "authority"),
        *("police", "fire", "rescue", "crime", "policing", "commissioner", "commissioners"),
        *("pcc", "opcc", "pfcc", "mayor", "mayor's"),
    }
)


def same_office(given: str, ours: str) -> bool:
    """Whether "Response from" names our office, however it words it: the place in the
    two names is shared ("Office of the PCC for Hampshire" and "Office of the Police and
    Crime Commissioner, Hampshire and Isle of Wight")."""
    place = set(_words(given).split()) - OFFICE_WORDS
    return not place or bool(place & (set(_words(ours).split()) - OFFICE_WORDS))


TITLE_THRESHOLD = 0.85
TEXT_THRESHOLD = 0.6


def match_report(
    title: str, month: int | None, year: int | None, reports: Iterable[ReportChoice]
) -> int | None:
    """The report the response is to: the most alike title, where the month and year of
    its publication agree with the title's (PEEL reports share titles across years)."""
    best: tuple[float, int] | None = None
    for report in reports:
        score = similarity(title, report.title)
        if month is not None and year is not None:
            same = (report.published_on.month, report.published_on.year) == (month, year)
            score += 0.05 if same else -0.2
        if score >= TITLE_THRESHOLD and (best is None or score > best[0]):
            best = (score, report.pk)
    return None if best is None else best[1]


def _reference_key(reference: str) -> str:
    match = re.search(r"(\d+[a-z]?)\s*$", reference.strip(), re.I)
    kind = _words(reference).split(" ")[0] if reference.strip() else ""
    return f"{kind[:3]}{match.group(1).lower()}" if match else _words(reference)


def match_findings(
    entries: Sequence[ParsedEntry], findings: Sequence[FindingChoice]
) -> list[int | None]:
    """For each entry, the report's recommendation it quotes: by reference ("Recommendation
    3"), else by the most alike text. Each recommendation is matched once at most. Sets
    each entry's `finding_id` too."""
    taken: set[int] = set()
    matched: list[int | None] = [None] * len(entries)
    by_reference = {_reference_key(f.reference): f.pk for f in findings if f.reference}
    for index, entry in enumerate(entries):
        pk = by_reference.get(_reference_key(entry.reference)) if entry.reference else None
        if pk is not None and pk not in taken:
            matched[index] = pk
            taken.add(pk)
    for index, entry in enumerate(entries):
        if matched[index] is not None or not entry.recommendation:
            continue
        scored = [
            (similarity(entry.recommendation, f.text), f.pk) for f in findings if f.pk not in taken
        ]
        score, pk = max(scored, default=(0.0, 0))
        if score >= TEXT_THRESHOLD:
            matched[index] = pk
            taken.add(pk)
    for entry, pk in zip(entries, matched, strict=True):
        entry.finding_id = pk
    return matched
