"""Playing and downloading a call's recording: the agent who took the call and supervisors only
(another agent and managers get 403), each playback and download on record, never cached, and a
clear message rather than an error when the file is gone."""

import pytest
from django.urls import reverse

from callcenter import roles
from calls import recordings
from calls.models import RecordingAccess
from tests.calls.recording_files import call_with_recording
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db


@pytest.fixture
def recorded_call(settings, tmp_path, city_line, agent, phone_clock):
    """A call the agent took, recorded."""
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    return call_with_recording(
        "recorded", agent, city_line, phone_clock.now, settings.CALL_RECORDINGS_DIR, 1.0
    )


def page_url(call):
    return reverse("calls:call_recording", args=[call.pk])


def audio_url(call):
    return reverse("calls:call_recording_audio", args=[call.pk])


def test_the_agent_who_took_the_call_plays_it_and_the_playback_is_kept(
    client, agent, recorded_call
):
    client.force_login(agent)
    page = client.get(page_url(recorded_call))
    assert page.status_code == 200
    assert f'<audio controls preload="none" src="{audio_url(recorded_call)}">' in page.text
    assert not RecordingAccess.objects.exists(), "showing the player is not playing"

    audio = client.get(audio_url(recorded_call), headers={"Range": "bytes=0-"})
    assert audio.status_code == 200
    assert audio["Content-Type"] == "audio/mpeg"
    assert audio["Content-Disposition"].startswith("inline;")
    assert "no-store" in audio["Cache-Control"] and "private" in audio["Cache-Control"]
    path = recordings.stored_path(recorded_call.recording.file_name)
    assert b"".join(audio.streaming_content) == path.read_bytes()
    (access,) = RecordingAccess.objects.all()
    assert (access.call, access.user, access.use) == (recorded_call, agent, "play")


def test_a_download_is_an_attachment_and_kept_as_a_download(client, agent, recorded_call):
    client.force_login(agent)
    response = client.get(audio_url(recorded_call) + "?download=1")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert ".mp3" in response["Content-Disposition"]
    assert list(RecordingAccess.objects.values_list("use", flat=True)) == ["download"]


def test_the_rest_of_a_playback_the_browser_asks_for_is_not_another_playback(
    client, agent, recorded_call
):
    client.force_login(agent)
    client.get(audio_url(recorded_call), headers={"Range": "bytes=0-"})
    client.get(audio_url(recorded_call), headers={"Range": "bytes=1000-"})
    assert RecordingAccess.objects.count() == 1


def test_a_supervisor_plays_any_call_and_is_kept_on_record(client, supervisor, recorded_call):
    client.force_login(supervisor)
    assert client.get(page_url(recorded_call)).status_code == 200
    assert client.get(audio_url(recorded_call)).status_code == 200
    assert RecordingAccess.objects.get().user == supervisor


@pytest.mark.parametrize("who", ["colleague", "manager", "outsider"])
def test_anyone_else_is_refused_and_nothing_is_played(client, recorded_call, who, request):
    if who == "colleague":
        user = user_with_role(roles.AGENT, username="colleague")
    else:
        user = request.getfixturevalue(who)
    client.force_login(user)
    assert client.get(page_url(recorded_call)).status_code == 403
    assert client.get(audio_url(recorded_call)).status_code == 403
    assert client.get(audio_url(recorded_call) + "?download=1").status_code == 403
    assert not RecordingAccess.objects.exists()


def test_a_missing_file_is_a_clear_message_never_an_error(client, agent, recorded_call):
    recordings.stored_path(recorded_call.recording.file_name).unlink()
    client.force_login(agent)
    page = client.get(page_url(recorded_call))
    assert page.status_code == 200
    assert "The file of this recording is missing" in page.text
    assert "<audio controls" not in page.text
    assert client.get(audio_url(recorded_call)).status_code == 404
    assert not RecordingAccess.objects.exists()


def test_a_call_without_a_recording_says_so(client, agent, recorded_call):
    recorded_call.recording.delete()
    client.force_login(agent)
    page = client.get(page_url(recorded_call))
    assert page.status_code == 200
    assert "This call has no recording" in page.text
    assert client.get(audio_url(recorded_call)).status_code == 404


def test_the_player_alone_for_htmx(client, agent, recorded_call):
    client.force_login(agent)
    response = client.get(page_url(recorded_call), headers={"HX-Request": "true"})
    assert response.text.lstrip().startswith('<section class="card call-recording"')


def test_someone_signed_out_is_sent_to_sign_in(client, recorded_call):
    response = client.get(audio_url(recorded_call))
    assert response.status_code == 302
