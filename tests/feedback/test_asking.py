"""When a finished request asks its customer for feedback, and the e-mail that does."""

from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from feedback.models import FeedbackInvitation
from feedback.services import feedback_answer_save, feedback_setting_save
from feedback.tasks import send_feedback_request
from feedback.tokens import invitation_id_from
from requests_app.models import Channel, RequestType, Status
from requests_app.services import finish_handlers, request_save
from tests.factories import CustomerFactory
from tests.feedback.helpers import finished_request

pytestmark = pytest.mark.django_db


def test_feedback_registers_with_the_request_services():
    assert "feedback.ask" in finish_handlers()


def test_a_resolved_request_asks_its_caller_once_the_worker_sends_it(agent, asking):
    request = finished_request(agent, caller_email="Kari@Example.no")
    invitation = FeedbackInvitation.objects.get(request=request)
    assert invitation.email == "kari@example.no"
    assert invitation.sent_at is None
    assert not mail.outbox  # the task worker sends it, not the agent's save
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["kwargs"] == {"invitation_id": invitation.pk}

    assert send_feedback_request.call(invitation_id=invitation.pk) == "sent"
    message = mail.outbox[0]
    assert message.to == ["kari@example.no"]
    assert request.number in message.subject
    # Automatic: an out-of-office reply to it is not sent, or not answered (RFC 3834).
    assert message.message()["Auto-Submitted"] == "auto-generated"
    link = next(line for line in message.body.splitlines() if "/feedback/" in line)
    assert invitation_id_from(link.rstrip("/").rsplit("/", 1)[1]) == invitation.pk
    invitation.refresh_from_db()
    assert invitation.sent_at is not None
    # Run twice (a worker retrying), it sends nothing more.
    assert send_feedback_request.call(invitation_id=invitation.pk) == "sent before"
    assert len(mail.outbox) == 1


def test_the_email_is_in_the_customers_language(agent, asking):
    norwegian = CustomerFactory(email="ola@example.no", preferred_language="nb")
    german = CustomerFactory(email="erika@example.de", preferred_language="de")
    for customer in (norwegian, german):
        finished_request(agent, customer=customer)
    languages = dict(FeedbackInvitation.objects.values_list("email", "language"))
    assert languages == {"ola@example.no": "nb", "erika@example.de": "de"}


def test_the_email_text_follows_the_active_language_catalogue(agent, asking, settings):
    """The message is rendered under translation.override(the customer's language): what it
    says in Norwegian needs the nb catalogue (the lead fills it); the language it is rendered
    in is checked here through the date, which Django formats per language without it."""
    customer = CustomerFactory(email="ola@example.no", preferred_language="nb")
    request = finished_request(agent, customer=customer)
    invitation = request.feedback_invitation
    send_feedback_request.call(invitation_id=invitation.pk)
    months = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august",
              "september", "oktober", "november", "desember"]  # fmt: skip
    month = months[timezone.localtime(invitation.expires_at).month - 1]
    assert month in mail.outbox[0].body


def test_not_twice_within_30_days_for_the_same_customer(agent, asking):
    customer = CustomerFactory(email="kari@example.no")
    first = finished_request(agent, customer=customer)
    second = finished_request(agent, customer=customer)
    assert FeedbackInvitation.objects.filter(customer=customer).count() == 1
    assert not FeedbackInvitation.objects.filter(request=second).exists()

    # 31 days later the customer may be asked again.
    FeedbackInvitation.objects.filter(request=first).update(
        asked_at=timezone.now() - timedelta(days=31)
    )
    third = finished_request(agent, customer=customer)
    assert FeedbackInvitation.objects.filter(request=third).exists()


def test_not_a_customer_who_said_no(agent, asking):
    customer = CustomerFactory(email="kari@example.no")
    first = finished_request(agent, customer=customer)
    feedback_answer_save(invitation=first.feedback_invitation, values={}, opt_out=True)
    FeedbackInvitation.objects.filter(request=first).update(
        asked_at=timezone.now() - timedelta(days=60)
    )
    later = finished_request(agent, customer=customer)
    assert not FeedbackInvitation.objects.filter(request=later).exists()


def test_not_without_an_email_address(agent, asking):
    request = finished_request(agent, caller_phone="+4722334455")
    assert request.customer is not None
    assert not FeedbackInvitation.objects.exists()


def test_only_the_types_and_channels_the_supervisors_chose(agent, supervisor, asking):
    by_fax = finished_request(agent, channel=Channel.FAX, caller_email="a@example.no")
    assert not FeedbackInvitation.objects.filter(request=by_fax).exists()
    feedback_setting_save(
        request_type=RequestType.INFORMATION,
        channels=[],
        expected_version=asking.version,
        user=supervisor,
    )
    by_phone = finished_request(agent, caller_email="b@example.no")
    assert not FeedbackInvitation.objects.filter(request=by_phone).exists()


def test_only_when_the_request_is_finished_and_only_the_first_time(agent, supervisor, asking):
    request = finished_request(agent, status=Status.OPEN, caller_email="kari@example.no")
    assert not FeedbackInvitation.objects.exists()
    request = request_save(
        request=request,
        values={"status": Status.CLOSED},
        expected_version=request.version,
        user=agent,
    )
    invitation = FeedbackInvitation.objects.get(request=request)
    # Reopened and closed again, 40 days on: asked the first time only.
    FeedbackInvitation.objects.filter(pk=invitation.pk).update(
        asked_at=timezone.now() - timedelta(days=40)
    )
    request = request_save(
        request=request,
        values={"status": Status.OPEN},
        expected_version=request.version,
        user=supervisor,
        reason="Caller rang again",
    )
    request_save(
        request=request,
        values={"status": Status.RESOLVED},
        expected_version=request.version,
        user=agent,
    )
    assert FeedbackInvitation.objects.count() == 1


def test_a_work_order_completion_asks_like_a_save(agent, supervisor, catalogue):
    from tests.workorders.test_services import change, report
    from workorders.models import WorkOrderStatus

    feedback_setting_save(
        request_type=RequestType.ACTION,
        channels=[Channel.PHONE],
        expected_version=1,
        user=supervisor,
    )
    request = report(agent, catalogue["appl"], caller_email="kari@example.no")
    assert not FeedbackInvitation.objects.exists()
    change(request.work_order, supervisor, status=WorkOrderStatus.COMPLETED)
    assert FeedbackInvitation.objects.get().request == request
