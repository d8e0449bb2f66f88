"""The survey page: no login, the token (once, expiry, tampering), the first answer stays."""

from datetime import timedelta

import pytest
from django.core import signing
from django.urls import reverse
from django.utils import timezone

from feedback.models import FeedbackAnswer, FeedbackInvitation, FeedbackOptOut
from feedback.services import AlreadyAnswered, feedback_answer_save
from feedback.tokens import token_for
from tests.factories import CustomerFactory
from tests.feedback.helpers import finished_request

pytestmark = pytest.mark.django_db


@pytest.fixture
def invitation(agent, asking):
    customer = CustomerFactory(email="kari@example.no", preferred_language="en")
    return finished_request(agent, customer=customer).feedback_invitation


def survey_url(invitation) -> str:
    return reverse("feedback:answer", args=[token_for(invitation.pk)])


ANSWER = {"satisfaction": "4", "effort": "6", "recommend": "9", "comment": "Quick & kind"}


def test_the_survey_opens_without_login_and_names_the_request(client, invitation):
    response = client.get(survey_url(invitation))
    assert response.status_code == 200
    page = response.content.decode()
    assert invitation.request.number in page
    assert "How satisfied are you with how we handled your request?" in page
    assert "How easy was it to get your issue handled?" in page
    assert "<legend>" in page  # each scale is a group with its question as legend


def test_an_answer_is_kept_with_the_requests_dimensions(client, invitation):
    response = client.post(survey_url(invitation), ANSWER)
    assert response.status_code == 200
    assert "Your answer has reached us" in response.content.decode()
    answer = FeedbackAnswer.objects.get()
    assert (answer.satisfaction, answer.effort, answer.recommend) == (4, 6, 9)
    assert answer.comment == "Quick & kind"
    assert answer.agent_id == invitation.agent_id
    assert answer.channel == invitation.channel
    assert answer.asked_at == invitation.asked_at


def test_answering_twice_keeps_the_first(client, invitation):
    client.post(survey_url(invitation), ANSWER)
    response = client.post(survey_url(invitation), {**ANSWER, "satisfaction": "1"})
    assert response.status_code == 200
    assert "we keep the first one" in response.content.decode()
    assert FeedbackAnswer.objects.get().satisfaction == 4
    # The service refuses too, whoever calls it.
    with pytest.raises(AlreadyAnswered):
        feedback_answer_save(invitation=invitation, values={"satisfaction": 1}, opt_out=False)
    # And the page, opened again, says thank you instead of the questions.
    page = client.get(survey_url(invitation)).content.decode()
    assert "we keep the first one" in page
    assert "How satisfied" not in page


def test_an_expired_link_says_so_kindly(client, invitation):
    FeedbackInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    response = client.post(survey_url(invitation), ANSWER)
    assert response.status_code == 410
    assert "This survey has closed" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()


def test_a_link_expires_14_days_after_it_was_asked(invitation):
    assert invitation.expires_at - invitation.asked_at == timedelta(days=14)


@pytest.mark.parametrize(
    "change",
    [
        lambda token: token[:-1] + ("A" if token[-1] != "A" else "B"),  # signature changed
        # Another invitation's id with this one's signature.
        lambda token: signing.b64_encode(b"999").decode() + token[token.index(":") :],
        lambda token: token.split(":")[0],  # no signature
        lambda token: "nonsense",
    ],
)
def test_a_changed_or_made_up_token_is_refused_kindly(client, invitation, change):
    response = client.post(
        reverse("feedback:answer", args=[change(token_for(invitation.pk))]), ANSWER
    )
    assert response.status_code == 404
    assert "We cannot find this survey" in response.content.decode()
    assert not FeedbackAnswer.objects.exists()


def test_a_token_of_an_invitation_that_is_gone_is_refused(client, invitation):
    response = client.get(reverse("feedback:answer", args=[token_for(invitation.pk + 1000)]))
    assert response.status_code == 404


def test_errors_name_the_field_and_keep_what_was_typed(client, invitation):
    long = "x" * 2001
    response = client.post(
        survey_url(invitation), {"satisfaction": "9", "effort": "3", "comment": long}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert (
        "How satisfied are you with how we handled your request?: Choose one of the answers shown."
        in page
    )
    assert "Anything you would like to tell us?: " in page
    assert 'value="3" id="id_effort_2" aria-describedby="id_effort_ends" checked' in page
    assert long in page
    assert not FeedbackAnswer.objects.exists()


def test_an_empty_answer_asks_for_one(client, invitation):
    response = client.post(survey_url(invitation), {"comment": "   "})
    assert response.status_code == 400
    assert "Choose an answer to at least one question, or write a comment." in (
        response.content.decode()
    )


def test_the_comment_is_plain_text(client, invitation, supervisor):
    client.post(survey_url(invitation), {"comment": "<script>alert(1)</script> & <b>bold</b>"})
    assert FeedbackAnswer.objects.get().comment == "<script>alert(1)</script> & <b>bold</b>"
    client.force_login(supervisor)
    page = client.get(reverse("feedback:comment_list")).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; &lt;b&gt;bold&lt;/b&gt;" in page
    assert "<b>bold</b>" not in page


def test_dont_ask_me_again_alone_is_kept(client, invitation):
    response = client.post(survey_url(invitation), {"opt_out": "on"})
    assert response.status_code == 200
    assert "We will not ask you for feedback again." in response.content.decode()
    assert FeedbackOptOut.objects.filter(customer=invitation.customer).exists()
    assert not FeedbackAnswer.objects.exists()


def test_the_survey_is_in_the_customers_language(client, agent, asking):
    customer = CustomerFactory(email="ola@example.no", preferred_language="nb")
    invitation = finished_request(agent, customer=customer).feedback_invitation
    page = client.get(survey_url(invitation), HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert '<html lang="nb">' in page


def test_the_form_is_csrf_protected(invitation):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(survey_url(invitation), ANSWER)
    assert response.status_code == 403
    assert not FeedbackAnswer.objects.exists()
