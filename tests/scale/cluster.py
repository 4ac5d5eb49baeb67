"""Real ``briefbot worker`` processes for the scale-out tests, and the settings they share."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from summarizer.settings import PROJECT_ROOT

READY_LINE = "ready (models loaded)"


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


class WorkerProcess:
    """``python -m summarizer worker`` (= ``briefbot worker``) in its own process group."""

    def __init__(self, config: Path, token: str, base_url: str, log: Path, concurrency: int = 1):
        self.log = log
        self.handle = log.open("ab")
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(config.parent),
               "TELEGRAM_BOT_TOKEN": token, "BRIEFBOT_CONFIG": str(config), "PYTHONPATH": str(PROJECT_ROOT)}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "summarizer", "worker", "--concurrency", str(concurrency), "--base-url", base_url],
            cwd=PROJECT_ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT, start_new_session=True)

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_ready(self, children: int = 1, timeout: float = 180) -> "WorkerProcess":
        deadline = time.monotonic() + timeout
        while self.output().count(READY_LINE) < children:
            if self.proc.poll() is not None:
                raise AssertionError(f"worker exited with {self.proc.returncode}:\n{self.output()[-3000:]}")
            if time.monotonic() > deadline:
                raise AssertionError(f"worker not ready in {timeout}s:\n{self.output()[-3000:]}")
            time.sleep(0.2)
        return self

    def kill(self) -> None:
        """SIGKILL to the worker and its pool children at once: the whole worker vanishes."""
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
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
