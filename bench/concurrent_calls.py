"""Many recorded calls at once through the real phone system on loopback: CALLS callers on the
trunk (pjsua2 parties playing 660 Hz) dial the city line (311) at the same moment, into a queue of
as many agents (pjsua2 parties playing 440 Hz, registered with their desk phones' SIP passwords,
answering at once); every call is recorded by rtpengine and held HOLD seconds. With the media
service: a call whose routing question is not answered in time (libcurl's 1 s, twice) waits there
with music and is joined to an agent from there, as in production.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db> DEBUG=true \\
        .venv/bin/pytest -q -s -p no:cacheprovider bench/concurrent_calls.py

BENCH_CALLS (default 50), BENCH_HOLD_SECONDS (default 30) and BENCH_RAMP_SECONDS (over how
long the calls are placed; default 0, all in the same moment) change the load. Prints the call
setup times (the caller's INVITE to its 200 OK, the parties' own clocks), rtpengine's figures
for every call in the middle of the hold (ng `query`: packets, bytes and errors per leg, and the
packet loss the parties' RTCP reports) and its totals (ng `statistics`),
the machine's load, and what each call's recording holds (which tones, how many seconds).
Nothing here asserts a time; it fails when a call is not set up, not answered by an agent, or
not recorded with both voices.
"""

import os
import random
import socket
import statistics
import time
import uuid

import pytest

from callcenter import roles
from calls.models import Call, Outcome, QueueMember, State
from calls.phone.audio import heard, seconds_of_audio
from calls.phone.recordings import recording_of, write_wavs
from calls.phone.system import wait_until
from calls.services import agent_state_set, sip_password_generate
from tests.calls.conftest import (  # noqa: F401 - fixtures
    city_line,
    kamailio_asks,
    local_trunk,
    media_service,
    parties,
    phone_system,
    worker_phone,
)
from tests.factories import user_with_role

pytestmark = pytest.mark.django_db(transaction=True)

CALLS = int(os.environ.get("BENCH_CALLS", "50"))
HOLD_SECONDS = float(os.environ.get("BENCH_HOLD_SECONDS", "30"))
# Over how many seconds the calls are placed (0: all in the same moment).
RAMP_SECONDS = float(os.environ.get("BENCH_RAMP_SECONDS", "0"))
CALLER_TONE, AGENT_TONE = 660, 440


@pytest.fixture
def rtp_ports():
    """Four ports a call leg (RTP and RTCP on both sides), two legs a call, and room."""
    return max(60, CALLS * 10)


def percentile(values, share):
    values = sorted(values)
    return values[min(len(values) - 1, round(share * (len(values) - 1)))]


def summary(name, values, unit="ms"):
    print(
        f"{name:<44} n={len(values):<4} median {statistics.median(values):8.2f} {unit}"
        f"  p95 {percentile(values, 0.95):8.2f} {unit}  max {max(values):8.2f} {unit}"
    )


# rtpengine's control protocol (ng): bencoded dictionaries over UDP ------------------------------


def bencode(value) -> bytes:
    if isinstance(value, int):
        return b"i%de" % value
    if isinstance(value, str):
        value = value.encode()
    if isinstance(value, bytes):
        return b"%d:%s" % (len(value), value)
    if isinstance(value, list):
        return b"l" + b"".join(bencode(item) for item in value) + b"e"
    return b"d" + b"".join(bencode(k) + bencode(v) for k, v in sorted(value.items())) + b"e"


def bdecode(data: bytes, at: int = 0):
    """The value at `at` and where the next one starts."""
    kind = data[at : at + 1]
    if kind == b"i":
        end = data.index(b"e", at)
        return int(data[at + 1 : end]), end + 1
    if kind in (b"l", b"d"):
        items, at = [], at + 1
        while data[at : at + 1] != b"e":
            item, at = bdecode(data, at)
            items.append(item)
        if kind == b"l":
            return items, at + 1
        return dict(zip(items[::2], items[1::2], strict=True)), at + 1
    colon = data.index(b":", at)
    length = int(data[at:colon])
    text = data[colon + 1 : colon + 1 + length]
    return text.decode(errors="replace"), colon + 1 + length


def ng(port, command, **values):
    cookie = uuid.uuid4().hex[:10]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(5)
        sock.sendto(
            cookie.encode() + b" " + bencode({"command": command, **values}),
            ("127.0.0.1", port),
        )
        data, _ = sock.recvfrom(1 << 20)
    answer, _ = bdecode(data, len(cookie) + 1)
    return answer


def call_figures(answer):
    """Per call, from an ng `query` answer: RTP packets, bytes and errors (all legs), and the
    packets lost and worst MOS from the SSRCs' RTCP reports."""
    rtp = answer.get("totals", {}).get("RTP", {})
    lost, mos = 0, []
    for ssrc in answer.get("SSRC", {}).values():
        for key, value in ssrc.items():
            if key.startswith("lowest") and isinstance(value, dict) and "MOS" in value:
                mos.append(value["MOS"] / 10)
        lost += ssrc.get("highest", {}).get("packet loss", 0)
    return {
        "packets": rtp.get("packets", 0),
        "bytes": rtp.get("bytes", 0),
        "errors": rtp.get("errors", 0),
        "lost": lost,
        "mos": min(mos) if mos else None,
    }


# The benchmark --------------------------------------------------------------------------------


def agents_on_the_line(queue, make_party, count):
    queue.wrap_up_seconds = 0
    queue.ring_seconds = 20
    queue.max_wait_seconds = 600
    queue.record = True
    queue.save()
    phones = []
    for number in range(count):
        username = f"311-desk{number:02d}"
        user = user_with_role(roles.AGENT, username=username)
        QueueMember.objects.create(queue=queue, user=user, skill=3)
        password = sip_password_generate(user=user, actor=user)
        agent_state_set(user=user, state=State.AVAILABLE)
        phones.append(registered_phone(make_party, username, password))
    return phones


def registered_phone(make_party, username, password, tries=3):
    """A desk phone registered as the agent. Under load the application may not answer
    Kamailio's question for the password's hash in time (503): as a phone would, it tries again
    (the test party does not retry on its own, so a new one does)."""
    for _ in range(tries):
        phone = make_party(
            username,
            register=True,
            credentials=(username, password),
            tone=AGENT_TONE,
            auto_answer=True,
            record=False,
        )
        event = phone.wait_for("registered", "registration_failed", timeout=30)
        if event["event"] == "registered":
            return phone
        assert event["code"] == 503, event
        phone.quit()
    raise AssertionError(f"{username}: not registered in {tries} tries")


def test_concurrent_recorded_calls(
    parties,  # noqa: F811
    city_line,  # noqa: F811
    local_trunk,  # noqa: F811
    media_service,  # noqa: F811
    phone_system,  # noqa: F811
    settings,
    tmp_path,
):
    settings.QUEUE_RETRY_SECONDS = (0.5, 0.5, 0.5)
    config = phone_system.config
    started = time.monotonic()
    agents_on_the_line(city_line, parties, CALLS)
    print(
        f"\n{CALLS} agents registered (desk-phone passwords) in {time.monotonic() - started:.1f} s"
    )
    callers = [
        parties(
            f"caller{number:02d}",
            user=f"+4930555{number:04d}",
            domain="pstn.example",
            tone=CALLER_TONE,
            record=False,
        )
        for number in range(CALLS)
    ]
    load_before = os.getloadavg()[0]

    for caller in random.sample(callers, len(callers)):
        caller.call("sip:311@127.0.0.1")
        time.sleep(RAMP_SECONDS / CALLS)

    calling = {c.name: c.wait_for("calling", timeout=30) for c in callers}
    answered = {c.name: c.wait_for("confirmed", "disconnected", timeout=60) for c in callers}
    refused = {name: event for name, event in answered.items() if event["event"] != "confirmed"}
    assert not refused, refused
    setup = [(answered[name]["at"] - calling[name]["at"]) * 1000 for name in calling]
    call_ids = [calling[c.name]["call_id"] for c in callers]
    print(f"{CALLS} calls placed over {RAMP_SECONDS:.0f} s, recorded; held {HOLD_SECONDS:.0f} s")
    summary("caller's INVITE to 200 OK", setup)

    time.sleep(HOLD_SECONDS / 2)
    load_during = os.getloadavg()[0]
    figures = [
        call_figures(ng(config.rtpengine_ng_port, "query", **{"call-id": c})) for c in call_ids
    ]
    totals_mid = ng(config.rtpengine_ng_port, "statistics")
    time.sleep(HOLD_SECONDS / 2)

    for caller in callers:
        caller.hangup()
    for caller in callers:
        caller.wait_for("disconnected", timeout=30)
    totals = ng(config.rtpengine_ng_port, "statistics")

    print(f"load average (1 min): {load_before:.1f} before, {load_during:.1f} in the hold")
    summary("RTP packets per call (mid-hold, all legs)", [f["packets"] for f in figures], "")
    summary("RTP errors per call", [f["errors"] for f in figures], "")
    summary("packets lost per call (RTCP)", [f["lost"] for f in figures], "")
    mos = [f["mos"] for f in figures if f["mos"] is not None]
    if mos:
        summary("lowest MOS per call", mos, "")
    print("rtpengine totals mid-hold:")
    print(_totals_of_interest(totals_mid))
    print("rtpengine totals after the calls:")
    print(_totals_of_interest(totals))

    calls = wait_until(
        lambda: _all_ended(call_ids), timeout=60, interval=0.5, message="every call's record"
    )
    not_answered = [(c.call_id, c.outcome) for c in calls if c.outcome != Outcome.ANSWERED]
    agents = {c.agent_id for c in calls if c.agent_id}
    print(f"call records: {CALLS - len(not_answered)} answered, by {len(agents)} agents")

    both, missing, lengths = 0, [], []
    for number, call_id in enumerate(call_ids):
        try:
            pcap = wait_until(
                lambda c=call_id: recording_of(settings.CALL_RECORDINGS_DIR, c),
                timeout=10,
                interval=0.5,
                message=f"the recording of {call_id}",
            )
        except TimeoutError:
            missing.append(call_id)
            continue
        directory = tmp_path / f"call{number:02d}"
        directory.mkdir()
        tones = set()
        for wav in write_wavs(pcap, directory):
            tones |= heard(wav, skip_seconds=0.5)
            lengths.append(seconds_of_audio(wav))
        both += tones == {CALLER_TONE, AGENT_TONE}
    print(f"recordings: {both} of {CALLS} hold both voices; none for {missing}")
    summary("seconds of audio per recorded stream", lengths, "s")
    # A call whose routing question went unanswered waited with the media service first: that
    # leg is not recorded (Kamailio's fallback asks for no recording).
    assert not not_answered, not_answered
    assert both == CALLS


def _all_ended(call_ids):
    calls = list(Call.objects.filter(call_id__in=call_ids))
    if len(calls) < len(call_ids) or any(c.ended_at is None for c in calls):
        return None
    return calls


def _totals_of_interest(statistics_answer, prefix=""):
    """The figures of rtpengine's ng `statistics` answer that say how the audio went."""
    keys = ("session", "packet", "error", "loss", "lost", "mos", "jitter", "timeout")
    lines = []
    for key, value in statistics_answer.items():
        if isinstance(value, dict):
            lines.append(_totals_of_interest(value, f"{prefix}{key}."))
        elif any(k in key.lower() for k in keys) and not isinstance(value, list):
            lines.append(f"  {prefix}{key}: {value}")
    return "\n".join(line for line in lines if line)
