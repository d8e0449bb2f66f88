"""Out-of-range, foreign and over-long input gets a field error or is treated as absent with a
notice; nothing reaches the database or the calendar in a form they fail on."""

import io
from html import escape

import pytest
from django.test import Client
from django.urls import reverse

from callcenter.inputs import LONG_TEXT, parse_id
from knowledgebase.models import Article
from requests_app.models import CustomerRequest
from requests_app.services import request_start
from tests.factories import customer_with_phone
from tests.requests_app.test_request_views import edit_url, form_data

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("12", 12),
        (12, 12),
        ("9223372036854775807", 2**63 - 1),
        ("9223372036854775808", None),
        ("99999999999999999999", None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        (" 1", None),
        ("²", None),
        ("١٢", None),  # Arabic-Indic digits
        ("1\x00", None),
        ("", None),
        (None, None),
        ("9" * 5000, None),  # int() refuses strings this long; parse_id must not reach it
    ],
)
def test_an_id_is_ascii_digits_within_a_bigint(value, expected):
    assert parse_id(value) == expected


@pytest.fixture
def desk(client, agent):
    client.force_login(agent)
    for _ in range(3):
        request_start(agent=agent)
    return client


# Not named "page": that is pytest-playwright's fixture, and a parameter of that name moves
# the browser tests (which empty the database) in among these.
@pytest.mark.parametrize("number", ["²", "99999999999999999999", "0", "-1", "abc", "1\x00"])
def test_a_page_number_that_is_not_one_shows_the_first_page_with_a_notice(desk, number):
    response = desk.get(reverse("requests_app:request_list"), {"page": number})
    assert response.status_code == 200
    assert "That page number does not exist: this is the first page." in response.text
    assert len(response.context["page"].object_list) == 3


def test_a_page_past_the_end_of_the_list_shows_the_first_page_with_a_notice(desk):
    response = desk.get(reverse("requests_app:request_list"), {"page": "7"})
    assert "The list has fewer pages than that: this is the first page." in response.text
    assert len(response.context["page"].object_list) == 3


def test_a_page_that_exists_has_no_notice(desk):
    response = desk.get(reverse("requests_app:request_list"), {"page": "1"})
    assert response.context["page"].notice == ""


@pytest.mark.parametrize("field", ["started_from", "started_to"])
@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
def test_a_list_filter_day_the_calendar_cannot_reach_is_ignored_with_its_error(desk, field, day):
    response = desk.get(reverse("requests_app:request_list"), {field: day})
    assert response.status_code == 200
    assert response.context["filter"].errors[field]
    assert "Give a date between" in response.text
    assert len(response.context["page"].object_list) == 3  # the filter is left out


@pytest.mark.parametrize(
    "query",
    [
        {"period": "custom", "first_day": "0001-01-01", "last_day": "2026-01-01"},
        {"period": "custom", "first_day": "2026-01-01", "last_day": "9999-12-31"},
    ],
)
def test_a_report_period_outside_the_calendar_is_refused_on_its_field(client, manager, query):
    client.force_login(manager)
    response = client.get(reverse("reports:report", args=["volume"]), query)
    assert response.status_code == 200
    assert "Give a date between" in response.text


def test_a_follow_up_due_in_year_one_is_refused_and_kept_in_the_form(client, agent):
    client.force_login(agent)
    customer_request = request_start(agent=agent)
    data = form_data(
        customer_request,
        status="follow_up",
        follow_up_due="0001-01-01T00:00",
        follow_up_assignee=agent.pk,
        description="Call back about the bin",
    )
    response = client.post(edit_url(customer_request), data)
    assert response.status_code == 200
    assert "Give a date between" in response.text
    assert 'value="0001-01-01T00:00"' in response.text
    assert "Call back about the bin" in response.text
    customer_request.refresh_from_db()
    assert customer_request.follow_up_due is None
    assert customer_request.description == ""


def test_an_over_long_description_is_refused_and_every_character_stays_in_the_form(client, agent):
    client.force_login(agent)
    customer_request = request_start(agent=agent)
    text = "Ü🚒" * 5500  # 11,000 characters
    response = client.post(
        edit_url(customer_request), form_data(customer_request, description=text)
    )
    assert response.status_code == 200
    assert "Ensure this value has at most 10000 characters (it has 11000)." in response.text
    assert escape(text) in response.text
    customer_request.refresh_from_db()
    assert customer_request.description == ""


def test_a_description_at_the_limit_is_saved(client, agent):
    client.force_login(agent)
    customer_request = request_start(agent=agent)
    text = "x" * LONG_TEXT
    response = client.post(
        edit_url(customer_request), form_data(customer_request, description=text)
    )
    assert response.status_code == 302
    customer_request.refresh_from_db()
    assert customer_request.description == text


def test_the_limit_is_shown_under_the_field_and_the_browser_cannot_cut_a_paste(client, agent):
    client.force_login(agent)
    response = client.get(edit_url(request_start(agent=agent)))
    assert "At most 10,000 characters." in response.text
    assert "<textarea" in response.text
    assert "maxlength" not in response.text.split('name="description"')[1].split(">")[0]


@pytest.mark.parametrize("text", ["\x00", "12\x00", "Ma\x00ier", "\x01\x02"])
def test_control_characters_in_the_caller_lookup_find_nobody_without_an_error(client, agent, text):
    customer_with_phone("+4930123456", name="Erika Maier")
    client.force_login(agent)
    response = client.get(
        reverse("requests_app:caller_lookup"), {"caller_name": text}, headers={"HX-Request": "true"}
    )
    assert response.status_code == 200


def test_control_characters_in_the_code_picker_are_no_error(client, agent, catalogue):
    client.force_login(agent)
    response = client.get(
        reverse("hierarchy:picker_search"),
        {"field": "problem_code", "id": "id_problem_code", "problem_code_q": "AP\x00PL"},
    )
    assert response.status_code == 200


def test_an_article_tagged_with_an_id_no_row_can_have_is_refused_on_that_field(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("knowledgebase:article_new"),
        {
            "kind": "script",
            "title": "Bulky waste",
            "language": "en",
            "body": "Twice a year.",
            "topics": ["99999999999999999999"],
        },
    )
    assert response.status_code == 200
    assert "is not a valid value" in response.text
    assert "Bulky waste" in response.text
    assert not Article.objects.exists()


class UnreadableBody(io.RawIOBase):
    """A request body that must not be read."""

    def read(self, size=-1):
        raise AssertionError("the body was read")


def test_a_body_over_the_limit_is_refused_from_its_length_before_it_is_read(agent, settings):
    client = Client()
    client.force_login(agent)
    response = client.generic(
        "POST",
        reverse("hierarchy:catalogue_import"),
        headers={"Content-Length": str(30 * 1024 * 1024)},
        content_type="multipart/form-data; boundary=x",
        **{"wsgi.input": UnreadableBody()},
    )
    assert response.status_code == 413
    assert "What you sent was too large" in response.text


def test_form_fields_over_the_limit_are_refused_with_the_way_back(client, agent):
    client.force_login(agent)
    customer_request = request_start(agent=agent)
    data = form_data(customer_request, description="x" * (3 * 1024 * 1024))
    response = client.post(edit_url(customer_request), data)
    assert response.status_code == 400
    assert "Nothing you typed is lost" in response.text
    assert CustomerRequest.objects.get().description == ""
