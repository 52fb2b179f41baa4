"""Importing a tracker spreadsheet, for editors: upload it, match its columns to fields,
see every row checked (the dry run: nothing is saved), then import all the rows or only
the valid ones, in one transaction.

The file waits between the steps as an `ImportUpload` of its uploader; another person's,
or another body's, is a 404. Importing deletes it in the same transaction, and the confirm
carries an idempotency key, so a second confirm imports nothing and says so."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from ..access import get_for_body, require_editor
from ..forms.imports_tracker import (
    ConfirmForm,
    MappingForm,
    TrackerUploadForm,
    check_tracker,
    mapping_for,
    remembered_mapping,
)
from ..imports.files import UploadRefused
from ..imports.trackers import Outcome, Tracker, TrackerPlan, read_tracker
from ..models import ImportKind, ImportUpload, Membership
from ..services import imports_tracker as services
from ..services.idempotency import key_from, once, repeat
from ..services.merging import EditConflict
from .common import member, render_page

UPLOAD = "inspections/imports/tracker.html"
MAP = "inspections/imports/tracker_map.html"
CHECK = "inspections/imports/tracker_check.html"
GONE = "inspections/imports/tracker_gone.html"


def _upload(membership: Membership, upload_pk: int) -> ImportUpload:
    """The member's own tracker upload; anyone else's is a 404."""
    return get_for_body(
        ImportUpload.objects.filter(user=membership.user, kind=ImportKind.TRACKER),
        membership.body,
        pk=upload_pk,
    )


def _read(upload: ImportUpload, sheet: str = "") -> Tracker:
    kind = upload.filename.rsplit(".", 1)[-1].lower()
    return read_tracker(upload.filename, bytes(upload.content), kind, sheet=sheet)


def _refused(request: HttpRequest, refused: UploadRefused) -> HttpResponse:
    """A stored file that can no longer be read (it was checked on upload): start again."""
    form = TrackerUploadForm()
    context = {"form": form, "refused": str(refused)}
    return render_page(request, UPLOAD, context, status=422)


def _options(data: Any) -> tuple[str, bool]:
    return str(data.get("sheet", "")), data.get("unassigned") in ("1", "on", "true", "True")


def _check_url(upload: ImportUpload, sheet: str, unassigned: bool) -> str:
    params = {k: v for k, v in (("sheet", sheet), ("unassigned", "1" if unassigned else "")) if v}
    url = reverse("import_tracker_check", args=[upload.pk])
    return f"{url}?{urlencode(params)}" if params else url


@require_http_methods(["GET", "POST"])
def import_tracker(request: HttpRequest) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    if request.method != "POST":
        return render_page(request, UPLOAD, {"form": TrackerUploadForm()})
    form = TrackerUploadForm(request.POST, request.FILES)
    if not form.is_valid() or form.upload is None:
        return render_page(request, UPLOAD, {"form": form}, status=422)
    upload = services.tracker_upload(
        body=membership.body,
        user=request.user,
        filename=form.upload.name,
        content=form.upload.content,
    )
    return redirect("import_tracker_map", upload_pk=upload.pk)


@require_http_methods(["GET", "POST"])
def import_tracker_map(request: HttpRequest, upload_pk: int) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    upload = _upload(membership, upload_pk)
    sheet, unassigned = _options(request.POST if request.method == "POST" else request.GET)
    try:
        tracker = _read(upload, sheet)
    except UploadRefused as refused:
        return _refused(request, refused)
    mapping = mapping_for(membership.body, tracker)
    if request.method == "POST":
        form = MappingForm(request.POST, tracker=tracker, mapping=mapping)
        if form.is_valid():
            services.mapping_remember(
                body=membership.body, headers=tracker.headers, mapping=form.mapping
            )
            return redirect(_check_url(upload, tracker.sheet, form.cleaned_data["unassigned"]))
        status = 422
    else:
        form = MappingForm(tracker=tracker, mapping=mapping, initial={"unassigned": unassigned})
        status = 200
    context = {
        "upload": upload,
        "tracker": tracker,
        "form": form,
        "remembered": remembered_mapping(membership.body, tracker),
    }
    return render_page(request, MAP, context, status=status)


def _check_page(
    request: HttpRequest,
    *,
    upload: ImportUpload,
    tracker: Tracker,
    plan: TrackerPlan,
    unassigned: bool,
    problem: str = "",
    status: int = 200,
) -> HttpResponse:
    confirm = ConfirmForm(initial={"sheet": tracker.sheet, "unassigned": unassigned})
    errors = [(row, p) for row in plan.rows for p in row.problems]
    context = {
        "upload": upload,
        "tracker": tracker,
        "plan": plan,
        "confirm": confirm,
        "unassigned": unassigned,
        "errors": errors,
        "problem": problem,
        "map_url": reverse("import_tracker_map", args=[upload.pk])
        + (f"?{urlencode({'sheet': tracker.sheet})}" if tracker.sheet else ""),
        "valid_count": len(plan.rows) - plan.count(Outcome.REFUSED),
        "unassigned_url": _check_url(upload, tracker.sheet, unassigned=True),
    }
    return render_page(request, CHECK, context, status=status)


def _gone(request: HttpRequest) -> HttpResponse:
    """The same answer for an upload imported already, one expired and one never ours."""
    return render_page(request, GONE, {}, status=404)


@require_http_methods(["GET", "POST"])
def import_tracker_check(request: HttpRequest, upload_pk: int) -> HttpResponse:
    membership = member(request)
    require_editor(membership)
    if request.method == "POST":
        return _confirm(request, membership, upload_pk)
    upload = _upload(membership, upload_pk)
    sheet, unassigned = _options(request.GET)
    try:
        tracker = _read(upload, sheet)
    except UploadRefused as refused:
        return _refused(request, refused)
    mapping = mapping_for(membership.body, tracker)
    plan = check_tracker(tracker, mapping, body=membership.body, unassigned=unassigned)
    return _check_page(request, upload=upload, tracker=tracker, plan=plan, unassigned=unassigned)


def _confirm(request: HttpRequest, membership: Membership, upload_pk: int) -> HttpResponse:
    key = key_from(request.POST)
    if (first := repeat(key=key, user=request.user)) is not None:
        messages.success(request, first.message)
        return redirect(first.result_url)
    try:
        upload = _upload(membership, upload_pk)
    except Http404:
        return _gone(request)
    confirm = ConfirmForm(request.POST)
    sheet, unassigned = _options(request.POST)
    try:
        tracker = _read(upload, sheet)
    except UploadRefused as refused:
        return _refused(request, refused)
    mapping = mapping_for(membership.body, tracker)
    plan = check_tracker(tracker, mapping, body=membership.body, unassigned=unassigned)

    def page(problem: str, status: int, fresh: TrackerPlan | None = None) -> HttpResponse:
        return _check_page(
            request,
            upload=upload,
            tracker=tracker,
            plan=fresh or plan,
            unassigned=unassigned,
            problem=problem,
            status=status,
        )

    if not confirm.is_valid():
        return page(_("Choose what to import."), 422)
    only_valid = confirm.cleaned_data["rows"] == "valid"
    if plan.has_problems and not only_valid:
        return page(
            _(
                "Some rows have problems, so not every row can be imported. Correct the file "
                "and upload it again, or import only the valid rows."
            ),
            422,
        )
    try:
        outcome = once(
            key=key,
            user=request.user,
            create=lambda: services.tracker_import(
                upload_pk=upload.pk,
                body=membership.body,
                user=request.user,
                plan=plan,
                only_valid=only_valid,
                request=request,
            ),
            answer=lambda summary: (reverse("action_list"), summary.message),
        )
    except services.UploadGone:
        return _gone(request)
    except EditConflict:
        fresh = check_tracker(tracker, mapping, body=membership.body, unassigned=unassigned)
        return page(
            _(
                "Someone changed one of these actions while you were checking the file. "
                "Nothing was imported: here is the check again, with their changes."
            ),
            409,
            fresh,
        )
    messages.success(request, outcome.message)
    return redirect(outcome.result_url)
