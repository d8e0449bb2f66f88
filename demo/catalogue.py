"""The demo city's service catalogue: 42 problem codes of a city's departments, with their
standard work orders and the keywords callers use, in the catalogue import's CSV format
(hierarchy.catalogue_csv)."""

from pathlib import Path

from hierarchy.catalogue_csv import catalogue_import
from hierarchy.models import Department

CATALOGUE = Path(__file__).with_name("catalogue.csv")


def load_demo_catalogue() -> str | None:
    """Import the demo catalogue into an empty catalogue, and say what the import did; None,
    and nothing imported, when there is a catalogue: importing again would undo what
    administrators changed."""
    if Department.objects.exists():
        return None
    with CATALOGUE.open("rb") as file:
        return catalogue_import(file, user=None).message()
