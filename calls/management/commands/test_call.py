"""manage.py test_call --from +4930123456 --to 311: a simulated caller on the local phone system
who plays a tone until someone answers and hangs up (or the time is up, or Ctrl-C)."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from calls.phone import config as phone_config
from calls.phone.system import sip_options_ping


class Command(BaseCommand):
    help = "Places a call into the local phone system as a caller who plays a tone."

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="caller", default="+4930123456", help="caller number")
        parser.add_argument("--to", dest="called", default="311", help="number or user called")
        parser.add_argument("--tone", type=int, default=660, help="the caller's tone in Hz")
        parser.add_argument(
            "--seconds", type=int, default=300, help="hang up after this long (default 300)"
        )

    def handle(self, *args, caller, called, tone, seconds, **options):
        missing = phone_config.missing_packages()
        if missing:
            raise CommandError(
                f"calls are off: {', '.join(missing)} not installed, install with: "
                f"{phone_config.install_command()}"
            )
        try:
            from calls.phone.party import Party, PartyError
        except ImportError as error:  # pragma: no cover - the module imports pjsua2 lazily
            raise CommandError(str(error)) from error

        proxy = f"{settings.SIP_HOST}:{settings.SIP_PORT}"
        if sip_options_ping(settings.SIP_HOST, settings.SIP_PORT) is None:
            raise CommandError(
                f"no phone system answers on {proxy}: start it with `make run` "
                "(or `manage.py phone_system`)"
            )
        uri = f"sip:{called}@{settings.SIP_DOMAIN}"
        self.stdout.write(f"Calling {uri} from {caller} through {proxy} …")
        try:
            party = Party("caller", user=caller, domain=settings.SIP_DOMAIN, proxy=proxy, tone=tone)
        except PartyError as error:
            raise CommandError(f"the simulated caller did not start: {error}") from error
        started = time.monotonic()
        try:
            party.call(uri)
            self._follow(party, started, tone, seconds)
        except KeyboardInterrupt:
            self.stdout.write("Hanging up.")
            party.hangup()
            party.wait_for("disconnected", timeout=5)
        finally:
            party.close()

    def _follow(self, party, started, tone, seconds):
        answered = rang = None
        hung_up = False
        while True:
            limit = seconds - (time.monotonic() - started)
            if limit <= 0 and not hung_up:
                self.stdout.write(f"Hanging up after {seconds} s.")
                party.hangup()
                hung_up = True
            if hung_up:
                limit = 5
            try:
                event = party.wait_for("state", "disconnected", "error", timeout=limit)
            except TimeoutError:
                if hung_up:
                    raise CommandError("the call did not end after hanging up") from None
                continue
            elapsed = time.monotonic() - started
            if event["event"] == "error":
                raise CommandError(f"the call failed: {event.get('reason')}")
            if event["event"] == "disconnected":
                if answered is None:
                    raise CommandError(
                        f"the call was not answered: {event['code']} {event['reason']}"
                    )
                self.stdout.write(f"The call ended after {elapsed - answered:.0f} s of talk.")
                return
            if event["code"] in (180, 183) and not rang:
                rang = True
                self.stdout.write(f"Ringing ({elapsed * 1000:.0f} ms).")
            if event["state"] == "CONFIRMED":
                answered = elapsed
                self.stdout.write(
                    f"Answered after {elapsed:.1f} s: the caller plays a {tone} Hz tone. "
                    "Hang up in the browser, or press Ctrl-C here."
                )
