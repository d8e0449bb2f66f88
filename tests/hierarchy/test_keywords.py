"""Problem codes' keywords: the words callers use, kept by administrators in every language of the
interface, found by the picker and the code lookup."""

import re

import pytest
from django.conf import settings
from django.urls import reverse

from demo.catalogue import CATALOGUE as DEMO_CATALOGUE
from hierarchy.catalogue_csv import catalogue_import
from hierarchy.models import KEYWORD_FIELDS, ProblemCode, normalise_keywords
from hierarchy.services import catalogue_item_create, catalogue_item_update
from tests.factories import ProblemCodeFactory

pytestmark = pytest.mark.django_db

PICKER = {"field": "problem_code", "id": "id_problem_code"}


@pytest.fixture
def demo_catalogue(administrator):
    with DEMO_CATALOGUE.open("rb") as file:
        catalogue_import(file, user=administrator)


def picked(client, text: str) -> list[str]:
    """The codes the request form's picker offers for the text, in order."""
    response = client.get(
        reverse("hierarchy:picker_search"),
        {**PICKER, "problem_code_q": text},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    return re.findall(r'<span class="code">([^<]+)</span>', response.content.decode())


def code_form_data(code: ProblemCode, **overrides) -> dict:
    data = {
        "category": code.category_id,
        "code": code.code,
        "name": code.name,
        "description": code.description,
        "priority": code.priority,
        "standard_work_order": code.standard_work_order_id or "",
        "temporary_fix_hours": code.temporary_fix_hours or "",
        "permanent_fix_days": code.permanent_fix_days or "",
        "version": code.version,
        **{field: getattr(code, field) for field in KEYWORD_FIELDS.values()},
    }
    return {**data, **overrides}


# What callers say, in the picker


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("fridge", "APPL"),
        ("couch", "BULK"),
        ("pot hole", "POTH"),
        ("refrigerator", "APPL"),
        ("Kühlschrank", "APPL"),
        ("kjøleskap", "APPL"),
        ("sofa", "BULK"),
        ("Schlagloch", "POTH"),
    ],
)
def test_the_picker_finds_the_code_by_what_callers_say(client, agent, demo_catalogue, text, code):
    client.force_login(agent)
    assert picked(client, text)[0] == code


def test_every_word_may_be_in_another_field(client, agent, demo_catalogue):
    # "fridge" is a keyword of APPL, "pickup" a word of its name.
    client.force_login(agent)
    assert picked(client, "fridge pickup") == ["APPL"]
    assert picked(client, "fridge sinkhole") == []


def test_a_keyword_match_comes_after_names_that_contain_the_text(client, agent, catalogue):
    ProblemCodeFactory(category=catalogue["category"], code="SOFA", name="Sofa collection")
    ProblemCodeFactory(
        category=catalogue["category"], code="BULK", name="Bulky waste", keywords_en="sofa"
    )
    client.force_login(agent)
    assert picked(client, "sofa") == ["SOFA", "BULK"]


def test_the_lookup_of_a_code_shows_its_keywords(client, agent, demo_catalogue):
    appl = ProblemCode.objects.get(code="APPL")
    client.force_login(agent)
    response = client.get(reverse("hierarchy:code_lookup"), {"problem_code": appl.pk})
    content = response.content.decode()
    assert "fridge, refrigerator, freezer" in content
    assert "Kühlschrank" in content and "kjøleskap" in content


def test_the_demo_catalogue_has_keywords_for_every_code_in_every_language(demo_catalogue):
    assert set(KEYWORD_FIELDS) == {code for code, _name in settings.LANGUAGES}
    codes = ProblemCode.objects.all()
    assert len(codes) == 42
    for code in codes:
        for field in KEYWORD_FIELDS.values():
            assert getattr(code, field), f"{code.code} has no {field}"
    appl = ProblemCode.objects.get(code="APPL")
    assert appl.keywords_en.startswith("fridge, refrigerator, freezer")
    assert "couch, sofa" in ProblemCode.objects.get(code="BULK").keywords_en
    assert "pot hole" in ProblemCode.objects.get(code="POTH").keywords_en


# Kept by administrators


def test_an_administrator_sets_keywords_in_every_language(client, administrator, catalogue):
    appl = catalogue["appl"]
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_edit", args=["problem-code", appl.pk]),
        code_form_data(
            appl,
            keywords_en="fridge,refrigerator ;  freezer\nFridge",
            keywords_de="Kühlschrank, Gefrierschrank",
            keywords_nb="kjøleskap",
        ),
    )
    assert response.status_code == 302
    appl.refresh_from_db()
    assert appl.keywords_en == "fridge, refrigerator, freezer"
    assert appl.keywords_de == "Kühlschrank, Gefrierschrank"
    assert appl.keywords_nb == "kjøleskap"
    assert appl.version == 2
    detail = client.get(appl.get_absolute_url()).content.decode()
    assert "Keywords in German" in detail and "Kühlschrank, Gefrierschrank" in detail


def test_the_code_form_offers_a_keyword_box_per_language(client, administrator, catalogue):
    client.force_login(administrator)
    response = client.get(reverse("hierarchy:item_create", args=["problem-code"]))
    content = response.content.decode()
    for field in KEYWORD_FIELDS.values():
        assert f'name="{field}"' in content
    assert "Keywords in Norwegian Bokmål" in content


def test_keywords_longer_than_the_limit_are_refused_beside_their_field(
    client, administrator, catalogue
):
    appl = catalogue["appl"]
    client.force_login(administrator)
    response = client.post(
        reverse("hierarchy:item_edit", args=["problem-code", appl.pk]),
        code_form_data(appl, keywords_de="Kühlschrank, " * 100),
    )
    assert response.status_code == 200
    assert "keywords_de" in response.context["form"].errors
    appl.refresh_from_db()
    assert appl.keywords_de == ""


@pytest.mark.parametrize("role", ["agent", "supervisor"])
def test_agents_and_supervisors_cannot_change_keywords(client, request, catalogue, role):
    appl = catalogue["appl"]
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("hierarchy:item_edit", args=["problem-code", appl.pk]),
        code_form_data(appl, keywords_en="hacked"),
    )
    assert response.status_code == 403
    appl.refresh_from_db()
    assert appl.keywords_en == ""


def test_the_services_store_keywords_tidied(administrator, catalogue):
    code = catalogue_item_create(
        model=ProblemCode,
        values={
            "category": catalogue["category"],
            "code": "sofa",
            "name": "Sofa",
            "keywords_en": " couch;; Couch , settee ",
        },
        user=administrator,
    )
    assert code.keywords_en == "couch, settee"
    code = catalogue_item_update(
        item=code,
        values={"keywords_nb": "sofa\n\nsofa\nkrakk"},
        expected_version=code.version,
        user=administrator,
    )
    code.refresh_from_db()
    assert (code.keywords_en, code.keywords_nb) == ("couch, settee", "sofa, krakk")


def test_normalise_keywords_keeps_the_first_spelling_of_each():
    assert normalise_keywords("Pot hole,  pot   HOLE, pothole") == "Pot hole, pothole"
    assert normalise_keywords(" , ;\n") == ""


def test_the_code_list_finds_codes_by_keywords_too(client, administrator, demo_catalogue):
    client.force_login(administrator)
    response = client.get(reverse("hierarchy:code_list"), {"q": "fridge"})
    codes = re.findall(r'<a class="code" href="[^"]*">([^<]+)</a>', response.content.decode())
    assert codes == ["APPL"]
