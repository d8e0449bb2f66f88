"""The residents' pages with hostile input, walked as tests/callcenter/test_hostile_input.py
walks the desk's (that walk starts from the desk's pages, which do not link here): every field
of every form here, each hostile value, no login. No answer is a server error, and a refused
form shows again what was typed. The spam checks are relaxed so that the values reach the form
(a bot's post never gets that far: tests/residents/test_report.py)."""

from html import escape
from urllib.parse import quote

import pytest
from django.test import override_settings
from django.urls import reverse

from open311.models import WebReport
from tests.callcenter.test_hostile_input import (
    HOSTILE_VALUES,
    MEGABYTE_TEXT,
    SHARDS,
    Walk,
    view_name,
)
from tests.residents.conftest import send

pytestmark = pytest.mark.django_db

MUST_REACH = {"residents:report", "residents:status_lookup", "residents:status"}
RELAXED = {
    "PUBLIC_REPORT_MIN_SECONDS": 0,
    "PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR": 1_000_000,
    "PUBLIC_STATUS_FAILURES_PER_ADDRESS_PER_HOUR": 1_000_000,
}


@override_settings(**RELAXED)
def test_no_hostile_value_gets_a_server_error_or_loses_what_was_typed(client, town):
    send(client)
    web_report = WebReport.objects.select_related("request").get()
    status_link = reverse("residents:status", args=[web_report.request.number, web_report.token])
    client.raise_request_exception = False  # a server error is a finding, not the end
    walks = [Walk(client, shard) for shard in range(SHARDS)]
    reached: set[str] = set()
    walked_forms = set()
    for walk in walks:
        start = [reverse("residents:report"), reverse("residents:status_lookup"), status_link]
        for _url, parser in walk.crawl(start):
            for form in parser.forms.values():
                key = (form.method, view_name(form.action), tuple(sorted(form.fields)), walk.shard)
                if key in walked_forms:
                    continue
                walked_forms.add(key)
                if view_name(form.action) == "residents:report":
                    # With a service chosen, so that the texts reach the desk's service too.
                    form.fields["problem_code"] = "LIGHT"
                walk.hostile_form(form)
        reached |= set(walk.reached)
    problems = [problem for walk in walks for problem in walk.problems]
    assert problems == [], "\n".join(map(str, problems))
    assert reached >= MUST_REACH, MUST_REACH - reached


@override_settings(**RELAXED)
@pytest.mark.parametrize("field", ["address", "description", "name", "phone", "email"])
def test_each_hostile_text_in_an_otherwise_good_report_reaches_the_service_safely(
    client, town, field
):
    """The walk sends every text at once, which the e-mail field alone refuses: here each text
    on its own, so that what the form lets through meets Open311's service and the desk's."""
    client.raise_request_exception = False
    for value in [*HOSTILE_VALUES, MEGABYTE_TEXT]:
        response = send(client, **{field: value})
        assert response.status_code in (200, 302), (field, value[:40], response.status_code)
        if response.status_code == 200:
            assert escape(value) in response.content.decode(), (field, value[:40])
    assert WebReport.objects.exists()


@override_settings(**RELAXED)
@pytest.mark.parametrize("value", [*HOSTILE_VALUES, "x" * 5000, "a/b", "..", "%00"])
def test_hostile_numbers_and_secrets_in_the_address_are_a_404(client, town, value):
    client.raise_request_exception = False
    part = quote(value, safe="")
    for number, secret in ((part, "0" * 32), ("CR-2026-000001", part), (part, part)):
        if not number or not secret:
            continue  # no such address: the path needs both parts
        response = client.get(f"/status/{number}/{secret}/")
        assert response.status_code == 404, (number, secret, response.status_code)
    response = client.get(
        reverse("residents:status_lookup"), {"number": value, "code": value}, follow=True
    )
    # Refused on its fields, or taken to the status page, which does not know it.
    assert response.status_code in (200, 404)
    if response.status_code == 200:
        assert "error-summary" in response.content.decode()


@override_settings(**RELAXED)
def test_wrong_types_and_missing_fields_never_give_a_server_error(client, town):
    client.raise_request_exception = False
    url = reverse("residents:report")
    for data in (
        {},
        {"shown": "x"},
        {"problem_code": ["LIGHT", "POTH"], "address": ["a", "b"]},
        {"problem_code": {"nested": "dict"}},
    ):
        assert client.post(url, data).status_code < 500
    assert client.post(url, b"\xff\xfe", content_type="application/json").status_code < 500
    assert client.post(url, "a=%ff%fe&b=\x00", content_type="text/plain").status_code < 500
