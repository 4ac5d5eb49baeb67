"""``briefbot worker``: Celery worker processes that run briefs and answer the chats.

With ``[queue] backend = "celery"`` the bot front only receives updates, stores them and their
jobs in PostgreSQL (``[storage] url``) and sends each job's id to Redis (``[queue] broker_url``).
Any number of ``briefbot worker`` processes, on any machines, take job ids from Redis:

- prefork pool, one child per core by default; each child loads the models once
  (``worker_process_init``) and keeps one Bot API client and one database connection; like the
  bot's engine processes it runs one brief and is then capped at ``[bot] engine_memory_mb`` more
  memory (``summarizer.isolation.limit_memory``), and Celery's time limits (``job_timeout_s``)
  end a brief that runs too long;
- a task only carries the job id; the job itself is claimed in PostgreSQL (a lease renewed
  every ``lease_s / 4`` by a heartbeat thread), so a job handed out twice runs once;
- ``acks_late`` + ``reject_on_worker_lost``: a child killed mid-job (``kill -9``, out of memory)
  does not ack, its message goes back to the queue and another worker takes the job once the
  dead one's lease ran out; delivery resumes after the parts already sent (``parts_sent``);
- a job claimed ``max_tries`` times without finishing (its workers keep dying) is answered with
  the friendly "could not be analysed" sentence instead of being tried again;
- a database or Telegram outage puts the job back with a growing delay (nothing is lost);
- every message goes through ``bot.sendlimit.RedisSendLimiter``: Telegram's limits for the whole
  bot, shared by all workers, and a 429's retry_after honoured by every sender.

Fairness: a job is queued with a Celery priority from how many jobs its chat already has
waiting (0 for a chat's first, up to 9), so one chat's burst never holds the other chats' jobs
behind all of it (see ``priority_for``).
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from dataclasses import dataclass
from typing import Any

from celery import Celery, signals
from celery.exceptions import SoftTimeLimitExceeded
from telegram.error import NetworkError

from summarizer.brief import Source
from summarizer.errors import BriefError
from summarizer.settings import PROJECT_ROOT, Settings
from summarizer.types import Brief

from .delivery import deliver_brief
from .expand import offer
from .inputs import cache_key
from .sendlimit import RedisSendLimiter
from .broker import check_broker, check_queue_settings
from .stores import StorageUnavailable

log = logging.getLogger(__name__)

QUEUE = "briefbot"
TASK = "briefbot.run_job"
PRIORITIES = 10  # Redis transport priority steps: 0 (first served) .. 9
RETRY_DELAYS_S = (1.0, 30.0)  # an outage: first and longest delay before the job is tried again
WARM_UP = PROJECT_ROOT / "examples" / "peskov-lavrov.txt"  # one whole brief before the memory cap is set


def priority_for(waiting_in_chat: int) -> int:
    """A chat's n-th waiting job gets priority n (capped): every chat's first job is served
    before any chat's second, and so on, approximately round-robin across the whole cluster."""
    return min(PRIORITIES - 1, max(0, waiting_in_chat))


def enqueue_job(app: Celery, storage: Any, job_id: int, chat_id: int) -> None:
    """Hand a stored job to the workers, behind the jobs its chat already has waiting."""
    waiting = max(0, storage.waiting_in_chat(chat_id) - 1)  # this job is already counted
    app.send_task(TASK, args=[job_id], queue=QUEUE, priority=priority_for(waiting), retry=False)


def celery_app(settings: Settings) -> Celery:
    """The Celery application of the front (sending) and of the workers (running), one config."""
    app = Celery("briefbot", broker=settings.queue.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,  # acked after the job is answered, not when it is received
        task_reject_on_worker_lost=True,  # a child killed mid-job: the message goes back to the queue
        worker_prefetch_multiplier=1,  # a worker holds only what it runs (fairness, and less to redeliver)
        task_default_queue=QUEUE,
        task_ignore_result=True,  # the answer goes to the chat, the state to PostgreSQL
        task_soft_time_limit=settings.bot.job_timeout_s,
        task_time_limit=settings.bot.job_timeout_s + 30,  # a hung engine: the child is killed
        broker_connection_retry_on_startup=False,  # Redis down at start: fail with a clear error
        broker_connection_max_retries=10,
        worker_hijack_root_logger=False,
        worker_send_task_events=True,  # Flower / `celery events` see every job
        task_send_sent_event=True,
        broker_transport_options={
            "priority_steps": list(range(PRIORITIES)),
            "sep": ":",
            "queue_order_strategy": "priority",
            # A message whose worker machine vanished (not just a child) is redelivered after this.
            "visibility_timeout": settings.queue.visibility_timeout_s,
        },
    )
    app.task(name=TASK, bind=True, max_retries=None, acks_late=True)(run_job)
    return app


# -- per process -------------------------------------------------------------------------
@dataclass
class WorkerContext:
    """What one worker child keeps between jobs: models are loaded, connections open."""

    settings: Settings
    owner: str
    storage: Any  # bot.storage_pg.PostgresStorage
    loop: asyncio.AbstractEventLoop
    bot: Any  # telegram.ext.ExtBot with the shared send limiter
    engine: Any

    def run(self, coroutine: Any) -> Any:
        return self.loop.run_until_complete(coroutine)


_settings: Settings | None = None  # set by run_worker before the pool forks
_context: WorkerContext | None = None


def open_context(settings: Settings) -> WorkerContext:
    from telegram.ext import ExtBot

    from summarizer.brief import make_brief
    from summarizer.isolation import limit_memory
    from summarizer.languages import warm_up_all

    from .runtime import api_urls
    from .stores import open_storage

    warm_up_all(settings)  # every language's models, as the bot's engine processes do
    # The same memory cap as the bot's engine processes (summarizer.isolation): measured after one
    # whole brief, so a runaway article fails alone instead of taking the machine's memory. Time is
    # capped by Celery's task time limits (the child is killed, the job retried, then answered).
    make_brief(Source(text=WARM_UP.read_text(encoding="utf-8")), settings)
    limit_memory(settings.bot.engine_memory_mb)
    loop = asyncio.new_event_loop()
    limiter = RedisSendLimiter(settings.queue.broker_url, settings.queue.send_rate_per_s,
                               settings.queue.group_rate_per_min)
    options: dict[str, Any] = {}
    if settings.bot.base_url:
        options["base_url"], options["base_file_url"] = api_urls(settings.bot.base_url)
    bot = ExtBot(settings.bot.token, rate_limiter=limiter, **options)
    loop.run_until_complete(bot.initialize())
    owner = f"{socket.gethostname()}:{os.getpid()}"
    return WorkerContext(settings=settings, owner=owner, storage=open_storage(settings), loop=loop, bot=bot,
                         engine=make_brief)


@signals.worker_process_init.connect
def _init_child(**_: Any) -> None:
    global _context
    if _settings is not None:
        _context = open_context(_settings)
        log.info("worker %s ready (models loaded)", _context.owner)


@signals.worker_process_shutdown.connect
def _close_child(**_: Any) -> None:
    if _context is not None:
        try:
            _context.run(_context.bot.shutdown())
        finally:
            _context.storage.close()


class Heartbeat:
    """Renews a job's lease while it runs; stops when the job is no longer this worker's."""

    def __init__(self, storage: Any, job_id: int, owner: str, lease_s: float):
        self.storage, self.job_id, self.owner, self.lease_s = storage, job_id, owner, lease_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f"lease-{job_id}", daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(self.lease_s / 4):
            try:
                if not self.storage.renew_claim(self.job_id, self.owner, self.lease_s):
                    log.warning("job %s: lease lost to another worker", self.job_id)
                    return
            except StorageUnavailable as exc:
                log.warning("job %s: lease not renewed (%s)", self.job_id, exc)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(5)


# -- the task ----------------------------------------------------------------------------
def run_job(task: Any, job_id: int) -> str:
    """Claim job ``job_id``, brief it, cache the brief, answer the chat, mark it done."""
    ctx = _context
    assert ctx is not None, "worker process not initialised"
    queue = ctx.settings.queue
    try:
        claim = ctx.storage.claim_job(job_id, ctx.owner, queue.lease_s)
    except StorageUnavailable as exc:
        raise _later(task, f"job {job_id}: database unavailable ({exc})")
    if claim.gone:
        return "already answered"
    if claim.job is None:  # another worker holds it: look again when its lease would have run out
        raise task.retry(countdown=claim.busy_for_s + 0.5)
    job = claim.job
    with Heartbeat(ctx.storage, job.id, ctx.owner, queue.lease_s):
        try:
            if claim.tries > queue.max_tries:
                log.error("job %s: %s attempts did not finish; answering with the error", job.id, claim.tries - 1)
                brief = Brief.failed(None, job.url, BriefError("engine_failed").info())
            else:
                brief = ctx.storage.cached_brief(cache_key(job.url, job.length)) if job.url else None
                if brief is None:
                    brief = _brief(ctx, job)
                    if job.url and not brief.error:
                        ctx.storage.cache_brief(cache_key(job.url, job.length), brief, ctx.settings.bot.cache_ttl_s)
            # Once a part is out, its count must be stored (else a retry sends it again): wait for the database.
            parts, more = offer(ctx.storage, ctx.settings, job.chat_id, brief, job.language)
            ctx.run(deliver_brief(ctx.bot, job, brief,
                                  lambda n: _durably(lambda: ctx.storage.set_parts_sent(job.id, n)),
                                  parts=parts, reply_markup=more))
            _durably(lambda: ctx.storage.mark_job_done(job.id))
        except (StorageUnavailable, NetworkError) as exc:
            try:
                ctx.storage.release_claim(job.id, ctx.owner, count_try=False)
            except StorageUnavailable:
                pass  # the lease runs out by itself
            raise _later(task, f"job {job.id}: could not answer yet ({type(exc).__name__}: {exc})")
    return "answered"


def _brief(ctx: WorkerContext, job: Any) -> Brief:
    source = Source(url=job.url) if job.url else Source(text=job.text or "")
    try:
        return ctx.engine(source, ctx.settings, id=f"job-{job.id}", length=job.length)
    except SoftTimeLimitExceeded:
        log.warning("job %s ran past job_timeout_s (%ss)", job.id, ctx.settings.bot.job_timeout_s)
        return Brief.failed(None, job.url, BriefError("timeout").info())
    except Exception:
        log.exception("engine raised on job %s", job.id)
        return Brief.failed(None, job.url, BriefError("engine_failed").info())


def _durably(write: Any, patience_s: float = 60.0) -> None:
    """A write that records something already done in the chat: retried through a database outage."""
    deadline, pause = time.monotonic() + patience_s, 0.25
    while True:
        try:
            return write()
        except StorageUnavailable as exc:
            if time.monotonic() > deadline:
                raise
            log.warning("database unavailable (%s); keeping the record of what was sent", exc)
            time.sleep(pause)
            pause = min(5.0, pause * 2)


def _later(task: Any, reason: str) -> Exception:
    first, longest = RETRY_DELAYS_S
    delay = min(longest, first * 2 ** task.request.retries)
    log.warning("%s; trying again in %.0fs", reason, delay)
    return task.retry(countdown=delay)


# -- the command -------------------------------------------------------------------------
def run_worker(settings: Settings, concurrency: int = 0, base_url: str | None = None, log_level: str = "INFO") -> None:
    """``briefbot worker``: serve jobs until stopped (SIGTERM finishes the jobs in hand first)."""
    global _settings
    from .runtime import setup_logging

    if base_url:
        settings = settings.replace(bot={"base_url": base_url})
    settings = settings.replace(queue={"backend": "celery"})
    setup_logging(settings, log_level)
    if not settings.bot.token:
        raise SystemExit("No bot token: set TELEGRAM_BOT_TOKEN (or [bot] token in the settings file).")
    check_queue_settings(settings)
    check_broker(settings)
    from .stores import open_storage

    try:
        open_storage(settings).close()  # migrate the schema once, before the children start
    except StorageUnavailable as exc:
        raise SystemExit(f"cannot reach PostgreSQL at [storage] url ({exc})") from None
    _settings = settings
    app = celery_app(settings)
    argv = ["worker", "--pool=prefork", f"--loglevel={log_level}", "-Q", QUEUE,
            f"--hostname=briefbot@{socket.gethostname()}:{os.getpid()}", "--without-mingle", "--without-gossip"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    app.worker_main(argv)
