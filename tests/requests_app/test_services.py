import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from callcenter.concurrency import EditConflict
from requests_app.models import (
    Channel,
    Customer,
    CustomerRequest,
    RequestChange,
    RequestType,
    Status,
)
from requests_app.services import (
    customer_save,
    request_save,
    request_start,
    requests_resolve_for_work_order,
)
from tests.factories import CustomerFactory, customer_with_phone, searched_request

pytestmark = pytest.mark.django_db


def save(request, user, **values):
    return request_save(request=request, values=values, expected_version=request.version, user=user)


def test_starting_saves_the_contact_at_once_with_a_number(agent):
    before = timezone.now()
    request = request_start(agent=agent, channel=Channel.FAX)
    request.refresh_from_db()
    assert request.number == f"CR-{timezone.localtime(request.started_at).year}-{request.pk:06d}"
    assert request.started_at >= before
    assert request.channel == Channel.FAX
    assert request.status == Status.OPEN
    assert request.finished_at is None


def test_numbers_are_never_reused(agent):
    first = request_start(agent=agent)
    first.delete()
    second = request_start(agent=agent)
    assert second.number != first.number


def test_resolving_in_the_first_save_counts_as_first_contact_resolution(agent):
    request = searched_request(agent)
    saved = save(request, agent, answer_given="Tuesdays", status=Status.RESOLVED)
    assert saved.first_contact_resolution is True
    assert saved.finished_at is not None
    assert saved.handling_seconds >= 0


def test_a_request_resolved_later_is_not_first_contact_resolution(agent):
    request = searched_request(agent)
    request = save(request, agent, answer_given="Will check")
    request = save(request, agent, status=Status.RESOLVED)
    assert request.first_contact_resolution is False


def test_a_comment_closes_on_save(agent):
    request = request_start(agent=agent)
    saved = save(request, agent, request_type=RequestType.COMMENT, comment="Thanks to the crew")
    assert saved.status == Status.CLOSED


def test_a_comment_needs_its_text(agent):
    request = request_start(agent=agent)
    with pytest.raises(ValidationError) as error:
        save(request, agent, request_type=RequestType.COMMENT, comment="  ")
    assert "comment" in error.value.message_dict


def test_an_action_request_needs_a_problem_code(agent, catalogue):
    request = request_start(agent=agent)
    with pytest.raises(ValidationError) as error:
        save(request, agent, request_type=RequestType.ACTION, description="Old fridge")
    assert error.value.message_dict == {
        "problem_code": ["An action request needs a problem code."],
        "work_address": ["An action request needs the work address."],
    }
    saved = save(
        request,
        agent,
        request_type=RequestType.ACTION,
        problem_code=catalogue["appl"],
        work_address="12 Main Street",
    )
    assert saved.problem_code == catalogue["appl"]
    assert saved.work_order.problem_code == catalogue["appl"]


def test_a_follow_up_needs_a_due_date_and_someone_to_call_back(agent):
    request = request_start(agent=agent)
    with pytest.raises(ValidationError) as error:
        save(request, agent, status=Status.FOLLOW_UP)
    assert set(error.value.message_dict) == {"follow_up_due", "follow_up_assignee"}
    due = timezone.now() + timezone.timedelta(days=1)
    saved = save(
        request, agent, status=Status.FOLLOW_UP, follow_up_due=due, follow_up_assignee=agent
    )
    assert list(CustomerRequest.objects.follow_ups_of(agent)) == [saved]


def test_an_information_request_becomes_an_action_request_with_history(agent, catalogue):
    request = request_start(agent=agent)
    request = save(request, agent, answer_given="Bulky waste is collected on request")
    saved = save(
        request,
        agent,
        request_type=RequestType.ACTION,
        problem_code=catalogue["appl"],
        work_address="12 Main Street",
    )
    assert saved.pk == request.pk
    change = saved.changes.get(field="request_type")
    assert (change.old_value, change.new_value, change.changed_by) == (
        "information",
        "action",
        agent,
    )


def test_only_a_supervisor_reopens_a_closed_request_and_says_why(agent, supervisor):
    request = searched_request(agent)
    request = save(request, agent, status=Status.CLOSED, answer_given="Done")
    with pytest.raises(ValidationError) as error:
        save(request, agent, status=Status.OPEN)
    assert error.value.message_dict["status"] == ["Only a supervisor can reopen a closed request."]
    with pytest.raises(ValidationError) as error:
        save(request, supervisor, status=Status.OPEN)
    assert "reason" in error.value.message_dict
    reopened = request_save(
        request=request,
        values={"status": Status.OPEN},
        expected_version=request.version,
        user=supervisor,
        reason="Caller says the bin is still there",
    )
    assert reopened.status == Status.OPEN
    assert reopened.changes.get(field="status", new_value="open").reason.startswith("Caller says")


def test_the_second_of_two_saves_is_refused(agent, supervisor):
    request = request_start(agent=agent)
    opened_at = request.version
    request_save(
        request=request, values={"description": "first"}, expected_version=opened_at, user=agent
    )
    with pytest.raises(EditConflict) as conflict:
        request_save(
            request=request,
            values={"description": "second"},
            expected_version=opened_at,
            user=supervisor,
        )
    assert conflict.value.current.description == "first"
    request.refresh_from_db()
    assert request.description == "first"


def test_customer_phones_are_stored_in_e164_and_capped_at_three(db):
    customer = customer_save(values={"name": "Ada"}, phones=["030 1234567", "+49 30 1234567", ""])
    assert list(customer.phones.values_list("number", flat=True)) == ["+49301234567"]
    with pytest.raises(ValidationError) as error:
        customer_save(values={"name": "Bob"}, phones=["030 1", "030 2", "030 3", "030 4"])
    assert "phones" in error.value.message_dict


def test_an_invalid_customer_phone_is_refused(db):
    with pytest.raises(ValidationError):
        customer_save(values={"name": "Eve"}, phones=["not a number"])


def test_a_follow_up_due_in_the_past_is_refused(agent):
    request = request_start(agent=agent)
    an_hour_ago = timezone.now() - timezone.timedelta(hours=1)
    with pytest.raises(ValidationError) as error:
        save(
            request,
            agent,
            status=Status.FOLLOW_UP,
            follow_up_due=an_hour_ago,
            follow_up_assignee=agent,
        )
    assert error.value.message_dict == {
        "follow_up_due": ["The follow-up is due in the past: choose a later time."]
    }
    request.refresh_from_db()
    assert (request.status, request.follow_up_due) == (Status.OPEN, None)
    in_ten_minutes = timezone.now() + timezone.timedelta(minutes=10)
    saved = save(
        request,
        agent,
        status=Status.FOLLOW_UP,
        follow_up_due=in_ten_minutes,
        follow_up_assignee=agent,
    )
    assert saved.follow_up_due == in_ten_minutes


def test_an_overdue_follow_up_can_be_saved_without_moving_its_due_date(agent):
    request = request_start(agent=agent)
    due = timezone.now() + timezone.timedelta(hours=1)
    request = save(
        request, agent, status=Status.FOLLOW_UP, follow_up_due=due, follow_up_assignee=agent
    )
    # The callback becomes overdue; the agent notes the call that did not reach the caller.
    overdue = timezone.now() - timezone.timedelta(hours=2)
    CustomerRequest.objects.filter(pk=request.pk).update(follow_up_due=overdue)
    request.refresh_from_db()
    saved = save(request, agent, follow_up_due=overdue, description="No answer, try again")
    assert saved.follow_up_due == overdue
    with pytest.raises(ValidationError) as error:
        save(saved, agent, follow_up_due=overdue - timezone.timedelta(minutes=5))
    assert "follow_up_due" in error.value.message_dict


def closed_request(agent):
    request = searched_request(agent)
    return save(request, agent, status=Status.CLOSED, answer_given="Done")


def test_a_closed_request_changes_only_by_reopening_it(agent, supervisor):
    request = closed_request(agent)
    for user in (agent, supervisor):
        with pytest.raises(ValidationError) as error:
            save(request, user, description="Changed while closed")
        assert error.value.message_dict == {
            "description": ["The request is closed: reopen it first, then change this."]
        }
        with pytest.raises(ValidationError) as error:
            save(request, user, status=Status.CLOSED, answer_given="Done")
        assert error.value.message_dict == {
            "status": [
                "This request is closed. To change it, a supervisor first reopens it: "
                "status “Open”, with a reason."
            ]
        }
    # Reopening and editing in one save: the edit waits for the next save.
    with pytest.raises(ValidationError) as error:
        request_save(
            request=request,
            values={"status": Status.OPEN, "answer_given": "Something else"},
            expected_version=request.version,
            user=supervisor,
            reason="Caller called again",
        )
    assert set(error.value.message_dict) == {"answer_given"}
    request.refresh_from_db()
    assert (request.status, request.answer_given, request.version) == (Status.CLOSED, "Done", 2)

    reopened = request_save(
        request=request,
        values={"status": Status.OPEN, "answer_given": "Done"},
        expected_version=request.version,
        user=supervisor,
        reason="Caller called again",
    )
    edited = save(reopened, supervisor, answer_given="Told the new dates")
    assert (edited.status, edited.answer_given) == (Status.OPEN, "Told the new dates")


# Callers become customers ------------------------------------------------------------------------


def test_an_unknown_caller_becomes_a_customer_named_by_the_number(agent):
    request = save(request_start(agent=agent), agent, caller_phone="+4722123456")
    customer = Customer.objects.get()
    assert request.customer == customer
    assert customer.name == "+47 22 12 34 56"
    assert list(customer.phones.values_list("number", flat=True)) == ["+4722123456"]
    assert request.changes.filter(field="customer", new_value="+47 22 12 34 56").exists()


def test_an_unknown_caller_with_a_name_and_an_address_becomes_that_customer(agent):
    save(
        request_start(agent=agent),
        agent,
        caller_name="Erika Maier",
        caller_phone="+49301234567",
        caller_email="Erika@Example.org",
    )
    customer = Customer.objects.get()
    assert (customer.name, customer.email) == ("Erika Maier", "erika@example.org")
    assert customer.phones.get().number == "+49301234567"


def test_an_unknown_caller_with_an_address_alone_is_named_by_it(agent):
    save(request_start(agent=agent), agent, caller_email="erika@example.org")
    customer = Customer.objects.get()
    assert (customer.name, customer.email) == ("erika@example.org", "erika@example.org")
    assert not customer.phones.exists()


def test_a_caller_with_only_a_name_stays_without_customer(agent):
    request = save(request_start(agent=agent), agent, caller_name="Erika Maier")
    assert request.customer is None
    assert not Customer.objects.exists()


def test_a_caller_matching_one_customer_is_linked_to_them(agent):
    known = customer_with_phone("+49301234567", name="Grace Hopper", email="grace@example.org")
    by_phone = save(request_start(agent=agent), agent, caller_phone="+49301234567")
    by_email = save(request_start(agent=agent), agent, caller_email="grace@example.org")
    both = save(
        request_start(agent=agent),
        agent,
        caller_phone="+49301234567",
        caller_email="grace@example.org",
    )
    assert by_phone.customer == by_email.customer == both.customer == known
    assert Customer.objects.count() == 1


def test_the_next_call_from_the_number_finds_the_customer_made_by_the_first(agent):
    first = save(request_start(agent=agent), agent, caller_phone="+4722123456")
    second = save(request_start(agent=agent), agent, caller_phone="+4722123456")
    assert second.customer == first.customer
    assert Customer.objects.count() == 1


@pytest.mark.parametrize(
    "caller",
    [
        {"caller_phone": "+49301234567"},
        {"caller_phone": "+49301234567", "caller_email": "new@example.org"},
        {"caller_phone": "+4915123456789", "caller_email": "alan@example.org"},
    ],
)
def test_a_caller_matching_several_customers_is_not_guessed(agent, caller):
    customer_with_phone("+49301234567", name="Grace Hopper")
    customer_with_phone("+49301234567", name="Ada Lovelace")
    customer_with_phone("+4915123456789", name="Alan Turing", email="alan@example.org")
    CustomerFactory(name="Alan Turing's office", email="alan@example.org")
    request = request_start(agent=agent)
    with pytest.raises(ValidationError) as refused:
        save(request, agent, caller_name="Someone", **caller)
    errors = refused.value.error_dict
    assert set(errors) <= {"caller_phone", "caller_email"}
    assert "choose the caller" in errors.get("caller_phone", errors.get("caller_email"))[0].message
    request.refresh_from_db()
    assert (request.customer, request.caller_name, request.version) == (None, "", 1)
    assert Customer.objects.count() == 4


def test_a_chosen_customer_is_kept_whatever_number_the_caller_gives(agent):
    grace = customer_with_phone("+49301234567", name="Grace Hopper")
    customer_with_phone("+4915123456789", name="Alan Turing")
    request = save(request_start(agent=agent), agent, customer=grace, caller_phone="+4915123456789")
    assert request.customer == grace
    assert Customer.objects.count() == 2


def test_a_refused_save_makes_no_customer(agent):
    with pytest.raises(ValidationError):
        save(request_start(agent=agent), agent, caller_phone="+4722123456", request_type="action")
    assert not Customer.objects.exists()


def test_the_work_address_is_kept_folded_for_the_search(agent):
    request = save(request_start(agent=agent), agent, work_address="Hauptstr. 5")
    assert request.work_address_key == "haupt street 5"


def action_request(agent, code, **values):
    request = request_start(agent=agent)
    values = {"work_address": "12 Main St.", **values}
    return save(request, agent, request_type=RequestType.ACTION, problem_code=code, **values)


def test_a_completed_work_order_resolves_only_its_requests_still_open(agent, supervisor, catalogue):
    open_one = action_request(agent, catalogue["appl"])
    work_order = open_one.work_order
    closed = save(action_request(agent, catalogue["appl"]), agent, status=Status.CLOSED)
    elsewhere = action_request(agent, catalogue["appl"], work_address="1 Other Rd.")

    resolved = requests_resolve_for_work_order(work_order=work_order, user=supervisor)

    assert resolved == 1
    statuses = dict(CustomerRequest.objects.values_list("pk", "status"))
    assert statuses == {
        open_one.pk: Status.RESOLVED,
        closed.pk: Status.CLOSED,
        elsewhere.pk: Status.OPEN,
    }
    assert not closed.changes.filter(changed_by=supervisor).exists()
    assert list(open_one.changes.filter(changed_by=supervisor).values_list("field", flat=True)) == [
        "status"
    ]


@pytest.mark.parametrize("callers", [2, 20])
def test_resolving_a_work_orders_requests_takes_the_same_queries_for_two_or_twenty(
    agent, supervisor, catalogue, callers, django_assert_num_queries
):
    requests = [action_request(agent, catalogue["appl"]) for _caller in range(callers)]

    # A savepoint and its release, the locking read, the update, the history, the callers,
    # and the feedback settings (no request type asks here: nobody to ask).
    with django_assert_num_queries(7):
        requests_resolve_for_work_order(work_order=requests[0].work_order, user=supervisor)

    assert set(CustomerRequest.objects.values_list("status", flat=True)) == {Status.RESOLVED}
    assert RequestChange.objects.filter(changed_by=supervisor).count() == callers
