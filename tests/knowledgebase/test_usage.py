"""What supervisors see of the knowledge base's use: articles opened from requests in the last
30 days, and searches that found nothing."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from knowledgebase.models import FailedSearch
from knowledgebase.services import failed_search_record
from knowledgebase.usage import most_used_articles
from requests_app.models import ConsultedArticle
from requests_app.services import request_start
from tests.factories import article

pytestmark = pytest.mark.django_db


def consulted(script, agent, days_ago: int = 0):
    ConsultedArticle.objects.create(
        request=request_start(agent=agent),
        article=script,
        consulted_by=agent,
        consulted_at=timezone.now() - timedelta(days=days_ago),
    )


def test_uses_are_counted_over_the_last_30_days(agent, supervisor):
    pickup = article(supervisor, "Appliance pickup")
    bins = article(supervisor, "Missed bins")
    article(supervisor, "Never opened")
    for days_ago in (0, 3, 29):
        consulted(pickup, agent, days_ago)
    consulted(bins, agent, 1)
    consulted(bins, agent, 31)  # too old to count
    assert [(found.title, found.uses) for found in most_used_articles()] == [
        ("Appliance pickup", 3),
        ("Missed bins", 1),
    ]


def test_supervisors_see_the_most_used_articles(client, agent, supervisor):
    pickup = article(supervisor, "Appliance pickup")
    consulted(pickup, agent)
    client.force_login(supervisor)
    page = client.get(reverse("knowledgebase:article_usage")).content.decode()
    assert "Appliance pickup" in page
    detail = client.get(pickup.get_absolute_url()).content.decode()
    assert "In 1 request in the last 30 days" in detail
    client.force_login(agent)
    assert client.get(reverse("knowledgebase:article_usage")).status_code == 403
    assert "in the last 30 days" not in client.get(pickup.get_absolute_url()).content.decode()


def test_supervisors_see_and_dismiss_searches_that_found_nothing(client, agent, supervisor):
    for _ in range(3):
        failed_search_record(text="wasp nest", hits=[], user=agent)
    failed_search_record(text="Christmas tree", hits=[], user=agent)
    client.force_login(supervisor)
    url = reverse("knowledgebase:failed_searches")
    page = client.get(url).content.decode()
    assert page.index("wasp nest") < page.index("christmas tree")
    assert ">3<" in page
    wasps = FailedSearch.objects.get(text="wasp nest")
    response = client.post(reverse("knowledgebase:failed_search_dismiss", args=[wasps.pk]))
    assert response.url == url
    assert list(FailedSearch.objects.values_list("text", flat=True)) == ["christmas tree"]
    client.force_login(agent)
    assert client.get(url).status_code == 403


def test_only_an_article_opened_by_post_from_a_request_counts_as_used(client, agent, supervisor):
    pickup = article(supervisor, "Appliance pickup")
    customer_request = request_start(agent=agent)
    url = reverse("requests_app:request_consult_article", args=[customer_request.pk, pickup.pk])
    client.force_login(agent)
    # A link (from another site, or an old bookmark) and the article's own page: no use.
    client.get(url)
    client.get(url, headers={"HX-Request": "true"})
    client.get(pickup.get_absolute_url())
    assert list(most_used_articles()) == []
    client.post(url, headers={"HX-Request": "true"})
    assert [(found.title, found.uses) for found in most_used_articles()] == [
        ("Appliance pickup", 1)
    ]


def test_only_submitted_searches_reach_the_searches_that_found_nothing(client, agent, supervisor):
    customer_request = request_start(agent=agent)
    in_request = reverse("requests_app:request_knowledge_search", args=[customer_request.pk])
    on_page = reverse("knowledgebase:article_list")
    client.force_login(agent)
    client.get(in_request, {"kb_q": "wasp nest"}, headers={"HX-Request": "true"})
    client.get(on_page, {"q": "snow plough"})
    client.get(on_page, {"q": "snow plough"}, headers={"HX-Request": "true"})
    assert not FailedSearch.objects.exists()
    client.post(in_request, {"kb_q": "wasp nest"}, headers={"HX-Request": "true"})
    client.post(on_page, {"q": "snow plough"})
    client.force_login(supervisor)
    page = client.get(reverse("knowledgebase:failed_searches")).content.decode()
    assert "wasp nest" in page and "snow plough" in page
    assert sorted(FailedSearch.objects.values_list("text", "count")) == [
        ("snow plough", 1),
        ("wasp nest", 1),
    ]
