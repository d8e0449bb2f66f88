"""Migration 0009 on requests saved before it: callers with a number or an address become
customers (or are linked to the one customer who has it), and work addresses get their key."""

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from requests_app.models import Customer, CustomerRequest, RequestType
from requests_app.services import customer_save, request_save, request_start
from tests.factories import customer_with_phone

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("requests_app", "0008_request_discarded")]
MIGRATION = [("requests_app", "0009_callers")]


def migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.migrate(targets)


@pytest.fixture
def before_the_migration():
    """Data made now, then the schema taken back to before 0009 and brought forward again."""
    made = {}
    yield made
    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())


def earlier(agent, days_ago: int, **caller) -> CustomerRequest:
    request = request_start(agent=agent)
    CustomerRequest.objects.filter(pk=request.pk).update(
        started_at=timezone.now() - timedelta(days=days_ago), customer=None, **caller
    )
    return request


def test_earlier_callers_become_customers_once_per_number(agent, catalogue, before_the_migration):
    grace = customer_with_phone("+49301111111", name="Grace Hopper")
    customer_with_phone("+49302222222", name="Ada Lovelace")
    customer_with_phone("+49302222222", name="Ada's flatmate")
    kari_first = earlier(agent, 9, caller_phone="+4722123456", caller_name="Kari Nordmann")
    kari_later = earlier(
        agent, 2, caller_phone="+4722123456", caller_email="kari@example.org", caller_name=""
    )
    kari_by_mail = earlier(agent, 1, caller_email="kari@example.org")
    unnamed = earlier(agent, 3, caller_phone="+49301234567")
    known = earlier(agent, 4, caller_phone="+49301111111", caller_name="G. Hopper")
    shared = earlier(agent, 5, caller_phone="+49302222222")
    by_mail = earlier(agent, 6, caller_email="someone@example.org", caller_name="Some One")
    nameless = earlier(agent, 7, caller_name="Only A. Name")
    action = request_save(
        request=request_start(agent=agent),
        values={
            "request_type": RequestType.ACTION,
            "problem_code": catalogue["appl"],
            "work_address": "Hauptstraße 12",
        },
        expected_version=1,
        user=agent,
    )
    migrate(BEFORE)
    migrate(MIGRATION)

    def customer_of(request):
        return CustomerRequest.objects.get(pk=request.pk).customer

    kari = customer_of(kari_first)
    assert kari.name == "Kari Nordmann"
    assert kari.email == "kari@example.org"
    assert list(kari.phones.values_list("number", flat=True)) == ["+4722123456"]
    assert kari.created_at == CustomerRequest.objects.get(pk=kari_first.pk).started_at
    assert customer_of(kari_later) == customer_of(kari_by_mail) == kari
    assert customer_of(unnamed).name == "0301234567"
    assert customer_of(known) == grace
    assert customer_of(shared) is None
    assert (customer_of(by_mail).name, customer_of(by_mail).email) == (
        "Some One",
        "someone@example.org",
    )
    assert customer_of(nameless) is None
    assert Customer.objects.count() == 3 + 3
    assert CustomerRequest.objects.get(pk=action.pk).work_address_key == "haupt street 12"
    # New customers get new ids after the migration's (PostgreSQL's sequence moved on).
    assert customer_save(values={"name": "After"}, phones=[]).pk > kari.pk
