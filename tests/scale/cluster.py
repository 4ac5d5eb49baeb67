"""Real ``briefbot worker`` and ``briefbot bot`` processes for the scale-out tests, and the settings they share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from summarizer.settings import PROJECT_ROOT
from tests.bot.emulator import BOT_USER

# What the `briefbot` console script runs (bot.cli:briefbot), from this checkout.
BRIEFBOT = "import sys; from bot.cli import briefbot; sys.exit(briefbot())"
READY_LINE = "ready (models loaded)"
FRONT_READY_LINE = f"bot @{BOT_USER['username']} started"


def write_config(path: Path, *, pg_url: str, redis_url: str, lease_s: float = 4.0, max_tries: int = 3,
                 visibility_timeout_s: float = 3600.0, extra: str = "") -> Path:
    """The settings file every process of one test cluster reads (BRIEFBOT_CONFIG)."""
    path.write_text(
        '[fetch]\nallow_addresses = ["127.0.0.1"]\n'
        f'[storage]\nurl = "{pg_url}"\n'
        f'[queue]\nbackend = "celery"\nbroker_url = "{redis_url}"\nlease_s = {lease_s}\n'
        f"max_tries = {max_tries}\nvisibility_timeout_s = {visibility_timeout_s}\n"
        "[bot]\nuser_rate = 1000\nchat_rate = 1000\njob_timeout_s = 60.0\nqueue_size = 1000\n" + extra)
    return path


class BriefbotProcess:
    """``briefbot ARGS`` in its own process group, logging to ``log``."""

    def __init__(self, args: list[str], config: Path, token: str, log: Path):
        self.log = log
        self.handle = log.open("ab")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(config.parent),
               "TELEGRAM_BOT_TOKEN": token, "BRIEFBOT_CONFIG": str(config), "PYTHONPATH": str(PROJECT_ROOT)}
        self.proc = subprocess.Popen([sys.executable, "-c", BRIEFBOT, *args], cwd=PROJECT_ROOT, env=env,
                                     stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_for_line(self, line: str, count: int = 1, timeout: float = 180) -> "BriefbotProcess":
        deadline = time.monotonic() + timeout
        while self.output().count(line) < count:
            if self.proc.poll() is not None:
                raise AssertionError(f"process exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {line!r} in {timeout}s:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL to the process and its children at once: it vanishes without any clean-up."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)  # the whole group: a worker's pool children too
        except ProcessLookupError:
            pass
        self.proc.wait(30)
        self.handle.close()

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM: a warm shutdown (jobs in hand finish first)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(30)
        self.handle.close()
        return self.proc.returncode


class WorkerProcess(BriefbotProcess):
    """``briefbot worker --concurrency N`` against a Bot API server."""

    def __init__(self, config: Path, token: str, base_url: str, log: Path, concurrency: int = 1):
        super().__init__(["worker", "--concurrency", str(concurrency), "--base-url", base_url], config, token, log)

    def wait_ready(self, children: int = 1, timeout: float = 180) -> "WorkerProcess":
        self.wait_for_line(READY_LINE, children, timeout)
        return self


class FrontProcess(BriefbotProcess):
    """``briefbot bot`` (the front) against a Bot API server."""

    def __init__(self, config: Path, token: str, base_url: str, log: Path):
        super().__init__(["bot", "--base-url", base_url], config, token, log)

    def wait_ready(self, timeout: float = 120) -> "FrontProcess":
        self.wait_for_line(FRONT_READY_LINE, 1, timeout)
        return self


def job_rows(storage: Any) -> list[dict[str, Any]]:
    """Every stored job as a dict, oldest first, from either backend (tests only)."""
    from bot.storage_pg import PostgresStorage

    if isinstance(storage, PostgresStorage):
        with storage._db() as db:  # noqa: SLF001 (tests read the table directly)
            return [dict(r) for r in db.execute("SELECT * FROM jobs ORDER BY id")]
    return [dict(r) for r in storage.db.execute("SELECT * FROM jobs ORDER BY id")]
