"""The bot's state in PostgreSQL, shared by every front and ``briefbot worker`` process.

Same tables and meaning as ``bot.storage`` (SQLite), plus what several processes need:

- exactly-once comes from the database, never from process memory: a job is unique per
  ``(update_id, seq)`` (``INSERT … ON CONFLICT DO NOTHING``), an update is handled by the one
  front that claims it, and a job is run by the one worker that claims it
  (``SELECT … FOR UPDATE SKIP LOCKED`` inside the claiming ``UPDATE``);
- a claim is a lease (``claimed_until``, on the database's clock) that the worker renews while it
  works; a worker that dies (``kill -9``, a lost machine) stops renewing and the job becomes
  claimable again, with ``tries`` counting the attempts;
- one long-polling front at a time: ``hold_poller_lock`` takes a session advisory lock that the
  server releases when that front's connection ends, however it ends;
- the schema is versioned (``schema_version``) and migrated at start, under an advisory lock so
  that processes starting together migrate once.

A connection that breaks (the server restarted, the network dropped) is dropped and the call
raises ``StorageUnavailable``; the next call connects again. Callers retry, as for SQLite's
"database is locked".
"""

from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Iterator

import psycopg
from psycopg.rows import dict_row

from summarizer.types import Brief

from .storage import (
    PRUNE_EVERY_S,
    ChatSettings,
    Job,
    SentBrief,
    StorageUnavailable,
    chat_settings_from_row,
    job_from_row,
    sent_brief_from_row,
    stored_brief_json,
)
from .texts import DEFAULT_LANGUAGE

CONNECT_TIMEOUT_S = 5
# Advisory lock keys (any two distinct 64-bit numbers private to briefbot).
MIGRATION_LOCK = 0x62726966_0001
POLLER_LOCK = 0x62726966_0002

# Each migration runs once, in order, in one transaction with its schema_version row.
# Never edit one that has shipped: add the next.
MIGRATIONS: list[tuple[int, str]] = [
    (1, """
        CREATE TABLE chat_settings (
            chat_id BIGINT PRIMARY KEY,
            length TEXT,
            auto BOOLEAN
        );
        CREATE TABLE brief_cache (
            key TEXT PRIMARY KEY,
            brief_json TEXT NOT NULL,
            expires DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE updates (
            update_id BIGINT PRIMARY KEY,
            payload TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'new',      -- 'new' | 'done'
            received DOUBLE PRECISION NOT NULL
        );
        CREATE TABLE jobs (
            id BIGSERIAL PRIMARY KEY,
            update_id BIGINT NOT NULL,
            seq INTEGER NOT NULL,
            chat_id BIGINT NOT NULL,
            reply_to BIGINT,
            status_message_id BIGINT,
            source_json TEXT NOT NULL,
            length TEXT NOT NULL,
            state TEXT NOT NULL DEFAULT 'pending',  -- 'pending' | 'done'
            parts_sent INTEGER NOT NULL DEFAULT 0,
            unfinished_runs INTEGER NOT NULL DEFAULT 0,  -- engine runs started and never returned
            created DOUBLE PRECISION NOT NULL,
            UNIQUE (update_id, seq)
        );
        CREATE INDEX jobs_pending ON jobs (id) WHERE state = 'pending';
    """),
    (2, """
        -- several processes: leases on jobs (workers) and on updates (webhook fronts)
        ALTER TABLE jobs ADD COLUMN tries INTEGER NOT NULL DEFAULT 0;
        ALTER TABLE jobs ADD COLUMN claimed_by TEXT;
        ALTER TABLE jobs ADD COLUMN claimed_until DOUBLE PRECISION;
        ALTER TABLE updates ADD COLUMN claimed_until DOUBLE PRECISION;
    """),
    (3, """
        -- the bot's languages: a group's choice, and each job's reader (progress and error sentences)
        ALTER TABLE chat_settings ADD COLUMN language TEXT;
        ALTER TABLE jobs ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
    """),
    (4, """
        -- briefs sent with a "More"/"Less" button, by the button's token (see bot.expand)
        CREATE TABLE sent_briefs (
            token TEXT PRIMARY KEY,
            chat_id BIGINT NOT NULL,
            brief_json TEXT NOT NULL,
            expanded BOOLEAN NOT NULL DEFAULT FALSE,
            continuation TEXT NOT NULL DEFAULT '[]',
            expires DOUBLE PRECISION NOT NULL
        );
    """),
]
SCHEMA_VERSION = MIGRATIONS[-1][0]
NOW = "extract(epoch from clock_timestamp())"  # leases use the database's clock, the same for every machine


@dataclass(frozen=True)
class Claim:
    """The outcome of ``claim_job``: the job (now this worker's), or why not."""

    job: Job | None  # claimed: run it
    tries: int = 0  # attempts so far, this one included
    busy_for_s: float = 0.0  # > 0: another worker holds it for this long yet (unless it renews)

    @property
    def gone(self) -> bool:
        """Nothing to do: the job is answered (or unknown)."""
        return self.job is None and self.busy_for_s <= 0


class PostgresStorage:
    """The PostgreSQL database of ``url``; ``retention_days``: how long finished updates and jobs are kept."""

    shared = True  # any number of fronts and workers use the same database

    def __init__(self, url: str, retention_days: float = 7.0, *, migrate: bool = True):
        self.url = url
        self.keep_done_s = retention_days * 86_400
        self._conn: psycopg.Connection | None = None
        self._lock = threading.Lock()  # one statement at a time on the shared connection
        self._poller_conn: psycopg.Connection | None = None
        self._last_prune = 0.0
        if migrate:
            self.migrate()

    # -- connection ------------------------------------------------------------------
    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed:
            self._conn = psycopg.connect(self.url, autocommit=True, row_factory=dict_row,
                                         connect_timeout=CONNECT_TIMEOUT_S)
        return self._conn

    @contextmanager
    def _db(self, transaction: bool = False) -> Iterator[psycopg.Connection]:
        """The connection (in a transaction if asked); a broken one is dropped and reported."""
        with self._lock:
            try:
                conn = self._connection()
                if transaction:
                    with conn.transaction():
                        yield conn
                else:
                    yield conn
            except (psycopg.OperationalError, psycopg.InterfaceError) as exc:
                self._drop()
                raise StorageUnavailable(f"PostgreSQL unavailable: {exc}".strip()) from exc

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            except psycopg.Error:
                pass
        self._conn = None

    def close(self) -> None:
        with self._lock:
            self._drop()
        if self._poller_conn is not None:
            self._poller_conn.close()
            self._poller_conn = None

    # -- schema ----------------------------------------------------------------------
    def migrate(self) -> int:
        """Bring the schema to ``SCHEMA_VERSION``; refuse a database newer than this code."""
        with self._db(transaction=True) as db:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK,))
            db.execute("CREATE TABLE IF NOT EXISTS schema_version ("
                       "version INTEGER PRIMARY KEY, applied DOUBLE PRECISION NOT NULL)")
            current = db.execute("SELECT coalesce(max(version), 0) AS v FROM schema_version").fetchone()["v"]
            if current > SCHEMA_VERSION:
                raise RuntimeError(f"the database schema is version {current}, newer than this briefbot "
                                   f"({SCHEMA_VERSION}): upgrade briefbot before starting it")
            for version, sql in MIGRATIONS:
                if version > current:
                    db.execute(sql)
                    db.execute(f"INSERT INTO schema_version (version, applied) VALUES (%s, {NOW})", (version,))
        return SCHEMA_VERSION

    def schema_version(self) -> int:
        with self._db() as db:
            return db.execute("SELECT max(version) AS v FROM schema_version").fetchone()["v"]

    def check_file(self) -> bool:
        """No file to lose: the server keeps the data (see ``bot.storage.Storage.check_file``)."""
        return True

    def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._last_prune = now
        with self._db() as db:
            db.execute("DELETE FROM brief_cache WHERE expires < %s", (now,))
            db.execute("DELETE FROM sent_briefs WHERE expires < %s", (now,))
            db.execute("DELETE FROM updates WHERE state = 'done' AND received < %s", (now - self.keep_done_s,))
            db.execute("DELETE FROM jobs WHERE state = 'done' AND created < %s", (now - self.keep_done_s,))

    # -- chat settings ---------------------------------------------------------------
    def chat_settings(self, chat_id: int, default_length: str) -> ChatSettings:
        with self._db() as db:
            row = db.execute("SELECT length, auto, language FROM chat_settings WHERE chat_id = %s",
                             (chat_id,)).fetchone()
        return chat_settings_from_row(row, default_length)

    def save_chat_settings(self, chat_id: int, chat: ChatSettings) -> None:
        with self._db() as db:
            db.execute("INSERT INTO chat_settings (chat_id, length, auto, language) VALUES (%s, %s, %s, %s) "
                       "ON CONFLICT (chat_id) DO UPDATE SET length = excluded.length, auto = excluded.auto, "
                       "language = excluded.language", (chat_id, chat.length, chat.auto, chat.language))

    # -- brief cache -----------------------------------------------------------------
    def cached_brief(self, key: str, now: float | None = None) -> Brief | None:
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute("SELECT brief_json, expires FROM brief_cache WHERE key = %s", (key,)).fetchone()
        if row is None or row["expires"] < now:
            return None
        return Brief.from_dict(json.loads(row["brief_json"]))

    def cache_brief(self, key: str, brief: Brief, ttl_s: float) -> None:
        with self._db() as db:
            db.execute("INSERT INTO brief_cache (key, brief_json, expires) VALUES (%s, %s, %s) "
                       "ON CONFLICT (key) DO UPDATE SET brief_json = excluded.brief_json, expires = excluded.expires",
                       (key, stored_brief_json(brief), time.time() + ttl_s))

    # -- briefs with More/Less buttons ------------------------------------------------
    def remember_sent_brief(self, token: str, chat_id: int, brief: Brief, ttl_s: float) -> None:
        with self._db() as db:
            db.execute("INSERT INTO sent_briefs (token, chat_id, brief_json, expires) VALUES (%s, %s, %s, %s) "
                       "ON CONFLICT (token) DO UPDATE SET brief_json = excluded.brief_json, "
                       "expires = excluded.expires", (token, chat_id, stored_brief_json(brief), time.time() + ttl_s))

    def sent_brief(self, token: str, chat_id: int, now: float | None = None) -> SentBrief | None:
        now = time.time() if now is None else now
        with self._db() as db:
            row = db.execute("SELECT brief_json, expanded, continuation FROM sent_briefs "
                             "WHERE token = %s AND chat_id = %s AND expires >= %s", (token, chat_id, now)).fetchone()
        if row is None:
            return None
        return sent_brief_from_row(row)

    def set_sent_brief_view(self, token: str, expanded: bool, continuation: list[int]) -> None:
        with self._db() as db:
            db.execute("UPDATE sent_briefs SET expanded = %s, continuation = %s WHERE token = %s",
                       (expanded, json.dumps(continuation), token))

    # -- received updates ------------------------------------------------------------
    def record_update(self, update_id: int, payload: str) -> None:
        if time.time() - self._last_prune > PRUNE_EVERY_S:
            self.prune()
        with self._db() as db:
            db.execute("INSERT INTO updates (update_id, payload, received) VALUES (%s, %s, %s) "
                       "ON CONFLICT (update_id) DO NOTHING", (update_id, payload, time.time()))

    def claim_update(self, update_id: int, lease_s: float) -> bool:
        """Take a recorded update for handling, once across fronts: False if it is done or another
        front is handling it now (its lease not expired)."""
        with self._db() as db:
            row = db.execute(
                f"UPDATE updates SET claimed_until = {NOW} + %s WHERE update_id = %s AND state = 'new' "
                f"AND (claimed_until IS NULL OR claimed_until < {NOW}) RETURNING update_id",
                (lease_s, update_id)).fetchone()
        return row is not None

    def stray_updates(self, older_than_s: float) -> list[str]:
        """Unfinished updates nobody holds that arrived over ``older_than_s`` ago: the front that
        took them died before finishing (another front replays them)."""
        with self._db() as db:
            rows = db.execute(f"SELECT payload FROM updates WHERE state = 'new' AND received < %s "
                              f"AND (claimed_until IS NULL OR claimed_until < {NOW}) ORDER BY update_id",
                              (time.time() - older_than_s,)).fetchall()
        return [r["payload"] for r in rows]

    def update_done(self, update_id: int) -> bool:
        with self._db() as db:
            row = db.execute("SELECT state FROM updates WHERE update_id = %s", (update_id,)).fetchone()
        return row is not None and row["state"] == "done"

    def mark_update_done(self, update_id: int) -> None:
        with self._db() as db:
            db.execute("UPDATE updates SET state = 'done', claimed_until = NULL WHERE update_id = %s", (update_id,))

    def unfinished_updates(self) -> list[str]:
        with self._db() as db:
            rows = db.execute("SELECT payload FROM updates WHERE state = 'new' ORDER BY update_id").fetchall()
        return [r["payload"] for r in rows]

    # -- jobs ------------------------------------------------------------------------
    def add_job(self, update_id: int, seq: int, chat_id: int, reply_to: int | None,
                source: dict[str, str], length: str, language: str = DEFAULT_LANGUAGE) -> tuple[Job, bool]:
        """Insert a job once per (update, input); returns the job and whether it is new."""
        with self._db(transaction=True) as db:
            inserted = db.execute(
                "INSERT INTO jobs (update_id, seq, chat_id, reply_to, source_json, length, language, created) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s) ON CONFLICT (update_id, seq) DO NOTHING RETURNING *",
                (update_id, seq, chat_id, reply_to, json.dumps(source), length, language, time.time())).fetchone()
            row = inserted or db.execute("SELECT * FROM jobs WHERE update_id = %s AND seq = %s",
                                         (update_id, seq)).fetchone()
        return job_from_row(row), inserted is not None

    def has_job(self, update_id: int, seq: int) -> bool:
        with self._db() as db:
            return db.execute("SELECT 1 FROM jobs WHERE update_id = %s AND seq = %s",
                              (update_id, seq)).fetchone() is not None

    def set_status_message(self, job_id: int, message_id: int) -> None:
        with self._db() as db:
            db.execute("UPDATE jobs SET status_message_id = %s WHERE id = %s", (message_id, job_id))

    def set_parts_sent(self, job_id: int, parts: int) -> None:
        with self._db() as db:
            db.execute("UPDATE jobs SET parts_sent = greatest(parts_sent, %s) WHERE id = %s", (parts, job_id))

    def engine_run_started(self, job_id: int) -> None:
        """Count an engine run on this job before it starts (kept if the process dies during it)."""
        with self._db() as db:
            db.execute("UPDATE jobs SET unfinished_runs = unfinished_runs + 1 WHERE id = %s", (job_id,))

    def engine_run_finished(self, job_id: int) -> None:
        with self._db() as db:
            db.execute("UPDATE jobs SET unfinished_runs = 0 WHERE id = %s", (job_id,))

    def mark_job_done(self, job_id: int) -> None:
        with self._db() as db:
            # claimed_by stays: which worker answered (debugging, the tests' fairness figures)
            db.execute("UPDATE jobs SET state = 'done', claimed_until = NULL WHERE id = %s", (job_id,))

    def pending_jobs(self) -> list[Job]:
        with self._db() as db:
            return [job_from_row(r) for r in db.execute("SELECT * FROM jobs WHERE state = 'pending' ORDER BY id")]

    def pending_job(self, job_id: int) -> Job | None:
        with self._db() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = %s AND state = 'pending'", (job_id,)).fetchone()
        return job_from_row(row) if row else None

    # -- several workers -------------------------------------------------------------
    def claim_job(self, job_id: int, owner: str, lease_s: float) -> Claim:
        """Make a pending job ``owner``'s for ``lease_s`` seconds, counting the attempt.

        Another worker's unexpired claim wins (``busy_for_s`` says for how long); a row that a
        concurrent claimer has locked is skipped rather than waited for (SKIP LOCKED), so two
        workers handed the same job never both run it."""
        with self._db(transaction=True) as db:
            row = db.execute(
                f"UPDATE jobs SET claimed_by = %s, claimed_until = {NOW} + %s, tries = tries + 1 "
                f"WHERE id = (SELECT id FROM jobs WHERE id = %s AND state = 'pending' "
                f"            AND (claimed_until IS NULL OR claimed_until < {NOW} OR claimed_by = %s) "
                f"            FOR UPDATE SKIP LOCKED) RETURNING *",
                (owner, lease_s, job_id, owner)).fetchone()
            if row is not None:
                return Claim(job=job_from_row(row), tries=row["tries"])
            held = db.execute(f"SELECT claimed_until - {NOW} AS left_s FROM jobs "
                              "WHERE id = %s AND state = 'pending'", (job_id,)).fetchone()
        if held is None:
            return Claim(job=None)
        return Claim(job=None, busy_for_s=max(0.1, float(held["left_s"] or 0.1)))

    def renew_claim(self, job_id: int, owner: str, lease_s: float) -> bool:
        """Extend ``owner``'s lease; False if the job is no longer its own (lease lost, or done)."""
        with self._db() as db:
            row = db.execute(f"UPDATE jobs SET claimed_until = {NOW} + %s "
                             "WHERE id = %s AND claimed_by = %s AND state = 'pending' RETURNING id",
                             (lease_s, job_id, owner)).fetchone()
        return row is not None

    def release_claim(self, job_id: int, owner: str, count_try: bool = True) -> None:
        """Give a job back at once, to be tried again; ``count_try=False`` when the attempt was
        cut short by an outage (database, Telegram), not by the job itself."""
        with self._db() as db:
            db.execute("UPDATE jobs SET claimed_by = NULL, claimed_until = NULL, tries = tries - %s "
                       "WHERE id = %s AND claimed_by = %s", (0 if count_try else 1, job_id, owner))

    def waiting_in_chat(self, chat_id: int) -> int:
        """Pending jobs of one chat (the queue priority of its next job)."""
        with self._db() as db:
            return db.execute("SELECT count(*) AS n FROM jobs WHERE chat_id = %s AND state = 'pending'",
                              (chat_id,)).fetchone()["n"]

    def pending_count(self) -> int:
        with self._db() as db:
            return db.execute("SELECT count(*) AS n FROM jobs WHERE state = 'pending'").fetchone()["n"]

    def unclaimed_pending_jobs(self) -> list[Job]:
        """Pending jobs no worker holds now (to hand to the queue again at a front's start)."""
        with self._db() as db:
            rows = db.execute(f"SELECT * FROM jobs WHERE state = 'pending' "
                              f"AND (claimed_until IS NULL OR claimed_until < {NOW}) ORDER BY id").fetchall()
        return [job_from_row(r) for r in rows]

    def hold_poller_lock(self) -> bool:
        """Become the one long-polling front: True if this process now holds the lock (until it
        closes or dies), False if another front holds it."""
        if self._poller_conn is not None and not self._poller_conn.closed:
            return True
        try:
            conn = psycopg.connect(self.url, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
            (held,) = conn.execute("SELECT pg_try_advisory_lock(%s)", (POLLER_LOCK,)).fetchone()
        except psycopg.OperationalError as exc:
            raise StorageUnavailable(f"PostgreSQL unavailable: {exc}") from exc
        if not held:
            conn.close()
            return False
        self._poller_conn = conn
        return True

