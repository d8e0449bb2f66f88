import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import phonenumbers
import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.db import connection
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


def test_the_same_seed_gives_the_same_rows():
    def rows(seed):
        make = volume.PhoneMaker(random.Random(f"{seed}-phones"))
        customers, phones, callers = volume.generate_customers(
            range(1, 21), seed=seed, now=NOW, days=30, phones=make
        )
        times = volume.request_times(100, seed=seed, now=NOW, days=30)
        requests = list(
            volume.generate_requests(
                range(1, 101),
                times,
                seed=seed,
                now=NOW,
                agents=[7, 8, 9],
                codes=[volume.Code(1, "Pothole"), volume.Code(2, "Streetlight out")],
                callers=callers,
                phones=make,
            )
        )
        return customers, phones, requests

    assert rows(1) == rows(1)
    assert rows(1) != rows(2)


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
