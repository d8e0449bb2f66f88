"""The media service: answers the callers Kamailio sends to it because no agent is free, plays
them music, asks the application every interval where the call goes now, and when it says
"ring", calls that agent through Kamailio and joins caller and agent (it stays in the middle
of the audio: PJSIP's conference bridge). A ring nobody answers in time is ended and the next
question says so (its attempt counts up); "reject" ends the caller's call.

An agent who transfers the caller sends their REFER here, on the agent's call: this service
calls the transfer's target (PJSIP places that call; Kamailio has the application route it),
joins the caller with it once it answers and ends the agent's call. A target that cannot be
reached leaves the caller with the agent (PJSIP tells the agent in a NOTIFY).

Kamailio sends each waiting call with the question's own values in headers (X-Caller,
X-Called, X-Caller-Source, X-Attempt, X-Queue) and knows the calls this service places by the
port they come from; it reports their ringing, answer and end under the caller's Call-ID
(X-Call-Id)."""

import json
import logging
import math
import queue
import struct
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import wave
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path

logger = logging.getLogger("calls.phone.media")

HEADERS = ("X-Caller", "X-Called", "X-Caller-Source", "X-Attempt", "X-Queue", "X-Authenticated")


def write_hold_music(path, seconds=8.0, rate=8000):
    """A calm tune of sine notes (public domain by construction) as hold music."""
    notes = [392, 440, 494, 523, 494, 440, 392, 330, 349, 392, 440, 392, 349, 330, 294, 330]
    note_seconds = seconds / len(notes)
    samples = []
    for frequency in notes:
        count = int(note_seconds * rate)
        for i in range(count):
            envelope = min(1.0, i / 400, (count - i) / 400)
            samples.append(0.25 * envelope * math.sin(2 * math.pi * frequency * i / rate))
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(b"".join(struct.pack("<h", int(s * 32767)) for s in samples))
    return path


def parse_headers(message):
    """The X- headers of a SIP message's text that this service reads."""
    values = {}
    for line in message.split("\r\n\r\n", 1)[0].split("\r\n")[1:]:
        name, _, value = line.partition(":")
        for wanted in HEADERS + ("Call-ID", "i"):
            if name.strip().lower() == wanted.lower():
                values[wanted] = value.strip()
    if "Call-ID" not in values and "i" in values:
        values["Call-ID"] = values["i"]
    return values


@dataclass
class Waiting:
    """A caller in the queue and where their call stands."""

    call: object
    call_id: str
    caller: str
    called: str
    source: str
    queue: str
    attempt: int
    authenticated: bool = False
    started: float = field(default_factory=time.monotonic)
    next_question: float = 0.0
    asking: bool = False
    audio: object = None
    agent_call: object = None
    agent_user: str = ""
    ring_until: float = 0.0
    joined: bool = False
    ended: bool = False
    max_wait: float = 0.0
    position: int = 0
    # The call to a transfer's target, once an agent transfers the caller.
    transfer_call: object = None


class MediaService:
    def __init__(
        self,
        *,
        sip_host,
        media_port,
        proxy,
        domain,
        app_url,
        phone_secret,
        music_path,
        interval=1.5,
        log_level=1,
    ):
        self.sip_host = sip_host
        self.media_port = media_port
        self.proxy = proxy
        self.domain = domain
        self.app_url = app_url.rstrip("/")
        self.phone_secret = phone_secret
        self.music_path = Path(music_path)
        self.interval = interval
        self.log_level = log_level
        self.waiting = {}
        # PJSIP calls back into its Call objects until the endpoint is gone: keep every one.
        self.calls = []
        self.answers = queue.Queue()
        self.http = ThreadPoolExecutor(max_workers=4, thread_name_prefix="route-question")
        self.stopping = threading.Event()

    # --- the application's routing question, in worker threads ------------------------------

    def ask(self, waiting):
        query = urllib.parse.urlencode(
            {
                "call_id": waiting.call_id,
                "from": waiting.caller,
                "to": waiting.called,
                "source": waiting.source,
                "attempt": waiting.attempt,
                "authenticated": int(waiting.authenticated),
            }
        )
        request = urllib.request.Request(
            f"{self.app_url}/calls/phone/route/?{query}",
            headers={"X-Phone-Secret": self.phone_secret},
        )
        try:
            with urllib.request.urlopen(request, timeout=2) as response:
                answer = json.loads(response.read())
        except (urllib.error.URLError, OSError, ValueError) as error:
            logger.warning("route question for %s failed: %s", waiting.call_id, error)
            answer = None
        self.answers.put((waiting.call_id, answer))

    # --- the SIP side, in the main thread -----------------------------------------------------

    def run(self):  # noqa: C901 - one event loop with its callbacks
        import pjsua2 as pj

        service = self
        endpoint = pj.Endpoint()
        endpoint.libCreate()
        config = pj.EpConfig()
        config.uaConfig.threadCnt = 0
        config.uaConfig.mainThreadOnly = True
        config.uaConfig.userAgent = "Callcenter media service"
        # The pjsua2-python wheel is built with PJSUA_MAX_CALLS = 4: one process holds four
        # calls at once, waiting callers and the calls it places to agents together (a fifth
        # caller is refused with 486 Busy Here). More waiting callers need more processes.
        config.uaConfig.maxCalls = 4
        config.logConfig.level = self.log_level
        config.logConfig.consoleLevel = self.log_level
        config.medConfig.clockRate = 8000
        config.medConfig.sndClockRate = 8000
        config.medConfig.ecTailLen = 0
        config.medConfig.noVad = True
        endpoint.libInit(config)
        transport = pj.TransportConfig()
        transport.port = self.media_port
        transport.boundAddress = self.sip_host
        transport.publicAddress = self.sip_host
        endpoint.transportCreate(pj.PJSIP_TRANSPORT_UDP, transport)
        endpoint.libStart()
        endpoint.audDevManager().setNullDev()
        for codec in endpoint.codecEnum2():
            name = codec.codecId
            keep = name.startswith(("PCMU/8000", "PCMA/8000", "telephone-event"))
            endpoint.codecSetPriority(
                name, 255 if name.startswith("PCMU") else (128 if keep else 0)
            )

        music = self.music = pj.AudioMediaPlayer()
        music.createPlayer(str(self.music_path), 0)

        class AgentCall(pj.Call):
            def __init__(self, account, waiting):
                super().__init__(account)
                self.account = account
                self.waiting = waiting

            def onCallState(self, prm):
                info = self.getInfo()
                waiting = self.waiting
                if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and waiting.agent_call is self:
                    waiting.agent_call = None
                    if waiting.transfer_call is not None:
                        # Transferred: the caller stays for the target, with music until it
                        # answers.
                        if not waiting.transfer_call.joined and waiting.audio is not None:
                            music.startTransmit(waiting.audio)
                        return
                    if waiting.joined:
                        service.end(waiting, pj)
                    else:
                        # Not answered: the next question says so.
                        waiting.attempt += 1
                        waiting.next_question = 0

            def onCallMediaState(self, prm):
                info = self.getInfo()
                waiting = self.waiting
                handed_over = waiting.transfer_call is not None and waiting.transfer_call.joined
                for index, media in enumerate(info.media):
                    if (
                        media.type == pj.PJMEDIA_TYPE_AUDIO
                        and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE
                        and waiting.audio is not None
                        and not handed_over
                    ):
                        # Joined again after each re-INVITE (the agent's hold and resume, as
                        # for a consultation): PJSIP may have made the call's audio port anew.
                        agent_audio = self.getAudioMedia(index)
                        waiting.audio.startTransmit(agent_audio)
                        agent_audio.startTransmit(waiting.audio)
                        if not waiting.joined:
                            music.stopTransmit(waiting.audio)
                            waiting.joined = True
                            logger.info("%s joined with %s", waiting.call_id, waiting.agent_user)

            def onCallTransferRequest(self, prm):
                waiting = self.waiting
                if not waiting.joined or waiting.ended or waiting.transfer_call is not None:
                    prm.statusCode = 603
                    return
                call = TransferCall(self.account, waiting)
                service.calls.append(call)
                waiting.transfer_call = call
                prm.newCall = call
                logger.info(
                    "%s: transferred by %s to %s", waiting.call_id, waiting.agent_user, prm.dstUri
                )

        class TransferCall(pj.Call):
            """The call to a transfer's target, placed by PJSIP on the agent's REFER."""

            def __init__(self, account, waiting):
                super().__init__(account)
                self.waiting = waiting
                self.joined = False

            def onCallState(self, prm):
                info = self.getInfo()
                waiting = self.waiting
                if (
                    info.state != pj.PJSIP_INV_STATE_DISCONNECTED
                    or waiting.transfer_call is not self
                ):
                    return
                if self.joined or waiting.agent_call is None:
                    service.end(waiting, pj)
                else:
                    # Not reached: the caller stays with the agent.
                    logger.info("%s: transfer failed (%s)", waiting.call_id, info.lastStatusCode)
                    waiting.transfer_call = None

            def onCallMediaState(self, prm):
                info = self.getInfo()
                waiting = self.waiting
                for index, media in enumerate(info.media):
                    if (
                        media.type == pj.PJMEDIA_TYPE_AUDIO
                        and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE
                        and not self.joined
                        and waiting.audio is not None
                    ):
                        service.join_transfer(waiting, self.getAudioMedia(index), pj)
                        self.joined = True

        class CallerCall(pj.Call):
            def __init__(self, account, call_id, waiting=None):
                super().__init__(account, call_id)
                self.waiting = waiting

            def onCallState(self, prm):
                info = self.getInfo()
                if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and self.waiting:
                    service.end(self.waiting, pj)

            def onCallMediaState(self, prm):
                info = self.getInfo()
                waiting = self.waiting
                for index, media in enumerate(info.media):
                    if (
                        media.type == pj.PJMEDIA_TYPE_AUDIO
                        and media.status == pj.PJSUA_CALL_MEDIA_ACTIVE
                        and waiting.audio is None
                    ):
                        waiting.audio = self.getAudioMedia(index)
                        music.startTransmit(waiting.audio)

        class Account(pj.Account):
            def onIncomingCall(self, prm):
                values = parse_headers(prm.rdata.wholeMsg)
                call = CallerCall(self, prm.callId)
                service.calls.append(call)
                waiting = Waiting(
                    call=call,
                    call_id=values.get("Call-ID", ""),
                    caller=values.get("X-Caller", ""),
                    called=values.get("X-Called", ""),
                    source=values.get("X-Caller-Source", ""),
                    authenticated=values.get("X-Authenticated", "0") == "1",
                    queue=values.get("X-Queue", ""),
                    attempt=int(values.get("X-Attempt", "0") or 0) + 1,
                )
                call.waiting = waiting
                answer = pj.CallOpParam()
                if not waiting.call_id or not waiting.called:
                    answer.statusCode = 403
                    call.answer(answer)
                    return
                service.waiting[waiting.call_id] = waiting
                waiting.next_question = time.monotonic() + service.interval
                answer.statusCode = 200
                call.answer(answer)
                logger.info("%s waits in %s", waiting.call_id, waiting.queue)

        account_config = pj.AccountConfig()
        account_config.idUri = f"sip:media@{self.domain}"
        account_config.sipConfig.proxies.append(f"sip:{self.proxy};lr")
        account_config.regConfig.registerOnAdd = False
        nat = account_config.natConfig
        nat.iceEnabled = False
        nat.sdpNatRewriteUse = 0
        nat.contactRewriteUse = 0
        nat.viaRewriteUse = 0
        media_transport = account_config.mediaConfig.transportConfig
        media_transport.boundAddress = self.sip_host
        media_transport.publicAddress = self.sip_host
        media_transport.port = 0
        account = Account()
        account.create(account_config)
        self.ready()

        while not self.stopping.is_set():
            endpoint.libHandleEvents(10)
            now = time.monotonic()
            while True:
                try:
                    call_id, answer = self.answers.get_nowait()
                except queue.Empty:
                    break
                waiting = self.waiting.get(call_id)
                if waiting is not None and not waiting.ended:
                    waiting.asking = False
                    self.act(waiting, answer, account, AgentCall, pj)
            for waiting in list(self.waiting.values()):
                if waiting.ended:
                    self.waiting.pop(waiting.call_id, None)
                    continue
                if waiting.agent_call is not None and not waiting.joined:
                    if now > waiting.ring_until:
                        logger.info("%s: %s did not answer", waiting.call_id, waiting.agent_user)
                        self.hang_up(waiting.agent_call, pj)
                    continue
                if waiting.joined or waiting.asking or now < waiting.next_question:
                    continue
                waiting.asking = True
                waiting.next_question = now + self.interval
                self.http.submit(self.ask, waiting)

        for waiting in list(self.waiting.values()):
            self.end(waiting, pj)
        for _ in range(30):
            endpoint.libHandleEvents(10)
        self.waiting.clear()
        self.http.shutdown(wait=False, cancel_futures=True)
        account.shutdown()
        del account
        del self.calls[:]
        self.music = None
        endpoint.libDestroy()

    def ready(self):
        logger.info("media service listening on %s:%s", self.sip_host, self.media_port)

    def act(self, waiting, answer, account, agent_call_class, pj):
        if answer is None:
            return
        action = answer.get("action")
        if action == "wait":
            waiting.max_wait = float(answer.get("max_wait_seconds") or 0)
            if answer.get("position") != waiting.position:
                waiting.position = answer.get("position") or 0
                logger.info(
                    "%s is number %s in %s", waiting.call_id, waiting.position, waiting.queue
                )
            if answer.get("retry_seconds"):
                waiting.next_question = time.monotonic() + float(answer["retry_seconds"])
            if waiting.max_wait and time.monotonic() - waiting.started > waiting.max_wait:
                logger.info("%s waited the longest the queue allows", waiting.call_id)
                self.end(waiting, pj)
        elif action == "reject":
            logger.info("%s: rejected (%s)", waiting.call_id, answer.get("reason"))
            self.end(waiting, pj)
        elif action in ("ring", "agent") and waiting.agent_call is None:
            waiting.agent_user = answer.get("user", "")
            waiting.ring_until = time.monotonic() + float(answer.get("ring_seconds", 20))
            call = agent_call_class(account, waiting)
            self.calls.append(call)
            param = pj.CallOpParam(True)
            for name, value in (
                ("X-Call-Id", waiting.call_id),
                ("X-Caller", waiting.caller),
                ("X-Called", waiting.called),
                ("X-Queue", answer.get("queue", waiting.queue)),
            ):
                header = pj.SipHeader()
                header.hName = name
                header.hValue = value
                param.txOption.headers.append(header)
            waiting.agent_call = call
            try:
                call.makeCall(answer["uri"], param)
            except pj.Error as error:
                logger.warning("%s: calling %s failed: %s", waiting.call_id, answer, error.info())
                waiting.agent_call = None
                waiting.attempt += 1

    def join_transfer(self, waiting, target_audio, pj):
        """The caller talks with the transfer's target from now on; the agent's call ends."""
        agent_call = waiting.agent_call
        if agent_call is not None:
            with suppress(pj.Error):
                for index in range(len(agent_call.getInfo().media)):
                    agent_audio = agent_call.getAudioMedia(index)
                    waiting.audio.stopTransmit(agent_audio)
                    agent_audio.stopTransmit(waiting.audio)
        with suppress(pj.Error):
            self.music.stopTransmit(waiting.audio)
        waiting.audio.startTransmit(target_audio)
        target_audio.startTransmit(waiting.audio)
        logger.info("%s joined with the transfer's target", waiting.call_id)
        if agent_call is not None:
            self.hang_up(agent_call, pj)

    def hang_up(self, call, pj):
        with suppress(pj.Error):
            if call.isActive():
                call.hangup(pj.CallOpParam())

    def end(self, waiting, pj):
        if waiting.ended:
            return
        waiting.ended = True
        for call in (waiting.agent_call, waiting.transfer_call):
            if call is not None:
                self.hang_up(call, pj)
        self.hang_up(waiting.call, pj)

    def stop(self):
        self.stopping.set()
