"""One timeline of a request (and of all a customer's requests): the calls, e-mails, web reports,
history and work orders' steps, newest first, each with its channel; every source made through
its app's services, as the conversation happens."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from calls.models import Queue
from mail.models import Mail
from mail.services import mail_receive, mail_reply_send, mailbox_save
from open311.services import PostedReport, service_attribute_save
from requests_app.models import CustomerRequest, Status
from requests_app.services import request_save, request_start_for_customer
from requests_app.timeline import sources
from residents.services import public_report_create
from tests.calls.test_call_pages import answered
from tests.factories import CustomerFactory
from tests.mail.helpers import message
from workorders.models import WorkOrderStatus
from workorders.services import work_order_update

pytestmark = pytest.mark.django_db

ENTRY = re.compile(r'<li class="timeline-entry timeline-(\w+)">\s*<article id="([\w-]+)"')


def entries(page: str) -> list[tuple[str, str]]:
    """(anchor, channel) of each entry, in the page's order."""
    return [(anchor, channel) for channel, anchor in ENTRY.findall(page)]


def entry_of(page: str, anchor: str) -> str:
    start = page.index(f'id="{anchor}"')
    return page[start : page.index("</article>", start)]


@pytest.fixture
def city_line(db):
    return Queue.objects.create(name="City line", number="311", ring_seconds=20)


@pytest.fixture
def mailbox(db, settings, tmp_path):
    settings.MAIL_ATTACHMENTS_DIR = tmp_path / "mail"
    return mailbox_save(
        values={"address": "service@city.example", "name": "City service desk", "language": "en"}
    )


def web_report(catalogue, *, email="ada@example.org", address="12 Main Street"):
    """A resident's report from the web form, with an answer to the service's question."""
    code = catalogue["appl"]
    question = service_attribute_save(
        problem_code=code,
        code="KIND",
        datatype="singlevaluelist",
        description="Which appliance?",
        required=False,
        order=1,
        values=[{"key": "fridge", "name": "Fridge"}, {"key": "oven", "name": "Oven"}],
    )
    return public_report_create(
        report=PostedReport(
            problem_code=code,
            description="Old fridge at the kerb",
            address_string=address,
            email=email,
            first_name="Ada",
            last_name="Lovelace",
            answers=[(question, "fridge")],
        ),
        client_address="192.0.2.7",
        language="en",
    )


def written_about(mailbox, request: CustomerRequest, text="Is anyone coming?"):
    """The resident writes about their request: their e-mail joins it by its number."""
    return mail_receive(
        mailbox=mailbox,
        raw=bytes(
            message(
                sender="Ada Lovelace <ada@example.org>",
                subject=f"Re: [{request.number}] fridge",
                text=text,
            )
        ),
    )


def test_a_request_shows_its_whole_conversation_newest_first_with_channels(
    client, agent, supervisor, catalogue, city_line, mailbox
):
    request = web_report(catalogue).request
    call = answered("c1", agent, timezone.now(), number="+4930123456")
    call.requests.add(request)  # as calls' own tests link a call (call_request_start makes one)
    incoming = written_about(mailbox, request)
    outgoing = answer(request, agent)
    request.refresh_from_db()
    resolved = request_save(
        request=request,
        values={"status": Status.RESOLVED},
        expected_version=request.version,
        user=agent,
        reason="Collection booked for Friday",
    )
    work_order = resolved.work_order
    work_order_update(
        work_order=work_order,
        values={"status": WorkOrderStatus.ASSIGNED, "assignee": "Crew 7"},
        expected_version=work_order.version,
        user=supervisor,
    )

    client.force_login(agent)
    page = client.get(request.get_absolute_url()).content.decode()
    shown = entries(page)
    anchors = [anchor for anchor, _channel in shown]
    channels = dict(shown)
    web = f"web-report-{request.web_report.pk}"
    expected = [
        next(a for a in anchors if a.startswith("work-order-change-")),
        next(
            a for a in anchors if a.startswith("change-") and "Status changed" in entry_of(page, a)
        ),
        f"mail-{outgoing.pk}",
        f"mail-{incoming.pk}",
        f"call-{call.pk}",
        web,
    ]
    assert [anchor for anchor in anchors if anchor in expected] == expected  # newest first
    assert f"work-order-{work_order.pk}" in anchors and f"started-{request.pk}" in anchors
    assert channels[f"call-{call.pk}"] == "phone"
    assert channels[f"mail-{incoming.pk}"] == channels[f"mail-{outgoing.pk}"] == "email"
    assert channels[web] == "web" and channels[f"started-{request.pk}"] == "web"
    assert channels[expected[0]] == channels[expected[1]] == "internal"
    assert page.count('id="timeline-heading"') == 1  # one timeline, no separate sections

    status = entry_of(page, expected[1])
    assert "Open → Resolved" in status and "Collection booked for Friday" in status
    assert "Agent: agent" in status
    assert '<time datetime="' in status
    step = entry_of(page, expected[0])
    assert "Work order status changed" in step and "Crew 7" in step and work_order.number in step
    assert "Is anyone coming?" in entry_of(page, f"mail-{incoming.pk}")
    assert "Customer: Ada Lovelace" in entry_of(page, f"mail-{incoming.pk}")
    ours = entry_of(page, f"mail-{outgoing.pk}")
    assert "Agent: agent" in ours and "We come on Friday." in ours and "queued" in ours
    report = entry_of(page, web)
    assert "Web form" in report and "Old fridge at the kerb" in report
    assert "Which appliance?" in report and "Fridge" in report and "12 Main Street" in report
    started = entry_of(page, f"started-{request.pk}")
    assert "Request started" in started and "System: " in started  # taken by Open311's user


def answer(request: CustomerRequest, agent):
    """The agent answers by e-mail from the request's page."""
    return mail_reply_send(
        request=request, user=agent, to="ada@example.org", subject="", text="We come on Friday."
    )


def test_the_timeline_shows_one_kind_at_a_time_without_javascript(
    client, agent, catalogue, mailbox
):
    request = web_report(catalogue).request
    incoming = written_about(mailbox, request)
    client.force_login(agent)
    page = client.get(request.get_absolute_url() + "?show=mail").content.decode()
    assert [anchor for anchor, _channel in entries(page)] == [f"mail-{incoming.pk}"]
    assert 'href="?show=mail#timeline" aria-current="true"' in page
    page = client.get(request.get_absolute_url() + "?show=nonsense").content.decode()
    assert len(entries(page)) > 1  # an unknown kind shows everything


def older_link(page: str) -> str | None:
    found = re.search(r'href="(\?before=[^"#]+)#timeline"', page)
    return found[1].replace("&amp;", "&") if found else None


def test_older_entries_are_a_link_away_each_once(client, agent, catalogue, mailbox, monkeypatch):
    request = web_report(catalogue).request
    for number in range(3):
        written_about(mailbox, request, text=f"Message {number}")
    client.force_login(agent)
    url = request.get_absolute_url()
    everything = [
        anchor for anchor, _channel in entries(client.get(url + "?show=").content.decode())
    ]
    monkeypatch.setattr("requests_app.timeline.PAGE_SIZE", 2)
    pages, link = [], ""
    while link is not None:
        page = client.get(url + link).content.decode()
        pages.append([anchor for anchor, _channel in entries(page)])
        link = older_link(page)
        assert len(pages) < 10
    assert all(len(shown) == 2 for shown in pages[:-1]) and "Older entries" not in page
    # Every entry once, in order, though the web report and the request's start share a moment.
    assert sum(pages, []) == everything
    assert request.web_report.created_at == request.started_at
    assert everything[-2:] == [f"web-report-{request.web_report.pk}", f"started-{request.pk}"]


def test_a_moment_that_is_none_shows_the_newest(client, agent, catalogue, mailbox):
    request = web_report(catalogue).request
    client.force_login(agent)
    first = [
        anchor for anchor, _ in entries(client.get(request.get_absolute_url()).content.decode())
    ]
    for nonsense in ("yesterday", "0001-01-01T00:00", "9999-12-31T23:59:59-14:00", "%00"):
        response = client.get(request.get_absolute_url() + "?before=" + nonsense)
        assert response.status_code == 200, nonsense
        shown = [anchor for anchor, _channel in entries(response.content.decode())]
        assert shown == first or not shown, nonsense  # no moment: the newest


def test_the_customer_page_shows_the_entries_of_all_their_requests_each_linked(
    client, agent, catalogue, mailbox
):
    by_web = web_report(catalogue).request
    customer = by_web.customer
    by_mail = mail_receive(
        mailbox=mailbox,
        raw=bytes(message(sender="Ada Lovelace <ada@example.org>", subject="Bin not emptied")),
    ).request
    assert by_mail.customer == customer
    someone_else = request_start_for_customer(agent=agent, customer=CustomerFactory())

    client.force_login(agent)
    page = client.get(customer.get_absolute_url()).content.decode()
    anchors = [anchor for anchor, _channel in entries(page)]
    assert f"web-report-{by_web.web_report.pk}" in anchors
    assert f"started-{by_mail.pk}" in anchors and f"started-{by_web.pk}" in anchors
    assert f"started-{someone_else.pk}" not in anchors
    link = '<a href="{}">{}</a>'
    for request in (by_web, by_mail):
        for anchor in (f"started-{request.pk}",):
            assert link.format(request.get_absolute_url(), request.number) in entry_of(page, anchor)
    mail = by_mail.mails.get(direction="in")
    assert link.format(by_mail.get_absolute_url(), by_mail.number) in entry_of(
        page, f"mail-{mail.pk}"
    )
    acknowledgement = by_mail.mails.get(direction="out")
    assert "System: City service desk" in entry_of(page, f"mail-{acknowledgement.pk}")
    assert "All contacts and history" in page


def customer_with_requests(agent, catalogue, mailbox, city_line, count: int):
    """`count` requests of one customer, each with a web report, a work order, a call and an
    e-mail in and out."""
    requests = []
    for number in range(count):
        request = web_report(catalogue, address=f"{number} Main Street").request
        call = answered(f"call-{number}", agent, timezone.now())
        call.requests.add(request)
        written_about(mailbox, request)
        answer(request, agent)
        requests.append(request)
    return requests[0].customer


def queries_for(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_customer_pages_queries_do_not_grow_with_their_requests(
    client, agent, catalogue, mailbox, city_line
):
    customer = customer_with_requests(agent, catalogue, mailbox, city_line, 2)
    client.force_login(agent)
    few = queries_for(client, customer.get_absolute_url())
    customer_with_requests(agent, catalogue, mailbox, city_line, 4)
    assert customer.requests.count() == 6
    assert Mail.objects.filter(request__customer=customer, direction="out").count() == 6
    many = queries_for(client, customer.get_absolute_url())
    assert many == few


def test_the_request_pages_queries_do_not_grow_with_its_entries(
    client, agent, catalogue, mailbox, city_line
):
    request = web_report(catalogue).request

    def converse(number):
        answered(f"call-{number}", agent, timezone.now()).requests.add(request)
        written_about(mailbox, request)
        answer(request, agent)

    converse(0)
    client.force_login(agent)
    few = queries_for(client, request.get_absolute_url())
    for number in range(1, 6):
        converse(number)
    assert request.mails.count() == 12
    assert queries_for(client, request.get_absolute_url()) == few


def test_every_app_registers_its_source():
    assert set(sources()) == {
        "started",
        "history",
        "work_orders",
        "calls",
        "mail",
        "web",
        "feedback",
    }
