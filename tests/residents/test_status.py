"""The status page /status/<number>/<secret>/: what Open311 publishes of a request, to whoever
has its number and its report's token; one and the same 404 for a wrong secret and an unknown
number, and a limit on wrong guesses per client address."""

import re
from datetime import timedelta

import pytest
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from open311.models import WebReport
from requests_app.services import request_save
from residents.models import StatusLookupFailure
from residents.services import status_lookup_failed
from tests.residents.conftest import send
from workorders.models import WorkOrderStatus
from workorders.services import work_order_update

pytestmark = pytest.mark.django_db

NOT_FOUND = "We could not find a request with that number and code."


@pytest.fixture
def reported(client, town):
    """A report from the form, as the resident's link names it."""
    send(client, description="Dark since Monday.\nThe pole says L-17.")
    web_report = WebReport.objects.select_related("request__work_order").get()
    link = reverse("residents:status", args=[web_report.request.number, web_report.token])
    return {"request": web_report.request, "token": web_report.token, "link": link}


def without_csrf(body: str) -> str:
    """The page without the language switch's CSRF token, which is new on every page."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body)


def test_the_status_page_shows_status_promise_and_public_notes(client, reported, supervisor):
    work_order = reported["request"].work_order
    due = timezone.now() + timedelta(days=3)
    work_order = work_order_update(
        work_order=work_order,
        values={
            "status": WorkOrderStatus.IN_PROGRESS,
            "due_at": due,
            "notes": "Key for the cabinet is with Hansen.",
        },
        expected_version=work_order.version,
        user=supervisor,
    )
    response = client.get(reported["link"])
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    body = response.content.decode()
    assert "Open: we are working on it" in body
    assert f"Open. Work order {work_order.number}: in progress." in body  # status_notes
    # The promise: the work order's date, as Open311's expected_datetime.
    assert date_format(timezone.localtime(due), "DATE_FORMAT") in body
    assert "Street light out" in body
    assert "12 Main Street" in body
    assert "Dark since Monday.<br>The pole says L-17." in body
    assert "Public Works" in body
    # Nobody's name, contact or the desk's notes.
    for private in ("Erika", "erika.maier", "Hansen", "open311", "Open311"):
        assert private not in body

    work_order_update(
        work_order=work_order,
        values={"status": WorkOrderStatus.COMPLETED},
        expected_version=work_order.version,
        user=supervisor,
    )
    body = client.get(reported["link"]).content.decode()
    assert "Closed: the request has been dealt with" in body
    assert "Resolved" in body


def test_an_agents_words_on_the_request_are_never_shown(client, reported, agent):
    request = reported["request"]
    request_save(
        request=request,
        values={"description": "Caller is Mrs Maier's neighbour, mobile 0170 1234567."},
        expected_version=request.version,
        user=agent,
    )
    body = client.get(reported["link"]).content.decode()
    assert "neighbour" not in body and "0170" not in body
    assert "Dark since Monday." in body  # the resident's own words, as Open311 publishes them


def test_a_wrong_secret_and_an_unknown_number_are_one_and_the_same_404(client, reported):
    number, token = reported["request"].number, reported["token"]
    wrong_secret = client.get(reverse("residents:status", args=[number, "0" * 32]))
    unknown_number = client.get(reverse("residents:status", args=["CR-2026-999999", token]))
    other_case = client.get(reverse("residents:status", args=[number, token.upper()]))
    for response in (wrong_secret, unknown_number, other_case):
        assert response.status_code == 404
        assert NOT_FOUND in response.content.decode()
    assert without_csrf(wrong_secret.content.decode()) == without_csrf(
        unknown_number.content.decode()
    )
    assert StatusLookupFailure.objects.count() == 3


def test_a_request_made_internal_since_is_not_found(client, reported, agent, town):
    request = reported["request"]
    request_save(
        request=request,
        values={"problem_code": town["internal"]},
        expected_version=request.version,
        user=agent,
    )
    assert client.get(reported["link"]).status_code == 404


@override_settings(PUBLIC_STATUS_FAILURES_PER_ADDRESS_PER_HOUR=3)
def test_too_many_wrong_guesses_from_an_address_are_answered_429(client, reported):
    number = reported["request"].number
    for guess in range(3):
        url = reverse("residents:status", args=[number, f"{guess:032d}"])
        assert client.get(url).status_code == 404
    response = client.get(reported["link"])  # even the right one, until the hour is over
    assert response.status_code == 429
    assert 3500 < int(response["Retry-After"]) <= 3600
    assert "Please try again in 60 minutes." in response.content.decode()
    # Another address is not held back.
    assert client.get(reported["link"], REMOTE_ADDR="192.0.2.7").status_code == 200


def test_right_lookups_are_not_counted(client, reported):
    for _time in range(3):
        assert client.get(reported["link"]).status_code == 200
    assert not StatusLookupFailure.objects.exists()


def test_old_failures_count_no_more_and_go(client, reported):
    long_ago = timezone.now() - timedelta(hours=2)
    status_lookup_failed(client_address="127.0.0.1", now=long_ago)
    status_lookup_failed(client_address="127.0.0.1", now=timezone.now())
    assert StatusLookupFailure.objects.count() == 1


def test_the_lookup_form_leads_to_the_status_page(client, reported):
    number, token = reported["request"].number, reported["token"]
    page = client.get(reverse("residents:status_lookup"))
    assert page.status_code == 200
    assert "error-summary" not in page.content.decode()
    response = client.get(
        reverse("residents:status_lookup"), {"number": f" {number.lower()} ", "code": token.upper()}
    )
    assert response.status_code == 302
    assert response.url == reported["link"]


def test_the_lookup_form_names_a_missing_field_and_keeps_the_other(client, reported):
    response = client.get(
        reverse("residents:status_lookup"), {"number": "CR-2026-000001", "code": ""}
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert '<a href="#id_code">Code: This field is required.' in body
    assert 'value="CR-2026-000001"' in body


@pytest.mark.parametrize(
    "number, secret",
    [("x" * 500, "y" * 500), ("CR-2026-000001", "a\x00b"), ("😀", "\u202e"), ("' OR 1=1 --", "-1")],
)
def test_hostile_numbers_and_secrets_are_a_404(client, reported, number, secret):
    response = client.get(reverse("residents:status", args=[number, secret]))
    assert response.status_code == 404


def test_every_public_page_needs_no_login(client, reported):
    for url in (
        reverse("residents:report"),
        reverse("residents:status_lookup"),
        reported["link"],
    ):
        assert client.get(url).status_code == 200
    # And the desk still does.
    assert client.get(reverse("requests_app:request_list")).status_code == 302
