"""What an app may post (GeoReport v2's POST requests) and what an administrator types for a
key. The API's own messages are in English: they are read by developers of apps, in logs."""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import ADDRESS_TEXT
from hierarchy.models import ProblemCode
from open311.models import LIST_DATATYPES, Datatype, ServiceAttribute
from open311.services import PostedReport
from requests_app.phones import normalise_phone

DESCRIPTION_MAX = 4_000
STRING_ANSWER_MAX = 200
SIX_PLACES = Decimal("0.000001")


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=120,
        help_text=_("The app or partner that will use the key, such as “FixMyStreet”."),
    )


class QuestionForm(forms.Form):
    """A question a public service asks an app's reporter (a GeoReport v2 attribute)."""

    code = forms.RegexField(
        label=_("Code"),
        max_length=40,
        regex=r"^[A-Za-z0-9_-]+$",
        error_messages={"invalid": _("Use letters, digits, '-' and '_' only.")},
        help_text=_("What apps send the answer as: attribute[CODE]. The same code changes it."),
    )
    description = forms.CharField(label=_("Question"), max_length=500)
    datatype = forms.ChoiceField(label=_("Answer"), choices=Datatype.choices)
    required = forms.BooleanField(label=_("An answer is required"), required=False)
    order = forms.IntegerField(label=_("Order"), min_value=1, max_value=999, initial=1)
    datatype_description = forms.CharField(
        label=_("Hint for the reporter"), max_length=500, required=False
    )
    values = forms.CharField(
        label=_("Choices"),
        required=False,
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("For the list answers: one choice a line, as key=name (out=Light is out)."),
    )

    def clean_values(self) -> list[dict]:
        choices = []
        for number, line in enumerate(self.cleaned_data["values"].splitlines(), start=1):
            if not line.strip():
                continue
            key, equals, name = line.partition("=")
            if not equals or not key.strip() or not name.strip():
                raise ValidationError(
                    _("Line %(number)s is not key=name."), params={"number": number}
                )
            choices.append({"key": key.strip(), "name": name.strip()})
        return choices

    def clean(self):
        cleaned = super().clean()
        needs_choices = cleaned.get("datatype") in LIST_DATATYPES
        if needs_choices and not cleaned.get("values") and not self.has_error("values"):
            self.add_error("values", _("A list answer needs its choices."))
        return cleaned


class PostedReportForm(forms.Form):
    """The parameters of POST requests.{json,xml}. Empty ones count as absent (Django's fields
    take "" as no value); others than these are ignored. `answers` holds the attribute[code]
    parameters by code, each as the list of values sent."""

    service_code = forms.CharField(max_length=16)
    lat = forms.DecimalField(min_value=-90, max_value=90, required=False)
    long = forms.DecimalField(min_value=-180, max_value=180, required=False)
    address_string = forms.CharField(max_length=ADDRESS_TEXT, required=False)
    address_id = forms.CharField(max_length=200, required=False)
    email = forms.EmailField(required=False)
    phone = forms.CharField(max_length=40, required=False)
    first_name = forms.CharField(max_length=100, required=False)
    last_name = forms.CharField(max_length=100, required=False)
    description = forms.CharField(max_length=DESCRIPTION_MAX, required=False, strip=False)
    media_url = forms.URLField(max_length=1000, required=False, assume_scheme="https")
    device_id = forms.CharField(max_length=200, required=False)
    account_id = forms.CharField(max_length=200, required=False)

    def __init__(self, data, answers: dict[str, list[str]]):
        super().__init__(data)
        self.answers = answers

    def clean_service_code(self) -> ProblemCode:
        code = (
            ProblemCode.objects.usable()
            .filter(is_public=True, code__iexact=self.cleaned_data["service_code"])
            .select_related("category__provider__department", "standard_work_order")
            .first()
        )
        if code is None:
            raise ValidationError("service_code was not found.", code="not_found")
        return code

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""

    def clean_description(self) -> str:
        return self.cleaned_data["description"].strip()

    def clean(self):
        cleaned = super().clean()
        lat, long = cleaned.get("lat"), cleaned.get("long")
        point_refused = self.has_error("lat") or self.has_error("long")
        if (lat is None) != (long is None) and not point_refused:
            missing = "long" if long is None else "lat"
            self.add_error(missing, "lat and long come together: give both, or neither.")
        has_point = lat is not None and long is not None
        has_address = bool(cleaned.get("address_string"))
        if not (has_point or has_address) and not self.errors:
            # Where the problem is: a point or an address. An address_id needs an address
            # repository this city does not publish.
            self.add_error(
                "lat",
                "A location is required: lat and long, or address_string (address_id "
                "is not supported here).",
            )
        return cleaned

    def report(self) -> PostedReport:
        """The valid post as the service takes it (call after is_valid())."""
        data = self.cleaned_data
        return PostedReport(
            problem_code=data["service_code"],
            description=data["description"],
            latitude=_six_places(data["lat"]),
            longitude=_six_places(data["long"]),
            address_string=data["address_string"].strip(),
            email=data["email"],
            phone=data["phone"],
            first_name=data["first_name"].strip(),
            last_name=data["last_name"].strip(),
            device_id=data["device_id"],
            account_id=data["account_id"],
            media_url=data["media_url"],
            answers=self._answers,
        )

    def _post_clean(self):
        super()._post_clean()
        self._answers = []
        code = self.cleaned_data.get("service_code")
        if isinstance(code, ProblemCode):
            for attribute in code.open311_attributes.all():
                self._check_answer(attribute)

    def _check_answer(self, attribute: ServiceAttribute) -> None:
        name = f"attribute[{attribute.code}]"
        values = [value.strip() for value in self.answers.get(attribute.code, []) if value.strip()]
        if not values:
            if attribute.required:
                self.add_error(None, f"{name} is required: {attribute.description}")
            return
        try:
            answer = _answer(attribute, values)
        except ValidationError as error:
            self.add_error(None, f"{name}: {error.messages[0]}")
            return
        self._answers.append((attribute, answer))


def _answer(attribute: ServiceAttribute, values: list[str]) -> str | list[str]:
    """The answer as kept: the text, or the chosen keys; ValidationError saying what is wrong."""
    if attribute.datatype in LIST_DATATYPES:
        unknown = [value for value in values if value not in attribute.value_names()]
        if unknown:
            raise ValidationError(f"{unknown[0]!r} is not one of its values.")
        if attribute.datatype == Datatype.SINGLE:
            if len(values) > 1:
                raise ValidationError("choose one value only.")
            return values[0]
        return list(dict.fromkeys(values))
    value = values[0]
    if attribute.datatype == Datatype.NUMBER:
        try:
            if not Decimal(value).is_finite():
                raise InvalidOperation
        except InvalidOperation:
            raise ValidationError("give a number.") from None
    elif attribute.datatype == Datatype.DATETIME:
        try:
            parsed = parse_datetime(value)
        except ValueError:
            parsed = None
        if parsed is None:
            raise ValidationError("give a date and time such as 2026-12-01T09:30:00Z.")
    limit = DESCRIPTION_MAX if attribute.datatype == Datatype.TEXT else STRING_ANSWER_MAX
    if len(value) > limit or "\x00" in value:
        raise ValidationError(f"at most {limit} characters, without null characters.")
    return value


def _six_places(value: Decimal | None) -> Decimal | None:
    """A coordinate to the micro-degree (about 10 cm) the work orders keep."""
    return None if value is None else value.quantize(SIX_PLACES, rounding=ROUND_HALF_UP)
