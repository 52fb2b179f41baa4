"""The body's letterhead: its logo and office address, as the response PDF and the board
pack print them, and the checks a logo passes before it is stored.

A logo is a PNG or an SVG. A PNG must be one (its signature, and Pillow decodes every
pixel within a size limit). An SVG is parsed with defusedxml (no document type, entities
or external references) and every element and attribute must be on an allow-list of
plain drawing: shapes, paths, text, groups, gradients and references within the file
(`#id`). Anything else (scripts, event handlers, foreignObject, images, links, styles,
editors' own elements) is refused, saying what it found; what is stored is the checked
tree written out again, so nothing the check did not see (comments, processing
instructions) is kept.

Stored files go through Django's storage API under MEDIA_ROOT, never served directly:
members see the logo through an access-checked view, and PDFs get it from
`SafeURLFetcher`, which serves the one letterhead URL from memory and nothing else."""

from __future__ import annotations

import hashlib
import io
import re
import zlib
from dataclasses import dataclass, field
from pathlib import PurePath
from xml.etree.ElementTree import Element
from xml.sax.saxutils import escape

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

from .models import PolicingBody
from .pdf import ASSET_BASE

PNG, SVG = "image/png", "image/svg+xml"
LOGO_TYPES = {".png": PNG, ".svg": SVG}
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 4096 * 4096
MAX_SVG_ELEMENTS = 5000
# Where documents find the logo: the PDF fetcher serves this one URL from memory.
LOGO_URL = f"{ASSET_BASE}letterhead/logo"

SVG_NS = "http://www.w3.org/2000/svg"
XLINK_NS = "http://www.w3.org/1999/xlink"
XML_NS = "http://www.w3.org/XML/1998/namespace"

# What a logo may draw with. Nothing that runs, fetches, links or embeds.
ELEMENTS = frozenset(
    {
        "svg",
        "g",
        "defs",
        "title",
        "desc",
        "path",
        "rect",
        "circle",
        "ellipse",
        "line",
        "polyline",
        "polygon",
        "text",
        "tspan",
        "linearGradient",
        "radialGradient",
        "stop",
        "clipPath",
        "use",
        "symbol",
    }
)
PRESENTATION = frozenset(
    {
        "fill",
        "fill-opacity",
        "fill-rule",
        "stroke",
        "stroke-width",
        "stroke-opacity",
        "stroke-linecap",
        "stroke-linejoin",
        "stroke-miterlimit",
        "stroke-dasharray",
        "stroke-dashoffset",
        "opacity",
        "stop-color",
        "stop-opacity",
        "clip-path",
        "clip-rule",
        "font-family",
        "font-size",
        "font-weight",
        "font-style",
        "text-anchor",
        "dominant-baseline",
        "letter-spacing",
        "visibility",
        "display",
    }
)
ATTRIBUTES = PRESENTATION | {
    "id",
    "class",
    "version",
    "x",
    "y",
    "x1",
    "y1",
    "x2",
    "y2",
    "cx",
    "cy",
    "r",
    "rx",
    "ry",
    "fx",
    "fy",
    "dx",
    "dy",
    "width",
    "height",
    "d",
    "points",
    "transform",
    "viewBox",
    "preserveAspectRatio",
    "offset",
    "gradientUnits",
    "gradientTransform",
    "spreadMethod",
    "clipPathUnits",
    "style",
    "href",
    f"{{{XLINK_NS}}}href",
    f"{{{XML_NS}}}space",
    f"{{{XML_NS}}}lang",
}
# A reference may only point inside the file: href="#id", url(#id).
LOCAL_HREF = re.compile(r"#[A-Za-z_][\w.-]*")
URL_FUNCTION = re.compile(r"url\(\s*([^)]*?)\s*\)", re.IGNORECASE)
# In a style attribute: plain "property: value" pairs, nothing that escapes or imports.
STYLE_DECLARATION = re.compile(r"^\s*([a-z-]+)\s*:\s*([^;]*?)\s*$")
UNSAFE_VALUE = re.compile(r"[\\@<>]|javascript|expression|data:", re.IGNORECASE)


class LogoRefused(ValueError):
    """The message says what is wrong with the file and what to do."""


@dataclass(frozen=True)
class CheckedLogo:
    content: bytes
    content_type: str
    extension: str


def max_bytes() -> int:
    return int(settings.LOGO_MAX_BYTES)


def check_logo(name: str, content: bytes) -> CheckedLogo:
    """The logo as it will be stored, or LogoRefused. The type comes from the name's
    extension and the content must be of that type."""
    extension = PurePath(name).suffix.lower()
    if extension not in LOGO_TYPES:
        raise LogoRefused(_("The logo must be a PNG or an SVG file."))
    if not content:
        raise LogoRefused(_("The selected file is empty."))
    if len(content) > max_bytes():
        raise LogoRefused(
            _("The logo must be smaller than %(size)s.") % {"size": filesizeformat(max_bytes())}
        )
    if extension == ".png":
        return CheckedLogo(_check_png(content), PNG, extension)
    return CheckedLogo(_check_svg(content), SVG, extension)


def _png_chunks_whole(content: bytes) -> bool:
    """Every chunk complete with its checksum right, ending with IEND and nothing after."""
    at = len(PNG_SIGNATURE)
    while at + 12 <= len(content):
        length = int.from_bytes(content[at : at + 4], "big")
        kind = content[at + 4 : at + 8]
        end = at + 12 + length
        if end > len(content):
            return False
        checksum = int.from_bytes(content[end - 4 : end], "big")
        if zlib.crc32(content[at + 4 : end - 4]) != checksum:
            return False
        if kind == b"IEND":
            return end == len(content)
        at = end
    return False


def _check_png(content: bytes) -> bytes:
    not_png = LogoRefused(_("The file is not a PNG image. Check it is the right file."))
    if not content.startswith(PNG_SIGNATURE) or not _png_chunks_whole(content):
        raise not_png
    try:
        with Image.open(io.BytesIO(content), formats=["PNG"]) as image:
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise LogoRefused(
                    _(
                        "The logo is too large: %(width)s × %(height)s pixels. Use one of at "
                        "most 4,096 × 4,096."
                    )
                    % {"width": width, "height": height}
                )
            image.load()  # decodes every pixel: a damaged file fails here
    except LogoRefused:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError):
        raise not_png from None
    return content


def _refuse(what: str) -> LogoRefused:
    return LogoRefused(
        _(
            "The SVG cannot be used as a logo: it contains %(what)s. A logo may only draw "
            "shapes, paths and text. Save it as a plain SVG, or as a PNG."
        )
        % {"what": what}
    )


def _local_name(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        namespace, _sep, local = tag[1:].partition("}")
        return namespace, local
    return "", tag


def _check_value(element: str, attribute: str, value: str) -> None:
    lowered = value.strip().lower()
    if attribute in ("href", f"{{{XLINK_NS}}}href"):
        if element not in ("use", "linearGradient", "radialGradient") or not LOCAL_HREF.fullmatch(
            value.strip()
        ):
            raise _refuse(
                _("a link or reference to another file (%(value)s)") % {"value": value[:80]}
            )
        return
    for target in URL_FUNCTION.findall(value):
        if not LOCAL_HREF.fullmatch(target.strip("'\"")):
            raise _refuse(_("a reference to another file (%(value)s)") % {"value": value[:80]})
    if UNSAFE_VALUE.search(lowered) and attribute != "d":
        raise _refuse(
            _("the attribute %(name)s=“%(value)s”") % {"name": attribute, "value": value[:80]}
        )
    if attribute == "style":
        for declaration in filter(str.strip, value.split(";")):
            match = STYLE_DECLARATION.match(declaration)
            if match is None or match.group(1) not in PRESENTATION:
                raise _refuse(_("the style “%(value)s”") % {"value": declaration.strip()[:80]})


def _check_svg(content: bytes) -> bytes:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LogoRefused(_("The file is not an SVG image (it is not UTF-8 text).")) from None
    try:
        root: Element = fromstring(
            text, forbid_dtd=True, forbid_entities=True, forbid_external=True
        )
    except DefusedXmlException:
        raise _refuse(_("a document type or entity declarations")) from None
    except Exception:  # ParseError and anything the parser raises on broken input
        raise LogoRefused(_("The file is not an SVG image. Check it is the right file.")) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise LogoRefused(_("The file is not an SVG image. Check it is the right file."))
    for count, element in enumerate(root.iter(), start=1):
        if count > MAX_SVG_ELEMENTS:
            raise LogoRefused(_("The SVG is too complex for a logo. Simplify it, or use a PNG."))
        if not isinstance(element.tag, str):
            raise _refuse(_("something other than drawing"))
        namespace, local = _local_name(element.tag)
        if namespace != SVG_NS or local not in ELEMENTS:
            raise _refuse(_("the element <%(name)s>") % {"name": local})
        for attribute, value in element.attrib.items():
            if attribute not in ATTRIBUTES:
                raise _refuse(_("the attribute %(name)s") % {"name": _local_name(attribute)[1]})
            _check_value(local, attribute, value)
    # Written out again: what is stored is what was checked.
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + _serialise(root, top=True)).encode()


def _attribute_name(name: str) -> str:
    namespace, local = _local_name(name)
    return {XLINK_NS: "xlink:", XML_NS: "xml:"}.get(namespace, "") + local


def _serialise(element: Element, *, top: bool = False) -> str:
    """An element the check accepted, as SVG: only allow-listed names reach here."""
    _namespace, name = _local_name(element.tag)
    attributes = [f' xmlns="{SVG_NS}"', f' xmlns:xlink="{XLINK_NS}"'] if top else []
    attributes += [
        f' {_attribute_name(key)}="{escape(value, {chr(34): "&quot;"})}"'
        for key, value in element.attrib.items()
    ]
    inner = escape(element.text or "") + "".join(
        _serialise(child) + escape(child.tail or "") for child in element
    )
    return f"<{name}{''.join(attributes)}>{inner}</{name}>"


@dataclass(frozen=True)
class Letterhead:
    """What a document prints at its head: the logo (its bytes, served to WeasyPrint from
    memory) and the office's name and address."""

    office: str
    address_lines: list[str] = field(default_factory=list)
    logo: bytes = b""
    logo_type: str = ""

    @property
    def logo_url(self) -> str:
        return LOGO_URL if self.logo else ""

    def resources(self) -> dict[str, tuple[bytes, str]]:
        """For `pdf.render_pdf`: the URLs its fetcher may serve, with their content."""
        return {LOGO_URL: (self.logo, self.logo_type)} if self.logo else {}

    @classmethod
    def of(cls, body: PolicingBody) -> Letterhead | None:
        """The body's letterhead, or None when it has neither logo nor address. A logo
        missing from storage is left out (and logged by the storage), never fatal."""
        lines = [line.strip() for line in body.office_address.splitlines() if line.strip()]
        logo = read_logo(body)
        if not lines and not logo:
            return None
        return cls(
            office=body.office_name,
            address_lines=lines,
            logo=logo,
            logo_type=body.logo_content_type if logo else "",
        )


def read_logo(body: PolicingBody) -> bytes:
    if not body.logo:
        return b""
    try:
        with body.logo.storage.open(str(body.logo.name), "rb") as handle:
            content = bytes(handle.read(max_bytes() + 1))
    except FileNotFoundError:
        return b""
    return content if len(content) <= max_bytes() else b""


def letterhead_version(body: PolicingBody) -> str:
    """What the letterhead form started from (its logo's stored name and the address),
    as a short digest: a save based on another is refused."""
    seen = f"{body.logo.name or ''}\n{body.office_address}"
    return hashlib.sha256(seen.encode()).hexdigest()[:16]
