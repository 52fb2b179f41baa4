"""The body's letterhead: an administrator uploads a logo (a PNG or an SVG, checked safe,
stored privately) and sets the office address on the settings page; members see the logo
through an access-checked view; the response PDF (and so each published edition, frozen
with it) and the board pack print them."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image
from pypdf import PdfReader

from inspections.letterhead import LOGO_URL, letterhead_version
from inspections.models import BoardPack, PolicingBody
from inspections.packs import board_pack_build
from inspections.services.editions import edition_create

from .conftest import signed_in
from .factories import ActionFactory, EntryFactory, FindingFactory, ResponseFactory, addressee
from .pdf_reading import struct_elements
from .test_pdfs import Canary, assert_nothing_leaked, canary, images  # noqa: F401

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}
ADDRESS = "Office of the Police and Crime Commissioner\nSt George's Chambers\nWinchester SO23 8AJ"


def png(width: int = 120, height: int = 40, colour: str = "#1d70b8", mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Image.new(mode, (width, height), colour if mode != "1" else 1).save(out, format="PNG")
    return out.getvalue()


GOOD_SVG = b"""<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"
     viewBox="0 0 300 100" width="300" height="100">
  <title>Office logo</title>
  <defs>
    <linearGradient id="blue">
      <stop offset="0" stop-color="#1d70b8"/><stop offset="1" stop-color="#003078"/>
    </linearGradient>
    <symbol id="star"><path d="M10 0 L13 7 L20 7 L14 11 L16 18 L10 14 Z"/></symbol>
  </defs>
  <!-- a comment, dropped when stored -->
  <rect x="0" y="0" width="300" height="100" fill="url(#blue)"/>
  <use xlink:href="#star" x="20" y="40" style="fill: #ffdd00; stroke-width: 1"/>
  <text x="60" y="60" font-family="DejaVu Sans" font-size="28" fill="#ffffff">Our office</text>
</svg>"""


def svg(body: str, head: str = "") -> bytes:
    return (
        f'{head}<svg xmlns="http://www.w3.org/2000/svg" '
        f'xmlns:xlink="http://www.w3.org/1999/xlink" viewBox="0 0 10 10">{body}</svg>'
    ).encode()


HOSTILE_SVGS = {
    "script": svg("<script>alert(1)</script>"),
    "event handler": svg('<rect width="5" height="5" onload="alert(1)"/>'),
    "onclick on the root": b'<svg xmlns="http://www.w3.org/2000/svg" onclick="alert(1)"/>',
    "foreignObject": svg(
        '<foreignObject width="10" height="10"><iframe xmlns="http://www.w3.org/1999/xhtml" '
        'src="https://example.org/"/></foreignObject>'
    ),
    "image of a local file": svg('<image href="file:///etc/passwd" width="5" height="5"/>'),
    "use of another file": svg('<use href="https://example.org/sprite.svg#icon"/>'),
    "javascript: link": svg('<use xlink:href="javascript:alert(1)"/>'),
    "a link": svg('<a href="https://example.org/"><rect width="5" height="5"/></a>'),
    "style element": svg("<style>@import url(https://example.org/x.css);</style>"),
    "style attribute fetching": svg(
        '<rect width="5" height="5" style="fill: url(https://example.org/x.svg#p)"/>'
    ),
    "fill fetching": svg('<rect width="5" height="5" fill="url(file:///etc/passwd#x)"/>'),
    "animation": svg('<set attributeName="fill" to="red"/>'),
    "entities": svg(
        "<text>&lol3;</text>",
        head='<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY lol "lol"><!ENTITY lol2 '
        '"&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;">]>',
    ),
    "external entity": svg(
        "<text>&xxe;</text>",
        head='<?xml version="1.0"?><!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
    ),
    "a document type": svg(
        "",
        head='<!DOCTYPE svg PUBLIC "-//W3C//DTD SVG 1.1//EN" '
        '"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd">',
    ),
    "an editor's own elements": svg(
        '<sodipodi:namedview xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"/>'
    ),
    "data: image in a style": svg('<rect style="fill: red; background: data:x"/>'),
}


def upload(name: str, content: bytes, content_type: str = "application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def post_letterhead(client, body: PolicingBody, **data):
    body.refresh_from_db()
    payload = {
        "office_address": body.office_address,
        "letterhead_version": letterhead_version(body),
    } | data
    return client.post("/settings/letterhead/", payload)


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return Path(tmp_path)


def stored_files(media: Path) -> list[Path]:
    return sorted(p for p in (media / "logos").rglob("*") if p.is_file()) if media.exists() else []


class TestUploading:
    def test_an_administrator_uploads_a_png_and_sets_the_address(self, ada, ada_client, media):
        content = png()
        response = post_letterhead(
            ada_client,
            ada.body,
            logo=upload("Our Logo.PNG", content, "image/png"),
            office_address=ADDRESS,
        )
        assert response.status_code == 302
        assert response["Location"] == "/settings/"
        body = PolicingBody.objects.get(pk=ada.body_id)
        assert body.office_address == ADDRESS
        assert body.logo_content_type == "image/png"
        [stored] = stored_files(media)
        assert stored.parent == media / "logos" / str(body.pk)
        assert stored.suffix == ".png"
        assert "Our Logo" not in stored.name  # never the upload's own name
        assert stored.read_bytes() == content
        assert body.history.first().history_user == ada.user
        page = ada_client.get("/settings/")
        assert "Letterhead saved." in page.text
        assert f'src="/settings/logo/?v={letterhead_version(body)}"' in page.text
        assert "St George&#x27;s Chambers" in page.text
        assert "Logo added, Office address" in page.text

    def test_a_good_svg_is_stored_as_checked(self, ada, ada_client, media):
        response = post_letterhead(
            ada_client, ada.body, logo=upload("logo.svg", GOOD_SVG, "image/svg+xml")
        )
        assert response.status_code == 302
        body = PolicingBody.objects.get(pk=ada.body_id)
        assert body.logo_content_type == "image/svg+xml"
        [stored] = stored_files(media)
        text = stored.read_text()
        assert "<title>Office logo</title>" in text
        assert "a comment" not in text  # what is stored is the checked tree, written out

    @pytest.mark.parametrize("case", sorted(HOSTILE_SVGS))
    def test_a_hostile_svg_is_refused(self, ada, ada_client, media, case):
        response = post_letterhead(
            ada_client, ada.body, logo=upload("logo.svg", HOSTILE_SVGS[case], "image/svg+xml")
        )
        assert response.status_code == 422, case
        assert "There is a problem" in response.text
        assert 'href="#id_logo"' in response.text  # the summary links to the field
        assert "govuk-form-group--error" in response.text
        assert stored_files(media) == []
        assert not PolicingBody.objects.get(pk=ada.body_id).logo

    @pytest.mark.parametrize(
        ("name", "content", "message"),
        [
            ("logo.png", b"GIF89a not a png at all", "The file is not a PNG image."),
            ("logo.png", b"%PDF-1.4 a pdf renamed", "The file is not a PNG image."),
            ("logo.png", png()[:60], "The file is not a PNG image."),  # damaged
            ("logo.svg", png(), "The file is not an SVG image"),
            ("logo.svg", b"<html><body>hi</body></html>", "The file is not an SVG image."),
            ("logo.gif", b"GIF89a", "The logo must be a PNG or an SVG file."),
            ("logo", png(), "The logo must be a PNG or an SVG file."),
            ("logo.png", png(5000, 5000, mode="1"), "The logo is too large: 5000 × 5000 pixels."),
        ],
    )
    def test_a_file_that_is_not_what_it_says_is_refused(
        self, ada, ada_client, media, name, content, message
    ):
        response = post_letterhead(ada_client, ada.body, logo=upload(name, content))
        assert response.status_code == 422
        assert message in response.text
        assert stored_files(media) == []

    def test_a_file_over_the_limit_is_refused(self, ada, ada_client, media, settings):
        settings.LOGO_MAX_BYTES = 1024
        big = png(400, 400, colour="#123456")
        big += b"\0" * 2048
        response = post_letterhead(ada_client, ada.body, logo=upload("logo.png", big))
        assert response.status_code == 422
        assert "The logo must be smaller than 1.0\xa0KB." in response.text
        assert stored_files(media) == []

    def test_the_address_is_kept_when_the_logo_is_refused(self, ada, ada_client, media):
        response = post_letterhead(
            ada_client,
            ada.body,
            logo=upload("logo.png", b"nope"),
            office_address="1 New Street\nLondon",
        )
        assert response.status_code == 422
        assert "1 New Street\nLondon</textarea>" in response.text
        assert PolicingBody.objects.get(pk=ada.body_id).office_address == ""

    def test_an_address_of_too_many_lines_is_refused(self, ada, ada_client):
        response = post_letterhead(
            ada_client, ada.body, office_address="\n".join(f"Line {n}" for n in range(12))
        )
        assert response.status_code == 422
        assert "The address can have up to 8 lines; it has 12." in response.text

    def test_replacing_and_removing_the_logo(
        self, ada, ada_client, media, django_capture_on_commit_callbacks
    ):
        post_letterhead(ada_client, ada.body, logo=upload("a.png", png()))
        [first] = stored_files(media)
        with django_capture_on_commit_callbacks(execute=True):
            post_letterhead(ada_client, ada.body, logo=upload("b.svg", GOOD_SVG))
        [second] = stored_files(media)
        assert second != first
        assert second.suffix == ".svg"
        assert "Logo replaced" in ada_client.get("/settings/").text
        response = post_letterhead(
            ada_client, ada.body, logo=upload("c.png", png()), remove_logo="on"
        )
        assert response.status_code == 422
        assert "Choose a new logo or remove the logo, not both." in response.text
        with django_capture_on_commit_callbacks(execute=True):
            response = post_letterhead(ada_client, ada.body, remove_logo="on")
        assert response.status_code == 302
        body = PolicingBody.objects.get(pk=ada.body_id)
        assert not body.logo
        assert body.logo_content_type == ""
        assert stored_files(media) == []
        assert ada_client.get("/settings/logo/").status_code == 404

    def test_a_colleagues_change_in_between_is_refused_and_the_address_kept(
        self, ada, ada_client, media
    ):
        ada.body.refresh_from_db()
        seen = letterhead_version(ada.body)
        PolicingBody.objects.filter(pk=ada.body_id).update(office_address="Their address")
        response = ada_client.post(
            "/settings/letterhead/",
            {"office_address": "My address", "letterhead_version": seen},
        )
        assert response.status_code == 409
        assert "Someone changed the letterhead after you opened this page" in response.text
        assert "My address</textarea>" in response.text
        assert "Their address" in response.text  # what is saved, shown above the form
        assert PolicingBody.objects.get(pk=ada.body_id).office_address == "Their address"
        # Saving again from the refreshed form replaces theirs, deliberately.
        again = ada_client.post(
            "/settings/letterhead/",
            {
                "office_address": "My address",
                "letterhead_version": response.context["letterhead_form"][
                    "letterhead_version"
                ].value(),
            },
        )
        assert again.status_code == 302
        assert PolicingBody.objects.get(pk=ada.body_id).office_address == "My address"


class TestWhoMay:
    @pytest.mark.parametrize("persona", ["alice", "ana", "pat"])
    def test_members_who_are_not_administrators_see_it_but_cannot_change_it(
        self, request, persona, media
    ):
        membership = request.getfixturevalue(persona)
        client = signed_in(membership)
        page = client.get("/settings/")
        assert page.status_code == 200
        assert "Only an administrator can change it." in page.text
        assert 'action="/settings/letterhead/"' not in page.text
        response = post_letterhead(
            client, membership.body, logo=upload("a.png", png()), office_address="Mine"
        )
        assert response.status_code == 403
        assert stored_files(media) == []
        assert PolicingBody.objects.get(pk=membership.body_id).office_address == ""

    def test_the_settings_page_shows_the_form_to_an_administrator(self, ada_client):
        page = ada_client.get("/settings/")
        assert 'action="/settings/letterhead/"' in page.text
        assert 'enctype="multipart/form-data"' in page.text
        assert 'accept=".png,.svg,image/png,image/svg+xml"' in page.text

    def test_get_on_the_form_address_goes_to_the_settings_page(self, ada_client):
        response = ada_client.get("/settings/letterhead/")
        assert response.status_code == 302
        assert response["Location"] == "/settings/"
        assert ada_client.put("/settings/letterhead/").status_code == 405

    def test_a_force_contributor_reaches_neither(self, cora_client):
        assert cora_client.get("/settings/logo/").status_code == 404
        assert cora_client.post("/settings/letterhead/", {}).status_code == 404

    def test_signed_out_visitors_are_sent_to_sign_in(self, client):
        for url in ("/settings/logo/", "/settings/letterhead/"):
            response = client.get(url)
            assert response.status_code == 302
            assert "/sign-in/" in response["Location"]

    def test_the_settings_page_keeps_its_queries_constant(
        self, ada, ada_client, media, django_assert_max_num_queries
    ):
        post_letterhead(ada_client, ada.body, logo=upload("a.png", png()), office_address="A")
        with CaptureQueriesContext(connection) as captured:
            assert ada_client.get("/settings/").status_code == 200
        few = len(captured)  # now: the next request resets the log it reads
        for n in range(15):
            post_letterhead(ada_client, ada.body, office_address=f"Address {n}")
        with django_assert_max_num_queries(few):
            assert ada_client.get("/settings/").status_code == 200
        assert few <= 12

    def test_an_htmx_request_gets_the_whole_page(self, ada_client):
        page = ada_client.get("/settings/", headers=HTMX)
        assert "<html" in page.text
        assert "HX-Request" in page["Vary"]


class TestTheLogoView:
    def test_members_see_their_own_bodys_logo_under_a_policy_that_runs_nothing(
        self, ada, ada_client, ana_client, media
    ):
        post_letterhead(ada_client, ada.body, logo=upload("logo.svg", GOOD_SVG))
        response = ana_client.get("/settings/logo/")
        assert response.status_code == 200
        assert response["Content-Type"] == "image/svg+xml"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]
        assert "default-src 'none'" in response["Content-Security-Policy"]
        assert "no-store" in response["Cache-Control"]
        assert b"<title>Office logo</title>" in response.content

    def test_another_body_never_sees_it(self, ada, ada_client, olly_client, media):
        post_letterhead(ada_client, ada.body, logo=upload("logo.png", png()))
        assert olly_client.get("/settings/logo/").status_code == 404

    def test_it_refuses_other_methods(self, ada, ada_client, media):
        post_letterhead(ada_client, ada.body, logo=upload("logo.png", png()))
        assert ada_client.post("/settings/logo/").status_code == 405

    def test_a_logo_missing_from_storage_is_not_found(self, ada, ada_client, media):
        post_letterhead(ada_client, ada.body, logo=upload("logo.png", png()))
        for path in stored_files(media):
            path.unlink()
        assert ada_client.get("/settings/logo/").status_code == 404


# The documents -------------------------------------------------------------------------


@pytest.fixture
def response_to_print(alice):
    finding = FindingFactory.create(
        report__body=alice.body,
        report__title="An inspection of custody",
        report__published_on=dt.date(2023, 7, 20),
        reference="Recommendation 1",
        addressed_to=[addressee("chief-constables")],
    )
    response = ResponseFactory.create(
        report=finding.report,
        comments="We welcome the report.",
        signatory_name="Donna Jones",
        signatory_role="Police and Crime Commissioner",
    )
    EntryFactory.create(response=response, finding=finding, answer="taken", text="Done.")
    return response


def pdf_from(http_response) -> PdfReader:
    data = (
        b"".join(http_response.streaming_content)
        if getattr(http_response, "streaming", False)
        else http_response.content
    )
    return PdfReader(io.BytesIO(data))


def logo_alt(reader: PdfReader) -> list[str]:
    alts = [str(f.get("/Alt")) for f in struct_elements(reader, "/Figure")]
    return [alt for alt in alts if alt.startswith("Logo")]


def image_sizes(reader: PdfReader) -> set[tuple[int, int]]:
    """The sizes of the images drawn (pages share resources, so each is counted once)."""
    return {(int(x["/Width"]), int(x["/Height"])) for x in images(reader)}


class TestTheDocuments:
    def test_the_response_pdf_carries_the_png_logo_and_the_address(
        self, ada, ada_client, alice_client, response_to_print, media
    ):
        post_letterhead(
            ada_client, ada.body, logo=upload("logo.png", png(240, 80)), office_address=ADDRESS
        )
        reader = pdf_from(alice_client.get(f"/responses/{response_to_print.pk}/pdf/"))
        assert image_sizes(reader) == {(240, 80)}
        first = " ".join(reader.pages[0].extract_text().split())
        assert "St George's Chambers Winchester SO23 8AJ" in first
        assert first.index("Winchester") < first.index("An inspection of custody")
        assert logo_alt(reader) == [f"Logo of {ada.body.office_name}"]

    def test_an_svg_logo_is_drawn_as_vector_graphics(
        self, ada, ada_client, alice_client, response_to_print, media
    ):
        post_letterhead(ada_client, ada.body, logo=upload("logo.svg", GOOD_SVG))
        reader = pdf_from(alice_client.get(f"/responses/{response_to_print.pk}/pdf/"))
        assert logo_alt(reader) == [f"Logo of {ada.body.office_name}"]
        assert "Our office" in reader.pages[0].extract_text()  # the SVG's own text

    def test_without_a_letterhead_nothing_is_printed_for_it(self, alice_client, response_to_print):
        reader = pdf_from(alice_client.get(f"/responses/{response_to_print.pk}/pdf/"))
        assert images(reader) == []
        assert logo_alt(reader) == []

    def test_the_board_pack_carries_them(self, ada, ada_client, media):
        post_letterhead(
            ada_client, ada.body, logo=upload("logo.png", png(240, 80)), office_address=ADDRESS
        )
        ActionFactory.create(body=ada.body)
        pack = BoardPack.objects.create(
            body=ada.body,
            requested_by=ada.user,
            since=timezone.localdate(),
            expires_at=timezone.now() + dt.timedelta(hours=1),
        )
        built = board_pack_build(pack_id=pack.pk)
        assert built is not None
        with built.file.open("rb") as handle:
            reader = PdfReader(io.BytesIO(handle.read()))
        assert image_sizes(reader) == {(240, 80)}
        assert "Winchester SO23 8AJ" in reader.pages[0].extract_text()

    def test_a_published_edition_keeps_the_letterhead_it_was_published_with(
        self, ada, ada_client, alice, alice_client, response_to_print, media
    ):
        post_letterhead(ada_client, ada.body, office_address="1 Old Street\nWinchester")
        edition_create(
            response=response_to_print, user=alice.user, published_on=dt.date(2023, 8, 1)
        )
        post_letterhead(
            ada_client, ada.body, logo=upload("logo.png", png()), office_address="2 New Road"
        )
        url = f"/responses/{response_to_print.pk}/editions/1.pdf"
        reader = pdf_from(alice_client.get(url))
        text = reader.pages[0].extract_text()
        assert "1 Old Street" in text
        assert "2 New Road" not in text
        assert images(reader) == []
        # A correction is a new edition, printed on the letterhead as it is then.
        edition_create(
            response=response_to_print,
            user=alice.user,
            published_on=dt.date(2023, 8, 1),
            correction_reason="A typo.",
        )
        second = pdf_from(alice_client.get(f"/responses/{response_to_print.pk}/editions/2.pdf"))
        assert "2 New Road" in second.pages[0].extract_text()
        assert image_sizes(second) == {(120, 40)}

    def test_a_hostile_svg_in_storage_fetches_nothing(
        self,
        ada,
        alice_client,
        response_to_print,
        media,
        canary,  # noqa: F811
    ):
        # Past the upload's checks (written straight to storage), WeasyPrint still gets
        # the logo from memory only, and every URL inside it is refused.
        hostile = (
            '<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink"'
            ' width="100" height="40"><title>Evil</title>'
            '<image href="file:///etc/passwd" width="10" height="10"/>'
            f'<image xlink:href="{canary.url("/canary")}" width="10" height="10"/>'
            f'<use href="{canary.url("/redirect")}#x"/>'
            f'<rect width="10" height="10" fill="url({canary.url("/css")}#p)"/>'
            f"<style>@import url({canary.url('/import')});</style>"
            "</svg>"
        ).encode()
        body = PolicingBody.objects.get(pk=ada.body_id)
        from django.core.files.base import ContentFile

        body.logo.save("logo.svg", ContentFile(hostile), save=False)
        body.logo_content_type = "image/svg+xml"
        body.save()
        reader = pdf_from(alice_client.get(f"/responses/{response_to_print.pk}/pdf/"))
        assert_nothing_leaked(reader, canary)
        assert logo_alt(reader)  # the logo itself was drawn

    def test_the_fetcher_serves_the_logo_url_only_when_given(self):
        from inspections.pdf import RefusedURL, SafeURLFetcher

        with pytest.raises(RefusedURL):
            SafeURLFetcher().fetch(LOGO_URL)
        answer = SafeURLFetcher({LOGO_URL: (b"\x89PNG", "image/png")}).fetch(LOGO_URL)
        assert answer is not None
        with pytest.raises(RefusedURL):
            SafeURLFetcher({"file:///etc/passwd": (b"x", "text/plain")}).fetch("file:///etc/passwd")
