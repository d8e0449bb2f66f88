"""The knowledge base in the request: search, articles of a problem code, consulted articles,
and the setting that asks for a search before resolving."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from callcenter.concurrency import EditConflict
from knowledgebase.models import ArticleKind, FailedSearch
from requests_app.models import ConsultedArticle, RequestType, RequestTypeSetting, Status
from requests_app.services import request_save, request_start, request_type_setting_save
from tests.factories import article

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def search(client, customer_request, text, **params):
    url = reverse("requests_app:request_knowledge_search", args=[customer_request.pk])
    return client.get(url, {"kb_q": text, **params}, **HTMX)


def consult(client, customer_request, opened, **headers):
    url = reverse("requests_app:request_consult_article", args=[customer_request.pk, opened.pk])
    return client.get(url, **headers)


def resolve(customer_request, user, **values):
    return request_save(
        request=customer_request,
        values={"status": Status.RESOLVED, **values},
        expected_version=customer_request.version,
        user=user,
    )


def test_the_request_search_finds_published_articles_only(client, agent, supervisor):
    article(supervisor, "Bulky waste collection", body="Sofas and mattresses.")
    article(supervisor, "Bulky waste fees (draft)", body="Sofas cost extra.", publish=False)
    customer_request = request_start(agent=supervisor)
    client.force_login(supervisor)  # a writer, who could read the draft elsewhere
    page = search(client, customer_request, "sofas").content.decode()
    assert "Bulky waste collection" in page
    assert "draft" not in page
    customer_request.refresh_from_db()
    assert customer_request.knowledge_searched_at is not None


def test_only_a_submitted_search_that_finds_nothing_is_counted(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = search(client, customer_request, "wasp nest").content.decode()
    assert "No published article matches “wasp nest”" in page
    assert not FailedSearch.objects.exists()
    search(client, customer_request, "wasp nest", submitted="1")
    assert FailedSearch.objects.get().text == "wasp nest"


def test_an_empty_search_is_not_a_search(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    search(client, customer_request, "  ", submitted="1")
    customer_request.refresh_from_db()
    assert customer_request.knowledge_searched_at is None
    assert not FailedSearch.objects.exists()


def test_picking_a_problem_code_lists_its_articles(client, agent, supervisor, catalogue):
    article(supervisor, "Appliance pickup", problem_codes=[catalogue["appl"]])
    article(supervisor, "Missed bins", problem_codes=[catalogue["missed"]])
    article(supervisor, "Fridge draft", problem_codes=[catalogue["appl"]], publish=False)
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    url = reverse("requests_app:request_code_articles", args=[customer_request.pk])
    page = client.get(url, {"problem_code": catalogue["appl"].pk}, **HTMX).content.decode()
    assert "Appliance pickup" in page
    assert "Missed bins" not in page
    assert "Fridge draft" not in page
    assert "Appliance pickup" not in client.get(url, {"problem_code": "x"}, **HTMX).content.decode()


def test_an_action_request_shows_the_articles_of_its_code(client, agent, supervisor, catalogue):
    article(supervisor, "Appliance pickup script", problem_codes=[catalogue["appl"]])
    customer_request = request_start(agent=agent)
    customer_request.request_type = RequestType.ACTION
    customer_request.problem_code = catalogue["appl"]
    customer_request.save()
    client.force_login(agent)
    page = client.get(customer_request.get_absolute_url()).content.decode()
    assert "Appliance pickup script" in page


def test_opening_an_article_records_it_once_and_shows_it(client, agent, supervisor):
    script = article(supervisor, "Appliance pickup", body="Say: **we collect appliances**.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = consult(client, customer_request, script, **HTMX).content.decode()
    assert "<strong>we collect appliances</strong>" in page
    assert 'id="consulted-articles"' in page and 'hx-swap-oob="outerHTML"' in page
    consult(client, customer_request, script, **HTMX)
    use = ConsultedArticle.objects.get()
    assert (use.request, use.article, use.consulted_by) == (customer_request, script, agent)
    request_page = client.get(customer_request.get_absolute_url()).content.decode()
    assert "Articles consulted" in request_page
    assert script.get_absolute_url() in request_page


def test_a_link_article_opens_and_records_its_target(client, agent, supervisor):
    target = article(supervisor, "Appliance pickup", body="We collect appliances.")
    link = article(
        supervisor, "Fridge collection", kind=ArticleKind.ARTICLE_LINK, link_target=target
    )
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = consult(client, customer_request, link, **HTMX).content.decode()
    assert "We collect appliances." in page
    assert ConsultedArticle.objects.get().article == target
    # Opened in a new tab (no HTMX): recorded the same, and the article's own page opens.
    assert consult(client, customer_request, link).url == target.get_absolute_url()


def test_a_draft_cannot_be_opened_from_a_request(client, agent, supervisor):
    draft = article(supervisor, "Draft", publish=False)
    customer_request = request_start(agent=agent)
    client.force_login(supervisor)
    assert consult(client, customer_request, draft).status_code == 404
    assert not ConsultedArticle.objects.exists()


def test_an_information_request_is_resolved_only_after_a_search(agent, supervisor):
    customer_request = request_start(agent=agent)
    with pytest.raises(ValidationError) as error:
        resolve(customer_request, agent, answer_given="Tuesdays")
    assert error.value.message_dict["status"] == [
        "Search the knowledge base before saving this request as “Resolved”: requests of the "
        "type “Information” need it."
    ]
    script = article(supervisor, "Collection days")
    # Consulting an article is using the knowledge base too.
    ConsultedArticle.objects.create(request=customer_request, article=script, consulted_by=agent)
    assert resolve(customer_request, agent, answer_given="Tuesdays").status == Status.RESOLVED


def test_closing_needs_the_search_too_but_not_other_saves(agent):
    customer_request = request_start(agent=agent)
    customer_request = request_save(
        request=customer_request,
        values={"answer_given": "Will find out"},
        expected_version=customer_request.version,
        user=agent,
    )
    with pytest.raises(ValidationError):
        request_save(
            request=customer_request,
            values={"status": Status.CLOSED},
            expected_version=customer_request.version,
            user=agent,
        )


def test_the_setting_is_per_request_type(agent, administrator, catalogue):
    customer_request = request_start(agent=agent)
    action = {
        "request_type": RequestType.ACTION,
        "problem_code": catalogue["appl"],
        "work_address": "12 Main Street",
    }
    assert resolve(customer_request, agent, **action).status == Status.RESOLVED

    request_type_setting_save(
        request_type=RequestType.ACTION,
        knowledge_search_required=True,
        expected_version=1,
        user=administrator,
    )
    another = request_start(agent=agent)
    with pytest.raises(ValidationError):
        resolve(another, agent, **action)
    request_type_setting_save(
        request_type=RequestType.INFORMATION,
        knowledge_search_required=False,
        expected_version=1,
        user=administrator,
    )
    third = request_start(agent=agent)
    assert resolve(third, agent, answer_given="Tuesdays").status == Status.RESOLVED


def test_a_stale_setting_save_is_refused(administrator, supervisor):
    request_type_setting_save(
        request_type=RequestType.COMMENT,
        knowledge_search_required=True,
        expected_version=1,
        user=administrator,
    )
    with pytest.raises(EditConflict):
        request_type_setting_save(
            request_type=RequestType.COMMENT,
            knowledge_search_required=False,
            expected_version=1,
            user=supervisor,
        )
    assert RequestTypeSetting.for_type(RequestType.COMMENT).knowledge_search_required


def test_the_settings_page(client, agent, supervisor):
    url = reverse("requests_app:request_settings")
    client.force_login(agent)
    assert client.get(url).status_code == 403
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert page.count("Knowledge-base search required before resolving") == 3
    assert 'id="id_information_knowledge_search_required" checked' in page
    response = client.post(url, {"request_type": "information", "version": "1"})
    assert response.status_code == 302
    assert not RequestTypeSetting.for_type("information").knowledge_search_required
    # A second supervisor's form, opened before that save, is refused with a message.
    stale = client.post(
        url, {"request_type": "information", "version": "1", "knowledge_search_required": "on"}
    )
    assert "Someone else changed this setting meanwhile" in stale.content.decode()
    assert not RequestTypeSetting.for_type("information").knowledge_search_required


def test_the_live_search_waits_for_three_letters(client, agent, supervisor):
    article(supervisor, "Collection days", body="Collection is on Tuesdays.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = search(client, customer_request, "co").content.decode()
    assert "Keep typing" in page and "Collection days" not in page
    customer_request.refresh_from_db()
    assert customer_request.knowledge_searched_at is None
    assert (
        "Collection days" in search(client, customer_request, "co", submitted="1").content.decode()
    )
