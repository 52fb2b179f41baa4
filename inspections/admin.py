"""The Django admin, for the deployment's operators only: superusers. Everyone else signed
in finds no admin at all (a 404 at every /admin/ URL); a visitor is sent to our own sign-in
page, where two-factor sign-in and throttling apply. Each body runs its own people and
records in the workspace."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView, redirect_to_login
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseBase
from django.shortcuts import redirect
from django.urls import URLPattern, URLResolver, reverse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from .forms.actions import EvidenceForm
from .forms.entra import EntraSignInAdminForm
from .models import (
    Addressee,
    AssuranceAction,
    AuditEvent,
    BoardPack,
    CalendarFeed,
    EntraSignIn,
    Evidence,
    Finding,
    Force,
    InspectionReport,
    Inspectorate,
    Meeting,
    Membership,
    PeelGrade,
    PolicingBody,
    ProgressUpdate,
    ReminderSent,
    Response,
    ResponseEntry,
    TargetChange,
)

# --- Operators only ----------------------------------------------------------------------

View = Callable[..., HttpResponseBase]


def is_operator(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and user.is_superuser)


def _refused(request: HttpRequest) -> HttpResponseBase:
    if request.user.is_authenticated:
        raise Http404("No such page.")  # not even a login form: the admin is not for them
    return redirect_to_login(request.get_full_path())  # our sign-in page, then back


def operators_only(site: admin.AdminSite) -> None:
    """Makes `site` the operators' alone, once for every URL it has: it replaces the places
    the admin itself decides who may enter. `has_permission` (what the admin's pages ask),
    `admin_view` (which every admin URL goes through, simple_history's too), the admin's own
    login form (it sends people to ours) and the login URL the admin gives
    LoginRequiredMiddleware for its site-wide pages (ours, so a visitor is sent there
    directly)."""
    admin_view, get_urls = site.admin_view, site.get_urls

    def operators_view(view: View, cacheable: bool = False) -> View:
        checked = admin_view(view, cacheable)

        @wraps(view)
        def inner(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not is_operator(request):
                return _refused(request)
            return checked(request, *args, **kwargs)

        return inner

    @login_not_required
    def login(request: HttpRequest, extra_context: Any = None) -> HttpResponseBase:
        index = reverse("admin:index", current_app=site.name)
        if is_operator(request):
            return redirect(LoginView().get_redirect_url(request) or index)
        if request.user.is_authenticated:
            raise Http404("No such page.")
        return redirect_to_login(LoginView().get_redirect_url(request) or index)

    def urls() -> list[URLResolver | URLPattern]:
        patterns = get_urls()
        for pattern in patterns:
            if hasattr(callback := getattr(pattern, "callback", None), "login_url"):
                callback.login_url = None  # type: ignore[union-attr]  # settings.LOGIN_URL
        return patterns

    site.has_permission = is_operator  # type: ignore[method-assign]
    site.admin_view = operators_view  # type: ignore[method-assign, assignment]
    site.login = login  # type: ignore[method-assign, assignment]
    site.get_urls = urls  # type: ignore[method-assign]


operators_only(admin.site)


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
    # The logo goes in through the body's settings page, where it is checked; not here.
    exclude = ["logo", "logo_content_type"]


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
class InspectionReportAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
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
class FindingAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
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
class ResponseAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
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
class AssuranceActionAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["title", "owner", "status", "percent_complete", "target_on", "rag_colour"]
    list_filter = ["status", "assurance_level", "forum", "body"]
    search_fields = ["title", "description", "force_lead", "findings__reference"]
    list_select_related = ["owner", "body"]  # the body's RAG tolerances
    autocomplete_fields = ["body", "owner", "findings", "response"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [ProgressUpdateInline]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        # Slippage is counted from the recorded changes (AssuranceAction.move_target); an
        # existing action's target moves on its edit page, which asks for the reason.
        slippage = ["original_target_on", "slip_count"]
        if obj is not None:
            slippage.insert(0, "target_on")
        return [*self.readonly_fields, *slippage]

    @admin.display(description="RAG")
    def rag_colour(self, obj: AssuranceAction) -> str:
        return str(obj.rag().label)

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        queryset, _ = super().get_search_results(request, queryset, search_term)
        return queryset.distinct(), False


@admin.register(ProgressUpdate)
class ProgressUpdateAdmin(admin.ModelAdmin[ProgressUpdate]):
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


@admin.register(TargetChange)
class TargetChangeAdmin(admin.ModelAdmin[TargetChange]):
    """Kept as written: read-only here; changes are made through the action's edit page,
    which asks for the reason."""

    list_display = ["action", "from_on", "to_on", "changed_by", "changed_at"]
    search_fields = ["reason", "action__title"]
    list_select_related = ["action", "changed_by"]
    fields = ("action", "from_on", "to_on", "reason", "changed_by", "changed_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):  # type: ignore[misc]
    list_display = ["name", "kind", "held_on", "body"]
    list_filter = ["kind", "body"]
    search_fields = ["name", "notes"]
    list_select_related = ["body"]
    autocomplete_fields = ["body"]
    date_hierarchy = "held_on"
    readonly_fields = ["version", "created_at"]


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin[CalendarFeed]):
    """Only the digest is stored, so there is nothing to show but who, when and whether it
    still works; people make and revoke their own on their account page."""

    list_display = ["user", "body", "created_at", "last_used_at", "revoked_at"]
    list_filter = ["body"]
    search_fields = ["user__username"]
    list_select_related = ["user", "body"]
    fields = ("user", "body", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin[Evidence]):
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
class ReminderSentAdmin(admin.ModelAdmin[ReminderSent]):
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
    "meeting",
    "sensitive",
    "error",
    "heartbeat_at",
    "attempts",
    "finished_at",
    "expires_at",
)


@admin.register(BoardPack)
class BoardPackAdmin(admin.ModelAdmin[BoardPack]):
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


AUDIT_FIELDS = (
    "at",
    "body",
    "user",
    "username",
    "kind",
    "detail",
    "path",
    "ip_address",
    "user_agent",
)


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin[AuditEvent]):
    """The sign-in log of every body, and the failed sign-ins with unknown usernames that
    belong to none: read-only. Rows go only by age (`prune_audit_log`)."""

    list_display = ["at", "body", "username", "kind", "detail", "ip_address"]
    list_filter = ["kind", "body", ("body", admin.EmptyFieldListFilter)]
    search_fields = ["username", "detail", "path", "ip_address"]
    list_select_related = ["body"]
    date_hierarchy = "at"
    fields = AUDIT_FIELDS
    readonly_fields = AUDIT_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(EntraSignIn)
class EntraSignInAdmin(admin.ModelAdmin[EntraSignIn]):
    """A body's Microsoft Entra ID app registration (docs/entra.md). The secret is typed
    in and never shown again; the redirect URI is the one to register in Entra."""

    form = EntraSignInAdminForm
    list_display = ["body", "tenant_id", "client_id", "domain_names", "enabled"]
    list_filter = ["enabled"]
    search_fields = ["body__name", "tenant_id", "client_id", "domains"]
    list_select_related = ["body"]
    autocomplete_fields = ["body"]
    fields = [
        "body",
        "redirect_uri",
        "tenant_id",
        "client_id",
        "client_secret",
        "domains",
        "enabled",
    ]
    readonly_fields = ["redirect_uri"]

    @admin.display(description=_("email domains"))
    def domain_names(self, obj: EntraSignIn) -> str:
        return ", ".join(obj.domain_list)

    @admin.display(description=_("redirect URI to register in Entra"))
    def redirect_uri(self, obj: EntraSignIn | None) -> str:
        if obj is None or obj.pk is None:
            return str(_("Shown once the body is chosen and saved."))
        path = reverse("openid_connect_callback", kwargs={"provider_id": obj.provider_id})
        return settings.SITE_URL.rstrip("/") + path
