import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import CustomerRequest, RequestType, Status
from requests_app.services import request_save, request_start

pytestmark = pytest.mark.django_db


def started(agent, **fields):
    customer_request = request_start(agent=agent)
    CustomerRequest.objects.filter(pk=customer_request.pk).update(**fields)
    customer_request.refresh_from_db()
    return customer_request


def listed(response) -> list:
    return list(response.context["page"].object_list)


def test_it_lists_newest_first(client, agent):
    old = started(agent, started_at=timezone.now() - timezone.timedelta(days=2))
    new = started(agent)
    client.force_login(agent)
    assert listed(client.get(reverse("requests_app:request_list"))) == [new, old]


def test_it_filters_by_status_channel_and_code(client, agent, catalogue):
    wanted = started(agent, status=Status.RESOLVED, channel="fax", problem_code=catalogue["appl"])
    started(agent, status=Status.RESOLVED, channel="phone", problem_code=catalogue["appl"])
    started(agent, status=Status.OPEN, channel="fax")
    client.force_login(agent)
    response = client.get(
        reverse("requests_app:request_list"),
        {"status": "resolved", "channel": "fax", "problem_code": "appl"},
    )
    assert listed(response) == [wanted]


def test_it_filters_by_agent(client, agent, supervisor):
    wanted = started(supervisor)
    started(agent)
    client.force_login(agent)
    response = client.get(reverse("requests_app:request_list"), {"agent": "Supervisor"})
    assert listed(response) == [wanted]


def test_it_finds_a_request_by_its_number(client, agent):
    wanted = started(agent)
    started(agent)
    client.force_login(agent)
    response = client.get(reverse("requests_app:request_list"), {"q": wanted.number.lower()})
    assert listed(response) == [wanted]


def test_it_filters_overdue_follow_ups_and_dates(client, agent):
    overdue = started(
        agent,
        status=Status.FOLLOW_UP,
        follow_up_due=timezone.now() - timezone.timedelta(hours=1),
        follow_up_assignee=agent,
    )
    started(
        agent,
        status=Status.FOLLOW_UP,
        follow_up_due=timezone.now() + timezone.timedelta(hours=1),
        follow_up_assignee=agent,
    )
    client.force_login(agent)
    assert listed(client.get(reverse("requests_app:request_list"), {"overdue": "on"})) == [overdue]
    today = timezone.localdate().isoformat()
    response = client.get(
        reverse("requests_app:request_list"), {"started_from": today, "started_to": today}
    )
    assert len(listed(response)) == 2
    tomorrow = (timezone.localdate() + timezone.timedelta(days=1)).isoformat()
    response = client.get(reverse("requests_app:request_list"), {"started_from": tomorrow})
    assert listed(response) == []


def test_it_pages_without_counting_and_answers_htmx_with_the_results(
    client, agent, django_assert_max_num_queries
):
    for _ in range(30):
        started(agent)
    client.force_login(agent)
    with django_assert_max_num_queries(12):
        first = client.get(reverse("requests_app:request_list"))
    assert len(listed(first)) == 25
    assert first.context["page"].has_next
    second = client.get(
        reverse("requests_app:request_list"), {"page": "2"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in second.content
    assert b'rel="prev"' in second.content
    assert b'rel="next"' not in second.content


def test_managers_cannot_open_the_desk(client, manager):
    client.force_login(manager)
    assert client.get(reverse("requests_app:request_list")).status_code == 403


def search(client, text) -> list:
    return listed(client.get(reverse("requests_app:request_list"), {"q": text}))


def test_a_request_is_found_by_its_number_however_typed(client, agent):
    for _ in range(3):
        started(agent)
    wanted = started(agent)
    others = list(CustomerRequest.objects.exclude(pk=wanted.pk))
    serial = str(wanted.pk)
    year = wanted.number.split("-")[1]
    client.force_login(agent)
    for typed in [serial, f"CR-{year}-{serial}", f"cr-{year}-{wanted.pk:06d}", f"CR {serial}"]:
        assert search(client, typed) == [wanted], typed
    assert search(client, f"CR-{int(year) - 1}-{serial}") == []
    assert search(client, f"CR-{year}-{others[0].pk}") == [others[0]]


def test_a_request_is_found_by_the_callers_number_in_any_format(client, agent):
    wanted = started(agent, caller_phone="+4722123456")
    started(agent, caller_phone="+49301234567")
    client.force_login(agent)
    for typed in ["0047 22123456", "+47 22 12 34 56", "+47 (22) 12-34-56"]:
        assert search(client, typed) == [wanted], typed


def test_a_request_is_found_by_its_work_address_written_another_way(client, agent, catalogue):
    wanted = request_save(
        request=request_start(agent=agent),
        values={
            "request_type": RequestType.ACTION,
            "problem_code": catalogue["appl"],
            "work_address": "Hauptstraße 12, Berlin",
        },
        expected_version=1,
        user=agent,
    )
    started(agent, description="Hauptstraße")
    client.force_login(agent)
    for typed in ["Hauptstr. 12", "hauptstrasse 12", "HAUPTSTRASSE 12, berlin"]:
        assert search(client, typed) == [wanted], typed


def test_a_request_is_found_by_the_callers_name_and_the_description(client, agent):
    by_name = started(agent, caller_name="Erika Maier")
    by_description = started(agent, description="The fridge on the pavement")
    started(agent, caller_name="Hans Kaiser", description="Pothole")
    client.force_login(agent)
    assert search(client, "maier") == [by_name]
    assert search(client, "FRIDGE") == [by_description]


def test_a_search_by_a_hostile_text_finds_nothing_and_fails_not(client, agent):
    started(agent, caller_name="Erika Maier")
    client.force_login(agent)
    for typed in ["CR-9999999999999999999999", "99999999999999999999999", "%", "_"]:
        assert search(client, typed) == [], typed
