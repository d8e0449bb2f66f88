"""The calls' pages pass axe-core's checks without a serious or critical violation, for each role
that uses them, with the availability menu open too."""

import pytest
from django.urls import reverse
from playwright.sync_api import Browser

from calls.models import PauseReason, QueueMember
from calls.services import call_event_record, callback_create
from tests.browser.test_accessibility import serious_violations, signed_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_calls_pages_have_no_serious_accessibility_violation(
    browser: Browser, live_server, agent, supervisor, administrator, city_line, phone_clock
):
    PauseReason.objects.create(name="Break")
    QueueMember.objects.create(queue=city_line, user=agent)
    for event, seconds in [("answered", 0), ("hangup", 60)]:
        call_event_record(
            call_id="a11y",
            event=event,
            at=phone_clock.tick(seconds),
            from_number="+4930123456",
            to_number="311",
            username="agent",
            queue_name="City line",
        )
    callback_create(queue=city_line, number="+4940999999")
    pages = {
        "agent": [reverse("calls:call_list"), reverse("calls:callback_list")],
        "supervisor": [
            reverse("calls:call_list"),
            reverse("calls:queue_list"),
            reverse("calls:queue_detail", args=[city_line.pk]),
        ],
        "admin": [
            reverse("calls:queue_detail", args=[city_line.pk]),
            reverse("calls:queue_new"),
            reverse("calls:pause_reason_list"),
            reverse("calls:trunk_list"),
            reverse("calls:trunk_new"),
        ],
    }
    found = {}
    for username, paths in pages.items():
        tab = signed_in(browser, live_server, username)
        for path in paths:
            assert tab.goto(f"{live_server.url}{path}").status == 200, path
            violations = serious_violations(tab)
            if violations:
                found[f"{username} {path}"] = violations
        if username == "agent":
            tab.locator(".account-menu summary").click()
            violations = serious_violations(tab)
            if violations:
                found["agent, account menu open"] = violations
        tab.context.close()
    assert not found, "\n".join(
        f"{page}: {line}" for page, lines in found.items() for line in lines
    )
