"""manage.py phone_system on a machine without the phone packages, and the configuration it
writes."""

from io import StringIO

import pytest
from django.core.management import call_command

from calls.phone import config as phone_config


@pytest.fixture
def without_kamailio(monkeypatch, tmp_path):
    files = dict(phone_config.REQUIRED_FILES)
    files["kamailio"] = tmp_path / "no-kamailio-here"
    monkeypatch.setattr(phone_config, "REQUIRED_FILES", files)


def test_without_the_packages_calls_are_off_and_the_command_says_how_to_install(without_kamailio):
    out = StringIO()
    call_command("phone_system", stdout=out)
    assert out.getvalue().startswith("calls are off: kamailio not installed, install with: ")
    assert "apt-get install -y --no-install-recommends kamailio " in out.getvalue()
    assert "rtpengine-daemon" in out.getvalue()


def test_check_exits_with_an_error_without_the_packages(without_kamailio):
    with pytest.raises(SystemExit) as exit_:
        call_command("phone_system", "--check", stdout=StringIO())
    assert exit_.value.code == 1


def test_the_configuration_comes_from_the_settings(settings, tmp_path):
    settings.SIP_PORT = 25060
    settings.SIP_WS_PORT = 25066
    settings.PHONE_APP_URL = "http://127.0.0.1:8123/"
    settings.PHONE_SECRET = "s3cret"
    settings.PHONE_AUTH_SECRET = "auth-s3cret"
    settings.PHONE_RUN_DIR = tmp_path / "run"
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    config = phone_config.PhoneConfig.from_settings()

    path = config.write()

    text = path.read_text()
    assert "listen=udp:127.0.0.1:25060" in text
    assert "listen=tcp:127.0.0.1:25060" in text
    assert "listen=tcp:127.0.0.1:25066" in text
    assert '"http://127.0.0.1:8123/calls/phone/route/?call_id="' in text
    assert "X-Phone-Secret: s3cret" in text
    assert 'modparam("auth_ephemeral", "secret", "auth-s3cret")' in text
    assert "@@" not in text
    assert path.stat().st_mode & 0o077 == 0, "the configuration holds secrets"
    assert f"--recording-dir={tmp_path / 'recordings'}" in config.rtpengine_args()


def test_a_secret_that_would_break_the_configuration_is_refused(settings, tmp_path):
    settings.PHONE_SECRET = 'with "quotes"'
    settings.PHONE_RUN_DIR = tmp_path / "run"
    with pytest.raises(ValueError, match="quotes"):
        phone_config.PhoneConfig.from_settings().kamailio_cfg()


def test_without_the_packages_the_media_service_says_waiting_calls_are_off(without_kamailio):
    out = StringIO()
    call_command("media_service", stdout=out)
    assert out.getvalue().startswith("waiting calls are off: kamailio not installed")
