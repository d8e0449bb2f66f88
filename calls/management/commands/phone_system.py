"""manage.py phone_system: Kamailio and rtpengine in the foreground with the configuration written
from the settings, stopped when this command stops. Without Debian's packages it says that calls
are off and how to install them, and exits 0 so that `make run` goes on without calls."""

import signal
import sys

from django.core.management.base import BaseCommand

from calls.phone import config as phone_config


class Command(BaseCommand):
    help = "Runs the phone system (Kamailio and rtpengine) in the foreground."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only say whether the phone system is installed (exit 1 when it is not).",
        )
        parser.add_argument(
            "--debug-level",
            type=int,
            default=1,
            help="Kamailio's log level (-1 errors only … 3 debug); default 1.",
        )

    def handle(self, *args, check=False, debug_level=1, **options):
        missing = phone_config.missing_packages()
        if missing:
            self.stdout.write(
                f"calls are off: {', '.join(missing)} not installed, install with: "
                f"{phone_config.install_command()}"
            )
            if check:
                sys.exit(1)
            return
        if check:
            self.stdout.write("The phone system is installed.")
            return

        from calls.phone.system import PhoneSystem, PhoneSystemError

        config = phone_config.PhoneConfig.from_settings(debug_level=debug_level)
        system = PhoneSystem(config)

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            system.start()
            self.stdout.write(
                f"Phone system: SIP on {config.sip_host}:{config.sip_port} (UDP and TCP), "
                f"browsers on ws://{config.sip_host}:{config.sip_ws_port}, rtpengine on "
                f"127.0.0.1:{config.rtpengine_ng_port} (media ports {config.rtp_port_min}-"
                f"{config.rtp_port_max}); asking {config.app_url} where calls go. "
                f"Configuration in {config.run_dir}."
            )
            ended = system.wait()
            self.stderr.write(f"calls are off: {ended} stopped; see its messages above.")
            sys.exit(1)
        except PhoneSystemError as error:
            self.stderr.write(f"calls are off: {error}")
            sys.exit(1)
        except KeyboardInterrupt:
            pass
        finally:
            system.stop()
