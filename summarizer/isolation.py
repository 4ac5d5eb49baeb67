"""Run ``make_brief`` in bounded child processes: a pool that no input can freeze or crash.

The engine is synchronous, CPU-bound Python: a pathological input can hold the GIL in a
regular expression for minutes, or allocate until the machine runs out of memory. Inside
the caller's process neither can be stopped (a thread cannot be interrupted). So each brief
runs in a child process, and the caller only waits on a pipe:

- **Clean start.** Children are started with the ``forkserver`` method, never by forking the
  caller (the bot is a threaded asyncio process; a fork copies its locks mid-state). Each child
  loads the models of every language once (``languages.warm_up_all``) and then serves briefs one at a time.
- **Time limit.** ``brief()`` waits at most ``timeout_s`` for the answer; past it the child is
  killed (SIGKILL) and the caller gets a brief with the error ``timeout``. A CPU-time limit
  (``RLIMIT_CPU``, twice ``timeout_s`` per brief) also ends a child whose parent was killed
  mid-brief, so no spinning child outlives the bot.
- **Memory limit.** Once its models are loaded, a child caps its own address space
  (``RLIMIT_AS``) at what it maps then plus ``memory_mb``: a runaway allocation fails inside
  the child (``MemoryError``, which ``make_brief`` reports as ``engine_failed``) or kills it;
  the caller's memory is never touched.
- **Replacement.** A child that was killed, died, or reported ``engine_failed`` (its state is
  not trusted after an unexpected failure) is replaced by a fresh one in the background, so
  the failing call answers at once and later calls get a healthy child.

``brief()`` is blocking, thread-safe and never raises: like ``make_brief``, failures come back in
``Brief.error``. It knows nothing of Telegram; the bot's job runner calls it from worker threads
(one per child), and a batch or queue worker can use it the same way::

    with EnginePool(settings, processes=2, timeout_s=60, memory_mb=1536) as pool:
        brief = pool.brief(Source(url="https://example.com/story"), length="short")
"""

from __future__ import annotations

import importlib
import logging
import multiprocessing
import os
import queue
import resource
import signal
import threading
import time
from multiprocessing.connection import Connection, wait
from typing import Any, Callable

from .brief import Source
from .errors import BriefError
from .settings import Settings
from .types import Brief

log = logging.getLogger(__name__)

DEFAULT_ENGINE = "summarizer.brief:make_brief"
START_METHOD = "forkserver"
# Imported once by the fork server, so a replacement child starts without re-importing them
# (imports only, which start no threads: models are loaded in each child, after the fork).
PRELOAD = ["summarizer.brief", "summarizer.models", "spacy", "torch", "tokenizers", "summarizer.bert", "trafilatura"]
START_TIMEOUT_S = 300.0  # model loading on a busy machine
RESTART_PAUSES_S = (1.0, 60.0)  # first and longest pause between failed restarts of a child
CPU_PER_WALL_S = 2  # CPU seconds a brief may use per second of timeout_s (see limit_cpu)


class EngineStartError(RuntimeError):
    """A child process could not load the engine (the pool cannot work at all)."""


def _failed(source: Source, id: str | None, code: str, detail: str) -> Brief:
    brief = Brief.failed(id, source.url, BriefError(code).info())
    log.warning("isolated engine: %s (%s)", detail, source.url or "pasted text")
    return brief


class EnginePool:
    """``processes`` child processes running ``engine`` ("module:function", the signature of
    ``make_brief``) with a wall-clock limit per brief and a memory limit per child."""

    def __init__(self, settings: Settings, *, processes: int, timeout_s: float, memory_mb: int,
                 engine: str = DEFAULT_ENGINE):
        if processes < 1:
            raise ValueError("an engine pool needs at least one process")
        # The children need the engine's settings only: no bot token or webhook secret crosses over.
        self.settings = settings.replace(bot={"token": "", "webhook_secret": ""})
        self.processes = processes
        self.timeout_s = timeout_s
        self.memory_mb = memory_mb
        self.engine = engine
        self._context = multiprocessing.get_context(START_METHOD)
        self._context.set_forkserver_preload(PRELOAD)
        self._idle: queue.Queue[_Child | None] = queue.Queue()  # None: closed
        self._children: list[_Child] = []
        self._closed = threading.Event()
        self._launching = threading.Lock()  # close() never misses a child being replaced

    # -- lifecycle ---------------------------------------------------------------------------
    def start(self) -> "EnginePool":
        """Start every child and wait until each has loaded the models (EngineStartError if one cannot)."""
        self._children = [_Child(self, n) for n in range(self.processes)]
        for child in self._children:
            child.launch()
        try:
            for child in self._children:
                child.wait_ready()
                self._idle.put(child)
        except EngineStartError:
            self.close()
            raise
        return self

    def close(self) -> None:
        """Stop every child (a brief in progress is cut off; its caller gets ``engine_failed``)."""
        with self._launching:
            self._closed.set()
        self._idle.put(None)  # wakes a caller waiting for a child
        for child in self._children:
            child.kill()

    def __enter__(self) -> "EnginePool":
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    def pids(self) -> list[int]:
        """Process ids of the live children (for monitoring)."""
        return [c.process.pid for c in self._children if c.process is not None and c.process.is_alive()]

    # -- work ----------------------------------------------------------------------------------
    def brief(self, source: Source, *, id: str | None = None, length: str | None = None) -> Brief:
        """One brief in a child process, within ``timeout_s``; failures come back in ``Brief.error``."""
        if not self._children:
            raise RuntimeError("EnginePool.start() must be called first")
        child = self._idle.get()  # waits while every child is busy (or being replaced)
        if child is None or self._closed.is_set():
            self._idle.put(child)  # passes the wake-up on
            return _failed(source, id, "engine_failed", "the engine pool is closed")
        healthy = False
        try:
            brief, healthy = child.run(source, id, length, self.timeout_s)
            return brief
        finally:
            if healthy:
                self._idle.put(child)
            else:
                child.kill()
                threading.Thread(target=self._replace, args=(child,), name=f"engine-restart-{child.number}",
                                 daemon=True).start()

    def _replace(self, child: "_Child") -> None:
        """Start a fresh process for ``child`` and put it back to work, trying again while it fails."""
        pause, longest = RESTART_PAUSES_S
        while True:
            with self._launching:
                if self._closed.is_set():
                    return
                child.launch()
            try:
                child.wait_ready()
                self._idle.put(child)
                return
            except EngineStartError as exc:
                if self._closed.is_set():
                    return  # killed by close()
                log.error("isolated engine: child %s could not be restarted (%s); trying again in %.0fs",
                          child.number, exc, pause)
                self._closed.wait(pause)
                pause = min(longest, pause * 2)


class _Child:
    """One child process and the parent's end of its pipe."""

    def __init__(self, pool: EnginePool, number: int):
        self.pool = pool
        self.number = number
        self.process: Any = None
        self.conn: Connection | None = None

    def launch(self) -> None:
        pool = self.pool
        parent_end, child_end = pool._context.Pipe()
        self.process = pool._context.Process(
            target=_child_main, args=(child_end, pool.settings, pool.engine, pool.memory_mb, pool.timeout_s),
            name=f"briefbot-engine-{self.number}", daemon=True)
        self.process.start()
        child_end.close()
        self.conn = parent_end

    def wait_ready(self) -> None:
        assert self.conn is not None and self.process is not None
        ready = wait([self.conn, self.process.sentinel], START_TIMEOUT_S)
        try:
            message = self.conn.recv() if self.conn in ready else None
        except (EOFError, OSError):
            message = None
        if not (isinstance(message, tuple) and message[0] == "ready"):
            self.kill()
            if isinstance(message, tuple) and message[0] == "failed":
                detail = message[1]
            elif self.process.exitcode is not None:
                detail = f"it exited with code {self.process.exitcode}"
            else:
                detail = f"no answer in {START_TIMEOUT_S:.0f}s"
            raise EngineStartError(f"engine child {self.number} did not start: {detail}")
        log.info("isolated engine: child %s (pid %s) ready", self.number, self.process.pid)

    def run(self, source: Source, id: str | None, length: str | None, timeout_s: float) -> tuple[Brief, bool]:
        """The brief and whether this child may serve again."""
        assert self.conn is not None and self.process is not None
        try:
            self.conn.send((source, id, length))
            ready = wait([self.conn, self.process.sentinel], timeout_s)
            if not ready:
                return _failed(source, id, "timeout", f"child {self.number} ran past {timeout_s}s and is killed"), False
            brief = self.conn.recv()  # a child that died leaves EOF here
        except (EOFError, OSError):
            code = self.process.exitcode if self.process.exitcode is not None else "unknown"
            return _failed(source, id, "engine_failed", f"child {self.number} died (exit code {code})"), False
        healthy = not (brief.error and brief.error.code == "engine_failed")  # the child exits after one
        return brief, healthy

    def kill(self) -> None:
        if self.process is not None and self.process.is_alive():
            self.process.kill()  # SIGKILL: a regex holding the GIL ignores anything gentler
        if self.process is not None:
            self.process.join(10)
        if self.conn is not None:
            self.conn.close()
        self.conn = None


# -- the child's side ---------------------------------------------------------------------------
def _load(engine: str) -> Callable[..., Brief]:
    module, _, name = engine.partition(":")
    return getattr(importlib.import_module(module), name)


def limit_cpu(seconds: float) -> None:
    """Let this process use at most ``seconds`` more CPU time (RLIMIT_CPU: the kernel ends it with
    SIGXCPU past that, whatever holds the GIL). The parent's wall-clock kill comes first; this
    bounds a child whose parent died by SIGKILL mid-brief, which nobody else would stop."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    soft = int(usage.ru_utime + usage.ru_stime + seconds) + 1
    _, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def _mapped_bytes() -> int:
    """The address space this process maps now (VmSize)."""
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[0]) * resource.getpagesize()


def limit_memory(extra_mb: int) -> None:
    """Let this process map at most ``extra_mb`` more than it does now (RLIMIT_AS; Linux)."""
    if extra_mb <= 0:
        return
    limit = _mapped_bytes() + extra_mb * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _child_main(conn: Connection, settings: Settings, engine: str, memory_mb: int, timeout_s: float) -> None:
    """Load the models, cap memory, then answer ``(source, id, length)`` requests until EOF."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the children
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s [engine %(process)d]: %(message)s")
    try:
        from .languages import warm_up_all

        make = _load(engine)
        warm_up_all(settings)
        # One small brief creates what the first real one would (thread pools, allocator arenas),
        # so the memory cap below is measured on a child that has already worked once.
        make(Source(text=_WARM_UP_TEXT), settings, id="warm-up")
        limit_memory(memory_mb)
    except BaseException as exc:  # noqa: BLE001 - reported to the parent, which refuses to start
        conn.send(("failed", f"{type(exc).__name__}: {exc}"))
        return
    conn.send(("ready", os.getpid()))
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return  # the parent is gone
        source, id, length = request
        started = time.perf_counter()
        limit_cpu(CPU_PER_WALL_S * timeout_s)
        try:
            brief = make(source, settings, id=id, length=length)
        except BaseException:  # noqa: BLE001 - an engine that raised (make_brief never does)
            log.exception("engine raised in child %s", os.getpid())
            brief = Brief.failed(id, source.url, BriefError("engine_failed").info())
        try:
            conn.send(brief)
        except MemoryError:
            conn.send(Brief.failed(id, source.url, BriefError("engine_failed").info()))
        if brief.error and brief.error.code == "engine_failed":
            log.warning("child %s exits after an engine failure (%.1fs)", os.getpid(), time.perf_counter() - started)
            return


_WARM_UP_TEXT = (  # long enough to pass every stage (extract's min_chars), with a quote for the speakers stage
    "The city council approved the budget on Monday after a long debate that lasted well into the night.\n\n"
    '"This is a good day for the city and for every family that relies on its schools," said Mayor Anna Keller.\n\n'
    "The plan adds money for schools and roads, officials said, while opposition members warned that the "
    "spending would raise taxes next year."
)
