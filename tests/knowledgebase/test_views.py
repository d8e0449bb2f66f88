import pytest
from django.test import Client
from django.urls import reverse

from knowledgebase.models import Article, ArticleKind, ArticleStatus, FailedSearch, Topic
from knowledgebase.services import article_create, article_publish, article_update

pytestmark = pytest.mark.django_db


def script(user, title="Appliance pickup", body="Say: **we collect appliances**."):
    return article_create(
        values={"kind": ArticleKind.SCRIPT, "title": title, "body": body},
        relations={},
        user=user,
    )


def form_data(**overrides) -> dict:
    data = {
        "kind": ArticleKind.SCRIPT,
        "title": "Bulky waste",
        "summary": "",
        "language": "en",
        "body": "Bulky waste is collected on request.",
        "phone_numbers": "",
        "external_url": "",
        "link_target": "",
    }
    return {**data, **overrides}


def test_a_supervisor_writes_a_draft(client, supervisor, catalogue):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_new"),
        form_data(problem_codes=[catalogue["appl"].pk]),
    )
    article = Article.objects.get()
    assert response.url == article.get_absolute_url()
    assert article.status == ArticleStatus.DRAFT
    assert article.created_by == supervisor
    assert list(article.problem_codes.all()) == [catalogue["appl"]]


def test_phone_numbers_are_written_one_a_line(client, supervisor):
    client.force_login(supervisor)
    client.post(
        reverse("knowledgebase:article_new"),
        form_data(
            kind=ArticleKind.PHONE_NUMBERS,
            body="",
            phone_numbers="Recycling centre North: 030 1234\nCity hotline: 115",
        ),
    )
    assert Article.objects.get().phone_numbers == [
        {"label": "Recycling centre North", "number": "030 1234"},
        {"label": "City hotline", "number": "115"},
    ]


def test_a_bad_phone_line_is_named(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_new"),
        form_data(kind=ArticleKind.PHONE_NUMBERS, phone_numbers="just a number 115"),
    )
    assert "Line 1" in response.context["form"].errors["phone_numbers"][0]
    assert not Article.objects.exists()


def test_an_external_link_must_be_http(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_new"),
        form_data(kind=ArticleKind.EXTERNAL_LINK, external_url="javascript:alert(1)"),
    )
    assert "external_url" in response.context["form"].errors
    assert not Article.objects.exists()


def test_the_article_page_shows_sanitised_markdown(client, supervisor):
    article = script(supervisor, body="**Hello** <script>alert(1)</script>")
    client.force_login(supervisor)
    page = client.get(article.get_absolute_url()).content.decode()
    assert "<strong>Hello</strong>" in page
    assert "<script>alert(1)" not in page


def test_agents_read_published_articles_only(client, agent, supervisor):
    draft = script(supervisor, title="Secret draft")
    live = article_publish(article=script(supervisor, title="Live"), user=supervisor)
    client.force_login(agent)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(live.get_absolute_url()).status_code == 200
    listing = client.get(reverse("knowledgebase:article_list")).content.decode()
    assert "Live" in listing
    assert "Secret draft" not in listing
    assert client.get(reverse("knowledgebase:article_new")).status_code == 403


def test_following_a_link_article_opens_its_target(client, agent, supervisor):
    target = article_publish(article=script(supervisor), user=supervisor)
    link = article_create(
        values={"kind": ArticleKind.ARTICLE_LINK, "title": "Fridges", "link_target": target},
        relations={},
        user=supervisor,
    )
    link = article_publish(article=link, user=supervisor)
    client.force_login(agent)
    response = client.get(link.get_absolute_url())
    assert response.url == target.get_absolute_url()


def test_publishing_and_archiving(client, supervisor):
    article = script(supervisor)
    client.force_login(supervisor)
    url = reverse("knowledgebase:article_set_status", args=[article.pk])
    client.post(url, {"status": "published"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.PUBLISHED
    client.post(url, {"status": "archived"})
    article.refresh_from_db()
    assert article.status == ArticleStatus.ARCHIVED


def test_archiving_a_linked_article_says_which_ones_link(client, supervisor):
    target = article_publish(article=script(supervisor), user=supervisor)
    article_create(
        values={"kind": ArticleKind.ARTICLE_LINK, "title": "Fridges", "link_target": target},
        relations={},
        user=supervisor,
    )
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_set_status", args=[target.pk]),
        {"status": "archived"},
        follow=True,
    )
    assert "“Fridges”" in response.content.decode()
    target.refresh_from_db()
    assert target.status == ArticleStatus.PUBLISHED


def test_revisions_show_what_changed_and_restore(client, supervisor):
    article = article_publish(article=script(supervisor, body="Old words"), user=supervisor)
    article_update(
        article=article,
        values={"body": "New words"},
        relations={},
        expected_version=article.version,
        user=supervisor,
    )
    client.force_login(supervisor)
    page = client.get(reverse("knowledgebase:article_revisions", args=[article.pk]))
    content = page.content.decode()
    assert "<del>" in content and "Old</del>" in content
    assert "<ins>" in content and "New</ins>" in content
    client.post(reverse("knowledgebase:article_restore_revision", args=[article.pk, 1]))
    article.refresh_from_db()
    assert article.body == "Old words"


def test_two_supervisors_editing_the_same_article(client, supervisor, administrator):
    article = script(supervisor)
    url = reverse("knowledgebase:article_edit", args=[article.pk])
    opened = form_data(title=article.title, version=article.version)
    client.force_login(supervisor)
    client.post(url, {**opened, "body": "First"})
    response = client.post(url, {**opened, "body": "Second"})
    assert "saved this article while you were editing it" in response.content.decode()
    article.refresh_from_db()
    assert article.body == "First"


def test_topics_are_added_by_writers_and_filter_the_list(client, supervisor, agent):
    client.force_login(supervisor)
    client.post(reverse("knowledgebase:topic_list"), {"name": "Waste"})
    waste = Topic.objects.get(name="Waste")
    client.post(reverse("knowledgebase:topic_list"), {"name": "Bulky", "parent": waste.pk})
    bulky = Topic.objects.get(name="Bulky")
    article = article_publish(article=script(supervisor), user=supervisor)
    article.topics.add(bulky)
    client.force_login(agent)
    assert client.post(reverse("knowledgebase:topic_list"), {"name": "X"}).status_code == 404
    response = client.get(reverse("knowledgebase:article_list"), {"topic": waste.pk})
    assert list(response.context["page"].object_list) == [article]


def test_the_list_answers_htmx_with_its_results(client, agent, supervisor):
    article_publish(article=script(supervisor), user=supervisor)
    client.force_login(agent)
    response = client.get(
        reverse("knowledgebase:article_list"), {"q": "appliance"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in response.content
    assert b"Appliance pickup" in response.content
    assert b"<mark>" in response.content
    # Live filtering is not a search someone gave up on.
    assert not FailedSearch.objects.exists()


def test_a_submitted_search_that_finds_nothing_is_recorded(client, agent, supervisor):
    article_publish(article=script(supervisor), user=supervisor)
    client.force_login(agent)
    url = reverse("knowledgebase:article_list")
    response = client.post(url, {"q": "Parking  permit", "kind": "", "language": "en"})
    # Then the results page: a GET that can be bookmarked, and that counts nothing again.
    assert response.status_code == 303
    assert response.url == f"{url}?q=Parking++permit&language=en"
    assert FailedSearch.objects.get().text == "parking permit"
    page = client.get(response.url).content.decode()
    assert "No article matches this search." in page
    assert FailedSearch.objects.get().count == 1


def test_a_search_by_get_records_nothing(client, agent, supervisor):
    """A link from another site, a bookmark, a reload of the results: no failed search."""
    article_publish(article=script(supervisor), user=supervisor)
    client.force_login(agent)
    response = client.get(reverse("knowledgebase:article_list"), {"q": "parking permit"})
    assert "No article matches this search." in response.content.decode()
    assert not FailedSearch.objects.exists()


def test_a_submitted_search_that_finds_something_or_has_bad_filters_records_nothing(
    client, agent, supervisor
):
    article_publish(article=script(supervisor), user=supervisor)
    client.force_login(agent)
    url = reverse("knowledgebase:article_list")
    assert client.post(url, {"q": "appliance"}).url == f"{url}?q=appliance"
    assert client.post(url, {}).url == url
    response = client.post(
        url, {"q": "parking", "kind": "recipe", "page": "2", "csrfmiddlewaretoken": "token"}
    )
    assert response.status_code == 200
    assert response.context["query"] == "q=parking&kind=recipe"
    assert "Select a valid choice. recipe is not one of the available choices." in (
        response.content.decode()
    )
    assert not FailedSearch.objects.exists()


def test_the_search_form_posts_and_filters_live_by_get_without_the_token(client, agent):
    client.force_login(agent)
    page = client.get(reverse("knowledgebase:article_list")).content.decode()
    assert 'method="post" action="/knowledge/" hx-params="not csrfmiddlewaretoken"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'hx-get="/knowledge/"' in page


def test_a_search_longer_than_a_title_is_refused_with_a_field_error(client, agent):
    client.force_login(agent)
    url = reverse("knowledgebase:article_list")
    for response in (client.post(url, {"q": "x" * 50_000}), client.get(url, {"q": "x" * 50_000})):
        assert response.status_code == 200
        page = response.content.decode()
        assert "Ensure this value has at most 200 characters (it has 50000)." in page
        assert 'maxlength="200"' in page
    assert not FailedSearch.objects.exists()


def test_a_search_posted_from_another_site_is_refused(agent):
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    response = client.post(reverse("knowledgebase:article_list"), {"q": "parking permit"})
    assert response.status_code == 403
    assert not FailedSearch.objects.exists()


def test_the_search_never_shows_an_agent_a_draft(client, agent, supervisor):
    script(supervisor, title="Appliance draft")
    client.force_login(agent)
    response = client.get(reverse("knowledgebase:article_list"), {"q": "appliance"})
    assert "Appliance draft" not in response.content.decode()


def test_managers_and_anonymous_users_cannot_read(client, manager, supervisor):
    article = article_publish(article=script(supervisor), user=supervisor)
    client.force_login(manager)
    assert client.get(article.get_absolute_url()).status_code == 403
    client.logout()
    assert client.get(article.get_absolute_url()).status_code == 302


def test_the_form_shows_the_chosen_kinds_fields_only(client, supervisor):
    client.force_login(supervisor)
    page = client.get(reverse("knowledgebase:article_new") + "?kind=phone_numbers").content
    page = page.decode()
    assert 'data-values="phone_numbers">' in page
    assert 'data-values="external_link" hidden>' in page
    assert 'data-values="article_link" hidden>' in page
    assert 'data-values="script phone_numbers external_link">' in page
