"""Phone numbers are stored in E.164 ("+49301234567") however they were typed, and looked up
the same way, so "0049 30 1234567", "+49 (30) 123-4567" and "030 1234567" find one caller."""

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


def normalise_phone(text: str, region: str | None = None) -> str:
    """The number in E.164, or ValidationError saying why it is not a phone number."""
    try:
        number = phonenumbers.parse(text, region or settings.PHONE_DEFAULT_REGION)
    except phonenumbers.NumberParseException as error:
        raise ValidationError(
            _("“%(text)s” is not a phone number."), code="invalid_phone", params={"text": text}
        ) from error
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            _("“%(text)s” is not a valid phone number."),
            code="invalid_phone",
            params={"text": text},
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def phone_or_none(text: str) -> str | None:
    """The E.164 form if the text is a valid number, else None (for searches, not for saving)."""
    try:
        return normalise_phone(text)
    except ValidationError:
        return None


def display_phone(e164: str) -> str:
    """Readable: national format for the home region, international otherwise."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164)
    home = phonenumbers.region_code_for_number(number) == settings.PHONE_DEFAULT_REGION
    style = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if home
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    return phonenumbers.format_number(number, style)
