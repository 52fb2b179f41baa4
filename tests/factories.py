from __future__ import annotations

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User

from inspections.models import (
    ActionStatus,
    Addressee,
    AssuranceAction,
    Finding,
    FindingKind,
    Force,
    InspectionReport,
    Inspectorate,
    Membership,
    Nation,
    PolicingBody,
    ProgressUpdate,
    ReportType,
    Response,
    ResponseEntry,
    Role,
    Scope,
)

PASSWORD = "a-test-password-2026"


class ForceFactory(factory.django.DjangoModelFactory[Force]):
    class Meta:
        model = Force
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Test Force {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    nation = Nation.ENGLAND


class BodyFactory(factory.django.DjangoModelFactory[PolicingBody]):
    class Meta:
        model = PolicingBody
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Police and Crime Commissioner for Test {n}")
    slug = factory.LazyAttribute(lambda o: o.name.lower().replace(" ", "-"))
    kind = PolicingBody.Kind.PCC
    force = factory.SubFactory(ForceFactory)


class UserFactory(factory.django.DjangoModelFactory[User]):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda o: f"{o.username}@example.org")
    password = factory.django.Password(PASSWORD)


class MembershipFactory(factory.django.DjangoModelFactory[Membership]):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    body = factory.SubFactory(BodyFactory)
    role = Role.EDITOR


def inspectorate(code: str = "hmicfrs") -> Inspectorate:
    return Inspectorate.objects.get_or_create(
        code=code, defaults={"short_name": code.upper(), "name": code}
    )[0]


def addressee(code: str = "chief-constables", answerable: bool = True) -> Addressee:
    return Addressee.objects.get_or_create(
        code=code, defaults={"name": code, "answerable": answerable}
    )[0]


class ReportFactory(factory.django.DjangoModelFactory[InspectionReport]):
    class Meta:
        model = InspectionReport
        skip_postgeneration_save = True

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"An inspection of something important {n}")
    report_type = ReportType.NATIONAL_THEMATIC
    lead_inspectorate = factory.LazyFunction(inspectorate)
    published_on = dt.date(2023, 7, 20)
    scope = Scope.NATIONAL


class FindingFactory(factory.django.DjangoModelFactory[Finding]):
    class Meta:
        model = Finding
        skip_postgeneration_save = True

    report = factory.SubFactory(ReportFactory)
    kind = FindingKind.RECOMMENDATION
    # Far from the small numbers tests write out, as references are unique per report.
    reference = factory.Sequence(lambda n: f"Recommendation {n + 1000}")
    position = factory.Sequence(lambda n: n)
    text = "Chief constables should do the right thing."

    @factory.post_generation
    def addressed_to(obj: Finding, create: bool, extracted: list[Addressee] | None, **kw: object):
        if create and extracted:
            obj.addressees.set(extracted)


class ResponseFactory(factory.django.DjangoModelFactory[Response]):
    class Meta:
        model = Response

    report = factory.SubFactory(ReportFactory)
    body = factory.LazyAttribute(lambda o: o.report.body)
    due_on = factory.LazyAttribute(lambda o: o.report.response_due_on)


class EntryFactory(factory.django.DjangoModelFactory[ResponseEntry]):
    class Meta:
        model = ResponseEntry

    response = factory.SubFactory(ResponseFactory)
    finding = factory.SubFactory(FindingFactory)
    answer = ResponseEntry.Answer.PROPOSED
    text = "The force will do it by March."


class ActionFactory(factory.django.DjangoModelFactory[AssuranceAction]):
    class Meta:
        model = AssuranceAction
        skip_postgeneration_save = True

    body = factory.SubFactory(BodyFactory)
    title = factory.Sequence(lambda n: f"Assurance action {n}")
    start_on = dt.date(2026, 1, 1)
    target_on = dt.date(2026, 12, 31)
    status = ActionStatus.IN_PROGRESS


class UpdateFactory(factory.django.DjangoModelFactory[ProgressUpdate]):
    class Meta:
        model = ProgressUpdate

    action = factory.SubFactory(ActionFactory)
    author = factory.SubFactory(UserFactory)
    text = "Work is under way."


# Appended with the evidence files; imported here to leave the imports above untouched.
from inspections.models import Evidence  # noqa: E402

SMALL_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


class EvidenceFactory(factory.django.DjangoModelFactory[Evidence]):
    """Writes its file to the default storage: point MEDIA_ROOT at a temporary folder."""

    class Meta:
        model = Evidence

    action = factory.SubFactory(ActionFactory)
    file = factory.django.FileField(filename="board-minutes.pdf", data=SMALL_PDF)
    original_name = "board-minutes.pdf"
    content_type = "application/pdf"
    size = len(SMALL_PDF)
    uploaded_by = factory.SubFactory(UserFactory)


def response_data(response: Response, **overrides: object) -> dict[str, object]:
    """What the response edit form posts, for the version the user opened."""
    data: dict[str, object] = {
        "version": response.version,
        "comments": "We welcome the report.",
        "closing_line": "",
        "signatory_name": "Donna Jones",
        "signatory_role": "Police and Crime Commissioner",
        "marking": "official",
    }
    return data | overrides


def publish(response: Response) -> Response:
    """A response made published by a factory gets the edition publishing makes, from the
    service that makes it (the workflow's publish step calls the same)."""
    from inspections.services.editions import edition_create

    assert response.published_on is not None
    edition_create(
        response=response,
        user=None,
        published_on=response.published_on,
        published_url=response.published_url,
    )
    return response
