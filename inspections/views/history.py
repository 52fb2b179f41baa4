"""History pages: every version of a response (with its entries) or of an action, who made
it and when, and what changed since the version before. Any member of the body may read
them. Each page fetches all its historical rows up front, so the number of queries does
not grow with the number of versions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from .. import history
from ..access import get_for_body
from ..models import AssuranceAction, Finding, PolicingBody, Response, ResponseEntry
from .common import member, render_page

RESPONSE = "inspections/history/response.html"
ACTION = "inspections/history/action.html"


def _ids(rows: Iterable[Any], attname: str) -> set[Any]:
    return {value for row in rows if (value := getattr(row, attname)) is not None}


def _people(ids: set[Any]) -> dict[Any, str]:
    if not ids:
        return {}
    return {user.pk: history.person(user) for user in get_user_model().objects.filter(pk__in=ids)}


def _finding_references(body: PolicingBody, ids: set[Any]) -> dict[Any, str]:
    """The references of findings, including ones since deleted (from their own history;
    the ids come from this body's records, so nothing of another body is named)."""
    if not ids:
        return {}
    found = dict(
        Finding.objects.filter(report__body=body, pk__in=ids).values_list("pk", "reference")
    )
    if missing := ids - found.keys():
        for pk, reference in (
            Finding.history.filter(id__in=missing)
            .order_by("history_date", "history_id")
            .values_list("id", "reference")
        ):
            found[pk] = reference  # the latest reference wins
    return found


@require_GET
def response_history(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    response = get_for_body(Response.objects.select_related("report"), membership.body, pk=pk)
    rows = list(Response.history.filter(id=response.pk).select_related("history_user"))
    entry_rows = list(
        ResponseEntry.history.filter(response_id=response.pk).select_related("history_user")
    )
    references = _finding_references(membership.body, _ids(entry_rows, "finding_id"))

    def entry_subject(row: Any) -> str:
        reference = references.get(row.finding_id, _("a recommendation"))
        return _("Entry for %(reference)s") % {"reference": reference}

    versions = history.newest_first(
        history.versions(
            rows,
            Response,
            exclude={"body", "report"},
            related={"approved_by": _people(_ids(rows, "approved_by_id"))},
        ),
        history.versions(
            entry_rows, ResponseEntry, exclude={"response", "finding"}, subject=entry_subject
        ),
    )
    context = {
        "response": response,
        "report": response.report,
        "versions": versions,
        "editions": list(response.editions.order_by("-number")),
    }
    return render_page(request, RESPONSE, context)


@require_GET
def action_history(request: HttpRequest, pk: int) -> HttpResponse:
    membership = member(request)
    body = membership.body
    action = get_for_body(AssuranceAction.objects.all(), body, pk=pk)
    rows = list(AssuranceAction.history.filter(id=action.pk).select_related("history_user"))
    # The findings each version was linked to, from the many-to-many history table.
    linked: dict[int, set[Any]] = defaultdict(set)
    through = AssuranceAction.history.model.findings.model
    for history_id, finding_id in through.objects.filter(history__id=action.pk).values_list(
        "history_id", "finding_id"
    ):
        linked[history_id].add(finding_id)
    findings = history.ManyToMany(
        label=str(AssuranceAction._meta.get_field("findings").verbose_name),
        members={history_id: frozenset(ids) for history_id, ids in linked.items()},
        names=_finding_references(body, {pk for ids in linked.values() for pk in ids}),
    )
    response_ids = _ids(rows, "response_id")
    responses = (
        {
            r.pk: r.report.title_with_month
            for r in Response.objects.filter(body=body, pk__in=response_ids).select_related(
                "report"
            )
        }
        if response_ids
        else {}
    )
    versions = history.versions(
        rows,
        AssuranceAction,
        exclude={"body"},
        related={"owner": _people(_ids(rows, "owner_id")), "response": responses},
        many_to_many={"findings": findings},
    )
    context = {"action": action, "versions": history.newest_first(versions)}
    return render_page(request, ACTION, context)
