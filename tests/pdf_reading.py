"""Reading a tagged PDF back as a reader with a screen reader meets it: its tables cell by
cell from the structure tree (TR, TH, TD) and the marked content each cell points at, and
where on its page each piece of text sits."""

from __future__ import annotations

import io
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from pypdf import PdfReader


@dataclass
class Cell:
    kind: str  # "TH" or "TD"
    page: int  # 0-based
    text: str
    attributes: dict[str, Any] = field(default_factory=dict)


def reader_of(data: bytes) -> PdfReader:
    return PdfReader(io.BytesIO(data))


def marked_text(reader: PdfReader) -> dict[tuple[int, int], str]:
    """The text of every marked-content sequence with an MCID, by (page, MCID)."""
    found: dict[tuple[int, int], list[str]] = defaultdict(list)
    for number, page in enumerate(reader.pages):
        _page_marks(page, number, found)
    return {key: " ".join(" ".join(parts).split()) for key, parts in found.items()}


def _page_marks(page: Any, number: int, found: dict[tuple[int, int], list[str]]) -> None:
    stack: list[int | None] = []

    def before(operator: bytes, operands: list[Any], cm: Any, tm: Any) -> None:
        if operator in (b"BDC", b"BMC"):
            properties: Any = operands[1] if operator == b"BDC" and len(operands) > 1 else {}
            mcid = properties.get("/MCID") if hasattr(properties, "get") else None
            stack.append(int(mcid) if mcid is not None else None)
        elif operator == b"EMC" and stack:
            stack.pop()

    def text(value: str, cm: Any, tm: Any, font: Any, size: Any) -> None:
        mcid = next((m for m in reversed(stack) if m is not None), None)
        if mcid is not None and value.strip():
            found[(number, mcid)].append(value)

    page.extract_text(visitor_operand_before=before, visitor_text=text)


def _kids(element: Any) -> list[Any]:
    kids = element.get("/K")
    if kids is None:
        return []
    return list(kids) if isinstance(kids, list) else [kids]


def struct_elements(reader: PdfReader, kind: str) -> list[Any]:
    """Every structure element of a kind ("/Table", "/Figure"...), in reading order."""
    trailer: Any = reader.trailer
    root = trailer["/Root"]["/StructTreeRoot"]
    found = []

    def visit(node: Any) -> None:
        node = node.get_object()
        if not hasattr(node, "get"):
            return
        if node.get("/S") == kind:
            found.append(node)
        for kid in _kids(node):
            if not isinstance(kid, int):
                visit(kid)

    for kid in _kids(root):
        visit(kid)
    return found


def content_of(
    element: Any, pages: dict[int, int], page: int | None = None
) -> list[tuple[int, int]]:
    """The (page, MCID) pairs under a structure element, in order."""
    if "/Pg" in element:
        page = pages[element.raw_get("/Pg").idnum]
    found = []
    for kid in _kids(element):
        if isinstance(kid, int):
            assert page is not None, "marked content without a page"
            found.append((page, kid))
            continue
        node = kid.get_object()
        if node.get("/Type") == "/MCR":
            mcr_page = pages[node.raw_get("/Pg").idnum] if "/Pg" in node else page
            assert mcr_page is not None
            found.append((mcr_page, int(node["/MCID"])))
        elif node.get("/Type") != "/OBJR" and hasattr(node, "get"):
            found += content_of(node, pages, page)
    return found


def tables(reader: PdfReader) -> list[list[list[Cell]]]:
    """Every tagged table: its rows (header rows first), each a list of cells."""
    pages: dict[int, int] = {
        page.indirect_reference.idnum: n  # type: ignore[union-attr]  # pages of a file have one
        for n, page in enumerate(reader.pages)
    }
    texts = marked_text(reader)
    result = []
    for table in struct_elements(reader, "/Table"):
        rows: list[list[Cell]] = []

        def visit(node: Any, rows: list[list[Cell]] = rows) -> None:
            node = node.get_object()
            if node.get("/S") == "/TR":
                row = []
                for cell_ref in _kids(node):
                    cell = cell_ref.get_object()
                    marks = content_of(cell, pages)
                    text = " ".join(texts.get(mark, "") for mark in marks).strip()
                    attributes = dict(cell.get("/A", {}) or {})
                    page = marks[0][0] if marks else -1
                    row.append(Cell(str(cell["/S"])[1:], page, text, attributes))
                rows.append(row)
                return
            for kid in _kids(node):
                if not isinstance(kid, int):
                    visit(kid)

        visit(table)
        result.append(rows)
    return result


def text_runs(page: Any) -> list[tuple[str, float]]:
    """Each run of text on a page with its height from the bottom, in points."""
    found: list[tuple[str, float]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            found.append((text.strip(), tm[4] * cm[1] + tm[5] * cm[3] + cm[5]))

    page.extract_text(visitor_text=visit)
    return found
