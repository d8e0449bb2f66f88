"""Articles' keywords: kept by supervisors in the article form, searched as the title is."""

import pytest
from django.urls import reverse

from knowledgebase.models import Article, ArticleKind, ArticleRevision
from knowledgebase.search import search_articles
from knowledgebase.services import article_create, article_publish, article_restore

pytestmark = pytest.mark.django_db


def form_data(**overrides) -> dict:
    data = {
        "kind": ArticleKind.SCRIPT,
        "title": "Appliance pickup",
        "summary": "",
        "language": "en",
        "keywords": "",
        "body": "We collect fridges and washing machines.",
        "phone_numbers": "",
        "external_url": "",
        "link_target": "",
    }
    return {**data, **overrides}


def script(user, **values) -> Article:
    article = article_create(
        values={
            "kind": ArticleKind.SCRIPT,
            "title": "Appliance pickup",
            "body": "We collect fridges and washing machines.",
            **values,
        },
        relations={},
        user=user,
    )
    return article_publish(article=article, user=user)


def titles(hits) -> list[str]:
    return [hit.article.title for hit in hits]


def test_a_supervisor_writes_keywords_that_the_search_finds(client, supervisor, agent):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_new"),
        form_data(keywords="refrigerator;  Refrigerator,\nwhite goods"),
    )
    article = Article.objects.get()
    assert response.url == article.get_absolute_url()
    assert article.keywords == "refrigerator, white goods"
    article_publish(article=article, user=supervisor)

    assert titles(search_articles("refrigerator", user=agent)) == ["Appliance pickup"]
    page = client.get(article.get_absolute_url()).content.decode()
    assert "refrigerator, white goods" in page


def test_a_supervisor_changes_the_keywords_and_the_search_follows(client, supervisor, agent):
    article = script(supervisor, keywords="refrigerator")
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_edit", args=[article.pk]),
        form_data(keywords="white goods", version=article.version),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.keywords == "white goods"
    assert search_articles("refrigerator", user=agent) == []
    assert titles(search_articles("goods", user=agent)) == ["Appliance pickup"]
    # A published article keeps a revision of every save, keywords included.
    assert article.revisions.order_by("-number").first().content["keywords"] == "white goods"


def test_the_article_form_offers_keywords(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("knowledgebase:article_new")).content.decode()
    assert 'name="keywords"' in page
    assert "in the article&#x27;s language" in page


def test_keywords_longer_than_the_limit_are_refused_beside_their_field(client, supervisor):
    article = script(supervisor)
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_edit", args=[article.pk]),
        form_data(keywords="x" * 1001, version=article.version),
    )
    assert response.status_code == 200
    assert "keywords" in response.context["form"].errors
    article.refresh_from_db()
    assert article.keywords == ""


@pytest.mark.parametrize("role", ["agent", "administrator"])
def test_agents_and_administrators_cannot_change_keywords(client, request, supervisor, role):
    article = script(supervisor, keywords="refrigerator")
    client.force_login(request.getfixturevalue(role))
    response = client.post(
        reverse("knowledgebase:article_edit", args=[article.pk]),
        form_data(keywords="hacked", version=article.version),
    )
    assert response.status_code == 403
    article.refresh_from_db()
    assert article.keywords == "refrigerator"
    new = client.post(reverse("knowledgebase:article_new"), form_data(keywords="hacked"))
    assert new.status_code == 403
    assert Article.objects.count() == 1


def test_restoring_a_revision_from_before_keywords_keeps_the_keywords(supervisor):
    article = script(supervisor, keywords="refrigerator")
    old = ArticleRevision.objects.get(article=article)
    # As revisions saved before articles had keywords are: without them.
    old.content = {key: value for key, value in old.content.items() if key != "keywords"}
    old.content["body"] = "Old words"
    old.save()

    article_restore(article=article, revision=old, user=supervisor)

    article.refresh_from_db()
    assert (article.body, article.keywords) == ("Old words", "refrigerator")
