"""The demo city's callers: names, e-mail addresses and streets from Faker in the interface's
languages, phone numbers valid in settings.PHONE_DEFAULT_REGION. The same seed gives the same
people."""

import random
import unicodedata

import phonenumbers
from django.conf import settings
from faker import Faker

# Faker's locale for each language of the interface (Faker calls Norwegian Bokmål no_NO).
LOCALES = {"en": "en_GB", "de": "de_DE", "nb": "no_NO"}
# The city's own language: its streets, and the names of many who speak another.
CITY_LANGUAGE = "de"
CITY = "Berlin"
POSTCODES = ["10115", "10117", "10119", "10178", "10243", "10247", "10405", "10435", "10551"]
# example.com, .net and .org: addresses that reach nobody, for a demo may send e-mail.
MAIL_DOMAINS = ["example.com", "example.org", "example.net"]
# Popular names of places and where they are: an address alias on a customer, and a work address.
PLACES = [
    ("City Hall", "Rathausplatz 1"),
    ("Central Library", "Bibliotheksplatz 3"),
    ("Main Station", "Europaplatz 1"),
    ("Old Market", "Alter Markt 5"),
    ("Community Centre North", "Nordring 40"),
    ("Riverside Sports Hall", "Uferstraße 112"),
    ("Town Hall Annex", "Rathausplatz 4"),
]

# The national significant numbers phonenumbers accepts as valid German numbers: the prefix
# after +49, how many digits follow it, and how often it is drawn.
GERMAN_LANDLINES = [("30", 8, 40), ("40", 8, 15), ("89", 8, 10), ("69", 8, 6), ("221", 8, 6)]
GERMAN_MOBILES = [("151", 8, 10), ("160", 8, 6), ("170", 8, 6), ("176", 8, 10), ("1520", 7, 5)]


class People:
    """Names of the city's people in each language, and a few dozen of its streets (so that
    callers share streets as neighbours do), drawn by Faker (one seeded generator per
    language) once: a volume of a million requests then picks among them, faster than Faker
    draws. Drawn by Faker's weights, common names come up more often."""

    def __init__(self, seed: int | str, streets: int = 40, names: int = 1000):
        self.first_names: dict[str, list[str]] = {}
        self.last_names: dict[str, list[str]] = {}
        for language, locale in LOCALES.items():
            fake = Faker(locale)
            fake.seed_instance(f"{seed}-{language}")
            self.first_names[language] = [fake.first_name() for _ in range(names)]
            self.last_names[language] = [fake.last_name() for _ in range(names)]
            if language == CITY_LANGUAGE:
                self.streets = _streets(fake, streets)

    def name(self, language: str, rng: random.Random) -> tuple[str, str]:
        """First and last name of someone who speaks `language`: often a name of that
        language, otherwise one of the city's."""
        language = language if rng.random() < 0.7 else CITY_LANGUAGE
        return rng.choice(self.first_names[language]), rng.choice(self.last_names[language])

    def email(self, first: str, last: str, serial: int, rng: random.Random) -> str:
        """first.last<serial>@example.*: unique by the serial, as customers' addresses must be
        for the desk to find the one customer by it."""
        return f"{_ascii(first)}.{_ascii(last)}{serial}@{rng.choice(MAIL_DOMAINS)}"

    def street_address(self, rng: random.Random) -> str:
        return f"{rng.choice(self.streets)} {rng.randint(1, 120)}\n{rng.choice(POSTCODES)} {CITY}"


def _streets(fake: Faker, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = fake.street_name()
        if name not in names:
            names.append(name)
    return names


def _ascii(text: str) -> str:
    """The name as a mailbox writes it: lower case, no accents or spaces."""
    text = text.lower().replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    for letter, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("å", "aa")):
        text = text.replace(letter, plain)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if char.isascii() and char.isalnum())


class PhoneMaker:
    """Valid numbers of the default region in E.164, never the same one twice. (Faker's phone
    numbers are shaped like a country's but not always valid by its numbering plan.)"""

    def __init__(self, rng: random.Random, region: str | None = None):
        self.rng = rng
        region = region or settings.PHONE_DEFAULT_REGION
        self.country_code = phonenumbers.country_code_for_region(region)
        self.used: set[str] = set()
        # The German table is known to be valid (the tests check it); other regions' numbers
        # are derived from phonenumbers' examples and checked one by one.
        self.check = region != "DE"
        if region == "DE":
            self.landlines = self._templates(GERMAN_LANDLINES)
            self.mobiles = self._templates(GERMAN_MOBILES)
        else:
            self.landlines = self._example(region, phonenumbers.PhoneNumberType.FIXED_LINE)
            self.mobiles = self._example(region, phonenumbers.PhoneNumberType.MOBILE)
            self.mobiles = self.mobiles or self.landlines

    @staticmethod
    def _templates(table) -> list[tuple[int, int]]:
        """(prefix × 10^digits, 10^digits) per entry, repeated by weight for a cheap choice."""
        return [
            (int(prefix) * 10**digits, 10**digits)
            for prefix, digits, weight in table
            for _ in range(weight)
        ]

    def _example(self, region: str, kind) -> list[tuple[int, int]]:
        example = phonenumbers.example_number_for_type(region, kind)
        if example is None:
            return []
        span = 10 ** min(4, len(str(example.national_number)) - 2)
        return [(example.national_number - example.national_number % span, span)]

    def __call__(self, mobile: bool) -> str:
        templates = self.mobiles if mobile else self.landlines
        while True:
            base, span = self.rng.choice(templates)
            # Subscriber numbers start with 2-9, as real ones do.
            national = base + self.rng.randrange(span // 5, span)
            number = phonenumbers.format_number(
                phonenumbers.PhoneNumber(country_code=self.country_code, national_number=national),
                phonenumbers.PhoneNumberFormat.E164,
            )
            if number not in self.used and (not self.check or self._valid(number)):
                self.used.add(number)
                return number

    @staticmethod
    def _valid(number: str) -> bool:
        return phonenumbers.is_valid_number(phonenumbers.parse(number))
