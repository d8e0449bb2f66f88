"""Search that understands callers: what callers say, asked of the demo knowledge base, finds the
answer first."""

import pytest
from django.db import connection

from demo.catalogue import CATALOGUE as DEMO_CATALOGUE
from demo.knowledge import load_demo_articles
from hierarchy.catalogue_csv import catalogue_import
from knowledgebase.models import Article
from knowledgebase.search import search_articles
from knowledgebase.services import article_create, article_publish

pytestmark = pytest.mark.django_db

postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="typo tolerance needs PostgreSQL's trigram similarity; SQLite matches words as typed",
)


@pytest.fixture
def demo(supervisor):
    with DEMO_CATALOGUE.open("rb") as file:
        catalogue_import(file, user=None)
    load_demo_articles(supervisor)


def first(text: str, user, **filters) -> str:
    hits = search_articles(text, user=user, **filters)
    assert hits, f"nothing found for {text!r}"
    return hits[0].article.title


def titles(hits) -> list[str]:
    return [hit.article.title for hit in hits]


def test_a_question_in_plain_words_finds_its_answer_first(demo, agent):
    assert first("when is bulky waste collected", agent) == "Bulky waste pickup"
    # The script, or the article that links to it.
    assert first("Where can I leave my old paint?", agent) in {
        "Hazardous waste at the recycling centre",
        "Paint and batteries",
    }


def test_a_synonym_among_the_keywords_finds_the_article(demo, agent):
    appliance = Article.objects.get(title="Appliance pickup")
    words = f"{appliance.title} {appliance.summary} {appliance.body}".lower()
    assert "refrigerator" not in words
    assert "refrigerator" in appliance.keywords
    assert first("refrigerator", agent) == "Appliance pickup"
    # The German article on bulky waste has "Couch" among its keywords too.
    assert first("couch", agent, language="en") == "Bulky waste pickup"
    assert first("pot hole", agent, language="en") == "Pothole"


@postgresql_only
def test_a_small_typo_is_forgiven(demo, agent):
    assert first("bulkey waste", agent) == "Bulky waste pickup"
    assert first("bulkey", agent) == "Bulky waste pickup"
    assert first("refridgerator", agent) == "Appliance pickup"


def test_questions_in_german_and_norwegian_find_theirs(demo, agent):
    assert first("Wann wird der Sperrmüll abgeholt?", agent, language="de") == ("Sperrmüllabholung")
    assert first("Couch", agent, language="de") == "Sperrmüllabholung"
    assert first("hvem henter kjøleskapet mitt", agent, language="nb") in {
        "Henting av hvitevarer",
        "Kjøleskap og fryser",
    }


def test_words_without_meaning_find_nothing_by_themselves(demo, agent):
    assert search_articles("when is the", user=agent) == []
    assert search_articles("wann ist der", user=agent, language="de") == []


def test_the_article_with_more_of_the_words_ranks_first(agent, supervisor):
    for title, body in [
        ("Waste calendar", "Collection days for waste."),
        ("Bulky waste", "Sofas and bulky furniture are collected on request."),
        ("Garden", "Bulky branches go to the recycling centre."),
    ]:
        article = article_create(
            values={"kind": "script", "title": title, "body": body}, relations={}, user=supervisor
        )
        article_publish(article=article, user=supervisor)

    hits = search_articles("when is bulky waste collected", user=agent)

    assert titles(hits)[0] == "Bulky waste"
    assert set(titles(hits)) == {"Bulky waste", "Waste calendar", "Garden"}
    assert hits[0].rank > hits[1].rank >= hits[2].rank
