"""What a resident types: a report (the web form) and a status lookup. Validated on the server;
the report becomes the PostedReport that Open311's service takes.

Against bots, without third parties: a field people do not see (the trap, which a bot fills)
and the moment the form was shown, signed into a hidden field (`form_stamp`), so that a form
sent sooner than a person could fill it is refused. Neither is a form field: a refusal names
no field and saves nothing (residents.views)."""

import enum
import time
from itertools import groupby

from django import forms
from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from callcenter.inputs import ADDRESS_TEXT, CONTROL_CHARACTERS
from hierarchy.models import ProblemCode
from open311.forms import DESCRIPTION_MAX, STRING_ANSWER_MAX
from open311.models import Datatype, ServiceAttribute
from open311.reads import public_services
from open311.services import PostedReport
from requests_app.phones import normalise_phone

TRAP_FIELD = "website"
STAMP_FIELD = "shown"
STAMP_SALT = "residents.report-form"
# A form open longer than this is shown again to be sent anew (a stamp is not a pass for ever).
STAMP_MAX_AGE = 12 * 3600

no_control_characters = RegexValidator(
    CONTROL_CHARACTERS,
    inverse_match=True,
    message=_("Use letters, digits, spaces and punctuation only."),
)


class Sending(enum.Enum):
    BY_A_PERSON = "person"
    BY_A_BOT = "bot"
    STALE = "stale"


def form_stamp() -> str:
    """The moment the form is shown, signed: a bot cannot make an older one."""
    return signing.dumps(time.time(), salt=STAMP_SALT)


def next_stamp(data, sent_by: Sending | None) -> str:
    """The stamp of the form shown (again): a person's keeps its first moment, as a quick
    correction after an error is no bot's haste; a new or a stale form is stamped now."""
    if sent_by is Sending.BY_A_PERSON:
        return data[STAMP_FIELD]
    return form_stamp()


def sending(data) -> Sending:
    """Who sent the form, as far as the trap and the stamp tell."""
    if data.get(TRAP_FIELD, ""):
        return Sending.BY_A_BOT
    try:
        shown = signing.loads(data.get(STAMP_FIELD, ""), salt=STAMP_SALT)
    except signing.BadSignature:
        return Sending.BY_A_BOT
    if not isinstance(shown, float | int):
        return Sending.BY_A_BOT
    seconds = time.time() - shown
    if seconds < settings.PUBLIC_REPORT_MIN_SECONDS:
        return Sending.BY_A_BOT
    if seconds > STAMP_MAX_AGE:
        return Sending.STALE
    return Sending.BY_A_PERSON


class ReportForm(forms.Form):
    problem_code = forms.ChoiceField(label=_("What is the problem?"))
    address = forms.CharField(
        label=_("Where is it?"),
        max_length=ADDRESS_TEXT,
        validators=[no_control_characters],
        help_text=_("The street and house number, or a place people know, such as a park gate."),
    )
    description = forms.CharField(
        label=_("Describe the problem"),
        max_length=DESCRIPTION_MAX,
        required=False,
        validators=[no_control_characters],
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("What you see, and since when. Please do not include personal details."),
    )
    name = forms.CharField(
        label=_("Your name"),
        max_length=200,
        required=False,
        validators=[no_control_characters],
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("We send you the request number and the link to its status page."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    phone = forms.CharField(
        label=_("Phone number"),
        max_length=40,
        required=False,
        validators=[no_control_characters],
        help_text=_("In case the team has a question about the place."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"}),
    )

    # The request's fields a service error may name, and the fields of this form they are.
    SERVICE_FIELDS = {
        "problem_code": "problem_code",
        "work_address": "address",
        "description": "description",
        "caller_name": "name",
        "caller_email": "email",
        "caller_phone": "phone",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.codes = {code.code: code for code in public_services()}
        self.fields["problem_code"].choices = [("", _("Choose the problem")), *self.grouped()]
        # Each public service's questions (its Open311 attributes), asked of whoever chooses it.
        self.questions: dict[str, list[tuple[str, ServiceAttribute]]] = {}
        for code in self.codes.values():
            for attribute in code.open311_attributes.all():
                name = f"answer_{attribute.pk}"
                self.fields[name] = question_field(attribute)
                self.questions.setdefault(code.code, []).append((name, attribute))
        # In the page's order, which the error summary follows: the questions after the place.
        asked = [name for questions in self.questions.values() for name, _attr in questions]
        self.order_fields(["problem_code", "address", *asked])

    def question_sections(self) -> list[dict]:
        """The questions by service, for the template: only the chosen service's are shown
        (callcenter.js shows another's when the choice changes; without JavaScript the page
        asks them when it comes back)."""
        chosen = self["problem_code"].value()
        return [
            {
                "code": self.codes[code],
                "fields": [self[name] for name, _attribute in questions],
                "hidden": code != chosen,
            }
            for code, questions in self.questions.items()
        ]

    def grouped(self) -> list[tuple[str, list[tuple[str, str]]]]:
        """The public codes by service category, each group and its codes by name."""
        codes = sorted(self.codes.values(), key=lambda code: (code.category.name, code.name))
        return [
            (category, [(code.code, code.name) for code in members])
            for category, members in groupby(codes, key=lambda code: code.category.name)
        ]

    def clean_problem_code(self) -> ProblemCode:
        # ChoiceField has refused any value that is not one of the codes offered.
        return self.codes[self.cleaned_data["problem_code"]]

    def clean_address(self) -> str:
        return " ".join(self.cleaned_data["address"].split())

    def clean_name(self) -> str:
        return " ".join(self.cleaned_data["name"].split())

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        return normalise_phone(phone) if phone else ""

    def clean(self):
        cleaned = super().clean()
        code = cleaned.get("problem_code")
        self.answers = []
        for name, attribute in self.questions.get(getattr(code, "code", None), []):
            answer = cleaned.get(name)
            if answer in (None, "", []):
                if attribute.required and not self.has_error(name):
                    self.add_error(name, _("Please answer this question."))
                continue
            self.answers.append((attribute, question_answer(attribute, answer)))
        return cleaned

    def report(self) -> PostedReport:
        """The valid form as Open311's service takes a report (call after is_valid())."""
        data = self.cleaned_data
        return PostedReport(
            problem_code=data["problem_code"],
            description=data["description"],
            address_string=data["address"],
            email=data["email"].lower(),
            phone=data["phone"],
            # One name as people write it; Open311's two parts are joined again for the desk.
            first_name=data["name"],
            answers=self.answers,
        )

    def add_service_errors(self, error: ValidationError) -> None:
        """The desk's refusal, beside the fields it names (others at the top)."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error)
            return
        for name, messages in error.message_dict.items():
            self.add_error(self.SERVICE_FIELDS.get(name), messages)


def question_field(attribute: ServiceAttribute) -> forms.Field:
    """The form field for a service's question; none is required by the field itself, only
    when its service is chosen (ReportForm.clean)."""
    common = {
        "label": attribute.description,
        "required": False,
        "help_text": attribute.datatype_description,
    }
    choices = [(value["key"], value["name"]) for value in attribute.values]
    if attribute.datatype == Datatype.SINGLE:
        return forms.ChoiceField(choices=choices, widget=forms.RadioSelect, **common)
    if attribute.datatype == Datatype.MULTIPLE:
        return forms.MultipleChoiceField(
            choices=choices, widget=forms.CheckboxSelectMultiple, **common
        )
    if attribute.datatype == Datatype.NUMBER:
        return forms.DecimalField(max_digits=18, decimal_places=6, **common)
    if attribute.datatype == Datatype.DATETIME:
        return forms.DateTimeField(
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), **common
        )
    if attribute.datatype == Datatype.TEXT:
        return forms.CharField(
            max_length=DESCRIPTION_MAX,
            widget=forms.Textarea(attrs={"rows": 3}),
            validators=[no_control_characters],
            **common,
        )
    return forms.CharField(
        max_length=STRING_ANSWER_MAX, validators=[no_control_characters], **common
    )


def question_answer(attribute: ServiceAttribute, value) -> str | list[str]:
    """An answer as Open311 keeps it: the chosen keys, or the answer as text."""
    if attribute.datatype == Datatype.MULTIPLE:
        return list(value)
    if attribute.datatype == Datatype.DATETIME:
        return value.isoformat()
    if attribute.datatype == Datatype.NUMBER:
        return format(value.normalize(), "f")
    return value.strip() if isinstance(value, str) else value


# What a request number and a report's code are made of (CR-2026-000123; 32 hex digits): the
# lookup leads to an address of the status page, which has no room for anything else.
LOOKUP_TEXT = RegexValidator(
    r"^[A-Za-z0-9-]+$", message=_("Use the letters, digits and dashes of the confirmation only.")
)


class StatusLookupForm(forms.Form):
    number = forms.CharField(
        label=_("Request number"),
        max_length=40,
        help_text=_("As in the confirmation, such as CR-2026-000123."),
        validators=[LOOKUP_TEXT],
    )
    code = forms.CharField(
        label=_("Code"),
        max_length=64,
        help_text=_("The code from the confirmation: the last part of the status page's link."),
        validators=[LOOKUP_TEXT],
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_number(self) -> str:
        return self.cleaned_data["number"].upper()

    def clean_code(self) -> str:
        return self.cleaned_data["code"].lower()
