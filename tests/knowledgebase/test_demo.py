import pytest
from django.core.management import call_command
from django.db import connection

from hierarchy.catalogue_csv import DEMO_CATALOGUE, catalogue_import
from hierarchy.models import ProblemCode
from knowledgebase.demo import load_demo_articles
from knowledgebase.models import Article, ArticleKind, ArticleStatus, Topic
from knowledgebase.rendering import render_markdown
from knowledgebase.search import search_articles

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(supervisor):
    """The demo catalogue, then the demo articles written by the supervisor."""
    with DEMO_CATALOGUE.open("rb") as file:
        catalogue_import(file, user=None)
    return load_demo_articles(supervisor)


def test_it_writes_articles_of_every_kind_in_every_language(demo):
    articles = Article.objects.all()
    assert demo == articles.count() >= 30
    assert set(articles.values_list("kind", flat=True)) == set(ArticleKind.values)
    for language in ["de", "nb"]:
        assert articles.filter(language=language).count() >= 5
    assert articles.filter(language="en").count() > articles.exclude(language="en").count()
    assert articles.filter(status=ArticleStatus.DRAFT).count() == 2
    assert Topic.objects.get(name="Household collection").parent.name == "Waste and recycling"


def test_the_appliance_pickup_script_is_published_and_tagged_appl(demo):
    script = Article.objects.get(title="Appliance pickup", language="en")
    appl = ProblemCode.objects.get(code="APPL")
    assert (script.kind, script.status) == (ArticleKind.SCRIPT, ArticleStatus.PUBLISHED)
    assert list(script.problem_codes.all()) == [appl]
    assert list(script.categories.all()) == [appl.category]
    assert script.revisions.count() == 1


def test_the_recycling_centre_numbers_have_labels_and_numbers(demo):
    article = Article.objects.get(title="Recycling centre phone numbers")
    assert article.kind == ArticleKind.PHONE_NUMBERS
    assert article.status == ArticleStatus.PUBLISHED
    assert len(article.phone_numbers) >= 3
    assert all(entry["label"] and entry["number"] for entry in article.phone_numbers)


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
    for article in Article.objects.all():
        html = render_markdown(article.body)
        if article.kind == ArticleKind.SCRIPT:
            assert "<strong>" in html, article.title


def test_it_leaves_the_knowledge_base_alone_once_there_are_articles(demo, supervisor):
    before = list(Article.objects.order_by("pk").values_list("pk", "version"))
    assert load_demo_articles(supervisor) == 0
    assert list(Article.objects.order_by("pk").values_list("pk", "version")) == before


def test_without_a_catalogue_it_writes_the_articles_untagged(supervisor):
    assert load_demo_articles(supervisor) >= 30
    assert not Article.problem_codes.through.objects.exists()


def test_the_demo_command_loads_the_knowledge_base_once(settings, capsys):
    settings.DEBUG = True
    call_command("load_demo_data")
    count = Article.objects.count()
    assert f"Knowledge base: {count} articles." in capsys.readouterr().out
    assert Article.objects.filter(title="Appliance pickup", problem_codes__code="APPL").exists()
    call_command("load_demo_data")
    assert "Knowledge base: left as it is" in capsys.readouterr().out
    assert Article.objects.count() == count


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance needs PostgreSQL's trigram index"
)
def test_an_agent_finds_the_appliance_script_despite_a_typo(demo, agent):
    hits = search_articles("aplliance", user=agent)
    assert hits[0].article.title == "Appliance pickup"
    assert all(hit.article.status == ArticleStatus.PUBLISHED for hit in hits)
