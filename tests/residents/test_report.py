"""The web form at /report/: a report is a desk request made by Open311's own service (an
action request, channel Web, the desk's customer rule and duplicate linking), refused kindly
when a field is wrong, and not at all made for a bot."""

import pytest
from django.core import mail, signing
from django.test import override_settings
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from hierarchy.models import ProblemCode
from open311.models import WebReport
from open311.services import PostedReport
from requests_app.models import Channel, Customer, CustomerRequest, RequestType, Status
from requests_app.services import customer_save, request_save, request_start
from residents.forms import STAMP_SALT
from residents.links import sent_token
from residents.services import public_report_create
from residents.tasks import send_report_confirmation
from tests.residents.conftest import report_data, send, stamp

pytestmark = pytest.mark.django_db


def only_request() -> CustomerRequest:
    return CustomerRequest.objects.select_related("customer", "work_order", "agent").get()


def test_the_form_needs_no_login_and_offers_the_public_codes_by_category(client, town):
    response = client.get(reverse("residents:report"))
    assert response.status_code == 200
    body = response.content.decode()
    assert '<optgroup label="Road surface">' in body
    assert '<optgroup label="Street lights">' in body
    assert body.index("Road surface") < body.index("Pothole") < body.index("Street lights")
    assert 'value="LIGHT"' in body
    assert "INSP" not in body and "Road inspection" not in body
    assert body.count("<h1") == 1
    assert "<script>" not in body and "style=" not in body  # the CSP allows neither


def test_a_report_is_an_action_request_from_the_web_for_its_customer(client, town):
    response = send(client)
    request = only_request()
    web_report = WebReport.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("residents:report_sent", args=[sent_token(web_report.pk)])
    assert (request.request_type, request.channel, request.status) == (
        RequestType.ACTION,
        Channel.WEB,
        Status.OPEN,
    )
    assert request.problem_code == town["light"]
    assert request.work_address == "12 Main Street"
    assert request.description == "Dark since Monday."
    assert request.work_order.problem_code == town["light"]
    assert request.customer.email == "erika.maier@example.org"
    assert request.customer.name == "Erika Maier"
    assert not request.agent.is_active  # taken by Open311's reporter, as an app's post is
    # No app posted it: the city's own form did.
    assert web_report.api_key is None
    assert web_report.from_public_form
    assert web_report.description == "Dark since Monday."

    sent = client.get(response.url)
    assert sent.status_code == 200
    body = sent.content.decode()
    assert request.number in body
    status_link = reverse("residents:status", args=[request.number, web_report.token])
    assert f'href="http://testserver{status_link}"' in body
    assert f'<span class="code">{web_report.token}</span>' in body  # for the lookup form
    assert "A temporary fix within 24 hours, the repair within 5 days." in body


def test_a_known_resident_is_linked_to_their_customer(client, town):
    known = customer_save(values={"name": "Erika Maier", "email": "erika@example.org"}, phones=[])
    send(client, email="ERIKA@example.org", name="")
    assert only_request().customer == known
    assert Customer.objects.count() == 1


def test_the_same_problem_at_the_same_place_joins_the_open_work_order(client, town, agent):
    phoned = request_start(agent=agent)
    phoned = request_save(
        request=phoned,
        values={
            "request_type": RequestType.ACTION,
            "problem_code": town["light"],
            "work_address": "12 Main St.",
        },
        expected_version=phoned.version,
        user=agent,
    )
    assert send(client, address="12 main street").status_code == 302
    sent = CustomerRequest.objects.get(channel=Channel.WEB)
    assert sent.work_order == phoned.work_order
    assert phoned.work_order.requests.count() == 2


def test_without_contact_details_the_request_has_no_customer(client, town):
    assert send(client, name="", email="", phone="").status_code == 302
    assert only_request().customer is None
    assert not DBTaskResult.objects.exists()  # nobody to confirm it to


def test_errors_name_the_field_and_keep_what_was_typed(client, town):
    response = send(
        client,
        problem_code="",
        address="",
        email="not an address",
        phone="12",
        description="Dark <b>since</b> Monday & Tuesday",
        name="Erika Maier",
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert 'class="error-summary"' in body
    summary = body[body.index("error-summary") : body.index("</ul>", body.index("error-summary"))]
    assert '<a href="#id_problem_code">What is the problem?: This field is required.' in summary
    assert '<a href="#id_address">Where is it?: This field is required.' in summary
    assert '<a href="#id_email">E-mail address: Enter a valid email address.' in summary
    assert "Phone number: “12” is not a valid phone number." in summary
    assert 'id="id_address_error"' in body  # beside the field too
    # Nothing typed is lost, and markup stays text.
    assert 'value="not an address"' in body
    assert 'value="Erika Maier"' in body
    assert 'value="12"' in body
    assert "Dark &lt;b&gt;since&lt;/b&gt; Monday &amp; Tuesday</textarea>" in body
    assert not CustomerRequest.objects.exists()


def test_a_chosen_code_is_kept_when_another_field_is_wrong(client, town):
    body = send(client, problem_code="POTH", address="").content.decode()
    assert '<option value="POTH" selected>Pothole</option>' in body


@pytest.mark.parametrize("code", ["INSP", "NOPE", "light"])
def test_an_internal_or_unknown_code_is_refused_on_its_field(client, town, code):
    response = send(client, problem_code=code)
    assert response.status_code == 200
    assert "Select a valid choice." in response.content.decode()
    assert not CustomerRequest.objects.exists()


def test_a_description_of_4000_characters_is_taken_and_one_more_is_not(client, town):
    response = send(client, description="x" * 4001)
    assert "Ensure this value has at most 4000 characters (it has 4001)." in (
        response.content.decode()
    )
    assert not CustomerRequest.objects.exists()
    assert send(client, description="x" * 4000).status_code == 302


@pytest.mark.parametrize(
    "spam",
    [
        lambda: {"website": "http://spam.example"},
        lambda: {"shown": stamp(seconds_ago=1)},
        lambda: {"shown": "forged"},
        lambda: {"shown": None},
        lambda: {"shown": stamp(seconds_ago=-3600)},  # from the future
        lambda: {"shown": signing.dumps("yesterday", salt=STAMP_SALT)},
    ],
    ids=["trap filled", "too fast", "forged stamp", "no stamp", "future stamp", "not a time"],
)
def test_a_bot_gets_a_neutral_refusal_and_nothing_is_made(client, town, spam):
    data = {name: value for name, value in report_data(**spam()).items() if value is not None}
    response = client.post(reverse("residents:report"), data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "We could not take this report." in body
    assert "website" not in body and "fast" not in body  # nothing says what gave it away
    assert not CustomerRequest.objects.exists()
    assert not WebReport.objects.exists()


def test_a_form_shown_again_with_its_errors_keeps_its_first_moment(client, town):
    first = stamp(seconds_ago=10)
    body = send(client, address="", shown=first).content.decode()
    assert f'name="shown" value="{first}"' in body
    # A quick correction is taken.
    assert send(client, shown=first).status_code == 302


def test_a_form_left_open_for_a_day_is_shown_again_to_be_sent(client, town):
    response = send(client, shown=stamp(seconds_ago=24 * 3600))
    assert response.status_code == 200
    body = response.content.decode()
    assert "This form was open for a long time: check it and send it." in body
    assert 'value="12 Main Street"' in body
    assert not CustomerRequest.objects.exists()


@override_settings(PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR=2)
def test_an_address_over_its_limit_is_answered_429_with_retry_after(client, town):
    for _number in range(2):
        assert send(client).status_code == 302
    response = send(client)
    assert response.status_code == 429
    assert 3500 < int(response["Retry-After"]) <= 3600
    assert "Please try again in 60 minutes." in response.content.decode()
    assert CustomerRequest.objects.count() == 2


@override_settings(PUBLIC_REPORTS_PER_ADDRESS_PER_HOUR=1)
def test_another_address_is_counted_on_its_own(client, town):
    assert send(client).status_code == 302
    other = client.post(reverse("residents:report"), report_data(), REMOTE_ADDR="192.0.2.7")
    assert other.status_code == 302
    assert WebReport.objects.filter(client_address="192.0.2.7").count() == 1


def test_the_confirmation_email_is_queued_then_sent_with_the_number_and_link(
    client, town, settings
):
    settings.PUBLIC_URL = "https://service.example.org"
    client.post(reverse("set_language"), {"language": "nb", "next": "/report/"})
    send(client)
    web_report = WebReport.objects.select_related("request").get()
    assert not mail.outbox  # the task worker sends it, not the resident's post
    queued = DBTaskResult.objects.get()
    kwargs = queued.args_kwargs["kwargs"]
    assert kwargs == {
        "web_report_id": web_report.pk,
        "email": "erika.maier@example.org",
        "language": "nb",
    }

    assert send_report_confirmation.call(**kwargs) == "sent"
    (message,) = mail.outbox
    number = web_report.request.number
    link = "https://service.example.org" + reverse(
        "residents:status", args=[number, web_report.token]
    )
    assert message.to == ["erika.maier@example.org"]
    assert number in message.subject
    assert link in message.body.splitlines()
    assert message.extra_headers["Auto-Submitted"] == "auto-generated"
    assert message.message()["Auto-Submitted"] == "auto-generated"
    assert "\n" not in message.subject


def test_the_confirmation_email_is_plain_text(town):
    ProblemCode.objects.filter(pk=town["light"].pk).update(name='Light "out" & <dark>')
    web_report = public_report_create(
        report=PostedReport(
            problem_code=ProblemCode.objects.get(pk=town["light"].pk),
            address_string="O'Brien's yard",
        ),
        client_address=None,
        language="en",
    )
    # An unknown language is the default one.
    send_report_confirmation.call(web_report_id=web_report.pk, email="a@example.org", language="xx")
    body = mail.outbox[0].body
    assert "Light \"out\" & <dark>, at O'Brien's yard." in body
    assert "&amp;" not in body and "&quot;" not in body


def test_a_forged_or_unknown_confirmation_link_leads_back_to_the_form(client, town):
    for token in ("forged", sent_token(999)):
        response = client.get(reverse("residents:report_sent", args=[token]))
        assert response.status_code == 302
        assert response.url == reverse("residents:report")


def test_the_page_speaks_the_language_chosen_without_logging_in(client, town):
    response = client.post(reverse("set_language"), {"language": "nb", "next": "/report/"})
    assert response.status_code == 302
    assert response.url == "/report/"
    body = client.get("/report/").content.decode()
    assert '<html lang="nb">' in body
    # Django's own catalogue says it in Norwegian, whatever ours holds yet.
    body = send(client, address="").content.decode()
    assert "Feltet er påkrevet." in body or "Dette feltet er påkrevd." in body


def test_get_and_post_only(client, town):
    assert client.put(reverse("residents:report")).status_code == 405


def test_open311_publishes_a_form_report_as_an_apps(client, town):
    send(client)
    web_report = WebReport.objects.select_related("request").get()
    number = web_report.request.number
    (shown,) = client.get(f"/open311/v2/requests/{number}.json").json()
    assert shown["description"] == "Dark since Monday."
    assert shown["address"] == "12 Main Street"
    assert "Erika" not in str(shown)
    (found,) = client.get(f"/open311/v2/tokens/{web_report.token}.json").json()
    assert found == {"service_request_id": number, "token": web_report.token}
