"""The feedback figures against hand-computed data."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from callcenter import roles
from feedback.models import FeedbackAnswer, FeedbackInvitation
from feedback.services import feedback_answer_save
from feedback.tasks import send_feedback_request
from reports import rollup
from reports.periods import Period
from reports.satisfaction import COUNTED, feedback_figures, feedback_total
from reports.services import report_days_count_all, report_days_refresh
from requests_app.models import Channel, Status
from requests_app.services import request_save
from tests.factories import CustomerFactory, user_with_role
from tests.feedback.helpers import finished_request

pytestmark = pytest.mark.django_db

# (agent, channel, sent, satisfaction, effort, recommend); None: no answer.
ANSWERS = [
    ("agent", Channel.PHONE, True, (5, 7, 10)),
    ("agent", Channel.PHONE, True, (4, 5, 8)),
    ("agent", Channel.EMAIL, True, (2, 2, 3)),
    ("bea", Channel.PHONE, True, (3, None, 9)),
    ("bea", Channel.EMAIL, True, None),  # asked, not answered
    ("bea", Channel.PHONE, False, None),  # the e-mail never went out: not counted as asked
]


@pytest.fixture
def answered(agent, asking):
    """Six requests asked for feedback, four answered, and one request of the first agent
    that needed a callback (finished, not in the first contact, nobody asked)."""
    agents = {"agent": agent, "bea": user_with_role(roles.AGENT, username="bea")}
    for number, (who, channel, sent, scores) in enumerate(ANSWERS):
        customer = CustomerFactory(email=f"customer{number}@example.no")
        request = finished_request(agents[who], customer=customer, channel=channel)
        invitation = request.feedback_invitation
        if sent:
            send_feedback_request.call(invitation_id=invitation.pk)
        if scores:
            satisfaction, effort, recommend = scores
            feedback_answer_save(
                invitation=invitation,
                values={"satisfaction": satisfaction, "effort": effort, "recommend": recommend},
                opt_out=False,
            )
    callback = finished_request(
        agent,
        status=Status.FOLLOW_UP,
        follow_up_due=timezone.now() + timedelta(hours=2),
        follow_up_assignee=agent,
    )
    request_save(
        request=callback,
        values={"status": Status.RESOLVED},
        expected_version=callback.version,
        user=agent,
    )
    report_days_refresh()
    return agents


def this_week() -> Period:
    today = timezone.localdate()
    return Period(today - timedelta(days=6), today)


def test_the_totals(answered):
    total = feedback_total(this_week())
    assert (total.asked, total.answers) == (5, 4)
    assert total.response_rate == pytest.approx(4 / 5)
    assert total.csat == pytest.approx(2 / 4)  # 5 and 4 of 5, 4, 2, 3
    assert total.ces == pytest.approx((7 + 5 + 2) / 3)  # one left it out
    assert total.nps == pytest.approx((2 - 1) / 4)  # 10 and 9 promote, 3 detracts, 8 is passive
    assert total.first_contact_rate == pytest.approx(6 / 7)


def test_by_agent(answered):
    groups, _trend = feedback_figures(this_week(), "agent", "week")
    rows = {row.label: row for row in groups}
    first, bea = rows["agent"], rows["bea"]
    assert (first.asked, first.answers, bea.asked, bea.answers) == (3, 3, 2, 1)
    assert first.csat == pytest.approx(2 / 3)
    assert first.ces == pytest.approx(14 / 3)
    assert first.nps == pytest.approx(0)  # one promoter, one detractor, of three
    assert first.first_contact_rate == pytest.approx(3 / 4)
    assert bea.csat == 0
    assert bea.ces is None
    assert bea.nps == pytest.approx(1)
    assert bea.first_contact_rate == 1


def test_by_channel(answered):
    groups, _trend = feedback_figures(this_week(), "channel", "month")
    rows = {row.label: row for row in groups}
    phone, email = rows["Phone"], rows["E-mail"]
    assert (phone.asked, phone.answers, email.asked, email.answers) == (3, 3, 2, 1)
    assert phone.csat == pytest.approx(2 / 3)
    assert phone.ces == pytest.approx(6)
    assert phone.nps == pytest.approx(2 / 3)
    assert email.csat == 0
    assert email.ces == 2
    assert email.nps == -1


def test_by_department_without_a_code(answered):
    [row], _trend = feedback_figures(this_week(), "department", "week")
    assert row.label == "No department: information and comment requests"
    assert (row.asked, row.answers) == (5, 4)
    assert row.first_contact_rate == pytest.approx(6 / 7)


def test_the_weekly_trend_adds_up_to_the_total(answered):
    _groups, trend = feedback_figures(this_week(), "problem_code", "week")
    assert sum(row.answers for _start, row in trend.rows) == 4
    assert sum(row.satisfied for _start, row in trend.rows) == 2
    assert all(start.weekday() == 0 for start, _row in trend.rows)
    _groups, month = feedback_figures(this_week(), "type", "month")
    assert sum(row.asked for _start, row in month.rows) == 5
    total, added_up = feedback_total(this_week()), month.total()
    assert [getattr(added_up, name) for name in COUNTED] == [
        getattr(total, name) for name in COUNTED
    ]


def test_another_period_has_none(answered):
    long_ago = Period(
        timezone.localdate() - timedelta(days=400), timezone.localdate() - timedelta(days=300)
    )
    total = feedback_total(long_ago)
    assert (total.asked, total.answers, total.csat, total.nps) == (0, 0, None, None)


def test_the_report_page_and_its_csv(client, manager, answered):
    client.force_login(manager)
    url = reverse("reports:report", args=["feedback"])
    page = client.get(url, {"by": "agent", "period": "week", "grain": "week"}).content.decode()
    assert "Customer feedback" in page
    assert "Customer comments" in page
    response = client.get(url, {"by": "channel", "period": "30_days", "download": "feedback"})
    lines = response.content.decode("utf-8-sig").splitlines()
    assert lines[0] == (
        "Channel,Invitations,Answers,Response rate (%),CSAT (%),Effort (CES),NPS (%),"
        "First-contact resolution (%)"
    )
    # Phone: requests 1, 2, 4 and 6 in the first contact, the callback not: 4 of 5.
    assert lines[1] == "Phone,3,3,100.00,66.70,6.00,66.70,80.00"
    assert lines[-1] == "Total,5,4,80.00,50.00,4.67,25.00,85.70"


def test_only_invitations_sent_count(answered):
    assert FeedbackInvitation.objects.count() == 6
    assert feedback_total(this_week()).asked == 5


def month_table(page: str, title: str) -> str:
    start = page.index(title)
    return page[start : page.index("</table>", start)]


@pytest.fixture
def same_month(answered):
    """The answers above fall in this month (on the first days of a month, a week ago may
    not): moved to today."""
    FeedbackInvitation.objects.update(asked_at=timezone.now())
    FeedbackAnswer.objects.update(asked_at=timezone.now())
    report_days_count_all()  # written around the services: counted again at once
    return answered


def test_the_managers_today_page_shows_this_months_feedback_beside_last_month(
    client, manager, same_month
):
    client.force_login(manager)
    page = client.get(reverse("dashboard")).content.decode()
    table = month_table(page, "This month and last month")
    this_month = table[table.index("This month</th>") : table.index("Last month</th>")]
    # Requests, FCR, answers, CSAT, CES, NPS.
    cells = ["7", "85.7 %", "4", "50.0 %", "4.67", "25.0 %"]
    assert [cell in this_month for cell in cells] == [True] * len(cells), this_month
    last_month = table[table.index("Last month</th>") :]
    assert "—" in last_month  # nothing last month: no figure rather than 0


def test_an_agent_sees_their_own(client, same_month):
    client.force_login(same_month["bea"])
    page = client.get(reverse("dashboard")).content.decode()
    table = month_table(page, "My month")
    this_month = table[table.index("This month</th>") : table.index("Last month</th>")]
    # Bea: three requests, all in the first contact; one answer: satisfaction 3, no effort,
    # a promoter.
    cells = ['<td class="numeric">3</td>', "100.0 %", "0.0 %", "100.0 %"]
    assert [cell in this_month for cell in cells] == [True] * len(cells), this_month
    assert "This month and last month" not in page  # the team's figures are not hers


IMMEDIATE = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


def test_the_worker_counts_an_invitation_once_sent_and_its_answer_once_given(
    agent, asking, settings, django_capture_on_commit_callbacks
):
    request = finished_request(agent, customer=CustomerFactory(email="kari@example.no"))
    report_days_refresh()
    invitation = request.feedback_invitation
    assert feedback_total(this_week()).asked == 0  # not sent yet

    settings.TASKS = IMMEDIATE  # the worker's count runs as soon as it is queued
    with django_capture_on_commit_callbacks(execute=True):
        send_feedback_request.call(invitation_id=invitation.pk)
    assert (feedback_total(this_week()).asked, feedback_total(this_week()).answers) == (1, 0)

    with django_capture_on_commit_callbacks(execute=True):
        feedback_answer_save(invitation=invitation, values={"recommend": 10}, opt_out=False)
    total = feedback_total(this_week())
    assert (total.asked, total.answers, total.recommend_answers, total.nps) == (1, 1, 1, 1.0)
    groups, _trend = feedback_figures(this_week(), "agent", "week")
    assert [(row.label, row.asked, row.answers) for row in groups] == [("agent", 1, 1)]


def test_a_report_says_when_an_answer_is_not_counted_yet(agent, asking):
    request = finished_request(agent, customer=CustomerFactory(email="kari@example.no"))
    send_feedback_request.call(invitation_id=request.feedback_invitation.pk)
    report_days_refresh()
    counted = rollup.refreshed_at()
    now = timezone.now()
    assert rollup.figures_as_of(now) == now
    feedback_answer_save(
        invitation=request.feedback_invitation, values={"satisfaction": 5}, opt_out=False
    )
    assert rollup.figures_as_of(now) == counted  # the worker has it still to count
    assert feedback_total(this_week()).answers == 0
    report_days_refresh()
    assert feedback_total(this_week()).answers == 1
