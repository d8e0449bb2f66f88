"""Errors people can act on (hardening): error pages in the layout with a way back, a database
outage that keeps what was typed, and form errors that are never silent."""

import re
from html.parser import HTMLParser

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import reverse

from requests_app.models import Customer, CustomerRequest, RequestType
from requests_app.services import request_start
from tests.outage import database_unreachable
from tests.requests_app.test_request_views import edit_url, form_data

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def production(settings):
    """Error pages as production serves them: DEBUG off, the application's own handlers."""
    settings.DEBUG = False
    settings.ROOT_URLCONF = "tests.callcenter.error_urls"


def quiet_client(user=None, **options) -> Client:
    """A client that returns the error page instead of raising the view's exception."""
    client = Client(raise_request_exception=False, **options)
    if user is not None:
        client.force_login(user)
    return client


def request_form(customer_request: CustomerRequest, **values) -> dict:
    return form_data(
        customer_request, **{"work_order_choice": "", "work_order_reason": "", **values}
    )


def assert_error_page(response, status: int, heading: str) -> str:
    page = response.content.decode()
    assert response.status_code == status
    assert "<main" in page and 'class="topbar"' in page, "in the site's layout"
    assert re.search(r"<h1[^>]*>.*" + re.escape(heading), page, re.S), heading
    assert 'href="/"' in page and "Go to the start page" in page, "a way back"
    assert "Server Error (500)" not in page
    return page


class RepostForm(HTMLParser):
    """The hidden fields of the outage page's "Try again" form, in order."""

    def __init__(self, page: str):
        super().__init__()
        self.action, self.fields, self.inside = None, [], False
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("class") == "repost"
            if self.inside:
                self.action = attrs["action"]
        if tag == "input" and attrs.get("type") == "hidden" and self.inside:
            self.fields.append((attrs["name"], attrs.get("value", "")))


# Error pages ---------------------------------------------------------------------------------


def test_an_unknown_address_answers_404_in_the_layout_with_a_way_back(agent):
    response = quiet_client(agent).get("/no-such-page/")
    page = assert_error_page(response, 404, "Page not found")
    assert "data-history-back" in page
    assert 'aria-label="Main navigation"' in page, "the signed-in user keeps the navigation"


def test_a_page_outside_the_role_answers_403_in_the_layout(outsider):
    response = quiet_client(outsider).get(reverse("requests_app:request_list"))
    assert_error_page(response, 403, "You are not allowed to do this")


def test_a_form_without_its_security_token_answers_403_in_the_layout(agent):
    customer_request = request_start(agent=agent)
    client = quiet_client(agent, enforce_csrf_checks=True)
    response = client.post(edit_url(customer_request), request_form(customer_request))
    assert_error_page(response, 403, "The form could not be sent")
    customer_request.refresh_from_db()
    assert customer_request.version == 1 and customer_request.description == ""


def test_a_submission_over_the_size_limit_says_so_and_how_to_get_back_to_it(agent):
    customer_request = request_start(agent=agent)
    too_long = "x" * (django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    response = quiet_client(agent).post(
        edit_url(customer_request), request_form(customer_request, description=too_long)
    )
    page = assert_error_page(response, 400, "What you sent was too large")
    assert "Back button" in page
    customer_request.refresh_from_db()
    assert customer_request.description == ""


def test_a_request_for_an_unknown_host_answers_400_in_the_layout(agent):
    response = quiet_client(agent).get("/requests/", HTTP_HOST="evil.example")
    page = assert_error_page(response, 400, "The request could not be understood")
    assert "too large" not in page


def test_an_unexpected_error_answers_500_in_the_layout_even_with_the_database_down(db):
    with database_unreachable():
        response = quiet_client().get("/test-crash/")
    page = assert_error_page(response, 500, "Something went wrong on our side")
    assert "Error 503" not in page


def test_the_500_page_speaks_the_language_of_the_request(db):
    response = quiet_client().get("/test-crash/", HTTP_ACCEPT_LANGUAGE="de")
    page = response.content.decode()
    assert response.status_code == 500
    assert '<html lang="de">' in page
    assert "Zum Hauptinhalt springen" in page


# A database outage ---------------------------------------------------------------------------


def test_a_page_during_a_database_outage_says_the_database_cannot_be_reached(agent):
    client = quiet_client(agent)
    url = reverse("requests_app:request_list") + "?status=open"
    with database_unreachable():
        response = client.get(url)
    page = assert_error_page(response, 503, "The database cannot be reached")
    assert response["Retry-After"]
    assert f'href="{url}"' in page.replace("&amp;", "&"), "Try again reloads the same page"
    assert client.get(url).status_code == 200, "and works once the database is back"


def test_a_form_posted_during_an_outage_shows_what_was_typed_and_saves_when_sent_again(agent):
    customer_request = request_start(agent=agent)
    client = quiet_client(agent, enforce_csrf_checks=True)
    client.get(edit_url(customer_request))  # the CSRF cookie, as the browser has it
    token = client.cookies[django_settings.CSRF_COOKIE_NAME].value
    typed = request_form(
        customer_request,
        caller_name="Ada <Lovelace>",
        answer_given="Bulky waste goes out on Mondays.\nCall again in May.",
        csrfmiddlewaretoken=token,
    )
    with database_unreachable():
        response = client.post(edit_url(customer_request), typed)
    page = assert_error_page(response, 503, "The database cannot be reached")
    assert "Nothing you typed was lost" in page
    assert "Ada &lt;Lovelace&gt;" in page and "Call again in May." in page
    customer_request.refresh_from_db()
    assert customer_request.answer_given == ""

    repost = RepostForm(page)
    assert repost.action == edit_url(customer_request)
    sent_again = dict(repost.fields)
    assert sent_again["answer_given"] == typed["answer_given"]
    assert sent_again["csrfmiddlewaretoken"] not in ("", token), "a fresh token"
    response = client.post(repost.action, sent_again)
    assert response.status_code == 302
    customer_request.refresh_from_db()
    assert customer_request.caller_name == "Ada <Lovelace>"
    assert customer_request.answer_given == typed["answer_given"]


def test_a_login_during_an_outage_keeps_the_username_but_not_the_password(db):
    client = quiet_client()
    with database_unreachable():
        response = client.post(
            reverse("login"), {"username": "agent7", "password": "a-secret-password"}
        )
    page = assert_error_page(response, 503, "The database cannot be reached")
    assert "agent7" in page
    assert "a-secret-password" not in page and 'name="password"' not in page
    assert "type it again" in page


def test_a_forged_post_during_an_outage_is_not_offered_again(agent):
    customer_request = request_start(agent=agent)
    client = quiet_client(agent, enforce_csrf_checks=True)
    with database_unreachable():
        response = client.post(edit_url(customer_request), request_form(customer_request))
    page = response.content.decode()
    assert response.status_code == 503
    assert "Try again" not in page and 'name="csrfmiddlewaretoken"' not in page
    assert "Back button" in page


def test_an_htmx_request_during_an_outage_gets_a_short_message(agent):
    client = quiet_client(agent)
    with database_unreachable():
        response = client.get(
            reverse("requests_app:caller_lookup"), {"caller_name": "Ada"}, HTTP_HX_REQUEST="true"
        )
    page = response.content.decode()
    assert response.status_code == 503
    assert "<html" not in page
    assert 'role="alert"' in page and "The database cannot be reached" in page


# Form errors ---------------------------------------------------------------------------------


def summary_of(page: str) -> str:
    match = re.search(r'<div class="error-summary"[^>]*>(.*?)</div>', page, re.S)
    assert match, "the form has an error summary"
    assert 'role="alert"' in match[0] and "data-error-summary" in match[0]
    return match[1]


def test_an_error_on_the_hidden_customer_field_is_shown_in_the_summary(agent):
    customer_request = request_start(agent=agent)
    client = quiet_client(agent)
    response = client.post(
        edit_url(customer_request),
        request_form(customer_request, customer="999999", answer_given="Told them."),
    )
    summary = summary_of(response.content.decode())
    assert response.status_code == 200
    assert "There is a problem" in summary
    assert "Customer: Select a valid choice." in summary
    assert "<a " not in summary, "a hidden field has nothing to link to"
    customer_request.refresh_from_db()
    assert customer_request.answer_given == "" and customer_request.customer is None


def test_an_unknown_work_order_choice_is_shown_in_the_summary(agent, catalogue):
    customer_request = request_start(agent=agent)
    response = quiet_client(agent).post(
        edit_url(customer_request),
        request_form(
            customer_request,
            request_type=RequestType.ACTION,
            problem_code=catalogue["appl"].pk,
            work_address="1 Main Street",
            work_order_choice="987654",
        ),
    )
    assert "Choose one of the work orders shown, or a new one." in summary_of(
        response.content.decode()
    )
    customer_request.refresh_from_db()
    assert customer_request.problem_code is None and customer_request.work_order is None


def test_a_visible_field_error_links_to_its_field_and_stands_next_to_it(agent):
    customer_request = request_start(agent=agent)
    response = quiet_client(agent).post(
        edit_url(customer_request),
        request_form(customer_request, caller_email="not-an-address", caller_name="Ada"),
    )
    page = response.content.decode()
    summary = summary_of(page)
    assert '<a href="#id_caller_email">E-mail: Enter a valid email address.</a>' in summary
    assert 'id="id_caller_email_error"' in page
    field = re.search(r'<input[^>]*id="id_caller_email"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in field and 'aria-describedby="id_caller_email_error"' in field
    customer_request.refresh_from_db()
    assert customer_request.caller_name == ""


def test_every_field_error_has_one_error_element_its_widget_points_at(agent):
    """field.html: one error element per field (ids stay unique), named by aria-describedby."""
    client = quiet_client(agent)
    response = client.post(reverse("requests_app:customer_create"), {"name": "", "email": "x"})
    page = response.content.decode()
    summary = summary_of(page)
    assert re.search(r'<a href="#id_name">[^<]+: This field is required.</a>', summary)
    widget = re.search(r'<(input|textarea)[^>]*id="id_name"[^>]*>', page)[0]
    assert 'aria-invalid="true"' in widget
    described_by = re.search(r'aria-describedby="([^"]+)"', widget)[1].split()
    assert "id_name_error" in described_by
    for element_id in described_by:
        assert page.count(f'id="{element_id}"') == 1, element_id
    assert not Customer.objects.exists()


def test_a_wrong_password_is_in_the_login_form_summary(agent):
    client = quiet_client()
    response = client.post(reverse("login"), {"username": agent.username, "password": "wrong"})
    summary = summary_of(response.content.decode())
    assert "correct username and password" in summary
    assert "_auth_user_id" not in client.session
