"""manage.py open311_key: API keys for apps that post Open311 requests, for scripts and
first setups (administrators also issue and revoke them on the page "Open311 API keys").

    manage.py open311_key create "FixMyStreet"   prints the new key, once
    manage.py open311_key list                   id, name, how the key starts, revoked or not
    manage.py open311_key revoke 3               the key with id 3 no longer posts
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from callcenter.inputs import parse_id
from open311.models import ApiKey
from open311.services import api_key_create, api_key_revoke


class Command(BaseCommand):
    help = "Creates, lists or revokes Open311 API keys."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a key and print it (shown once)")
        create.add_argument("name", help="the app or partner the key is for")
        actions.add_parser("list", help="list the keys")
        revoke = actions.add_parser("revoke", help="revoke a key")
        revoke.add_argument("id", help="the key's id, as listed")

    def handle(self, *args, action: str, **options):
        if action == "create":
            try:
                _api_key, key = api_key_create(name=options["name"], user=None)
            except ValidationError as error:
                raise CommandError(" ".join(error.messages)) from None
            self.stdout.write(key)
        elif action == "list":
            for api_key in ApiKey.objects.order_by("pk"):
                state = f"revoked {api_key.revoked_at:%Y-%m-%d}" if api_key.is_revoked else "usable"
                self.stdout.write(f"{api_key.pk}\t{api_key.prefix}…\t{state}\t{api_key.name}")
        else:
            pk = parse_id(options["id"])
            api_key = ApiKey.objects.filter(pk=pk).first() if pk else None
            if api_key is None:
                raise CommandError(f"No key has the id {options['id']!r}.")
            api_key_revoke(api_key=api_key, user=None)
            self.stdout.write(f"Revoked: {api_key.name}")
