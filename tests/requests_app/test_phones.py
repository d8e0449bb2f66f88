import pytest
from django.core.exceptions import ValidationError

from requests_app.phones import display_phone, normalise_phone, phone_or_none


@pytest.mark.parametrize("typed", ["0049 30 1234567", "+49 (30) 123-4567", "030 1234567"])
def test_every_way_of_typing_a_number_gives_one_form(typed, settings):
    settings.PHONE_DEFAULT_REGION = "DE"
    assert normalise_phone(typed) == "+49301234567"


def test_the_default_region_reads_national_numbers(settings):
    settings.PHONE_DEFAULT_REGION = "NO"
    assert normalise_phone("22 12 34 56") == "+4722123456"


@pytest.mark.parametrize("typed", ["hello", "12", "+49 30"])
def test_it_says_what_is_not_a_number(typed):
    with pytest.raises(ValidationError) as error:
        normalise_phone(typed)
    assert typed in error.value.messages[0]
    assert phone_or_none(typed) is None


def test_it_shows_home_numbers_nationally_and_others_internationally(settings):
    settings.PHONE_DEFAULT_REGION = "DE"
    assert display_phone("+49301234567") == "030 1234567"
    assert display_phone("+4722123456") == "+47 22 12 34 56"
