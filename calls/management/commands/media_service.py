"""manage.py media_service: answers the callers who wait for an agent (music on hold, spoken
prompts), asks the application where each call goes every interval, and joins caller and agent
when one is free (calls.phone.media). PJSIP's Python wheel holds four calls per process, so this
command runs --workers processes, on SIP ports MEDIA_SIP_PORT, MEDIA_SIP_PORT + 1, ..., among
which Kamailio shares the waiting callers. While they start, it renders the prompts every
caller may hear into PHONE_PROMPTS_DIR (espeak-ng; kept there for the next start). Without
the phone packages or pjsua2 it says that waiting calls are off and exits 0."""

import logging
import signal
import subprocess
import sys
import threading
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from calls.phone import config as phone_config
from calls.phone.media import MediaService, write_hold_music
from calls.phone.prompts import PromptError, Prompts
from calls.wire import VOICEMAIL_MAX_SECONDS


class Command(BaseCommand):
    help = "Runs the media service that answers callers waiting in a queue."

    def add_arguments(self, parser):
        parser.add_argument("--music", help="hold music, a WAV file (16-bit PCM)")
        parser.add_argument(
            "--interval", type=float, default=1.5, help="seconds between routing questions"
        )
        parser.add_argument(
            "--workers",
            type=int,
            default=getattr(settings, "MEDIA_WORKERS", 4),
            help="processes (four calls each), on consecutive SIP ports from MEDIA_SIP_PORT",
        )
        parser.add_argument("--log-level", type=int, default=1, help="PJSIP's log level (0-5)")
        parser.add_argument("--port", type=int, help=argparse_hidden())

    def handle(self, *args, music=None, interval=1.5, workers=4, log_level=1, port=None, **opts):
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
        run_dir = settings.PHONE_RUN_DIR
        run_dir.mkdir(parents=True, exist_ok=True)
        if music is None:
            music = write_hold_music(run_dir / "hold-music.wav")
        prompts = Prompts(settings.PHONE_PROMPTS_DIR)
        if port is not None:
            self.worker(port, music, prompts, interval, log_level)
        else:
            self.supervise(workers, music, prompts, interval, log_level)

    def render_prompts(self, prompts):
        try:
            count, seconds = prompts.render_all()
        except PromptError as error:
            self.stderr.write(f"Media service: the prompts could not be rendered: {error}")
            return
        self.stdout.write(f"Media service: {count} prompts ready in {seconds:.1f} s.")

    def supervise(self, workers, music, prompts, interval, log_level):
        """The worker processes, started and ended together; the prompts rendered meanwhile
        (a worker that needs one first renders it itself)."""
        children = []

        def stop(signum, frame):
            raise KeyboardInterrupt

        signal.signal(signal.SIGTERM, stop)
        try:
            for number in range(workers):
                children.append(
                    subprocess.Popen(
                        [
                            sys.executable,
                            sys.argv[0],
                            "media_service",
                            f"--port={settings.MEDIA_SIP_PORT + number}",
                            f"--music={music}",
                            f"--interval={interval}",
                            f"--log-level={log_level}",
                        ],
                        stdin=subprocess.DEVNULL,
                    )
                )
            self.stdout.write(
                f"Media service: {workers} processes on SIP ports {settings.MEDIA_SIP_PORT}-"
                f"{settings.MEDIA_SIP_PORT + workers - 1}, asking {settings.PHONE_APP_URL}."
            )
            threading.Thread(target=self.render_prompts, args=(prompts,), daemon=True).start()
            while all(child.poll() is None for child in children):
                time.sleep(0.2)
            self.stderr.write("waiting calls are off: a media service process stopped")
            sys.exit(1)
        except KeyboardInterrupt:
            pass
        finally:
            for child in children:
                if child.poll() is None:
                    child.terminate()
            for child in children:
                try:
                    child.wait(10)
                except subprocess.TimeoutExpired:
                    child.kill()
                    child.wait(5)

    def worker(self, port, music, prompts, interval, log_level):
        logging.basicConfig(level=logging.INFO, format=f"media service {port}: %(message)s")
        service = MediaService(
            sip_host=settings.SIP_HOST,
            media_port=port,
            proxy=f"{settings.SIP_HOST}:{settings.SIP_PORT}",
            domain=settings.SIP_DOMAIN,
            app_url=settings.PHONE_APP_URL,
            phone_secret=settings.PHONE_SECRET,
            music_path=music,
            prompts=prompts,
            run_dir=settings.PHONE_RUN_DIR,
            max_message_seconds=VOICEMAIL_MAX_SECONDS,
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


def argparse_hidden():
    import argparse

    return argparse.SUPPRESS
