"""The calls' verbs: set an agent's availability, route a call, record what the phone system
reports about a call, keep the callbacks owed to callers nobody answered.

Two rules hold here, and only here:

- An agent rings for one call at a time and is never offered a call while on another. call_route
  reserves the agent (state "ringing" for the call) in the transaction that chooses them, with the
  agent's row locked (SELECT ... FOR UPDATE SKIP LOCKED on PostgreSQL, so a second routing
  question takes the next agent instead of waiting; on SQLite every write transaction is taken
  IMMEDIATE, one at a time). Lock order everywhere: the call's row, then agents' rows.
- A call's record is derived from all its events ordered by their own time (call_event_record),
  so an event that arrives twice or late leaves the same record. The agents' states follow the
  derived call, not the last event to arrive.

Time comes from calls.clock.now(), which the tests set.
"""

import ipaddress
import logging
import re
import secrets
from contextlib import suppress
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Q, Value
from django.db.models.functions import Concat
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from calls import clock, recordings
from calls.access import can_take_calls
from calls.models import (
    AgentState,
    AgentStateChange,
    Call,
    Callback,
    CallbackStatus,
    CallEvent,
    CallRecording,
    Direction,
    EventKind,
    Outcome,
    PauseReason,
    Queue,
    QueueMember,
    RecordingAccess,
    RecordingUse,
    SipPassword,
    State,
    Transfer,
    Trunk,
    number_validator,
)
from calls.sip import digest_ha1, new_sip_password
from requests_app.models import Channel, Customer, CustomerRequest
from requests_app.phones import phone_or_none
from requests_app.services import request_save, request_start

# A reservation lasts the queue's ring time and this much more, for the phone system's own
# delays: an agent still "ringing" after that let the call ring out.
RING_GRACE_SECONDS = 5
# Ring time for a call from one user to another (no queue).
DIRECT_RING_SECONDS = 30
# The states an agent chooses; the others are the phone system's.
AGENT_CHOICES = {State.AVAILABLE, State.PAUSED, State.OFFLINE}
# SIP answers that end a ringing call without the agent being at fault: the caller gave up
# (487), the agent declined (486, 603, 600).
NOT_THE_AGENTS_FAULT = {486, 487, 600, 603}
BUSY_CODES = {486, 600, 603}
CALLER_GAVE_UP = 487
MISSED_CALL_NAME = gettext_noop("Missed call")
# How long after an agent asked for a transfer the phone system's new call to the target is
# taken for it (the REFER goes out right after the question; the new call follows in moments).
TRANSFER_SECONDS = 60
# What reads as a phone number rather than a queue's number or a user's name.
PHONE_NUMBER = re.compile(r"^\+?[0-9 ()/.-]{5,}$")


# Agents' availability ---------------------------------------------------------------------


def _lock_agent(user: AbstractBaseUser) -> AgentState:
    """The agent's state row, locked until the transaction ends (made, offline, if missing)."""
    state = AgentState.objects.select_for_update().filter(user=user).first()
    if state is None:
        AgentState.objects.get_or_create(
            user=user, defaults={"state": State.OFFLINE, "since": clock.now()}
        )
        state = AgentState.objects.select_for_update().get(user=user)
    return state


def _move(
    agent: AgentState,
    new: str,
    *,
    at: datetime,
    reason: PauseReason | None = None,
    call: Call | None = None,
    until: datetime | None = None,
) -> None:
    """Write the agent's new state and keep the change (the one writer of both)."""
    reason = reason if new == State.PAUSED else None
    same = (
        agent.state == new
        and agent.pause_reason_id == (reason.pk if reason else None)
        and agent.call_id == (call.pk if call else None)
    )
    if same:
        if agent.until != until:
            agent.until = until
            agent.save(update_fields=["until"])
        return
    if new == State.AVAILABLE and (agent.state != State.RINGING or agent.idle_since is None):
        # Idle from now: after a call, a pause or being away. An agent whose phone rang for a
        # call the caller gave up keeps their place.
        agent.idle_since = at
    agent.state, agent.pause_reason, agent.call, agent.until = new, reason, call, until
    agent.since = at
    agent.save()
    AgentStateChange.objects.create(
        user_id=agent.user_id, state=new, pause_reason=reason, at=at, call=call
    )


def missed_call_reason(model: type[PauseReason] = PauseReason) -> PauseReason:
    """The pause reason the phone system sets after a ring nobody answered. A migration makes
    it (with its own model), so that it exists before any agent's row is locked: made on first
    use, its insert deadlocked with agents' locks under many calls (kept for databases emptied
    since, as the tests' are)."""
    reason = model.objects.filter(system_key=PauseReason.MISSED_CALL).first()
    if reason is None:
        # An administrator may have made one of that name: it becomes the one.
        model.objects.filter(name=MISSED_CALL_NAME, system_key="").update(
            system_key=PauseReason.MISSED_CALL
        )
        reason, _created = model.objects.get_or_create(
            system_key=PauseReason.MISSED_CALL, defaults={"name": MISSED_CALL_NAME}
        )
    return reason


def _expire(now: datetime) -> None:
    """Wrap-ups whose time is over become available, reservations whose time is over become
    "Paused: Missed call"; at the moment each ended. Rows another transaction holds are theirs."""
    expired = (
        AgentState.objects.select_for_update(skip_locked=True)
        .filter(state__in=[State.WRAP_UP, State.RINGING], until__lte=now)
        .order_by("pk")
    )
    for agent in expired:
        if agent.state == State.WRAP_UP:
            _move(agent, State.AVAILABLE, at=agent.until)
        else:
            _move(agent, State.PAUSED, at=agent.until, reason=missed_call_reason())


@transaction.atomic
def agent_state_set(
    *,
    user: AbstractBaseUser,
    state: str,
    reason: PauseReason | None = None,
    by_phone_system: bool = False,
    call: Call | None = None,
    seconds: int = 0,
) -> AgentState:
    """Set the agent's availability. Agents choose Available, Paused (with an active reason)
    or Offline, never while on a call; the phone system also sets On a call (with the call)
    and Wrap-up (for `seconds`, then available)."""
    if state not in State.values:
        raise ValidationError(_("Unknown availability."), code="invalid")
    if not by_phone_system and state not in AGENT_CHOICES:
        raise ValidationError(_("Only the phone system sets this availability."), code="invalid")
    now = clock.now()
    _expire(now)
    agent = _lock_agent(user)
    if state == State.PAUSED and (reason is None or not (reason.active or by_phone_system)):
        raise ValidationError({"reason": _("Choose why you pause.")}, code="required")
    if not by_phone_system and agent.current(now) == State.ON_CALL:
        raise ValidationError(
            _("You are on a call: change your availability when it has ended."), code="on_call"
        )
    if state == State.ON_CALL and call is None:
        raise ValidationError(
            _("“On a call” is set only with the call it is about."), code="invalid"
        )
    if state == State.WRAP_UP:
        if seconds <= 0:
            _move(agent, State.AVAILABLE, at=now)
            return agent
        _move(agent, State.WRAP_UP, at=now, call=call, until=now + timedelta(seconds=seconds))
        return agent
    _move(agent, state, at=now, reason=reason, call=call if state == State.ON_CALL else None)
    return agent


@transaction.atomic
def agent_wrap_up_extend(*, user: AbstractBaseUser, seconds: int) -> AgentState:
    """The agent needs longer after a call: the wrap-up ends `seconds` later."""
    if not 0 < seconds <= 3600:
        raise ValidationError({"seconds": _("Give between 1 and 3600 seconds.")}, code="invalid")
    now = clock.now()
    agent = _lock_agent(user)
    if agent.current(now) != State.WRAP_UP:
        raise ValidationError(_("You are not wrapping up a call."), code="invalid")
    agent.until = agent.until + timedelta(seconds=seconds)
    agent.save(update_fields=["until"])
    return agent


# Routing ------------------------------------------------------------------------------------


def _reject(code: int, reason: str) -> dict:
    return {"action": "reject", "code": code, "reason": reason}


def _ring(username: str, queue: Queue) -> dict:
    return {
        "action": "ring",
        "user": username,
        "uri": f"sip:{username}@{settings.SIP_DOMAIN}",
        "ring_seconds": queue.ring_seconds,
        "record": queue.record,
        "queue": queue.name,
    }


def _wait(queue: Queue, position: int) -> dict:
    return {
        "action": "wait",
        "uri": f"sip:queue-{queue.pk}@{settings.SIP_HOST}:{settings.MEDIA_SIP_PORT}",
        "queue": queue.name,
        "max_wait_seconds": queue.max_wait_seconds,
        "record": queue.record,
        "position": position,
        "retry_seconds": _retry_seconds(position),
    }


def _retry_seconds(position: int) -> float:
    """When a waiting caller's question is worth asking again: the head of the queue soon, the
    others later (settings.QUEUE_RETRY_SECONDS)."""
    head, middle, rest = settings.QUEUE_RETRY_SECONDS
    if position <= 5:
        return head
    return middle if position <= 50 else rest


def _waiting_before(queue: Queue, call: Call, now: datetime):
    """The queue's callers who came before the call and still wait (neither answered nor
    over, no agent ringing for them), within the queue's longest wait (older ones are over,
    whether or not their end was reported, or leave a message or ask for a callback): a free
    agent goes to them first."""
    horizon = now - timedelta(seconds=queue.max_wait_seconds)
    rung = AgentState.objects.filter(state=State.RINGING, call__isnull=False).values("call")
    earlier = Q(offered_at__lt=call.offered_at) | Q(offered_at=call.offered_at, pk__lt=call.pk)
    return Call.objects.filter(
        earlier,
        queue=queue,
        answered_at__isnull=True,
        ended_at__isnull=True,
        offered_at__gte=horizon,
    ).exclude(pk__in=rung)


def _direct(user: AbstractBaseUser) -> dict:
    # "user" names who answers in the call's events.
    username = user.get_username()
    return {"action": "agent", "user": username, "uri": f"sip:{username}@{settings.SIP_DOMAIN}"}


def _trunk_for(source: str) -> Trunk | None:
    for trunk in Trunk.objects.filter(active=True).exclude(source_addresses=""):
        if trunk.accepts(source):
            return trunk
    return None


def _lock_call(*, call_id: str, at: datetime, **values) -> tuple[Call, bool]:
    """The call's row, made if this is the first word of it, locked until the transaction ends."""
    call = Call.objects.select_for_update().filter(call_id=call_id).first()
    if call is not None:
        return call, False
    call, created = Call.objects.get_or_create(
        call_id=call_id, defaults={"offered_at": at, **values}
    )
    if not created:
        # Made by another question or event a moment ago.
        call = Call.objects.select_for_update().get(pk=call.pk)
    return call, created


def call_route(
    *,
    call_id: str,
    from_number: str,
    to_number: str,
    source: str,
    attempt: int,
    authenticated: bool = False,
    referred_by: str = "",
    announced: bool = False,
) -> dict:
    """Where the phone system sends a call now (the answer's JSON, see the contract in the
    README): the queue's available member with the highest skill who has been idle longest,
    reserved for this call; "wait" when nobody is free; "agent" for a call from one user to
    another; "reject" for what may not call or be called.

    `attempt` counts the routing questions after unanswered rings: the same attempt asked again
    (a retransmission) gets the same agent; another attempt while that agent still rings for the
    call means it rang out, and the agent is paused ("Missed call").

    `from` names a user only when the phone system checked the caller's credentials
    (`authenticated`): a trunk's caller whose number is some user's name is still a caller from
    outside, who must come from an active trunk's address.

    Callers are served first come, first served: a free member goes to the caller who has
    waited longest; a "wait" answer says the caller's place in the queue and when to ask again.
    Most questions are a waiting caller's, asked again while nobody is free: those are answered
    from what is committed, without a transaction or a lock, when the answer cannot be a
    reservation (see _answer_unlocked). The others take the locks.

    A call that carries out an agent's transfer (call_transfer_start) comes from the caller's
    phone or from the media service, which holds the caller: it is let in to the transfer's
    target, queue or agent, as a call of its own linked to the first (see _transfer_for).

    A queue's caller hears the queue's recording announcement before anyone is rung for them:
    until the media service says it was played (`announced`), the answer is "wait" (so that
    the call goes to the media service), with the announcement and the language to speak in.
    """
    now = clock.now()
    queue = Queue.objects.filter(number=to_number).first()
    may_ring = queue is None or announced or not queue_announces(queue)
    if queue is not None and may_ring:
        answer = _answer_unlocked(call_id, queue, attempt, now)
        if answer is not None:
            return answer if announced else _with_prompts(answer, queue, from_number)
    if not authenticated:
        transfer = _transfer_for(call_id, to_number, from_number, referred_by, source, now)
        if transfer is not None:
            return _route_transfer(transfer.pk, call_id, attempt, now)
    users = get_user_model().objects.filter(is_active=True)
    caller = users.filter(username=from_number).first() if authenticated and from_number else None
    if queue is None:
        callee = users.filter(username=to_number).first() if to_number else None
        if callee is None and caller is not None:
            return _refuse_dial(call_id, caller, to_number, now)
        if callee is None:
            return _reject(404, "Unknown number")
        if caller is None:
            return _reject(403, "Calls from outside reach queues only")
        return _route_to_user(call_id, caller, callee, now)

    trunk = None
    if caller is None:
        trunk = _trunk_for(source)
        if trunk is None:
            return _reject(403, "Unknown source")
    answer = _route_locked(call_id, from_number, caller, trunk, queue, attempt, now, may_ring)
    return answer if announced else _with_prompts(answer, queue, from_number)


def queue_announces(queue: Queue) -> bool:
    """Whether the queue's callers hear its recording announcement before they are put through."""
    return queue.record and bool(queue.consent_announcement.strip())


def caller_language(queue: Queue, from_number: str) -> str:
    """The language waiting callers hear: their customer's preferred one when their number
    belongs to one customer (or to customers who agree), else the queue's, else the default."""
    number = phone_or_none(from_number) if any(ch.isdigit() for ch in from_number) else None
    if number:
        preferred = set(
            Customer.objects.filter(phones__number=number).values_list(
                "preferred_language", flat=True
            )[:5]
        )
        if len(preferred) == 1:
            return preferred.pop()
    return queue.language or settings.LANGUAGE_CODE


def _with_prompts(answer: dict, queue: Queue, from_number: str) -> dict:
    """A "wait" answer with what the media service says to the caller: the language (theirs)
    and, for a queue that announces its recording, the announcement (in the queue's language)."""
    if answer["action"] != "wait":
        return answer
    answer = {**answer, "language": caller_language(queue, from_number)}
    if queue_announces(queue):
        answer["announcement"] = queue.consent_announcement.strip()
        answer["announcement_language"] = queue.language or settings.LANGUAGE_CODE
    return answer


@transaction.atomic
def _refuse_dial(call_id: str, caller, to_number: str, now: datetime) -> dict:
    """A user dialled what is neither a queue, a user nor a phone registered here: with no
    line to the outside the call fails, and its record (the softphone's, see call_dial_record)
    says so."""
    call, _created = _lock_call(
        call_id=call_id,
        at=now,
        direction=Direction.OUTBOUND,
        from_number=caller.get_username(),
        to_number=to_number,
        agent=caller,
    )
    if not call.events.filter(event=EventKind.FAILED).exists():
        CallEvent.objects.create(
            call=call, event=EventKind.FAILED, at=now, code=404, received_at=now, username=""
        )
        _derive(call, now)
    return _reject(404, "No outside line")


def _answer_unlocked(call_id: str, queue: Queue, attempt: int, now: datetime) -> dict | None:
    """The answer to a question about a call of this queue already routed (its caller was let
    in then), when it needs no write: the call is over, the agent it rings for is asked about
    again (a retransmission), or callers who came earlier take every free member. None: the
    locked path decides. From what is committed; a member who becomes free a moment after the
    read is taken by the next question.

    One SELECT of our own rather than the ORM's: these are most questions (every waiting
    caller's, again and again), and the ORM took 3 ms to build the same query from its
    subqueries, PostgreSQL 0.8 ms to run it (bench/routing.py). It counts what _free_members
    and _waiting_before select; tests/calls/test_routing.py runs both paths."""
    horizon = now - timedelta(seconds=queue.max_wait_seconds)
    at = connection.ops.adapt_datetimefield_value
    sql = UNLOCKED_ANSWER_SQL.format(
        call=Call._meta.db_table,
        state=AgentState._meta.db_table,
        member=QueueMember._meta.db_table,
        event=CallEvent._meta.db_table,
        user=get_user_model()._meta.db_table,
    )
    # In the order of the placeholders: ringing_for, free, ahead, the call.
    params = [at(now), queue.pk, at(now), queue.pk, at(horizon), call_id, queue.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    if row is None:
        return None
    over, route_attempt, ringing_for, free, ahead = row
    if over:
        return _reject(480, "The call is answered or over")
    if ringing_for is not None:
        return _ring(ringing_for, queue) if attempt == route_attempt else None
    if ahead >= free:
        return _wait(queue, ahead + 1)
    return None


UNLOCKED_ANSWER_SQL = """
SELECT
    (c.answered_at IS NOT NULL OR c.ended_at IS NOT NULL),
    c.route_attempt,
    (SELECT u.username FROM {state} s JOIN {user} u ON u.id = s.user_id
        WHERE s.state = 'ringing' AND s.call_id = c.id AND s.until > %s LIMIT 1),
    (SELECT COUNT(*) FROM {member} m
        JOIN {user} u ON u.id = m.user_id
        JOIN {state} s ON s.user_id = m.user_id
        WHERE m.queue_id = %s AND u.is_active
            AND (s.state = 'available' OR (s.state = 'wrap_up' AND s.until <= %s))
            AND u.username NOT IN (SELECT e.username FROM {event} e
                WHERE e.call_id = c.id AND e.event = 'reserved')),
    (SELECT COUNT(*) FROM {call} w
        WHERE w.queue_id = %s AND w.answered_at IS NULL AND w.ended_at IS NULL
            AND w.offered_at >= %s
            AND (w.offered_at < c.offered_at OR (w.offered_at = c.offered_at AND w.id < c.id))
            AND w.id NOT IN (SELECT s.call_id FROM {state} s
                WHERE s.state = 'ringing' AND s.call_id IS NOT NULL))
FROM {call} c
WHERE c.call_id = %s AND c.queue_id = %s
"""


def _free_members(queue: Queue, call: Call, now: datetime):
    """The queue's members who could ring for the call now: available (or at the end of their
    wrap-up) and not yet rung for it."""
    tried = CallEvent.objects.filter(call=call, event=EventKind.RESERVED).values("username")
    free = Q(user__agent_state__state=State.AVAILABLE) | Q(
        user__agent_state__state=State.WRAP_UP, user__agent_state__until__lte=now
    )
    return QueueMember.objects.filter(free, queue=queue, user__is_active=True).exclude(
        user__username__in=tried
    )


@transaction.atomic
def _route_locked(
    call_id: str,
    from_number: str,
    caller,
    trunk,
    queue: Queue,
    attempt: int,
    now: datetime,
    may_ring: bool = True,
) -> dict:
    _expire(now)
    call, created = _lock_call(
        call_id=call_id,
        at=now,
        direction=Direction.INTERNAL if caller else Direction.INBOUND,
        from_number=from_number,
        to_number=queue.number,
        trunk=trunk,
        queue=queue,
    )
    if created:
        CallEvent.objects.create(
            call=call, event=EventKind.OFFERED, at=now, received_at=now, username=""
        )
    elif call.queue_id is None:
        # Its first events came before the routing question.
        call.queue, call.trunk = queue, call.trunk or trunk
        call.save(update_fields=["queue", "trunk"])
    if call.ended_at is not None or call.answered_at is not None:
        return _reject(480, "The call is answered or over")

    ringing = (
        AgentState.objects.select_for_update()
        .select_related("user")
        .filter(state=State.RINGING, call=call)
        .first()
    )
    if ringing is not None:
        if attempt == call.route_attempt:
            return _ring(ringing.user.get_username(), queue)
        _move(ringing, State.PAUSED, at=now, reason=missed_call_reason())

    # First come, first served: with no more free members than callers waiting ahead, the
    # members go to those.
    ahead = _waiting_before(queue, call, now).count()
    agent = _reserve(queue, call, now, ahead) if may_ring else None
    if agent is None:
        return _wait(queue, ahead + 1)
    call.route_attempt = attempt
    call.save(update_fields=["route_attempt"])
    return _ring(agent.user.get_username(), queue)


def _reserve(queue: Queue, call: Call, now: datetime, ahead: int) -> AgentState | None:
    """The available member idle longest, highest skill first, who has not rung for this call
    yet, unless the callers `ahead` take every free member: locked and set ringing for it. A
    member another question is reserving right now is skipped (its row is locked), one reserved
    a moment ago no longer matches."""
    candidates = list(
        _free_members(queue, call, now)
        .order_by("-skill", "user__agent_state__idle_since", "user_id")
        .values_list("user_id", flat=True)[: ahead + 20]
    )
    if len(candidates) <= ahead:
        return None
    for user_id in candidates:
        agent = (
            AgentState.objects.select_for_update(skip_locked=True)
            .select_related("user")
            .filter(pk=user_id, state=State.AVAILABLE)
            .first()
        )
        if agent is None:
            continue
        until = now + timedelta(seconds=queue.ring_seconds + RING_GRACE_SECONDS)
        _move(agent, State.RINGING, at=now, call=call, until=until)
        CallEvent.objects.create(
            call=call,
            event=EventKind.RESERVED,
            at=now,
            username=agent.user.get_username(),
            received_at=now,
        )
        return agent
    return None


def _route_to_user(call_id: str, caller, callee, now: datetime) -> dict:
    """A call from one user to another: it rings only an available user, reserved for it."""
    call, created = _lock_call(
        call_id=call_id,
        at=now,
        direction=Direction.INTERNAL,
        from_number=caller.get_username(),
        to_number=callee.get_username(),
    )
    if created:
        CallEvent.objects.create(
            call=call, event=EventKind.OFFERED, at=now, received_at=now, username=""
        )
    return _ring_user(call, callee, now)


def _ring_user(call: Call, callee, now: datetime) -> dict:
    """The call rings the user if they are available (reserved for it), else "reject"."""
    agent = _lock_agent(callee)
    if agent.state == State.RINGING and agent.call_id == call.pk:
        return _direct(callee)
    if agent.current(now) != State.AVAILABLE:
        return _reject(480, "Not available")
    until = now + timedelta(seconds=DIRECT_RING_SECONDS + RING_GRACE_SECONDS)
    _move(agent, State.RINGING, at=now, call=call, until=until)
    CallEvent.objects.create(
        call=call,
        event=EventKind.RESERVED,
        at=now,
        username=callee.get_username(),
        received_at=now,
    )
    return _direct(callee)


# Events --------------------------------------------------------------------------------------


def event_time(seconds: float) -> datetime:
    """The event's own time from the phone system's Unix time."""
    return datetime.fromtimestamp(seconds, tz=UTC)


@transaction.atomic
def call_event_record(
    *,
    call_id: str,
    event: str,
    at: datetime,
    from_number: str = "",
    to_number: str = "",
    username: str = "",
    code: int = 0,
    queue_name: str = "",
) -> Call:
    """Keep one report of the phone system about a call, once however often it comes, and
    derive the call's record and its agents' states from all its reports in their own order.
    (The application's own events, an agent's reservation and a caller's message, are not
    reported: they come with what they are about.)"""
    if event not in EventKind.values or event in (EventKind.RESERVED, EventKind.VOICEMAIL):
        raise ValidationError({"event": _("Unknown event.")}, code="invalid")
    return _event_record(
        call_id=call_id,
        event=event,
        at=at,
        from_number=from_number,
        to_number=to_number,
        username=username,
        code=code,
        queue_name=queue_name,
    )


def _event_record(
    *,
    call_id: str,
    event: str,
    at: datetime,
    from_number: str = "",
    to_number: str = "",
    username: str = "",
    code: int = 0,
    queue_name: str = "",
) -> Call:
    now = clock.now()
    _expire(now)
    users = get_user_model().objects
    caller_is_user = bool(from_number) and users.filter(username=from_number).exists()
    callee_is_user = bool(to_number) and users.filter(username=to_number).exists()
    if not caller_is_user:
        direction = Direction.INBOUND
    else:
        direction = Direction.INTERNAL if callee_is_user else Direction.OUTBOUND
    call, _created = _lock_call(
        call_id=call_id,
        at=at,
        direction=direction,
        from_number=from_number,
        to_number=to_number,
        queue=Queue.objects.filter(name=queue_name).first() if queue_name else None,
    )
    if call.queue_id is None and queue_name:
        call.queue = Queue.objects.filter(name=queue_name).first()
    _kept, created = CallEvent.objects.get_or_create(
        call=call,
        event=event,
        at=at,
        username=username,
        defaults={"code": code, "received_at": now},
    )
    if created:
        _derive(call, now)
        if event in (EventKind.HANGUP, EventKind.FAILED) and call.queue and call.queue.record:
            _store_recording_after_commit(call.call_id)
    return call


def _store_recording_after_commit(call_id: str) -> None:
    """The task worker is asked to store the recorded call's audio once its end has committed."""
    from calls.tasks import store_recording_soon  # the tasks call these services

    transaction.on_commit(lambda: store_recording_soon(call_id), robust=True)


def _derive(call: Call, now: datetime) -> None:
    events = list(call.events.order_by("at", "id"))
    offered = [e.at for e in events if e.event == EventKind.OFFERED]
    call.offered_at = min(offered or [e.at for e in events])
    rang = [e.at for e in events if e.event in (EventKind.RINGING, EventKind.RESERVED)]
    call.rang_at = min(rang) if rang else None
    answers = [e for e in events if e.event == EventKind.ANSWERED and e.username]
    call.answered_at = answers[0].at if answers else None
    # An outbound call is the agent's who dialled it, whoever answered; another the answerer's.
    agent_name = answers[0].username if answers else None
    if call.direction == Direction.OUTBOUND and call.from_number:
        agent_name = call.from_number
    call.agent = (
        get_user_model().objects.filter(username=agent_name).first() if agent_name else None
    )
    ends = [e for e in events if e.event in (EventKind.HANGUP, EventKind.FAILED)]
    end = ends[-1] if ends else None
    call.ended_at = end.at if end else None
    call.hold_seconds = _hold_seconds(events, call.ended_at)
    call.outcome = _outcome(events, call, end)
    call.save()
    _keep_callback(call)
    _move_agents(call, events, now)


def _hold_seconds(events: list[CallEvent], ended_at: datetime | None) -> int:
    held, since = 0.0, None
    for event in events:
        if event.event == EventKind.HOLD and since is None:
            since = event.at
        elif event.event == EventKind.RESUME and since is not None:
            held += (event.at - since).total_seconds()
            since = None
    if since is not None and ended_at is not None:
        held += (ended_at - since).total_seconds()
    return int(held)


def _outcome(events: list[CallEvent], call: Call, end: CallEvent | None) -> str:
    if end is None:
        return ""
    if any(e.event == EventKind.TRANSFERRED for e in events):
        return Outcome.TRANSFERRED
    if any(e.event == EventKind.VOICEMAIL for e in events):
        return Outcome.VOICEMAIL
    if call.answered_at is not None:
        return Outcome.ANSWERED
    if end.event == EventKind.HANGUP or end.code == CALLER_GAVE_UP:
        # The caller hung up while waiting or ringing (a queue's media service answers
        # waiting callers itself, so their hangup is a hangup without an agent).
        return Outcome.ABANDONED
    if end.code in BUSY_CODES:
        return Outcome.BUSY
    if call.rang_at is not None:
        return Outcome.RANG_OUT
    return Outcome.FAILED


def _keep_callback(call: Call) -> None:
    """A queue's caller nobody answered is owed a callback; if a late event shows the call was
    answered after all, the untouched callback goes again."""
    owed = (
        call.outcome in (Outcome.ABANDONED, Outcome.RANG_OUT)
        and call.queue_id is not None
        and bool(call.from_number)
    )
    existing = Callback.objects.filter(call=call).first()
    if owed and existing is None:
        callback_create(
            queue=call.queue, number=call.from_number, called_at=call.ended_at, call=call
        )
    elif not owed and existing is not None and existing.status == CallbackStatus.OPEN:
        existing.delete()


def _move_agents(call: Call, events: list[CallEvent], now: datetime) -> None:
    """Each agent of the call where the call puts them: on it while it lasts after their
    answer, in wrap-up after it (or after they transferred it), back to available if the caller
    gave up while their phone rang, paused if it rang out. Only agents whose state belongs to
    this call are moved back; an answer moves the agent from anywhere."""
    usernames = {e.username for e in events if e.username}
    if call.direction != Direction.INBOUND and call.from_number:
        usernames.add(call.from_number)
    users = get_user_model().objects.filter(username__in=usernames).order_by("pk")
    end = next(
        (e for e in reversed(events) if e.event in (EventKind.HANGUP, EventKind.FAILED)), None
    )
    for user in users:
        name = user.get_username()
        own = [
            e
            for e in events
            if e.username == name and e.event in (EventKind.ANSWERED, EventKind.TRANSFERRED)
        ]
        talked = bool(own) or (name == call.from_number and call.answered_at is not None)
        left = bool(own) and own[-1].event == EventKind.TRANSFERRED
        agent = _lock_agent(user)
        ours = agent.call_id == call.pk
        # Once put on this call, an agent is moved by it only while their state is still its:
        # a late event must not pull them back from what they do now.
        handled = AgentStateChange.objects.filter(
            user=user, call=call, state__in=[State.ON_CALL, State.WRAP_UP]
        ).exists()
        if talked and not left and call.ended_at is None:
            if not (agent.state == State.ON_CALL and ours) and not handled:
                _move(agent, State.ON_CALL, at=now, call=call)
        elif talked:
            # Over for them: the call ended, or they transferred it.
            free = agent.state in (State.AVAILABLE, State.RINGING) and agent.call_id in (
                None,
                call.pk,
            )
            if (ours and agent.state == State.ON_CALL) or (free and not handled):
                _wrap_up(agent, call, now)
        elif ours and agent.state == State.RINGING and (call.ended_at or call.answered_at):
            if end is not None and end.username in ("", name) and _rang_out(end):
                _move(agent, State.PAUSED, at=now, reason=missed_call_reason())
            else:
                _move(agent, State.AVAILABLE, at=now)


def _rang_out(end: CallEvent) -> bool:
    return end.event == EventKind.FAILED and end.code not in NOT_THE_AGENTS_FAULT


def _wrap_up(agent: AgentState, call: Call, now: datetime) -> None:
    seconds = call.queue.wrap_up_seconds if call.queue_id else 0
    until = (call.ended_at or now) + timedelta(seconds=seconds)
    if until <= now:
        _move(agent, State.AVAILABLE, at=now)
    else:
        _move(agent, State.WRAP_UP, at=now, call=call, until=until)


# Transfers and click to call -------------------------------------------------------------------


def _agent_named(target: str):
    """The active user whose username is the target, else the one (only) whose full name it is."""
    users = get_user_model().objects.filter(is_active=True)
    user = users.filter(username=target).first()
    if user is not None:
        return user
    named = list(
        users.annotate(full_name=Concat("first_name", Value(" "), "last_name")).filter(
            full_name__iexact=target
        )[:2]
    )
    return named[0] if len(named) == 1 else None


def transfer_target(target: str, *, agent: AbstractBaseUser) -> str:
    """The queue's number or the agent's username that `target` names (a queue's number, an
    agent's username or full name). There is no line to the outside: a phone number is refused,
    as anything else no queue or agent answers to."""
    target = (target or "").strip()
    if not target:
        raise ValidationError(
            {"target": _("Give the queue number or the agent to transfer the call to.")},
            code="required",
        )
    if Queue.objects.filter(number=target).exists():
        return target
    user = _agent_named(target)
    if user is not None and user.has_perm("calls.take_calls"):
        if user.pk == agent.pk:
            raise ValidationError(
                {"target": _("You cannot transfer a call to yourself.")}, code="invalid"
            )
        return user.get_username()
    if PHONE_NUMBER.match(target):
        raise ValidationError(
            {
                "target": _(
                    "No outside line is configured: a call can be transferred to a queue "
                    "number or an agent only."
                )
            },
            code="no_outside_line",
        )
    raise ValidationError(
        {"target": _("No queue number or agent is called “%(target)s”.") % {"target": target}},
        code="unknown",
    )


def _agents_call(agent: AbstractBaseUser, call_id: str) -> Call:
    """The call `call_id` the agent is on now (locked), else ValidationError."""
    call_id = (call_id or "").strip()
    call = Call.objects.select_for_update().filter(call_id=call_id).first() if call_id else None
    on_it = (
        call is not None
        and call.ended_at is None
        and (
            call.agent_id == agent.pk
            or call.events.filter(event=EventKind.ANSWERED, username=agent.get_username()).exists()
        )
    )
    if not on_it:
        raise ValidationError({"call_id": _("You are on no call to transfer.")}, code="no_call")
    return call


def _consulted_agent(agent: AbstractBaseUser, consult_call_id: str) -> str:
    """The username of who answered the agent's consultation call."""
    consult_call_id = (consult_call_id or "").strip()
    consult = Call.objects.filter(call_id=consult_call_id).first() if consult_call_id else None
    if consult is None or consult.from_number != agent.get_username() or consult.ended_at:
        raise ValidationError(
            {"consult_call_id": _("Your consultation call is over or was never made.")},
            code="no_call",
        )
    answer = (
        consult.events.filter(event=EventKind.ANSWERED)
        .exclude(username__in=["", agent.get_username()])
        .order_by("at")
        .first()
    )
    if answer is None:
        raise ValidationError(
            {"consult_call_id": _("Nobody has answered your consultation call yet.")},
            code="not_answered",
        )
    return answer.username


@transaction.atomic
def call_transfer_start(
    *, agent: AbstractBaseUser, call_id: str, target: str = "", consult_call_id: str = ""
) -> Transfer:
    """The agent transfers the call they are on (asked by the softphone right before it sends
    the REFER): at once to a queue's number or an available agent (blind), or to whoever
    answered their consultation call (attended, `consult_call_id`). The phone system's new call
    to the target is routed because of it (call_route); it is also what makes the first call's
    outcome "transferred"."""
    call = _agents_call(agent, call_id)
    now = clock.now()
    if consult_call_id:
        username, attended = _consulted_agent(agent, consult_call_id), True
    else:
        username, attended = transfer_target(target, agent=agent), False
        user = get_user_model().objects.filter(username=username).first()
        state = AgentState.objects.filter(user=user).first() if user else None
        if user is not None and (state is None or state.current(now) != State.AVAILABLE):
            raise ValidationError(
                {"target": _("%(agent)s is not available now.") % {"agent": user}},
                code="not_available",
            )
    return Transfer.objects.create(
        call=call, by=agent, target=username, attended=attended, asked_at=now
    )


def transfer_refer_to(transfer: Transfer) -> str:
    """The SIP address the softphone's REFER names: the queue's number or the agent."""
    return f"sip:{transfer.target}@{settings.SIP_DOMAIN}"


def _transfer_for(
    call_id: str, to_number: str, from_number: str, referred_by: str, source: str, now: datetime
) -> Transfer | None:
    """The transfer a new call carries out: the one it was linked to already, else the latest
    transfer to its target asked for within TRANSFER_SECONDS and not yet carried out, by the
    agent the call names as its referrer (Referred-By) or of a call from the same number. Only
    from a trunk's address or the media service (which holds callers) on our host."""
    linked = Transfer.objects.filter(new_call__call_id=call_id).first()
    if linked is not None:
        return linked
    if source != settings.SIP_HOST and _trunk_for(source) is None:
        return None
    whose = Q(by__username=referred_by) if referred_by else Q(pk__in=[])
    if from_number and from_number != "anonymous":
        whose |= Q(call__from_number=from_number)
    return (
        Transfer.objects.filter(
            whose,
            target=to_number,
            new_call__isnull=True,
            asked_at__gte=now - timedelta(seconds=TRANSFER_SECONDS),
        )
        .order_by("-asked_at", "-pk")
        .first()
    )


@transaction.atomic
def _route_transfer(transfer_pk: int, call_id: str, attempt: int, now: datetime) -> dict:
    """Where the call that carries out a transfer goes: the target queue's routing, or the
    target agent (reserved for it, unless they are the one consulted). The first time it is
    asked, the new call's record is made, linked to the transfer, and the first call gets its
    "transferred" event."""
    transfer = Transfer.objects.select_for_update().select_related("by").get(pk=transfer_pk)
    first = Call.objects.select_for_update().get(pk=transfer.call_id)
    queue = Queue.objects.filter(number=transfer.target).first()
    call, created = _lock_call(
        call_id=call_id,
        at=now,
        direction=first.direction,
        from_number=first.from_number,
        to_number=transfer.target,
        trunk=first.trunk,
        queue=queue,
        customer=first.customer,
    )
    if created:
        CallEvent.objects.create(
            call=call, event=EventKind.OFFERED, at=now, received_at=now, username=""
        )
    if transfer.new_call_id is None:
        transfer.new_call = call
        transfer.save(update_fields=["new_call"])
        CallEvent.objects.get_or_create(
            call=first,
            event=EventKind.TRANSFERRED,
            at=now,
            username=transfer.by.get_username(),
            defaults={"received_at": now},
        )
        _derive(first, now)
    if queue is not None:
        answer = _route_locked(call_id, first.from_number, None, first.trunk, queue, attempt, now)
    else:
        callee = get_user_model().objects.filter(username=transfer.target).first()
        if callee is None:
            answer = _reject(404, "Unknown number")
        elif transfer.attended:
            answer = _direct(callee)  # on the consultation call with whoever transfers
        else:
            answer = _ring_user(call, callee, now)
    # The caller's own number for the target's phone to show (the media service's call
    # has none).
    return {**answer, "caller": first.from_number}


@transaction.atomic
def call_dial_record(
    *,
    agent: AbstractBaseUser,
    call_id: str,
    number: str,
    customer: Customer | None = None,
    request: CustomerRequest | None = None,
    callback: Callback | None = None,
) -> Call:
    """The agent's softphone dialled `number` (click to call) as the call `call_id`: its record
    is an outbound call, the agent's, linked to the customer, the request or the callback item
    it was started from. The same record however often it is told, before or after the phone
    system's first word of the call."""
    number = (number or "").strip()
    if not number:
        raise ValidationError({"number": _("Give the number to call.")}, code="required")
    try:
        number_validator(number)
    except ValidationError:
        raise ValidationError(
            {"number": _("“%(number)s” is not a number that can be dialled.") % {"number": number}},
            code="invalid",
        ) from None
    call_id = (call_id or "").strip()
    if not call_id or len(call_id) > 255:
        raise ValidationError({"call_id": _("The call's identifier is missing.")}, code="required")
    if request is not None and customer is None:
        customer = request.customer
    if callback is not None and customer is None and callback.call_id is not None:
        customer = callback.call.customer
    username = agent.get_username()
    call, created = _lock_call(
        call_id=call_id,
        at=clock.now(),
        direction=Direction.OUTBOUND,
        from_number=username,
        to_number=number,
        agent=agent,
        customer=customer,
        returns_callback=callback,
    )
    if call.from_number != username:
        raise ValidationError({"call_id": _("This call is not yours.")}, code="invalid")
    if not created:
        call.direction, call.agent = Direction.OUTBOUND, agent
        call.customer = customer or call.customer
        call.returns_callback = callback or call.returns_callback
        call.save(update_fields=["direction", "agent", "customer", "returns_callback"])
        if call.events.exists():
            _derive(call, clock.now())
    if request is not None:
        call.requests.add(request)
    return call


# Callbacks -----------------------------------------------------------------------------------


@transaction.atomic
def callback_create(
    *, queue: Queue, number: str, called_at: datetime | None = None, call: Call | None = None
) -> Callback:
    number = number.strip()
    if not number:
        raise ValidationError({"number": _("Give the number to call back.")}, code="required")
    return Callback.objects.create(
        queue=queue, number=number, called_at=called_at or clock.now(), call=call
    )


@transaction.atomic
def callback_done(*, callback: Callback, user: AbstractBaseUser, note: str = "") -> Callback:
    """Someone called the caller back: the item leaves the open list, with who and when."""
    callback = Callback.objects.select_for_update().get(pk=callback.pk)
    if callback.status == CallbackStatus.DONE:
        raise ValidationError(
            _("%(user)s already called back.") % {"user": callback.done_by}, code="done"
        )
    callback.status = CallbackStatus.DONE
    callback.done_by = user
    callback.done_at = clock.now()
    callback.note = note.strip()
    callback.full_clean(exclude=["queue", "call", "done_by"])
    callback.save()
    return callback


# Configuration: trunks, queues, members, pause reasons ---------------------------------------


@transaction.atomic
def trunk_save(*, trunk: Trunk | None = None, values: dict, password: str | None = None) -> Trunk:
    """Create or change a trunk. A SIP password given is kept only as its digest hash; an empty
    SIP username drops the credentials."""
    trunk = trunk or Trunk()
    for field, value in values.items():
        setattr(trunk, field, value)
    if not trunk.sip_username:
        trunk.sip_password_ha1 = ""
    elif password:
        trunk.sip_password_ha1 = digest_ha1(trunk.sip_username, password)
    for line in trunk.source_addresses.split():
        try:
            ipaddress.ip_network(line, strict=False)
        except ValueError:
            raise ValidationError(
                {"source_addresses": _("“%(line)s” is no IP address or network.") % {"line": line}}
            ) from None
    trunk.full_clean()
    trunk.save()
    return trunk


# Desk phones' SIP passwords -------------------------------------------------------------------


@transaction.atomic
def sip_password_generate(*, user: AbstractBaseUser, actor: AbstractBaseUser) -> str:
    """A new SIP password for the user's desk phones, replacing the one before (a phone that
    registered with it can no longer register). Returned once to be shown; only its digest hash
    for the SIP domain of today is kept."""
    if not user.is_active:
        raise ValidationError(_("%(user)s is deactivated.") % {"user": user.get_username()})
    if not can_take_calls(user):
        raise ValidationError(
            _("%(user)s does not take calls, so has no desk phone.") % {"user": user.get_username()}
        )
    password = new_sip_password()
    username = user.get_username()
    SipPassword.objects.update_or_create(
        user=user,
        defaults={
            "username": username,
            "realm": settings.SIP_DOMAIN,
            "ha1": digest_ha1(username, password),
            "set_at": clock.now(),
            "set_by": actor,
        },
    )
    return password


@transaction.atomic
def sip_password_remove(*, user: AbstractBaseUser) -> None:
    """No desk phone registers as the user any more (one registered now stays until its
    registration expires)."""
    SipPassword.objects.filter(user=user).delete()


@transaction.atomic
def queue_save(*, queue: Queue | None = None, values: dict) -> Queue:
    queue = queue or Queue()
    for field, value in values.items():
        setattr(queue, field, value)
    if queue.fallback_id is not None and queue.fallback_id == queue.pk:
        raise ValidationError({"fallback": _("A queue cannot be its own fallback.")})
    queue.full_clean()
    queue.save()
    return queue


@transaction.atomic
def queue_member_set(*, queue: Queue, user: AbstractBaseUser, skill: int) -> QueueMember:
    """Put the agent in the queue with this skill level (or change their level there)."""
    if not 1 <= skill <= 5:
        raise ValidationError({"skill": _("Give a skill level from 1 to 5.")})
    member, _created = QueueMember.objects.update_or_create(
        queue=queue, user=user, defaults={"skill": skill}
    )
    return member


@transaction.atomic
def queue_member_remove(*, queue: Queue, user: AbstractBaseUser) -> None:
    QueueMember.objects.filter(queue=queue, user=user).delete()


@transaction.atomic
def pause_reason_save(
    *, reason: PauseReason | None = None, name: str, active: bool = True
) -> PauseReason:
    reason = reason or PauseReason()
    reason.name, reason.active = name.strip(), active
    reason.full_clean()
    reason.save()
    return reason


# The agent's side of a call --------------------------------------------------------------------


def call_caller_number(call: Call) -> str | None:
    """The other party's number in E.164, if it is one: the caller of an inbound call, the
    number dialled of an outbound one."""
    number = call.to_number if call.direction == Direction.OUTBOUND else call.from_number
    return phone_or_none(number) if number and any(ch.isdigit() for ch in number) else None


@transaction.atomic
def call_request_start(*, call: Call, agent: AbstractBaseUser) -> CustomerRequest:
    """The agent answered: the contact is saved at once (save first, as at the desk), a phone
    request with the caller's number (a known number gives its customer, an unknown one a new
    customer, as request_save does), linked to the call. Asked again for the same call (a
    reload, a second click) it is the same request."""
    call = Call.objects.select_for_update().get(pk=call.pk)
    existing = call.requests.filter(agent=agent).order_by("pk").first()
    if existing is not None:
        return existing
    started = request_start(agent=agent, channel=Channel.PHONE)
    number = call_caller_number(call)
    if number:
        try:
            with transaction.atomic():
                started = request_save(
                    request=started,
                    values={"caller_phone": number},
                    expected_version=started.version,
                    user=agent,
                )
        except ValidationError:
            # Several customers share the number: the agent chooses on the form.
            started.refresh_from_db()
    call.requests.add(started)
    return started


# Recordings ----------------------------------------------------------------------------------

logger = logging.getLogger(__name__)


def call_recording_days(call: Call) -> int:
    """How many days the call's recording is kept: its queue's number, else the setting's."""
    if call.queue is not None and call.queue.recording_days:
        return call.queue.recording_days
    return settings.CALL_RECORDING_DAYS


def call_recording_save(*, call: Call) -> CallRecording | None:
    """The call's recording: rtpengine's recording of it (when it has finished writing one)
    turned into compressed audio, kept call_recording_days() days. The same recording however
    often it is asked; None while rtpengine has left none. rtpengine's raw files are removed
    once the recording is saved (or found to hold no audio: recordings.NoAudio). Raises
    recordings.RecordingError for a recording that cannot be read."""
    existing = CallRecording.objects.filter(call=call).first()
    if existing is not None:
        # The caller's message, or this recording saved by another worker: rtpengine's files
        # would only be the same call again.
        for raw in recordings.finished_raw_recordings(call.call_id):
            raw.remove()
        return existing
    raws = recordings.finished_raw_recordings(call.call_id)
    if not raws:
        return None
    now = clock.now()
    name = recordings.store_name(call.pk, secrets.token_hex(8), now)
    try:
        converted = recordings.convert(raws, name)
    except recordings.NoAudio:
        for raw in raws:
            raw.remove()
        raise
    if converted.unknown_codecs:
        logger.warning(
            "call %s: audio in %s left out of its recording (no decoder)",
            call.call_id,
            ", ".join(sorted(converted.unknown_codecs)),
        )
    try:
        with transaction.atomic():
            recording, created = CallRecording.objects.get_or_create(
                call=call,
                defaults={
                    "file_name": converted.name,
                    "content_type": recordings.CONTENT_TYPE,
                    "size": converted.size,
                    "seconds": round(converted.seconds),
                    "recorded_at": now,
                    "delete_after": now + timedelta(days=call_recording_days(call)),
                },
            )
    except BaseException:
        recordings.stored_path(name).unlink(missing_ok=True)
        raise
    if not created:  # saved meanwhile by another worker
        recordings.stored_path(name).unlink(missing_ok=True)
        return recording

    def remove_raw_files():
        for raw in raws:
            raw.remove()

    transaction.on_commit(remove_raw_files)
    logger.info(
        "call %s recorded: %s, %d s, %d bytes, kept until %s",
        call.call_id,
        recording.file_name,
        recording.seconds,
        recording.size,
        recording.delete_after.isoformat(),
    )
    return recording


@transaction.atomic
def call_voicemail_save(*, call_id: str, audio: bytes, at: datetime) -> CallRecording:
    """The message a queue's caller left after the longest wait (a WAV file the media service
    recorded): kept as the call's recording (compressed, as long as its recordings, played on
    the call's page), and the call's outcome becomes "To voicemail". It takes the place of
    rtpengine's recording of the call, which holds the same message among the hold music."""
    call = Call.objects.select_for_update().filter(call_id=call_id, queue__isnull=False).first()
    if call is None:
        raise ValidationError({"call_id": _("No call of a queue has this Call-ID.")})
    now = clock.now()
    name = recordings.store_name(call.pk, secrets.token_hex(8), now)
    try:
        converted = recordings.convert_wav(audio, name)
    except recordings.RecordingError as error:
        raise ValidationError({"audio": str(error)}, code="invalid") from error
    replaced = CallRecording.objects.filter(call=call).first()
    if replaced is not None:
        _recording_file_delete(replaced)
        replaced.delete()
    recording = CallRecording.objects.create(
        call=call,
        file_name=converted.name,
        content_type=recordings.CONTENT_TYPE,
        size=converted.size,
        seconds=round(converted.seconds),
        recorded_at=now,
        delete_after=now + timedelta(days=call_recording_days(call)),
    )
    transaction.on_commit(
        lambda: [raw.remove() for raw in recordings.finished_raw_recordings(call.call_id)]
    )
    _event_record(call_id=call_id, event=EventKind.VOICEMAIL, at=at)
    logger.info(
        "call %s: a message of %d s kept until %s",
        call_id,
        recording.seconds,
        recording.delete_after.isoformat(),
    )
    return recording


def _recording_file_delete(recording: CallRecording) -> None:
    with suppress(recordings.RecordingError):
        recordings.stored_path(recording.file_name).unlink(missing_ok=True)


def call_recordings_delete_expired() -> int:
    """Deletes the recordings kept long enough (their file and their row; who played them
    stays on record) and says how many; rtpengine's raw recordings older than that, which never
    became a call's recording, go too."""
    now = clock.now()
    cutoff = now - timedelta(days=settings.CALL_RECORDING_DAYS)
    for path in recordings.remove_raw_not_after(cutoff.timestamp()):
        logger.warning("rtpengine's recording %s removed unconverted after the retention", path)
    deleted = 0
    for recording in CallRecording.objects.filter(delete_after__lte=now).select_related("call"):
        _recording_file_delete(recording)
        CallRecording.objects.filter(pk=recording.pk).delete()
        deleted += 1
        logger.info(
            "recording of call %s deleted: %s, kept until %s",
            recording.call.call_id,
            recording.file_name,
            recording.delete_after.isoformat(),
        )
    return deleted


def recording_access_record(*, call: Call, user: AbstractBaseUser, use: str) -> RecordingAccess:
    """Keeps who played or downloaded the call's recording, and when."""
    if use not in RecordingUse.values:
        raise ValidationError({"use": _("Unknown use of a recording.")}, code="invalid")
    access = RecordingAccess.objects.create(call=call, user=user, use=use, at=clock.now())
    logger.info("recording of call %s: %s by %s", call.call_id, use, user.get_username())
    return access
