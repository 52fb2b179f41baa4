"""The sign-in log: what the app writes to it (through real sign-ins, refusals and
exports over HTTP), who may read and download it, and that nothing in the app changes or
deletes a row; the retention command deletes the old ones."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from inspections.models import (
    AuditEvent,
    AuditKind,
    BoardPack,
    Membership,
    PackStatus,
    PolicingBody,
    Role,
)
from inspections.models.audit import ReadOnlyError
from inspections.services import audit
from inspections.two_factor import enable_totp, totp_code

from .conftest import ADA_TOTP_SECRET, signed_in
from .factories import (
    PASSWORD,
    SMALL_PDF,
    EvidenceFactory,
    MembershipFactory,
    ReportFactory,
    ResponseFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Where the requests come from: an address and a browser the log must show.
ADDRESS = "203.0.113.7"
BROWSER = "AuditTest/1.0 (X11; Linux x86_64)"
FROM: dict[str, Any] = {"REMOTE_ADDR": ADDRESS, "HTTP_USER_AGENT": BROWSER}
NEW_PASSWORD = "another-long-passphrase-2026"
HTMX = {"HX-Request": "true"}


def log_page(client: Client, **params: str) -> str:
    response = client.get(reverse("audit_log"), params)
    assert response.status_code == 200
    return response.content.decode()


def only(**lookup: object) -> AuditEvent:
    events = list(AuditEvent.objects.filter(**lookup))
    assert len(events) == 1, events
    return events[0]


def sign_in_through_the_form(username: str, password: str = PASSWORD) -> Client:
    client = Client()
    response = client.post(
        reverse("account_login"), {"login": username, "password": password}, **FROM
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return client


def csv_rows(response) -> list[list[str]]:
    content = b"".join(response.streaming_content).decode("utf-8")
    assert content.startswith("\ufeff")  # the byte order mark, for Excel
    return list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))


@pytest.fixture
def otto(other_body: PolicingBody) -> Membership:
    """Thames Valley's administrator."""
    user = UserFactory.create(username="otto", first_name="Otto")
    enable_totp(user, ADA_TOTP_SECRET)  # administrators must use two-factor sign-in
    return MembershipFactory.create(
        user=user, body=other_body, role=Role.ANALYST, is_administrator=True
    )


# --- Signing in and out -------------------------------------------------------------------


def test_a_password_sign_in_is_logged_with_who_how_where_and_which_browser(alice, ada_client):
    sign_in_through_the_form("alice")
    event = only(kind=AuditKind.SIGNED_IN, username="alice")
    assert event.user == alice.user
    assert event.body == alice.body
    assert event.detail == "password"
    assert event.ip_address == ADDRESS
    assert event.user_agent == BROWSER
    assert abs(event.at - timezone.now()) < dt.timedelta(minutes=1)
    page = log_page(ada_client)
    assert "Signed in" in page
    assert "alice" in page
    assert ADDRESS in page
    assert BROWSER in page


def test_a_sign_in_with_an_authenticator_app_names_both_steps(ada):
    client = Client()
    response = client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD}, **FROM)
    assert response.status_code == 302
    assert not AuditEvent.objects.filter(kind=AuditKind.SIGNED_IN).exists()  # not yet
    response = client.post(
        reverse("mfa_authenticate"), {"code": totp_code(ADA_TOTP_SECRET)}, **FROM
    )
    assert response.status_code == 302
    event = only(kind=AuditKind.SIGNED_IN)
    assert (event.username, event.detail) == ("ada", "password and authenticator app")


def test_a_wrong_authenticator_code_is_a_failed_sign_in(ada):
    client = Client()
    client.post(reverse("account_login"), {"login": "ada", "password": PASSWORD}, **FROM)
    wrong = "000000" if totp_code(ADA_TOTP_SECRET) != "000000" else "111111"
    client.post(reverse("mfa_authenticate"), {"code": wrong}, **FROM)
    event = only(kind=AuditKind.SIGN_IN_FAILED)
    assert (event.user, event.body) == (ada.user, ada.body)
    assert event.detail == "Wrong authenticator app code"


def test_a_failed_sign_in_for_a_member_is_logged_in_their_body_without_the_password(
    alice, ada_client
):
    response = Client().post(
        reverse("account_login"), {"login": "alice", "password": "guess-Number-1"}, **FROM
    )
    assert response.status_code == 422  # the form again
    event = only(kind=AuditKind.SIGN_IN_FAILED)
    assert (event.username, event.user, event.body) == ("alice", alice.user, alice.body)
    assert (event.ip_address, event.user_agent) == (ADDRESS, BROWSER)
    row = AuditEvent.objects.filter(pk=event.pk).values().get()
    assert not any("guess-Number-1" in str(value) for value in row.values())
    page = log_page(ada_client, kind=AuditKind.SIGN_IN_FAILED)
    assert "Sign-in failed" in page
    assert "alice" in page


def test_a_failed_sign_in_by_email_address_is_logged_against_that_member(alice):
    Client().post(
        reverse("account_login"), {"login": "ALICE@example.org", "password": "nope"}, **FROM
    )
    event = only(kind=AuditKind.SIGN_IN_FAILED)
    assert (event.username, event.body) == ("ALICE@example.org", alice.body)


def test_a_failed_sign_in_for_an_unknown_username_is_seen_by_operators_only(
    alice, ada_client, otto
):
    Client().post(reverse("account_login"), {"login": "mallory", "password": "x-y-z"}, **FROM)
    event = only(kind=AuditKind.SIGN_IN_FAILED)
    assert (event.username, event.user, event.body) == ("mallory", None, None)
    assert "mallory" not in log_page(ada_client)
    assert "mallory" not in log_page(signed_in(otto))
    operator = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    admin = client.get(reverse("admin:inspections_auditevent_changelist"))
    assert admin.status_code == 200
    assert "mallory" in admin.content.decode()


def test_a_throttled_sign_in_is_logged(settings, alice):
    settings.ACCOUNT_RATE_LIMITS = {"login": "1/m/ip"}
    client = Client()
    client.post(reverse("account_login"), {"login": "alice", "password": "x"}, **FROM)
    response = client.post(reverse("account_login"), {"login": "alice", "password": "x"}, **FROM)
    assert response.status_code == 429
    event = AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_FAILED).first()  # newest
    assert event is not None
    assert (event.username, event.body) == ("alice", alice.body)
    assert "too many" in event.detail


def test_a_sign_in_refused_after_too_many_failures_is_logged(settings, alice):
    settings.ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip,2/15m/key"}
    client = Client()
    for _ in range(3):
        client.post(reverse("account_login"), {"login": "alice", "password": "x"}, **FROM)
    details = list(
        AuditEvent.objects.filter(kind=AuditKind.SIGN_IN_FAILED, user=alice.user)
        .order_by("pk")
        .values_list("detail", flat=True)
    )
    assert details == [
        "Wrong username or password",
        "Wrong username or password",
        "Refused without checking: too many failed attempts",
    ]


def test_signing_out_is_logged(alice_client, alice):
    alice_client.post(reverse("logout"), **FROM)
    event = only(kind=AuditKind.SIGNED_OUT)
    assert (event.user, event.body, event.ip_address) == (alice.user, alice.body, ADDRESS)


def test_a_password_change_is_logged(alice):
    client = sign_in_through_the_form("alice")
    response = client.post(
        reverse("account_change_password"),
        {"oldpassword": PASSWORD, "password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        **FROM,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = only(kind=AuditKind.PASSWORD_CHANGED)
    assert (event.user, event.body, event.user_agent) == (alice.user, alice.body, BROWSER)


def test_a_password_reset_is_logged(alice):
    client = Client()
    client.post(reverse("account_reset_password"), {"email": "alice@example.org"}, **FROM)
    assert len(mail.outbox) == 1
    link = re.search(r"https?://[^/\s]+(/\S+/password/reset/key/\S+/)", str(mail.outbox[0].body))
    assert link is not None, mail.outbox[0].body
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    response = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        **FROM,
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    event = only(kind=AuditKind.PASSWORD_RESET)
    assert (event.user, event.body, event.ip_address) == (alice.user, alice.body, ADDRESS)


@pytest.mark.django_db(transaction=True)  # allauth announces it once the change commits
def test_turning_an_authenticator_app_on_and_off_is_logged(alice, ada_client):
    client = sign_in_through_the_form("alice")
    # allauth asks for the password again before a change to two-factor sign-in.
    client.post(reverse("account_reauthenticate"), {"password": PASSWORD})
    shown = client.get(reverse("mfa_activate_totp"))
    assert shown.status_code == 200
    secret = shown.context["form"].secret
    response = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)}, **FROM)
    assert response.status_code == 302, response.content.decode()[:3000]
    added = AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR_ADDED, user=alice.user)
    assert sorted(added.values_list("detail", flat=True)) == ["Authenticator app", "Recovery codes"]
    assert {(e.body, e.ip_address) for e in added} == {(alice.body, ADDRESS)}
    page = log_page(ada_client, kind=AuditKind.TWO_FACTOR_ADDED)
    assert "Two-factor sign-in added" in page
    assert "Authenticator app" in page

    response = client.post(reverse("mfa_deactivate_totp"), {}, **FROM)
    assert response.status_code == 302, response.content.decode()[:3000]
    removed = AuditEvent.objects.filter(kind=AuditKind.TWO_FACTOR_REMOVED, user=alice.user)
    assert "Authenticator app" in removed.values_list("detail", flat=True)


# --- Refused requests ---------------------------------------------------------------------


def test_a_404_on_another_bodys_record_is_logged_in_the_visitors_body(
    alice_client, alice, olly, ada_client, otto
):
    theirs = ResponseFactory.create(report=ReportFactory.create(body=olly.body))
    url = reverse("response_detail", args=[theirs.pk])
    assert alice_client.get(url, **FROM).status_code == 404
    event = only(kind=AuditKind.REFUSED)
    assert (event.user, event.body, event.path) == (alice.user, alice.body, url)
    assert event.detail == "404 Not found (GET)"
    assert (event.ip_address, event.user_agent) == (ADDRESS, BROWSER)
    page = log_page(ada_client)
    assert "Request refused" in page
    assert url in page
    assert url not in log_page(signed_in(otto))  # Thames Valley's admin: not their person


def test_a_403_is_logged(ana_client, ana):
    response = ana_client.post(reverse("report_create"), {"title": "x"}, **FROM)
    assert response.status_code == 403
    event = only(kind=AuditKind.REFUSED)
    assert (event.user, event.detail, event.path) == (
        ana.user,
        "403 Forbidden (POST)",
        reverse("report_create"),
    )


def test_refusals_outside_the_apps_routes_or_to_visitors_are_not_logged(alice_client, body):
    assert alice_client.get("/favicon.ico").status_code == 404  # no route: noise
    assert alice_client.get("/static/no-such-file.css").status_code == 404
    assert Client().get(reverse("public_list", args=["no-such-body"])).status_code == 404
    assert Client().get(reverse("healthz")).status_code == 200
    assert not AuditEvent.objects.filter(kind=AuditKind.REFUSED).exists()


# --- Exports ------------------------------------------------------------------------------


def test_a_report_summary_pdf_is_logged_as_an_export(ana_client, ana, ada_client):
    report = ReportFactory.create(body=ana.body, title="Race and policing")
    response = ana_client.get(reverse("report_pdf", args=[report.pk]), **FROM)
    assert response.status_code == 200
    event = only(kind=AuditKind.EXPORTED)
    assert (event.user, event.body) == (ana.user, ana.body)
    assert event.detail == "Inspection summary PDF: Race and policing"
    assert (event.ip_address, event.user_agent) == (ADDRESS, BROWSER)
    assert "Inspection summary PDF: Race and policing" in log_page(ada_client)


def test_a_response_pdf_is_logged_as_an_export(alice_client, alice):
    response = ResponseFactory.create(report=ReportFactory.create(body=alice.body, title="Vetting"))
    assert alice_client.get(reverse("response_pdf", args=[response.pk])).status_code == 200
    assert only(kind=AuditKind.EXPORTED).detail == "Response PDF: Vetting"


def test_evidence_and_board_pack_downloads_are_logged_as_exports(
    settings, tmp_path, ana_client, ana
):
    settings.MEDIA_ROOT = tmp_path
    evidence = EvidenceFactory.create(action__body=ana.body, original_name="minutes.pdf")
    assert ana_client.get(reverse("evidence_download", args=[evidence.pk])).status_code == 200
    pack = BoardPack(
        body=ana.body,
        requested_by=ana.user,
        since=dt.date(2026, 1, 1),
        status=PackStatus.DONE,
        expires_at=timezone.now() + dt.timedelta(hours=1),
    )
    pack.file.save("pack.pdf", ContentFile(SMALL_PDF))
    assert ana_client.get(reverse("pack_download", args=[pack.pk])).status_code == 200
    details = list(
        AuditEvent.objects.filter(kind=AuditKind.EXPORTED).values_list("detail", flat=True)
    )
    assert details == [
        f"Board pack: {pack.filename}",
        f"Evidence file: minutes.pdf (action {evidence.action_id})",
    ]


def test_a_refused_export_is_not_an_export(olly_client, alice):
    report = ReportFactory.create(body=alice.body)
    assert olly_client.get(reverse("report_pdf", args=[report.pk])).status_code == 404
    assert not AuditEvent.objects.filter(kind=AuditKind.EXPORTED).exists()
    assert AuditEvent.objects.filter(kind=AuditKind.REFUSED).count() == 1


# --- The log page -------------------------------------------------------------------------


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


def event(body: PolicingBody | None, when: str, **fields: object) -> AuditEvent:
    defaults: dict[str, object] = {"kind": AuditKind.SIGNED_IN, "username": "alice"}
    return AuditEvent.objects.create(body=body, at=at(when), **(defaults | fields))


def test_the_log_shows_the_bodys_rows_newest_first_with_times_in_utc(ada_client, body, olly):
    event(body, "2026-07-01T09:05:00", username="early")
    event(body, "2026-07-02T23:30:00", username="late", kind=AuditKind.SIGNED_OUT)
    event(olly.body, "2026-07-03T12:00:00", username="thames-valley-person")
    page = log_page(ada_client)
    assert page.index("late") < page.index("early")
    assert "1 July 2026" in page
    assert "09:05:00 UTC" in page
    assert "10:05" not in page  # not London's summer time
    assert "2 July 2026" in page
    assert "23:30:00 UTC" in page
    assert "thames-valley-person" not in page
    assert "When (UTC)" in page


def test_the_log_filters_by_what_who_and_days(ada_client, body):
    event(body, "2026-03-01T10:00:00", username="alice")
    event(body, "2026-03-02T10:00:00", username="alice", kind=AuditKind.SIGN_IN_FAILED)
    event(body, "2026-03-03T23:59:59", username="bob", kind=AuditKind.SIGN_IN_FAILED)
    event(body, "2026-03-04T00:00:00", username="alice.smith", kind=AuditKind.SIGN_IN_FAILED)

    def shown(**params: str) -> int:
        page = ada_client.get(reverse("audit_log"), params).context["page"]
        return int(page.paginator.count)

    assert shown() == 5  # and ada's own sign-in
    assert shown(kind=AuditKind.SIGN_IN_FAILED) == 3
    assert shown(who="ALICE", kind=AuditKind.SIGN_IN_FAILED) == 2
    day = {"date_from-day": "3", "date_from-month": "3", "date_from-year": "2026"}
    assert shown(**day) == 3
    last = {"date_to-day": "3", "date_to-month": "3", "date_to-year": "2026"}
    assert shown(**day, **last) == 1  # the whole of 3 March, UTC


def test_a_wrong_filter_is_shown_with_its_error_and_the_others_still_apply(ada_client, body):
    event(body, "2026-03-01T10:00:00", username="bob")
    response = ada_client.get(
        reverse("audit_log"),
        {"who": "bob", "date_from-day": "31", "date_from-month": "2", "date_from-year": "2026"},
    )
    assert response.status_code == 200
    assert "must be a real date" in response.content.decode()
    assert response.context["page"].paginator.count == 1


def test_the_log_has_pages_of_25(ada_client, body):
    for n in range(30):
        event(body, f"2026-03-01T10:{n:02d}:00", username=f"person{n:02d}")
    first = ada_client.get(reverse("audit_log"), {"who": "person"}).content.decode()
    assert "person29" in first
    assert "person05" in first
    assert "person04" not in first
    second = ada_client.get(reverse("audit_log"), {"who": "person", "page": "2"})
    assert "person04" in second.content.decode()


def test_an_htmx_request_gets_only_the_results(ada_client):
    response = ada_client.get(reverse("audit_log"), headers=HTMX)
    assert response.status_code == 200
    content = response.content.decode()
    assert content.lstrip().startswith('<div id="results">')
    assert "<html" not in content


@pytest.mark.parametrize("rows", [3, 60])
def test_the_log_and_its_csv_take_the_same_number_of_queries_however_long(
    ada_client, body, rows, django_assert_max_num_queries
):
    for n in range(rows):
        event(body, f"2026-03-01T10:{n % 60:02d}:00", user=None, username=f"p{n}")
    with django_assert_max_num_queries(9):
        ada_client.get(reverse("audit_log"))
    with django_assert_max_num_queries(9):
        csv_rows(ada_client.get(reverse("audit_log_csv")))


def test_only_administrators_may_read_or_download_the_log(alice_client, ana_client, ada):
    for client in (alice_client, ana_client):
        assert client.get(reverse("audit_log")).status_code == 403
        assert client.get(reverse("audit_log_csv")).status_code == 403


def test_the_log_refuses_other_methods(ada_client):
    assert ada_client.post(reverse("audit_log")).status_code == 405
    assert ada_client.post(reverse("audit_log_csv")).status_code == 405


def test_another_bodys_administrator_sees_none_of_the_bodys_rows(otto, alice_client, body):
    event(body, "2026-03-01T10:00:00", username="hampshire-person")
    otto_client = signed_in(otto)
    page = log_page(otto_client)
    assert "hampshire-person" not in page
    rows = csv_rows(otto_client.get(reverse("audit_log_csv")))
    assert all("hampshire-person" not in row for row in rows)
    assert {e.body_id for e in otto_client.get(reverse("audit_log")).context["page"]} == {
        otto.body_id
    }


# --- The CSV ------------------------------------------------------------------------------


def test_the_csv_has_a_header_and_the_filtered_rows_in_iso_utc(ada_client, ada, body):
    event(body, "2026-07-01T09:05:00", username="alice", detail="password", ip_address=ADDRESS)
    event(body, "2026-07-02T09:05:00", username="bob")
    response = ada_client.get(reverse("audit_log_csv"), {"who": "alice"}, **FROM)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert re.fullmatch(
        r'attachment; filename="sign-in-log-\d{4}-\d{2}-\d{2}\.csv"',
        response["Content-Disposition"],
    )
    rows = csv_rows(response)
    assert rows[0] == [
        "When (UTC)",
        "Username",
        "Name",
        "What",
        "Detail",
        "Address requested",
        "From address",
        "Browser",
    ]
    assert rows[1:] == [
        ["2026-07-01T09:05:00Z", "alice", "", "Signed in", "password", "", ADDRESS, ""]
    ]
    export = only(kind=AuditKind.EXPORTED)  # logged, but not one of its own rows
    assert (export.user, export.body, export.ip_address) == (ada.user, ada.body, ADDRESS)
    assert export.detail == "Sign-in log (CSV): who “alice”"


def test_the_csv_keeps_spreadsheets_from_running_cells_as_formulas(ada_client, body):
    event(body, "2026-03-01T10:00:00", username='=HYPERLINK("http://x")', detail="+1", path="-2")
    event(body, "2026-03-01T10:00:01", username="@SUM(A1)", user_agent="\tcmd")
    rows = csv_rows(ada_client.get(reverse("audit_log_csv"), {"date_from": "2026-03-01"}))
    cells = [cell for row in rows[1:] for cell in row]
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'+1" in cells
    assert "'-2" in cells
    assert "'@SUM(A1)" in cells
    assert "'\tcmd" in cells
    assert not any(cell[:1] in "=+-@" for cell in cells if cell)


# --- Nothing edits or deletes ------------------------------------------------------------


def test_a_logged_row_cannot_be_changed_or_deleted(body):
    row = event(body, "2026-03-01T10:00:00")
    row.detail = "changed"
    with pytest.raises(ReadOnlyError):
        row.save()
    with pytest.raises(ReadOnlyError):
        row.delete()
    assert AuditEvent.objects.get(pk=row.pk).detail == ""


def test_operators_may_read_the_log_in_the_admin_but_not_change_it(body):
    row = event(body, "2026-03-01T10:00:00")
    operator = UserFactory.create(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(operator)
    change = reverse("admin:inspections_auditevent_change", args=[row.pk])
    page = client.get(change)
    assert page.status_code == 200
    assert 'name="detail"' not in page.content.decode()  # read-only fields
    assert client.post(change, {"detail": "changed"}).status_code == 403
    delete = reverse("admin:inspections_auditevent_delete", args=[row.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(reverse("admin:inspections_auditevent_add")).status_code == 403
    assert AuditEvent.objects.filter(pk=row.pk, detail="").exists()


# --- Retention ----------------------------------------------------------------------------


def test_prune_deletes_only_rows_past_the_retention_period(settings, body):
    settings.AUDIT_RETENTION_DAYS = 30
    now = at("2026-03-31T12:00:00")
    old = event(body, "2026-02-28T11:59:59")
    kept = event(body, "2026-03-01T12:00:01")
    assert audit.prune(now=now) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [kept.pk]
    assert not AuditEvent.objects.filter(pk=old.pk).exists()


def test_the_prune_command_says_how_many_went(settings, body):
    settings.AUDIT_RETENTION_DAYS = 730
    event(body, "2020-01-01T00:00:00")
    event(body, "2020-01-02T00:00:00")
    fresh = AuditEvent.objects.create(body=body, kind=AuditKind.SIGNED_IN, username="now")
    out = io.StringIO()
    call_command("prune_audit_log", stdout=out)
    assert out.getvalue().strip() == "Deleted 2 sign-in log entries older than 730 days."
    assert list(AuditEvent.objects.all()) == [fresh]


def test_a_deleted_user_leaves_their_rows_in_the_log(alice_client, alice):
    alice_client.post(reverse("logout"))
    get_user_model().objects.filter(pk=alice.user_id).delete()
    row = only(kind=AuditKind.SIGNED_OUT)
    assert (row.user, row.username) == (None, "alice")
