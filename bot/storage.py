"""Everything the bot must remember across restarts, in one SQLite file.

- ``chat_settings``: per chat, the summary length and (groups) whether links are briefed automatically
  and the language the bot speaks there.
- ``brief_cache``: finished briefs by normalized URL and length, with an expiry.
- ``updates``: every update received, stored *before* Telegram is told it arrived, so an
  update cut off by a crash is replayed on restart, and one already handled is skipped.
- ``jobs``: accepted engine jobs; a job stays ``pending`` until its answer is sent, so a
  restart resumes it (and answers it once). ``unfinished_runs`` counts engine runs on it that
  never returned (the bot died during them): the job runner quarantines a job that has two.
- ``sent_briefs``: briefs sent with a "More"/"Less" button, by the button's token, so a tap
  works after a restart; whether the message shows the full brief, and the messages it
  continued into.

Privacy: updates and jobs hold the text of people's messages. Finished ones are deleted after
``[storage] retention_days``; pending ones when they are answered and that time has passed.

The file is checked: opening one that is not a database, or a damaged one, raises
``StorageError`` (one line, the bot refuses to start); a database that was deleted while the
bot ran is reported in the log, at once and again at the next start (a marker file beside it
remembers that it existed), instead of being silently replaced by an empty one.

This class is the bot's whole storage interface (its public methods); all calls are quick,
synchronous and made from the event-loop thread only.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
from dataclasses import dataclass
from typing import Any, Mapping
from pathlib import Path

from summarizer.types import Brief

from .texts import DEFAULT_LANGUAGE, TEXTS

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_settings (
    chat_id INTEGER PRIMARY KEY,
    length TEXT,
    auto INTEGER,
    language TEXT                                -- groups: the bot's language there (bot.texts)
);
CREATE TABLE IF NOT EXISTS brief_cache (
    key TEXT PRIMARY KEY,
    brief_json TEXT NOT NULL,
    expires REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS updates (
    update_id INTEGER PRIMARY KEY,
    payload TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'new',          -- 'new' | 'done'
    received REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS jobs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    update_id INTEGER NOT NULL,
    seq INTEGER NOT NULL,                        -- which input of that update (several links)
    chat_id INTEGER NOT NULL,
    reply_to INTEGER,                            -- the message being briefed
    status_message_id INTEGER,                   -- "Reading the article…", edited into the answer
    source_json TEXT NOT NULL,                   -- {"url": ...} or {"text": ...}
    length TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',       -- 'pending' | 'done'
    parts_sent INTEGER NOT NULL DEFAULT 0,       -- answer messages already delivered
    unfinished_runs INTEGER NOT NULL DEFAULT 0,  -- engine runs started and never returned
    language TEXT NOT NULL DEFAULT 'en',         -- the reader's: progress and error sentences
    created REAL NOT NULL,
    UNIQUE (update_id, seq)
);
CREATE TABLE IF NOT EXISTS sent_briefs (
    token TEXT PRIMARY KEY,                      -- in the buttons' callback data
    chat_id INTEGER NOT NULL,
    brief_json TEXT NOT NULL,
    expanded INTEGER NOT NULL DEFAULT 0,         -- the message shows the full brief
    continuation TEXT NOT NULL DEFAULT '[]',     -- ids of the messages the full brief continued into
    expires REAL NOT NULL
);
"""

# How long a write waits for another connection's lock before failing with "database is locked".
# Short, because calls are made from the event loop; callers retry later (see bot.app, bot.jobs).
BUSY_TIMEOUT_S = 1.0
PRUNE_EVERY_S = 3_600
# Columns added after the first release, added to older files when they are opened.
ADDED_COLUMNS = {
    "jobs": {"unfinished_runs": "INTEGER NOT NULL DEFAULT 0", "language": "TEXT NOT NULL DEFAULT 'en'"},
    "chat_settings": {"language": "TEXT"},
}
MARKER_SUFFIX = ".created"  # beside the database: "a database was created here"

log = logging.getLogger(__name__)



class StorageUnavailable(Exception):
    """The database server cannot be reached right now (down, restarting, network): try again later.
    (Raised by the server backends, ``bot.storage_pg``; SQLite raises ``sqlite3.Error``.)"""

class StorageError(Exception):
    """The database file cannot be used (not a database, damaged, unreadable): a one-line reason."""


@dataclass(frozen=True)
class ChatSettings:
    length: str
    auto: bool  # groups: brief every link without being asked
    language: str = DEFAULT_LANGUAGE  # groups: the language the bot speaks there (private chats: the user's)


@dataclass(frozen=True)
class SentBrief:
    brief: Brief
    expanded: bool  # the message shows the full brief
    continuation: list[int]  # messages the full brief continued into


@dataclass
class Job:
    id: int
    update_id: int
    seq: int
    chat_id: int
    reply_to: int | None
    status_message_id: int | None
    source: dict[str, str]
    length: str
    parts_sent: int = 0
    unfinished_runs: int = 0
    language: str = DEFAULT_LANGUAGE  # the reader's, chosen when the job was accepted

    @property
    def url(self) -> str | None:
        return self.source.get("url")

    @property
    def text(self) -> str | None:
        return self.source.get("text")


class Storage:
    """The SQLite file of ``path``; ``retention_days``: how long finished updates and jobs are kept."""

    shared = False  # one bot process owns the file (bot.storage_pg is the storage several processes share)

    def __init__(self, path: str | Path, retention_days: float = 7.0):
        self.path = str(path)
        self.keep_done_s = retention_days * 86_400
        self._identity: tuple[int, int] | None = None  # (device, inode) of the file opened
        self._file_problem_logged = False
        existed = self.path == ":memory:" or Path(self.path).exists()
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            if not existed and Path(self.path + MARKER_SUFFIX).exists():
                log.error("the database %s is missing, but a previous run created it (%s): chat settings, "
                          "cached briefs and unanswered jobs of that run are lost; starting with an empty "
                          "database", self.path, Path(self.path + MARKER_SUFFIX).read_text().strip())
        try:
            self.db = self._open()
        except sqlite3.Error as exc:
            raise StorageError(f"cannot use the database {self.path}: {exc} (restore it from a backup, or move "
                               f"it away to start empty)") from None
        if self.path != ":memory:":
            stat = os.stat(self.path)
            self._identity = (stat.st_dev, stat.st_ino)
            if not existed:
                Path(self.path + MARKER_SUFFIX).write_text(time.strftime("created %Y-%m-%d %H:%M:%S %Z\n"))
        self._last_prune = 0.0

    def _open(self) -> sqlite3.Connection:
        # Autocommit: each write is durable at once. Used from the event-loop thread only, which
        # may not be the thread that opened it.
        db = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None, check_same_thread=False)
        try:
            db.row_factory = sqlite3.Row
            db.execute("PRAGMA journal_mode=WAL")  # "file is not a database" shows here
            (check,) = db.execute("PRAGMA quick_check").fetchone()
            if check != "ok":
                raise sqlite3.DatabaseError(f"damaged ({check})")
            db.execute("PRAGMA synchronous=FULL")
            db.executescript(SCHEMA)
            for table, columns in ADDED_COLUMNS.items():
                have = {row["name"] for row in db.execute(f"PRAGMA table_info({table})")}
                for name, definition in columns.items():
                    if name not in have:
                        db.execute(f"ALTER TABLE {table} ADD COLUMN {name} {definition}")
        except BaseException:
            db.close()
            raise
        return db

    def close(self) -> None:
        """Close the connection (every write is already on disk)."""
        self.db.close()

    def check_file(self) -> bool:
        """Whether the file opened is still the one at ``path``; a deleted or replaced file is
        logged (once): what this run stores from then on would be lost when it stops."""
        if self._identity is None:
            return True
        try:
            stat = os.stat(self.path)
            same = (stat.st_dev, stat.st_ino) == self._identity
        except FileNotFoundError:
            same = False
        if not same and not self._file_problem_logged:
            self._file_problem_logged = True
            log.error("the database file %s was deleted or replaced while the bot runs: chat settings and "
                      "jobs stored from now on are lost when the bot stops; restore the file and restart the bot",
                      self.path)
        return same

    def prune(self, now: float | None = None) -> None:
        """Delete expired cache entries, and finished updates and jobs older than the retention time."""
        now = time.time() if now is None else now
        self._last_prune = now
        self.check_file()
        self.db.execute("DELETE FROM brief_cache WHERE expires < ?", (now,))
        self.db.execute("DELETE FROM sent_briefs WHERE expires < ?", (now,))
        self.db.execute("DELETE FROM updates WHERE state = 'done' AND received < ?", (now - self.keep_done_s,))
        self.db.execute("DELETE FROM jobs WHERE state = 'done' AND created < ?", (now - self.keep_done_s,))

    # -- chat settings ---------------------------------------------------------------
    def chat_settings(self, chat_id: int, default_length: str) -> ChatSettings:
        """A chat's choices; a chat that chose nothing gets ``default_length``, no auto mode and the
        default language."""
        row = self.db.execute("SELECT length, auto, language FROM chat_settings WHERE chat_id = ?",
                              (chat_id,)).fetchone()
        return chat_settings_from_row(row, default_length)

    def save_chat_settings(self, chat_id: int, chat: ChatSettings) -> None:
        """Replace a chat's choices."""
        self.db.execute(
            "INSERT INTO chat_settings (chat_id, length, auto, language) VALUES (?, ?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET length = excluded.length, auto = excluded.auto, "
            "language = excluded.language",
            (chat_id, chat.length, int(chat.auto), chat.language),
        )

    # -- brief cache -----------------------------------------------------------------
    def cached_brief(self, key: str, now: float | None = None) -> Brief | None:
        """The brief stored under ``key`` (``bot.inputs.cache_key``) unless it expired."""
        now = time.time() if now is None else now
        row = self.db.execute("SELECT brief_json, expires FROM brief_cache WHERE key = ?", (key,)).fetchone()
        if row is None or row["expires"] < now:
            return None
        return Brief.from_dict(json.loads(row["brief_json"]))

    def cache_brief(self, key: str, brief: Brief, ttl_s: float) -> None:
        """Keep a successful brief for ``ttl_s`` seconds, without the article text."""
        self.db.execute(
            "INSERT OR REPLACE INTO brief_cache (key, brief_json, expires) VALUES (?, ?, ?)",
            (key, stored_brief_json(brief), time.time() + ttl_s),
        )

    # -- briefs with More/Less buttons ------------------------------------------------
    def remember_sent_brief(self, token: str, chat_id: int, brief: Brief, ttl_s: float) -> None:
        self.db.execute(
            "INSERT OR REPLACE INTO sent_briefs (token, chat_id, brief_json, expires) VALUES (?, ?, ?, ?)",
            (token, chat_id, stored_brief_json(brief), time.time() + ttl_s),
        )

    def sent_brief(self, token: str, chat_id: int, now: float | None = None) -> SentBrief | None:
        """The brief behind a button, if it is of this chat and has not expired."""
        now = time.time() if now is None else now
        row = self.db.execute("SELECT * FROM sent_briefs WHERE token = ? AND chat_id = ? AND expires >= ?",
                              (token, chat_id, now)).fetchone()
        if row is None:
            return None
        return sent_brief_from_row(row)

    def set_sent_brief_view(self, token: str, expanded: bool, continuation: list[int]) -> None:
        self.db.execute("UPDATE sent_briefs SET expanded = ?, continuation = ? WHERE token = ?",
                        (int(expanded), json.dumps(continuation), token))

    # -- received updates ------------------------------------------------------------
    def record_update(self, update_id: int, payload: str) -> None:
        """Store an update as received (before Telegram is told it arrived)."""
        if time.time() - self._last_prune > PRUNE_EVERY_S:  # a long-running bot prunes as it goes
            self.prune()
        self.check_file()  # a stat per update: cheap, and it says so before anything is stored in vain
        self.db.execute(
            "INSERT OR IGNORE INTO updates (update_id, payload, received) VALUES (?, ?, ?)",
            (update_id, payload, time.time()),
        )

    def update_done(self, update_id: int) -> bool:
        """Whether this update was handled already (a second delivery is skipped)."""
        row = self.db.execute("SELECT state FROM updates WHERE update_id = ?", (update_id,)).fetchone()
        return row is not None and row["state"] == "done"

    def mark_update_done(self, update_id: int) -> None:
        """Its handlers returned: it is not replayed at the next start."""
        self.db.execute("UPDATE updates SET state = 'done' WHERE update_id = ?", (update_id,))

    def unfinished_updates(self) -> list[str]:
        """Payloads (JSON) of updates stored but not handled, oldest first: replayed at start."""
        rows = self.db.execute("SELECT payload FROM updates WHERE state = 'new' ORDER BY update_id")
        return [r["payload"] for r in rows]

    # What several fronts need (bot.storage_pg); with one process owning the file they are trivial.
    def claim_update(self, update_id: int, lease_s: float) -> bool:
        """This process is the only front: it handles every update it has not finished."""
        return not self.update_done(update_id)

    def stray_updates(self, older_than_s: float) -> list[str]:
        """No other front can leave updates behind (this one replays its own at start)."""
        return []

    def hold_poller_lock(self) -> bool:
        """One bot process per file, as the README says: nothing to lock against."""
        return True

    # -- jobs ------------------------------------------------------------------------
    def add_job(self, update_id: int, seq: int, chat_id: int, reply_to: int | None,
                source: dict[str, str], length: str, language: str = DEFAULT_LANGUAGE) -> tuple[Job, bool]:
        """Insert a job once per (update, input); returns the job and whether it is new.
        ``language`` is the reader's (its progress and error sentences)."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO jobs (update_id, seq, chat_id, reply_to, source_json, length, language, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (update_id, seq, chat_id, reply_to, json.dumps(source), length, language, time.time()),
        )
        row = self.db.execute("SELECT * FROM jobs WHERE update_id = ? AND seq = ?", (update_id, seq)).fetchone()
        return job_from_row(row), cur.rowcount == 1

    def has_job(self, update_id: int, seq: int) -> bool:
        """Whether input ``seq`` of this update already has a job (answered or pending)."""
        return self.db.execute("SELECT 1 FROM jobs WHERE update_id = ? AND seq = ?", (update_id, seq)).fetchone() is not None

    def set_status_message(self, job_id: int, message_id: int) -> None:
        """Remember the "Reading…" message that the answer will replace."""
        self.db.execute("UPDATE jobs SET status_message_id = ? WHERE id = ?", (message_id, job_id))

    def set_parts_sent(self, job_id: int, parts: int) -> None:
        """Answer messages delivered so far (a resumed job sends only the rest)."""
        self.db.execute("UPDATE jobs SET parts_sent = ? WHERE id = ?", (parts, job_id))

    def engine_run_started(self, job_id: int) -> None:
        """Count an engine run on this job before it starts (kept if the bot dies during it)."""
        self.db.execute("UPDATE jobs SET unfinished_runs = unfinished_runs + 1 WHERE id = ?", (job_id,))

    def engine_run_finished(self, job_id: int) -> None:
        """The engine returned (with a brief or an error): no run of this job is left unfinished."""
        self.db.execute("UPDATE jobs SET unfinished_runs = 0 WHERE id = ?", (job_id,))

    def mark_job_done(self, job_id: int) -> None:
        """The job is answered: it is never resumed."""
        self.db.execute("UPDATE jobs SET state = 'done' WHERE id = ?", (job_id,))

    def pending_jobs(self) -> list[Job]:
        """Jobs not answered yet, oldest first (resumed at start)."""
        return [job_from_row(r) for r in self.db.execute("SELECT * FROM jobs WHERE state = 'pending' ORDER BY id")]

    def pending_job(self, job_id: int) -> Job | None:
        """The job if it still waits for its answer."""
        row = self.db.execute("SELECT * FROM jobs WHERE id = ? AND state = 'pending'", (job_id,)).fetchone()
        return job_from_row(row) if row else None


def chat_settings_from_row(row: Mapping[str, Any] | None, default_length: str) -> ChatSettings:
    """A chat's choices from its chat_settings row (either backend); no row: the defaults."""
    if row is None:
        return ChatSettings(length=default_length, auto=False)
    language = row["language"] if row["language"] in TEXTS else DEFAULT_LANGUAGE
    return ChatSettings(length=row["length"] or default_length, auto=bool(row["auto"]), language=language)


def stored_brief_json(brief: Brief) -> str:
    """A brief as the cache and the More/Less buttons keep it: without the article body, which
    nothing renders (either backend)."""
    data = brief.to_dict()
    data["text"] = ""
    return json.dumps(data)


def sent_brief_from_row(row: Mapping[str, Any]) -> SentBrief:
    """The brief behind a button, from a row of the sent_briefs table (either backend)."""
    return SentBrief(Brief.from_dict(json.loads(row["brief_json"])), bool(row["expanded"]),
                     json.loads(row["continuation"]))


def job_from_row(row: Mapping[str, Any]) -> Job:
    """A job from a row of the jobs table (either backend: the columns are the same)."""
    return Job(
        id=row["id"],
        update_id=row["update_id"],
        seq=row["seq"],
        chat_id=row["chat_id"],
        reply_to=row["reply_to"],
        status_message_id=row["status_message_id"],
        source=json.loads(row["source_json"]),
        length=row["length"],
        parts_sent=row["parts_sent"],
        unfinished_runs=row["unfinished_runs"],
        language=row["language"],
    )
