from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from .views import (
    actions,
    dashboard,
    findings,
    history,
    home,
    packs,
    pdfs,
    public,
    reports,
    responses,
    settings,
    workflow,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accessibility/", home.accessibility, name="accessibility"),
    path("settings/", settings.body_settings, name="body_settings"),
    # Signing in and out, and passwords
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "account/password/",
        auth_views.PasswordChangeView.as_view(template_name="registration/password_change.html"),
        name="password_change",
    ),
    path(
        "account/password/done/",
        auth_views.PasswordChangeDoneView.as_view(
            template_name="registration/password_change_done.html"
        ),
        name="password_change_done",
    ),
    # The dashboard and the lists its figures open
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("responses/", dashboard.response_list, name="response_list"),
    path("findings/", dashboard.finding_list, name="finding_list"),
    path("board-packs/", packs.pack_list, name="pack_list"),
    path("board-packs/<int:pk>/", packs.pack_detail, name="pack_detail"),
    path("board-packs/<int:pk>/download/", packs.pack_download, name="pack_download"),
    # Reports and their findings
    path("reports/", reports.report_list, name="report_list"),
    path("reports/new/", reports.report_create, name="report_create"),
    path("reports/<int:pk>/", reports.report_detail, name="report_detail"),
    path("reports/<int:pk>/edit/", reports.report_edit, name="report_edit"),
    path("reports/<int:pk>/pdf/", pdfs.report_pdf, name="report_pdf"),
    path("reports/<int:report_pk>/findings/new/", findings.finding_add, name="finding_add"),
    path("findings/<int:pk>/", findings.finding_detail, name="finding_detail"),
    path("findings/<int:pk>/edit/", findings.finding_edit, name="finding_edit"),
    path("findings/<int:pk>/move/", findings.finding_move, name="finding_move"),
    path("findings/<int:pk>/delete/", findings.finding_delete, name="finding_delete"),
    # Responses
    path("reports/<int:report_pk>/response/", responses.response_start, name="response_start"),
    path("responses/<int:pk>/", responses.response_detail, name="response_detail"),
    path("responses/<int:pk>/edit/", responses.response_edit, name="response_edit"),
    path("responses/<int:pk>/pdf/", pdfs.response_pdf, name="response_pdf"),
    path("responses/<int:pk>/editions/<int:number>.pdf", pdfs.edition_pdf, name="edition_pdf"),
    path(
        "responses/<int:pk>/entries/<int:finding_pk>/",
        responses.entry_edit,
        name="entry_edit",
    ),
    path(
        "responses/<int:pk>/workflow/<slug:name>/",
        workflow.response_transition,
        name="response_transition",
    ),
    path("responses/<int:pk>/history/", history.response_history, name="response_history"),
    # Assurance actions
    path("actions/", actions.action_list, name="action_list"),
    path("actions/new/", actions.action_create, name="action_create"),
    path("actions/<int:pk>/", actions.action_detail, name="action_detail"),
    path("actions/<int:pk>/edit/", actions.action_edit, name="action_edit"),
    path("actions/<int:pk>/updates/", actions.update_add, name="update_add"),
    path("actions/<int:pk>/evidence/", actions.evidence_add, name="evidence_add"),
    path("evidence/<int:pk>/", actions.evidence_download, name="evidence_download"),
    path("actions/<int:pk>/findings/", actions.finding_picker, name="finding_picker"),
    path("actions/<int:pk>/findings/link/", actions.finding_link, name="finding_link"),
    path(
        "actions/<int:pk>/findings/<int:finding_pk>/unlink/",
        actions.finding_unlink,
        name="finding_unlink",
    ),
    path("actions/<int:pk>/history/", history.action_history, name="action_history"),
    # Public pages: published responses only, no sign-in
    path("public/", public.public_index, name="public_index"),
    path("public/<slug:body_slug>/", public.public_list, name="public_list"),
    path(
        "public/<slug:body_slug>/responses/<int:pk>/",
        public.public_response,
        name="public_response",
    ),
    path(
        "public/<slug:body_slug>/responses/<int:pk>/response.pdf",
        public.public_response_pdf,
        name="public_response_pdf",
    ),
    path("public/<slug:body_slug>/feed/", public.public_feed, name="public_feed"),
]
