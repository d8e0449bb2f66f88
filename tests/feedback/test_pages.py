"""The supervisors' pages: which requests ask for feedback, and the customers' comments."""

import pytest
from django.urls import reverse

from feedback.models import FeedbackSetting
from requests_app.models import RequestType

pytestmark = pytest.mark.django_db


def test_a_supervisor_chooses_the_channels_of_a_type(client, supervisor):
    client.force_login(supervisor)
    url = reverse("feedback:settings")
    assert client.get(url).status_code == 200
    response = client.post(
        url, {"request_type": RequestType.ACTION, "version": "1", "channels": ["web", "phone"]}
    )
    assert response.status_code == 302
    setting = FeedbackSetting.objects.get(request_type=RequestType.ACTION)
    assert setting.channels == ["phone", "web"]
    assert setting.updated_by == supervisor


def test_a_channel_not_listed_is_refused_by_name(client, supervisor):
    client.force_login(supervisor)
    response = client.post(
        reverse("feedback:settings"),
        {"request_type": RequestType.ACTION, "version": "1", "channels": ["pigeon"]},
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not FeedbackSetting.objects.exists()


def test_a_setting_changed_meanwhile_is_not_overwritten(client, supervisor):
    client.force_login(supervisor)
    url = reverse("feedback:settings")
    client.post(url, {"request_type": "action", "version": "1", "channels": ["web"]})
    response = client.post(url, {"request_type": "action", "version": "1", "channels": ["fax"]})
    assert "Someone else changed this setting meanwhile" in response.content.decode()
    assert FeedbackSetting.objects.get().channels == ["web"]


@pytest.mark.parametrize("role", ["agent", "manager", "administrator"])
def test_only_supervisors_keep_the_settings(client, role, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("feedback:settings")).status_code == 403


@pytest.mark.parametrize(
    ("role", "status"), [("supervisor", 200), ("manager", 200), ("agent", 403)]
)
def test_comments_are_for_supervisors_and_managers(client, role, status, request):
    client.force_login(request.getfixturevalue(role))
    assert client.get(reverse("feedback:comment_list")).status_code == status


@pytest.mark.parametrize(
    "query",
    [
        {"department": "99999999999999999999999"},
        {"department": "abc"},
        {"first_day": "0001-01-01"},
        {"satisfaction": "9"},
        {"text": "\x00"},
        {"page": "²"},
    ],
)
def test_hostile_filters_never_fail(client, supervisor, query):
    client.force_login(supervisor)
    assert client.get(reverse("feedback:comment_list"), query).status_code == 200
