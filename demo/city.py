"""What the demo city's calls are like, for the demo desk (demo.desk) and the benchmark volume
(demo.volume): how many of each kind, when they come in, what callers say and agents write.

Shares are weights: about 50 % information, 35 % action, 15 % comments; by phone mostly, then
e-mail, web, walk-in and fax; more on weekdays and in office hours, a little more recently.
"""

import random
from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

from requests_app.models import Channel, RequestType
from workorders.addresses import address_key

REQUEST_TYPES = [(RequestType.INFORMATION, 50), (RequestType.ACTION, 35), (RequestType.COMMENT, 15)]
CHANNELS = [
    (Channel.PHONE, 60),
    (Channel.EMAIL, 18),
    (Channel.WEB, 12),
    (Channel.WALK_IN, 6),
    (Channel.FAX, 4),
]
LANGUAGES = [("en", 80), ("de", 15), ("nb", 5)]
# Of the customers asked for feedback by e-mail, the share who answer.
FEEDBACK_RESPONSE_RATE = 0.32
WEEKDAYS = [1.15, 1.05, 1.0, 1.0, 0.9, 0.3, 0.15]  # Monday first
HOURS = [
    0.03, 0.02, 0.02, 0.02, 0.03, 0.05, 0.15, 0.6, 1.2, 1.6, 1.7, 1.5,
    1.1, 1.3, 1.4, 1.2, 0.9, 0.6, 0.35, 0.2, 0.12, 0.08, 0.05, 0.04,
]  # fmt: skip
# Contacts abandoned before anything was typed: still contacts, with their channel.
DRAFT_SHARE = 0.02
CUSTOMER_SHARE = 0.70  # calls from known customers
FREQUENT_CALLERS = 0.02  # this share of customers ...
FREQUENT_SHARE = 0.20  # ... makes this share of the calls from known customers
# How likely, by type, a request is resolved in the first contact (about 70 % overall).
FIRST_CONTACT = {RequestType.INFORMATION: 0.82, RequestType.ACTION: 0.40, RequestType.COMMENT: 1.0}
# Of the action requests, this share reports again a problem already open at a place (about
# 1.3 requests per work order in the end), one reported in the last days.
REPEAT_SHARE = 0.24
REPEAT_WINDOW = timedelta(days=5)
# Work orders: cancelled, completed after the due date, and how long one takes whose problem
# code promises nothing.
CANCELLED_SHARE = 0.05
LATE_SHARE = 0.15
DEFAULT_TURNAROUND = timedelta(days=7)
# One in twelve of the work orders under way now is on hold: counted, not drawn, so that a demo
# loaded at any hour has some to show.
ON_HOLD_EVERY = 12

CREWS = [
    "Crew North", "Crew South", "Crew East", "Crew West", "Night crew",
    "Nordbau GmbH (contractor)", "Grünpflege Berlin (contractor)",
]  # fmt: skip
CANCEL_REASONS = [
    "Caller withdrew the report.",
    "Private property: the owner is responsible.",
    "Crew found nothing to fix on site.",
    "Fixed by the utility company before the crew arrived.",
    "Reported at the wrong address; the right one has its own work order.",
]
HOLD_NOTES = [
    "Waiting for parts from the supplier.",
    "Waiting for the utility company to mark its cables.",
    "Needs a road closure permit.",
    "Work resumes when the weather allows.",
]
NOTES = [
    "Prefers a call back in the afternoon.",
    "Hard of hearing: speak slowly and clearly.",
    "Caretaker of the building; reports for all tenants.",
    "Calls often about the same street lights.",
    "Asked not to be contacted by e-mail.",
    "Speaks little English; German is fine.",
]
# An information request: what the caller asks (the words the agent searches the knowledge base
# for) and what the agent wrote down as the answer.
QUESTIONS = [
    ("when is bulky waste collected", "Read out the bulky waste rules and the next date."),
    ("recycling centre opening hours", "Gave the opening hours of the recycling centre."),
    ("phone number of the registry office", "Gave the phone number of the registry office."),
    ("order an extra bin", "Explained how to order an extra bin online and sent the link."),
    ("road works map", "Told the caller the road works end on Friday, as published."),
    ("water bill meter reading", "Explained the water bill and the meter reading dates."),
    ("where can I take old paint", "Read the script on hazardous waste and its collection."),
    ("parking permit application", "Gave the link to the parking permit application."),
    ("tree in the neighbour's garden", "The tree is on private property: the owner decides."),
    ("collection calendar holiday", "The collection moves by one day after the public holiday."),
    (
        "citizens office opening hours",
        "Gave the address and opening hours of the citizens' office.",
    ),
    ("lost dog", "Explained how to report a lost dog to the animal shelter and gave its number."),
    # Not in the knowledge base: the searches that found nothing, for the supervisors.
    ("passport renewal", "Gave the citizens' office's number for passport appointments."),
]
DETAILS = [
    "Caller says it has been like this for two days.",
    "Next to the bus stop.",
    "In front of the school entrance; children pass every morning.",
    "Reported by several neighbours.",
    "Caller will be at home all day.",
    "On the corner, opposite the pharmacy.",
    "Blocking half of the pavement.",
    "Third time this month according to the caller.",
    "Caller sent a photo by e-mail.",
    "",
]
COMMENTS = [
    "Thanks the crew for the quick pickup last week.",
    "Complains that the collection truck blocks the street every Tuesday morning.",
    "Praises the agent who helped with the bulky waste appointment.",
    "Finds the new opening hours of the recycling centre too short.",
    "Suggests more litter bins in the park.",
    "Unhappy that nobody called back last time.",
    "Likes the new street lights: the street feels safer.",
    "Says the website's form was hard to find.",
]


def picker(rng: random.Random, weighted: Sequence[tuple]) -> Callable[[], object]:
    """A function drawing one of the values, by their weights."""
    values = [value for value, _ in weighted]
    cumulative = []
    total = 0.0
    for _, weight in weighted:
        total += weight
        cumulative.append(total)
    choices = rng.choices

    def pick():
        return choices(values, cum_weights=cumulative)[0]

    return pick


def request_times(count: int, *, seed: int, now: datetime, days: int) -> list[datetime]:
    """When each request started, oldest first: on the last `days` local days, by weekday and
    hour, the newest finished by `now`."""
    rng = random.Random(f"{seed}-times")
    zone = timezone.get_default_timezone()
    today: date = timezone.localtime(now, zone).date()
    # Local midnight of each day as a UTC timestamp; a day's DST shift is ignored (it happens at
    # night, when hardly anyone calls).
    midnights = []
    weights = []
    for offset in range(days):
        day = today - timedelta(days=offset)
        midnights.append(datetime.combine(day, time(0), tzinfo=zone).timestamp())
        weights.append(WEEKDAYS[day.weekday()] * (1.2 - 0.2 * offset / days))
    latest = now.timestamp() - 20 * 60
    day_choice = rng.choices(range(days), weights=weights, k=count)
    hour_choice = rng.choices(range(24), weights=HOURS, k=count)
    moments = []
    for offset, hour in zip(day_choice, hour_choice, strict=True):
        stamp = midnights[offset] + hour * 3600 + rng.random() * 3600
        tries = 0
        while stamp > latest:  # today, later than now: draw again
            tries += 1
            offset = rng.randrange(days)
            stamp = midnights[offset] + rng.choices(range(24), weights=HOURS)[0] * 3600
            stamp += rng.random() * 3600
            if tries > 20:
                stamp = latest - rng.random() * 3600
        moments.append(stamp)
    moments.sort()
    return [datetime.fromtimestamp(stamp, UTC) for stamp in moments]


def written_otherwise(address: str, rng: random.Random) -> str:
    """The same place as another caller gives it, maybe in other words ("Hauptstr. 12" for
    "Hauptstraße 12"); never so that the duplicate check's address_key differs."""
    if rng.random() < 0.5:
        return address
    text = address.replace("\n", ", ")
    if rng.random() < 0.5:
        text = text.replace("straße", "str.")
    if rng.random() < 0.3:
        text = text.lower()
    return text if address_key(text) == address_key(address) else address
