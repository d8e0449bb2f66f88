"""Open311's verbs: issue and revoke API keys, keep a service's attributes, and take a request
an app posts. The request goes through the desk's own services (request_start, request_save:
the same customer rule, the same duplicate linking to an open work order), recorded under the
Open311 reporter (an inactive user without roles or password: accounts.services)."""

import hashlib
import secrets
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import uuid4

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.services import user_for_system
from callcenter.inputs import CONTROL_CHARACTERS
from hierarchy.models import ProblemCode
from open311.models import LIST_DATATYPES, ApiKey, ServiceAttribute, WebReport
from requests_app.models import Channel, RequestType
from requests_app.services import request_save, request_start, shared_caller_fields

# The user web reports are taken by, as an agent takes a call.
REPORTER_USERNAME = "open311"
REPORTER_NAME = "Open311"
KEY_PREFIX = "o311_"
SHOWN_PREFIX = 12


def key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_key_create(*, name: str, user: AbstractBaseUser | None) -> tuple[ApiKey, str]:
    """A new key for an app, and its text: shown once, never stored (only its digest)."""
    if CONTROL_CHARACTERS.search(name):
        raise ValidationError({"name": _("Use letters, digits, spaces and punctuation only.")})
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": _("Name the app or partner the key is for.")})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    api_key = ApiKey(
        name=name,
        prefix=key[:SHOWN_PREFIX],
        digest=key_digest(key),
        created_at=timezone.now(),
        created_by=user,
    )
    api_key.full_clean()
    api_key.save()
    return api_key, key


@transaction.atomic
def api_key_revoke(*, api_key: ApiKey, user: AbstractBaseUser | None) -> ApiKey:
    """The key no longer posts; the requests posted with it stay. Revoking twice keeps the first
    time."""
    current = ApiKey.objects.select_for_update().get(pk=api_key.pk)
    if current.revoked_at is None:
        current.revoked_at = timezone.now()
        current.revoked_by = user
        current.save(update_fields=["revoked_at", "revoked_by"])
    return current


def api_key_for(key: str) -> ApiKey | None:
    """The usable key with this text, or None."""
    if not key:
        return None
    return ApiKey.objects.usable().filter(digest=key_digest(key)).first()


@transaction.atomic
def service_attribute_save(
    *,
    problem_code: ProblemCode,
    code: str,
    datatype: str,
    description: str,
    required: bool = False,
    order: int = 1,
    datatype_description: str = "",
    values: list[dict] | None = None,
) -> ServiceAttribute:
    """Add or change a question the service asks (by its code within the service)."""
    if datatype in LIST_DATATYPES and not values:
        raise ValidationError({"values": _("A list needs the values to choose from.")})
    attribute = ServiceAttribute.objects.filter(problem_code=problem_code, code=code).first()
    attribute = attribute or ServiceAttribute(problem_code=problem_code, code=code)
    attribute.datatype = datatype
    attribute.description = description
    attribute.required = required
    attribute.order = order
    attribute.datatype_description = datatype_description
    listed = values if datatype in LIST_DATATYPES else []
    attribute.values = [{"key": str(value["key"]), "name": str(value["name"])} for value in listed]
    attribute.full_clean()
    attribute.save()
    return attribute


@transaction.atomic
def service_attribute_delete(*, attribute: ServiceAttribute) -> None:
    """The service no longer asks it; answers already given stay in the requests and reports."""
    ServiceAttribute.objects.filter(pk=attribute.pk).delete()


@dataclass(frozen=True)
class PostedReport:
    """A request as an app posted it, validated (open311.forms.PostedReportForm)."""

    problem_code: ProblemCode
    description: str = ""
    latitude: Decimal | None = None
    longitude: Decimal | None = None
    address_string: str = ""
    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""
    device_id: str = ""
    account_id: str = ""
    media_url: str = ""
    # Each answered attribute with its answer (a text, or the chosen keys of a list).
    answers: list[tuple[ServiceAttribute, str | list[str]]] = field(default_factory=list)

    @property
    def coordinates(self) -> tuple[Decimal, Decimal] | None:
        if self.latitude is None or self.longitude is None:
            return None
        return self.latitude, self.longitude

    @property
    def work_address(self) -> str:
        """The address as given, else the point (the duplicate check then compares points)."""
        if self.address_string:
            return self.address_string
        return f"{self.latitude:.6f}, {self.longitude:.6f}"

    @property
    def caller_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def description_with_answers(self) -> str:
        """The description, then each answer as a line the agent reads with the request."""
        lines = [_answer_line(attribute, answer) for attribute, answer in self.answers]
        return "\n\n".join(part for part in (self.description, "\n".join(lines)) if part)


def _answer_line(attribute: ServiceAttribute, answer: str | list[str]) -> str:
    if attribute.datatype in LIST_DATATYPES:
        names = attribute.value_names()
        keys = answer if isinstance(answer, list) else [answer]
        answer = ", ".join(names.get(key, key) for key in keys)
    return f"{attribute.description} {answer}"


@transaction.atomic
def web_request_create(
    *, report: PostedReport, api_key: ApiKey, client_address: str | None
) -> WebReport:
    """An action request with channel Web, saved as the desk saves a call (a reporter with an
    e-mail address or a phone number becomes or finds their customer; the problem at the place
    joins the open work order or opens one), with what Open311 brought beside it.
    Raises ValidationError from the desk's rules, naming the request's field."""
    reporter = user_for_system(username=REPORTER_USERNAME, first_name=REPORTER_NAME)
    started = request_start(agent=reporter, channel=Channel.WEB)
    values = {
        "request_type": RequestType.ACTION,
        "problem_code": report.problem_code,
        "work_address": report.work_address,
        "description": report.description_with_answers(),
        "caller_name": report.caller_name,
        "caller_email": report.email,
        "caller_phone": report.phone,
    }
    try:
        saved = _save(started, values, reporter, report)
    except ValidationError as error:
        ambiguous = shared_caller_fields(error)
        if not ambiguous:
            raise
        saved = _save(started, _contact_for_the_agent(values, ambiguous), reporter, report)
    return WebReport.objects.create(
        request=saved,
        token=uuid4().hex,
        api_key=api_key,
        client_address=client_address,
        created_at=saved.started_at,
        latitude=report.latitude,
        longitude=report.longitude,
        address_string=report.address_string,
        description=report.description,
        device_id=report.device_id,
        account_id=report.account_id,
        media_url=report.media_url,
        attributes={attribute.code: answer for attribute, answer in report.answers},
    )


def _save(request, values: dict, reporter, report: PostedReport):
    with transaction.atomic():
        return request_save(
            request=request,
            values=values,
            expected_version=request.version,
            user=reporter,
            coordinates=report.coordinates,
        )


def _contact_for_the_agent(values: dict, ambiguous: list[str]) -> dict:
    """Nobody is there to choose among the customers who share the reporter's number or address:
    the request is saved without them as its caller's, and says so to the agent, who links the
    customer (the description is not published: the reporter's own words are, from WebReport)."""
    given = ", ".join(values[field] for field in ambiguous)
    note = _(
        "The reporter gave %(contact)s, which more than one customer has: choose the caller."
    ) % {"contact": given}
    return {
        **values,
        **dict.fromkeys(ambiguous, ""),
        "description": "\n\n".join(part for part in (values["description"], note) if part),
    }
