"""The front's side of ``[queue] backend = "celery"``: jobs go to ``briefbot worker`` processes.

``CeleryJobRunner`` is the bot's ``JobRunner`` with the running taken out: a job is stored (the
same ``add_job``, so a replayed or twice-delivered update still makes one job), its status
message sent, and its id handed to Redis with a priority that keeps chats fair
(``bot.worker.priority_for``). The workers claim, brief, answer and mark it done. At start the
front hands over again every pending job no worker holds (a job queued twice still runs once: the
workers claim it in PostgreSQL). A job that could not be handed over (Redis down for a moment)
is tried again every few seconds, never dropped: it stays stored as pending meanwhile.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from telegram import Bot

from summarizer.settings import Settings

from .jobs import JobRunner
from .worker import celery_app, enqueue_job

log = logging.getLogger(__name__)

RESEND_EVERY_S = 5.0


def _runs_elsewhere(*_: Any, **__: Any) -> Any:
    raise AssertionError("with [queue] backend = 'celery' briefs run in `briefbot worker`, not in the front")


class CeleryJobRunner(JobRunner):
    def __init__(self, bot: Bot, storage: Any, settings: Settings):
        super().__init__(bot, storage, settings, _runs_elsewhere)
        self.celery = celery_app(settings)
        self._unsent: dict[int, int] = {}  # job id -> chat id, not yet handed to Redis
        self._resender: asyncio.Task | None = None

    async def load_engine(self) -> None:
        """Nothing to load: the front runs no briefs (the workers load the models)."""

    def start(self) -> None:
        for job in self.storage.unclaimed_pending_jobs():
            log.info("handing job %s from update %s to the workers again", job.id, job.update_id)
            self._enqueue(job.id, job.chat_id)
        self._resender = asyncio.create_task(self._resend_unsent(), name="celery-resend")

    async def stop(self) -> None:
        if self._resender is not None:
            self._resender.cancel()
            await asyncio.gather(self._resender, return_exceptions=True)

    def is_full(self) -> bool:
        return self.storage.pending_count() >= self.settings.bot.queue_size

    def _enqueue(self, job_id: int, chat_id: int) -> None:
        try:
            enqueue_job(self.celery, self.storage, job_id, chat_id)
            self._unsent.pop(job_id, None)
        except Exception as exc:  # Redis or PostgreSQL unavailable: the job stays stored, sent later
            log.error("job %s not handed to the workers yet (%s: %s)", job_id, type(exc).__name__, exc)
            self._unsent[job_id] = chat_id

    async def _resend_unsent(self) -> None:
        while True:
            await asyncio.sleep(RESEND_EVERY_S)
            for job_id, chat_id in list(self._unsent.items()):
                self._enqueue(job_id, chat_id)
