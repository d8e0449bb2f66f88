"""What the phone system sends, checked before anything reads it: every parameter of a routing
question and every field of an event, refused with the parameter's name when it is missing,
too long, of the wrong type, or holds what a database cannot store (control characters, lone
surrogates). The views answer such a refusal with 400; nothing the phone system (or anyone
who knows the secret) sends may end in a server error."""

import ipaddress
import json
import math
from dataclasses import dataclass
from datetime import datetime

from callcenter.inputs import CONTROL_CHARACTERS
from calls.models import NUMBER_TEXT
from calls.services import event_time

CALL_ID_TEXT = 255
USERNAME_TEXT = 150
QUEUE_TEXT = 120
MAX_ATTEMPT = 1_000
# Event times a call center deals in (Unix seconds): 2000-01-01 to 2999-12-31.
EARLIEST_EVENT = 946_684_800
LATEST_EVENT = 32_503_593_600
EVENT_MAX_BYTES = 8 * 1024
# A caller's message: at most this long, recorded by the media service as 8 kHz 16-bit WAV.
VOICEMAIL_MAX_SECONDS = 120
VOICEMAIL_MAX_BYTES = VOICEMAIL_MAX_SECONDS * 8000 * 2 + 4096


class BadInput(Exception):
    def __init__(self, parameter: str, problem: str):
        super().__init__(f"{parameter}: {problem}")
        self.parameter = parameter
        self.problem = problem

    def as_json(self) -> dict:
        return {"error": f"{self.parameter}: {self.problem}", "parameter": self.parameter}


def text(value, name: str, max_length: int, *, required: bool = False) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise BadInput(name, "must be a string")
    value = value.strip()
    if required and not value:
        raise BadInput(name, "is required")
    if len(value) > max_length:
        raise BadInput(name, f"is longer than {max_length} characters")
    if CONTROL_CHARACTERS.search(value):
        raise BadInput(name, "holds control characters")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(name, "is not valid text") from None
    return value


def whole_number(value, name: str, low: int, high: int, *, default: int | None = None) -> int:
    if value is None and default is not None:
        return default
    if isinstance(value, str) and value.isascii() and value.strip().isdigit():
        value = int(value.strip()) if len(value.strip()) <= 12 else high + 1
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadInput(name, "must be a whole number")
    if not low <= value <= high:
        raise BadInput(name, f"must be between {low} and {high}")
    return value


@dataclass(frozen=True)
class RouteQuestion:
    call_id: str
    from_number: str
    to_number: str
    source: str
    attempt: int
    # Whether the phone system checked the caller's credentials: only then is `from` a user.
    authenticated: bool
    # The user a call made on a transfer (REFER) names as who transferred it (Referred-By).
    referred_by: str = ""
    # Whether the media service has played the queue's recording announcement to the caller.
    announced: bool = False


def route_question(query) -> RouteQuestion:
    source = text(query.get("source"), "source", 64, required=True)
    try:
        ipaddress.ip_address(source)
    except ValueError:
        raise BadInput("source", "is not an IP address") from None
    return RouteQuestion(
        call_id=text(query.get("call_id"), "call_id", CALL_ID_TEXT, required=True),
        from_number=text(query.get("from"), "from", NUMBER_TEXT),
        to_number=text(query.get("to"), "to", NUMBER_TEXT, required=True),
        source=source,
        attempt=whole_number(query.get("attempt"), "attempt", 1, MAX_ATTEMPT),
        authenticated=whole_number(query.get("authenticated"), "authenticated", 0, 1, default=0)
        == 1,
        referred_by=text(query.get("referred_by"), "referred_by", USERNAME_TEXT),
        announced=whole_number(query.get("announced"), "announced", 0, 1, default=0) == 1,
    )


@dataclass(frozen=True)
class Voicemail:
    call_id: str
    at: datetime


def voicemail(query) -> Voicemail:
    """The parameters of a caller's message the media service sends (its audio is the body)."""
    try:
        at = float(query.get("at", ""))
    except ValueError:
        raise BadInput("at", "must be a Unix time in seconds") from None
    return Voicemail(
        call_id=text(query.get("call_id"), "call_id", CALL_ID_TEXT, required=True), at=moment(at)
    )


def _refuse_constant(name: str):
    raise ValueError(f"{name} is not a number")


def event_fields(body: bytes) -> dict:
    """The keyword arguments of calls.services.call_event_record for an event's JSON body."""
    try:
        data = json.loads(body.decode("utf-8"), parse_constant=_refuse_constant)
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise BadInput("body", "is not JSON") from None
    if not isinstance(data, dict):
        raise BadInput("body", "must be a JSON object")
    return {
        "call_id": text(data.get("call_id"), "call_id", CALL_ID_TEXT, required=True),
        "event": text(data.get("event"), "event", 20, required=True),
        "at": moment(data.get("at")),
        "from_number": text(data.get("from"), "from", NUMBER_TEXT),
        "to_number": text(data.get("to"), "to", NUMBER_TEXT),
        "username": text(data.get("user"), "user", USERNAME_TEXT),
        "code": whole_number(data.get("code"), "code", 0, 999, default=0),
        "queue_name": text(data.get("queue"), "queue", QUEUE_TEXT),
    }


def moment(value) -> datetime:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadInput("at", "must be a Unix time in seconds")
    try:
        seconds = float(value)
    except OverflowError:
        raise BadInput("at", "is out of range") from None
    if not math.isfinite(seconds) or not EARLIEST_EVENT <= seconds <= LATEST_EVENT:
        raise BadInput("at", "is out of range")
    return event_time(seconds)


def sip_password_question(data) -> tuple[str, str]:
    """Kamailio's question for a desk phone's password hash: the username and the realm (its SIP
    domain) the phone answers the challenge with."""
    return (
        text(data.get("username"), "username", USERNAME_TEXT, required=True),
        text(data.get("realm"), "realm", 255, required=True),
    )
