"""Two agents save calls from the same new number at the same moment: the database, not luck,
leaves one customer with both requests (PostgreSQL, two real connections)."""

import threading

import pytest
from django.db import connection, connections, transaction

from requests_app.models import Customer
from requests_app.services import request_save, request_start

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races two PostgreSQL sessions"),
]


def test_two_simultaneous_calls_from_a_new_number_make_one_customer(agent, supervisor):
    requests = [request_start(agent=agent), request_start(agent=supervisor)]
    first_saved = threading.Event()
    first_may_commit = threading.Event()
    finished = []

    def save(request, user, hold_open):
        try:
            with transaction.atomic():
                request_save(
                    request=request,
                    values={"caller_phone": "+4722123456", "caller_name": user.username},
                    expected_version=request.version,
                    user=user,
                )
                if hold_open:
                    # Saved with a new customer, not committed: the second agent saves now.
                    first_saved.set()
                    first_may_commit.wait(timeout=10)
            finished.append(user.username)
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=(requests[0], agent, True))
    second = threading.Thread(target=save, args=(requests[1], supervisor, False))
    first.start()
    assert first_saved.wait(timeout=10)
    second.start()
    second.join(timeout=1)
    # The second save waits for the first transaction instead of making its own customer.
    assert second.is_alive()
    first_may_commit.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert finished == [agent.username, supervisor.username]
    customer = Customer.objects.get()
    assert customer.name == agent.username
    assert sorted(customer.requests.values_list("pk", flat=True)) == sorted(
        request.pk for request in requests
    )
