"""A customer answers the feedback survey from the link in their e-mail: no login, in their
language, by keyboard; a second visit keeps the first answer.

The Norwegian journey looks for the Norwegian texts of the survey: it passes once the nb
catalogue has them (locale/ is filled by the lead after merging; the msgids and proposed
translations are listed in the branch's report)."""

import pytest
from django.conf import settings
from django.urls import reverse
from playwright.sync_api import Browser, Page, expect

from feedback.models import FeedbackAnswer, FeedbackOptOut
from feedback.services import feedback_setting_save
from feedback.tokens import token_for
from requests_app.models import Channel, RequestType
from tests.browser.test_accessibility import HEIGHT, WIDTH, serious_violations
from tests.factories import CustomerFactory
from tests.feedback.helpers import finished_request

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NORWEGIAN = {
    "title": "Hvordan gjorde vi det?",
    "satisfaction": "Hvor fornøyd er du med hvordan vi behandlet henvendelsen din?",
    "effort": "Hvor enkelt var det å få saken din løst?",
    "recommend": "Hvor sannsynlig er det at du vil anbefale oss til en venn eller kollega?",
    "comment": "Er det noe du vil fortelle oss?",
    "opt_out": "Ikke spør meg om tilbakemelding igjen",
    "send": "Send svaret mitt",
    "thanks": "Takk",
    "answered_before": "Vi har allerede svaret ditt",
}


def survey_link(agent, supervisor, language: str) -> str:
    feedback_setting_save(
        request_type=RequestType.INFORMATION,
        channels=[Channel.PHONE],
        expected_version=1,
        user=supervisor,
    )
    customer = CustomerFactory(email="ola@example.no", preferred_language=language)
    request = finished_request(agent, customer=customer)
    return reverse("feedback:answer", args=[token_for(request.feedback_invitation.pk)])


def test_a_customer_answers_the_survey_in_norwegian(page: Page, live_server, agent, supervisor):
    link = survey_link(agent, supervisor, "nb")
    page.goto(live_server.url + link)
    expect(page.locator("html")).to_have_attribute("lang", "nb")
    expect(page.get_by_role("heading", level=1)).to_have_text(NORWEGIAN["title"])
    satisfaction = page.get_by_role("group", name=NORWEGIAN["satisfaction"])
    satisfaction.get_by_label("4", exact=True).check()
    page.get_by_role("group", name=NORWEGIAN["effort"]).get_by_label("6", exact=True).check()
    recommend = page.get_by_role("group", name=NORWEGIAN["recommend"])
    recommend.get_by_label("9", exact=True).check()
    page.get_by_label(NORWEGIAN["comment"]).fill("Rask og vennlig hjelp – takk!")
    page.get_by_role("button", name=NORWEGIAN["send"]).click()

    expect(page.get_by_role("heading", level=1)).to_have_text(NORWEGIAN["thanks"])
    answer = FeedbackAnswer.objects.get()
    assert (answer.satisfaction, answer.effort, answer.recommend) == (4, 6, 9)
    assert answer.comment == "Rask og vennlig hjelp – takk!"

    page.goto(live_server.url + link)
    expect(page.get_by_role("status")).to_contain_text(NORWEGIAN["answered_before"])


def test_the_survey_works_by_keyboard_keeps_what_was_typed_and_passes_axe(
    browser: Browser, live_server, agent, supervisor
):
    link = survey_link(agent, supervisor, settings.LANGUAGE_CODE)
    context = browser.new_context(bypass_csp=True, viewport={"width": WIDTH, "height": HEIGHT})
    tab = context.new_page()
    tab.goto(live_server.url + link)
    assert serious_violations(tab) == []

    # By keyboard: into the first scale, arrows choose, Tab leaves the group.
    satisfaction = tab.get_by_role(
        "group", name="How satisfied are you with how we handled your request?"
    )
    satisfaction.get_by_label("1", exact=True).focus()
    tab.keyboard.press("ArrowRight")
    tab.keyboard.press("ArrowRight")
    expect(tab.locator("#id_satisfaction_2")).to_be_checked()  # 3
    tab.get_by_label("Anything you would like to tell us?").fill("x" * 2001)
    tab.get_by_label("Don’t ask me for feedback again").check()
    tab.get_by_role("button", name="Send my answer").press("Enter")

    summary = tab.get_by_role("alert")
    expect(summary).to_contain_text("Anything you would like to tell us?")
    expect(tab.locator("#id_satisfaction_2")).to_be_checked()
    expect(tab.get_by_label("Don’t ask me for feedback again")).to_be_checked()
    assert serious_violations(tab) == []  # the page with its errors too
    summary.get_by_role("link").click()
    expect(tab.get_by_label("Anything you would like to tell us?")).to_be_focused()
    tab.keyboard.press("ControlOrMeta+a")
    tab.keyboard.type("Good")
    tab.get_by_role("button", name="Send my answer").click()

    expect(tab.get_by_role("heading", level=1)).to_have_text("Thank you")
    expect(tab.get_by_role("status")).to_contain_text("We will not ask you for feedback again.")
    answer = FeedbackAnswer.objects.get()
    assert (answer.satisfaction, answer.comment) == (3, "Good")
    assert FeedbackOptOut.objects.filter(customer=answer.invitation.customer).exists()
    context.close()
