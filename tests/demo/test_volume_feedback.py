"""The volume generator's feedback (demo.volume.FeedbackPlanner): asked by the services' rules,
answered at about the demo's rate."""

from datetime import timedelta

import pytest
from django.db.models import F

from demo import volume
from demo.catalogue import load_demo_catalogue
from demo.feedback import ASKING, load_feedback_settings
from feedback.models import (
    ASK_AGAIN_AFTER_DAYS,
    FeedbackAnswer,
    FeedbackInvitation,
    FeedbackOptOut,
)
from reports.periods import Period
from reports.satisfaction import feedback_total
from reports.services import report_days_count_all
from requests_app.services import DONE
from tests.demo.test_volume import NOW

pytestmark = pytest.mark.django_db


@pytest.fixture
def loaded(agent, supervisor):
    load_demo_catalogue()
    load_feedback_settings(None)
    summary = volume.load_volume(customers=60, requests=3000, days=120, seed=2, now=NOW)
    report_days_count_all()
    return summary


def test_only_finished_requests_of_customers_with_an_address_that_ask(loaded):
    invitations = FeedbackInvitation.objects.select_related("request", "customer")
    assert loaded.invitations == invitations.count() > 40
    for invitation in invitations:
        request = invitation.request
        assert request.status in DONE
        assert request.channel in ASKING[request.request_type]
        assert invitation.email == request.caller_email == invitation.customer.email
        assert invitation.language == invitation.customer.preferred_language
        assert invitation.asked_at == request.finished_at
        assert invitation.sent_at > invitation.asked_at
        assert invitation.expires_at == invitation.asked_at + timedelta(days=14)
        assert (invitation.agent_id, invitation.channel) == (request.agent_id, request.channel)


def test_never_twice_in_30_days_nor_after_a_no(loaded):
    last: dict[int, object] = {}
    opted_out = dict(FeedbackOptOut.objects.values_list("customer_id", "created_at"))
    for invitation in FeedbackInvitation.objects.order_by("asked_at"):
        before = last.get(invitation.customer_id)
        assert before is None or invitation.asked_at - before > timedelta(days=ASK_AGAIN_AFTER_DAYS)
        said_no = opted_out.get(invitation.customer_id)
        assert said_no is None or invitation.asked_at < said_no
        last[invitation.customer_id] = invitation.asked_at


def test_about_a_third_answer_and_the_answers_carry_their_invitation(loaded):
    assert loaded.answers == FeedbackAnswer.objects.count()
    assert 0.2 < loaded.answers / loaded.invitations < 0.45
    mismatched = FeedbackAnswer.objects.exclude(
        asked_at=F("invitation__asked_at"),
        agent=F("invitation__agent"),
        channel=F("invitation__channel"),
        request_type=F("invitation__request_type"),
    )
    assert not mismatched.exists()
    assert not FeedbackAnswer.objects.filter(answered_at__lte=F("invitation__sent_at")).exists()
    total = feedback_total(Period(NOW.date() - timedelta(days=120), NOW.date()))
    assert total.answers == loaded.answers
    assert 0.5 < total.csat < 0.95
