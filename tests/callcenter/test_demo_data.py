from datetime import timedelta

import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command
from django.db.models import Count
from django.utils import timezone

from hierarchy.models import Department, ProblemCode
from requests_app.models import Channel, Customer, CustomerRequest, RequestType, Status
from requests_app.services import request_start
from workorders.models import WorkOrder, WorkOrderStatus

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return [
        *ProblemCode.objects.order_by("code").values_list("code", "version", "updated_at"),
        *Customer.objects.order_by("pk").values_list("pk", "name", "version"),
        *CustomerRequest.objects.order_by("pk").values_list("pk", "number", "version"),
        *WorkOrder.objects.order_by("pk").values_list("pk", "number", "version"),
    ]


def test_it_creates_the_demo_logins_and_catalogue(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    for username in ["agent", "supervisor", "admin", "manager"]:
        assert authenticate(username=username, password="demo") is not None
    appl = ProblemCode.objects.with_path().get(code="APPL")
    assert appl.name == "Appliance pickup"
    assert appl.category.path_label() == (
        "Environmental Services › Solid Waste › Household garbage collection"
    )
    assert appl.standard_work_order.title == "Collect household appliance"
    assert Department.objects.count() >= 4
    assert 35 <= ProblemCode.objects.count() <= 60


def test_it_loads_customers_and_requests_of_every_kind_over_90_days(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    assert 250 <= Customer.objects.count() <= 350
    assert 2500 <= CustomerRequest.objects.count() <= 3500
    requests = CustomerRequest.objects.all()
    assert set(requests.values_list("request_type", flat=True)) == set(RequestType.values)
    assert set(requests.values_list("channel", flat=True)) == set(Channel.values)
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    assert not requests.filter(started_at__lt=timezone.now() - timedelta(days=91)).exists()
    assert requests.filter(started_at__gt=timezone.now() - timedelta(days=7)).exists()
    assert requests.filter(first_contact_resolution=True).exists()
    assert requests.exclude(customer=None).exists()
    # The demo logins took the calls, so "My follow-ups" has something to show.
    assert set(requests.values_list("agent__username", flat=True)) == {"agent", "supervisor"}
    assert requests.filter(status=Status.FOLLOW_UP, follow_up_assignee__username="agent").exists()


def test_the_action_requests_have_work_orders_to_show(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    actions = CustomerRequest.objects.filter(request_type=RequestType.ACTION)
    assert actions.exists()
    assert not actions.filter(work_order=None).exists()
    work_orders = WorkOrder.objects.annotate(callers=Count("requests"))
    assert work_orders.filter(callers__gte=2).count() >= 10
    assert work_orders.filter(callers__gte=3).exists()
    assert set(work_orders.values_list("status", flat=True)) == set(WorkOrderStatus.values)
    # The work-order list has late ones to show, and the demo logins opened them.
    assert WorkOrder.objects.overdue().exists()
    assert set(work_orders.values_list("created_by__username", flat=True)) == {
        "agent",
        "supervisor",
    }


def test_running_it_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    before = snapshot()
    call_command("load_demo_data")
    assert snapshot() == before


def test_it_adds_no_requests_where_there_are_some(settings, agent):
    settings.DEBUG = True
    request_start(agent=agent)
    call_command("load_demo_data")
    assert CustomerRequest.objects.count() == 1
    assert not Customer.objects.exists()


def test_it_leaves_an_administrators_changes_alone(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    ProblemCode.objects.filter(code="APPL").update(name="Appliance collection", is_active=False)
    call_command("load_demo_data")
    assert ProblemCode.objects.filter(code="APPL", name="Appliance collection").exists()


def test_it_refuses_known_passwords_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data")
    call_command("load_demo_data", force=True)
    assert ProblemCode.objects.exists()
