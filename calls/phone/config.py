"""The phone system's configuration, written from the settings: Kamailio's configuration file and
rtpengine's command line. Nothing here starts a process (calls.phone.system does)."""

import shutil
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

TEMPLATE = Path(__file__).with_name("kamailio.cfg.in")
KAMAILIO_MODULES = Path("/usr/lib/x86_64-linux-gnu/kamailio/modules")

# Debian's packages the phone system needs, for the message that says how to install them.
PACKAGES = (
    "kamailio",
    "kamailio-websocket-modules",
    "kamailio-utils-modules",
    "kamailio-json-modules",
    "kamailio-extra-modules",
    "kamailio-autheph-modules",
    "rtpengine-daemon",
    "rtpengine-recording-daemon",
    "rtpengine-utils",
    "espeak-ng",
)
# What each package brings that the configuration uses, to find out which are missing.
REQUIRED_FILES = {
    "kamailio": "/usr/sbin/kamailio",
    "kamailio-websocket-modules": KAMAILIO_MODULES / "websocket.so",
    "kamailio-utils-modules": KAMAILIO_MODULES / "http_client.so",
    "kamailio-json-modules": KAMAILIO_MODULES / "jansson.so",
    "kamailio-extra-modules": KAMAILIO_MODULES / "mqueue.so",
    "kamailio-autheph-modules": KAMAILIO_MODULES / "auth_ephemeral.so",
    "rtpengine-daemon": "/usr/bin/rtpengine",
    # The media service's spoken prompts.
    "espeak-ng": "/usr/bin/espeak-ng",
}

# rtpengine's flags by what the audio goes to: a browser needs ICE and DTLS-SRTP, a SIP phone
# (and the media service) plain RTP.
FLAGS_TO_BROWSER = (
    "ICE=force DTLS=passive RTP/SAVPF rtcp-mux-offer generate-mid SDES-off replace-origin"
)
FLAGS_TO_PHONE = "ICE=remove RTP/AVP rtcp-mux-demux replace-origin"
# The answer to a browser's own offer (its call out, its hold): the protocol it offered
# (DTLS-SRTP), its bundled RTCP accepted, and rtpengine the DTLS client it became on the offer
# (turned server by the answer, it waits for a handshake the browser never starts).
FLAGS_ANSWER_TO_BROWSER = "ICE=force UDP/TLS/RTP/SAVPF rtcp-mux-accept SDES-off replace-origin"


def install_command(packages=PACKAGES):
    return "apt-get install -y --no-install-recommends " + " ".join(packages)


def missing_packages():
    """The packages whose programs or modules are not on this machine, in install order."""
    return [name for name, path in REQUIRED_FILES.items() if not Path(path).exists()]


def kamailio_binary():
    return shutil.which("kamailio") or "/usr/sbin/kamailio"


def rtpengine_binary():
    return shutil.which("rtpengine") or "/usr/bin/rtpengine"


@dataclass
class PhoneConfig:
    """Everything the phone system's processes are started with; from the settings by default,
    overridden by tests (free ports, the live server's address)."""

    sip_domain: str
    sip_host: str
    sip_port: int
    sip_ws_port: int
    rtpengine_ng_port: int
    rtp_port_min: int
    rtp_port_max: int
    media_sip_port: int
    app_url: str
    phone_secret: str
    auth_secret: str
    run_dir: Path
    recordings_dir: Path
    debug_level: int = 1
    # libcurl counts whole seconds: the least there is.
    http_timeout_seconds: int = 1
    max_attempts: int = 10
    event_poll_us: int = 5000
    # The media service's processes, on SIP ports media_sip_port, media_sip_port + 1, ...
    media_workers: int = 4
    # rtpengine's command-line interface (rtpengine-ctl); next to its control port by default.
    rtpengine_cli_port: int | None = None
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_settings(cls, **overrides):
        values = {
            "sip_domain": settings.SIP_DOMAIN,
            "sip_host": settings.SIP_HOST,
            "sip_port": settings.SIP_PORT,
            "sip_ws_port": settings.SIP_WS_PORT,
            "rtpengine_ng_port": settings.RTPENGINE_NG_PORT,
            "rtp_port_min": settings.RTP_PORT_MIN,
            "rtp_port_max": settings.RTP_PORT_MAX,
            "media_sip_port": settings.MEDIA_SIP_PORT,
            "app_url": settings.PHONE_APP_URL,
            "phone_secret": settings.PHONE_SECRET,
            "auth_secret": settings.PHONE_AUTH_SECRET,
            "run_dir": Path(settings.PHONE_RUN_DIR),
            "media_workers": getattr(settings, "MEDIA_WORKERS", 4),
            "recordings_dir": Path(settings.CALL_RECORDINGS_DIR),
        }
        values.update(overrides)
        return cls(**values)

    @property
    def rtpengine_cli_port_or_default(self):
        return self.rtpengine_cli_port or self.rtpengine_ng_port + 1

    @property
    def kamailio_cfg_path(self):
        return self.run_dir / "kamailio.cfg"

    def kamailio_cfg(self):
        values = {
            "DEBUG_LEVEL": str(self.debug_level),
            "SIP_DOMAIN": _cfg_string(self.sip_domain),
            "SIP_HOST": self.sip_host,
            "SIP_PORT": str(self.sip_port),
            "SIP_WS_PORT": str(self.sip_ws_port),
            "MEDIA_SIP_PORT": str(self.media_sip_port),
            "MEDIA_WORKERS": str(self.media_workers),
            "RTPENGINE_NG_PORT": str(self.rtpengine_ng_port),
            "APP_URL": _cfg_string(self.app_url.rstrip("/")),
            "PHONE_SECRET": _cfg_string(self.phone_secret),
            "PHONE_AUTH_SECRET": _cfg_string(self.auth_secret),
            "RUN_DIR": _cfg_string(str(self.run_dir)),
            "MODULES_DIR": str(KAMAILIO_MODULES) + "/",
            "HTTP_TIMEOUT": str(self.http_timeout_seconds),
            "MAX_ATTEMPTS": str(self.max_attempts),
            "EVENT_POLL_US": str(self.event_poll_us),
            "FLAGS_TO_BROWSER": FLAGS_TO_BROWSER,
            "FLAGS_TO_PHONE": FLAGS_TO_PHONE,
            "FLAGS_ANSWER_TO_BROWSER": FLAGS_ANSWER_TO_BROWSER,
        }
        text = TEMPLATE.read_text()
        for name, value in values.items():
            text = text.replace(f"@@{name}@@", value)
        if "@@" in text:
            raise ValueError("kamailio.cfg.in has a placeholder config.py does not fill")
        return text

    def rtpengine_args(self):
        return [
            rtpengine_binary(),
            # Not Debian's /etc/rtpengine/rtpengine.conf: it adds listeners (HTTP on 2225) and
            # settings of its own to whatever is given here.
            "--config-file=none",
            "--foreground",
            "--log-stderr",
            "--log-level=5",
            "--table=-1",
            f"--interface={self.sip_host}",
            f"--listen-ng=127.0.0.1:{self.rtpengine_ng_port}",
            f"--listen-cli=127.0.0.1:{self.rtpengine_cli_port_or_default}",
            f"--port-min={self.rtp_port_min}",
            f"--port-max={self.rtp_port_max}",
            f"--pidfile={self.run_dir / 'rtpengine.pid'}",
            f"--recording-dir={self.recordings_dir}",
            "--recording-method=pcap",
            "--recording-format=eth",
            "--delete-delay=0",
            "--timeout=60",
            "--silent-timeout=3600",
        ]

    def kamailio_args(self):
        return [
            kamailio_binary(),
            "-DD",
            "-E",
            "-f",
            str(self.kamailio_cfg_path),
            "-Y",
            str(self.run_dir),
            "-P",
            str(self.run_dir / "kamailio.pid"),
            "-m",
            "64",
            "-M",
            "8",
        ]

    def write(self):
        """Writes Kamailio's configuration into the run directory (readable by its owner only:
        it holds the secrets)."""
        self.run_dir.mkdir(parents=True, exist_ok=True)
        self.recordings_dir.mkdir(parents=True, exist_ok=True)
        path = self.kamailio_cfg_path
        path.touch(mode=0o600, exist_ok=True)
        path.chmod(0o600)
        path.write_text(self.kamailio_cfg())
        (self.run_dir / "media-service.list").write_text(
            "".join(
                f"1 sip:{self.sip_host}:{port}\n"
                for port in range(self.media_sip_port, self.media_sip_port + self.media_workers)
            )
        )
        return path


def _cfg_string(value):
    """A value for inside a double-quoted string of Kamailio's configuration."""
    value = str(value)
    if any(char in value for char in '"\\\r\n$'):
        raise ValueError(f"{value!r}: quotes, backslashes, dollars and line breaks are not allowed")
    return value
