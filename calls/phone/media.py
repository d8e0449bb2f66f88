"""The media service: answers the callers Kamailio sends to it because no agent is free, plays
them music, asks the application every interval where the call goes now, and when it says
"ring", calls that agent through Kamailio and joins caller and agent (it stays in the middle
of the audio: PJSIP's conference bridge). A ring nobody answers in time is ended and the next
question says so (its attempt counts up); "reject" ends the caller's call. When either side of
a joined call hangs up, the other side's call is ended.

What callers hear besides the music (prompts, rendered by calls.phone.prompts): the queue's
recording announcement before anyone is rung for them (the application's first answer carries
it; the questions after it say `announced=1`), their place in the queue when they arrive and
when it changes, and after the queue's longest wait a choice: 1 to leave a message (recorded
here and handed to the application), 2 or nothing to be called back; then the call ends.

An agent who transfers the caller sends their REFER here, on the agent's call: this service
calls the transfer's target (PJSIP places that call; Kamailio has the application route it),
joins the caller with it once it answers and ends the agent's call. A target that cannot be
reached leaves the caller with the agent (PJSIP tells the agent in a NOTIFY).

Kamailio sends each waiting call with the question's own values in headers (X-Caller,
X-Called, X-Caller-Source, X-Attempt, X-Queue) and knows the calls this service places by the
port they come from; it reports their ringing, answer and end under the caller's Call-ID
(X-Call-Id)."""

import gc
import io
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

from calls.phone import prompts as texts

logger = logging.getLogger("calls.phone.media")

HEADERS = ("X-Caller", "X-Called", "X-Caller-Source", "X-Attempt", "X-Queue", "X-Authenticated")

# Where a waiting caller is: in the queue (music, their place, asked about), choosing after the
# longest wait, leaving a message, or hearing goodbye.
QUEUE, MENU, MESSAGE, LEAVING = "queue", "menu", "message", "leaving"
# Music between two announcements of a caller's place, at least.
POSITION_PAUSE_SECONDS = 5
# How long the choice after the longest wait waits for a key once it has been said.
MENU_SECONDS = 5
# How long an ended prompt's player is kept before it is destroyed.
RETIRE_SECONDS = 2
BEEP_HZ = 1000


def write_beep(path, seconds=0.4, rate=8000):
    """The tone before a caller's message."""
    count = int(seconds * rate)
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(rate)
        wav.writeframes(
            b"".join(
                struct.pack(
                    "<h",
                    int(
                        0.3
                        * 32767
                        * min(1.0, i / 80, (count - i) / 80)
                        * math.sin(2 * math.pi * BEEP_HZ * i / rate)
                    ),
                )
                for i in range(count)
            )
        )
    return path


def finished_wav(path, timeout=3):
    """The bytes of a WAV file a recorder was writing, once it has closed it: PJSIP's
    conference bridge takes a dropped recorder off on its media thread, a moment later, and
    only then are the file's last samples and its length written."""
    deadline = time.monotonic() + timeout
    while True:
        data = Path(path).read_bytes()
        with suppress(wave.Error, EOFError), wave.open(io.BytesIO(data), "rb") as wav:
            if wav.getnframes():
                return data
        if time.monotonic() > deadline:
            return data
        time.sleep(0.05)


def wav_seconds(path):
    with wave.open(str(path), "rb") as wav:
        return wav.getnframes() / wav.getframerate()


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
    # The agent answered (the call is theirs from then on, joined or not yet).
    agent_answered: bool = False
    joined: bool = False
    ended: bool = False
    max_wait: float = 0.0
    position: int = 0
    # The call to a transfer's target, once an agent transfers the caller.
    transfer_call: object = None
    stage: str = QUEUE
    # What the application said to speak in, and whether the announcement has been played
    # (until then nobody is rung for the caller).
    language: str = ""
    announced: bool = False
    spoken_position: int = 0
    position_spoken_at: float = 0.0
    # The prompt playing now (an AudioMediaPlayer), until when, and what comes after it.
    player: object = None
    prompt_until: float = 0.0
    after_prompt: object = None
    preparing: bool = False
    # Counts the prompts asked for: one rendered after another was asked for is not played.
    prompt_number: int = 0
    menu_until: float = 0.0
    recorder: object = None
    message_path: Path = None
    message_at: float = 0.0
    message_until: float = 0.0


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
        prompts,
        run_dir=None,
        max_message_seconds=120,
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
        # calls.phone.prompts.Prompts: the spoken prompts' files (rendered when first needed).
        self.prompts = prompts
        self.run_dir = Path(run_dir) if run_dir else self.music_path.parent
        self.max_message_seconds = max_message_seconds
        self.interval = interval
        self.log_level = log_level
        self.waiting = {}
        # PJSIP calls back into its Call objects until the endpoint is gone: keep every one.
        self.calls = []
        self.answers = queue.Queue()
        # Keys callers pressed and prompts rendered, for the main thread: (call_id, value).
        self.digits = queue.Queue()
        self.prepared = queue.Queue()
        # Players of prompts that have ended, with when they may go (see stop_prompt).
        self.retired = []
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
                "announced": int(waiting.announced),
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

    def prepare(self, waiting, number, render, then):
        """Renders a prompt (render() gives its file) for the main thread to play."""
        try:
            path = render()
        except (texts.PromptError, OSError, ValueError) as error:
            logger.error("%s: no prompt: %s", waiting.call_id, error)
            path = None
        self.prepared.put((waiting.call_id, (number, path, then)))

    def hand_over_message(self, call_id, path, at):
        """Sends a caller's message (a WAV file) to the application; the file goes once it is
        taken, and stays (logged) when the application cannot take it."""
        query = urllib.parse.urlencode({"call_id": call_id, "at": f"{at:.3f}"})
        data = finished_wav(path)
        for attempt in range(4):
            if attempt:
                time.sleep(0.5 * 2**attempt)
            request = urllib.request.Request(
                f"{self.app_url}/calls/phone/voicemail/?{query}",
                data=data,
                method="POST",
                headers={"X-Phone-Secret": self.phone_secret, "Content-Type": "audio/wav"},
            )
            try:
                with urllib.request.urlopen(request, timeout=30):
                    pass
            except urllib.error.HTTPError as error:
                logger.error(
                    "%s: message refused (%s: %s), kept in %s",
                    call_id,
                    error,
                    error.read()[:200].decode(errors="replace"),
                    path,
                )
                if error.code < 500:
                    return
                continue
            except (urllib.error.URLError, OSError) as error:
                logger.warning("%s: message not handed over: %s", call_id, error)
                continue
            Path(path).unlink(missing_ok=True)
            logger.info("%s: message handed over", call_id)
            return
        logger.error("%s: message not handed over, kept in %s", call_id, path)

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

        self.music = pj.AudioMediaPlayer()
        self.music.createPlayer(str(self.music_path), 0)
        self.beep_path = write_beep(self.run_dir / f"beep-{self.media_port}.wav")
        self.pj = pj

        class AgentCall(pj.Call):
            def __init__(self, account, waiting):
                super().__init__(account)
                self.account = account
                self.waiting = waiting

            def onCallState(self, prm):
                info = self.getInfo()
                if info.state == pj.PJSIP_INV_STATE_CONFIRMED and self.waiting.agent_call is self:
                    self.waiting.agent_answered = True
                elif info.state == pj.PJSIP_INV_STATE_DISCONNECTED:
                    service.agent_call_ended(self.waiting, self)

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
                        if not waiting.joined:
                            service.stop_prompt(waiting)
                            service.music.stopTransmit(waiting.audio)
                        waiting.audio.startTransmit(agent_audio)
                        agent_audio.startTransmit(waiting.audio)
                        if not waiting.joined:
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
                        # Joined before the agent's call is hung up: its end (perhaps
                        # reported inside the hang-up) must not bring the music back.
                        self.joined = True
                        service.join_transfer(waiting, self.getAudioMedia(index), pj)

        class CallerCall(pj.Call):
            def __init__(self, account, call_id, waiting=None):
                super().__init__(account, call_id)
                self.waiting = waiting

            def onCallState(self, prm):
                info = self.getInfo()
                if info.state == pj.PJSIP_INV_STATE_DISCONNECTED and self.waiting:
                    if self.waiting.joined and not self.waiting.ended:
                        logger.info("%s: the caller hung up", self.waiting.call_id)
                    service.end(self.waiting, pj)

            def onDtmfDigit(self, prm):
                # Perhaps not on the main thread: the main loop takes it from here.
                if self.waiting is not None:
                    service.digits.put((self.waiting.call_id, prm.digit))

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
                        service.music.startTransmit(waiting.audio)

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
                # At once: the answer says what the caller hears first.
                waiting.next_question = time.monotonic()
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
            self.turn(account, AgentCall)

        for waiting in list(self.waiting.values()):
            self.end(waiting, pj)
        for _ in range(30):
            endpoint.libHandleEvents(10)
        self.waiting.clear()
        self.retired.clear()
        self.http.shutdown(wait=False, cancel_futures=True)
        account.shutdown()
        del account
        # Calls and their callers' Waiting refer to each other: PJSIP's objects must go before
        # PJSIP does, not whenever the garbage collector finds the cycle. An ended call's
        # destructor asserts on its call id, which PJSIP has taken back: those are left to the
        # process's end.
        for call in self.calls:
            call.waiting = None
            if not self.active(call):
                call.thisown = False
        del self.calls[:]
        self.music = None
        gc.collect()
        endpoint.libDestroy()

    def ready(self):
        logger.info("media service listening on %s:%s", self.sip_host, self.media_port)

    def turn(self, account, agent_call_class):
        """One round of the main loop: the answers, keys and prompts that came in, then what
        time brings each caller."""
        now = time.monotonic()
        self.retired = [(until, player) for until, player in self.retired if until > now]
        for call_id, answer in drain(self.answers):
            self.for_caller(call_id, self.answered, answer, account, agent_call_class)
        for call_id, digit in drain(self.digits):
            self.for_caller(call_id, self.pressed, digit)
        for call_id, (number, path, then) in drain(self.prepared):
            self.for_caller(call_id, self.prompt_ready, number, path, then)
        for waiting in list(self.waiting.values()):
            if waiting.ended:
                self.waiting.pop(waiting.call_id, None)
            else:
                self.for_caller(waiting.call_id, self.tick, now)

    def for_caller(self, call_id, action, *args):
        """action(waiting, *args) for a caller still here; PJSIP's refusal (a call or a port
        gone meanwhile) ends that caller's call, not the service."""
        waiting = self.waiting.get(call_id)
        if waiting is None or waiting.ended:
            return
        try:
            action(waiting, *args)
        except self.pj.Error as error:
            logger.error("%s: %s", call_id, error.info())
            self.end(waiting, self.pj)

    def answered(self, waiting, answer, account, agent_call_class):
        waiting.asking = False
        self.act(waiting, answer, account, agent_call_class, self.pj)

    def prompt_ready(self, waiting, number, path, then):
        if number != waiting.prompt_number:
            return
        if waiting.audio is None and path is not None:
            # The caller's audio is not there yet: the prompt waits for it, not the other way.
            self.prepared.put((waiting.call_id, (number, path, then)))
            return
        waiting.preparing = False
        self.play(waiting, path, then)

    def tick(self, waiting, now):
        self.follow_up(waiting, now)
        if waiting.ended or waiting.stage != QUEUE:
            return
        if waiting.agent_call is not None and not waiting.joined:
            if now > waiting.ring_until:
                logger.info("%s: %s did not answer", waiting.call_id, waiting.agent_user)
                self.hang_up(waiting.agent_call, self.pj)
            return
        if waiting.joined or waiting.asking:
            return
        if waiting.max_wait and now - waiting.started > waiting.max_wait:
            self.offer_choice(waiting)
            return
        self.say_position(waiting)
        if now < waiting.next_question or self.announcing(waiting):
            return
        waiting.asking = True
        waiting.next_question = now + self.interval
        self.http.submit(self.ask, waiting)

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
            waiting.language = answer.get("language") or waiting.language
            if not waiting.announced:
                self.announce(waiting, answer)
        elif action == "reject":
            logger.info("%s: rejected (%s)", waiting.call_id, answer.get("reason"))
            self.end(waiting, pj)
        elif action in ("ring", "agent") and waiting.agent_call is None and waiting.stage == QUEUE:
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
        self.stop_prompt(waiting)
        with suppress(pj.Error):
            self.music.stopTransmit(waiting.audio)
        waiting.audio.startTransmit(target_audio)
        target_audio.startTransmit(waiting.audio)
        logger.info("%s joined with the transfer's target", waiting.call_id)
        if agent_call is not None:
            self.hang_up(agent_call, pj)

    # --- what the caller hears, in the main thread ------------------------------------------

    def announce(self, waiting, answer):
        """The queue's recording announcement, once, before anyone is rung for the caller
        (asked about again once it has been played); nothing to announce: the questions from
        now on say so."""
        text = answer.get("announcement")
        if not text:
            waiting.announced = True
            return
        if waiting.preparing or waiting.player is not None:
            return
        language = answer.get("announcement_language") or waiting.language
        self.say(waiting, lambda: self.prompts.spoken(text, language), then=self.announced)

    def announced(self, waiting):
        logger.info("%s heard the recording announcement", waiting.call_id)
        waiting.announced = True
        waiting.next_question = 0
        self.back_to_music(waiting)

    def announcing(self, waiting):
        return not waiting.announced and (waiting.preparing or waiting.player is not None)

    def say_position(self, waiting):
        """The caller's place in the queue when they arrive and when it changes, with some
        music between two."""
        if (
            not waiting.announced
            or not waiting.position
            or waiting.position == waiting.spoken_position
            or waiting.agent_call is not None
            or waiting.preparing
            or waiting.player is not None
        ):
            return
        if (
            waiting.spoken_position
            and time.monotonic() - waiting.position_spoken_at < POSITION_PAUSE_SECONDS
        ):
            return
        position, language = waiting.position, waiting.language
        waiting.spoken_position = position
        self.say(waiting, lambda: self.prompts.position(position, language), self.position_said)

    def position_said(self, waiting):
        waiting.position_spoken_at = time.monotonic()
        self.back_to_music(waiting)

    def offer_choice(self, waiting):
        logger.info("%s waited the longest the queue allows", waiting.call_id)
        waiting.stage = MENU
        waiting.menu_until = math.inf
        self.say(waiting, lambda: self.prompts.fixed(texts.MENU, waiting.language), self.menu_said)

    def menu_said(self, waiting):
        waiting.menu_until = time.monotonic() + MENU_SECONDS

    def pressed(self, waiting, digit):
        logger.info("%s pressed %s", waiting.call_id, digit)
        if waiting.stage == MENU and digit == "1":
            waiting.stage = MESSAGE
            self.say(
                waiting, lambda: self.prompts.fixed(texts.MESSAGE, waiting.language), self.beep
            )
        elif waiting.stage == MENU and digit == "2":
            self.leave(waiting, texts.CALLBACK)
        elif waiting.stage == MESSAGE and digit == "#" and waiting.recorder is not None:
            self.message_done(waiting)

    def beep(self, waiting):
        self.play(waiting, self.beep_path, self.record_message)

    def record_message(self, waiting):
        pj = self.pj
        folder = self.run_dir / "messages"
        folder.mkdir(parents=True, exist_ok=True)
        waiting.message_path = folder / f"{self.media_port}-{time.time_ns()}.wav"
        recorder = pj.AudioMediaRecorder()
        recorder.createRecorder(str(waiting.message_path))
        waiting.audio.startTransmit(recorder)
        waiting.recorder = recorder
        waiting.message_at = time.time()
        waiting.message_until = time.monotonic() + self.max_message_seconds
        logger.info("%s leaves a message", waiting.call_id)

    def message_done(self, waiting):
        self.stop_message(waiting)
        self.leave(waiting, texts.THANKS)

    def stop_message(self, waiting):
        """Closes the caller's message (dropping the recorder finishes its file) and hands it
        to the application."""
        if waiting.recorder is None:
            return
        waiting.recorder = None
        self.http.submit(
            self.hand_over_message, waiting.call_id, waiting.message_path, waiting.message_at
        )

    def leave(self, waiting, goodbye):
        """Says goodbye, then ends the call."""
        waiting.stage = LEAVING
        self.say(
            waiting,
            lambda: self.prompts.fixed(goodbye, waiting.language),
            lambda left: self.end(left, self.pj),
        )

    def follow_up(self, waiting, now):
        """What time brings: the end of a prompt, of the wait for a key, of a message."""
        if waiting.player is not None and now >= waiting.prompt_until:
            then = waiting.after_prompt or self.back_to_music
            self.stop_prompt(waiting)
            then(waiting)
        if waiting.ended:
            return
        if waiting.stage == MENU and now > waiting.menu_until:
            logger.info("%s pressed nothing: a callback", waiting.call_id)
            self.leave(waiting, texts.CALLBACK)
        elif waiting.stage == MESSAGE and waiting.recorder and now > waiting.message_until:
            self.message_done(waiting)
        elif (
            (waiting.joined or waiting.agent_answered)
            and waiting.transfer_call is None
            and not self.active(waiting.agent_call)
        ):
            # The agent's side ended without word of it (its end would have ended this call).
            logger.warning("%s: the agent's call is gone", waiting.call_id)
            self.end(waiting, self.pj)

    def active(self, call):
        with suppress(self.pj.Error):
            return call is not None and call.isActive()
        return False

    def say(self, waiting, render, then=None):
        """Plays a prompt to the caller once render() has given its file (in a worker thread:
        a prompt heard for the first time is rendered first); then then(waiting)."""
        waiting.prompt_number += 1
        waiting.preparing = True
        self.http.submit(self.prepare, waiting, waiting.prompt_number, render, then)

    def play(self, waiting, path, then=None):
        then = then or self.back_to_music
        self.stop_prompt(waiting)
        if path is None or waiting.audio is None:
            then(waiting)
            return
        pj = self.pj
        player = pj.AudioMediaPlayer()
        player.createPlayer(str(path), pj.PJMEDIA_FILE_NO_LOOP)
        with suppress(pj.Error):
            self.music.stopTransmit(waiting.audio)
        player.startTransmit(waiting.audio)
        waiting.player = player
        waiting.prompt_until = time.monotonic() + wav_seconds(path)
        waiting.after_prompt = then

    def stop_prompt(self, waiting):
        """Ends the prompt playing to the caller, if any. The player is kept a little longer:
        PJSIP's conference bridge disconnects it on its media thread, and a player destroyed
        before that could still be read from there."""
        if waiting.player is not None:
            if not waiting.ended:
                with suppress(self.pj.Error):
                    waiting.player.stopTransmit(waiting.audio)
            self.retired.append((time.monotonic() + RETIRE_SECONDS, waiting.player))
        waiting.player = None
        waiting.after_prompt = None

    def back_to_music(self, waiting):
        if waiting.stage == QUEUE and not waiting.joined and waiting.audio is not None:
            with suppress(self.pj.Error):
                self.music.startTransmit(waiting.audio)

    # --- ending calls -------------------------------------------------------------------------

    def agent_call_ended(self, waiting, call):
        if waiting.agent_call is not call:
            return
        waiting.agent_call = None
        if waiting.transfer_call is not None:
            # Transferred: the caller stays for the target, with music until it answers.
            if not waiting.transfer_call.joined and waiting.audio is not None:
                with suppress(self.pj.Error):
                    self.music.startTransmit(waiting.audio)
            return
        if waiting.joined or waiting.agent_answered:
            logger.info("%s: the agent hung up", waiting.call_id)
            self.end(waiting, self.pj)
        else:
            # Not answered: the next question says so.
            waiting.attempt += 1
            waiting.next_question = 0

    def hang_up(self, call, pj):
        with suppress(pj.Error):
            if call.isActive():
                call.hangup(pj.CallOpParam())

    def end(self, waiting, pj):
        if waiting.ended:
            return
        waiting.ended = True
        self.stop_prompt(waiting)
        self.stop_message(waiting)
        for call in (waiting.agent_call, waiting.transfer_call):
            if call is not None:
                self.hang_up(call, pj)
        self.hang_up(waiting.call, pj)

    def stop(self):
        self.stopping.set()


def drain(values):
    """What a queue holds now, without waiting (what is put back meanwhile waits its turn)."""
    items = []
    while True:
        try:
            items.append(values.get_nowait())
        except queue.Empty:
            return items
