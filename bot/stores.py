"""Which storage the bot uses, chosen by ``[storage] url``, behind one interface.

- ``""`` or ``sqlite:///FILE``: ``bot.storage.Storage``, one SQLite file, one bot process (the default).
- ``postgresql://…``: ``bot.storage_pg.PostgresStorage``, shared by any number of fronts and workers.

Both keep the same things with the same meaning (chat settings, the brief cache, received updates,
jobs); ``tests/scale/test_storage_contract.py`` runs one contract on both. A backend that cannot
be reached raises one of ``STORAGE_ERRORS``; callers retry later, as they do for a locked SQLite file.
"""

from __future__ import annotations

import sqlite3
from typing import Protocol

from summarizer.settings import Settings
from summarizer.types import Brief

from .storage import ChatSettings, Job, SentBrief, Storage, StorageUnavailable

# What a caller catches for "the database is unavailable, try again later", for either backend.
STORAGE_ERRORS: tuple[type[BaseException], ...] = (sqlite3.Error, StorageUnavailable)


class StorageBackend(Protocol):
    """The methods the bot and the workers use; ``bot.storage.Storage`` documents their meaning."""

    def close(self) -> None: ...
    def prune(self, now: float | None = None) -> None: ...
    def chat_settings(self, chat_id: int, default_length: str) -> ChatSettings: ...
    def save_chat_settings(self, chat_id: int, chat: ChatSettings) -> None: ...
    def cached_brief(self, key: str, now: float | None = None) -> Brief | None: ...
    def cache_brief(self, key: str, brief: Brief, ttl_s: float) -> None: ...
    def remember_sent_brief(self, token: str, chat_id: int, brief: Brief, ttl_s: float) -> None: ...
    def sent_brief(self, token: str, chat_id: int, now: float | None = None) -> SentBrief | None: ...
    def set_sent_brief_view(self, token: str, expanded: bool, continuation: list[int]) -> None: ...
    def record_update(self, update_id: int, payload: str) -> None: ...
    def update_done(self, update_id: int) -> bool: ...
    def mark_update_done(self, update_id: int) -> None: ...
    def unfinished_updates(self) -> list[str]: ...
    def add_job(self, update_id: int, seq: int, chat_id: int, reply_to: int | None,
                source: dict[str, str], length: str, language: str = ...) -> tuple[Job, bool]: ...
    def has_job(self, update_id: int, seq: int) -> bool: ...
    def set_status_message(self, job_id: int, message_id: int) -> None: ...
    def set_parts_sent(self, job_id: int, parts: int) -> None: ...
    def mark_job_done(self, job_id: int) -> None: ...
    def pending_jobs(self) -> list[Job]: ...
    def pending_job(self, job_id: int) -> Job | None: ...
    def engine_run_started(self, job_id: int) -> None: ...
    def engine_run_finished(self, job_id: int) -> None: ...
    def check_file(self) -> bool: ...
    # several processes (trivial for a backend one process owns):
    shared: bool
    def claim_update(self, update_id: int, lease_s: float) -> bool: ...
    def stray_updates(self, older_than_s: float) -> list[str]: ...
    def hold_poller_lock(self) -> bool: ...


def storage_url(settings: Settings) -> str:
    """``[storage] url`` (its scheme checked with the settings), or the SQLite file of ``[storage] path``."""
    return settings.storage.url or f"sqlite:///{settings.storage.path}"


def open_storage(settings: Settings) -> StorageBackend:
    url = storage_url(settings)
    keep = settings.storage.retention_days
    if url.startswith("sqlite:"):
        return Storage(url[len("sqlite:///"):] if url.startswith("sqlite:///") else url[len("sqlite:"):],
                       retention_days=keep)
    from .storage_pg import PostgresStorage  # psycopg is imported only when it is used

    return PostgresStorage(url, retention_days=keep)


# How long a front's claim on an update lasts: handling one only stores it and queues jobs.
UPDATE_LEASE_S = 60.0


def claim_update(storage: StorageBackend, update_id: int) -> bool:
    """Whether this front handles a (recorded) update now. Shared storage lets one front claim it:
    an update posted to two fronts, or retried by Telegram while handled, is handled once."""
    return storage.claim_update(update_id, UPDATE_LEASE_S)


def ensure_single_poller(storage: StorageBackend) -> None:
    """Long polling: exactly one front per bot. With shared storage the front takes an advisory
    lock (the database drops it when the front's connection ends); a second poller is refused."""
    if not storage.hold_poller_lock():
        raise SystemExit("another front is already polling Telegram for this bot (it holds the poller lock in "
                         "[storage] url): run one polling front, or use [bot] mode = 'webhook' for several")
