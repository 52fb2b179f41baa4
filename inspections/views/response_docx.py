"""The response as a Word document: the same content as the response PDF. A published
response prints its latest edition (what was published), a draft its rows as they stand.

Every member who may export may download it (force contributors may not); another body's
response is a 404."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from ..access import require_exporter
from ..editions import edition_content
from ..exports.docx import CONTENT_TYPE, response_document
from ..pdf import document_lang
from ..services import audit
from .common import member
from .pdfs import is_sensitive, pdf_filename, response_for_document

SENSITIVE_PREFIX = "OFFICIAL-SENSITIVE-"


@require_GET
def response_docx(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    require_exporter(membership)
    response = response_for_document(membership, pk)
    report = response.report
    edition = response.editions.order_by("-number").first()
    if edition is not None:
        content = edition.content
        published_on = edition.published_on
        correction = (
            {"on": timezone.localdate(edition.created_at), "reason": edition.correction_reason}
            if edition.is_correction
            else None
        )
    else:
        content, published_on, correction = edition_content(response), None, None
    sensitive = is_sensitive(response.marking, report.marking)
    document = response_document(
        content,
        status=str(response.get_status_display()),
        sensitive=sensitive,
        produced=timezone.localtime(),
        lang=document_lang(),
        published_on=published_on,
        correction=correction,
    )
    audit.exported(request, _("Response Word document: %(title)s") % {"title": report.title})
    name = pdf_filename("response", report).removesuffix(".pdf") + ".docx"
    http = HttpResponse(document, content_type=CONTENT_TYPE)
    http["Content-Disposition"] = (
        f'attachment; filename="{SENSITIVE_PREFIX if sensitive else ""}{name}"'
    )
    http["X-Content-Type-Options"] = "nosniff"
    http["Cache-Control"] = "private, no-store"
    return http
