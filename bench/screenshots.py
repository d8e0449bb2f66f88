"""Screenshots of the request form at 1366×768 in English, German and Norwegian Bokmål, for
docs/request-form-{en,de,nb}.png: an action request typed as an agent takes it (Alt+N, the
phone, Alt+A, the code, Enter, the address, Tab, the description), before saving.

    .venv/bin/python bench/screenshots.py              # a fresh demo database of its own
    .venv/bin/python bench/screenshots.py --base-url http://127.0.0.1:8000   # a running demo

Without --base-url it builds the demo data in a temporary SQLite database (about a minute) and
serves it with runserver on a free port, so the screenshots never depend on what is in
db.sqlite3. The German and Norwegian pictures show the catalogues as they are: take them after
`make messages` has the new strings translated.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-quic"]
# What the agent types, in the language of the picture.
CALLS = {
    "en": ("+47 22 33 44 55", "12 Main Street", "Old fridge at the kerb, collect before Friday"),
    "de": ("+47 22 33 44 55", "Hauptstraße 12", "Alter Kühlschrank am Straßenrand"),
    "nb": ("+47 22 33 44 55", "Storgata 12", "Gammelt kjøleskap ved fortauet"),
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--base-url", help="a running server with the demo data")
    parser.add_argument("--out", default=str(ROOT / "docs"), help="where the PNGs go")
    parser.add_argument("--languages", default="en,de,nb")
    options = parser.parse_args()
    languages = options.languages.split(",")
    if options.base_url:
        take(options.base_url.rstrip("/"), Path(options.out), languages)
        return
    with demo_server() as base_url:
        take(base_url, Path(options.out), languages)


@contextmanager
def demo_server():
    with tempfile.TemporaryDirectory() as directory:
        env = {
            **os.environ,
            "DEBUG": "true",
            "DATABASE_URL": f"sqlite:///{directory}/screenshots.sqlite3",
        }
        manage = [sys.executable, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, check=True)
        subprocess.run([*manage, "load_demo_data"], env=env, check=True)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            base_url = f"http://127.0.0.1:{port}"
            wait_for(base_url)
            yield base_url
        finally:
            server.terminate()
            server.wait(timeout=10)


def wait_for(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            urllib.request.urlopen(f"{url}/login/", timeout=2)
            return
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.3)


def take(base_url: str, out: Path, languages: list[str]) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for language in languages:
            context = browser.new_context(
                viewport={"width": 1366, "height": 768}, locale=language, device_scale_factor=1
            )
            context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])
            page = context.new_page()
            page.goto(f"{base_url}/login/")
            page.fill("input[name=username]", "agent")
            page.fill("input[name=password]", "demo")
            page.press("input[name=password]", "Enter")
            page.wait_for_url(lambda url: "/login/" not in url)
            phone, address, description = CALLS[language]
            page.keyboard.press("Alt+N")
            expect(page.locator("#request-form")).to_be_visible()
            page.wait_for_load_state()
            page.keyboard.type(phone)
            page.keyboard.press("Alt+A")
            page.keyboard.type("APPL")
            page.keyboard.press("Enter")
            expect(page.locator("#id_work_address")).to_be_focused()
            page.keyboard.type(address)
            page.keyboard.press("Tab")
            page.keyboard.type(description)
            expect(page.locator("#work-order-check .promise")).to_be_visible()
            page.wait_for_timeout(700)  # the last keystroke's work-order check settles
            path = out / f"request-form-{language}.png"
            page.screenshot(path=str(path))
            print(path)
            context.close()
        browser.close()


if __name__ == "__main__":
    main()
