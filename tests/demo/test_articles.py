"""The demo knowledge base: one Markdown file per article under demo/articles/, loaded through
knowledgebase.services."""

import pytest
from django.db import connection

from demo.catalogue import load_demo_catalogue
from demo.knowledge import ARTICLES, ArticleFileError, load_demo_articles, read_article
from hierarchy.models import ProblemCode
from knowledgebase.models import Article, ArticleKind, ArticleStatus, Topic
from knowledgebase.rendering import render_markdown
from knowledgebase.search import search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(supervisor):
    """The demo catalogue, then the demo articles written by the supervisor."""
    load_demo_catalogue()
    return load_demo_articles(supervisor)


def test_it_writes_one_article_per_file_of_every_kind_in_every_language(demo):
    articles = Article.objects.all()
    assert demo == articles.count() == len(list(ARTICLES.glob("*.md"))) >= 30
    assert set(articles.values_list("kind", flat=True)) == set(ArticleKind.values)
    for language in ["de", "nb"]:
        assert articles.filter(language=language).count() >= 5
    assert articles.filter(language="en").count() > articles.exclude(language="en").count()
    assert articles.filter(status=ArticleStatus.DRAFT).count() == 2
    assert Topic.objects.get(name="Household collection").parent.name == "Waste and recycling"
    assert not Topic.objects.filter(name="Waste and recycling").exclude(parent=None).exists()


def test_the_appliance_pickup_script_is_published_and_tagged_appl(demo):
    script = Article.objects.get(title="Appliance pickup", language="en")
    appl = ProblemCode.objects.get(code="APPL")
    assert (script.kind, script.status) == (ArticleKind.SCRIPT, ArticleStatus.PUBLISHED)
    assert list(script.problem_codes.all()) == [appl]
    assert list(script.categories.all()) == [appl.category]
    assert "washing machine" in script.keywords
    assert script.summary.startswith("Booking the collection")
    assert script.body.startswith('**Greeting:** "Good morning')
    assert script.revisions.count() == 1


def test_the_recycling_centre_numbers_have_labels_and_numbers(demo):
    article = Article.objects.get(title="Recycling centre phone numbers")
    assert article.kind == ArticleKind.PHONE_NUMBERS
    assert article.status == ArticleStatus.PUBLISHED
    assert article.phone_numbers[0] == {
        "label": "Recycling centre North (Harbour Road)",
        "number": "555 0141",
    }
    assert len(article.phone_numbers) >= 3
    assert all(entry["label"] and entry["number"] for entry in article.phone_numbers)
    assert article.body == ""


def test_every_link_points_at_a_published_article(demo):
    links = Article.objects.filter(kind=ArticleKind.ARTICLE_LINK).select_related("link_target")
    assert links.count() >= 3
    for link in links:
        assert link.link_target.status == ArticleStatus.PUBLISHED
        assert link.link_target.kind != ArticleKind.ARTICLE_LINK
    fridge = links.get(title="Fridge collection")
    assert fridge.link_target.title == "Appliance pickup"
    assert all(
        url.startswith("https://")
        for url in Article.objects.filter(kind=ArticleKind.EXTERNAL_LINK).values_list(
            "external_url", flat=True
        )
    )


def test_every_script_renders_as_markdown(demo):
    for article in Article.objects.filter(kind=ArticleKind.SCRIPT):
        assert "<strong>" in render_markdown(article.body), article.title


def test_it_leaves_the_knowledge_base_alone_once_there_are_articles(demo, supervisor):
    before = list(Article.objects.order_by("pk").values_list("pk", "version"))
    assert load_demo_articles(supervisor) == 0
    assert list(Article.objects.order_by("pk").values_list("pk", "version")) == before


def test_without_a_catalogue_it_writes_the_articles_untagged(supervisor):
    assert load_demo_articles(supervisor) >= 30
    assert not Article.problem_codes.through.objects.exists()


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("title: No fence\n", "line 1: the header must start with '---'"),
        ("---\ntitle: Open\nkind: script\n", "the header has no closing '---'"),
        ("---\ntitle: A\nkind: script\ntopics: Parking\ncolour: red\n---\n", "line 5: expected"),
        ("---\ntitle: A\ntitle: B\nkind: script\ntopics: Parking\n---\n", "'title' is given twice"),
        ("---\ntitle: A\nkind: script\n---\nText\n", "the header lacks topics"),
        ("---\ntitle: A\nkind: poem\ntopics: Parking\n---\n", "kind 'poem' is none of"),
        (
            "---\ntitle: A\nkind: phone numbers\ntopics: Parking\n---\n\n- no number here\n",
            "line 7: expected '- label: number'",
        ),
    ],
)
def test_a_file_it_cannot_read_is_named_with_its_line(tmp_path, text, error):
    path = tmp_path / "en-broken.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ArticleFileError, match="en-broken.md") as raised:
        read_article(path)
    assert error in str(raised.value)


def test_a_link_to_an_article_that_is_not_there_is_refused(tmp_path, supervisor):
    (tmp_path / "en-link.md").write_text(
        "---\ntitle: Fridges\nkind: article link\ntopics: Parking\nlink to: Nowhere\n---\n",
        encoding="utf-8",
    )
    with pytest.raises(ArticleFileError, match="en-link.md: links to 'Nowhere'"):
        load_demo_articles(supervisor, folder=tmp_path)
    assert not Article.objects.exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance needs PostgreSQL's trigram index"
)
def test_an_agent_finds_the_appliance_script_despite_a_typo(demo, agent):
    hits = search_articles("aplliance", user=agent)
    assert hits[0].article.title == "Appliance pickup"
    assert all(hit.article.status == ArticleStatus.PUBLISHED for hit in hits)
