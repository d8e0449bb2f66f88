"""The demo's feedback: asked by the request services during the replay, sent and answered at
their moments afterwards (demo.feedback). 600 calls over 45 days, loaded once for the module."""

from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth.models import Group, User
from django.db import transaction

from demo.catalogue import load_demo_catalogue
from demo.clock import replay
from demo.desk import load_desk
from demo.feedback import load_feedback, load_feedback_settings
from demo.knowledge import load_demo_articles
from feedback.models import ASK_AGAIN_AFTER_DAYS, FeedbackAnswer, FeedbackInvitation
from reports.periods import Period
from reports.satisfaction import feedback_total
from reports.services import report_days_count_all
from requests_app.models import RequestType

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 3, 18, 14, 30, tzinfo=UTC)
DAYS = 45


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        supervisor = User.objects.create_user("feedback-supervisor")
        supervisor.groups.add(Group.objects.get(name="Supervisor"))
        with replay(NOW - timedelta(days=DAYS + 1)) as clock:
            load_demo_catalogue()
            load_demo_articles(supervisor)
            assert load_feedback_settings(supervisor)
            load_desk(
                clock=clock,
                now=NOW,
                agents=[supervisor],
                customers=100,
                requests=600,
                days=DAYS,
                seed=3,
            )
            answers = load_feedback(clock=clock, now=NOW, seed=3)
        report_days_count_all()
        yield answers
        transaction.set_rollback(True)


def test_customers_were_asked_by_the_services_rules(demo):
    invitations = list(FeedbackInvitation.objects.order_by("customer_id", "asked_at"))
    assert len(invitations) > 50
    assert {invitation.request_type for invitation in invitations} <= {
        RequestType.INFORMATION,
        RequestType.ACTION,
    }
    for earlier, later in zip(invitations, invitations[1:], strict=False):
        if earlier.customer_id == later.customer_id:
            assert later.asked_at - earlier.asked_at >= timedelta(days=ASK_AGAIN_AFTER_DAYS)
    assert all(invitation.sent_at is not None for invitation in invitations)
    assert {invitation.language for invitation in invitations} == {"en", "de", "nb"}


def test_about_a_third_answered_at_their_moment(demo):
    asked = FeedbackInvitation.objects.count()
    assert demo == FeedbackAnswer.objects.count()
    assert 0.2 < demo / asked < 0.45
    for answer in FeedbackAnswer.objects.select_related("invitation"):
        assert answer.invitation.sent_at < answer.answered_at <= NOW


def test_the_figures_show_something_true(demo):
    total = feedback_total(Period(NOW.date() - timedelta(days=DAYS), NOW.date()))
    assert total.answers == demo
    assert 0.5 < total.csat < 0.95
    assert 4 < total.ces < 6.5
    assert -0.3 < total.nps < 0.7
    assert FeedbackAnswer.objects.exclude(comment="").exists()
