"""Two agents report the same problem at the same place at the same moment: the database, not
luck, leaves one work order with both requests linked (PostgreSQL, two real connections)."""

import threading

import pytest
from django.db import connection, connections, transaction

from requests_app.models import RequestType
from requests_app.services import request_save, request_start
from workorders.models import WorkOrder

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="races two PostgreSQL sessions"),
]


def test_two_simultaneous_reports_make_one_work_order(agent, catalogue):
    requests = [request_start(agent=agent), request_start(agent=agent)]
    first_saved = threading.Event()
    first_may_commit = threading.Event()
    finished = []

    def save(request, address, hold_open):
        try:
            with transaction.atomic():
                request_save(
                    request=request,
                    values={
                        "request_type": RequestType.ACTION,
                        "problem_code": catalogue["appl"],
                        "work_address": address,
                    },
                    expected_version=request.version,
                    user=agent,
                )
                if hold_open:
                    # Saved, not committed: the second agent saves now.
                    first_saved.set()
                    first_may_commit.wait(timeout=10)
            finished.append(address)
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=(requests[0], "12 Main St.", True))
    second = threading.Thread(target=save, args=(requests[1], "12 main street", False))
    first.start()
    assert first_saved.wait(timeout=10)
    second.start()
    second.join(timeout=1)
    # The second save waits for the first transaction instead of creating its own work order.
    assert second.is_alive()
    first_may_commit.set()
    first.join(timeout=10)
    second.join(timeout=10)

    assert finished == ["12 Main St.", "12 main street"]
    work_order = WorkOrder.objects.get()
    assert sorted(work_order.requests.values_list("pk", flat=True)) == sorted(
        request.pk for request in requests
    )
