"""The real phone system for tests: Kamailio and rtpengine on loopback, on free ports, asking the
tests' live server where calls go, the media service, and what starts, cleans and stops them
(the fixtures in tests/calls/conftest.py use these).

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
from contextlib import closing

import pytest

from calls.phone import config as phone_config
from calls.phone.system import PhoneSystem, rtpengine_terminate_all, sip_options_ping, wait_until

PHONE_SECRET = "test-phone-secret"
# The media service's processes (four calls each) in the tests.
MEDIA_WORKERS = 6
AUTH_SECRET = "test-phone-auth-secret"


def require_phone():
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


# How many UDP ports rtpengine relays audio on: a few calls' worth.
RTP_PORTS = 60


def start_phone_system(app_url, run_dir, rtp_ports=RTP_PORTS):
    """Kamailio and rtpengine on free loopback ports, asking app_url, with their files and logs
    in run_dir."""
    require_phone()
    taken = set()
    rtp_min, rtp_max = free_port_range(rtp_ports, taken)
    config = phone_config.PhoneConfig(
        sip_domain="127.0.0.1",
        sip_host="127.0.0.1",
        sip_port=free_port(taken),
        sip_ws_port=free_port(taken),
        rtpengine_ng_port=free_port(taken),
        rtp_port_min=rtp_min,
        rtp_port_max=rtp_max,
        media_sip_port=free_ports_in_a_row(MEDIA_WORKERS, taken),
        app_url=app_url,
        phone_secret=PHONE_SECRET,
        auth_secret=AUTH_SECRET,
        run_dir=run_dir / "phone",
        recordings_dir=run_dir / "recordings",
        debug_level=2,
        rtpengine_cli_port=free_port(taken),
        media_workers=MEDIA_WORKERS,
    )
    return PhoneSystem(config, log_to_files=True).start()


def use_phone_system(settings, system, app_url):
    """The test's settings name the phone system's ports, secrets and folders, and the
    application at app_url."""
    config = system.config
    settings.PHONE_SECRET = config.phone_secret
    settings.PHONE_AUTH_SECRET = config.auth_secret
    settings.SIP_DOMAIN = config.sip_domain
    settings.SIP_HOST = config.sip_host
    settings.SIP_PORT = config.sip_port
    settings.SIP_WS_PORT = config.sip_ws_port
    settings.RTPENGINE_NG_PORT = config.rtpengine_ng_port
    settings.MEDIA_SIP_PORT = config.media_sip_port
    settings.RTP_PORT_MIN, settings.RTP_PORT_MAX = config.rtp_port_min, config.rtp_port_max
    settings.PHONE_APP_URL = app_url
    settings.PHONE_RUN_DIR = config.run_dir
    settings.CALL_RECORDINGS_DIR = config.recordings_dir


def stop_phone_system(system):
    """Stops it and prints the end of its logs (pytest shows them when a test fails)."""
    system.stop()
    for name in ("kamailio", "rtpengine"):
        print(f"----- {name}.log (end) -----")
        print(system.log(name)[-6000:])


def kamailio_rpc(system, *command):
    """What Kamailio answers to an RPC command (kamcmd over its control socket)."""
    socket_path = f"unix:{system.config.run_dir}/kamailio_ctl"
    done = subprocess.run(
        ["kamcmd", "-s", socket_path, *command], capture_output=True, text=True, timeout=5
    )
    if done.returncode != 0:
        raise RuntimeError(f"kamcmd {' '.join(command)}: {done.stderr or done.stdout}")
    return done.stdout


def is_idle(system):
    """True when Kamailio has no call in progress and no call event left to post."""
    dialogs = kamailio_rpc(system, "dlg.stats_active")
    events = kamailio_rpc(system, "mqueue.get_size", "events")
    return "all: 0" in dialogs and "size: 0" in events


def settle(system, timeout=10):
    """Waits until the calls of the test before have ended and their events were posted (so
    that none reaches this test's database), then forgets every registration (the next test's
    users have the same names). False when the system did not settle: it must be restarted."""
    try:
        wait_until(lambda: is_idle(system), timeout, interval=0.1, message="the phone system idle")
    except TimeoutError:
        rtpengine_terminate_all(system.config.rtpengine_cli_port_or_default)
        return False
    for line in kamailio_rpc(system, "ul.dump", "brief").splitlines():
        name, _, aor = line.strip().partition(": ")
        if name == "AoR":
            kamailio_rpc(system, "ul.rm", "location", aor)
    return True


HOLD_TONE = 880


def write_hold_tone(path):
    """A steady 880 Hz tone as hold music, so that a caller's recording tells music from agents."""
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(8000)
        wav.writeframes(
            b"".join(
                struct.pack("<h", int(0.4 * 32767 * math.sin(2 * math.pi * HOLD_TONE * i / 8000)))
                for i in range(8000 * 4)
            )
        )
    return path


class MediaService:
    """manage.py media_service for a phone system, with HOLD_TONE as its hold music, asking the
    application at app_url every 0.3 s; its log in the phone system's run directory, its spoken
    prompts in prompts_dir (rendered once for all the tests of a process)."""

    def __init__(self, system, app_url, prompts_dir):
        self.system = system
        config = system.config
        self.log_path = config.run_dir / "media.log"
        music = write_hold_tone(config.run_dir / "hold.wav")
        env = {
            **os.environ,
            "DEBUG": "true",
            "PHONE_SECRET": config.phone_secret,
            "PHONE_AUTH_SECRET": config.auth_secret,
            "SIP_DOMAIN": config.sip_domain,
            "SIP_HOST": config.sip_host,
            "SIP_PORT": str(config.sip_port),
            "MEDIA_SIP_PORT": str(config.media_sip_port),
            "PHONE_APP_URL": app_url,
            "PHONE_RUN_DIR": str(config.run_dir),
            "PHONE_PROMPTS_DIR": str(prompts_dir),
        }
        self.log = open(self.log_path, "ab")  # noqa: SIM115 - closed in stop()
        self.process = subprocess.Popen(
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
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            wait_until(self.answers, timeout=30, message="the media service answering SIP OPTIONS")
        except BaseException:
            self.stop()
            raise

    def answers(self):
        config = self.system.config
        return self.process.poll() is None and all(
            sip_options_ping(config.sip_host, config.media_sip_port + number) == 200
            for number in range(MEDIA_WORKERS)
        )

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        self.log.close()
        print("----- media.log (end) -----")
        print(self.log_path.read_text(errors="replace")[-4000:])


class WorkerPhone:
    """One phone system and media service for all the tests of a test process, started when a
    test first needs them (2-3 s each) and handed from test to test settled: no call left, no
    event left to post, no registration left. One that does not settle is started anew."""

    def __init__(self, app_url, run_dir):
        self.app_url = app_url
        self.run_dir = run_dir
        self.prompts_dir = run_dir / "prompts"
        self.system = None
        self.media = None
        self.log_offsets = {}

    def phone_system(self):
        if self.system is not None and not settle(self.system):
            print("----- the phone system did not settle after the test before: restarted -----")
            self.stop()
        if self.system is None:
            self.system = start_phone_system(self.app_url, self.run_dir)
        self.log_offsets = {name: len(self.system.log(name)) for name in ("kamailio", "rtpengine")}
        return self.system

    def media_service(self):
        if self.media is None:
            self.media = MediaService(self.system, self.app_url, self.prompts_dir)
        return self.media

    def after_test(self):
        """Prints what the phone system logged during the test (shown when it fails) and waits
        for the test's calls to end, so that their last events reach this test's database."""
        for name, offset in self.log_offsets.items():
            print(f"----- {name}.log (this test) -----")
            print(self.system.log(name)[offset:][-6000:])
        if not settle(self.system):
            print("----- calls still up after the test: the phone system is restarted -----")
            self.stop()

    def stop(self):
        if self.media is not None:
            self.media.stop()
            self.media = None
        if self.system is not None:
            stop_phone_system(self.system)
            self.system = None
