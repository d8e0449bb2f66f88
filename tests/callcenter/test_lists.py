"""Every list page pages the same way (callcenter.pages: no count of every row, a notice for a
page that does not exist) and shows its rows in the one list table (includes/list.html)."""

from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from knowledgebase.models import FailedSearch
from requests_app.models import Status
from requests_app.services import request_start, request_start_for_customer
from tests.factories import CustomerFactory, ProblemCodeFactory, article
from tests.workorders.test_views import action_request

pytestmark = pytest.mark.django_db

NO_SUCH_PAGE = "That page number does not exist: this is the first page."
PAST_THE_END = "The list has fewer pages than that: this is the first page."


@dataclass
class Listed:
    url: str
    section: str  # the id of the section the filter form and HTMX replace
    shows: str  # text of the one row the list holds


def follow_up(agent) -> None:
    request = request_start(agent=agent)
    request.status = Status.FOLLOW_UP
    request.follow_up_due = timezone.now()
    request.follow_up_assignee = agent
    request.caller_name = "Caller waiting"
    request.save()


def request_list(users, catalogue) -> Listed:
    return Listed(
        reverse("requests_app:request_list"),
        "results",
        request_start(agent=users["agent"]).number,
    )


def follow_ups(users, catalogue) -> Listed:
    follow_up(users["agent"])
    return Listed(reverse("requests_app:my_follow_ups"), "results", "Caller waiting")


def customer_interactions(users, catalogue) -> Listed:
    customer = CustomerFactory(name="Ada Lovelace")
    request = request_start_for_customer(agent=users["agent"], customer=customer)
    return Listed(customer.get_absolute_url(), "interactions", request.number)


def work_orders(users, catalogue) -> Listed:
    work_order = action_request(users["agent"], catalogue["appl"]).work_order
    return Listed(reverse("workorders:work_order_list"), "results", work_order.number)


def problem_codes(users, catalogue) -> Listed:
    return Listed(reverse("hierarchy:code_list"), "results", "Appliance pickup")


def standard_work_orders(users, catalogue) -> Listed:
    return Listed(
        reverse("hierarchy:standard_work_order_list"), "results", "Collect household appliance"
    )


def articles(users, catalogue) -> Listed:
    article(users["supervisor"], "Bulky waste collection")
    return Listed(reverse("knowledgebase:article_list"), "results", "Bulky waste collection")


def failed_searches(users, catalogue) -> Listed:
    now = timezone.now()
    FailedSearch.objects.create(text="wasp nest", first_searched_at=now, last_searched_at=now)
    return Listed(reverse("knowledgebase:failed_searches"), "results", "wasp nest")


def users_list(users, catalogue) -> Listed:
    return Listed(reverse("accounts:user_list"), "results", users["agent"].username)


# Each list, and who may read it.
LISTS = [
    (request_list, "agent"),
    (follow_ups, "agent"),
    (customer_interactions, "agent"),
    (work_orders, "agent"),
    (problem_codes, "agent"),
    (standard_work_orders, "administrator"),
    (articles, "supervisor"),
    (failed_searches, "supervisor"),
    (users_list, "administrator"),
]
EVERY_LIST = pytest.mark.parametrize(
    ("make", "role"), LISTS, ids=[make.__name__ for make, _role in LISTS]
)


@pytest.fixture
def users(agent, supervisor, administrator):
    return {"agent": agent, "supervisor": supervisor, "administrator": administrator}


def template_names(response) -> set[str]:
    return {template.name for template in response.templates}


@EVERY_LIST
def test_every_list_shows_its_rows_in_the_one_list_table(client, users, catalogue, make, role):
    client.force_login(users[role])
    shown = make(users, catalogue)

    response = client.get(shown.url)

    assert response.status_code == 200
    assert shown.shows in response.text
    assert f'<section id="{shown.section}"' in response.text
    assert {"includes/list.html", "includes/pagination.html"} <= template_names(response)


@EVERY_LIST
@pytest.mark.parametrize(("number", "notice"), [("abc", NO_SUCH_PAGE), ("7", PAST_THE_END)])
def test_every_list_says_when_a_page_does_not_exist_and_shows_the_first(
    client, users, catalogue, make, role, number, notice
):
    client.force_login(users[role])
    shown = make(users, catalogue)

    response = client.get(shown.url, {"page": number})

    assert response.status_code == 200
    assert notice in response.text
    assert shown.shows in response.text
    assert response.context["page"].number == 1


@EVERY_LIST
def test_every_list_answers_htmx_with_its_results_alone(client, users, catalogue, make, role):
    client.force_login(users[role])
    shown = make(users, catalogue)

    response = client.get(shown.url, {"page": "abc"}, headers={"HX-Request": "true"})

    assert "<html" not in response.text
    assert response.text.lstrip().startswith(f'<section id="{shown.section}"')
    assert NO_SUCH_PAGE in response.text
    assert shown.shows in response.text


@EVERY_LIST
def test_no_list_counts_every_row_to_draw_its_pager(client, users, catalogue, make, role):
    client.force_login(users[role])
    shown = make(users, catalogue)

    with CaptureQueriesContext(connection) as queries:
        client.get(shown.url)

    assert not [query["sql"] for query in queries if "COUNT(*)" in query["sql"]]


def test_a_list_longer_than_a_page_links_the_pages_on_either_side_without_a_total(
    client, agent, catalogue
):
    # The code list pages by 50: the fixture's two codes and 49 more make 51.
    for index in range(49):
        ProblemCodeFactory(category=catalogue["category"], code=f"P{index:03d}")
    client.force_login(agent)
    url = reverse("hierarchy:code_list")

    first = client.get(url, {"q": ""}).text
    second = client.get(url, {"q": "", "page": "2"}).text

    assert 'href="?q=&amp;page=2" rel="next">Next</a>' in first
    assert 'rel="prev"' not in first
    pagination = first.split('class="pagination"')[1].split("</nav>")[0]
    assert "Page 1</span>" in pagination and " of " not in pagination
    assert 'href="?q=&amp;page=1" rel="prev">Previous</a>' in second
    assert 'rel="next"' not in second
    assert "Page 2</span>" in second
