from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from callcenter import roles
from hierarchy.catalogue_csv import catalogue_import

DEMO_PASSWORD = "demo"  # noqa: S105 - documented demo logins, refused outside DEBUG
DEMO_USERS = [
    ("agent", roles.AGENT),
    ("supervisor", roles.SUPERVISOR),
    ("admin", roles.ADMINISTRATOR),
    ("manager", roles.MANAGER),
]
DEMO_CATALOGUE = Path(settings.BASE_DIR) / "hierarchy" / "demo_catalogue.csv"


class Command(BaseCommand):
    help = (
        "Load the demo users (password 'demo') and the demo catalogue. Running it again "
        "changes nothing."
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
        with DEMO_CATALOGUE.open("rb") as file:
            summary = catalogue_import(file, user=None)
        self.stdout.write(
            f"Demo users created: {', '.join(created) or 'none (already there)'}. "
            f"Catalogue: {summary.message()}"
        )

    @staticmethod
    def ensure_user(username: str, role: str) -> bool:
        """Create the demo user with its role, unless a user of that name exists."""
        if User.objects.filter(username=username).exists():
            return False
        user = User.objects.create_user(
            username=username,
            password=DEMO_PASSWORD,
            is_staff=role == roles.ADMINISTRATOR,
        )
        user.groups.add(Group.objects.get(name=role))
        return True
