"""The engine job queue: accepted briefs wait here and run in isolated engine processes.

A job is stored before anything is promised to the user and marked done only after
its answer was sent, so a crash or restart resumes it. The engine (synchronous and
CPU-heavy) runs in child processes (``summarizer.isolation.EnginePool``) with a hard time
and memory limit, so no article can stall the event loop, outlast ``job_timeout_s`` or take
the bot's memory; worker threads here only wait for the children's answers. Workers take
jobs round-robin over chats (``FairQueue``), so one chat's burst of links never makes the
other chats wait behind all of it.

Quarantine: before the engine starts on a job, the run is counted in storage, and the count
is cleared when the engine returns (a time-out or a killed child included: those are answered
at once). A job left with ``MAX_UNFINISHED_RUNS`` runs that never returned took the bot down
that often; it is answered with the friendly error and never run again.
"""

from __future__ import annotations

import asyncio
import functools
import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from telegram import Bot
from telegram.constants import ChatAction
from telegram.error import TelegramError

from summarizer.brief import Source
from summarizer.errors import BriefError
from summarizer.isolation import EnginePool
from summarizer.settings import Settings
from summarizer.types import Brief

from .delivery import Undeliverable, brief_messages, deliver_brief, reply_to, send_parts, with_retries
from .expand import offer
from .inputs import cache_key
from .storage import Job, Storage
from .stores import STORAGE_ERRORS
from .texts import texts_for

log = logging.getLogger(__name__)

Engine = Callable[..., Brief]  # summarizer.brief.make_brief(source, settings, id=..., length=...)
TYPING_EVERY_S = 4.5  # Telegram shows "typing…" for 5 seconds per action
# A job that failed while answering (Telegram unreachable, the database locked or full) is
# tried again after 1, 2, 4, ... seconds, at most RETRY_AFTER_S apart; after MAX_TRIES in
# one run it waits for the next start (it stays stored as pending).
RETRY_AFTER_S = 30.0
MAX_TRIES = 10
# Engine runs on one job that never returned (the bot process died during them) before the
# job is quarantined.
MAX_UNFINISHED_RUNS = 2


class FairQueue:
    """Job ids queued per chat, handed out round-robin over the chats that have work.

    A chat that sends 100 links gets one job run, then every other waiting chat gets one,
    and so on: a quiet chat waits for at most one job per other busy chat, not for a burst.
    """

    def __init__(self) -> None:
        self._jobs: dict[int, deque[int]] = {}  # chat id -> its job ids, oldest first
        self._turns: deque[int] = deque()  # chats with work, in the order they are served
        self._queued = asyncio.Semaphore(0)  # one count per queued job

    def __len__(self) -> int:
        return sum(len(jobs) for jobs in self._jobs.values())

    def put_nowait(self, chat_id: int, job_id: int) -> None:
        if chat_id not in self._jobs:
            self._jobs[chat_id] = deque()
            self._turns.append(chat_id)
        self._jobs[chat_id].append(job_id)
        self._queued.release()

    async def get(self) -> int:
        await self._queued.acquire()
        chat_id = self._turns.popleft()
        jobs = self._jobs[chat_id]
        job_id = jobs.popleft()
        if jobs:
            self._turns.append(chat_id)  # back of the line for its next job
        else:
            del self._jobs[chat_id]
        return job_id


class JobRunner:
    """Runs stored jobs on ``settings.bot.workers`` workers.

    ``engine`` is an ``EnginePool`` (the default: briefs in child processes with hard limits)
    or a plain ``make_brief``-like callable run on threads of this process (no hard limits:
    for ``[bot] isolate_engine = false`` and tests with a stand-in engine).
    """

    def __init__(self, bot: Bot, storage: Storage, settings: Settings, engine: Engine | EnginePool):
        self.bot = bot
        self.storage = storage
        self.settings = settings
        self.engine = engine
        self._queue = FairQueue()
        self._pending: set[int] = set()  # accepted, not yet answered
        self._chat_of: dict[int, int] = {}  # pending job id -> its chat (for re-queueing)
        self._status_ids: dict[int, int] = {}  # job id -> its status message, also when not stored
        self._tries: dict[int, int] = {}
        self._workers: list[asyncio.Task] = []
        self._executor: ThreadPoolExecutor | None = None

    # -- lifecycle -------------------------------------------------------------------
    async def load_engine(self) -> None:
        """Start the engine processes (each loads the models), or load the models here when the
        engine runs in this process. Off the event loop; raises EngineStartError if it cannot."""
        loop = asyncio.get_running_loop()
        if isinstance(self.engine, EnginePool):
            await loop.run_in_executor(None, self.engine.start)
        else:
            from summarizer.languages import warm_up_all

            await loop.run_in_executor(None, warm_up_all, self.settings)

    def start(self) -> None:
        """Start the workers and resume every job a previous run accepted but did not answer."""
        self._executor = ThreadPoolExecutor(self.settings.bot.workers, thread_name_prefix="engine")
        for job in self.storage.pending_jobs():
            log.info("resuming job %s from update %s", job.id, job.update_id)
            self._enqueue(job.id, job.chat_id)
        self._workers = [asyncio.create_task(self._work(), name=f"brief-worker-{i}")
                         for i in range(self.settings.bot.workers)]

    async def stop(self) -> None:
        """Stop without answering what is left: pending jobs stay stored and resume on restart."""
        for task in self._workers:
            task.cancel()
        await asyncio.gather(*self._workers, return_exceptions=True)
        if isinstance(self.engine, EnginePool):
            self.engine.close()  # waiting worker threads get their answer (cut off) at once
        if self._executor:
            self._executor.shutdown(wait=False, cancel_futures=True)

    # -- accepting -------------------------------------------------------------------
    def is_full(self) -> bool:
        return len(self._pending) >= self.settings.bot.queue_size

    async def submit(self, *, update_id: int, seq: int, chat_id: int, reply_to_id: int | None,
                     source: dict[str, str], length: str, language: str) -> bool:
        """Store and queue a job, then show progress. False if this input already has a job
        (an update replayed after a restart): that one is resumed, not repeated. ``language``:
        the reader's, for the progress and error sentences (the brief follows the article's)."""
        job, new = self.storage.add_job(update_id, seq, chat_id, reply_to_id, source, length, language)
        if not new:
            return False
        try:
            await self._announce(job)
        finally:  # stored means queued, whatever happens to the status message
            self._enqueue(job.id, job.chat_id)
        return True

    async def answer_now(self, *, update_id: int, seq: int, chat_id: int, reply_to_id: int | None,
                         source: dict[str, str], length: str, language: str, brief: Brief) -> None:
        """Answer with a brief already at hand (the cache), recorded as a job like any other so
        that a replayed update does not answer twice."""
        job, new = self.storage.add_job(update_id, seq, chat_id, reply_to_id, source, length, language)
        if not new:
            return
        parts, more = offer(self.storage, self.settings, chat_id, brief, language)
        await send_parts(self.bot, chat_id, parts, reply_to_id=reply_to_id, reply_markup=more,
                         on_part_sent=lambda n: self.storage.set_parts_sent(job.id, n))
        self.storage.mark_job_done(job.id)

    def _enqueue(self, job_id: int, chat_id: int) -> None:
        if job_id not in self._pending:
            self._pending.add(job_id)
            self._chat_of[job_id] = chat_id
            self._queue.put_nowait(chat_id, job_id)

    def _finished(self, job_id: int) -> None:
        self._pending.discard(job_id)
        self._chat_of.pop(job_id, None)
        self._tries.pop(job_id, None)
        self._status_ids.pop(job_id, None)

    async def _announce(self, job: Job) -> None:
        """The "typing" action and a status message that will be edited into the answer."""
        words = texts_for(job.language)
        text = words.reading_article if job.url else words.reading_text
        try:
            await self.bot.send_chat_action(job.chat_id, ChatAction.TYPING)
            status = await with_retries(
                lambda: self.bot.send_message(job.chat_id, text, reply_parameters=reply_to(job.reply_to)))
        except (TelegramError, Undeliverable) as exc:  # the worker tries again before answering
            log.warning("could not send the status message for job %s: %s", job.id, exc)
            return
        self._status_ids[job.id] = status.message_id  # kept here too while the database is unavailable
        try:
            self.storage.set_status_message(job.id, status.message_id)
        except STORAGE_ERRORS as exc:
            log.error("storage unavailable (%s): status message of job %s kept in memory", exc, job.id)

    # -- working ---------------------------------------------------------------------
    async def _work(self) -> None:
        while True:
            job_id = await self._queue.get()
            try:
                job = self.storage.pending_job(job_id)
                if job is not None:
                    await self._run(job)
                self._finished(job_id)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # never let one job kill the worker; the job stays pending
                log.warning("job %s failed while answering (%s: %s); it will be tried again",
                            job_id, type(exc).__name__, exc, exc_info=exc)
                self._retry_later(job_id)

    def _retry_later(self, job_id: int) -> None:
        tries = self._tries[job_id] = self._tries.get(job_id, 0) + 1
        if tries >= MAX_TRIES:
            log.error("job %s failed %s times; it stays stored and resumes at the next start", job_id, tries)
            self._finished(job_id)
            return
        delay = min(RETRY_AFTER_S, 2.0 ** (tries - 1))
        chat_id = self._chat_of[job_id]
        asyncio.get_running_loop().call_later(delay, self._queue.put_nowait, chat_id, job_id)

    async def _run(self, job: Job) -> None:
        if job.status_message_id is None and job.parts_sent == 0 and job.id not in self._status_ids:
            await self._announce(job)
        job.status_message_id = job.status_message_id or self._status_ids.get(job.id)
        typing = asyncio.create_task(self._keep_typing(job.chat_id))
        try:
            brief = await self._brief_once(job)
        finally:
            typing.cancel()
        if brief.error:
            # The user gets one friendly sentence; the detail goes to the log.
            log.info("job %s (%s) failed: %s: %s", job.id, job.url or "pasted text",
                     brief.error.code, brief.error.message)
        elif job.url:
            try:
                self.storage.cache_brief(cache_key(job.url, job.length), brief, self.settings.bot.cache_ttl_s)
            except STORAGE_ERRORS as exc:  # the answer matters more than the cache
                log.error("storage unavailable (%s): brief of job %s not cached", exc, job.id)
        parts, more = offer(self.storage, self.settings, job.chat_id, brief, job.language)
        await deliver_brief(self.bot, job, brief, lambda n: self.storage.set_parts_sent(job.id, n),
                            parts=parts, reply_markup=more)
        self.storage.mark_job_done(job.id)

    async def _brief_once(self, job: Job) -> Brief:
        """The engine's brief, unless runs on this job keep taking the bot down (quarantine)."""
        if job.unfinished_runs >= MAX_UNFINISHED_RUNS:
            log.error("job %s quarantined: the engine started on it %s times and never returned (the bot "
                      "stopped each time); it is answered with an error and not run again",
                      job.id, job.unfinished_runs)
            return Brief.failed(None, job.url, BriefError("engine_failed").info())
        self.storage.engine_run_started(job.id)
        try:
            brief = await self._brief(job)
        except asyncio.CancelledError:  # a graceful stop is not the job's fault
            self.storage.engine_run_finished(job.id)
            raise
        self.storage.engine_run_finished(job.id)
        return brief

    async def _brief(self, job: Job) -> Brief:
        """Run the engine on one job: the seam a queue worker (Celery) would reuse."""
        source = Source(url=job.url) if job.url else Source(text=job.text or "")
        loop = asyncio.get_running_loop()
        if isinstance(self.engine, EnginePool):
            # The pool enforces job_timeout_s and the memory limit itself (it kills the child);
            # this thread only waits on a pipe, so it holds no GIL and is never left behind.
            call = functools.partial(self.engine.brief, source, id=f"job-{job.id}", length=job.length)
            return await loop.run_in_executor(self._executor, call)
        call = functools.partial(self.engine, source, self.settings, id=f"job-{job.id}", length=job.length)
        try:
            return await asyncio.wait_for(loop.run_in_executor(self._executor, call),
                                          timeout=self.settings.bot.job_timeout_s)
        except asyncio.TimeoutError:
            # The thread cannot be stopped; it finishes in the background and its result is
            # dropped. It still holds its place in the pool, so later jobs get a fresh pool:
            # a hung engine call must not take the workers down with it.
            log.warning("job %s ran past job_timeout_s (%ss); its engine thread is abandoned",
                        job.id, self.settings.bot.job_timeout_s)
            self._replace_executor()
            return Brief.failed(None, job.url, BriefError("timeout").info())
        except Exception:
            log.exception("engine raised on job %s", job.id)
            return Brief.failed(None, job.url, BriefError("engine_failed").info())

    def _replace_executor(self) -> None:
        old = self._executor
        self._executor = ThreadPoolExecutor(self.settings.bot.workers, thread_name_prefix="engine")
        if old is not None:
            old.shutdown(wait=False)  # calls already running there finish; nothing new goes there

    async def _keep_typing(self, chat_id: int) -> None:
        while True:
            try:
                await self.bot.send_chat_action(chat_id, ChatAction.TYPING)
            except TelegramError:
                pass  # cosmetic only
            await asyncio.sleep(TYPING_EVERY_S)
