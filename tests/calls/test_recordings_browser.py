"""The recording plays in a real Chromium: the page's <audio controls> loads the MP3 the server
made (allowed by the page's security policy, decoded by the browser), and the playback is kept on
record."""

import pytest
from django.urls import reverse
from playwright.sync_api import Page, expect

from calls.models import RecordingAccess
from tests.browser.test_catalogue_journeys import log_in
from tests.calls.recording_files import call_with_recording

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_agent_plays_the_recording_in_the_browser(
    page: Page, live_server, agent, city_line, phone_clock, settings, tmp_path
):
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    call = call_with_recording(
        "played", agent, city_line, phone_clock.now, settings.CALL_RECORDINGS_DIR, 3.0
    )
    log_in(page, live_server, "agent")

    page.goto(f"{live_server.url}{reverse('calls:call_recording', args=[call.pk])}")
    player = page.locator("#call-recording audio[controls]")
    expect(player).to_be_visible()
    assert not RecordingAccess.objects.exists()
    duration = player.evaluate(
        """audio => new Promise((resolve, reject) => {
            audio.muted = true;
            audio.addEventListener("playing", () => resolve(audio.duration), {once: true});
            audio.addEventListener("error", () => reject(audio.error && audio.error.code));
            audio.play().catch(reject);
        })"""
    )
    assert duration == pytest.approx(3.0, abs=0.2)
    access = RecordingAccess.objects.get()
    assert (access.user, access.use, access.call) == (agent, "play", call)
