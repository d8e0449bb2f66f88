"""The demo's customer feedback: which requests ask for it, and what customers answered.

The settings are made before the desk's replay (feedback_setting_save), so that the request
services ask the customers themselves as the requests are finished (feedback.services), with
every rule: not twice in 30 days, not without an address. The replay drops the tasks, so the
e-mails are "sent" here afterwards (feedback_invitation_sent, a few minutes after the finish)
and about a third of the customers answer (feedback_answer_save) within three days, each at
their moment on the demo's clock: more satisfied when their request was resolved in the first
contact, some with a comment in their language, a few saying "don't ask me again".
"""

import random
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser

from demo import city
from demo.clock import Clock
from feedback.models import FeedbackInvitation, FeedbackSetting
from feedback.services import (
    feedback_answer_save,
    feedback_invitation_sent,
    feedback_setting_save,
)
from requests_app.models import Channel, RequestType

# Comments are logged, not asked about; walk-ins and faxes give no e-mail to follow up.
ASKING = {
    RequestType.INFORMATION: [Channel.PHONE, Channel.EMAIL, Channel.WEB],
    RequestType.ACTION: [Channel.PHONE, Channel.EMAIL, Channel.WEB],
}
RESPONSE_RATE = city.FEEDBACK_RESPONSE_RATE
COMMENT_RATE = 0.4
OPT_OUT_RATE = 0.04
LEFT_OUT_RATE = 0.06  # a scale left out

# Weights of each answer, from the lowest: (satisfaction 1-5, effort 1-7, recommend 0-10).
RESOLVED_AT_ONCE = (
    [2, 3, 8, 35, 52],
    [1, 2, 4, 8, 18, 32, 35],
    [1, 1, 1, 2, 2, 4, 6, 13, 24, 22, 24],
)
TOOK_LONGER = (
    [9, 12, 22, 32, 25],
    [5, 8, 14, 20, 21, 18, 14],
    [5, 4, 5, 6, 7, 10, 12, 17, 16, 9, 9],
)
COMMENTS = {
    "en": {
        True: [
            "Quick and friendly, thank you.",
            "The agent knew exactly what to do.",
            "Sorted in one call. Great service!",
        ],
        False: [
            "It took several calls before anyone could help.",
            "I had to explain everything again when I called back.",
            "Fixed in the end, but the waiting time was long.",
        ],
    },
    "de": {
        True: [
            "Schnell und freundlich, vielen Dank.",
            "Sehr kompetente Beratung am Telefon.",
        ],
        False: [
            "Ich musste mehrmals anrufen.",
            "Es hat zu lange gedauert, bis sich jemand gekümmert hat.",
        ],
    },
    "nb": {
        True: [
            "Rask og vennlig hjelp, tusen takk.",
            "Saken ble løst med én gang.",
        ],
        False: [
            "Jeg måtte ringe flere ganger.",
            "Det tok for lang tid før noen tok tak i saken.",
        ],
    },
}


def load_feedback_settings(user: AbstractBaseUser | None) -> bool:
    """Which request types and channels ask for feedback, unless a supervisor chose already
    (None: the volume generator, nobody's choice)."""
    if FeedbackSetting.objects.exists():
        return False
    for request_type, channels in ASKING.items():
        feedback_setting_save(
            request_type=request_type, channels=channels, expected_version=1, user=user
        )
    return True


def load_feedback(*, clock: Clock, now: datetime, seed: int) -> int:
    """Send the invitations the replay made and answer about a third of them, each at its
    moment (none after `now`). How many answers."""
    rng = random.Random(f"{seed}-feedback")
    invitations = (
        FeedbackInvitation.objects.filter(sent_at__isnull=True)
        .select_related("request")
        .order_by("asked_at", "pk")
    )
    events: list[tuple[datetime, int, str, FeedbackInvitation]] = []
    for invitation in invitations:
        sent = invitation.asked_at + timedelta(minutes=rng.uniform(1, 10))
        if sent > now:
            continue
        events.append((sent, invitation.pk, "send", invitation))
        if rng.random() < RESPONSE_RATE:
            answered = sent + timedelta(hours=rng.uniform(0.2, 72))
            if answered <= now:
                events.append((answered, invitation.pk, "answer", invitation))
    answers = 0
    for moment, _pk, action, invitation in sorted(events, key=lambda event: event[:2]):
        clock.set(moment)
        if action == "send":
            feedback_invitation_sent(invitation_id=invitation.pk)
        elif _answer(invitation, rng) is not None:
            answers += 1
    return answers


def _answer(invitation: FeedbackInvitation, rng: random.Random):
    values, opt_out = answer_values(
        rng, invitation.request.first_contact_resolution, invitation.language
    )
    return feedback_answer_save(invitation=invitation, values=values, opt_out=opt_out)


def answer_values(rng: random.Random, at_once: bool, language: str) -> tuple[dict, bool]:
    """What a customer answers (the scales, perhaps a comment), and whether they also said
    "don't ask me again"; happier when their request was resolved in the first contact. Also
    the volume generator's answers (demo.volume)."""
    weights = RESOLVED_AT_ONCE if at_once else TOOK_LONGER
    satisfaction, effort, recommend = (
        _scale(rng, scale, first) for scale, first in zip(weights, (1, 1, 0), strict=True)
    )
    comment = ""
    if rng.random() < COMMENT_RATE:
        texts = COMMENTS.get(language, COMMENTS["en"])
        comment = rng.choice(texts[at_once or satisfaction >= 4])
    values = {
        "satisfaction": satisfaction,
        "effort": None if rng.random() < LEFT_OUT_RATE else effort,
        "recommend": None if rng.random() < LEFT_OUT_RATE else recommend,
        "comment": comment,
    }
    return values, rng.random() < OPT_OUT_RATE


def _scale(rng: random.Random, weights: list[int], first: int) -> int:
    return rng.choices(range(first, first + len(weights)), weights=weights)[0]
