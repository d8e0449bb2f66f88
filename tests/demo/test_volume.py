"""The benchmark volume (demo.volume): rows written at COPY speed, checked against what the
services make of the same calls."""

import itertools
import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import Count, F

from callcenter import roles
from callcenter.numbering import number_of
from demo import volume
from demo.catalogue import load_demo_catalogue
from demo.clock import replay
from demo.people import PhoneMaker
from hierarchy.models import ProblemCode, ServiceCategory
from reports.models import RequestDay
from requests_app.models import (
    Channel,
    Customer,
    CustomerPhone,
    CustomerRequest,
    RequestType,
    Status,
)
from requests_app.services import (
    DONE,
    request_save,
    request_searched_knowledge,
    request_start,
)
from workorders.addresses import address_key
from workorders.models import ACTIVE, WorkOrder, WorkOrderStatus
from workorders.services import Report, work_order_create_or_link, work_order_update

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)
only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite uses bulk_create"
)
# What an agent types or chooses in a request; the services derive the rest.
TYPED = [
    "request_type",
    "status",
    "caller_name",
    "caller_phone",
    "caller_email",
    "problem_code",
    "work_address",
    "description",
    "comment",
    "answer_given",
    "follow_up_due",
    "follow_up_assignee",
]
# What a work order takes from its problem code and the report.
FROM_THE_REPORT = ["problem_code_id", "title", "instructions", "trade", "priority", "provider_id"]


@pytest.fixture
def desk(db, agent, supervisor):
    """The demo catalogue and two people who take calls."""
    load_demo_catalogue()
    return [agent, supervisor]


def load(customers=50, requests=200, days=30, now=NOW, seed=1):
    return volume.load_volume(customers=customers, requests=requests, days=days, seed=seed, now=now)


def is_valid_e164(number: str, region: str = "DE") -> bool:
    parsed = phonenumbers.parse(number)
    return (
        phonenumbers.is_valid_number(parsed)
        and phonenumbers.region_code_for_number(parsed) == region
        and phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number
    )


def test_it_loads_what_it_was_asked_for_with_valid_phone_numbers(desk):
    summary = load(customers=300, requests=500)
    assert (summary.customers, summary.requests) == (300, 500)
    assert (Customer.objects.count(), CustomerRequest.objects.count()) == (300, 500)
    assert CustomerPhone.objects.count() == summary.phones
    assert set(Counter(CustomerPhone.objects.values_list("customer", flat=True)).values()) == {
        1,
        2,
        3,
    }
    stored = list(CustomerPhone.objects.values_list("number", flat=True))
    assert len(set(stored)) == len(stored) > 300
    assert [number for number in stored if not is_valid_e164(number)] == []
    maker = PhoneMaker(random.Random(1), region="NO")
    assert all(is_valid_e164(maker(mobile=n % 2 == 0), "NO") for n in range(40))


def test_a_sample_of_the_generated_calls_is_what_the_desk_makes_of_them(desk):
    """Each sampled request typed again at the desk, at its own moments (request_start,
    request_save, as the agent first saved it and then called back): accepted by every check,
    the caller found as the same customer (no new one made), and the derived fields alike:
    number, first-contact resolution, the work address's key, the work order linked (the same
    one while it is open) or made from the code as the generated one was."""
    load(customers=100, requests=1500, days=30)
    rows = list(
        CustomerRequest.objects.exclude(finished_at=None)
        .select_related("work_order", "problem_code", "follow_up_assignee", "agent")
        .order_by("pk")
    )
    sample = rows[::15]
    customers = Customer.objects.count()
    kinds = Counter()
    for row in sample:
        with replay(row.started_at) as clock:
            request = request_start(agent=row.agent, channel=row.channel)
            if row.knowledge_searched_at:
                request_searched_knowledge(request)
            clock.set(row.finished_at)
            values = {field: getattr(row, field) for field in TYPED}
            if not row.first_contact_resolution and row.status in DONE:
                request = request_save(
                    request=request,
                    values={**values, "status": Status.OPEN},
                    expected_version=request.version,
                    user=row.agent,
                )
                values = {"status": row.status}
            saved = request_save(
                request=request, values=values, expected_version=request.version, user=row.agent
            )
        assert saved.number == number_of("CR", saved.pk, row.started_at)
        assert row.number == number_of("CR", row.pk, row.started_at)
        assert saved.customer_id == row.customer_id
        assert saved.first_contact_resolution == row.first_contact_resolution
        assert (saved.follow_up_due, saved.follow_up_assignee) == (
            row.follow_up_due,
            row.follow_up_assignee,
        )
        assert saved.work_address_key == row.work_address_key
        if row.work_order is not None:
            made, generated = saved.work_order, row.work_order
            if generated.is_active:
                assert made == generated
                kinds["linked to the open one"] += 1
            else:
                kinds["made anew"] += 1
            for name in FROM_THE_REPORT:
                assert getattr(made, name) == getattr(generated, name), name
            assert made.address_key == generated.address_key
            assert made.due_at - made.created_at == generated.due_at - generated.created_at
        kinds[row.status] += 1
    assert Customer.objects.count() == customers
    assert set(kinds) == {*Status.values, "linked to the open one", "made anew"}, kinds


def test_completing_a_generated_work_order_resolves_its_waiting_requests(desk, agent):
    load(customers=100, requests=1500, days=30)
    waiting = CustomerRequest.objects.filter(status__in=[Status.OPEN, Status.FOLLOW_UP])
    work_orders = list(WorkOrder.objects.active().filter(requests__in=waiting).distinct()[:10])
    assert work_orders
    for work_order in work_orders:
        work_order_update(
            work_order=work_order,
            values={"status": WorkOrderStatus.COMPLETED},
            expected_version=work_order.version,
            user=agent,
        )
    assert not waiting.filter(work_order__in=work_orders).exists()
    assert all(work_order.requests.exists() for work_order in work_orders)


def test_each_report_is_on_the_one_open_work_order_of_its_problem_and_place(desk):
    summary = load(customers=100, requests=3000, days=90)
    assert summary.work_orders == WorkOrder.objects.count() > 0
    actions = CustomerRequest.objects.filter(request_type=RequestType.ACTION).kept()
    assert actions.exists()
    assert not actions.filter(work_order=None).exists()
    assert not actions.exclude(problem_code=F("work_order__problem_code")).exists()
    for request in actions.select_related("work_order"):
        assert address_key(request.work_address) == request.work_order.address_key
    assert not CustomerRequest.objects.exclude(request_type=RequestType.ACTION).exclude(
        work_order=None
    )
    open_places = Counter(WorkOrder.objects.active().values_list("problem_code_id", "address_key"))
    assert max(open_places.values()) == 1
    # A place may have had the same problem before: done, then reported again.
    assert (
        max(Counter(WorkOrder.objects.values_list("problem_code_id", "address_key")).values()) > 1
    )
    # Another caller may write the address another way; the key is the same.
    assert actions.exclude(work_address=F("work_order__address")).exists()
    # A request whose work order is done was resolved by it, or closed since.
    done = CustomerRequest.objects.filter(work_order__status=WorkOrderStatus.COMPLETED)
    assert set(done.values_list("status", flat=True)) <= set(DONE)


def test_reports_link_to_work_orders_open_before_and_never_open_a_second(desk, agent):
    """A work order open for every problem at every public place, opened a month before: the
    generated reports of those link to it from then on, and earlier ones' were done by then."""
    from demo.people import PLACES

    for code in ProblemCode.objects.usable():
        for place, street in PLACES:
            work_order_create_or_link(report=Report(code, f"{place}, {street}"), user=agent)
    opened = NOW - timedelta(days=30)
    WorkOrder.objects.update(created_at=opened)
    already_open = list(WorkOrder.objects.values_list("pk", flat=True))
    load(requests=1500, days=60)  # the constraint refuses a second open one
    linked = CustomerRequest.objects.filter(work_order__in=already_open)
    assert linked.exists()
    assert not linked.filter(started_at__lt=opened).exists()
    public = [address_key(f"{place}, {street}") for place, street in PLACES]
    earlier = WorkOrder.objects.exclude(pk__in=already_open).filter(address_key__in=public)
    assert earlier.exists()
    assert not earlier.active().exists()
    assert not earlier.filter(closed_at__gt=opened).exists()


def test_numbers_take_the_local_year_and_the_desk_carries_on_after_them(desk, agent, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    deleted = request_start(agent=agent)
    deleted_pk = deleted.pk
    deleted.delete()
    load(customers=5, requests=600, days=10, now=datetime(2026, 1, 3, 12, tzinfo=UTC))
    for model, prefix, moment in [
        (CustomerRequest, "CR", "started_at"),
        (WorkOrder, "WO", "created_at"),
    ]:
        numbers = list(model.objects.values_list("pk", "number", moment))
        assert all(number == number_of(prefix, pk, when) for pk, number, when in numbers)
        assert {number[3:7] for _, number, _ in numbers} == {"2025", "2026"}
    assert CustomerRequest.objects.order_by("pk").first().pk > deleted_pk
    after = request_start(agent=agent)
    assert after.pk > CustomerRequest.objects.exclude(pk=after.pk).order_by("-pk").first().pk
    new = work_order_create_or_link(
        report=Report(ProblemCode.objects.get(code="POTH"), "Neue Straße 1"), user=agent
    )
    assert new.pk > WorkOrder.objects.exclude(pk=new.pk).order_by("-pk").first().pk


def test_the_mix_is_roughly_what_a_call_center_sees(desk):
    load(customers=200, requests=3000, days=90)
    requests = CustomerRequest.objects.exclude(finished_at=None)
    total = requests.count()

    def share(**lookup) -> float:
        return requests.filter(**lookup).count() / total

    assert 0.42 <= share(request_type=RequestType.INFORMATION) <= 0.58
    assert 0.28 <= share(request_type=RequestType.ACTION) <= 0.42
    channels = Counter(requests.values_list("channel", flat=True))
    assert [channel for channel, _ in channels.most_common(2)] == [Channel.PHONE, Channel.EMAIL]
    assert set(channels) == set(Channel.values)
    assert 0.62 <= share(customer__isnull=False) <= 0.78
    done = requests.filter(status__in=DONE)
    assert done.count() / total >= 0.8
    assert 0.62 <= done.filter(first_contact_resolution=True).count() / done.count() <= 0.78
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    assert requests.filter(status=Status.FOLLOW_UP, follow_up_due__lt=NOW).exists()
    assert 5 <= CustomerRequest.objects.filter(finished_at=None).count() <= 100
    work_orders = WorkOrder.objects.annotate(callers=Count("requests"))
    assert set(work_orders.values_list("status", flat=True)) == set(WorkOrderStatus.values)
    callers = Counter(work_orders.values_list("callers", flat=True))
    assert 1.15 <= sum(n * count for n, count in callers.items()) / work_orders.count() <= 1.5
    assert sum(count for n, count in callers.items() if n >= 3) > 0
    completed = work_orders.filter(status=WorkOrderStatus.COMPLETED)
    assert 0 < completed.filter(closed_at__gt=F("due_at")).count() < completed.count() / 3
    assert WorkOrder.objects.overdue(NOW).exists()
    older = work_orders.filter(created_at__lt=NOW - timedelta(days=30))
    assert completed.filter(pk__in=older).count() >= 0.85 * older.count()
    assert not work_orders.exclude(status__in=ACTIVE).filter(closed_at=None).exists()
    assert not work_orders.filter(status=WorkOrderStatus.CANCELLED, cancel_reason="").exists()


def generated(seed, batch=100_000, requests=100, days=30):
    """Customer, phone, work order and request rows, generated without a database."""
    customers, phones, callers = volume.generate_customers(
        range(1, 21), seed=seed, now=NOW, days=days
    )
    category = ServiceCategory(pk=1, provider_id=1)
    codes = [
        ProblemCode(pk=1, name="Pothole", permanent_fix_days=14, category=category),
        ProblemCode(pk=2, name="Streetlight out", permanent_fix_days=10, category=category),
    ]
    serial = itertools.count(1)
    work_orders, request_rows = [], []
    for opened, rows in volume.generate_requests(
        range(1, requests + 1),
        volume.city.request_times(requests, seed=seed, now=NOW, days=days),
        seed=seed,
        now=NOW,
        agents=[7, 8, 9],
        codes=codes,
        callers=callers,
        work_order_ids=lambda count: [next(serial) for _ in range(count)],
        batch=batch,
    ):
        work_orders += opened
        request_rows += rows
    return customers, phones, work_orders, request_rows


def test_the_same_seed_gives_the_same_rows_in_any_batch_size():
    first = generated(1, requests=300)
    assert first == generated(1, requests=300)
    assert first == generated(1, batch=7, requests=300)
    assert first != generated(2, requests=300)
    assert first[2], "some work orders"


@only_postgresql
def test_copy_and_bulk_create_write_the_same_rows(desk):
    """The two ways into the database: enums, nulls and moments arrive alike."""
    rows, _, callers = volume.generate_customers(
        volume.reserve_ids(Customer, 10), seed=5, now=NOW, days=30
    )
    (opened, _), *_ = volume.generate_requests(
        volume.reserve_ids(CustomerRequest, 300),
        volume.city.request_times(300, seed=6, now=NOW, days=30),
        seed=6,
        now=NOW,
        agents=[user.pk for user in desk],
        codes=volume.usable_codes(),
        callers=callers,
        work_order_ids=lambda count: volume.reserve_ids(WorkOrder, count),
    )
    for model, columns, written in [
        (Customer, volume.CUSTOMER_COLUMNS, rows),
        (WorkOrder, volume.WORK_ORDER_COLUMNS, opened),
    ]:
        half = len(written) // 2
        volume._copy(model, columns, written[:half], "rows", half, None, 100)
        volume._bulk_create(model, columns, written[half:], "rows", half, None, 100)
        assert list(model.objects.order_by("pk").values_list(*columns)) == written


def test_it_needs_agents(db):
    load_demo_catalogue()
    with pytest.raises(ValueError, match="Agent or Supervisor"):
        load()
    assert not Customer.objects.exists()


def test_without_customers_every_caller_is_anonymous(desk):
    load(customers=0, requests=50)
    assert CustomerRequest.objects.count() == 50
    assert not CustomerRequest.objects.exclude(customer=None).exists()


def test_the_command_loads_the_demo_catalogue_and_agents_when_missing(settings, agent):
    settings.DEBUG = True
    call_command("generate_volume", requests=120, customers=30, days=20, agents=5)
    assert ProblemCode.objects.filter(code="POTH").exists()
    assert User.objects.filter(groups__name=roles.AGENT).count() == 5
    assert authenticate(username="agent002", password="demo") is not None
    assert (CustomerRequest.objects.count(), Customer.objects.count()) == (120, 30)
    assert RequestDay.objects.exists()  # the reports count the days written
    call_command("generate_volume", requests=10, customers=0, days=20, agents=5)
    assert CustomerRequest.objects.count() == 130
    assert User.objects.filter(groups__name=roles.AGENT).count() == 5
    assert not CustomerRequest.objects.filter(customer=None).exclude(caller_phone="").exists()


def test_the_command_refuses_to_write_fake_data_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_volume", requests=10, customers=5)
    assert not CustomerRequest.objects.exists()
