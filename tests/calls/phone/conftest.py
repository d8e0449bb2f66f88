"""The real phone system for tests: Kamailio and rtpengine on loopback, on free ports, asking the
test's live server where calls go, and SIP parties (pjsua2, each in a process of its own) that
register, call, answer, play a tone and record what they hear.

Without Debian's phone packages (or pjsua2) the tests are skipped, unless REQUIRE_PHONE=1 (CI),
where a missing phone system is an error."""

import base64
import hashlib
import hmac
import math
import os
import random
import socket
import struct
import subprocess
import sys
import time
import wave
from contextlib import ExitStack, closing

import pytest

from calls.phone import config as phone_config
from calls.phone.system import sip_options_ping, wait_until

PHONE_SECRET = "test-phone-secret"
# The media service's processes (four calls each) in the tests.
MEDIA_WORKERS = 6
AUTH_SECRET = "test-phone-auth-secret"


def _require_phone():
    missing = phone_config.missing_packages()
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)} ({phone_config.install_command(missing)})")
    try:
        import pjsua2  # noqa: F401
    except ImportError:
        problems.append("pjsua2 is missing (.venv/bin/pip install pjsua2-python)")
    if not problems:
        return
    message = "the phone system is not installed: " + "; ".join(problems)
    if os.environ.get("REQUIRE_PHONE") == "1":
        pytest.fail("REQUIRE_PHONE=1 but " + message)
    pytest.skip(message)


def _port_is_free(port, host="127.0.0.1"):
    for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
        with closing(socket.socket(socket.AF_INET, kind)) as sock:
            try:
                sock.bind((host, port))
            except OSError:
                return False
    return True


def free_port(taken):
    """A port free for both UDP and TCP on loopback, not among taken (ports handed out before)."""
    for _ in range(200):
        port = random.randint(20000, 29999)
        if port not in taken and _port_is_free(port):
            taken.add(port)
            return port
    raise RuntimeError("no free port")


def free_ports_in_a_row(count, taken):
    """The first of count consecutive ports free for UDP and TCP on loopback."""
    for _ in range(200):
        first = random.randint(20000, 29999 - count)
        ports = range(first, first + count)
        if taken.isdisjoint(ports) and all(_port_is_free(p) for p in ports):
            taken.update(ports)
            return first
    raise RuntimeError("no free ports")


def free_port_range(size, taken):
    """size consecutive UDP ports free on loopback, for rtpengine's media."""
    for _ in range(100):
        start = random.randrange(40000, 60000 - size, 2)
        ports = range(start, start + size)
        if taken.isdisjoint(ports) and all(_port_is_free(p) for p in ports[::10]):
            taken.update(ports)
            return start, start + size - 1
    raise RuntimeError("no free port range")


def ephemeral_credentials(username, secret=AUTH_SECRET, seconds=3600):
    """The time-limited SIP credentials the application hands a logged-in agent."""
    auth_user = f"{int(time.time()) + seconds}:{username}"
    digest = hmac.new(secret.encode(), auth_user.encode(), hashlib.sha1).digest()
    return auth_user, base64.b64encode(digest).decode()


@pytest.fixture
def kamailio_asks(live_server):
    """Where Kamailio asks its routing questions: the live server (a test module that wants
    Kamailio to find no application overrides this)."""
    return live_server.url


@pytest.fixture
def phone_system(live_server, settings, tmp_path, kamailio_asks):
    """Kamailio and rtpengine started for this test against the live server, stopped after it.
    Their logs are printed at teardown (pytest shows them when the test fails)."""
    _require_phone()
    from calls.phone.system import PhoneSystem

    taken = set()
    rtp_min, rtp_max = free_port_range(60, taken)
    settings.PHONE_SECRET = PHONE_SECRET
    settings.PHONE_AUTH_SECRET = AUTH_SECRET
    settings.SIP_DOMAIN = "127.0.0.1"
    settings.SIP_HOST = "127.0.0.1"
    settings.SIP_PORT = free_port(taken)
    settings.SIP_WS_PORT = free_port(taken)
    settings.RTPENGINE_NG_PORT = free_port(taken)
    settings.MEDIA_SIP_PORT = free_ports_in_a_row(MEDIA_WORKERS, taken)
    settings.RTP_PORT_MIN, settings.RTP_PORT_MAX = rtp_min, rtp_max
    settings.PHONE_APP_URL = live_server.url
    settings.PHONE_RUN_DIR = tmp_path / "phone"
    settings.CALL_RECORDINGS_DIR = tmp_path / "recordings"
    config = phone_config.PhoneConfig.from_settings(
        debug_level=2,
        rtpengine_cli_port=free_port(taken),
        app_url=kamailio_asks,
        media_workers=MEDIA_WORKERS,
    )
    system = PhoneSystem(config, log_to_files=True)
    system.start()
    try:
        yield system
    finally:
        system.stop()
        for name in ("kamailio", "rtpengine"):
            print(f"----- {name}.log (end) -----")
            print(system.log(name)[-6000:])


@pytest.fixture
def parties(phone_system, tmp_path):
    """make(name, ...) starts a SIP party against the test's phone system; every party is
    stopped at teardown. register=True registers it with valid credentials; tone and a
    recording file (tmp_path/<name>.wav) come with every party."""
    from calls.phone.party import Party

    config = phone_system.config
    with ExitStack() as stack:

        def make(name, *, register=False, tone=None, credentials=None, record=True, **options):
            if register and credentials is None:
                credentials = ephemeral_credentials(name)
            auth_user, password = credentials or (None, None)
            party = Party(
                name,
                proxy=f"{config.sip_host}:{config.sip_port}",
                domain=options.pop("domain", config.sip_domain),
                auth_user=auth_user,
                password=password,
                register=register,
                tone=tone,
                record=tmp_path / f"{name}.wav" if record else None,
                log_path=tmp_path / f"{name}.log",
                **options,
            )
            party.recording = tmp_path / f"{name}.wav"
            made.append(party)
            return party

        made = []
        # Every party is told to quit first, then waited for: they take their leave at once.
        stack.callback(lambda: [party.close() for party in made])
        stack.callback(lambda: [party.quit() for party in made])
        yield make


HOLD_TONE = 880


@pytest.fixture(scope="session")
def prompts_dir(tmp_path_factory):
    """The media service's spoken prompts, rendered once for the tests of a process."""
    return tmp_path_factory.mktemp("prompts")


@pytest.fixture
def media_service(phone_system, settings, tmp_path, prompts_dir):
    """manage.py media_service for this test's phone system, with a steady 880 Hz tone as its
    hold music (so that a caller's recording tells music from agents), asking every 0.3 s."""
    music = tmp_path / "hold.wav"
    with wave.open(str(music), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(
            b"".join(
                struct.pack("<h", int(0.4 * 32767 * math.sin(2 * math.pi * HOLD_TONE * i / 8000)))
                for i in range(8000 * 4)
            )
        )
    env = {
        **os.environ,
        "DEBUG": "true",
        "PHONE_SECRET": settings.PHONE_SECRET,
        "PHONE_AUTH_SECRET": settings.PHONE_AUTH_SECRET,
        "SIP_DOMAIN": settings.SIP_DOMAIN,
        "SIP_HOST": settings.SIP_HOST,
        "SIP_PORT": str(settings.SIP_PORT),
        "MEDIA_SIP_PORT": str(settings.MEDIA_SIP_PORT),
        "PHONE_APP_URL": settings.PHONE_APP_URL,
        "PHONE_RUN_DIR": str(settings.PHONE_RUN_DIR),
        "PHONE_PROMPTS_DIR": str(prompts_dir),
    }
    log = open(tmp_path / "media.log", "wb")  # noqa: SIM115 - closed below
    process = subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "media_service",
            f"--music={music}",
            "--interval=0.3",
            f"--workers={MEDIA_WORKERS}",
        ],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_until(
            lambda: (
                process.poll() is None
                and all(
                    sip_options_ping(settings.SIP_HOST, settings.MEDIA_SIP_PORT + number) == 200
                    for number in range(MEDIA_WORKERS)
                )
            ),
            timeout=15,
            message="the media service answering SIP OPTIONS",
        )
        yield process
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
        log.close()
        print("----- media.log (end) -----")
        print((tmp_path / "media.log").read_text(errors="replace")[-4000:])
