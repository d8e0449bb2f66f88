"""The knowledge base at work, clicked in a real Chromium: a supervisor writes a call script, an
agent finds it from an information request and the request records it."""

import re

import pytest
from django.db import connection
from playwright.sync_api import Page, expect

from knowledgebase.models import Article, ArticleStatus, FailedSearch
from requests_app.models import Status
from tests.browser.test_catalogue_journeys import log_in, log_out
from tests.browser.test_request_journeys import save, start_call
from tests.factories import article

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# A typo is forgiven by PostgreSQL's trigram search; SQLite's simpler search finds whole words
# only (knowledgebase/search.py), so there the agent types the word right.
SEARCH_TEXT = "aplliance" if connection.vendor == "postgresql" else "appliance"


# The request form's knowledge search and an article opened from it (requests_app.urls).
SEARCHED = re.compile(r"/requests/\d+/knowledge/$")
OPENED = re.compile(r"/requests/\d+/knowledge/\d+/$")


def test_a_script_is_written_found_from_a_request_and_recorded(
    page: Page, live_server, supervisor, agent
):
    log_in(page, live_server, "supervisor")
    page.get_by_role("link", name="Knowledge base").click()
    page.get_by_role("link", name="New article").click()
    # The form shows the chosen kind's fields only.
    expect(page.get_by_label("Link", exact=True)).to_be_hidden()
    page.get_by_label("Kind").select_option(label="Phone numbers")
    expect(page.get_by_label("Phone numbers")).to_be_visible()
    page.get_by_label("Kind").select_option(label="Call script")
    expect(page.get_by_label("Phone numbers")).to_be_hidden()
    page.get_by_label("Title").fill("Appliance pickup")
    page.get_by_label("Text").fill(
        "Tell the caller: **we collect fridges and washing machines** within ten working days."
    )
    page.get_by_role("button", name="Save").click()
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status")).to_contain_text("is published")
    assert Article.objects.get().status == ArticleStatus.PUBLISHED
    log_out(page)

    log_in(page, live_server, "agent")
    call = start_call(page)
    page.get_by_label("Answer given").fill("Fridges are collected within ten working days.")
    page.get_by_label("Status", exact=True).select_option(label="Resolved")
    search = page.get_by_label("Search the knowledge base")
    # Typing searches live, but only shows: it does not count as searching before resolving.
    search.press_sequentially("wasp nest", delay=20)
    expect(page.locator("#kb-hits")).to_contain_text("Press Search to tell the supervisors")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator(".field-invalid")).to_contain_text("Search the knowledge base before")
    call.refresh_from_db()
    assert call.knowledge_searched_at is None
    assert not FailedSearch.objects.exists()

    search.fill(SEARCH_TEXT)
    # Enter searches (a POST) and does not save the request. The live search (a GET) may show
    # the same hits first: wait for the submitted search's answer, as the agent's eyes do.
    with page.expect_response(lambda r: r.request.method == "POST" and SEARCHED.search(r.url)):
        search.press("Enter")
    hit = page.locator("#kb-hits").get_by_role("button", name="Appliance pickup")
    expect(hit).to_be_visible()
    call.refresh_from_db()
    assert call.knowledge_searched_at is not None
    assert call.status == Status.OPEN
    with page.expect_response(lambda r: r.request.method == "POST" and OPENED.search(r.url)):
        hit.click()
    expect(page.locator(".kb-opened")).to_contain_text("we collect fridges and washing machines")
    expect(page.get_by_role("region", name="Articles consulted")).to_contain_text(
        "Appliance pickup"
    )
    # What the agent typed before the failed save is still there.
    expect(page.get_by_label("Answer given")).to_have_value(
        "Fridges are collected within ten working days."
    )
    save(page)
    call.refresh_from_db()
    assert call.status == Status.RESOLVED
    assert [use.article.title for use in call.consulted_articles.all()] == ["Appliance pickup"]
    expect(page.get_by_role("region", name="Articles consulted")).to_contain_text(
        "Appliance pickup"
    )


def test_without_javascript_a_search_and_an_opened_article_keep_what_was_typed(
    browser, live_server, supervisor, agent
):
    article(supervisor, "Appliance pickup", body="We collect **fridges** within ten days.")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    log_in(page, live_server, "agent")
    call = start_call(page)
    answer = page.get_by_label("Answer given")
    answer.fill("Fridges within ten days.")
    page.get_by_label("Status", exact=True).select_option(label="Resolved")

    page.get_by_label("Search the knowledge base").fill("appliance")
    page.get_by_role("button", name="Search", exact=True).click()
    hit = page.locator("#kb-hits").get_by_role("button", name="Appliance pickup")
    expect(hit).to_be_visible()
    expect(answer).to_have_value("Fridges within ten days.")
    expect(page.get_by_label("Status", exact=True)).to_have_value(Status.RESOLVED)
    call.refresh_from_db()
    assert (call.status, call.answer_given) == (Status.OPEN, "")  # searched, not saved
    assert call.knowledge_searched_at is not None

    hit.click()
    expect(page.locator("#kb-article .kb-opened")).to_contain_text("We collect fridges")
    expect(page.get_by_role("region", name="Articles consulted")).to_contain_text(
        "Appliance pickup"
    )
    expect(answer).to_have_value("Fridges within ten days.")
    save(page)
    call.refresh_from_db()
    assert (call.status, call.answer_given) == (Status.RESOLVED, "Fridges within ten days.")
    assert [use.article.title for use in call.consulted_articles.all()] == ["Appliance pickup"]
    context.close()
