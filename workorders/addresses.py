"""Work addresses as the duplicate check compares them.

Callers and agents write one place many ways: "12 Main St." and "12 main street", "Hauptstr. 5"
and "Hauptstraße 5", "Storgata 3" and "Storgt. 3". The key folds case, accents of the Latin
alphabet, punctuation and spacing, and writes common street words one way (English, German,
Norwegian). It does not geocode: "12 Main Street, Springfield" and "12 Main Street" differ.
"""

import math
import re
import unicodedata
from decimal import Decimal

# Street words and their abbreviations, each to one form.
STREET_WORDS = {
    "st": "street",
    "str": "street",
    "strasse": "street",
    "rd": "road",
    "ave": "avenue",
    "av": "avenue",
    "blvd": "boulevard",
    "ln": "lane",
    "dr": "drive",
    "ct": "court",
    "pl": "place",
    "sq": "square",
    "gt": "gate",
    "gata": "gate",
    "vn": "vei",
    "veien": "vei",
}
# German and Norwegian glue the street word to the name: "Hauptstr." is "Hauptstraße",
# "Storgt." is "Storgata". Longest endings first.
GLUED = ["strasse", "veien", "gata", "gate", "str", "vei", "gt", "vn"]
MIN_STEM = 3
MAX_KEY = 200
_WORD = re.compile(r"[^\W_]+")


def address_key(address: str) -> str:
    """The address in the one form duplicates are compared in."""
    text = _strip_accents(unicodedata.normalize("NFKC", address or "").casefold())
    return " ".join(part for word in _WORD.findall(text) for part in _fold(word))[:MAX_KEY]


def _fold(word: str) -> list[str]:
    if word in STREET_WORDS:
        return [STREET_WORDS[word]]
    for ending in GLUED:
        if word.endswith(ending) and len(word) - len(ending) >= MIN_STEM:
            return [word[: -len(ending)], STREET_WORDS.get(ending, ending)]
    return [word]


def _strip_accents(text: str) -> str:
    """ "Møllergata" and "Mollergata", "Straße" and "Strasse" alike; other scripts stay."""
    text = text.replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


EARTH_RADIUS_M = 6_371_000


def distance_m(lat1: Decimal, lon1: Decimal, lat2: Decimal, lon2: Decimal) -> float:
    """Metres between two points (haversine)."""
    phi1, phi2 = math.radians(float(lat1)), math.radians(float(lat2))
    d_phi = phi2 - phi1
    d_lambda = math.radians(float(lon2) - float(lon1))
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def bounding_box(latitude: Decimal, longitude: Decimal, metres: float) -> dict:
    """Latitude and longitude ranges holding every point within `metres` (for an index scan;
    distance_m then decides)."""
    d_lat = math.degrees(metres / EARTH_RADIUS_M)
    d_lon = d_lat / max(math.cos(math.radians(float(latitude))), 0.01)
    return {
        "latitude__range": (float(latitude) - d_lat, float(latitude) + d_lat),
        "longitude__range": (float(longitude) - d_lon, float(longitude) + d_lon),
    }
