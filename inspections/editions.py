"""What a published response says, as one frozen document.

`edition_content` takes the text of a response as it stands (the body's comments, the
chief officer's comments and the body's reply to them, every entry with the
recommendation's text as it then stood, the signatory and the closing line). Publishing
stores that as an edition; the public page, the feed and the response PDF of a published
response are rendered from the edition's content, never from the live rows, so editing a
report or a finding afterwards changes nothing that was published.

The same content renders a draft's PDF, so a draft and its edition look the same."""

from __future__ import annotations

from typing import Any

from django.utils import timezone

from .letterhead import Letterhead
from .models import Finding, FindingKind, Marking, Response, highest_marking
from .pdf import document_lang, render_document

# Bumped if the content's shape ever changes, so old editions still render.
CONTENT_VERSION = 1


def published_rows(response: Response) -> list[tuple[Finding, Any]]:
    """The recommendations a response prints, with their entries: every one it must
    answer, and any other the body chose to answer. Report order."""
    entries = {entry.finding_id: entry for entry in response.entries.all()}
    return [
        (finding, entries.get(finding.pk))
        for finding in response.report.findings.all()
        if finding.kind == FindingKind.RECOMMENDATION
        and (finding.is_answerable() or finding.pk in entries)
    ]


def edition_content(response: Response) -> dict[str, Any]:
    """The published text of a response as it stands now. Callers prefetch
    `report__findings__addressees` and `entries`."""
    report = response.report
    return {
        "content_version": CONTENT_VERSION,
        "title": report.title_with_month,
        "office": response.body.office_name,
        "report_title": report.title,
        "report_url": report.url,
        "comments": response.comments,
        "chief_comments": response.chief_comments,
        "chief_comments_received_on": (
            response.chief_comments_received_on.isoformat()
            if response.chief_comments_received_on
            else None
        ),
        "chief_comments_reply": response.chief_comments_reply,
        "entries": [
            {
                "reference": finding.reference,
                "recommendation": finding.text,
                "answer": entry.answer if entry else "",
                "answer_label": str(entry.get_answer_display()) if entry else "",
                "text": entry.text if entry else "",
            }
            for finding, entry in published_rows(response)
        ],
        "signatory_name": response.signatory_name,
        "signatory_role": response.signatory_role,
        "closing_line": response.closing_line,
    }


def differs_from_published(response: Response, content: dict[str, Any]) -> bool:
    """Whether the live text of a published response now differs from what was published
    (the inspectorate's wording moved on, or an approver is preparing a correction)."""
    return edition_content(response) != content


def render_response_pdf(
    content: dict[str, Any],
    *,
    response: Response,
    published_on: Any = None,
    correction: dict[str, Any] | None = None,
    produced: Any = None,
) -> bytes:
    """The response as bodies publish it, on the body's letterhead (as it is now: an
    edition stores the PDF, so its letterhead stays as it was when it was published),
    marked with the highest marking of the response and its report."""
    sensitive = (
        highest_marking(response.marking, response.report.marking) == Marking.OFFICIAL_SENSITIVE
    )
    context = {
        "doc": content,
        "status": response.get_status_display(),
        "published_on": published_on,
        "correction": correction,
        "sensitive": sensitive,
        "author": content["office"],
        "lang": document_lang(),
        "produced": produced or timezone.localtime(),
        "letterhead": (letterhead := Letterhead.of(response.body)),
    }
    resources = letterhead.resources() if letterhead else {}
    return render_document("pdf/response.html", context, resources=resources)
