"""A SIP party for tests and for `manage.py test_call`: a pjsua2 endpoint in a process of its own
that registers (or not), calls or answers, plays a tone into every call and records what it hears.
Like a desk phone it transfers a call (blind, or to another of its calls) and, transferred, calls
the target it is referred to.

Each party is its own process because PJSIP allows one endpoint per process and aborts an
interpreter that exits without tearing it down in order. The parent drives it through `Party`:
commands go to the child's stdin and events come back on its stdout, one JSON object a line.

    python -m calls.phone.party '{"user": "agent", "proxy": "127.0.0.1:5060", ...}'
"""

import json
import os
import queue
import subprocess
import sys
import threading
import time
from contextlib import suppress
from pathlib import Path

# --- The parent's side ----------------------------------------------------------------------


class PartyError(RuntimeError):
    pass


class Party:
    """A party in a child process. Its events (dicts with an "event" key) arrive in order;
    wait_for() consumes them until the one asked for."""

    def __init__(
        self,
        name,
        *,
        proxy,
        domain,
        user=None,
        auth_user=None,
        password=None,
        register=False,
        tone=None,
        record=None,
        auto_answer=False,
        answer_delay_ms=0,
        hangup_after_ms=0,
        local_host=None,
        log_path=None,
    ):
        self.name = name
        options = {
            "name": name,
            "proxy": proxy,
            "domain": domain,
            "user": user or name,
            "auth_user": auth_user,
            "password": password,
            "register": register,
            "tone": tone,
            "record": str(record) if record else None,
            "auto_answer": auto_answer,
            "answer_delay_ms": answer_delay_ms,
            "hangup_after_ms": hangup_after_ms,
            "local_host": local_host or proxy.rsplit(":", 1)[0],
            "log_level": 5 if log_path else 1,
        }
        self.events = queue.Queue()
        self.seen = []
        self._stderr = open(log_path, "wb") if log_path else subprocess.DEVNULL  # noqa: SIM115
        self.process = subprocess.Popen(
            [sys.executable, "-m", "calls.phone.party", json.dumps(options)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            cwd=Path(__file__).resolve().parents[2],
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.wait_for("ready", timeout=10)

    def _read(self):
        for line in self.process.stdout:
            try:
                event = json.loads(line)
            except ValueError:
                continue
            event["received"] = time.monotonic()
            self.events.put(event)
        self.events.put({"event": "exited", "code": self.process.wait()})

    def send(self, command, **values):
        try:
            self.process.stdin.write((json.dumps({"command": command, **values}) + "\n").encode())
            self.process.stdin.flush()
        except (BrokenPipeError, ValueError) as error:
            raise PartyError(f"{self.name} is gone") from error

    def wait_for(self, *names, timeout=10, **expected):
        """The next event named one of names (and with the expected values); the ones before it
        are kept in self.seen. Raises on timeout or when the child exits."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(
                    f"{self.name}: no {names} {expected} within {timeout} s; "
                    f"seen {[e['event'] for e in self.seen]}"
                )
            try:
                event = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            self.seen.append(event)
            if event["event"] in names and all(event.get(k) == v for k, v in expected.items()):
                return event
            if event["event"] == "exited":
                raise PartyError(f"{self.name} exited with {event['code']} waiting for {names}")

    def call(self, uri):
        self.send("call", uri=uri)

    def hangup(self, call_id=None):
        """Hangs up every call, or the one call_id names."""
        self.send("hangup", call_id=call_id)

    def hold(self, call_id=None):
        self.send("hold", call_id=call_id)

    def transfer(self, uri, call_id=None):
        """A blind transfer of the call (REFER) to uri."""
        self.send("transfer", uri=uri, call_id=call_id)

    def transfer_to_call(self, call_id, to_call_id):
        """An attended transfer: the call call_id is referred to the call to_call_id's other
        party (REFER with Replaces)."""
        self.send("transfer_to_call", call_id=call_id, to_call_id=to_call_id)

    def recording_of_call(self, number):
        """The recording of the party's number-th call with audio (1 is self.recording)."""
        if number == 1:
            return self.recording
        return self.recording.with_name(f"{self.recording.stem}-{number}.wav")

    def answer(self, code=200):
        self.send("answer", code=code)

    def press(self, digits):
        """Sends keys (RFC 2833 events) in the calls it is on."""
        self.send("dtmf", digits=digits)

    def quit(self):
        """Asks the party to end its calls and stop, without waiting for it."""
        if self.process.poll() is None:
            with suppress(PartyError):
                self.send("quit")

    def close(self, timeout=5):
        if self.process.poll() is None:
            try:
                self.quit()
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)
        if self._stderr is not subprocess.DEVNULL:
            self._stderr.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


# --- The child: a pjsua2 endpoint ----------------------------------------------------------


def emit(event, **values):
    sys.stdout.write(json.dumps({"event": event, "at": time.time(), **values}) + "\n")
    sys.stdout.flush()


def run(options):  # noqa: C901 - one event loop with its callbacks
    import pjsua2 as pj

    state = {"calls": [], "quit": False, "recorded": 0}
    commands = queue.Queue()

    endpoint = pj.Endpoint()
    endpoint.libCreate()
    config = pj.EpConfig()
    config.uaConfig.threadCnt = 0
    config.uaConfig.mainThreadOnly = True
    config.uaConfig.userAgent = f"Callcenter test party {options['name']}"

    class LogWriter(pj.LogWriter):
        def write(self, entry):
            sys.stderr.write(entry.msg)

    log_writer = LogWriter()
    config.logConfig.writer = log_writer
    config.logConfig.level = options.get("log_level", 3)
    config.logConfig.consoleLevel = options.get("log_level", 3)
    config.logConfig.msgLogging = True
    config.medConfig.clockRate = 8000
    config.medConfig.sndClockRate = 8000
    config.medConfig.ecTailLen = 0
    config.medConfig.noVad = True
    endpoint.libInit(config)

    transport = pj.TransportConfig()
    transport.port = 0
    transport.boundAddress = options["local_host"]
    transport.publicAddress = options["local_host"]
    endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
    endpoint.libStart()
    endpoint.audDevManager().setNullDev()
    # G.711 only: every part of the chain speaks it, and a tone survives it intact.
    for codec in endpoint.codecEnum2():
        keep = codec.codecId.startswith(("PCMU/8000", "PCMA/8000", "telephone-event"))
        endpoint.codecSetPriority(
            codec.codecId, 255 if codec.codecId.startswith("PCMU") else (128 if keep else 0)
        )

    tone = None
    if options.get("tone"):
        tone = pj.ToneGenerator()
        tone.createToneGenerator(8000, 1)
        desc = pj.ToneDesc()
        desc.freq1 = int(options["tone"])
        desc.freq2 = int(options["tone"])
        desc.on_msec = 10000
        desc.off_msec = 0
        desc.volume = 0
        tones = pj.ToneDescVector()
        tones.append(desc)
        tone.play(tones, True)

    class Call(pj.Call):
        def __init__(self, account, call_id=pj.PJSUA_INVALID_ID):
            super().__init__(account, call_id)
            self.account = account
            self.recorder = None
            self.connected = False

        def onCallState(self, prm):
            info = self.getInfo()
            emit(
                "state",
                state=info.stateText,
                code=info.lastStatusCode,
                reason=info.lastReason,
                call_id=info.callIdString,
            )
            if info.state == pj.PJSIP_INV_STATE_CONFIRMED:
                emit("confirmed", call_id=info.callIdString)
                if options.get("hangup_after_ms"):
                    commands.put(
                        {
                            "command": "hangup",
                            "not_before": time.monotonic() + options["hangup_after_ms"] / 1000,
                        }
                    )
            if info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                emit(
                    "disconnected",
                    code=info.lastStatusCode,
                    reason=info.lastReason,
                    call_id=info.callIdString,
                )

        def onCallMediaState(self, prm):
            # Again after each re-INVITE (hold, resume): PJSIP may have made the call's audio
            # port anew, without the tone and the recorder.
            info = self.getInfo()
            for index, media in enumerate(info.media):
                if media.type != pj.PJMEDIA_TYPE_AUDIO:
                    continue
                if media.status != pj.PJSUA_CALL_MEDIA_ACTIVE:
                    continue
                audio = self.getAudioMedia(index)
                if tone is not None:
                    tone.startTransmit(audio)
                if options.get("record") and self.recorder is None:
                    # A file per call: the second call (a transfer's) records beside the first.
                    state["recorded"] += 1
                    path = Path(options["record"])
                    if state["recorded"] > 1:
                        path = path.with_name(f"{path.stem}-{state['recorded']}.wav")
                    self.recorder = pj.AudioMediaRecorder()
                    self.recorder.createRecorder(str(path))
                if self.recorder is not None:
                    audio.startTransmit(self.recorder)
                if not self.connected:
                    self.connected = True
                    emit("media", call_id=info.callIdString)

        def onCallTransferRequest(self, prm):
            # Referred elsewhere: PJSIP calls the target with this new call.
            call = Call(self.account)
            state["calls"].append(call)
            prm.newCall = call
            emit("referred", uri=prm.dstUri, call_id=self.getInfo().callIdString)

        def onCallTransferStatus(self, prm):
            emit(
                "transfer_status",
                code=prm.statusCode,
                final=prm.finalNotify,
                call_id=self.getInfo().callIdString,
            )

        def onCallReplaced(self, prm):
            # An attended transfer's call takes the place of this one.
            call = Call(self.account, prm.newCallId)
            state["calls"].append(call)
            prm.newCall = call
            emit("replaced", call_id=self.getInfo().callIdString)

    class Account(pj.Account):
        def onRegState(self, prm):
            info = self.getInfo()
            if prm.code // 100 == 2 and info.regIsActive:
                emit("registered", code=prm.code)
            elif prm.code // 100 != 1:
                emit("registration_failed", code=prm.code, reason=prm.reason)

        def onIncomingCall(self, prm):
            call = Call(self, prm.callId)
            state["calls"].append(call)
            info = call.getInfo()
            emit("incoming", remote=info.remoteUri, call_id=info.callIdString)
            answer = pj.CallOpParam()
            answer.statusCode = 180
            call.answer(answer)
            if options.get("auto_answer"):
                commands.put(
                    {
                        "command": "answer",
                        "code": 200,
                        "not_before": time.monotonic() + options.get("answer_delay_ms", 0) / 1000,
                    }
                )

    account_config = pj.AccountConfig()
    account_config.idUri = f"sip:{options['user']}@{options['domain']}"
    account_config.sipConfig.proxies.append(f"sip:{options['proxy']};lr")
    if options.get("password") is not None:
        account_config.sipConfig.authCreds.append(
            pj.AuthCredInfo(
                "digest", "*", options.get("auth_user") or options["user"], 0, options["password"]
            )
        )
    if options.get("register"):
        account_config.regConfig.registrarUri = f"sip:{options['proxy']}"
        account_config.regConfig.registerOnAdd = True
        account_config.regConfig.timeoutSec = 300
        account_config.regConfig.retryIntervalSec = 0
    else:
        account_config.regConfig.registerOnAdd = False
    nat = account_config.natConfig
    nat.iceEnabled = False
    nat.sdpNatRewriteUse = 0
    nat.contactRewriteUse = 0
    nat.viaRewriteUse = 0
    nat.sipStunUse = pj.PJSUA_STUN_USE_DISABLED
    nat.mediaStunUse = pj.PJSUA_STUN_USE_DISABLED
    media = account_config.mediaConfig.transportConfig
    media.boundAddress = options["local_host"]
    media.publicAddress = options["local_host"]
    media.port = 0
    account = Account()
    account.create(account_config)

    def read_commands():
        for line in sys.stdin:
            try:
                commands.put(json.loads(line))
            except ValueError:
                continue
        commands.put({"command": "quit"})

    threading.Thread(target=read_commands, daemon=True).start()
    emit("ready")

    delayed = []
    while not state["quit"]:
        endpoint.libHandleEvents(10)
        now = time.monotonic()
        pending = [c for c in delayed if c.get("not_before", 0) > now]
        due = [c for c in delayed if c.get("not_before", 0) <= now]
        delayed = pending
        while True:
            try:
                due.append(commands.get_nowait())
            except queue.Empty:
                break
        for command in due:
            if command.get("not_before", 0) > now:
                delayed.append(command)
                continue
            try:
                handle(pj, command, state, account, Call)
            except pj.Error as error:
                emit("error", command=command.get("command"), reason=error.info())

    for call in state["calls"]:
        try:
            if call.isActive():
                call.hangup(pj.CallOpParam())
        except pj.Error:
            pass
    for _ in range(20):
        endpoint.libHandleEvents(10)
    state["calls"].clear()
    account.shutdown()
    del account
    if tone is not None:
        tone.stop()
    endpoint.libDestroy()
    del log_writer
    emit("closed")


def handle(pj, command, state, account, call_class):
    name = command.get("command")
    if name == "quit":
        state["quit"] = True
    elif name == "call":
        call = call_class(account)
        state["calls"].append(call)
        call.makeCall(command["uri"], pj.CallOpParam(True))
        emit("calling", call_id=call.getInfo().callIdString)
    elif name == "answer":
        for call in state["calls"]:
            if call.isActive() and call.getInfo().state in (
                pj.PJSIP_INV_STATE_INCOMING,
                pj.PJSIP_INV_STATE_EARLY,
            ):
                param = pj.CallOpParam()
                param.statusCode = command.get("code", 200)
                call.answer(param)
    elif name == "dtmf":
        for call in state["calls"]:
            if call.isActive() and call.getInfo().state == pj.PJSIP_INV_STATE_CONFIRMED:
                call.dialDtmf(command["digits"])
    elif name == "hangup":
        for call in calls_named(state, command.get("call_id")):
            call.hangup(pj.CallOpParam())
    elif name == "hold":
        for call in calls_named(state, command.get("call_id")):
            call.setHold(pj.CallOpParam(True))
    elif name == "transfer":
        for call in calls_named(state, command.get("call_id")):
            call.xfer(command["uri"], pj.CallOpParam(True))
    elif name == "transfer_to_call":
        (call,) = calls_named(state, command["call_id"])
        (other,) = calls_named(state, command["to_call_id"])
        call.xferReplaces(other, pj.CallOpParam(True))


def calls_named(state, call_id=None):
    """The party's active calls, or the one whose Call-ID is call_id."""
    return [
        call
        for call in state["calls"]
        if call.isActive() and call_id in (None, call.getInfo().callIdString)
    ]


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    run(json.loads(sys.argv[1]))
