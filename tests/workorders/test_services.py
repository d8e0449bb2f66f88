from datetime import timedelta
from decimal import Decimal

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from requests_app.models import RequestType, Status
from requests_app.services import (
    WorkOrderChoice,
    request_save,
    request_start,
    requests_resolve_for_work_order,
)
from tests.factories import CustomerFactory
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.services import (
    Report,
    completion_handlers,
    when_work_order_completed,
    work_order_create_or_link,
    work_order_update,
)
from workorders.tasks import notify_caller_work_order_completed

pytestmark = pytest.mark.django_db


def report(agent, code, address="12 Main St.", choice=WorkOrderChoice(), **caller):  # noqa: B008
    """An agent saves an action request for the problem at the address."""
    request = request_start(agent=agent)
    return request_save(
        request=request,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": code,
            "work_address": address,
            **caller,
        },
        expected_version=request.version,
        user=agent,
        work_order_choice=choice,
    )


def change(work_order, user, reason="", **values):
    return work_order_update(
        work_order=work_order,
        values=values,
        expected_version=work_order.version,
        user=user,
        reason=reason,
    )


def test_a_work_order_is_made_from_the_standard_work_order(agent, catalogue):
    before = timezone.now()
    work_order = report(agent, catalogue["appl"]).work_order
    assert work_order.number == f"WO-{timezone.localtime().year}-{work_order.pk:06d}"
    assert work_order.title == "Collect household appliance"
    assert work_order.provider == catalogue["provider"]
    assert work_order.status == WorkOrderStatus.OPEN
    assert work_order.address == "12 Main St."
    # The code's permanent fix is due in 10 days.
    assert before + timedelta(days=10) <= work_order.due_at <= timezone.now() + timedelta(days=10)


def test_the_same_problem_at_the_same_place_links_to_the_open_work_order(agent, catalogue):
    first = report(agent, catalogue["appl"], "12 Main St.")
    second = report(agent, catalogue["appl"], "12 main street")
    other_place = report(agent, catalogue["appl"], "14 Main Street")
    other_problem = report(agent, catalogue["missed"], "12 Main Street")
    assert second.work_order == first.work_order
    assert other_place.work_order != first.work_order
    assert other_problem.work_order != first.work_order
    assert list(first.work_order.requests.order_by("pk")) == [first, second]


def test_points_within_50_metres_are_the_same_place(agent, catalogue):
    near = Report(catalogue["appl"], "Unter den Linden 1", Decimal("52.51700"), Decimal("13.38886"))
    first = work_order_create_or_link(report=near, user=agent)
    forty_metres = Report(
        catalogue["appl"], "Opposite the opera", Decimal("52.51705"), Decimal("13.38945")
    )
    assert work_order_create_or_link(report=forty_metres, user=agent) == first
    far = Report(catalogue["appl"], "Pariser Platz", Decimal("52.51630"), Decimal("13.37770"))
    assert work_order_create_or_link(report=far, user=agent) != first


def test_a_second_work_order_needs_a_reason(agent, catalogue):
    first = report(agent, catalogue["appl"]).work_order
    with pytest.raises(ValidationError) as error:
        report(agent, catalogue["appl"], choice=WorkOrderChoice(create_new=True))
    assert error.value.message_dict["work_order_reason"] == [
        f"{first.number} is open for this problem at this address. Say why another work order "
        "is needed, or link the request to it."
    ]
    reason = "Second appliance, other side of the building"
    second = report(
        agent, catalogue["appl"], choice=WorkOrderChoice(create_new=True, reason=reason)
    ).work_order
    assert second != first
    assert second.duplicate_reason == reason


def test_a_completed_or_cancelled_work_order_takes_no_new_request(agent, supervisor, catalogue):
    work_order = report(agent, catalogue["appl"]).work_order
    change(work_order, supervisor, status=WorkOrderStatus.COMPLETED)
    with pytest.raises(ValidationError) as error:
        report(agent, catalogue["appl"], choice=WorkOrderChoice(link_to=work_order))
    assert error.value.message_dict["work_order_choice"] == [
        f"{work_order.number} is completed: a request cannot be linked to it any more."
    ]
    # Without a choice, the same report now opens a new work order.
    assert report(agent, catalogue["appl"]).work_order != work_order


def test_a_request_links_only_to_an_open_work_order_of_its_problem_at_its_place(agent, catalogue):
    here = report(agent, catalogue["appl"], "12 Main St.").work_order
    elsewhere = report(agent, catalogue["appl"], "99 Elm Road").work_order
    other_problem = report(agent, catalogue["missed"], "12 Main St.").work_order
    for unrelated in (elsewhere, other_problem):
        with pytest.raises(ValidationError) as error:
            report(agent, catalogue["appl"], "12 main street", WorkOrderChoice(link_to=unrelated))
        assert error.value.message_dict["work_order_choice"] == [
            f"{unrelated.number} is not for this problem at this address: choose one of the "
            "work orders shown, or a new one."
        ]
    assert unrelated.requests.count() == 1
    chosen = report(agent, catalogue["appl"], "12 main street", WorkOrderChoice(link_to=here))
    assert chosen.work_order == here


def test_a_chosen_work_order_within_50_metres_is_at_the_place(agent, catalogue):
    near = Report(catalogue["appl"], "Unter den Linden 1", Decimal("52.51700"), Decimal("13.38886"))
    first = work_order_create_or_link(report=near, user=agent)
    forty_metres = Report(
        catalogue["appl"], "Opposite the opera", Decimal("52.51705"), Decimal("13.38945")
    )
    assert work_order_create_or_link(report=forty_metres, user=agent, link_to=first) == first
    far = Report(catalogue["appl"], "Pariser Platz", Decimal("52.51630"), Decimal("13.37770"))
    with pytest.raises(ValidationError) as error:
        work_order_create_or_link(report=far, user=agent, link_to=first)
    assert "work_order_choice" in error.value.message_dict


def test_a_work_order_needs_a_problem_code_and_an_address(agent, catalogue):
    with pytest.raises(ValidationError) as error:
        work_order_create_or_link(report=Report(None, "  "), user=agent)
    assert error.value.message_dict == {
        "problem_code": ["A work order needs a problem code."],
        "work_address": ["A work order needs the work address."],
    }


def test_completing_resolves_the_open_requests_and_queues_the_callers_emails(
    agent, supervisor, catalogue
):
    german = CustomerFactory(email="kunde@example.org", preferred_language="de")
    first = report(agent, catalogue["appl"], caller_email="Ada@Example.org")
    second = report(agent, catalogue["appl"], customer=german)
    third = report(agent, catalogue["appl"])  # no e-mail address
    work_order = first.work_order
    assert second.work_order == third.work_order == work_order

    work_order = change(work_order, supervisor, status=WorkOrderStatus.COMPLETED)
    assert work_order.closed_at is not None
    for request in (first, second, third):
        request.refresh_from_db()
        assert request.status == Status.RESOLVED
        assert request.changes.filter(field="status", reason__contains=work_order.number).exists()
    queued = sorted(
        (task.args_kwargs["kwargs"]["email"], task.args_kwargs["kwargs"]["language"])
        for task in DBTaskResult.objects.all()
    )
    # Ada became a customer when her request was saved, with the default language.
    assert queued == [("ada@example.org", "en"), ("kunde@example.org", "de")]
    assert not mail.outbox  # sent by the worker, not while the supervisor waits


def test_the_callers_email_is_in_their_language():
    notify_caller_work_order_completed.call(
        email="kunde@example.org",
        language="de",
        work_order_number="WO-2026-000045",
        title="Haushaltsgerät abholen",
        address="Hauptstraße 5",
    )
    message = mail.outbox[0]
    assert message.to == ["kunde@example.org"]
    assert "WO-2026-000045" in message.subject
    assert "Hauptstraße 5" in message.body
    assert "Vielen Dank" in message.body
    assert message.message()["Auto-Submitted"] == "auto-generated"
    assert message.message()["Content-Language"] == "de"


def test_the_callers_email_is_plain_text():
    notify_caller_work_order_completed.call(
        email="ada@example.org",
        language="en",
        work_order_number="WO-2026-000046",
        title='Collect "Bosch" fridge & <freezer>',
        address="O'Brien's yard",
    )
    message = mail.outbox[0]
    assert message.subject == 'Done: Collect "Bosch" fridge & <freezer> (WO-2026-000046)'
    assert "Collect \"Bosch\" fridge & <freezer>, at O'Brien's yard." in message.body
    assert "&quot;" not in message.body + message.subject
    assert "&amp;" not in message.body + message.subject


def test_cancelling_needs_a_reason_which_the_requests_show(agent, supervisor, catalogue):
    request = report(agent, catalogue["appl"])
    work_order = request.work_order
    with pytest.raises(ValidationError) as error:
        change(work_order, supervisor, status=WorkOrderStatus.CANCELLED)
    assert error.value.message_dict["reason"] == ["Say why the work order is cancelled."]
    change(work_order, supervisor, "Appliance was taken away privately", status="cancelled")
    request.refresh_from_db()
    assert request.work_order.cancel_reason == "Appliance was taken away privately"
    assert request.status == Status.OPEN


def test_status_changes_follow_the_rules_and_keep_history(agent, supervisor, catalogue):
    work_order = report(agent, catalogue["appl"]).work_order
    work_order = change(work_order, agent, status=WorkOrderStatus.IN_PROGRESS, assignee="Crew 4")
    assert {(c.field, c.new_value) for c in work_order.changes.all()} == {
        ("status", "in_progress"),
        ("assignee", "Crew 4"),
    }
    with pytest.raises(ValidationError) as error:
        change(work_order, supervisor, status=WorkOrderStatus.OPEN)
    assert error.value.message_dict["status"] == [
        "A work order cannot go from “In progress” to “Open”."
    ]


@pytest.mark.parametrize("final", [WorkOrderStatus.COMPLETED, WorkOrderStatus.CANCELLED])
@pytest.mark.parametrize(
    "values",
    [
        {"notes": "Crafted"},
        {"priority": 1},
        {"assignee": "Crew 9"},
        {"due_at": "later"},
        {"status": WorkOrderStatus.OPEN},
        {},
    ],
    ids=["notes", "priority", "assignee", "due date", "status", "nothing"],
)
def test_a_completed_or_cancelled_work_order_refuses_every_change(
    agent, supervisor, catalogue, final, values
):
    work_order = report(agent, catalogue["appl"]).work_order
    work_order = change(work_order, supervisor, "Done privately", status=final)
    if values.get("due_at") == "later":
        values = {"due_at": timezone.now() + timedelta(days=40)}
    with pytest.raises(ValidationError) as error:
        change(work_order, supervisor, **values)
    assert error.value.messages == [
        f"{work_order.number} is {final.label.lower()}: it cannot be changed any more."
    ]
    # Also when the form was opened before it was finished (an older version).
    with pytest.raises(ValidationError):
        work_order_update(
            work_order=work_order,
            values=values,
            expected_version=work_order.version - 1,
            user=supervisor,
        )
    saved = WorkOrder.objects.get(pk=work_order.pk)
    assert (saved.status, saved.version, saved.notes, saved.assignee) == (
        final,
        work_order.version,
        "",
        "",
    )
    assert saved.due_at == work_order.due_at and saved.priority == work_order.priority


def test_the_due_date_cannot_be_cleared(agent, catalogue):
    work_order = report(agent, catalogue["appl"]).work_order
    with pytest.raises(ValidationError) as error:
        change(work_order, agent, due_at=None)
    assert error.value.message_dict["due_at"] == ["A work order needs a due date."]
    assert WorkOrder.objects.get(pk=work_order.pk).due_at == work_order.due_at


def test_a_due_date_in_the_past_is_refused(agent, catalogue):
    work_order = report(agent, catalogue["appl"]).work_order
    with pytest.raises(ValidationError) as error:
        change(work_order, agent, due_at=timezone.now() - timedelta(days=1))
    assert error.value.message_dict["due_at"] == ["The due date is in the past."]
    later = timezone.now() + timedelta(days=30)
    assert change(work_order, agent, due_at=later).due_at == later


def test_only_one_open_work_order_per_problem_and_place_in_the_database(agent, catalogue):
    first = report(agent, catalogue["appl"]).work_order
    duplicate = WorkOrder(
        number="WO-test",
        problem_code=first.problem_code,
        title=first.title,
        address=first.address,
        address_key=first.address_key,
        provider=first.provider,
        created_by=agent,
    )
    with pytest.raises(Exception, match="unique|UNIQUE"):
        duplicate.save()


def test_completing_resolves_a_callback_with_the_history_of_every_field_it_clears(
    agent, supervisor, catalogue
):
    request = report(agent, catalogue["appl"])
    due = timezone.now() + timedelta(days=1)
    request = request_save(
        request=request,
        values={"status": Status.FOLLOW_UP, "follow_up_due": due, "follow_up_assignee": agent},
        expected_version=request.version,
        user=agent,
    )

    work_order = change(request.work_order, supervisor, status=WorkOrderStatus.COMPLETED)

    resolved = type(request).objects.get(pk=request.pk)
    assert (resolved.status, resolved.follow_up_due, resolved.follow_up_assignee) == (
        Status.RESOLVED,
        None,
        None,
    )
    assert resolved.version == request.version + 1
    assert resolved.updated_at > request.updated_at
    recorded = {
        (c.field, c.old_value, c.new_value, c.reason)
        for c in resolved.changes.filter(changed_by=supervisor)
    }
    assert recorded == {
        ("status", "follow_up", "resolved", f"{work_order.number} was completed."),
        ("follow_up_due", due.isoformat(), "", ""),
        ("follow_up_assignee", str(agent), "", ""),
    }


def test_requests_app_resolves_the_requests_of_a_completed_work_order():
    # The one handler, registered by requests_app's AppConfig.ready() (workorders may not
    # import requests_app).
    assert completion_handlers() == {"requests_app.resolve": requests_resolve_for_work_order}


@pytest.fixture
def failing_handler(monkeypatch):
    import workorders.services

    def refuse(*, work_order, user):
        raise ValidationError("The crew's report is missing.")

    # Registered on a copy of the registry, which the test's end puts back.
    completed = workorders.services._work_order_completed
    monkeypatch.setattr(completed, "_handlers", completed.handlers())
    when_work_order_completed("test.refuse", refuse)


def test_a_completion_handler_that_fails_undoes_the_completion(
    agent, supervisor, catalogue, failing_handler
):
    request = report(agent, catalogue["appl"])
    work_order = request.work_order

    with pytest.raises(ValidationError, match="crew's report"):
        change(work_order, supervisor, status=WorkOrderStatus.COMPLETED)

    work_order.refresh_from_db()
    request.refresh_from_db()
    assert work_order.status == WorkOrderStatus.OPEN
    assert not work_order.changes.exists()
    assert request.status == Status.OPEN
    assert not DBTaskResult.objects.exists()
