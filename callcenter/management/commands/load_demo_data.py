from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from callcenter import roles
from hierarchy.catalogue_csv import DEMO_CATALOGUE, catalogue_import
from hierarchy.models import Department
from knowledgebase.demo import load_demo_articles
from requests_app.models import CustomerRequest
from requests_app.volume import load_volume

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


class Command(BaseCommand):
    help = (
        "Load the demo users (password 'demo'); into an empty catalogue, the demo catalogue; "
        "while there are no articles, the demo knowledge base; "
        f"and, while there are no customer requests, {DEMO_CUSTOMERS} customers and "
        f"{DEMO_REQUESTS} requests over the last {DEMO_DAYS} days, with the work orders of the "
        "action requests. Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even though DEBUG is off (the demo users have a known password).",
        )

    @transaction.atomic
    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "Refusing to create users with a known password while DEBUG is off; "
                "pass --force if this really is a demo installation."
            )
        created = [username for username, role in DEMO_USERS if self.ensure_user(username, role)]
        self.stdout.write(f"Demo users created: {', '.join(created) or 'none (already there)'}.")
        # Only into an empty catalogue: importing again would undo what administrators changed.
        if Department.objects.exists():
            self.stdout.write("Catalogue: left as it is (not empty).")
        else:
            with DEMO_CATALOGUE.open("rb") as file:
                summary = catalogue_import(file, user=None)
            self.stdout.write(f"Catalogue: {summary.message()}")
        self.load_articles()
        self.load_requests()

    def load_articles(self) -> None:
        # Only while there are none: supervisors' own articles are not to be mixed with demo ones.
        created = load_demo_articles(User.objects.get(username="supervisor"))
        if created:
            self.stdout.write(f"Knowledge base: {created} articles.")
        else:
            self.stdout.write("Knowledge base: left as it is (there are articles).")

    def load_requests(self) -> None:
        # Only while there are none: the demo's contacts would mix with real ones otherwise.
        if CustomerRequest.objects.exists():
            self.stdout.write("Customers and requests: left as they are (there are requests).")
            return
        try:
            summary = load_volume(
                customers=DEMO_CUSTOMERS, requests=DEMO_REQUESTS, days=DEMO_DAYS, seed=DEMO_SEED
            )
        except ValueError as error:
            self.stdout.write(f"Customers and requests: none loaded. {error}")
            return
        self.stdout.write(
            f"Customers and requests: {summary.customers} customers with {summary.phones} "
            f"phone numbers, {summary.requests} requests and {summary.work_orders} work orders "
            f"over the last {DEMO_DAYS} days."
        )

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
