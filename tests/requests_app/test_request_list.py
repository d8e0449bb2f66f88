import pytest
from django.urls import reverse
from django.utils import timezone

from requests_app.models import CustomerRequest, Status
from requests_app.services import request_start

pytestmark = pytest.mark.django_db


def started(agent, **fields):
    customer_request = request_start(agent=agent)
    CustomerRequest.objects.filter(pk=customer_request.pk).update(**fields)
    customer_request.refresh_from_db()
    return customer_request


def listed(response) -> list:
    return list(response.context["page"]["object_list"])


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
    assert first.context["page"]["has_next"]
    second = client.get(
        reverse("requests_app:request_list"), {"page": "2"}, headers={"HX-Request": "true"}
    )
    assert b"<html" not in second.content
    assert b"Newer" in second.content
    assert b"Older" not in second.content


def test_managers_cannot_open_the_desk(client, manager):
    client.force_login(manager)
    assert client.get(reverse("requests_app:request_list")).status_code == 403
