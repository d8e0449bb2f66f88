"""The feedback survey in a request's timeline (feedback.timeline): when the customer was asked,
for everyone who may open the request; what they answered, for those who may read customers'
comments (supervisors)."""

import pytest

from feedback.models import FeedbackInvitation
from feedback.services import feedback_answer_save
from tests.feedback.helpers import finished_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def answered(asking, agent):
    request = finished_request(agent, caller_email="kari@example.no")
    invitation = FeedbackInvitation.objects.get(request=request)
    answer = feedback_answer_save(
        invitation=invitation,
        values={"satisfaction": 5, "effort": 6, "recommend": 9, "comment": "Quick <b>help</b>"},
        opt_out=False,
    )
    return request, invitation, answer


def test_a_supervisor_sees_the_survey_asked_and_answered(client, supervisor, answered):
    request, invitation, answer = answered
    client.force_login(supervisor)
    page = client.get(request.get_absolute_url()).content.decode()
    assert f'id="feedback-asked-{invitation.pk}"' in page
    assert "kari@example.no" in page
    start = page.index(f'id="feedback-answer-{answer.pk}"')
    entry = page[start : page.index("</article>", start)]
    assert "Feedback answered" in entry and "5/5" in entry and "9/10" in entry
    assert "Quick &lt;b&gt;help&lt;/b&gt;" in entry
    assert page.index(f'id="feedback-answer-{answer.pk}"') < page.index(
        f'id="feedback-asked-{invitation.pk}"'
    )  # newest first


def test_an_agent_sees_that_the_customer_was_asked_but_not_what_they_wrote(client, agent, answered):
    request, invitation, answer = answered
    client.force_login(agent)
    page = client.get(request.get_absolute_url()).content.decode()
    assert f'id="feedback-asked-{invitation.pk}"' in page
    assert f'id="feedback-answer-{answer.pk}"' not in page
    assert "Quick" not in page
