"""The Django admin, for operators. Superusers see every body; staff who are members of
a body see only that body's records, like everywhere else."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest
from simple_history.admin import SimpleHistoryAdmin

from .access import BODY_PATHS
from .forms.actions import EvidenceForm
from .models import (
    Addressee,
    AssuranceAction,
    BoardPack,
    Evidence,
    Finding,
    Force,
    InspectionReport,
    Inspectorate,
    Membership,
    PeelGrade,
    PolicingBody,
    ProgressUpdate,
    ReminderSent,
    Response,
    ResponseEntry,
)


class BodyScopedMixin:
    model: Any

    def get_queryset(self, request: HttpRequest) -> QuerySet[Any]:
        queryset: QuerySet[Any] = super().get_queryset(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return queryset
        membership = getattr(request.user, "membership", None)
        if membership is None:
            return queryset.none()
        return queryset.filter(**{BODY_PATHS[self.model]: membership.body_id})


class BodyScopedAdmin(BodyScopedMixin, SimpleHistoryAdmin):  # type: ignore[misc]
    pass


@admin.register(Force)
class ForceAdmin(admin.ModelAdmin[Force]):
    list_display = ["name", "nation", "valid_from", "valid_to"]
    list_filter = ["nation"]
    search_fields = ["name"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(PolicingBody)
class PolicingBodyAdmin(admin.ModelAdmin[PolicingBody]):
    list_display = ["name", "kind", "force", "valid_from", "valid_to"]
    list_filter = ["kind", "force__nation"]
    search_fields = ["name", "force__name"]
    list_select_related = ["force"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Inspectorate)
class InspectorateAdmin(admin.ModelAdmin[Inspectorate]):
    list_display = ["short_name", "name", "code"]
    search_fields = ["short_name", "name"]


@admin.register(Addressee)
class AddresseeAdmin(admin.ModelAdmin[Addressee]):
    list_display = ["name", "code", "answerable", "position"]
    list_filter = ["answerable"]


@admin.register(Membership)
class MembershipAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["user", "body", "role", "job_title"]
    list_filter = ["role", "body"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "body__name"]
    list_select_related = ["user", "body"]
    autocomplete_fields = ["user", "body"]


class PeelGradeInline(admin.TabularInline[PeelGrade, InspectionReport]):
    model = PeelGrade
    extra = 0


class FindingInline(admin.StackedInline[Finding, InspectionReport]):
    model = Finding
    extra = 0
    fields = [
        ("kind", "reference", "position"),
        "text",
        "addressees",
        ("deadline_text", "deadline"),
        ("inspectorate_status", "force_complete_on", "body_assured_on", "assurance_level"),
    ]
    filter_horizontal = ["addressees"]
    show_change_link = True


@admin.register(InspectionReport)
class InspectionReportAdmin(BodyScopedAdmin):
    list_display = ["title", "report_type", "lead_inspectorate", "published_on", "body", "marking"]
    list_filter = ["report_type", "lead_inspectorate", "scope", "marking", "body"]
    search_fields = ["title", "reference", "findings__text"]
    date_hierarchy = "published_on"
    list_select_related = ["lead_inspectorate", "body"]
    autocomplete_fields = ["body", "forces"]
    filter_horizontal = ["partner_inspectorates"]
    inlines = [PeelGradeInline, FindingInline]

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(Finding)
class FindingAdmin(BodyScopedAdmin):
    list_display = ["reference", "kind", "report", "inspectorate_status", "deadline"]
    list_filter = ["kind", "inspectorate_status", "report__report_type"]
    search_fields = ["reference", "text", "report__title"]
    list_select_related = ["report"]
    autocomplete_fields = ["report", "cause_of_concern"]
    filter_horizontal = ["addressees"]


class ResponseEntryInline(admin.StackedInline[ResponseEntry, Response]):
    model = ResponseEntry
    extra = 0
    autocomplete_fields = ["finding"]


@admin.register(Response)
class ResponseAdmin(BodyScopedAdmin):
    list_display = ["report", "body", "status", "due_on", "published_on", "marking"]
    list_filter = ["status", "marking", "body"]
    search_fields = ["report__title", "comments", "signatory_name"]
    list_select_related = ["report", "body"]
    autocomplete_fields = ["report", "body", "approved_by"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ResponseEntryInline]
    fieldsets = [
        (None, {"fields": ["body", "report", "status", "marking", "version"]}),
        (
            "Chief officer",
            {
                "fields": [
                    ("chief_invited_on", "chief_reply_by", "chief_comments_received_on"),
                    "chief_comments",
                    "chief_comments_reply",
                ]
            },
        ),
        ("The body's comments", {"fields": ["comments", "closing_line", "no_response_reason"]}),
        ("Signature", {"fields": [("signatory_name", "signatory_role")]}),
        (
            "Approval and publication",
            {
                "fields": [
                    ("approved_by", "approved_at"),
                    ("published_on", "published_url"),
                    ("copy_to_inspectorate_on", "copy_to_home_secretary_on"),
                ]
            },
        ),
    ]


class ProgressUpdateInline(admin.TabularInline[ProgressUpdate, AssuranceAction]):
    """Updates are appended, never edited: existing rows are read-only."""

    model = ProgressUpdate
    extra = 0
    fields = ["written_at", "author", "text", "percent_complete", "status"]
    readonly_fields = ["written_at", "author", "text", "percent_complete", "status"]
    can_delete = False
    ordering = ["-written_at"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AssuranceAction)
class AssuranceActionAdmin(BodyScopedAdmin):
    list_display = ["title", "owner", "status", "percent_complete", "target_on", "rag_colour"]
    list_filter = ["status", "assurance_level", "forum", "body"]
    search_fields = ["title", "description", "force_lead", "findings__reference"]
    list_select_related = ["owner", "body"]  # the body's RAG tolerances
    autocomplete_fields = ["body", "owner", "findings", "response"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProgressUpdateInline]

    @admin.display(description="RAG")
    def rag_colour(self, obj: AssuranceAction) -> str:
        return str(obj.rag().label)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(BodyScopedMixin, admin.ModelAdmin[ProgressUpdate]):
    """Append-only: add is allowed, change and delete are not."""

    list_display = ["action", "written_at", "author", "percent_complete", "status"]
    list_filter = ["status"]
    search_fields = ["text", "action__title"]
    list_select_related = ["action", "author"]
    autocomplete_fields = ["action", "author"]

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(BodyScopedMixin, admin.ModelAdmin[Evidence]):
    """Kept as uploaded: add (through the same checks as the workspace), never change or
    delete. Files are downloaded through the workspace, which checks the body."""

    form = EvidenceForm
    list_display = ["original_name", "action", "size", "uploaded_by", "uploaded_at"]
    search_fields = ["original_name", "description", "action__title"]
    list_select_related = ["action", "uploaded_by"]
    autocomplete_fields = ["action"]
    fields = ["action", "file", "description"]

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return self.fields
        # No file link: MEDIA_ROOT has no URL, and the workspace download checks the body.
        return [
            "action",
            "original_name",
            "content_type",
            "size",
            "description",
            "uploaded_by",
            "uploaded_at",
        ]

    def save_model(self, request: HttpRequest, obj: Evidence, form: Any, change: bool) -> None:
        if not change:
            obj.uploaded_by = request.user  # type: ignore[assignment]
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ReminderSent)
class ReminderSentAdmin(BodyScopedMixin, admin.ModelAdmin[ReminderSent]):
    """The record of reminder emails, written only by the reminder job: read-only here.
    Deleting a row would let the job send that reminder again."""

    list_display = ["sent_on", "recipient", "kind", "subject_label", "key"]
    list_filter = ["kind", "sent_on", "body"]
    search_fields = ["subject_label", "key", "recipient__username", "recipient__email"]
    list_select_related = ["recipient"]
    date_hierarchy = "sent_on"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


PACK_FIELDS = (
    "body",
    "requested_by",
    "created_at",
    "filters",
    "since",
    "status",
    "progress",
    "stage",
    "size",
    "sensitive",
    "error",
    "finished_at",
    "expires_at",
)


@admin.register(BoardPack)
class BoardPackAdmin(BodyScopedMixin, admin.ModelAdmin[BoardPack]):
    """Written only by the board pack task: read-only here. No file link: MEDIA_ROOT has no
    URL, and the workspace download checks the body and the expiry."""

    list_display = ["created_at", "body", "requested_by", "status", "progress", "expires_at"]
    list_filter = ["status", "sensitive", "body"]
    search_fields = ["body__name", "requested_by__username", "error"]
    list_select_related = ["body", "requested_by"]
    date_hierarchy = "created_at"
    fields = PACK_FIELDS
    readonly_fields = PACK_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
