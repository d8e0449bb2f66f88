"""A throwaway dovecot for the e-mail tests and bench/mail_intake.py: plaintext IMAP on a free
loopback port, one user with a known password, Maildir in a temporary folder, its own
configuration file, base_dir and logs, so that several test processes (pytest -n) each run one
beside the others and beside a system dovecot.

Without dovecot the tests are skipped, unless REQUIRE_IMAP=1 (CI), where a missing dovecot is an
error."""

import grp
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

DOVECOT = "/usr/sbin/dovecot"
USER = "intake@example.org"
PASSWORD = "test-imap-password"

CONFIG = """\
# Written by tests/mail/imap/dovecot.py for one test process; nothing of /etc/dovecot is read.
instance_name = {instance}
base_dir = {run}/run
state_dir = {run}/state
log_path = {run}/dovecot.log
info_log_path = {run}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
# Dovecot 2.3's name for "plaintext login without TLS allowed" (2.4 calls it
# auth_allow_cleartext); loopback only, test password.
disable_plaintext_auth = no
auth_mechanisms = plain login
# A wrong password is answered at once (2 s by default), for the test that tries one.
auth_failure_delay = 0
default_internal_user = {internal_user}
default_internal_group = {internal_group}
default_login_user = {login_user}
first_valid_uid = {uid}
last_valid_uid = {uid}
mail_location = maildir:{run}/mail/%n
mail_fsync = never
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {run}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={run}/mail/%n
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {port}
  }}
  inet_listener imaps {{
    port = 0
  }}
}}
{no_chroot}
{extra}
"""
# Without root: the services that chroot by default do not.
NO_CHROOT = """\
service imap-login {
  chroot =
}
service anvil {
  chroot =
}
"""


def require_imap() -> None:
    """Skip the test without dovecot; fail it when CI requires a real IMAP server."""
    import pytest

    if Path(DOVECOT).exists():
        return
    message = f"dovecot is not installed ({DOVECOT}; apt-get install -y dovecot-imapd)"
    if os.environ.get("REQUIRE_IMAP") == "1":
        pytest.fail("REQUIRE_IMAP=1 but " + message)
    pytest.skip(message)


def free_port() -> int:
    """A TCP port free on loopback now (dovecot binds it a moment later; a clash shows up as a
    start-up error, not as a test talking to the wrong server)."""
    with closing(socket.socket(socket.AF_INET, socket.SOCK_STREAM)) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    """A running throwaway dovecot: where to reach it, as whom, and how to stop it."""

    host: str
    port: int
    user: str
    password: str
    run_dir: Path
    process: subprocess.Popen

    def log(self) -> str:
        path = self.run_dir / "dovecot.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def stop(self) -> None:
        """Stops dovecot (SIGTERM to the master, which ends its children) and removes its
        files."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.run_dir, ignore_errors=True)


def _accounts() -> dict:
    """Who dovecot's processes run as. As root (CI), Debian's own unprivileged users for the
    login and internal processes, and `nobody` owns the mail (dovecot refuses to read mail as
    root); as anyone else, that user for everything (dovecot then cannot switch users)."""
    if os.geteuid() == 0:
        mail = pwd.getpwnam("nobody")
        return {
            "internal_user": "dovecot",
            "internal_group": "dovecot",
            "login_user": "dovenull",
            "uid": mail.pw_uid,
            "gid": mail.pw_gid,
        }
    me = pwd.getpwuid(os.geteuid())
    return {
        "internal_user": me.pw_name,
        "internal_group": grp.getgrgid(me.pw_gid).gr_name,
        "login_user": me.pw_name,
        "uid": me.pw_uid,
        "gid": me.pw_gid,
    }


def write_config(run_dir: Path, port: int, extra: str = "") -> Path:
    """dovecot.conf (with extra settings at its end), the password file and the mail folder
    in run_dir."""
    accounts = _accounts()
    for name in ("run", "state", "mail"):
        (run_dir / name).mkdir(parents=True, exist_ok=True)
    (run_dir / "users").write_text(f"{USER}:{{PLAIN}}{PASSWORD}\n")
    if os.geteuid() == 0:
        # The mail user writes the Maildir; the login processes (dovenull) open sockets in
        # base_dir: the folder must be theirs to pass through.
        run_dir.chmod(0o755)
        os.chown(run_dir / "mail", accounts["uid"], accounts["gid"])
    config = CONFIG.format(
        instance=f"callcenter-test-{port}",
        run=run_dir,
        port=port,
        # Without root neither the login processes nor anvil can chroot.
        no_chroot="" if os.geteuid() == 0 else NO_CHROOT,
        extra=extra,
        **accounts,
    )
    path = run_dir / "dovecot.conf"
    path.write_text(config)
    return path


def _wait_for_greeting(dovecot: Dovecot, timeout: float = 15) -> None:
    """Waits until dovecot greets on its port (the master forks the listeners after it
    parsed the configuration)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if dovecot.process.poll() is not None:
            break
        with suppress(OSError), socket.create_connection((dovecot.host, dovecot.port), 1) as sock:
            sock.settimeout(2)
            if sock.recv(200).startswith(b"* OK"):
                return
        time.sleep(0.05)
    log = dovecot.log() + (dovecot.run_dir / "stdout.log").read_text(errors="replace")
    dovecot.stop()
    raise RuntimeError(f"dovecot did not start on port {dovecot.port}:\n{log}")


def start_dovecot(run_dir: Path | None = None, extra: str = "") -> Dovecot:
    """A dovecot of its own on a free loopback port, in the foreground (-F) as a child of this
    process, so it ends with stop() or, at worst, with the process group. As root, every
    folder above run_dir must be open to other users (pytest's tmp_path is not): dovecot's
    unprivileged processes read the password file and the Maildir in it, and otherwise
    answer "Temporary authentication failure"."""
    run_dir = Path(run_dir or tempfile.mkdtemp(prefix="callcenter-dovecot-"))
    port = free_port()
    config = write_config(run_dir, port, extra)
    with open(run_dir / "stdout.log", "wb") as output:
        process = subprocess.Popen(
            [DOVECOT, "-F", "-c", str(config)],
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    dovecot = Dovecot("127.0.0.1", port, USER, PASSWORD, run_dir, process)
    _wait_for_greeting(dovecot)
    return dovecot


def client(dovecot: Dovecot):
    """An imapclient connection to dovecot, logged in as its user."""
    from imapclient import IMAPClient

    connection = IMAPClient(dovecot.host, dovecot.port, ssl=False, timeout=30)
    connection.login(dovecot.user, dovecot.password)
    return connection


def close(connection) -> None:
    """Logs out, or drops the socket of a connection the server ended already."""
    try:
        connection.logout()
    except Exception:  # noqa: BLE001 - the server may have ended it (doveadm kick)
        with suppress(OSError):
            connection.shutdown()


def empty_mailbox(connection) -> None:
    """Removes every message of every folder and every folder but INBOX: each test starts
    with an empty mailbox on the server the test process shares."""
    for _flags, _delimiter, name in connection.list_folders():
        if name != "INBOX":
            connection.delete_folder(name)
    connection.select_folder("INBOX")
    messages = connection.search("ALL")
    if messages:
        connection.delete_messages(messages)
        connection.expunge()
    connection.unselect_folder()
