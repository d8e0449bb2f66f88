import pytest
from django.core.exceptions import ValidationError

from callcenter.concurrency import EditConflict
from knowledgebase.access import can_read_article, readable_articles
from knowledgebase.models import Article, ArticleKind, ArticleStatus
from knowledgebase.services import (
    article_archive,
    article_create,
    article_publish,
    article_restore,
    article_update,
)

pytestmark = pytest.mark.django_db


def script(user, title="Appliance pickup", body="Say: we collect appliances on request."):
    return article_create(
        values={"kind": ArticleKind.SCRIPT, "title": title, "body": body},
        relations={},
        user=user,
    )


def link_to(user, target, title="See also"):
    return article_create(
        values={"kind": ArticleKind.ARTICLE_LINK, "title": title, "link_target": target},
        relations={},
        user=user,
    )


def test_an_article_starts_as_a_draft_with_its_tags(supervisor, catalogue):
    article = article_create(
        values={"kind": ArticleKind.SCRIPT, "title": "Appliances", "body": "Text"},
        relations={"problem_codes": [catalogue["appl"]], "categories": [catalogue["category"]]},
        user=supervisor,
    )
    assert article.status == ArticleStatus.DRAFT
    assert list(article.problem_codes.all()) == [catalogue["appl"]]
    assert list(catalogue["appl"].articles.all()) == [article]


@pytest.mark.parametrize(
    "values, field",
    [
        ({"kind": ArticleKind.SCRIPT, "body": "  "}, "body"),
        ({"kind": ArticleKind.PHONE_NUMBERS}, "phone_numbers"),
        ({"kind": ArticleKind.EXTERNAL_LINK}, "external_url"),
        ({"kind": ArticleKind.ARTICLE_LINK}, "link_target"),
    ],
)
def test_each_kind_needs_what_it_reads_out(supervisor, values, field):
    with pytest.raises(ValidationError) as error:
        article_create(values={"title": "T", **values}, relations={}, user=supervisor)
    assert field in error.value.message_dict
    assert not Article.objects.exists()


def test_a_link_points_at_a_published_article_only(supervisor):
    draft = script(supervisor)
    with pytest.raises(ValidationError) as error:
        link_to(supervisor, draft)
    assert error.value.message_dict["link_target"] == ["Link only to a published article."]


def test_no_article_links_to_itself_or_into_a_circle(supervisor):
    first = article_publish(article=script(supervisor), user=supervisor)
    second = article_publish(article=link_to(supervisor, first), user=supervisor)
    with pytest.raises(ValidationError) as error:
        article_update(
            article=first,
            values={"kind": ArticleKind.ARTICLE_LINK, "link_target": first},
            relations={},
            expected_version=first.version,
            user=supervisor,
        )
    assert error.value.message_dict["link_target"] == ["An article cannot link to itself."]
    with pytest.raises(ValidationError) as error:
        article_update(
            article=first,
            values={"kind": ArticleKind.ARTICLE_LINK, "link_target": second},
            relations={},
            expected_version=first.version,
            user=supervisor,
        )
    assert "circle" in error.value.message_dict["link_target"][0]


def test_archiving_a_linked_article_is_refused_with_the_linking_ones(supervisor):
    target = article_publish(article=script(supervisor), user=supervisor)
    article_publish(article=link_to(supervisor, target, "Bulky waste"), user=supervisor)
    with pytest.raises(ValidationError) as error:
        article_archive(article=target, user=supervisor)
    assert "“Bulky waste”" in error.value.messages[0]
    target.refresh_from_db()
    assert target.status == ArticleStatus.PUBLISHED


def test_every_save_of_a_published_article_keeps_a_revision_and_one_can_be_restored(
    supervisor, administrator
):
    article = article_publish(article=script(supervisor, body="First words"), user=supervisor)
    article = article_update(
        article=article,
        values={"body": "Second words"},
        relations={},
        expected_version=article.version,
        user=administrator,
    )
    first, second = article.revisions.order_by("number")
    assert (first.content["body"], second.content["body"]) == ("First words", "Second words")
    assert second.changed_by == administrator
    restored = article_restore(article=article, revision=first, user=supervisor)
    assert restored.body == "First words"
    assert restored.revisions.count() == 3


def test_drafts_keep_no_revisions(supervisor):
    article = script(supervisor)
    article_update(
        article=article,
        values={"body": "Changed"},
        relations={},
        expected_version=article.version,
        user=supervisor,
    )
    assert not article.revisions.exists()


def test_the_second_of_two_edits_is_refused(supervisor, administrator):
    article = script(supervisor)
    opened = article.version
    article_update(
        article=article,
        values={"body": "A"},
        relations={},
        expected_version=opened,
        user=supervisor,
    )
    with pytest.raises(EditConflict):
        article_update(
            article=article,
            values={"body": "B"},
            relations={},
            expected_version=opened,
            user=administrator,
        )


def test_agents_never_see_a_draft(agent, supervisor):
    draft = script(supervisor, title="Draft")
    published = article_publish(article=script(supervisor, title="Live"), user=supervisor)
    assert not can_read_article(agent, draft)
    assert can_read_article(agent, published)
    assert can_read_article(supervisor, draft)
    assert list(readable_articles(agent)) == [published]
