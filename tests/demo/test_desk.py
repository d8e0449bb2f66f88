"""The demo's calls, replayed through the services at their moments (demo.desk, demo.clock):
600 calls over 15 days, loaded once for the module."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Count, F

from demo.catalogue import load_demo_catalogue
from demo.clock import replay
from demo.desk import load_desk
from demo.knowledge import load_demo_articles
from knowledgebase.models import Article, FailedSearch
from requests_app.models import (
    Channel,
    ConsultedArticle,
    Customer,
    CustomerRequest,
    RequestChange,
    RequestType,
    Status,
)
from workorders.models import WorkOrder, WorkOrderChange, WorkOrderStatus

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)
DAYS = 15


@pytest.fixture(scope="module")
def desk(django_db_setup, django_db_blocker):
    """The calls, replayed once (a few seconds) for the module's tests, in a transaction rolled
    back after them; the tests read only."""
    with django_db_blocker.unblock(), transaction.atomic():
        supervisor = User.objects.create_user("desk-supervisor")
        agent = User.objects.create_user("desk-agent")
        supervisor.groups.add(Group.objects.get(name="Supervisor"))
        agent.groups.add(Group.objects.get(name="Agent"))
        with replay(NOW - timedelta(days=DAYS + 1)) as clock:
            load_demo_catalogue()
            load_demo_articles(supervisor)
            summary = load_desk(
                clock=clock,
                now=NOW,
                agents=[agent, supervisor],
                customers=100,
                requests=600,
                days=DAYS,
                seed=3,
            )
        yield summary, agent, supervisor
        transaction.set_rollback(True)


def test_the_calls_are_requests_of_every_kind_over_the_days(desk):
    summary, agent, supervisor = desk
    requests = CustomerRequest.objects.all()
    assert summary.requests == requests.count() == 600
    assert set(requests.values_list("request_type", flat=True)) == set(RequestType.values)
    assert set(requests.values_list("channel", flat=True)) == set(Channel.values)
    assert set(requests.values_list("status", flat=True)) == set(Status.values)
    assert not requests.filter(started_at__lt=NOW - timedelta(days=DAYS + 1)).exists()
    assert not requests.filter(started_at__gt=NOW).exists()
    assert requests.filter(started_at__gt=NOW - timedelta(days=1)).exists()
    assert set(requests.values_list("agent", flat=True)) == {agent.pk, supervisor.pk}
    done = requests.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    assert 0.55 <= done.filter(first_contact_resolution=True).count() / done.count() <= 0.85
    # Abandoned contacts: left open, or discarded.
    drafts = requests.filter(finished_at=None)
    assert drafts.filter(status=Status.OPEN, discarded_at=None).exists()
    assert drafts.exclude(discarded_at=None).exists()


def test_callers_are_customers_found_by_their_number_or_made_from_it(desk):
    summary, *_ = desk
    requests = CustomerRequest.objects.exclude(finished_at=None)
    assert summary.customers == Customer.objects.count() > 100  # the new callers too
    linked = requests.exclude(customer=None).select_related("customer")
    assert linked.count() / requests.count() >= 0.6
    for request in linked.prefetch_related("customer__phones"):
        numbers = {phone.number for phone in request.customer.phones.all()}
        assert request.caller_phone in numbers or request.caller_email == request.customer.email
    # Only callers who gave neither a number nor an address are nobody's.
    assert not requests.filter(customer=None).exclude(caller_phone="", caller_email="").exists()
    assert Customer.objects.filter(name__startswith="0").exists()  # named by the number
    languages = Counter(Customer.objects.values_list("preferred_language", flat=True))
    assert set(languages) == {"en", "de", "nb"}


def test_follow_ups_wait_for_someone_some_of_them_overdue(desk):
    _, agent, _ = desk
    follow_ups = CustomerRequest.objects.filter(status=Status.FOLLOW_UP)
    assert follow_ups.filter(follow_up_assignee=agent).exists()
    assert follow_ups.filter(follow_up_due__lt=NOW).exists()
    assert not follow_ups.filter(follow_up_due=None).exists()


def test_action_requests_have_work_orders_in_every_status_some_overdue(desk):
    actions = CustomerRequest.objects.filter(request_type=RequestType.ACTION)
    assert not actions.filter(work_order=None).exists()
    assert not actions.exclude(work_order__problem_code=F("problem_code")).exists()
    work_orders = WorkOrder.objects.annotate(callers=Count("requests"))
    assert set(work_orders.values_list("status", flat=True)) == set(WorkOrderStatus.values)
    assert work_orders.filter(callers__gte=2).count() >= 5
    assert WorkOrder.objects.overdue(NOW).exists()
    completed = CustomerRequest.objects.filter(work_order__status=WorkOrderStatus.COMPLETED)
    assert completed.exists()
    assert not completed.filter(status__in=[Status.OPEN, Status.FOLLOW_UP]).exists()
    # The completion resolved some of them: their history says so, by the work order.
    assert RequestChange.objects.filter(reason__endswith="was completed.").exists()
    assert not WorkOrder.objects.filter(status=WorkOrderStatus.CANCELLED, cancel_reason="").exists()


def test_agents_searched_the_knowledge_base_and_opened_articles(desk):
    information = CustomerRequest.objects.kept().filter(request_type=RequestType.INFORMATION)
    resolved = information.filter(status__in=[Status.RESOLVED, Status.CLOSED])
    assert not resolved.filter(knowledge_searched_at=None).exists()
    assert ConsultedArticle.objects.filter(request__request_type=RequestType.ACTION).exists()
    assert ConsultedArticle.objects.values("article").distinct().count() >= 5
    assert FailedSearch.objects.filter(text="passport renewal").exists()


def test_every_moment_is_the_replayed_one(desk):
    """The services wrote each step at its moment on the demo's clock, not at the load's."""
    for request in CustomerRequest.objects.exclude(finished_at=None)[:200]:
        assert request.started_at < request.finished_at <= NOW
        changes = request.changes.values_list("changed_at", flat=True)
        assert all(request.started_at < moment <= NOW for moment in changes)
    assert not ConsultedArticle.objects.filter(consulted_at__gt=NOW).exists()
    assert not WorkOrderChange.objects.filter(changed_at__gt=NOW).exists()
    assert not WorkOrder.objects.filter(closed_at__gt=NOW).exists()
    assert not WorkOrder.objects.filter(closed_at__lt=F("created_at")).exists()
    assert not Article.objects.filter(published_at__gt=NOW - timedelta(days=DAYS)).exists()
