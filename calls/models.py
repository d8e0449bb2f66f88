"""Calls: the trunks calls come in by, the queues they wait in, the agents' availability, the
call records and the callbacks owed to callers nobody answered.

The phone system (Kamailio, the media service) asks calls.services where each call goes and
reports what happened to it; the records here are derived from those reports (CallEvent), so that
a report that arrives twice or late leaves the same record."""

import ipaddress

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from callcenter.inputs import LONG_TEXT
from hierarchy.models import Department
from requests_app.models import Customer, CustomerRequest

# The user part of a number dialled or a caller's number as the phone system sends it.
NUMBER_TEXT = 64
number_validator = RegexValidator(
    r"^[0-9A-Za-z+*#._-]{1,32}$",
    _("Use up to 32 digits or letters (and + * # . _ -), no spaces."),
)


class Trunk(models.Model):
    """Where calls from outside may come from: a provider's or a gateway's addresses, or SIP
    credentials. Calls from anywhere else are refused."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    source_addresses = models.TextField(
        _("allowed source addresses"),
        blank=True,
        max_length=2_000,
        help_text=_("IP addresses or networks (such as 192.0.2.0/24), one a line."),
    )
    sip_username = models.CharField(_("SIP username"), max_length=64, blank=True)
    # What SIP digest authentication checks against (MD5 of "username:domain:password", as
    # Kamailio's auth modules keep it): the password itself is never stored.
    sip_password_ha1 = models.CharField(max_length=32, blank=True, editable=False)
    active = models.BooleanField(_("active"), default=True)
    debug_only = models.BooleanField(
        _("only with DEBUG"),
        default=False,
        help_text=_("For development: the trunk accepts calls only while DEBUG is on."),
    )

    class Meta:
        verbose_name = _("trunk")
        verbose_name_plural = _("trunks")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def networks(self) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
        found = []
        for line in self.source_addresses.split():
            try:
                found.append(ipaddress.ip_network(line.strip(), strict=False))
            except ValueError:
                continue  # the form refuses these; an old row must not break routing
        return found

    def accepts(self, address: str) -> bool:
        """Whether a call from this address may come in by this trunk now."""
        if not self.active or (self.debug_only and not settings.DEBUG):
            return False
        try:
            source = ipaddress.ip_address(address)
        except ValueError:
            return False
        return any(source in network for network in self.networks())


class Queue(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    number = models.CharField(
        _("number"),
        max_length=32,
        unique=True,
        validators=[number_validator],
        help_text=_("What callers dial, such as 311."),
    )
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="call_queues",
    )
    ring_seconds = models.PositiveSmallIntegerField(
        _("ring time (seconds)"),
        default=20,
        validators=[MinValueValidator(5), MaxValueValidator(120)],
        help_text=_("How long an agent's phone rings before the next agent is tried."),
    )
    wrap_up_seconds = models.PositiveSmallIntegerField(
        _("wrap-up time (seconds)"),
        default=30,
        validators=[MaxValueValidator(3600)],
        help_text=_("Time after each call before the agent gets the next one."),
    )
    max_wait_seconds = models.PositiveIntegerField(
        _("longest wait (seconds)"),
        default=300,
        validators=[MinValueValidator(10), MaxValueValidator(3 * 3600)],
        help_text=_(
            "Then the caller may leave a message or ask to be called back, and the call ends."
        ),
    )
    record = models.BooleanField(_("record calls"), default=True)
    consent_announcement = models.TextField(
        _("recording announcement"),
        blank=True,
        max_length=LONG_TEXT,
        help_text=_(
            "What callers of a recorded queue hear before they are put through, to ask for "
            "their consent; spoken in the queue's language. Empty: no announcement."
        ),
    )
    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        blank=True,
        help_text=_(
            "What waiting callers hear is spoken in this language, or in their customer's "
            "preferred language when their number is known. Empty: the call center's language."
        ),
    )
    recording_days = models.PositiveSmallIntegerField(
        _("keep recordings (days)"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
        help_text=_("Then they are deleted. Empty: as long as the call center's setting says."),
    )
    fallback = models.ForeignKey(
        "self",
        verbose_name=_("fallback queue"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Where calls go when the application does not answer the phone system."),
    )

    class Meta:
        verbose_name = _("queue")
        verbose_name_plural = _("queues")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QueueMember(models.Model):
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.CASCADE,
        related_name="queue_memberships",
    )
    skill = models.PositiveSmallIntegerField(
        _("skill level"),
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
        help_text=_("1 to 5: calls go to the highest skill first."),
    )

    class Meta:
        verbose_name = _("queue member")
        verbose_name_plural = _("queue members")
        constraints = [
            models.UniqueConstraint(fields=["queue", "user"], name="queue_member_once"),
            models.CheckConstraint(
                condition=models.Q(skill__gte=1, skill__lte=5), name="queue_member_skill_1_to_5"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.queue}: {self.user}"


class PauseReason(models.Model):
    """Why an agent takes no calls for a while: kept by administrators. The one the phone
    system sets itself ("Missed call") is known by its key."""

    MISSED_CALL = "missed_call"

    name = models.CharField(_("name"), max_length=80, unique=True)
    active = models.BooleanField(_("active"), default=True)
    system_key = models.CharField(max_length=20, blank=True, editable=False)

    class Meta:
        verbose_name = _("pause reason")
        verbose_name_plural = _("pause reasons")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["system_key"],
                condition=~models.Q(system_key=""),
                name="pause_reason_system_key_once",
            )
        ]

    def __str__(self) -> str:
        return self.name


class State(models.TextChoices):
    AVAILABLE = "available", _("Available")
    RINGING = "ringing", _("Ringing")
    ON_CALL = "on_call", _("On a call")
    WRAP_UP = "wrap_up", _("Wrap-up")
    PAUSED = "paused", _("Paused")
    OFFLINE = "offline", _("Offline")


class AgentState(models.Model):
    """An agent's availability now, one row per agent. `until` ends a reservation (ringing) or
    a wrap-up; `idle_since` orders the available agents (idle longest first)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="agent_state",
    )
    state = models.CharField(
        _("availability"), max_length=10, choices=State.choices, default=State.OFFLINE
    )
    pause_reason = models.ForeignKey(
        PauseReason,
        verbose_name=_("pause reason"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    since = models.DateTimeField(_("since"))
    idle_since = models.DateTimeField(null=True, blank=True)
    until = models.DateTimeField(null=True, blank=True)
    # The call the agent's phone rings for, or the agent is on or wrapping up.
    call = models.ForeignKey(
        "Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("agent availability")
        verbose_name_plural = _("agent availabilities")
        indexes = [models.Index(fields=["state", "idle_since"], name="agent_state_idle")]

    def __str__(self) -> str:
        return f"{self.user}: {self.get_state_display()}"

    def current(self, now) -> str:
        """The state as it is at `now`: a wrap-up whose time has passed is over even before
        a service writes so."""
        if self.state == State.WRAP_UP and self.until is not None and self.until <= now:
            return State.AVAILABLE
        return self.state


class SipPassword(models.Model):
    """The SIP password a user's desk phone registers with, one per user. Kept as what SIP
    digest authentication checks (MD5 of "username:realm:password", Kamailio's "HA1"), never in
    clear: so it is good only for the SIP username and domain (the realm) it was made for, and a
    change of either asks for a new one."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="sip_password",
    )
    username = models.CharField(_("SIP username"), max_length=150, editable=False)
    realm = models.CharField(_("SIP domain"), max_length=255, editable=False)
    ha1 = models.CharField(max_length=32, editable=False)
    set_at = models.DateTimeField(_("set"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("set by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("SIP password")
        verbose_name_plural = _("SIP passwords")

    def __str__(self) -> str:
        return f"{self.username}@{self.realm}"

    def is_current(self) -> bool:
        """Whether Kamailio can check it: made for the user's username and today's SIP domain."""
        return self.username == self.user.get_username() and self.realm == settings.SIP_DOMAIN


class AgentStateChange(models.Model):
    """Every change of an agent's availability, with its time: what the reports count."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="agent_state_changes"
    )
    state = models.CharField(max_length=10, choices=State.choices)
    pause_reason = models.ForeignKey(
        PauseReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    call = models.ForeignKey(
        "Call", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [
            models.Index(fields=["user", "at"], name="agent_state_change_user"),
            models.Index(fields=["at"], name="agent_state_change_at"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.state} {self.at:%Y-%m-%d %H:%M:%S}"


class Direction(models.TextChoices):
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")
    INTERNAL = "internal", _("Internal")


class Outcome(models.TextChoices):
    ANSWERED = "answered", _("Answered")
    RANG_OUT = "rang_out", _("Rang out")
    ABANDONED = "abandoned", _("Abandoned in queue")
    BUSY = "busy", _("Busy")
    FAILED = "failed", _("Failed")
    TRANSFERRED = "transferred", _("Transferred")
    VOICEMAIL = "voicemail", _("To voicemail")


class CallQuerySet(models.QuerySet):
    def for_list(self):
        return self.select_related("queue", "agent", "trunk", "recording")


class Call(models.Model):
    """One call, as the phone system reported it (calls.services.call_event_record derives the
    times and the outcome from its events)."""

    call_id = models.CharField(_("Call-ID"), max_length=255, unique=True)
    direction = models.CharField(
        _("direction"), max_length=10, choices=Direction.choices, default=Direction.INBOUND
    )
    from_number = models.CharField(_("from"), max_length=NUMBER_TEXT, blank=True)
    to_number = models.CharField(_("to"), max_length=NUMBER_TEXT, blank=True)
    trunk = models.ForeignKey(
        Trunk,
        verbose_name=_("trunk"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    queue = models.ForeignKey(
        Queue,
        verbose_name=_("queue"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("agent"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="calls",
    )
    offered_at = models.DateTimeField(_("offered"))
    rang_at = models.DateTimeField(_("rang"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    hold_seconds = models.PositiveIntegerField(_("on hold (seconds)"), default=0)
    outcome = models.CharField(_("outcome"), max_length=12, choices=Outcome.choices, blank=True)
    # The routing question's count of attempts the last "ring" answered (see call_route).
    route_attempt = models.PositiveSmallIntegerField(default=0, editable=False)
    requests = models.ManyToManyField(
        CustomerRequest, verbose_name=_("requests"), blank=True, related_name="calls"
    )
    # The customer an agent called from their page (click to call).
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    # The callback an agent called the caller back for, from its item (click to call).
    returns_callback = models.ForeignKey(
        "Callback",
        verbose_name=_("callback"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls_back",
    )

    objects = CallQuerySet.as_manager()

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-offered_at", "-id"]
        permissions = [
            ("take_calls", "Can take calls"),
            ("view_all_calls", "Can see every call"),
        ]
        indexes = [
            models.Index(fields=["-offered_at", "-id"], name="call_newest"),
            models.Index(fields=["agent", "-offered_at"], name="call_agent_newest"),
            models.Index(fields=["queue", "-offered_at"], name="call_queue_newest"),
            models.Index(fields=["from_number"], name="call_from"),
            models.Index(fields=["to_number"], name="call_to"),
        ]

    def __str__(self) -> str:
        return f"{self.from_number} → {self.to_number}"

    def get_absolute_url(self) -> str:
        return reverse("calls:call_list") + f"?call_id={self.call_id}"

    def _seconds(self, start, end) -> int | None:
        if start is None or end is None:
            return None
        return max(0, int((end - start).total_seconds()))

    @property
    def has_recording(self) -> bool:
        """Whether a recording is kept (read through for_list's select_related)."""
        return hasattr(self, "recording")

    @property
    def wait_time(self) -> str:
        return minutes_and_seconds(self.wait_seconds)

    @property
    def talk_time(self) -> str:
        return minutes_and_seconds(self.talk_seconds)

    @property
    def hold_time(self) -> str:
        return minutes_and_seconds(self.hold_seconds or None)

    @property
    def wait_seconds(self) -> int | None:
        """From the call's arrival to its answer, or to its end if nobody answered."""
        return self._seconds(self.offered_at, self.answered_at or self.ended_at)

    @property
    def ring_seconds(self) -> int | None:
        return self._seconds(self.rang_at, self.answered_at or self.ended_at)

    @property
    def talk_seconds(self) -> int | None:
        seconds = self._seconds(self.answered_at, self.ended_at)
        return None if seconds is None else max(0, seconds - self.hold_seconds)


def minutes_and_seconds(seconds: int | None) -> str:
    """ "4:05" for four minutes and five seconds; empty for none."""
    return "" if seconds is None else f"{seconds // 60}:{seconds % 60:02d}"


class EventKind(models.TextChoices):
    OFFERED = "offered", _("Offered")
    RESERVED = "reserved", _("Agent chosen")  # the application's own routing decision
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    HOLD = "hold", pgettext_lazy("phone call", "On hold")
    RESUME = "resume", _("Resumed")
    TRANSFERRED = "transferred", _("Transferred")
    VOICEMAIL = "voicemail", _("Left a message")
    HANGUP = "hangup", _("Hung up")
    FAILED = "failed", _("Failed")


class CallEvent(models.Model):
    """One report of the phone system about a call (and the application's own routing
    decisions), kept once however often it arrives."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=12, choices=EventKind.choices)
    at = models.DateTimeField()
    username = models.CharField(max_length=150, blank=True)
    code = models.PositiveSmallIntegerField(default=0)
    received_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["call", "event", "at", "username"], name="call_event_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.event} {self.at:%H:%M:%S.%f}"


class Transfer(models.Model):
    """An agent's transfer of a call to a queue or another agent, asked for by the agent's
    softphone just before it sends the REFER. The phone system's new call to the target (the
    caller's own phone, or the media service for a caller it holds) is let in and routed because
    of it, and becomes its `new_call`: a call record of its own, linked to the first."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="transfers"
    )
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("transferred by"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # A queue's number or an agent's username.
    target = models.CharField(_("transferred to"), max_length=NUMBER_TEXT)
    attended = models.BooleanField(_("after a consultation"), default=False)
    asked_at = models.DateTimeField(_("asked"))
    new_call = models.OneToOneField(
        Call,
        verbose_name=_("new call"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transferred_from",
    )

    class Meta:
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")
        ordering = ["asked_at", "id"]
        indexes = [models.Index(fields=["target", "asked_at"], name="transfer_target")]

    def __str__(self) -> str:
        return f"{self.call} → {self.target}"


class CallbackStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


class CallbackQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=CallbackStatus.OPEN)


class Callback(models.Model):
    """A caller nobody answered (who hung up waiting, or whose call rang out everywhere): to be
    called back by the queue's agents."""

    queue = models.ForeignKey(
        Queue, verbose_name=_("queue"), on_delete=models.PROTECT, related_name="callbacks"
    )
    number = models.CharField(_("number"), max_length=NUMBER_TEXT)
    called_at = models.DateTimeField(_("called"))
    call = models.OneToOneField(
        Call, on_delete=models.SET_NULL, null=True, blank=True, related_name="callback"
    )
    status = models.CharField(
        _("status"), max_length=8, choices=CallbackStatus.choices, default=CallbackStatus.OPEN
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=LONG_TEXT)

    objects = CallbackQuerySet.as_manager()

    class Meta:
        verbose_name = _("callback")
        verbose_name_plural = _("callbacks")
        ordering = ["called_at", "id"]
        indexes = [
            models.Index(
                fields=["queue", "called_at"],
                name="callback_open_by_queue",
                condition=models.Q(status="open"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.queue})"


class CallRecording(models.Model):
    """A call's recording: the file (compressed audio, calls.recordings keeps it) and how long
    it is kept. When `delete_after` has passed, the task worker deletes the file and this row
    (calls.tasks)."""

    call = models.OneToOneField(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="recording"
    )
    # The file's path under calls.recordings.stored_dir().
    file_name = models.CharField(max_length=200, unique=True)
    content_type = models.CharField(max_length=40)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    seconds = models.PositiveIntegerField(_("length (seconds)"))
    recorded_at = models.DateTimeField(_("recorded"))
    delete_after = models.DateTimeField(_("kept until"))

    class Meta:
        verbose_name = _("call recording")
        verbose_name_plural = _("call recordings")
        ordering = ["-recorded_at", "-id"]
        indexes = [models.Index(fields=["delete_after"], name="call_recording_expiry")]

    def __str__(self) -> str:
        return self.file_name

    @property
    def length(self) -> str:
        return minutes_and_seconds(self.seconds)


class RecordingUse(models.TextChoices):
    PLAY = "play", _("Played")
    DOWNLOAD = "download", _("Downloaded")


class RecordingAccess(models.Model):
    """Who played or downloaded a call's recording, and when. Kept when the recording itself
    is deleted."""

    call = models.ForeignKey(
        Call, verbose_name=_("call"), on_delete=models.CASCADE, related_name="recording_accesses"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    use = models.CharField(_("use"), max_length=8, choices=RecordingUse.choices)
    at = models.DateTimeField(_("when"))

    class Meta:
        verbose_name = _("recording access")
        verbose_name_plural = _("recording accesses")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["call", "-at"], name="recording_access_by_call")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.use} {self.call_id} {self.at:%Y-%m-%d %H:%M:%S}"
