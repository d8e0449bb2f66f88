"""`manage.py load_demo_data`: the demo users, catalogue and articles, and the calls of the last
90 days (their replay: tests/demo/test_desk.py)."""

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command

from demo.management.commands import load_demo_data
from hierarchy.models import Department, ProblemCode
from knowledgebase.models import Article
from reports.models import RequestDay
from requests_app.models import Customer, CustomerRequest
from requests_app.services import request_start
from workorders.models import WorkOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def small_demo(monkeypatch, settings):
    """The command as `make run` runs it, with fewer calls (tests/demo/test_desk.py has more)."""
    settings.DEBUG = True
    monkeypatch.setattr(load_demo_data, "DEMO_CUSTOMERS", 20)
    monkeypatch.setattr(load_demo_data, "DEMO_REQUESTS", 120)


def snapshot() -> list[tuple]:
    return [
        *ProblemCode.objects.order_by("code").values_list("code", "version", "updated_at"),
        *Article.objects.order_by("pk").values_list("pk", "version"),
        *Customer.objects.order_by("pk").values_list("pk", "name", "version"),
        *CustomerRequest.objects.order_by("pk").values_list("pk", "number", "version"),
        *WorkOrder.objects.order_by("pk").values_list("pk", "number", "version"),
    ]


def test_it_loads_the_logins_catalogue_articles_and_calls_and_counts_the_reports(
    small_demo, capsys
):
    call_command("load_demo_data")
    out = capsys.readouterr().out
    for username in ["agent", "supervisor", "admin", "manager"]:
        assert authenticate(username=username, password="demo") is not None
    # Administrators manage users on the users page; Django's admin is for superusers only.
    admin = User.objects.get(username="admin")
    assert admin.groups.filter(name="Administrator").exists()
    assert not admin.is_staff and not admin.is_superuser
    appl = ProblemCode.objects.with_path().get(code="APPL")
    assert appl.category.path_label() == (
        "Environmental Services › Solid Waste › Household garbage collection"
    )
    assert appl.standard_work_order.title == "Collect household appliance"
    assert 35 <= ProblemCode.objects.count() <= 60
    assert f"Knowledge base: {Article.objects.count()} articles." in out
    assert Article.objects.filter(title="Appliance pickup", problem_codes__code="APPL").exists()
    assert CustomerRequest.objects.count() == 120
    assert set(CustomerRequest.objects.values_list("agent__username", flat=True)) == {
        "agent",
        "supervisor",
    }
    assert "120 requests" in out
    assert RequestDay.objects.exists()


def test_running_it_twice_changes_nothing(small_demo, capsys):
    call_command("load_demo_data")
    before = snapshot()
    call_command("load_demo_data")
    assert snapshot() == before
    out = capsys.readouterr().out
    assert "Knowledge base: left as it is" in out
    assert "Customers and requests: left as they are" in out


def test_it_adds_no_requests_where_there_are_some(small_demo, agent):
    request_start(agent=agent)
    call_command("load_demo_data")
    assert CustomerRequest.objects.count() == 1
    assert not Customer.objects.exists()
    assert Department.objects.exists()


def test_it_leaves_an_administrators_catalogue_alone(small_demo, agent):
    request_start(agent=agent)
    call_command("load_demo_data")
    ProblemCode.objects.filter(code="APPL").update(name="Appliance collection", is_active=False)
    call_command("load_demo_data")
    assert ProblemCode.objects.filter(code="APPL", name="Appliance collection").exists()


def test_it_refuses_known_passwords_when_debug_is_off(small_demo, settings, agent):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("load_demo_data")
    assert not User.objects.filter(username="manager").exists()
    call_command("load_demo_data", force=True)
    assert User.objects.filter(username="manager").exists()
