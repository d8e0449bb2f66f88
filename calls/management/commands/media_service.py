"""manage.py media_service: answers the callers who wait for an agent (music on hold), asks the
application where each call goes every interval, and joins caller and agent when one is free
(calls.phone.media). Without pjsua2 it says that waiting calls are off and exits 0."""

import logging
import signal
import sys

from django.conf import settings
from django.core.management.base import BaseCommand

from calls.phone import config as phone_config
from calls.phone.media import MediaService, write_hold_music


class Command(BaseCommand):
    help = "Runs the media service that answers callers waiting in a queue."

    def add_arguments(self, parser):
        parser.add_argument("--music", help="hold music, a WAV file (16-bit PCM)")
        parser.add_argument(
            "--interval", type=float, default=1.5, help="seconds between routing questions"
        )
        parser.add_argument("--log-level", type=int, default=1, help="PJSIP's log level (0-5)")

    def handle(self, *args, music=None, interval=1.5, log_level=1, **options):
        missing = phone_config.missing_packages()
        if missing:
            self.stdout.write(
                f"waiting calls are off: {', '.join(missing)} not installed, install with: "
                f"{phone_config.install_command()}"
            )
            return
        try:
            import pjsua2  # noqa: F401
        except ImportError:
            self.stdout.write(
                "waiting calls are off: pjsua2 is not installed, install with: "
                ".venv/bin/pip install pjsua2-python"
            )
            return
        logging.basicConfig(level=logging.INFO, format="media service: %(message)s")
        run_dir = settings.PHONE_RUN_DIR
        run_dir.mkdir(parents=True, exist_ok=True)
        if music is None:
            music = write_hold_music(run_dir / "hold-music.wav")
        service = MediaService(
            sip_host=settings.SIP_HOST,
            media_port=settings.MEDIA_SIP_PORT,
            proxy=f"{settings.SIP_HOST}:{settings.SIP_PORT}",
            domain=settings.SIP_DOMAIN,
            app_url=settings.PHONE_APP_URL,
            phone_secret=settings.PHONE_SECRET,
            music_path=music,
            interval=interval,
            log_level=log_level,
        )

        def stop(signum, frame):
            service.stop()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        try:
            service.run()
        except Exception as error:  # PJSIP's errors (a port in use) end the service plainly
            self.stderr.write(f"waiting calls are off: {error}")
            sys.exit(1)
