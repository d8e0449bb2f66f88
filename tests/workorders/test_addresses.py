import pytest

from workorders.addresses import address_key, distance_m


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("12 Main St.", "12 main street"),
        ("12, Main  Street", "12 MAIN ST"),
        ("Hauptstr. 5", "Hauptstraße 5"),
        ("Hauptstrasse 5", "Haupt Straße 5"),
        ("Storgt. 3", "Storgata 3"),
        ("Møllergata 2", "Mollergt 2"),
        ("Kirkeveien 4", "Kirkevn. 4"),
        ("12 First Avenue", "12 first ave"),
    ],
)
def test_one_place_written_two_ways_has_one_key(one, other):
    assert address_key(one) == address_key(other)


@pytest.mark.parametrize(
    ("one", "other"),
    [("12 Main Street", "14 Main Street"), ("12 Main Street", "12 Main Road")],
)
def test_different_places_keep_different_keys(one, other):
    assert address_key(one) != address_key(other)


def test_distances_in_metres():
    # Two points on Unter den Linden in Berlin, about 40 m apart.
    assert 35 < distance_m(52.51700, 13.38886, 52.51705, 13.38945) < 45
    assert distance_m(52.5, 13.4, 52.5, 13.4) == 0
