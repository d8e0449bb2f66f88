import pytest
from django.contrib.auth import authenticate
from django.core.management import CommandError, call_command

from hierarchy.models import Department, ProblemCode

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return list(ProblemCode.objects.order_by("code").values_list("code", "version", "updated_at"))


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


def test_running_it_twice_changes_nothing(settings):
    settings.DEBUG = True
    call_command("load_demo_data")
    before = snapshot()
    call_command("load_demo_data")
    assert snapshot() == before


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
