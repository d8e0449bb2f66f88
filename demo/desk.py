"""The demo's customers, requests and work orders: the last days of a city's call center,
replayed through the services at their moments (demo.clock), so that every rule the desk
follows holds for them because the desk's own code made them.

- Customers (customer_save), then calls in time order: most from known customers, whom the
  desk finds by their number or e-mail; new callers with a number or an address become
  customers as their request is saved; a few walk-ins give only a name.
- Each call is started (request_start) and saved when the agent is done (request_save): an
  information request after a knowledge-base search for the caller's question and the article
  it found opened (request_searched_knowledge, request_consult); an action request with its
  problem code and work address, which opens a work order or links to the one open for the
  problem there (about one report in four repeats a problem reported in the last days); a
  comment, closed. A few are abandoned before anything is typed, some of them discarded.
- Most are resolved in the first contact; the others wait (open, or a follow-up with a due
  date and someone to call back) until the agent calls back, or the work order is completed.
- Work orders follow their course (work_order_update): assigned, in progress, some on hold,
  then completed (which resolves their requests), mostly before they are due, some late, some
  cancelled with a reason; the newest are still under way, some of them overdue.

What would happen after `now` does not happen: it is the present of the demo.
"""

import heapq
import itertools
import random
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.contrib.auth.models import AbstractBaseUser

from demo import city
from demo.clock import Clock
from demo.people import PLACES, People, PhoneMaker
from hierarchy.models import ProblemCode
from knowledgebase.models import Article, ArticleStatus
from knowledgebase.search import search_articles
from knowledgebase.services import failed_search_record
from requests_app.models import Channel, Customer, CustomerRequest, RequestType, Status
from requests_app.services import (
    customer_save,
    request_consult,
    request_discard,
    request_save,
    request_searched_knowledge,
    request_start,
)
from workorders.models import WorkOrder, WorkOrderStatus
from workorders.services import work_order_update

# Of the callers the desk does not know, this share gives a number or an address (and becomes
# a customer); the others only a name, or nothing.
NEW_CALLERS_CONTACT = 0.3
# Of the work orders and follow-ups due in the last days, one in this many is still to be done
# at the end (the others were done in time or late): counted, not drawn, so that the lists have
# overdue ones to show whatever hour the demo is loaded.
OVERDUE_EVERY = 4
OVERDUE_WINDOW = timedelta(days=7)


@dataclass
class DeskSummary:
    customers: int
    requests: int
    work_orders: int


@dataclass
class Caller:
    customer: Customer
    name: str
    phones: list[str]
    email: str
    address: str


@dataclass
class Course:
    """A work order's course from its opening: what happens to it, and when it is done."""

    opened: datetime
    closes: datetime
    code: ProblemCode
    address: str


def load_desk(
    *,
    clock: Clock,
    now: datetime,
    agents: list[AbstractBaseUser],
    customers: int,
    requests: int,
    days: int,
    seed: int,
) -> DeskSummary:
    """Replay `requests` calls over the `days` days before `now` from `customers` customers
    and new callers, with their work orders, on the clock (at its start: the customers)."""
    desk = Desk(clock=clock, now=now, agents=agents, seed=seed)
    desk.add_customers(customers)
    for started in city.request_times(requests, seed=seed, now=now, days=days):
        desk.at(started, desk.call)
    desk.run()
    return DeskSummary(
        customers=Customer.objects.count(),
        requests=CustomerRequest.objects.count(),
        work_orders=WorkOrder.objects.count(),
    )


class Desk:
    def __init__(self, *, clock: Clock, now: datetime, agents: list[AbstractBaseUser], seed):
        if not agents:
            raise ValueError("The demo's calls need agents.")
        codes = list(ProblemCode.objects.usable().select_related("category").order_by("pk"))
        if not codes:
            raise ValueError("The demo's calls need usable problem codes in the catalogue.")
        self.clock = clock
        self.now = now
        self.rng = rng = random.Random(f"{seed}-desk")
        self.people = People(seed)
        self.phones = PhoneMaker(random.Random(f"{seed}-phones"))
        self.agents = {agent.pk: agent for agent in agents}
        # Some agents take more calls than others; popular problem codes come up more often.
        self.agent = city.picker(
            rng, [(agent, 1.2 / (rank + 1)) for rank, agent in enumerate(agents)]
        )
        rng.shuffle(codes)
        self.code = city.picker(
            rng, [(code, 1 / (rank + 1) ** 0.8) for rank, code in enumerate(codes)]
        )
        self.request_type = city.picker(rng, city.REQUEST_TYPES)
        self.channel = city.picker(rng, city.CHANNELS)
        self.language = city.picker(rng, city.LANGUAGES)
        self.articles = self._articles_by_code()
        self.callers: list[Caller] = []
        self.courses: dict[int, Course] = {}
        self.recent: deque[tuple[datetime, int]] = deque()  # (reported, work order) for repeats
        self.events: list[tuple[datetime, int, Callable, tuple]] = []
        self.serial = itertools.count()
        self.searches: dict[str, list] = {}
        self.under_way = 0
        self.due_lately = {"follow-ups": 0, "work orders": 0}

    @staticmethod
    def _articles_by_code() -> dict[int, Article]:
        articles = {}
        published = Article.objects.filter(status=ArticleStatus.PUBLISHED).order_by("pk")
        for article in published.prefetch_related("problem_codes"):
            for code in article.problem_codes.all():
                articles.setdefault(code.pk, article)
        return articles

    # The event queue ------------------------------------------------------------------------

    def at(self, moment: datetime, action: Callable, *args) -> None:
        """Do `action` at `moment`, unless that is after now."""
        if moment <= self.now:
            heapq.heappush(self.events, (moment, next(self.serial), action, args))

    def run(self) -> None:
        while self.events:
            moment, _, action, args = heapq.heappop(self.events)
            self.clock.set(moment)
            action(*args)

    def left_overdue(self, due: datetime, counted: str) -> bool:
        """Whether this one, due in the last days, is still to be done at the end."""
        if not self.now - OVERDUE_WINDOW < due < self.now:
            return False
        self.due_lately[counted] += 1
        return self.due_lately[counted] % OVERDUE_EVERY == 0

    def later(self, low: timedelta, high: timedelta) -> datetime:
        return self.clock.now + low + (high - low) * self.rng.random()

    # Customers ------------------------------------------------------------------------------

    def add_customers(self, count: int) -> None:
        rng = self.rng
        for serial in range(1, count + 1):
            language = self.language()
            first, last = self.people.name(language, rng)
            email = self.people.email(first, last, serial, rng) if rng.random() < 0.55 else ""
            alias = address = ""
            if rng.random() < 0.03:
                alias, address = rng.choice(PLACES)
            elif rng.random() < 0.85:
                address = self.people.street_address(rng)
            count_phones = 1 if rng.random() < 0.6 else (2 if rng.random() < 0.75 else 3)
            phones = [self.phones(mobile=rng.random() < 0.5) for _ in range(count_phones)]
            customer = customer_save(
                values={
                    "name": f"{first} {last}",
                    "email": email,
                    "postal_address": address,
                    "address_alias": alias,
                    "preferred_language": language,
                    "notes": rng.choice(city.NOTES) if rng.random() < 0.05 else "",
                },
                phones=phones,
            )
            self.callers.append(Caller(customer, customer.name, phones, customer.email, address))

    def caller(self, channel: str) -> tuple[dict[str, str], str]:
        """What the caller tells the agent, and their own address if the desk knows it."""
        rng = self.rng
        known = len(self.callers)
        if known and rng.random() < city.CUSTOMER_SHARE:
            frequent = max(1, int(known * city.FREQUENT_CALLERS))
            index = rng.randrange(frequent if rng.random() < city.FREQUENT_SHARE else known)
            caller = self.callers[index]
            details = {
                "caller_name": caller.name,
                "caller_phone": rng.choice(caller.phones),
                "caller_email": caller.email,
            }
            if channel in (Channel.EMAIL, Channel.WEB) and caller.email:
                details["caller_phone"] = ""
            return details, caller.address
        first, last = self.people.name(self.language(), rng)
        name = f"{first} {last}" if rng.random() < 0.6 else ""
        if rng.random() >= NEW_CALLERS_CONTACT:
            return {"caller_name": name}, ""
        if channel in (Channel.PHONE, Channel.FAX):
            return {"caller_name": name, "caller_phone": self.phones(mobile=rng.random() < 0.6)}, ""
        if channel in (Channel.EMAIL, Channel.WEB):
            serial = 100_000 + next(self.serial)
            return {
                "caller_name": name,
                "caller_email": self.people.email(first, last, serial, rng),
            }, ""
        return {"caller_name": name}, ""

    # Calls ----------------------------------------------------------------------------------

    def call(self) -> None:
        agent = self.agent()
        request = request_start(agent=agent, channel=self.channel())
        if self.rng.random() < city.DRAFT_SHARE:
            # Abandoned before anything was typed; some of them discarded at once.
            if self.rng.random() < 0.4:
                self.at(
                    self.later(timedelta(seconds=10), timedelta(minutes=1)),
                    self.discard,
                    request,
                    agent,
                )
            return
        finished = self.later(timedelta(minutes=1), timedelta(minutes=15))
        self.at(finished, self.save, request, agent, self.request_type())

    def discard(self, request: CustomerRequest, agent: AbstractBaseUser) -> None:
        request_discard(request=request, user=agent)

    def save(self, request: CustomerRequest, agent: AbstractBaseUser, kind: str) -> None:
        rng = self.rng
        values, home = self.caller(request.channel)
        values["request_type"] = kind
        course = None
        if kind == RequestType.ACTION:
            values.update(self.problem(request, agent, home))
        elif kind == RequestType.COMMENT:
            values["comment"] = rng.choice(city.COMMENTS)
        else:
            question, answer = rng.choice(city.QUESTIONS)
            self.search(request, agent, question)
            values["answer_given"] = answer
        first_contact = rng.random() < city.FIRST_CONTACT[kind]
        if first_contact:
            values["status"] = Status.CLOSED if rng.random() < 0.2 else Status.RESOLVED
        elif rng.random() < 0.5:
            values["status"] = Status.FOLLOW_UP
            values["follow_up_due"] = self.later(timedelta(hours=20), timedelta(hours=120))
            values["follow_up_assignee"] = agent if rng.random() < 0.7 else self.agent()
        else:
            values["status"] = Status.OPEN
        saved = request_save(
            request=request, values=values, expected_version=request.version, user=agent
        )
        if saved.work_order_id is not None:
            course = self.courses.get(saved.work_order_id) or self.plan(saved.work_order)
            self.recent.append((self.clock.now, saved.work_order_id))
        if saved.status == Status.RESOLVED:
            if rng.random() < 0.15:
                self.at(self.later(timedelta(days=1), timedelta(days=6)), self.call_back, saved.pk)
        elif saved.status == Status.FOLLOW_UP:
            due = saved.follow_up_due
            if not self.left_overdue(due, "follow-ups"):
                self.at(due + timedelta(hours=36 * rng.random() - 6), self.call_back, saved.pk)
        elif saved.status == Status.OPEN:
            if course is not None:  # the caller is told once the work is done
                self.at(
                    course.closes + timedelta(hours=2 + 46 * rng.random()), self.call_back, saved.pk
                )
            else:
                self.at(self.later(timedelta(hours=1), timedelta(days=3)), self.call_back, saved.pk)

    def problem(self, request: CustomerRequest, agent, home: str) -> dict:
        """An action request's problem, where it is, and the article the agent opened for it."""
        rng = self.rng
        repeated = self.repeat() if rng.random() < city.REPEAT_SHARE else None
        if repeated is not None:
            code, address = repeated.code, city.written_otherwise(repeated.address, rng)
        else:
            code = self.code()
            if home and rng.random() < 0.5:
                address = home
            elif rng.random() < 0.1:
                place, street = rng.choice(PLACES)
                address = f"{place}, {street}"
            else:
                address = self.people.street_address(rng)
        article = self.articles.get(code.pk)
        if article is not None and rng.random() < 0.5:
            request_consult(request=request, article=article, user=agent)
        detail = rng.choice(city.DETAILS)
        return {
            "problem_code": code,
            "work_address": address,
            "description": f"{code.name}. {detail}".strip(),
        }

    def repeat(self) -> Course | None:
        """A problem reported in the last days and not yet done, for another caller to report."""
        oldest = self.clock.now - city.REPEAT_WINDOW
        while self.recent and self.recent[0][0] < oldest:
            self.recent.popleft()
        for _ in range(3):  # those reported lately are often done already
            if not self.recent:
                return None
            _, work_order = self.recent[self.rng.randrange(len(self.recent))]
            course = self.courses[work_order]
            if course.closes > self.clock.now and course.opened >= oldest:
                return course
        return None

    def search(self, request: CustomerRequest, agent, question: str) -> None:
        """The agent searches the knowledge base for the caller's question and opens the first
        article found; a search that found nothing is counted for the supervisors."""
        if question not in self.searches:
            self.searches[question] = search_articles(question, user=agent, published_only=True)
        hits = self.searches[question]
        request_searched_knowledge(request)
        failed_search_record(text=question, hits=hits, user=agent)
        if hits:
            request_consult(request=request, article=hits[0].article, user=agent)

    def call_back(self, pk: int) -> None:
        """The agent calls the caller back: a request still waiting is resolved (or closed), a
        resolved one sometimes closed."""
        request = CustomerRequest.objects.get(pk=pk)
        user = request.follow_up_assignee or request.agent
        if request.status in (Status.OPEN, Status.FOLLOW_UP):
            status = Status.CLOSED if self.rng.random() < 0.3 else Status.RESOLVED
        elif request.status == Status.RESOLVED and self.rng.random() < 0.5:
            status = Status.CLOSED
        else:
            return
        request_save(
            request=request, values={"status": status}, expected_version=request.version, user=user
        )

    # Work orders ----------------------------------------------------------------------------

    def plan(self, work_order: WorkOrder) -> Course:
        """The course of a work order just opened: its updates, each at its moment."""
        rng = self.rng
        opened = work_order.created_at
        span = (work_order.due_at - opened) if work_order.due_at else city.DEFAULT_TURNAROUND
        cancelled = rng.random() < city.CANCELLED_SHARE
        if cancelled:
            closes = opened + timedelta(hours=1 + 71 * rng.random())
        elif rng.random() < city.LATE_SHARE:
            closes = opened + span * (1.05 + 0.8 * rng.random())
        else:
            closes = opened + span * (0.15 + 0.8 * rng.random())
        due = work_order.due_at
        if not cancelled and due and self.left_overdue(due, "work orders"):
            closes = self.now + timedelta(days=1 + 4 * rng.random())
        course = Course(opened, closes, work_order.problem_code, work_order.address)
        self.courses[work_order.pk] = course
        user = self.agents.get(work_order.created_by_id) or self.agent()
        assigned = opened + (closes - opened) * 0.2
        started = opened + (closes - opened) * 0.5
        if due is None:
            # Its code promised nothing: a due date first, which every later update needs.
            promise = {"due_at": opened + city.DEFAULT_TURNAROUND}
            self.at(opened + timedelta(minutes=5), self.update, work_order.pk, user, promise, "")
        crew = {"assignee": rng.choice(city.CREWS)}
        if cancelled:
            reason = rng.choice(city.CANCEL_REASONS)
            cancel = {"status": WorkOrderStatus.CANCELLED}
            self.at(closes, self.update, work_order.pk, user, cancel, reason)
        elif closes <= self.now:
            # Done by now: its crew and its completion in one save (the demo's only saves of
            # it: each save is a few milliseconds of `make run`'s first start).
            done = {"status": WorkOrderStatus.COMPLETED, **crew}
            self.at(closes, self.update, work_order.pk, user, done, "")
        else:
            assign = {"status": WorkOrderStatus.ASSIGNED, **crew}
            self.at(assigned, self.update, work_order.pk, user, assign, "")
            if started <= self.now:
                progress = {"status": WorkOrderStatus.IN_PROGRESS}
                self.under_way += 1
                if self.under_way % city.ON_HOLD_EVERY == 0:
                    progress = {
                        "status": WorkOrderStatus.ON_HOLD,
                        "notes": rng.choice(city.HOLD_NOTES),
                    }
                self.at(started, self.update, work_order.pk, user, progress, "")
        return course

    def update(self, pk: int, user, values: dict, reason: str) -> None:
        work_order = WorkOrder.objects.get(pk=pk)
        work_order_update(
            work_order=work_order,
            values=values,
            expected_version=work_order.version,
            user=user,
            reason=reason,
        )
