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
from django.utils import timezone

from callcenter import roles
from hierarchy.catalogue_csv import DEMO_CATALOGUE, catalogue_import
from hierarchy.models import ProblemCode
from requests_app import volume
from requests_app.models import (
    Channel,
    Customer,
    CustomerPhone,
    CustomerRequest,
    RequestType,
    Status,
)
from requests_app.services import request_start
from workorders.addresses import address_key
from workorders.models import ACTIVE, WorkOrder, WorkOrderStatus
from workorders.services import Report, work_order_create_or_link

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)
DONE = [Status.RESOLVED, Status.CLOSED]
only_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="COPY is PostgreSQL's; SQLite uses bulk_create"
)


@pytest.fixture
def demo_catalogue(db):
    with DEMO_CATALOGUE.open("rb") as file:
        catalogue_import(file, user=None)


@pytest.fixture
def desk(demo_catalogue, agent, supervisor):
    """The demo catalogue and two people who take calls."""
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


def test_it_loads_the_customers_and_requests_it_was_asked_for(desk):
    summary = load()
    assert (summary.customers, summary.requests) == (50, 200)
    assert Customer.objects.count() == 50
    assert CustomerRequest.objects.count() == 200
    assert CustomerPhone.objects.count() == summary.phones
    per_customer = Counter(CustomerPhone.objects.values_list("customer_id", flat=True))
    assert set(per_customer.values()) <= {1, 2, 3}
    assert len(per_customer) == 50


def test_numbers_are_unique_and_shaped_like_the_desks(desk, settings):
    load()
    numbers = list(CustomerRequest.objects.values_list("pk", "number", "started_at"))
    assert len({number for _, number, _ in numbers}) == len(numbers)
    for pk, number, started in numbers:
        assert number == f"CR-{timezone.localtime(started).year}-{pk:06d}"


def test_the_number_takes_the_local_year_across_new_year(desk, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    load(requests=300, days=10, now=datetime(2026, 1, 3, 12, tzinfo=UTC))
    years = Counter(
        number[3:7] for number in CustomerRequest.objects.values_list("number", flat=True)
    )
    assert set(years) == {"2025", "2026"}


def test_every_phone_number_is_valid_e164_of_the_default_region(desk):
    load(customers=300, requests=500)
    stored = list(CustomerPhone.objects.values_list("number", flat=True))
    stored += list(
        CustomerRequest.objects.exclude(caller_phone="").values_list("caller_phone", flat=True)
    )
    assert len(stored) > 500
    assert all(is_valid_e164(number) for number in stored), [
        number for number in stored if not is_valid_e164(number)
    ]
    assert len(set(CustomerPhone.objects.values_list("number", flat=True))) == (
        CustomerPhone.objects.count()
    )


def test_numbers_of_another_region_are_valid_there():
    make = volume.PhoneMaker(random.Random(1), region="NO")
    numbers = [make(mobile=position % 2 == 0) for position in range(40)]
    assert all(is_valid_e164(number, "NO") for number in numbers)
    assert len(set(numbers)) == 40


def test_every_action_request_has_a_usable_problem_code(desk):
    load()
    usable = set(ProblemCode.objects.usable().values_list("pk", flat=True))
    actions = CustomerRequest.objects.filter(request_type=RequestType.ACTION)
    assert actions.exists()
    assert all(code in usable for code in actions.values_list("problem_code_id", flat=True))
    assert not actions.filter(description="").exists()
    assert not actions.filter(work_address="").exists()


def test_inactive_problem_codes_are_never_used(desk):
    ProblemCode.objects.filter(code__in=["POTH", "MISS", "SLOUT"]).update(is_active=False)
    load()
    used = set(CustomerRequest.objects.values_list("problem_code__code", flat=True))
    assert not used & {"POTH", "MISS", "SLOUT"}


def test_each_type_fills_its_own_section(desk):
    load()
    requests = CustomerRequest.objects.exclude(finished_at=None)
    assert not requests.filter(request_type=RequestType.INFORMATION, answer_given="").exists()
    assert not requests.filter(request_type=RequestType.COMMENT, comment="").exists()
    assert set(
        requests.filter(request_type=RequestType.COMMENT).values_list("status", flat=True)
    ) == {Status.CLOSED}
    assert not requests.exclude(request_type=RequestType.ACTION).exclude(problem_code=None).exists()


def test_follow_ups_have_a_due_date_and_someone_to_call_back(desk):
    load(requests=600, days=10)
    follow_ups = CustomerRequest.objects.filter(status=Status.FOLLOW_UP)
    assert follow_ups.exists()
    assert not follow_ups.filter(follow_up_due=None).exists()
    assert not follow_ups.filter(follow_up_assignee=None).exists()
    assert set(follow_ups.values_list("follow_up_assignee_id", flat=True)) <= {
        user.pk for user in desk
    }
    assert (
        not CustomerRequest.objects.exclude(status=Status.FOLLOW_UP)
        .exclude(follow_up_due=None)
        .exists()
    )
    assert follow_ups.filter(follow_up_due__lt=NOW).exists()  # some are overdue


def test_times_are_in_the_window_and_handling_takes_one_to_fifteen_minutes(desk):
    load(days=30)
    for started, finished in CustomerRequest.objects.values_list("started_at", "finished_at"):
        assert NOW - timedelta(days=30, hours=2) <= started <= NOW
        if finished is not None:
            assert timedelta(minutes=1) <= finished - started <= timedelta(minutes=15)
            assert finished <= NOW


def test_abandoned_drafts_are_open_empty_and_unfinished(desk):
    load(requests=1000)
    drafts = CustomerRequest.objects.filter(finished_at=None)
    assert 5 <= drafts.count() <= 50
    for draft in drafts:
        assert draft.status == Status.OPEN
        assert draft.customer_id is None
        assert not any(
            [
                draft.caller_name,
                draft.caller_phone,
                draft.caller_email,
                draft.description,
                draft.answer_given,
                draft.comment,
                draft.problem_code_id,
            ]
        )


def test_known_callers_details_are_copied_from_the_customer(desk):
    load()
    linked = CustomerRequest.objects.exclude(customer=None).select_related("customer")
    assert linked.exists()
    for request in linked.prefetch_related("customer__phones"):
        customer = request.customer
        assert request.caller_name == customer.name
        assert request.caller_email == customer.email
        assert request.caller_phone in {phone.number for phone in customer.phones.all()}
    anonymous = CustomerRequest.objects.filter(customer=None).exclude(finished_at=None)
    assert anonymous.exclude(caller_phone="", caller_email="", caller_name="").exists()


def test_the_mix_is_roughly_what_a_call_center_sees(desk):
    load(customers=200, requests=3000, days=90)
    requests = CustomerRequest.objects.exclude(finished_at=None)
    total = requests.count()

    def share(**lookup) -> float:
        return requests.filter(**lookup).count() / total

    assert 0.42 <= share(request_type=RequestType.INFORMATION) <= 0.58
    assert 0.28 <= share(request_type=RequestType.ACTION) <= 0.42
    assert 0.10 <= share(request_type=RequestType.COMMENT) <= 0.20
    channels = Counter(requests.values_list("channel", flat=True))
    assert set(channels) == set(Channel.values)
    assert [channel for channel, _ in channels.most_common(2)] == [Channel.PHONE, Channel.EMAIL]
    assert 0.62 <= share(customer__isnull=False) <= 0.78
    done = requests.filter(status__in=DONE)
    assert done.count() / total >= 0.8
    first_contact = done.filter(first_contact_resolution=True).count() / done.count()
    assert 0.62 <= first_contact <= 0.78
    assert share(status=Status.OPEN) > 0
    assert share(status=Status.FOLLOW_UP) > 0
    assert not requests.exclude(status__in=DONE).filter(first_contact_resolution=True).exists()
    agents = Counter(requests.values_list("agent_id", flat=True))
    assert set(agents) == {user.pk for user in desk}


def generated(seed, batch=100_000, requests=100, days=30):
    """Customer, phone, work order and request rows, generated without a database."""
    make = volume.PhoneMaker(random.Random(f"{seed}-phones"))
    customers, phones, callers = volume.generate_customers(
        range(1, 21), seed=seed, now=NOW, days=days, phones=make
    )
    times = volume.request_times(requests, seed=seed, now=NOW, days=days)
    serial = itertools.count(1)
    work_orders, request_rows = [], []
    for opened, rows in volume.generate_requests(
        range(1, requests + 1),
        times,
        seed=seed,
        now=NOW,
        agents=[7, 8, 9],
        codes=[
            volume.Code(1, "Pothole", turnaround=timedelta(days=14)),
            volume.Code(2, "Streetlight out", turnaround=timedelta(days=10)),
        ],
        callers=callers,
        work_order_ids=lambda count: [next(serial) for _ in range(count)],
        phones=make,
        batch=batch,
    ):
        work_orders += opened
        request_rows += rows
    return customers, phones, work_orders, request_rows


def test_the_same_seed_gives_the_same_rows():
    first = generated(1)
    assert first == generated(1)
    assert first != generated(2)
    assert first[2], "some work orders"


def test_the_batch_size_changes_nothing_in_the_rows():
    assert generated(4, batch=7, requests=300) == generated(4, requests=300)


def test_ids_come_from_the_sequence_so_the_desk_carries_on_after_them(desk, agent):
    deleted = request_start(agent=agent)
    deleted_pk, deleted_number = deleted.pk, deleted.number
    deleted.delete()
    load(customers=5, requests=20)
    first_generated = CustomerRequest.objects.order_by("pk").first()
    assert first_generated.pk > deleted_pk
    assert first_generated.number != deleted_number
    after = request_start(agent=agent)
    assert after.pk > CustomerRequest.objects.exclude(pk=after.pk).order_by("-pk").first().pk
    customer_ids = list(Customer.objects.values_list("pk", flat=True))
    assert len(set(customer_ids)) == 5


def test_it_needs_codes_and_agents(demo_catalogue):
    with pytest.raises(ValueError, match="Agent or Supervisor"):
        load()
    assert not Customer.objects.exists()


def test_without_customers_every_caller_is_anonymous(desk):
    load(customers=0, requests=50)
    assert CustomerRequest.objects.count() == 50
    assert not CustomerRequest.objects.exclude(customer=None).exists()


def test_it_creates_agents_until_there_are_enough(agent):
    created = volume.ensure_agents(4, password="demo")
    assert created == ["agent001", "agent002", "agent003"]
    assert User.objects.filter(groups__name=roles.AGENT).count() == 4
    assert authenticate(username="agent002", password="demo") is not None
    assert volume.ensure_agents(4, password="demo") == []


@only_postgresql
def test_copy_and_bulk_create_write_the_same_work_orders(desk):
    """Work orders through both ways: enums, nulls and moments arrive alike."""
    *_, callers = volume.generate_customers([], seed=6, now=NOW, days=30)
    (opened, _), *_ = volume.generate_requests(
        volume.reserve_ids(CustomerRequest, 300),
        volume.request_times(300, seed=6, now=NOW, days=30),
        seed=6,
        now=NOW,
        agents=[user.pk for user in desk],
        codes=volume.usable_codes(),
        callers=callers,
        work_order_ids=lambda count: volume.reserve_ids(WorkOrder, count),
    )
    half = len(opened) // 2
    columns = volume.WORK_ORDER_COLUMNS
    volume._copy(WorkOrder, columns, opened[:half], "work orders", half, None, 100)
    volume._bulk_create(WorkOrder, columns, opened[half:], "work orders", half, None, 100)
    stored = list(WorkOrder.objects.order_by("pk").values_list(*columns))
    assert stored == opened


@only_postgresql
def test_copy_and_bulk_create_write_the_same_rows(desk):
    """The two ways into the database must not differ in what arrives."""
    make = volume.PhoneMaker(random.Random(5))
    rows, phones, _ = volume.generate_customers(
        volume.reserve_ids(Customer, 10), seed=5, now=NOW, days=30, phones=make
    )
    by_copy, by_bulk = rows[:5], rows[5:]
    volume._copy(Customer, volume.CUSTOMER_COLUMNS, by_copy, "customers", 5, None, 100)
    volume._bulk_create(Customer, volume.CUSTOMER_COLUMNS, by_bulk, "customers", 5, None, 100)
    stored = list(Customer.objects.order_by("pk").values_list(*volume.CUSTOMER_COLUMNS))
    assert stored == rows


def test_the_command_loads_the_demo_catalogue_and_agents_when_missing(settings, agent):
    settings.DEBUG = True
    call_command("generate_volume", requests=120, customers=30, days=20, agents=5)
    assert ProblemCode.objects.filter(code="POTH").exists()
    assert User.objects.filter(groups__name=roles.AGENT).count() == 5
    assert CustomerRequest.objects.count() == 120
    assert Customer.objects.count() == 30
    call_command("generate_volume", requests=10, customers=0, days=20, agents=5)
    assert CustomerRequest.objects.count() == 130
    assert User.objects.filter(groups__name=roles.AGENT).count() == 5


def test_the_command_refuses_to_write_fake_data_when_debug_is_off(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DEBUG is off"):
        call_command("generate_volume", requests=10, customers=5)
    assert not CustomerRequest.objects.exists()


# Work orders --------------------------------------------------------------------------------------


def test_every_action_request_belongs_to_a_work_order_of_its_problem_and_place(desk):
    summary = load(requests=1000, days=60)
    assert summary.work_orders == WorkOrder.objects.count() > 0
    actions = CustomerRequest.objects.filter(request_type=RequestType.ACTION)
    assert actions.exists()
    assert not actions.filter(work_order=None).exists()
    for request in actions.select_related("work_order"):
        assert request.problem_code_id == request.work_order.problem_code_id
        assert address_key(request.work_address) == request.work_order.address_key
        assert request.work_address_key == request.work_order.address_key
    others = CustomerRequest.objects.exclude(request_type=RequestType.ACTION)
    assert not others.exclude(work_order=None).exists()
    assert not WorkOrder.objects.filter(requests=None).exists()


def test_a_work_order_is_opened_by_the_first_report_as_the_desk_opens_it(desk):
    load(requests=1000, days=60)
    codes = {code.pk: code for code in ProblemCode.objects.with_path()}
    for work_order in WorkOrder.objects.all():
        first = work_order.requests.order_by("started_at", "pk").first()
        code = codes[work_order.problem_code_id]
        template = code.standard_work_order
        promise = code.promise_dates(first.started_at)
        assert (work_order.created_at, work_order.created_by_id) == (
            first.started_at,
            first.agent_id,
        )
        assert work_order.address == first.work_address
        assert work_order.title == (template.title if template else code.name)
        assert work_order.trade == (template.trade if template else "")
        assert work_order.priority == (template.priority if template else code.priority)
        assert work_order.provider_id == code.category.provider_id
        assert work_order.due_at == (promise["permanent"] or promise["temporary"])
        assert work_order.duplicate_reason == ""


def test_only_one_work_order_is_open_per_problem_and_place(desk):
    load(customers=100, requests=3000, days=90)
    open_places = Counter(
        WorkOrder.objects.active()
        .filter(duplicate_reason="")
        .values_list("problem_code_id", "address_key")
    )
    assert open_places
    assert max(open_places.values()) == 1
    # A place may have had the same problem before: done, then reported again.
    all_places = Counter(WorkOrder.objects.values_list("problem_code_id", "address_key"))
    assert max(all_places.values()) >= 2


def test_a_new_report_of_an_open_problem_links_to_it_and_never_opens_a_second():
    """One caller reporting the same few problems at home again and again: at no moment are two
    work orders open for one problem at one place."""
    home = volume.Callers([1], ["Anna Berg"], [("+493012345678",)], [""], ["Hauptstraße 1"])
    serial = itertools.count(1)
    work_orders = [
        row
        for opened, _ in volume.generate_requests(
            range(1, 2001),
            volume.request_times(2000, seed=1, now=NOW, days=60),
            seed=1,
            now=NOW,
            agents=[7],
            codes=[volume.Code(1, "Pothole", turnaround=timedelta(days=14))],
            callers=home,
            work_order_ids=lambda count: [next(serial) for _ in range(count)],
        )
        for row in opened
    ]
    column = {name: position for position, name in enumerate(volume.WORK_ORDER_COLUMNS)}
    at_home = sorted(
        (row[column["created_at"]], row[column["closed_at"]], row[column["status"]])
        for row in work_orders
        if row[column["address_key"]] == address_key("Hauptstraße 1")
    )
    assert len(at_home) >= 3
    for (_, closed, status), (opened, *_) in itertools.pairwise(at_home):
        assert status not in ACTIVE
        assert closed <= opened


def test_reports_link_to_a_work_order_open_before_and_never_open_a_second(desk):
    """Adding to a database with open work orders: a later report of the problem links to the
    open one; an earlier one's work order was done before it was opened."""
    home = volume.Callers([1], ["Anna Berg"], [("+493012345678",)], [""], ["Hauptstraße 1"])
    pothole = volume.Code(1, "Pothole", turnaround=timedelta(days=14))
    key = address_key("Hauptstraße 1")
    opened = NOW - timedelta(days=20)
    serial = itertools.count(1000)
    work_orders, requests = [], []
    for rows, request_rows in volume.generate_requests(
        range(1, 2001),
        volume.request_times(2000, seed=2, now=NOW, days=60),
        seed=2,
        now=NOW,
        agents=[7],
        codes=[pothole],
        callers=home,
        work_order_ids=lambda count: [next(serial) for _ in range(count)],
        open_work_orders=[(1, pothole.id, key, "Hauptstraße 1", opened)],
    ):
        work_orders += rows
        requests += request_rows
    column = {name: position for position, name in enumerate(volume.WORK_ORDER_COLUMNS)}
    at_home = [row for row in work_orders if row[column["address_key"]] == key]
    assert at_home
    for row in at_home:
        assert row[column["created_at"]] < opened
        assert row[column["status"]] not in ACTIVE
        assert row[column["closed_at"]] <= opened
    started = volume.REQUEST_COLUMNS.index("started_at")
    linked = [row for row in requests if row[volume.WORK_ORDER_OF_REQUEST] == 1]
    assert linked
    assert all(row[started] >= opened for row in linked)


def test_loading_into_a_database_with_open_work_orders_links_to_them(desk, agent):
    """The desk has a work order open for every problem at every public place, opened a month
    before: generated reports of them link to it from then on, and never open a second."""
    for code in ProblemCode.objects.usable():
        for place, street in volume.PLACES:
            work_order_create_or_link(report=Report(code, f"{place}, {street}"), user=agent)
    opened = NOW - timedelta(days=30)
    WorkOrder.objects.update(created_at=opened)
    already_open = list(WorkOrder.objects.values_list("pk", flat=True))
    load(requests=1500, days=60)  # the constraint refuses a second open one
    linked = CustomerRequest.objects.filter(work_order__in=already_open)
    assert linked.exists()
    assert not linked.filter(started_at__lt=opened).exists()
    assert WorkOrder.objects.active().count() > len(already_open)
    public = [address_key(f"{place}, {street}") for place, street in volume.PLACES]
    earlier = WorkOrder.objects.exclude(pk__in=already_open).filter(address_key__in=public)
    assert earlier.exists()
    assert not earlier.active().exists()
    assert not earlier.filter(closed_at__gt=opened).exists()


def test_several_callers_report_some_problems(desk):
    load(customers=100, requests=3000, days=90)
    callers = Counter(
        WorkOrder.objects.annotate(callers=Count("requests")).values_list("callers", flat=True)
    )
    reports = sum(count * work_orders for count, work_orders in callers.items())
    assert 1.15 <= reports / sum(callers.values()) <= 1.5
    assert callers[2] > 0
    assert sum(work_orders for count, work_orders in callers.items() if count >= 3) > 0
    # Another caller may write the address another way; the key is the same.
    linked = CustomerRequest.objects.exclude(work_order=None)
    assert linked.exclude(work_address=F("work_order__address")).exists()


def test_work_orders_follow_time(desk):
    load(customers=100, requests=3000, days=90)
    work_orders = WorkOrder.objects.all()
    assert set(work_orders.values_list("status", flat=True)) == set(WorkOrderStatus.values)
    closed = work_orders.exclude(status__in=ACTIVE)
    assert not closed.filter(closed_at=None).exists()
    assert not closed.filter(closed_at__lt=F("created_at")).exists()
    assert not closed.filter(closed_at__gt=NOW).exists()
    assert not work_orders.active().exclude(closed_at=None).exists()
    cancelled = work_orders.filter(status=WorkOrderStatus.CANCELLED)
    assert not cancelled.filter(cancel_reason="").exists()
    assert (
        not work_orders.exclude(status=WorkOrderStatus.CANCELLED).exclude(cancel_reason="").exists()
    )
    completed = work_orders.filter(status=WorkOrderStatus.COMPLETED)
    late = completed.filter(closed_at__gt=F("due_at")).count()
    assert 0 < late < completed.count() / 3
    older = work_orders.filter(created_at__lt=NOW - timedelta(days=30))
    assert completed.filter(pk__in=older).count() >= 0.85 * older.count()
    newest = work_orders.filter(created_at__gte=NOW - timedelta(days=1))
    assert newest.active().count() >= 0.5 * newest.count() > 0
    assert work_orders.overdue(NOW).exists()
    unassigned = work_orders.active().filter(assignee="")
    assert not unassigned.exclude(status=WorkOrderStatus.OPEN).exists()


def test_requests_of_completed_work_orders_are_resolved_or_closed(desk):
    load(customers=100, requests=3000, days=90)
    of_completed = CustomerRequest.objects.filter(work_order__status=WorkOrderStatus.COMPLETED)
    assert of_completed.exists()
    assert set(of_completed.values_list("status", flat=True)) <= set(DONE)
    assert not of_completed.exclude(follow_up_due=None).exists()
    # Those of open work orders may still be waiting.
    of_open = CustomerRequest.objects.filter(work_order__status__in=ACTIVE)
    assert of_open.exclude(status__in=DONE).exists()


def test_work_order_numbers_are_shaped_like_the_desks(desk, agent, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    load(requests=600, days=10, now=datetime(2026, 1, 3, 12, tzinfo=UTC))
    numbers = list(WorkOrder.objects.values_list("pk", "number", "created_at"))
    for pk, number, created in numbers:
        assert number == f"WO-{timezone.localtime(created).year}-{pk:06d}"
    assert {number[3:7] for _, number, _ in numbers} == {"2025", "2026"}
    # The desk carries on after the reserved ids.
    new = work_order_create_or_link(
        report=Report(ProblemCode.objects.get(code="POTH"), "Neue Straße 1"), user=agent
    )
    assert new.pk > max(pk for pk, _, _ in numbers)


def test_another_callers_address_keeps_its_key():
    rng = random.Random(3)
    addresses = [f"{street} 12\n10115 Berlin" for street in volume.STREETS]
    addresses += [f"{place}, {street}" for place, street in volume.PLACES]
    for address in addresses:
        written = {volume._written_otherwise(address, rng) for _ in range(30)}
        assert len(written) > 1
        assert {address_key(text) for text in written} == {address_key(address)}
