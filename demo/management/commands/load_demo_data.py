from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from callcenter import roles
from demo.calls import load_demo_calls
from demo.catalogue import load_demo_catalogue
from demo.clock import replay
from demo.desk import load_desk
from demo.feedback import load_feedback, load_feedback_settings
from demo.knowledge import load_demo_articles
from demo.mail import load_demo_mailbox
from demo.open311 import load_demo_attributes
from reports.services import report_days_count_all
from requests_app.models import CustomerRequest

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo logins, refused outside DEBUG
# Demo customers and requests: a few hundred callers, a few thousand contacts over 90 days.
DEMO_CUSTOMERS = 300
DEMO_REQUESTS = 3000
DEMO_DAYS = 90
DEMO_SEED = 3
DEMO_USERS = [
    ("agent", roles.AGENT),
    ("supervisor", roles.SUPERVISOR),
    ("admin", roles.ADMINISTRATOR),
    ("manager", roles.MANAGER),
]
# The demo users who take the calls.
DESK_ROLES = {roles.AGENT, roles.SUPERVISOR}


class Command(BaseCommand):
    help = (
        "Load the demo users (password 'demo'); into an empty catalogue, the demo catalogue; "
        "while there are no articles, the demo knowledge base; the demo mailbox; "
        f"and, while there are no customer requests, {DEMO_CUSTOMERS} customers and "
        f"{DEMO_REQUESTS} requests over the last {DEMO_DAYS} days, with their work orders, "
        "made by the services as the desk makes them. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (the demo users have a known password).",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create users with a known password while DEBUG is off; "
                "pass --force if this really is a demo installation."
            )
        now = timezone.now()
        # The catalogue and the articles are there before the first call of the demo's days.
        with replay(now - timedelta(days=DEMO_DAYS + 1)) as clock, transaction.atomic():
            created = [name for name, role in DEMO_USERS if self.ensure_user(name, role)]
            self.stdout.write(
                f"Demo users created: {', '.join(created) or 'none (already there)'}."
            )
            message = load_demo_catalogue()
            self.stdout.write(f"Catalogue: {message or 'left as it is (not empty).'}")
            if message:
                self.stdout.write(f"Open311 questions: {load_demo_attributes()}.")
            self.load_articles()
            loaded = self.load_requests(clock, now)
            phone = load_demo_calls(self.desk_agents())
            self.stdout.write(f"Phone system: {phone or 'left as it is (already there).'}")
            mailbox = load_demo_mailbox()
            self.stdout.write(f"E-mail: {mailbox or 'left as it is (already there).'}")
        if loaded:
            # The replay wrote requests in the past, which no count since has seen.
            report_days_count_all()

    def load_articles(self) -> None:
        # Only while there are none: supervisors' own articles are not to be mixed with demo ones.
        created = load_demo_articles(User.objects.get(username="supervisor"))
        if created:
            self.stdout.write(f"Knowledge base: {created} articles.")
        else:
            self.stdout.write("Knowledge base: left as it is (there are articles).")

    def load_requests(self, clock, now) -> bool:
        # Only while there are none: the demo's contacts would mix with real ones otherwise.
        if CustomerRequest.objects.exists():
            self.stdout.write("Customers and requests: left as they are (there are requests).")
            return False
        # Before the calls: the request services ask customers for feedback as they finish.
        if load_feedback_settings(User.objects.get(username="supervisor")):
            self.stdout.write("Feedback: asked after information and action requests.")
        try:
            summary = load_desk(
                clock=clock,
                now=now,
                agents=self.desk_agents(),
                customers=DEMO_CUSTOMERS,
                requests=DEMO_REQUESTS,
                days=DEMO_DAYS,
                seed=DEMO_SEED,
            )
        except ValueError as error:
            self.stdout.write(f"Customers and requests: none loaded. {error}")
            return False
        self.stdout.write(
            f"Customers and requests: {summary.customers} customers, {summary.requests} "
            f"requests and {summary.work_orders} work orders over the last {DEMO_DAYS} days."
        )
        answers = load_feedback(clock=clock, now=now, seed=DEMO_SEED)
        self.stdout.write(f"Feedback: {answers} answers.")
        return True

    @staticmethod
    def desk_agents() -> list[User]:
        """The demo users who take the calls, in DEMO_USERS' order."""
        desk = [name for name, role in DEMO_USERS if role in DESK_ROLES]
        agents = sorted(
            User.objects.filter(username__in=desk, is_active=True, groups__name__in=DESK_ROLES),
            key=lambda user: desk.index(user.username),
        )
        return list(dict.fromkeys(agents))

    @staticmethod
    def ensure_user(username: str, role: str) -> bool:
        """Create the demo user with its role, unless a user of that name exists."""
        if User.objects.filter(username=username).exists():
            return False
        # No staff status, not even for the administrator: Django's admin is for superusers only,
        # and administrators manage users on the application's users page.
        user = User.objects.create_user(username=username, password=DEMO_PASSWORD)
        user.groups.add(Group.objects.get(name=role))
        return True
