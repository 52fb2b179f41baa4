from __future__ import annotations

from django.urls import path, re_path

from .views import (
    account,
    actions,
    audit,
    dashboard,
    entra,
    exports,
    findings,
    history,
    home,
    imports,
    imports_findings,
    imports_response,
    imports_tracker,
    meetings,
    notifications,
    packs,
    pdfs,
    people,
    public,
    reports,
    response_docx,
    responses,
    settings,
    tokens,
    workflow,
)

urlpatterns = [
    path("", home.home, name="home"),
    path("healthz", home.healthz, name="healthz"),
    path("accessibility/", home.accessibility, name="accessibility"),
    path("settings/", settings.body_settings, name="body_settings"),
    path("settings/letterhead/", settings.body_letterhead, name="body_letterhead"),
    path("settings/logo/", settings.body_logo, name="body_logo"),
    # Signing in and out, and passwords: django-allauth's views (its own pages are under
    # /account/, from pcc_responses/urls.py), and the account page.
    path("sign-in/", account.sign_in, name="login"),
    path("sign-out/", account.sign_out, name="logout"),
    path("account/", account.account_hub, name="account"),
    # allauth pages this app does not use; these must be listed before allauth's own.
    path("account/login/", account.sign_in, name="account_login"),  # allauth's address for it
    path("account/email/", account.not_offered),
    path("account/confirm-email/", account.not_offered),
    re_path(r"^account/confirm-email/(?P<key>[-:\w]+)/$", account.not_offered),
    path("account/password/set/", account.not_offered),
    # Microsoft sign-in: the address picks the body; allauth's provider does the rest
    path("sign-in/microsoft/", entra.entra_sign_in, name="entra_sign_in"),
    # Which emails each person gets, and when
    path(
        "account/notifications/",
        notifications.notification_preferences,
        name="notification_preferences",
    ),
    # The dashboard and the lists its figures open
    path("dashboard/", dashboard.dashboard_page, name="dashboard"),
    path("responses/", dashboard.response_list, name="response_list"),
    path("findings/", dashboard.finding_list, name="finding_list"),
    path("board-packs/", packs.pack_list, name="pack_list"),
    path("board-packs/<int:pk>/", packs.pack_detail, name="pack_detail"),
    path("board-packs/<int:pk>/download/", packs.pack_download, name="pack_download"),
    path("board-packs/<int:pk>/retry/", packs.pack_retry, name="pack_retry"),
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
    # People: a body's administrators run its team; invitations are accepted signed out
    path("people/", people.people, name="people"),
    path("people/invite/", people.invite, name="invite"),
    path("people/two-factor/", people.two_factor_policy, name="two_factor_policy"),
    path("people/<int:pk>/", people.person_edit, name="person_edit"),
    path("people/<int:pk>/deactivate/", people.person_deactivate, name="person_deactivate"),
    path("people/<int:pk>/reactivate/", people.person_reactivate, name="person_reactivate"),
    path(
        "people/invitations/<int:pk>/withdraw/",
        people.invitation_withdraw,
        name="invitation_withdraw",
    ),
    path("invitations/<str:token>/", people.invitation_accept, name="invitation_accept"),
    # Sign-in log: the body's administrators read and download it; nothing changes it
    path("people/sign-in-log/", audit.audit_log, name="audit_log"),
    path("people/sign-in-log.csv", audit.audit_log_csv, name="audit_log_csv"),
    # Response import: paste or upload a published response, correct the preview,
    # confirm; and the response as a Word document
    path("imports/response/", imports_response.import_response, name="import_response"),
    path(
        "imports/response/confirm/",
        imports_response.import_response_confirm,
        name="import_response_confirm",
    ),
    path("responses/<int:pk>/docx/", response_docx.response_docx, name="response_docx"),
    # Findings import: a report's findings from its PDF or pasted text, previewed as
    # an editable table, then added in one go
    path(
        "reports/<int:report_pk>/findings/import/",
        imports_findings.import_findings,
        name="import_findings",
    ),
    # Tracker import: upload a CSV or XLSX, map its columns, check every row, import
    path("imports/", imports.imports, name="imports"),
    path("imports/tracker/", imports_tracker.import_tracker, name="import_tracker"),
    path(
        "imports/tracker/<int:upload_pk>/map/",
        imports_tracker.import_tracker_map,
        name="import_tracker_map",
    ),
    path(
        "imports/tracker/<int:upload_pk>/check/",
        imports_tracker.import_tracker_check,
        name="import_tracker_check",
    ),
    # Exports: every list as CSV and XLSX (`fmt`: the view refuses any other) with its
    # filters; feeds of the same CSV for a personal API token (no session); the tokens on
    # the account page.
    path("reports/export.<str:fmt>", exports.report_export, name="report_export"),
    path("findings/export.<str:fmt>", exports.finding_export, name="finding_export"),
    path("responses/export.<str:fmt>", exports.response_export, name="response_export"),
    path("actions/export.<str:fmt>", exports.action_export, name="action_export"),
    path("actions/updates/export.<str:fmt>", exports.update_export, name="update_export"),
    path("people/sign-in-log.xlsx", exports.audit_log_xlsx, name="audit_log_xlsx"),
    path("feeds/<slug:name>.csv", exports.feed, name="feed"),
    path("account/tokens/", tokens.token_list, name="token_list"),
    path("account/tokens/<int:pk>/revoke/", tokens.token_revoke, name="token_revoke"),
    path("meetings/", meetings.meeting_list, name="meeting_list"),
    path("meetings/new/", meetings.meeting_create, name="meeting_create"),
    path("meetings/<int:pk>/", meetings.meeting_detail, name="meeting_detail"),
    path("meetings/<int:pk>/edit/", meetings.meeting_edit, name="meeting_edit"),
    path("meetings/<int:pk>/delete/", meetings.meeting_delete, name="meeting_delete"),
    path("account/calendar/", meetings.calendar_settings, name="calendar_settings"),
    path("calendar/<str:secret>.ics", meetings.calendar_feed, name="calendar_feed"),
    # issue 13: meetings
    # issue 13: slippage
    # issue 13: dashboard
    # issue 13: documents
]
