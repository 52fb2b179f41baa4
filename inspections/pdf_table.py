"""Long tables drawn straight into a WeasyPrint PDF, for the board pack's open actions.

Why not an HTML table: WeasyPrint spends about 8 ms on each row of a six-column table
(styles, boxes, line breaking, painting and tagging each cell), holds every page's boxes
in memory until it writes, and one table across hundreds of pages lays out in more than
linear time. A pack of 4,000 open actions took 43 s and 950 MB here (scripts/bench_documents).

So the document is still written by WeasyPrint (the pack's figures, charts and the table's
heading, with the page furniture: "Page N of M", the production date, any marking), with
one empty placeholder page for each page of the table. `paginate` decides those pages
before rendering (rows are never split across pages, a cell longer than `MAX_LINES` lines
is cut with an ellipsis, and the last page never holds fewer than `MIN_LAST_ROWS` rows when
rows can be moved to it). Then, right before WeasyPrint writes the file (its `finisher`
hook), `TableDrawer` draws the rows onto the placeholders and tags them (PDF/UA): a
Table with a header row (TH, column scope) and a row (TR) of cells (TD) for each row,
each cell one marked-content sequence, its rules and backgrounds artifacts, and the header
row repeated on later pages as a pagination artifact. The fonts are the same files
WeasyPrint uses for "DejaVu Sans", subset with fontTools and embedded with a ToUnicode
map, so the text can be searched, copied and read aloud.

Text is set left to right with the fonts' advance widths (no kerning or shaping):
characters the font lacks print as U+FFFD. That is right for English and Welsh, which is
what packs hold.
"""

from __future__ import annotations

import functools
import io
import random
import string
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import pydyf
from fontTools import subset
from fontTools.ttLib import TTFont

# A4 landscape in points, and the print stylesheet's margins (static/pdf/print.css).
MM = 72 / 25.4
PAGE_WIDTH, PAGE_HEIGHT = 297 * MM, 210 * MM
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_SIDE = 22 * MM, 22 * MM, 18 * MM
# Room taken at the top of the first page by the table's heading (the template gives it
# exactly this height: .long-table__heading in templates/pdf/board_pack.html).
HEADING_MM = 12
FONT_SIZE = 8.0
LEADING = 10.0
PAD_X, PAD_Y = 3.0, 2.5
HEADER_RULE, ROW_RULE = 1.0, 0.4
MAX_LINES = 12
MIN_LAST_ROWS = 3
ELLIPSIS = "…"
REPLACEMENT = "\ufffd"

INK = (0.043, 0.047, 0.047)  # #0b0c0c, as print.css
MUTED = (0.314, 0.353, 0.373)  # #505a5f
RULE = (0.694, 0.706, 0.714)  # #b1b4b6
STRIPE = (0.953, 0.949, 0.945)  # #f3f2f1

RGB = tuple[float, float, float]


# --- Fonts ---------------------------------------------------------------------------


@functools.cache
def font_file(family: str, style: str) -> str:
    """The file fontconfig gives for the family and style: the one WeasyPrint (Pango)
    draws the rest of the document with. Cached: loading fontconfig takes half a second."""
    from weasyprint.text.ffi import ffi, fontconfig

    config = fontconfig.FcInitLoadConfigAndFonts()
    pattern = fontconfig.FcPatternCreate()
    try:
        fontconfig.FcPatternAddString(pattern, b"family", family.encode())
        fontconfig.FcPatternAddString(pattern, b"style", style.encode())
        fontconfig.FcConfigSubstitute(config, pattern, fontconfig.FcMatchPattern)
        fontconfig.FcDefaultSubstitute(pattern)
        result = ffi.new("FcResult *")
        matched = fontconfig.FcFontMatch(config, pattern, result)
        if matched == ffi.NULL:
            raise LookupError(f"No font for {family} {style}")
        try:
            path = ffi.new("FcChar8 **")
            if fontconfig.FcPatternGetString(matched, b"file", 0, path) != 0:
                raise LookupError(f"No font file for {family} {style}")
            return str(ffi.string(path[0]).decode())
        finally:
            fontconfig.FcPatternDestroy(matched)
    finally:
        fontconfig.FcPatternDestroy(pattern)
        fontconfig.FcConfigDestroy(config)


@dataclass(frozen=True)
class FontMetrics:
    """What setting text needs from a font file: glyph ids and advances per character."""

    path: str
    units: int
    glyphs: dict[str, int]  # character -> glyph id
    advances: dict[int, int]  # glyph id -> advance width in font units
    ascent: int
    descent: int
    cap_height: int
    bbox: tuple[int, int, int, int]
    name: str

    @staticmethod
    @functools.cache
    def load(path: str) -> FontMetrics:
        font = TTFont(path, lazy=True)
        order = {name: gid for gid, name in enumerate(font.getGlyphOrder())}
        glyphs = {chr(code): order[name] for code, name in font.getBestCmap().items()}
        metrics = font["hmtx"].metrics
        advances = {order[name]: advance for name, (advance, _lsb) in metrics.items()}
        head, hhea = font["head"], font["hhea"]
        os2 = font.get("OS/2")
        name = font["name"].getDebugName(6) or "Font"
        return FontMetrics(
            path=path,
            units=head.unitsPerEm,
            glyphs=glyphs,
            advances=advances,
            ascent=hhea.ascent,
            descent=hhea.descent,
            cap_height=getattr(os2, "sCapHeight", 0) or hhea.ascent,
            bbox=(head.xMin, head.yMin, head.xMax, head.yMax),
            name="".join(c for c in name if c.isalnum() or c == "-"),
        )


class _Widths(dict[str, float]):
    """Advance in points at FONT_SIZE per character, worked out on first use."""

    def __init__(self, font: Font) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, char: str) -> float:
        metrics = self.font.metrics
        advance = metrics.advances.get(self.font.glyph(char), metrics.units // 2)
        width = self[char] = advance * FONT_SIZE / metrics.units
        return width


class _Codes(dict[int, str]):
    """For str.translate: a character's glyph id as four hex digits, noting the glyphs
    used so that only those are embedded."""

    def __init__(self, font: Font) -> None:
        super().__init__()
        self.font = font

    def __missing__(self, code: int) -> str:
        char = chr(code)
        gid = self.font.glyph(char)
        known = gid != self.font.fallback
        self.font.used.setdefault(gid, char if known else REPLACEMENT)
        hexed = self[code] = f"{gid:04x}"
        return hexed


class Font:
    """One face as used by one document: measures text, encodes it as glyph ids, and
    remembers what it drew so only those glyphs are embedded."""

    def __init__(self, metrics: FontMetrics, resource_name: str) -> None:
        self.metrics = metrics
        self.resource_name = resource_name
        self.used: dict[int, str] = {}  # glyph id -> the character it draws
        self.fallback = metrics.glyphs.get(REPLACEMENT, metrics.glyphs.get("?", 0))
        self._widths = _Widths(self)
        self._codes = _Codes(self)

    def glyph(self, char: str) -> int:
        return self.metrics.glyphs.get(char, self.fallback)

    def char_width(self, char: str) -> float:
        return self._widths[char]

    def width(self, text: str) -> float:
        return sum(map(self._widths.__getitem__, text))

    def encode(self, text: str) -> bytes:
        """The text as a PDF hex string of two-byte glyph ids (Identity-H)."""
        return b"<" + text.translate(self._codes).encode("ascii") + b">"

    def embed(self, pdf: pydyf.PDF, compress: bool) -> bytes:
        """Add the subset font to the PDF; returns the Type0 font's reference."""
        m = self.metrics
        font = TTFont(m.path)
        options = subset.Options()
        options.retain_gids = True  # glyph ids stay as drawn: CIDToGIDMap /Identity
        options.notdef_outline = True
        options.hinting = False
        options.layout_features = []
        options.name_IDs = ["*"]
        options.drop_tables += ["FFTM"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(gids=sorted(set(self.used) | {0}))
        subsetter.subset(font)
        data = io.BytesIO()
        font.save(data)
        program = data.getvalue()

        tag = "".join(
            random.Random(self.resource_name + m.name).choices(string.ascii_uppercase, k=6)
        )
        base = f"/{tag}+{m.name}"
        scale = 1000 / m.units
        file = pydyf.Stream([program], pydyf.Dictionary({"Length1": len(program)}), compress)
        pdf.add_object(file)
        descriptor = pydyf.Dictionary(
            {
                "Type": "/FontDescriptor",
                "FontName": base,
                "Flags": 32,
                "FontBBox": pydyf.Array([round(v * scale) for v in m.bbox]),
                "ItalicAngle": 0,
                "Ascent": round(m.ascent * scale),
                "Descent": round(m.descent * scale),
                "CapHeight": round(m.cap_height * scale),
                "StemV": 80,
                "FontFile2": file.reference,
            }
        )
        pdf.add_object(descriptor)
        widths = pydyf.Array()
        for gid in sorted(self.used):
            widths.extend([gid, pydyf.Array([round(m.advances.get(gid, 0) * scale)])])
        cid_font = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/CIDFontType2",
                "BaseFont": base,
                "CIDSystemInfo": pydyf.Dictionary(
                    {
                        "Registry": pydyf.String("Adobe"),
                        "Ordering": pydyf.String("Identity"),
                        "Supplement": 0,
                    }
                ),
                "FontDescriptor": descriptor.reference,
                "W": widths,
                "CIDToGIDMap": "/Identity",
            }
        )
        pdf.add_object(cid_font)
        to_unicode = pydyf.Stream([self._cmap()], compress=compress)
        pdf.add_object(to_unicode)
        type0 = pydyf.Dictionary(
            {
                "Type": "/Font",
                "Subtype": "/Type0",
                "BaseFont": base,
                "Encoding": "/Identity-H",
                "DescendantFonts": pydyf.Array([cid_font.reference]),
                "ToUnicode": to_unicode.reference,
            }
        )
        pdf.add_object(type0)
        return bytes(type0.reference)

    def _cmap(self) -> bytes:
        lines = [
            "/CIDInit /ProcSet findresource begin",
            "12 dict begin",
            "begincmap",
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
            "/CMapName /Adobe-Identity-UCS def",
            "/CMapType 2 def",
            "1 begincodespacerange",
            "<0000> <FFFF>",
            "endcodespacerange",
        ]
        pairs = sorted(self.used.items())
        for start in range(0, len(pairs), 100):
            chunk = pairs[start : start + 100]
            lines.append(f"{len(chunk)} beginbfchar")
            for gid, char in chunk:
                utf16 = char.encode("utf-16-be").hex().upper()
                lines.append(f"<{gid:04X}> <{utf16}>")
            lines.append("endbfchar")
        lines += ["endcmap", "CMapName currentdict /CMap defineresource pop", "end", "end"]
        return "\n".join(lines).encode("ascii")


# --- What a table holds ------------------------------------------------------------------


@dataclass(frozen=True)
class Text:
    """One paragraph of a cell; `max_lines` cuts it short with an ellipsis."""

    text: str
    bold: bool = False
    colour: RGB = INK
    max_lines: int = MAX_LINES


Cell = Sequence[Text]


@dataclass(frozen=True)
class Column:
    header: str
    share: float  # of the table's width


@dataclass(frozen=True)
class Line:
    text: str
    bold: bool
    colour: RGB


@dataclass(frozen=True)
class LaidRow:
    cells: list[list[Line]]
    height: float


@dataclass
class Fonts:
    regular: Font
    bold: Font

    @classmethod
    def dejavu(cls) -> Fonts:
        """DejaVu Sans, as print.css asks of WeasyPrint."""
        return cls(
            regular=Font(FontMetrics.load(font_file("DejaVu Sans", "Book")), "LongTableRegular"),
            bold=Font(FontMetrics.load(font_file("DejaVu Sans", "Bold")), "LongTableBold"),
        )

    def of(self, bold: bool) -> Font:
        return self.bold if bold else self.regular


def wrap(text: str, font: Font, width: float) -> list[str]:
    """Greedy line breaking at spaces (and inside a word too long for a line); the text's
    own line breaks are kept, and blank lines kept once between paragraphs."""
    lines: list[str] = []
    space = font.char_width(" ")
    for paragraph in text.splitlines() or [""]:
        words = paragraph.split()
        if not words:
            if lines and lines[-1]:
                lines.append("")
            continue
        line, used = "", 0.0
        for word in words:
            w = font.width(word)
            if line and used + space + w <= width:
                line, used = f"{line} {word}", used + space + w
                continue
            if line:
                lines.append(line)
            while w > width:  # longer than a line: cut it where it fills the line
                cut, cut_width = 0, 0.0
                for char in word:
                    cw = font.char_width(char)
                    if cut and cut_width + cw > width:
                        break
                    cut, cut_width = cut + 1, cut_width + cw
                lines.append(word[:cut])
                word = word[cut:]
                w = font.width(word)
            line, used = word, w
        lines.append(line)
    while lines and not lines[-1]:
        lines.pop()
    return lines


def shorten(text: str, font: Font, width: float) -> str:
    """The text cut to fit the width with an ellipsis after it."""
    while text and font.width(text + ELLIPSIS) > width:
        text = text[:-1]
    return text.rstrip() + ELLIPSIS


def lay_out_cell(cell: Cell, fonts: Fonts, width: float) -> list[Line]:
    """The cell's paragraphs as lines: each at most its `max_lines`, the cell at most
    MAX_LINES (so that any row fits on a page); where text is cut, an ellipsis says so."""
    inner = width - 2 * PAD_X
    lines: list[Line] = []
    for part in cell:
        font = fonts.of(part.bold)
        wrapped = wrap(part.text, font, inner)
        room = min(part.max_lines, MAX_LINES - len(lines))
        if room <= 0:
            break
        if len(wrapped) > room:
            wrapped = [*wrapped[: room - 1], shorten(wrapped[room - 1], font, inner)]
        lines += [Line(text, part.bold, part.colour) for text in wrapped]
    return lines


def row_height(cells: Sequence[Sequence[Line]]) -> float:
    return max(1, *(len(c) for c in cells)) * LEADING + 2 * PAD_Y


@dataclass
class Geometry:
    """Where a table goes on its pages (points, PDF user space from the bottom left)."""

    left: float = MARGIN_SIDE
    width: float = PAGE_WIDTH - 2 * MARGIN_SIDE
    top: float = PAGE_HEIGHT - MARGIN_TOP
    bottom: float = MARGIN_BOTTOM
    first_offset: float = HEADING_MM * MM

    def widths(self, columns: Sequence[Column]) -> list[float]:
        total = sum(c.share for c in columns)
        return [self.width * c.share / total for c in columns]


@dataclass
class LongTable:
    """A table and, once laid out, its rows as lines and the rows on each page."""

    columns: Sequence[Column]
    rows: Sequence[Sequence[Cell]]
    geometry: Geometry = field(default_factory=Geometry)
    header: LaidRow | None = None
    laid: list[LaidRow] = field(default_factory=list)
    pages: list[list[int]] = field(default_factory=list)

    def lay_out(self, fonts: Fonts, on_row: Callable[[], None] = lambda: None) -> None:
        widths = self.geometry.widths(self.columns)
        header = [
            lay_out_cell([Text(c.header, bold=True)], fonts, w)
            for c, w in zip(self.columns, widths, strict=True)
        ]
        self.header = LaidRow(header, row_height(header))
        self.laid = []
        for row in self.rows:
            cells = [lay_out_cell(cell, fonts, w) for cell, w in zip(row, widths, strict=True)]
            self.laid.append(LaidRow(cells, row_height(cells)))
            on_row()
        self.pages = paginate(self.header, self.laid, self.geometry) if self.laid else []


def paginate(header: LaidRow, rows: Sequence[LaidRow], geometry: Geometry) -> list[list[int]]:
    """Row numbers per page: as many whole rows as fit under the header row, then the
    last page topped up from the one before, so that it holds at least MIN_LAST_ROWS."""
    full = geometry.top - geometry.bottom - header.height
    pages: list[list[int]] = [[]]
    room = full - geometry.first_offset
    for number, row in enumerate(rows):
        if pages[-1] and row.height > room:
            pages.append([])
            room = full
        pages[-1].append(number)
        room -= row.height
    if len(pages) > 1:
        last, before = pages[-1], pages[-2]
        used = sum(rows[n].height for n in last)
        while len(last) < MIN_LAST_ROWS and len(before) > MIN_LAST_ROWS:
            if used + rows[before[-1]].height > full:
                break
            used += rows[before[-1]].height
            last.insert(0, before.pop())
    return pages


# --- Drawing into WeasyPrint's PDF -------------------------------------------------------


def _number(reference: Any) -> int:
    return int(bytes(reference).split()[0])


def _colour(rgb: RGB, operator: str) -> bytes:
    return f"{rgb[0]:.3f} {rgb[1]:.3f} {rgb[2]:.3f} {operator}".encode()


def _n(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


@dataclass(frozen=True)
class Furniture:
    """What the print stylesheet's margin boxes show on every other page, for the table's
    pages (whose placeholders have none: laying out hundreds of margin boxes is a third
    of WeasyPrint's time for a long table). `page` is "Page {n} of {m}" in the reader's
    language."""

    produced: str
    page: str
    marking: str = ""


FURNITURE_SIZE, MARKING_SIZE = 8.5, 9.0


@dataclass
class Drawer:
    """Draws laid-out tables onto the last pages of a WeasyPrint PDF, in order (each
    table's pages follow the one before's), and tags them. Pass `finish` as
    `write_pdf(finisher=...)`. `on_page` hears after each page is drawn."""

    tables: Sequence[LongTable]
    fonts: Fonts
    furniture: Furniture
    compress: bool = True
    on_page: Callable[[], None] = lambda: None

    @property
    def page_count(self) -> int:
        return sum(len(t.pages) for t in self.tables)

    def finish(self, document: Any, pdf: pydyf.PDF) -> None:
        if not self.page_count:
            return
        kids = list(pdf.pages["Kids"][::3])
        if len(kids) < self.page_count:
            raise ValueError("The document has fewer pages than its tables need.")
        root = pdf.objects[_number(pdf.catalog["StructTreeRoot"])]
        nums = pdf.objects[_number(root["ParentTree"])]["Nums"]
        mcids_of = {nums[i]: nums[i + 1] for i in range(0, len(nums), 2)}
        document_element = pdf.objects[_number(root["K"][0])]
        first = len(kids) - self.page_count
        if not all(self._landscape(pdf, kid) for kid in kids[first:]) or (
            first and self._landscape(pdf, kids[first - 1])
        ):
            raise ValueError("The document's placeholder pages do not match its tables' pages.")
        self._prune(pdf, document_element)
        resources = pdf.objects[_number(pdf.objects[kids[first]]["Resources"])]
        for table in self.tables:
            pages = [
                (i, pdf.objects[kids[i]], mcids_of[i])
                for i in range(first, first + len(table.pages))
            ]
            self._draw_table(pdf, table, pages, document_element, len(kids))
            first += len(table.pages)
        fonts = resources.get("Font")
        if fonts is None:
            fonts = resources["Font"] = pydyf.Dictionary()
        elif not isinstance(fonts, pydyf.Dictionary):
            fonts = pdf.objects[_number(fonts)]
        for font in (self.fonts.regular, self.fonts.bold):
            if font.used:
                fonts[font.resource_name] = font.embed(pdf, self.compress)

    @staticmethod
    def _on_page(pdf: pydyf.PDF, kid: Any, page: bytes) -> bool:
        """Whether a structure element has content on the page (its own or its kids')."""
        if not (isinstance(kid, bytes) and kid.endswith(b" R")):
            return False
        element = pdf.objects[_number(kid)]
        if not isinstance(element, pydyf.Dictionary):
            return False
        if "Pg" in element and bytes(element["Pg"]) == page:
            return True
        kids = element.get("K")
        kids = kids if isinstance(kids, pydyf.Array) else [kids]
        return any(Drawer._on_page(pdf, k, page) for k in kids)

    @staticmethod
    def _landscape(pdf: pydyf.PDF, kid: int) -> bool:
        left, bottom, right, top = (float(v) for v in pdf.objects[kid]["MediaBox"])
        return right - left > top - bottom

    def _prune(self, pdf: pydyf.PDF, document_element: pydyf.Dictionary) -> None:
        """The placeholders' own elements (a section and an empty division on each page)
        hold no content: leave them out of the structure."""

        def empty(kid: Any) -> bool:
            if not (isinstance(kid, bytes) and kid.endswith(b" R")):
                return False  # a marked-content id or reference: content
            element = pdf.objects[_number(kid)]
            if not isinstance(element, pydyf.Dictionary) or element.get("Type") != "/StructElem":
                return False
            kids = element.get("K")
            if kids is None:
                return True
            return isinstance(kids, pydyf.Array) and all(empty(k) for k in kids)

        document_element["K"] = pydyf.Array(k for k in document_element["K"] if not empty(k))

    def _element(self, pdf: pydyf.PDF, kind: str, parent: pydyf.Dictionary) -> pydyf.Dictionary:
        element = pydyf.Dictionary(
            {"Type": "/StructElem", "S": f"/{kind}", "P": parent.reference, "K": pydyf.Array()}
        )
        pdf.add_object(element)
        return element

    def _draw_table(
        self,
        pdf: pydyf.PDF,
        table: LongTable,
        pages: list[tuple[int, pydyf.Dictionary, pydyf.Array]],
        document_element: pydyf.Dictionary,
        page_total: int,
    ) -> None:
        assert table.header is not None
        element = self._element(pdf, "Table", document_element)
        # In reading order right after what WeasyPrint tagged on the table's first page
        # (its heading), so a screen reader meets each heading and then its table.
        kids = document_element["K"]
        first_page = bytes(pages[0][1].reference)
        at = next(
            (
                n + 1
                for n in range(len(kids) - 1, -1, -1)
                if self._on_page(pdf, kids[n], first_page)
            ),
            len(kids),
        )
        kids.insert(at, element.reference)
        head = self._element(pdf, "THead", element)
        body = self._element(pdf, "TBody", element)
        element["K"].extend([head.reference, body.reference])
        widths = table.geometry.widths(table.columns)
        for index, ((page_index, page, mcids), row_numbers) in enumerate(
            zip(pages, table.pages, strict=True)
        ):
            out = bytearray()
            self._draw_furniture(out, table.geometry, page_index + 1, page_total)
            top = table.geometry.top - (table.geometry.first_offset if index == 0 else 0)
            cells = _Cells(self, pdf, out, page, mcids)
            # The header row is tagged on the first page and a pagination artifact after.
            row = None
            if index == 0:
                row = self._element(pdf, "TR", head)
                head["K"].append(row.reference)
            self._draw_row(cells, table, table.header, top, widths, row, "TH", True, True)
            top -= table.header.height
            for number in row_numbers:
                laid = table.laid[number]
                row = self._element(pdf, "TR", body)
                body["K"].append(row.reference)
                self._draw_row(cells, table, laid, top, widths, row, "TD", number % 2 == 1, False)
                top -= laid.height
            # What WeasyPrint drew keeps its graphics state to itself; ours starts afresh.
            opening, closing = pydyf.Stream([b"q"]), pydyf.Stream([b"Q"])
            ours = pydyf.Stream([bytes(out)], compress=self.compress)
            for stream in (opening, closing, ours):
                pdf.add_object(stream)
            contents = page["Contents"]
            existing = list(contents) if isinstance(contents, pydyf.Array) else [contents]
            page["Contents"] = pydyf.Array(
                [opening.reference, *existing, closing.reference, ours.reference]
            )
            self.on_page()

    def _text(self, out: bytearray, text: str, x: float, y: float, size: float, bold: bool) -> None:
        font = self.fonts.of(bold)
        out += f"BT /{font.resource_name} {_n(size)} Tf ".encode() + _colour(INK, "rg")
        out += f" 1 0 0 1 {_n(x)} {_n(y)} Tm ".encode() + font.encode(text) + b" Tj ET\n"

    def _draw_furniture(self, out: bytearray, geometry: Geometry, number: int, total: int) -> None:
        """As print.css places its margin boxes: text centred in the top and bottom margins,
        the date on the left, the page number on the right, any marking in the middle."""
        regular, bold = self.fonts.regular, self.fonts.bold
        scale = FURNITURE_SIZE / FONT_SIZE
        low = MARGIN_BOTTOM / 2 - FURNITURE_SIZE * 0.35
        right = geometry.left + geometry.width
        page = self.furniture.page.format(n=number, m=total)
        out += b"/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
        self._text(out, self.furniture.produced, geometry.left, low, FURNITURE_SIZE, False)
        self._text(out, page, right - regular.width(page) * scale, low, FURNITURE_SIZE, False)
        out += b"EMC\n"
        if marking := self.furniture.marking:
            width = bold.width(marking) * MARKING_SIZE / FONT_SIZE
            centre = geometry.left + (geometry.width - width) / 2
            out += b"/Artifact <</Type /Pagination /Subtype /Header>> BDC\n"
            high = PAGE_HEIGHT - MARGIN_TOP / 2 - MARKING_SIZE * 0.35
            self._text(out, marking, centre, high, MARKING_SIZE, True)
            out += b"EMC\n/Artifact <</Type /Pagination /Subtype /Footer>> BDC\n"
            self._text(
                out, marking, centre, MARGIN_BOTTOM / 2 - MARKING_SIZE * 0.35, MARKING_SIZE, True
            )
            out += b"EMC\n"

    def _draw_row(
        self,
        cells: _Cells,
        table: LongTable,
        laid: LaidRow,
        top: float,
        widths: list[float],
        row: pydyf.Dictionary | None,
        kind: str,
        shaded: bool,
        header: bool,
    ) -> None:
        geometry = table.geometry
        out = cells.out
        left, bottom = geometry.left, top - laid.height
        # Background and rule: decoration, not content.
        out += b"/Artifact BMC q "
        if shaded:
            out += _colour(STRIPE, "rg")
            out += f" {_n(left)} {_n(bottom)} {_n(geometry.width)} {_n(laid.height)} re f ".encode()
        out += _colour(INK if header else RULE, "RG")
        out += (
            f" {_n(HEADER_RULE if header else ROW_RULE)} w {_n(left)} {_n(bottom)} m "
            f"{_n(left + geometry.width)} {_n(bottom)} l S Q EMC\n"
        ).encode()
        x = left
        for lines, width in zip(laid.cells, widths, strict=True):
            if row is None:
                out += b"/Artifact <</Type /Pagination>> BDC\n"
            else:
                mcid = cells.tag(kind, row, column_header=header)
                out += f"/{kind} <</MCID {mcid}>> BDC\n".encode()
            if lines:
                out += b"BT\n"
                baseline = top - PAD_Y - (LEADING - FONT_SIZE) / 2 - FONT_SIZE * 0.8
                current: tuple[bool, RGB] | None = None
                for line in lines:
                    if line.text:
                        font = self.fonts.of(line.bold)
                        if current != (line.bold, line.colour):
                            out += f"/{font.resource_name} {_n(FONT_SIZE)} Tf ".encode()
                            out += _colour(line.colour, "rg") + b"\n"
                            current = (line.bold, line.colour)
                        out += f"1 0 0 1 {_n(x + PAD_X)} {_n(baseline)} Tm ".encode()
                        out += font.encode(line.text) + b" Tj\n"
                    baseline -= LEADING
                out += b"ET\n"
            out += b"EMC\n"
            x += width


@dataclass
class _Cells:
    """One page being drawn: its content and its marked-content ids."""

    drawer: Drawer
    pdf: pydyf.PDF
    out: bytearray
    page: pydyf.Dictionary
    mcids: pydyf.Array

    def tag(self, kind: str, row: pydyf.Dictionary, *, column_header: bool) -> int:
        mcid = len(self.mcids)
        cell = self.drawer._element(self.pdf, kind, row)
        cell["Pg"] = self.page.reference
        cell["K"] = mcid
        if column_header:
            cell["A"] = pydyf.Dictionary({"O": "/Table", "Scope": "/Column"})
        row["K"].append(cell.reference)
        self.mcids.append(cell.reference)
        return mcid
