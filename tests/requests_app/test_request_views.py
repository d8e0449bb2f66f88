import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from callcenter import roles
from reports import figures
from reports.periods import Period
from requests_app.models import Customer, CustomerRequest, RequestType, Status
from requests_app.services import request_discard, request_save, request_start
from tests.factories import customer_with_phone, searched_request, user_with_role
from workorders.models import WorkOrderStatus
from workorders.services import work_order_update

pytestmark = pytest.mark.django_db


def form_data(customer_request, **overrides) -> dict:
    data = {
        "version": customer_request.version,
        "request_type": RequestType.INFORMATION,
        "channel": "phone",
        "customer": "",
        "caller_phone": "",
        "caller_email": "",
        "caller_name": "",
        "problem_code": "",
        "work_address": "",
        "description": "",
        "comment": "",
        "answer_given": "",
        "status": Status.OPEN,
        "follow_up_due": "",
        "follow_up_assignee": "",
        "reason": "",
    }
    return {**data, **overrides}


def edit_url(customer_request) -> str:
    return reverse("requests_app:request_edit", args=[customer_request.pk])


def test_new_request_saves_the_contact_before_any_detail(client, agent):
    client.force_login(agent)
    response = client.post(reverse("requests_app:request_new"), {"channel": "email"})
    customer_request = CustomerRequest.objects.get()
    assert response.status_code == 302
    assert response.url == edit_url(customer_request)
    assert customer_request.channel == "email"
    assert customer_request.agent == agent
    assert customer_request.number.startswith("CR-")


def test_new_request_needs_a_post(client, agent):
    client.force_login(agent)
    assert client.get(reverse("requests_app:request_new")).status_code == 405
    assert not CustomerRequest.objects.exists()


def test_the_form_shows_the_labels_agents_know(client, agent):
    client.force_login(agent)
    page = client.get(edit_url(request_start(agent=agent))).content.decode()
    for label in [
        "Request type",
        "Channel",
        "Phone",
        "E-mail",
        "Name",
        "Problem code",
        "Work address",
        "Description",
        "Comment",
        "Answer given",
        "Status",
        "Follow-up due",
    ]:
        assert f">{label}" in page, label
    assert ">Save</button>" in page


def test_an_information_request_is_saved_with_a_normalised_phone(client, agent):
    customer_request = searched_request(agent)
    client.force_login(agent)
    response = client.post(
        edit_url(customer_request),
        form_data(
            customer_request,
            caller_phone="+49 (30) 123-4567",
            caller_name="Ada",
            answer_given="Bulky waste is collected on Tuesdays.",
            status=Status.RESOLVED,
        ),
    )
    assert response.status_code == 302
    customer_request.refresh_from_db()
    assert customer_request.caller_phone == "+49301234567"
    assert customer_request.status == Status.RESOLVED
    assert customer_request.first_contact_resolution
    # Shown again as people read it.
    assert 'value="030 1234567"' in client.get(edit_url(customer_request)).content.decode()


def test_an_invalid_phone_is_named_and_nothing_is_lost(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.post(
        edit_url(customer_request),
        form_data(customer_request, caller_phone="12", answer_given="Typed a long answer"),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["caller_phone"] == ["“12” is not a valid phone number."]
    assert "Typed a long answer" in response.content.decode()
    customer_request.refresh_from_db()
    assert customer_request.answer_given == ""


def test_hidden_sections_keep_what_was_typed(client, agent, catalogue):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        form_data(
            customer_request,
            request_type=RequestType.INFORMATION,
            answer_given="Told the caller the dates",
            description="Typed before switching back to information",
        ),
    )
    customer_request.refresh_from_db()
    assert customer_request.description == "Typed before switching back to information"
    page = client.get(edit_url(customer_request)).content.decode()
    assert 'data-switch="request_type" data-values="action" hidden' in page
    assert "Typed before switching back to information" in page


def test_an_action_request_without_code_names_the_field(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.post(
        edit_url(customer_request), form_data(customer_request, request_type=RequestType.ACTION)
    )
    assert response.context["form"].errors["problem_code"] == [
        "An action request needs a problem code."
    ]


def test_an_action_request_with_a_picked_code(client, agent, catalogue):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        form_data(
            customer_request,
            request_type=RequestType.ACTION,
            problem_code=catalogue["appl"].pk,
            work_address="12 Main Street",
            description="Old fridge",
        ),
    )
    customer_request.refresh_from_db()
    assert customer_request.problem_code == catalogue["appl"]
    assert customer_request.work_address == "12 Main Street"


def test_a_follow_up_lands_in_my_follow_ups_overdue_first(client, agent):
    client.force_login(agent)
    later, overdue = request_start(agent=agent), request_start(agent=agent)
    for customer_request, hours in [(later, 48), (overdue, 1)]:
        due = timezone.localtime() + timezone.timedelta(hours=hours)
        response = client.post(
            edit_url(customer_request),
            form_data(
                customer_request,
                status=Status.FOLLOW_UP,
                follow_up_due=due.strftime("%Y-%m-%dT%H:%M"),
                follow_up_assignee=agent.pk,
            ),
        )
        assert response.status_code == 302
    # A day passes: the first callback is overdue.
    CustomerRequest.objects.filter(pk=overdue.pk).update(
        follow_up_due=timezone.now() - timezone.timedelta(days=1)
    )
    response = client.get(reverse("requests_app:my_follow_ups"))
    assert list(response.context["page"].object_list) == [overdue, later]
    assert "overdue" in response.content.decode()


def test_saving_an_unknown_caller_makes_them_a_customer(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        form_data(
            customer_request,
            caller_phone="030 1234567",
            caller_name="Ada Lovelace",
            caller_email="Ada@Example.org",
        ),
    )
    customer = Customer.objects.get()
    assert customer.name == "Ada Lovelace"
    assert customer.email == "ada@example.org"
    assert list(customer.phones.values_list("number", flat=True)) == ["+49301234567"]
    customer_request.refresh_from_db()
    assert customer_request.customer == customer


def test_a_failed_save_creates_no_customer(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        form_data(customer_request, caller_phone="030 1234567", request_type=RequestType.ACTION),
    )
    assert not Customer.objects.exists()


def test_picking_a_known_caller_links_them(client, agent):
    customer = customer_with_phone("+49301234567", name="Grace Hopper")
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        {**form_data(customer_request, caller_phone="030 1234567"), "pick_customer": customer.pk},
    )
    customer_request.refresh_from_db()
    assert customer_request.customer == customer
    assert customer_request.caller_name == "Grace Hopper"
    assert customer_request.caller_phone == "+49301234567"


def test_two_agents_saving_the_same_request(client, agent, supervisor):
    customer_request = request_start(agent=agent)
    opened = form_data(customer_request)
    client.force_login(agent)
    client.post(edit_url(customer_request), {**opened, "description": "First agent's words"})
    client.force_login(supervisor)
    response = client.post(edit_url(customer_request), {**opened, "description": "Second"})
    assert response.status_code == 200
    assert "Someone else saved this request" in response.content.decode()
    assert response.context["differences"][0]["theirs"] == "First agent's words"
    customer_request.refresh_from_db()
    assert customer_request.description == "First agent's words"


def test_the_history_shows_the_type_change(client, agent, catalogue):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    client.post(edit_url(customer_request), form_data(customer_request, answer_given="Info"))
    customer_request.refresh_from_db()
    client.post(
        edit_url(customer_request),
        form_data(
            customer_request,
            answer_given="Info",
            request_type=RequestType.ACTION,
            problem_code=catalogue["appl"].pk,
            work_address="12 Main Street",
        ),
    )
    page = client.get(edit_url(customer_request)).content.decode()
    assert re.search(r"<dt>Request type</dt>\s*<dd>Information → Action", page)


def test_the_form_over_htmx_answers_the_form_alone(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.get(edit_url(customer_request), headers={"HX-Request": "true"})
    assert b"<html" not in response.content
    assert b'id="request-form"' in response.content


def test_managers_and_outsiders_cannot_take_requests(client, manager, outsider, agent):
    customer_request = request_start(agent=agent)
    for user in (manager, outsider):
        client.force_login(user)
        assert client.get(edit_url(customer_request)).status_code == 403
        assert client.post(reverse("requests_app:request_new")).status_code == 403
    assert CustomerRequest.objects.count() == 1


def test_anonymous_users_are_sent_to_log_in(client):
    response = client.post(reverse("requests_app:request_new"))
    assert response.status_code == 302
    assert not CustomerRequest.objects.exists()


def test_a_supervisor_reopens_a_closed_request_with_a_reason(client, agent, supervisor):
    customer_request = searched_request(agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        form_data(customer_request, status=Status.CLOSED, answer_given="Done"),
    )
    customer_request.refresh_from_db()
    refused = client.post(
        edit_url(customer_request),
        form_data(customer_request, status=Status.OPEN, answer_given="Done"),
    )
    # The agent's status field is disabled: the posted "open" is ignored.
    assert refused.context["form"].errors["status"] == [
        "This request is closed. To change it, a supervisor first reopens it: status “Open”, "
        "with a reason."
    ]
    customer_request.refresh_from_db()
    assert customer_request.status == Status.CLOSED
    client.force_login(supervisor)
    page = client.get(edit_url(customer_request)).content.decode()
    assert "Reason for reopening" in page
    without_reason = client.post(
        edit_url(customer_request),
        form_data(customer_request, status=Status.OPEN, answer_given="Done"),
    )
    assert "reason" in without_reason.context["form"].errors
    client.post(
        edit_url(customer_request),
        form_data(
            customer_request, status=Status.OPEN, answer_given="Done", reason="Bin still there"
        ),
    )
    customer_request.refresh_from_db()
    assert customer_request.status == Status.OPEN


def closed_request(client, agent):
    customer_request = searched_request(agent)
    client.force_login(agent)
    client.post(
        edit_url(customer_request),
        form_data(customer_request, status=Status.CLOSED, answer_given="Done", caller_name="Ada"),
    )
    customer_request.refresh_from_db()
    assert customer_request.status == Status.CLOSED
    return customer_request


def disabled(page: str, name: str) -> bool:
    """Whether the form's control of that name is disabled (the browser will not post it)."""
    return bool(re.search(rf'<(input|textarea|select)\b[^>]*name="{name}"[^>]*\bdisabled\b', page))


def test_a_closed_request_shows_its_fields_read_only(client, agent, supervisor):
    customer_request = closed_request(client, agent)
    page = client.get(edit_url(customer_request)).content.decode()
    for name in ["caller_name", "caller_phone", "request_type", "answer_given", "status"]:
        assert disabled(page, name), name
    assert "Only a supervisor can reopen it" in page
    assert ">Save</button>" not in page and "Save as new contact" not in page

    client.force_login(supervisor)
    page = client.get(edit_url(customer_request)).content.decode()
    assert disabled(page, "answer_given") and disabled(page, "caller_name")
    assert not disabled(page, "status") and not disabled(page, "reason")
    assert ">Save</button>" in page


def test_a_crafted_post_does_not_change_a_closed_request(client, agent):
    customer_request = closed_request(client, agent)
    response = client.post(
        edit_url(customer_request),
        form_data(
            customer_request, status=Status.CLOSED, answer_given="Crafted", caller_name="Eve"
        ),
    )
    assert response.status_code == 200
    assert "status" in response.context["form"].errors
    customer_request.refresh_from_db()
    assert (customer_request.answer_given, customer_request.caller_name) == ("Done", "Ada")
    assert customer_request.version == 2


def test_a_supervisor_reopens_with_a_reason_then_edits(client, agent, supervisor):
    customer_request = closed_request(client, agent)
    client.force_login(supervisor)
    # Posted along with the reopening, the disabled fields are ignored.
    response = client.post(
        edit_url(customer_request),
        form_data(
            customer_request,
            status=Status.OPEN,
            reason="Caller says the bin is still there",
            answer_given="Crafted",
        ),
    )
    assert response.status_code == 302
    customer_request.refresh_from_db()
    assert (customer_request.status, customer_request.answer_given) == (Status.OPEN, "Done")
    page = client.get(edit_url(customer_request)).content.decode()
    assert not disabled(page, "answer_given") and not disabled(page, "caller_name")
    client.post(
        edit_url(customer_request),
        form_data(customer_request, answer_given="Sent the crew again", caller_name="Ada"),
    )
    customer_request.refresh_from_db()
    assert customer_request.answer_given == "Sent the crew again"


def action_data(customer_request, catalogue, **overrides) -> dict:
    return form_data(
        customer_request,
        request_type=RequestType.ACTION,
        problem_code=catalogue["appl"].pk,
        work_address="12 Main Street",
        **overrides,
    )


@pytest.mark.parametrize("choice", ["²", "1²", "99999999999999999999", "-1", "1 ", "new2"])
def test_a_work_order_choice_that_is_no_number_is_a_field_error(client, agent, catalogue, choice):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.post(
        edit_url(customer_request),
        action_data(customer_request, catalogue, work_order_choice=choice),
    )
    assert response.status_code == 200
    assert response.context["form"].errors["work_order_choice"] == [
        "Choose one of the work orders shown, or a new one."
    ]
    customer_request.refresh_from_db()
    assert customer_request.work_order is None and customer_request.version == 1


def test_a_request_cannot_be_linked_to_an_unrelated_work_order(client, agent, catalogue):
    elsewhere = request_start(agent=agent)
    client.force_login(agent)
    client.post(
        edit_url(elsewhere),
        form_data(
            elsewhere,
            request_type=RequestType.ACTION,
            problem_code=catalogue["missed"].pk,
            work_address="3 Station Road",
        ),
    )
    unrelated = CustomerRequest.objects.get(pk=elsewhere.pk).work_order
    customer_request = request_start(agent=agent)
    response = client.post(
        edit_url(customer_request),
        action_data(customer_request, catalogue, work_order_choice=str(unrelated.pk)),
    )
    assert response.context["form"].errors["work_order_choice"] == [
        f"{unrelated.number} is not for this problem at this address: choose one of the work "
        "orders shown, or a new one."
    ]
    customer_request.refresh_from_db()
    assert customer_request.work_order is None
    assert list(unrelated.requests.all()) == [elsewhere]


def test_a_work_order_completed_before_the_save_is_a_field_error(
    client, agent, supervisor, catalogue
):
    first = request_start(agent=agent)
    client.force_login(agent)
    client.post(edit_url(first), action_data(first, catalogue))
    work_order = CustomerRequest.objects.get(pk=first.pk).work_order
    customer_request = request_start(agent=agent)
    # The agent's form offered the open work order; a supervisor completes it meanwhile.
    work_order_update(
        work_order=work_order,
        values={"status": WorkOrderStatus.COMPLETED},
        expected_version=work_order.version,
        user=supervisor,
    )
    response = client.post(
        edit_url(customer_request),
        action_data(
            customer_request, catalogue, description="Fridge", work_order_choice=str(work_order.pk)
        ),
    )
    assert response.context["form"].errors["work_order_choice"] == [
        f"{work_order.number} is completed: a request cannot be linked to it any more."
    ]
    assert "Fridge" in response.content.decode()
    customer_request.refresh_from_db()
    assert customer_request.work_order is None and customer_request.description == ""


# Discarding a blank request -----------------------------------------------------------------------


def discard_url(customer_request) -> str:
    return reverse("requests_app:request_discard", args=[customer_request.pk])


def test_a_blank_request_is_discarded_counted_and_no_longer_listed(client, agent):
    kept = request_start(agent=agent)
    blank = request_start(agent=agent)
    client.force_login(agent)
    response = client.post(discard_url(blank), form_data(blank))
    assert response.status_code == 302
    assert response.url == reverse("dashboard")
    blank.refresh_from_db()
    assert blank.status == Status.CLOSED and blank.discarded_at is not None
    assert blank.finished_at is None  # no handling time to add to the averages
    assert blank.changes.get(field="status").reason == "Discarded: nothing was typed."
    assert blank.changes.filter(field="discarded_at").exists()
    home = client.get(reverse("dashboard"))
    assert "was discarded" in home.content.decode()
    # Not among the agent's open requests, nor in the list's default view...
    assert list(home.context["desk"]["open"]) == [kept]
    assert home.context["desk"]["open_count"] == 1
    listed = client.get(reverse("requests_app:request_list"))
    assert list(listed.context["page"].object_list) == [kept]
    listed = client.get(reverse("requests_app:request_list"), {"status": "closed"})
    assert list(listed.context["page"].object_list) == []
    # ...but shown when asked for, and still a contact for the reports.
    listed = client.get(reverse("requests_app:request_list"), {"discarded": "on"})
    assert list(listed.context["page"].object_list) == [blank]
    today = timezone.localdate()
    assert figures.requests_in(Period(today, today)).count() == 2


def test_a_request_with_something_in_the_form_is_not_discarded(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.post(
        discard_url(customer_request), form_data(customer_request, caller_phone="030 1234567")
    )
    assert response.status_code == 200
    assert "Only a request with nothing typed can be discarded" in response.content.decode()
    assert 'value="030 1234567"' in response.content.decode()  # kept, not saved
    customer_request.refresh_from_db()
    assert customer_request.discarded_at is None and customer_request.status == Status.OPEN
    assert customer_request.caller_phone == ""


def test_a_saved_request_is_not_discarded(client, agent):
    customer_request = searched_request(agent)
    client.force_login(agent)
    client.post(edit_url(customer_request), form_data(customer_request, answer_given="Told"))
    customer_request.refresh_from_db()
    response = client.post(
        discard_url(customer_request), form_data(customer_request, answer_given="")
    )
    assert response.status_code == 200
    customer_request.refresh_from_db()
    assert customer_request.discarded_at is None and customer_request.answer_given == "Told"


def test_only_the_agent_who_took_it_or_a_supervisor_discards_a_request(
    client, agent, supervisor, manager
):
    colleague = user_with_role(roles.AGENT, username="colleague")
    theirs, other = request_start(agent=colleague), request_start(agent=colleague)
    client.force_login(agent)
    assert client.post(discard_url(theirs), form_data(theirs)).status_code == 404
    assert client.get(discard_url(theirs)).status_code == 405
    client.force_login(manager)
    assert client.post(discard_url(theirs), form_data(theirs)).status_code in (403, 404)
    theirs.refresh_from_db()
    assert theirs.discarded_at is None
    client.force_login(supervisor)
    assert client.post(discard_url(other), form_data(other)).status_code == 302
    other.refresh_from_db()
    assert other.discarded_at is not None


def test_a_discarded_request_is_not_reopened(client, agent, supervisor):
    customer_request = request_start(agent=agent)
    discarded = request_discard(request=customer_request, user=agent)
    client.force_login(supervisor)
    response = client.post(
        edit_url(discarded),
        form_data(discarded, status=Status.OPEN, reason="Pressed by mistake"),
    )
    assert response.status_code == 200
    discarded.refresh_from_db()
    assert discarded.status == Status.CLOSED
    with pytest.raises(ValidationError):
        request_save(
            request=discarded,
            values={"status": Status.OPEN},
            expected_version=discarded.version,
            user=supervisor,
            reason="Pressed by mistake",
        )


def test_the_discard_button_is_offered_for_a_blank_request_only(client, agent):
    client.force_login(agent)
    blank = request_start(agent=agent)
    assert ">Discard</button>" in client.get(edit_url(blank)).content.decode()
    saved = searched_request(agent)
    client.post(edit_url(saved), form_data(saved, answer_given="Told"))
    assert ">Discard</button>" not in client.get(edit_url(saved)).content.decode()


# The desk at the speed of a call ------------------------------------------------------------------


def test_the_saved_message_says_the_number_the_work_order_and_the_promise(client, agent, catalogue):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    response = client.post(edit_url(customer_request), action_data(customer_request, catalogue))
    work_order = CustomerRequest.objects.get(pk=customer_request.pk).work_order
    due = date_format(timezone.localtime(work_order.due_at), "DATE_FORMAT")
    page = client.get(response.url).content.decode()
    assert (
        f"Request {customer_request.number} was saved · work order {work_order.number} · "
        f"tell the caller: done by {due}."
    ) in page
    # An information request has neither.
    other = searched_request(agent)
    response = client.post(edit_url(other), form_data(other, answer_given="Told"))
    assert f"Request {other.number} was saved.</li>" in client.get(response.url).content.decode()


def test_the_shortcuts_are_the_scripts_not_accesskeys(client, agent):
    client.force_login(agent)
    page = client.get(edit_url(request_start(agent=agent))).content.decode()
    assert "accesskey" not in page
    assert 'aria-keyshortcuts="Alt+N" title="New request (Alt+N)"' in page
    assert 'aria-keyshortcuts="Control+Enter" title="Save (Ctrl+Enter)"' in page
    for key in ("Alt+I", "Alt+A", "Alt+C", "Alt+K", "Alt+P"):
        assert f'aria-keyshortcuts="{key}"' in page, key
    assert 'popovertarget="shortcuts-panel"' in page
    assert 'id="shortcuts-panel"' in page and "Keyboard shortcuts" in page


def test_a_new_request_opens_in_phone_and_a_saved_one_does_not(client, agent):
    client.force_login(agent)
    response = client.post(reverse("requests_app:request_new"), {"channel": "phone"})
    page = client.get(response.url).content.decode()
    assert re.search(r'id="id_caller_phone"[^>]*aria-keyshortcuts="Alt\+P" autofocus', page)
    customer_request = CustomerRequest.objects.get()
    request_searched = searched_request(agent)
    client.post(edit_url(request_searched), form_data(request_searched, answer_given="Told"))
    assert "autofocus" not in client.get(edit_url(request_searched)).content.decode()
    # A refused save shows what was typed, with the error summary to focus, not "Phone".
    response = client.post(
        edit_url(customer_request), form_data(customer_request, request_type=RequestType.ACTION)
    )
    page = response.content.decode()
    assert "data-error-summary" in page and "autofocus" not in page
    assert "data-unsaved" in page  # leaving it asks first


def test_the_call_timer_counts_from_the_start_and_stops_at_the_finish(client, agent):
    customer_request = request_start(agent=agent)
    CustomerRequest.objects.filter(pk=customer_request.pk).update(
        started_at=timezone.now() - timezone.timedelta(minutes=3, seconds=7)
    )
    client.force_login(agent)
    page = client.get(edit_url(customer_request)).content.decode()
    timer = re.search(r'<span role="timer"[^>]*>([^<]*)</span>', page)
    assert 'data-elapsed="187"' in timer[0] or 'data-elapsed="188"' in timer[0]
    assert timer[1] in ("03:07", "03:08") and "data-finished" not in timer[0]
    customer_request.refresh_from_db()
    client.post(edit_url(customer_request), form_data(customer_request, caller_name="Ada"))
    page = client.get(edit_url(customer_request)).content.decode()
    assert "data-finished" in re.search(r'<span role="timer"[^>]*>', page)[0]


def test_the_page_follows_the_call_and_the_promise_stands_by_the_code(client, agent, catalogue):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = client.get(edit_url(customer_request)).content.decode()
    order = [
        'id="id_caller_phone"',
        'name="request_type"',
        'id="id_problem_code"',
        'id="work-order-check"',
        'id="id_work_address"',
        'id="id_description"',
        'id="id_status"',
        "data-shortcut-save",
        'id="id_kb_q"',  # the knowledge base after Save: Alt+K reaches it
        'id="code-articles"',
    ]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    # The outlook for the code picked says what to tell the caller.
    url = reverse("requests_app:request_work_order_check", args=[customer_request.pk])
    fragment = client.get(
        url,
        {"problem_code": catalogue["appl"].pk, "work_address": "12 Main Street"},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert '<strong class="promise">Tell the caller: done by' in fragment
    assert "<html" not in fragment


def test_the_follow_up_fields_show_for_a_follow_up_only(client, agent):
    customer_request = request_start(agent=agent)
    client.force_login(agent)
    page = client.get(edit_url(customer_request)).content.decode()
    assert '<div data-switch="status" data-values="follow_up" hidden>' in page
