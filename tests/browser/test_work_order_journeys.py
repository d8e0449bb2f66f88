"""Two agents report one problem; the work order is done once and both callers hear of it."""

import re

import pytest
from django_tasks_db.models import DBTaskResult
from playwright.sync_api import Page, expect

from callcenter import roles
from requests_app.models import Status
from tests.browser.test_catalogue_journeys import log_in, log_out
from tests.browser.test_request_journeys import save, start_call
from tests.factories import user_with_role
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.services import work_order_update

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def report_appliance(page: Page, address: str, email: str):
    call = start_call(page)
    page.get_by_label("E-mail").fill(email)
    page.get_by_role("radio", name="Action").check()
    page.get_by_role("searchbox", name="Problem code").fill("appl")
    expect(page.get_by_role("radio", name=re.compile("APPL · Appliance pickup"))).to_be_visible()
    page.get_by_role("searchbox", name="Problem code").press("ArrowDown")
    page.get_by_label("Work address").fill(address)
    page.get_by_label("Description").fill("Old fridge at the kerb")
    return call


def test_the_same_problem_reported_twice_is_one_work_order(
    page: Page, live_server, agent, supervisor, catalogue
):
    user_with_role(roles.AGENT, username="agent2")
    log_in(page, live_server, "agent")
    first = report_appliance(page, "12 Main St.", "ada@example.org")
    expect(page.locator("#work-order-check")).to_contain_text(
        "Saving creates the work order “Collect household appliance”"
    )
    save(page)
    first.refresh_from_db()
    work_order = first.work_order
    expect(page.get_by_role("region", name="Work order")).to_contain_text(work_order.number)
    log_out(page)

    log_in(page, live_server, "agent2")
    second = report_appliance(page, "12 main street", "grace@example.org")
    check = page.locator("#work-order-check")
    expect(check).to_contain_text("Already reported")
    expect(
        check.get_by_role("radio", name=re.compile(f"Link to {work_order.number}"))
    ).to_be_checked()
    save(page)
    second.refresh_from_db()
    assert second.work_order == work_order
    # The form's link (the timeline below names the work order too).
    page.locator("#request-form").get_by_role("link", name=work_order.number).click()

    expect(page.get_by_role("region", name="Linked requests")).to_contain_text(second.number)
    page.get_by_label("Status", exact=True).select_option(label="Completed")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_contain_text("was saved")
    assert WorkOrder.objects.get().status == WorkOrderStatus.COMPLETED
    for request in (first, second):
        request.refresh_from_db()
        assert request.status == Status.RESOLVED
    e_mails = DBTaskResult.objects.filter(task_path__endswith="notify_caller_work_order_completed")
    queued = {task.args_kwargs["kwargs"]["email"] for task in e_mails}
    assert queued == {"ada@example.org", "grace@example.org"}


def test_a_work_order_completed_while_the_agent_types_is_not_linked(
    page: Page, live_server, agent, supervisor, catalogue
):
    log_in(page, live_server, "agent")
    first = report_appliance(page, "12 Main St.", "ada@example.org")
    save(page)
    first.refresh_from_db()
    work_order = first.work_order

    second = report_appliance(page, "12 main street", "grace@example.org")
    check = page.locator("#work-order-check")
    expect(
        check.get_by_role("radio", name=re.compile(f"Link to {work_order.number}"))
    ).to_be_checked()
    # The crew reports the work done before the agent saves.
    work_order_update(
        work_order=work_order,
        values={"status": WorkOrderStatus.COMPLETED},
        expected_version=work_order.version,
        user=supervisor,
    )
    page.get_by_role("button", name="Save", exact=True).click()
    expect(check).to_contain_text(
        f"{work_order.number} is completed: a request cannot be linked to it any more."
    )
    expect(page.get_by_label("Description")).to_have_value("Old fridge at the kerb")
    second.refresh_from_db()
    assert second.work_order is None

    # Saved again, the report opens a new work order.
    expect(check).to_contain_text("Saving creates the work order")
    save(page)
    second.refresh_from_db()
    assert second.work_order != work_order and second.work_order.is_active
