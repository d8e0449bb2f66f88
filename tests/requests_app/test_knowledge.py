"""The knowledge base in the request: search, articles of a problem code, consulted articles,
and the setting that asks for a search before resolving."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from callcenter.concurrency import EditConflict
from knowledgebase.models import ArticleKind, FailedSearch
from requests_app.models import ConsultedArticle, RequestType, RequestTypeSetting, Status
from requests_app.services import request_save, request_start, request_type_setting_save
from tests.factories import CustomerFactory, article
from tests.requests_app.test_request_views import edit_url, form_data

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def search_url(customer_request) -> str:
    return reverse("requests_app:request_knowledge_search", args=[customer_request.pk])


def consult_url(customer_request, opened) -> str:
    return reverse("requests_app:request_consult_article", args=[customer_request.pk, opened.pk])


def search(client, customer_request, text, **params):
    """The live search, as the agent types: a GET."""
    return client.get(search_url(customer_request), {"kb_q": text, **params}, **HTMX)


def submit_search(client, customer_request, text, **headers):
    """Enter or the Search button: a POST (HTMX sends the search box alone)."""
    return client.post(search_url(customer_request), {"kb_q": text}, **headers)


def consult(client, customer_request, opened, **headers):
    return client.post(consult_url(customer_request, opened), **headers)


def nothing_recorded(customer_request) -> bool:
    customer_request.refresh_from_db()
    return (
        customer_request.knowledge_searched_at is None
        and not FailedSearch.objects.exists()
        and not ConsultedArticle.objects.exists()
    )


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
    for page in (
        search(client, customer_request, "sofas").content.decode(),
        submit_search(client, customer_request, "sofas", **HTMX).content.decode(),
    ):
        assert "Bulky waste collection" in page
        assert "draft" not in page
        assert "<html" not in page


def test_a_live_search_records_nothing(client, agent, supervisor):
    article(supervisor, "Bulky waste collection", body="Sofas and mattresses.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = search(client, customer_request, "wasp nest").content.decode()
    assert "No published article matches “wasp nest”. Press Search" in page
    assert "Bulky waste collection" in search(client, customer_request, "sofas").content.decode()
    # The old way of asking for a submitted search is a GET too.
    search(client, customer_request, "wasp nest", submitted="1")
    assert nothing_recorded(customer_request)


def test_a_submitted_search_is_noted_on_the_request_and_counted_when_it_finds_nothing(
    client, agent, supervisor
):
    article(supervisor, "Bulky waste collection", body="Sofas and mattresses.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    submit_search(client, customer_request, "sofas", **HTMX)
    customer_request.refresh_from_db()
    searched_at = customer_request.knowledge_searched_at
    assert searched_at is not None
    assert not FailedSearch.objects.exists()

    page = submit_search(client, customer_request, "Wasp  nest", **HTMX).content.decode()
    assert "The supervisors will see that this search found nothing." in page
    assert FailedSearch.objects.get().text == "wasp nest"
    customer_request.refresh_from_db()
    assert customer_request.knowledge_searched_at == searched_at  # the first search counts
    assert customer_request.version == 1  # not an edit of the request


def test_an_empty_search_is_not_a_search(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    submit_search(client, customer_request, "  ", **HTMX)
    assert nothing_recorded(customer_request)


def test_a_post_from_another_site_is_refused_and_records_nothing(agent, supervisor):
    script = article(supervisor, "Appliance pickup")
    customer_request = request_start(agent=agent)
    client = Client(enforce_csrf_checks=True)
    client.force_login(agent)
    assert submit_search(client, customer_request, "wasp nest", **HTMX).status_code == 403
    assert consult(client, customer_request, script, **HTMX).status_code == 403
    assert nothing_recorded(customer_request)


def test_a_nul_byte_in_a_submitted_search_is_no_error(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = submit_search(client, customer_request, "wasp\x00nest", **HTMX)
    assert response.status_code == 200
    assert FailedSearch.objects.get().text == "wasp nest"


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
    for not_an_id in ("x", "²", "9" * 19, "-1", "1\x00"):
        response = client.get(url, {"problem_code": not_an_id}, **HTMX)
        assert response.status_code == 200
        assert "Appliance pickup" not in response.content.decode()


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


def test_a_get_of_an_article_from_a_request_records_nothing(client, agent, supervisor):
    """An old link, or one from another site: the article's own page, and no use recorded."""
    target = article(supervisor, "Appliance pickup", body="We collect appliances.")
    link = article(
        supervisor, "Fridge collection", kind=ArticleKind.ARTICLE_LINK, link_target=target
    )
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.get(consult_url(customer_request, target))
    assert response.url == target.get_absolute_url()
    assert client.get(consult_url(customer_request, link), **HTMX).url == link.get_absolute_url()
    assert client.get(response.url).status_code == 200
    assert nothing_recorded(customer_request)


def test_the_hits_open_in_the_panel_by_post_and_in_a_new_tab_by_a_plain_link(
    client, agent, supervisor
):
    script = article(supervisor, "Appliance pickup", body="We collect appliances.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = search(client, customer_request, "appliance").content.decode()
    assert f'hx-post="{consult_url(customer_request, script)}"' in page
    assert f'formaction="{consult_url(customer_request, script)}" formmethod="post"' in page
    assert f'<a href="{script.get_absolute_url()}" target="_blank"' in page
    assert f'href="{consult_url(customer_request, script)}"' not in page


def test_a_draft_cannot_be_opened_from_a_request(client, agent, supervisor):
    draft = article(supervisor, "Draft", publish=False)
    customer_request = request_start(agent=agent)
    client.force_login(supervisor)
    assert consult(client, customer_request, draft).status_code == 404
    assert client.get(consult_url(customer_request, draft)).status_code == 404
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
    assert nothing_recorded(customer_request)
    page = submit_search(client, customer_request, "co", **HTMX).content.decode()
    assert "Collection days" in page


# "Search before resolving", over HTTP


def save_as_resolved(client, customer_request):
    customer_request.refresh_from_db()
    data = form_data(customer_request, status=Status.RESOLVED, answer_given="Tuesdays")
    return client.post(edit_url(customer_request), data)


def test_a_live_search_does_not_unlock_resolved(client, agent, supervisor):
    article(supervisor, "Collection days", body="Collection is on Tuesdays.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    for typed in ("w", "wa", "was", "wasp", "collection"):
        search(client, customer_request, typed)
    response = save_as_resolved(client, customer_request)
    assert response.status_code == 200
    assert "Search the knowledge base before saving" in response.content.decode()
    customer_request.refresh_from_db()
    assert customer_request.status == Status.OPEN


def test_a_submitted_search_unlocks_resolved_even_when_it_finds_nothing(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    submit_search(client, customer_request, "wasp nest", **HTMX)
    assert save_as_resolved(client, customer_request).status_code == 302
    customer_request.refresh_from_db()
    assert customer_request.status == Status.RESOLVED


def test_an_article_opened_unlocks_resolved(client, agent, supervisor):
    script = article(supervisor, "Collection days", body="Collection is on Tuesdays.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.get(consult_url(customer_request, script))
    assert save_as_resolved(client, customer_request).status_code == 200
    consult(client, customer_request, script, **HTMX)
    assert save_as_resolved(client, customer_request).status_code == 302
    customer_request.refresh_from_db()
    assert customer_request.status == Status.RESOLVED


# Without JavaScript: the buttons post the whole request form to the knowledge views


def test_without_javascript_a_search_comes_back_with_what_was_typed_unsaved(
    client, agent, supervisor
):
    article(supervisor, "Collection days", body="Collection is on Tuesdays.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    typed = form_data(
        customer_request,
        caller_email="not an address",
        answer_given="Will check the days",
        status=Status.RESOLVED,
        kb_q="collection",
    )
    response = client.post(search_url(customer_request), typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "<html" in page
    assert "Will check the days" in page
    assert 'value="not an address"' in page
    assert 'value="collection"' in page
    assert "Collection days" in page
    # Not saved, and not checked yet: no error until the agent saves.
    assert 'class="error' not in page
    customer_request.refresh_from_db()
    assert (customer_request.answer_given, customer_request.version) == ("", 1)
    assert customer_request.knowledge_searched_at is not None


def test_without_javascript_an_article_opens_in_the_request_page(client, agent, supervisor):
    script = article(supervisor, "Collection days", body="Collection is on **Tuesdays**.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    typed = form_data(customer_request, answer_given="Tuesdays", kb_q="collection")
    response = client.post(consult_url(customer_request, script), typed)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Collection is on <strong>Tuesdays</strong>." in page
    assert "Tuesdays</textarea>" in page
    assert page.count("Collection days") >= 3  # the hit, the article, the consulted list
    use = ConsultedArticle.objects.get()
    assert (use.request, use.article) == (customer_request, script)
    customer_request.refresh_from_db()
    assert customer_request.version == 1
    # Then saving as resolved goes through: the article was opened.
    assert save_as_resolved(client, customer_request).status_code == 302


def test_a_post_without_the_request_form_shows_the_saved_request(client, agent):
    customer_request = request_start(agent=agent)
    customer_request = request_save(
        request=customer_request,
        values={"answer_given": "Saved answer"},
        expected_version=customer_request.version,
        user=agent,
    )
    client.force_login(agent)
    page = submit_search(client, customer_request, "wasp nest").content.decode()
    assert "Saved answer</textarea>" in page


# Knowledge in reach -------------------------------------------------------------------------------


def parts(page: str) -> tuple[str, str]:
    """What a list shows at once, and what it folds under "Other languages"."""
    shown, _, folded = page.partition('<details class="other-languages"')
    return shown, folded


def test_articles_in_the_agents_and_the_callers_language_come_first(
    client, agent, supervisor, catalogue
):
    appl = [catalogue["appl"]]
    article(supervisor, "Appliance pickup", problem_codes=appl, language="en")
    article(supervisor, "Henting av hvitevarer", problem_codes=appl, language="nb")
    article(supervisor, "Abholung von Haushaltsgeräten", problem_codes=appl, language="de")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    url = reverse("requests_app:request_code_articles", args=[customer_request.pk])
    shown, folded = parts(client.get(url, {"problem_code": appl[0].pk}, **HTMX).content.decode())
    assert "Appliance pickup" in shown
    assert "Henting av hvitevarer" in folded and "Abholung" in folded
    assert "Other languages (2 articles)" in folded

    # A caller who prefers Norwegian: their articles come first too.
    customer_request.customer = CustomerFactory(preferred_language="nb")
    customer_request.save()
    shown, folded = parts(client.get(url, {"problem_code": appl[0].pk}, **HTMX).content.decode())
    assert "Appliance pickup" in shown and "Henting av hvitevarer" in shown
    assert "Abholung" in folded and "Other languages (1 article)" in folded

    # The agent working in German: German first, then the caller's Norwegian.
    client.cookies["django_language"] = "de"
    shown, folded = parts(client.get(url, {"problem_code": appl[0].pk}, **HTMX).content.decode())
    assert "Abholung" in shown and "Henting av hvitevarer" in shown
    assert "Appliance pickup" in folded


def test_the_search_folds_other_languages_and_records_only_a_post(client, agent, supervisor):
    article(supervisor, "Bulky waste collection", language="en")
    article(supervisor, "Sperrmüll Abholung", language="de", keywords="bulky waste")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    shown, folded = parts(search(client, customer_request, "bulky waste").content.decode())
    assert "Bulky waste collection" in shown and "Sperrmüll" in folded
    assert nothing_recorded(customer_request)
    shown, folded = parts(
        submit_search(client, customer_request, "bulky waste", **HTMX).content.decode()
    )
    assert "Bulky waste collection" in shown and "Sperrmüll" in folded
    customer_request.refresh_from_db()
    assert customer_request.knowledge_searched_at is not None


def test_only_other_languages_are_shown_unfolded(client, agent, supervisor):
    article(supervisor, "Sperrmüll Abholung", language="de")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = search(client, customer_request, "Sperrmüll").content.decode()
    assert '<details class="other-languages" open>' in page


def test_an_opened_article_goes_to_the_drawer_with_its_heading_to_focus(client, agent, supervisor):
    script = article(supervisor, "Appliance pickup", body="We collect appliances.")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = search(client, customer_request, "appliance").content.decode()
    assert 'hx-target="#kb-article"' in page
    opened = consult(client, customer_request, script, **HTMX).content.decode()
    assert '<h2 id="kb-opened-heading" tabindex="-1">Appliance pickup</h2>' in opened
    assert "data-close-article" in opened and 'aria-keyshortcuts="Escape"' in opened
    # The request page has the drawer, empty and hidden until an article is opened.
    request_page = client.get(customer_request.get_absolute_url()).content.decode()
    assert (
        '<section id="kb-article" class="kb-drawer" aria-labelledby="kb-opened-heading" hidden>'
        in (request_page)
    )
