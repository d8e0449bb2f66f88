"""Starting and stopping the phone system's processes (rtpengine, then Kamailio) with the
configuration calls.phone.config writes, and knowing when they are ready: rtpengine answers a
`ping` on its control port, Kamailio answers SIP OPTIONS."""

import os
import resource
import signal
import socket
import subprocess
import time
import uuid
from contextlib import suppress

from calls.phone.config import PhoneConfig


class PhoneSystemError(RuntimeError):
    pass


def wait_until(condition, timeout, interval=0.02, message="condition"):
    """Calls condition() until it returns something true, for at most timeout seconds."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result:
            return result
        if time.monotonic() > deadline:
            raise TimeoutError(f"{message}: not within {timeout} s")
        time.sleep(interval)


def rtpengine_ping(port, host="127.0.0.1", timeout=0.2):
    """True when rtpengine's NG control protocol answers on host:port."""
    cookie = uuid.uuid4().hex[:8]
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.sendto(f"{cookie} d7:command4:pinge".encode(), (host, port))
        try:
            data, _ = sock.recvfrom(4096)
        except OSError:
            return False
    return data.startswith(cookie.encode()) and b"pong" in data


def sip_options_ping(host, port, timeout=0.2):
    """The status code with which a SIP server answers OPTIONS over UDP, or None."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.settimeout(timeout)
        sock.bind((host, 0))
        local_port = sock.getsockname()[1]
        branch = "z9hG4bK" + uuid.uuid4().hex
        message = (
            f"OPTIONS sip:{host}:{port} SIP/2.0\r\n"
            f"Via: SIP/2.0/UDP {host}:{local_port};branch={branch};rport\r\n"
            "Max-Forwards: 70\r\n"
            f"From: <sip:ping@{host}>;tag={uuid.uuid4().hex[:10]}\r\n"
            f"To: <sip:{host}:{port}>\r\n"
            f"Call-ID: {uuid.uuid4().hex}@{host}\r\n"
            "CSeq: 1 OPTIONS\r\n"
            "Content-Length: 0\r\n\r\n"
        )
        sock.sendto(message.encode(), (host, port))
        try:
            data, _ = sock.recvfrom(65535)
        except OSError:
            return None
    first_line = data.split(b"\r\n", 1)[0].split()
    if len(first_line) >= 2 and first_line[0] == b"SIP/2.0":
        return int(first_line[1])
    return None


def rtpengine_terminate_all(cli_port, host="127.0.0.1", timeout=2):
    """Ends every call rtpengine relays, through its command-line interface; False when it
    does not answer."""
    try:
        with socket.create_connection((host, cli_port), timeout=timeout) as sock:
            sock.sendall(b"terminate all\n")
            sock.shutdown(socket.SHUT_WR)
            while sock.recv(4096):
                pass
    except OSError:
        return False
    return True


def _no_core_files():
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


class PhoneSystem:
    """rtpengine and Kamailio as child processes of this one. With log_to_files, their output
    goes to rtpengine.log and kamailio.log in the run directory (tests); otherwise to ours."""

    def __init__(self, config: PhoneConfig, log_to_files=False):
        self.config = config
        self.log_to_files = log_to_files
        self.processes = {}
        self._logs = []

    def start(self, timeout=15):
        config = self.config
        config.write()
        self._stop_leftovers()
        try:
            self._spawn("rtpengine", config.rtpengine_args())
            wait_until(
                lambda: self._alive("rtpengine") and rtpengine_ping(config.rtpengine_ng_port),
                timeout,
                message="rtpengine answering on its control port",
            )
            self._spawn("kamailio", config.kamailio_args())
            wait_until(
                lambda: (
                    self._alive("kamailio")
                    and sip_options_ping(config.sip_host, config.sip_port) == 200
                ),
                timeout,
                message="Kamailio answering SIP OPTIONS",
            )
        except BaseException:
            self.stop()
            raise
        return self

    def _spawn(self, name, args):
        if self.log_to_files:
            log = open(self.config.run_dir / f"{name}.log", "wb")  # noqa: SIM115 - closed in stop()
            self._logs.append(log)
            output = {"stdout": log, "stderr": subprocess.STDOUT}
        else:
            output = {}
        # A session of its own: Kamailio forks its workers, and stop() ends the whole group.
        self.processes[name] = subprocess.Popen(
            args,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
            # No core files in the working directory (rtpengine's are 70 MB).
            preexec_fn=_no_core_files,
            **output,
        )
        (self.config.run_dir / f"{name}.group").write_text(str(self.processes[name].pid))

    def _alive(self, name):
        process = self.processes[name]
        if process.poll() is not None:
            raise PhoneSystemError(
                f"{name} exited with status {process.returncode}{self._tail(name)}"
            )
        return True

    def _tail(self, name):
        if not self.log_to_files:
            return ""
        path = self.config.run_dir / f"{name}.log"
        lines = path.read_text(errors="replace").splitlines()[-15:]
        return ":\n" + "\n".join(lines)

    def log(self, name):
        return (self.config.run_dir / f"{name}.log").read_text(errors="replace")

    def wait(self):
        """Blocks until one of the processes exits; returns its name."""
        while True:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    return name
            time.sleep(0.2)

    def stop(self, timeout=5):
        for name in ("kamailio", "rtpengine"):
            process = self.processes.pop(name, None)
            if process is None:
                continue
            if name == "rtpengine" and process.poll() is None:
                # rtpengine 10.5 crashes when it stops with a recorded call still open (in
                # recording_finish): end its calls first.
                rtpengine_terminate_all(self.config.rtpengine_cli_port_or_default)
            _end_group(process.pid, timeout, process)
            with suppress(subprocess.TimeoutExpired):
                process.wait(timeout)
            with suppress(FileNotFoundError):
                (self.config.run_dir / f"{name}.group").unlink()
        for log in self._logs:
            log.close()
        self._logs.clear()

    def _stop_leftovers(self):
        """Ends the process groups a previous run in the same run directory left behind (killed
        without a chance to stop them), so that its ports are free again."""
        for name in ("kamailio", "rtpengine"):
            path = self.config.run_dir / f"{name}.group"
            if not path.exists():
                continue
            with suppress(ValueError):
                group = int(path.read_text())
                if _is_group_of(group, name):
                    _end_group(group, 5)
            path.unlink()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _is_group_of(group, name):
    """True when the process leading this group still runs the named program."""
    try:
        cmdline = open(f"/proc/{group}/cmdline", "rb").read()  # noqa: SIM115
    except OSError:
        return False
    return name.encode() in cmdline.split(b"\0", 1)[0] and os.getpgid(group) == group


def _group_alive(group):
    """True while a process of the group runs (zombies, waiting to be reaped, do not count)."""
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry.name}/stat", "rb").read()  # noqa: SIM115
        except OSError:
            continue
        # pid (comm) state ppid pgrp ...: comm may hold spaces, so split after its ")".
        fields = stat[stat.rindex(b")") + 2 :].split()
        if int(fields[2]) == group and fields[0] != b"Z":
            return True
    return False


def _end_group(group, timeout, process=None):
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGTERM)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None:
            process.poll()
        if not _group_alive(group):
            return
        time.sleep(0.05)
    with suppress(ProcessLookupError):
        os.killpg(group, signal.SIGKILL)
