"""Everything the bot must remember across restarts, in one SQLite file.

- ``chat_settings``: per chat, the summary length and (groups) whether links are briefed automatically.
- ``brief_cache``: finished briefs by normalized URL and length, with an expiry.
- ``updates``: every update received, stored *before* Telegram is told it arrived, so an
  update cut off by a crash is replayed on restart, and one already handled is skipped.
- ``jobs``: accepted engine jobs; a job stays ``pending`` until its answer is sent, so a
  restart resumes it (and answers it once).
- ``sent_briefs``: briefs sent with a "More"/"Less" button, by the button's token, so a tap
  works after a restart; whether the message shows the full brief, and the messages it
  continued into.

All calls are quick, synchronous and made from the event-loop thread only.
"""

from __future__ import annotations

import json
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from summarizer.types import Brief

SCHEMA = """
CREATE TABLE IF NOT EXISTS chat_settings (
    chat_id INTEGER PRIMARY KEY,
    length TEXT,
    auto INTEGER
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
# Finished updates and jobs are kept this long (for dedupe and debugging), then pruned.
KEEP_DONE_S = 7 * 86_400
PRUNE_EVERY_S = 3_600


@dataclass(frozen=True)
class ChatSettings:
    length: str
    auto: bool  # groups: brief every link without being asked


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

    @property
    def url(self) -> str | None:
        return self.source.get("url")

    @property
    def text(self) -> str | None:
        return self.source.get("text")


class Storage:
    def __init__(self, path: str | Path):
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # Autocommit: each write is durable at once. Used from the event-loop thread only, which
        # may not be the thread that opened it.
        self.db = sqlite3.connect(str(path), timeout=BUSY_TIMEOUT_S, isolation_level=None,
                                  check_same_thread=False)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.executescript(SCHEMA)
        self._last_prune = 0.0

    def close(self) -> None:
        self.db.close()

    def prune(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        self._last_prune = now
        self.db.execute("DELETE FROM brief_cache WHERE expires < ?", (now,))
        self.db.execute("DELETE FROM sent_briefs WHERE expires < ?", (now,))
        self.db.execute("DELETE FROM updates WHERE state = 'done' AND received < ?", (now - KEEP_DONE_S,))
        self.db.execute("DELETE FROM jobs WHERE state = 'done' AND created < ?", (now - KEEP_DONE_S,))

    # -- chat settings ---------------------------------------------------------------
    def chat_settings(self, chat_id: int, default_length: str) -> ChatSettings:
        row = self.db.execute("SELECT length, auto FROM chat_settings WHERE chat_id = ?", (chat_id,)).fetchone()
        if row is None:
            return ChatSettings(length=default_length, auto=False)
        return ChatSettings(length=row["length"] or default_length, auto=bool(row["auto"]))

    def save_chat_settings(self, chat_id: int, chat: ChatSettings) -> None:
        self.db.execute(
            "INSERT INTO chat_settings (chat_id, length, auto) VALUES (?, ?, ?) "
            "ON CONFLICT(chat_id) DO UPDATE SET length = excluded.length, auto = excluded.auto",
            (chat_id, chat.length, int(chat.auto)),
        )

    # -- brief cache -----------------------------------------------------------------
    def cached_brief(self, key: str, now: float | None = None) -> Brief | None:
        now = time.time() if now is None else now
        row = self.db.execute("SELECT brief_json, expires FROM brief_cache WHERE key = ?", (key,)).fetchone()
        if row is None or row["expires"] < now:
            return None
        return Brief.from_dict(json.loads(row["brief_json"]))

    def cache_brief(self, key: str, brief: Brief, ttl_s: float) -> None:
        data = brief.to_dict()
        data["text"] = ""  # the article body is not shown; keep the cache small
        self.db.execute(
            "INSERT OR REPLACE INTO brief_cache (key, brief_json, expires) VALUES (?, ?, ?)",
            (key, json.dumps(data), time.time() + ttl_s),
        )

    # -- briefs with More/Less buttons ------------------------------------------------
    def remember_sent_brief(self, token: str, chat_id: int, brief: Brief, ttl_s: float) -> None:
        data = brief.to_dict()
        data["text"] = ""  # the renderers do not need the article body
        self.db.execute(
            "INSERT OR REPLACE INTO sent_briefs (token, chat_id, brief_json, expires) VALUES (?, ?, ?, ?)",
            (token, chat_id, json.dumps(data), time.time() + ttl_s),
        )

    def sent_brief(self, token: str, chat_id: int, now: float | None = None) -> SentBrief | None:
        """The brief behind a button, if it is of this chat and has not expired."""
        now = time.time() if now is None else now
        row = self.db.execute("SELECT * FROM sent_briefs WHERE token = ? AND chat_id = ? AND expires >= ?",
                              (token, chat_id, now)).fetchone()
        if row is None:
            return None
        return SentBrief(Brief.from_dict(json.loads(row["brief_json"])), bool(row["expanded"]),
                         json.loads(row["continuation"]))

    def set_sent_brief_view(self, token: str, expanded: bool, continuation: list[int]) -> None:
        self.db.execute("UPDATE sent_briefs SET expanded = ?, continuation = ? WHERE token = ?",
                        (int(expanded), json.dumps(continuation), token))

    # -- received updates ------------------------------------------------------------
    def record_update(self, update_id: int, payload: str) -> None:
        if time.time() - self._last_prune > PRUNE_EVERY_S:  # a long-running bot prunes as it goes
            self.prune()
        self.db.execute(
            "INSERT OR IGNORE INTO updates (update_id, payload, received) VALUES (?, ?, ?)",
            (update_id, payload, time.time()),
        )

    def update_done(self, update_id: int) -> bool:
        row = self.db.execute("SELECT state FROM updates WHERE update_id = ?", (update_id,)).fetchone()
        return row is not None and row["state"] == "done"

    def mark_update_done(self, update_id: int) -> None:
        self.db.execute("UPDATE updates SET state = 'done' WHERE update_id = ?", (update_id,))

    def unfinished_updates(self) -> list[str]:
        rows = self.db.execute("SELECT payload FROM updates WHERE state = 'new' ORDER BY update_id")
        return [r["payload"] for r in rows]

    # -- jobs ------------------------------------------------------------------------
    def add_job(self, update_id: int, seq: int, chat_id: int, reply_to: int | None,
                source: dict[str, str], length: str) -> tuple[Job, bool]:
        """Insert a job once per (update, input); returns the job and whether it is new."""
        cur = self.db.execute(
            "INSERT OR IGNORE INTO jobs (update_id, seq, chat_id, reply_to, source_json, length, created) "
            "VALUES (?, ?, ?, ?, ?, ?, ?)",
            (update_id, seq, chat_id, reply_to, json.dumps(source), length, time.time()),
        )
        row = self.db.execute("SELECT * FROM jobs WHERE update_id = ? AND seq = ?", (update_id, seq)).fetchone()
        return _job(row), cur.rowcount == 1

    def has_job(self, update_id: int, seq: int) -> bool:
        return self.db.execute("SELECT 1 FROM jobs WHERE update_id = ? AND seq = ?", (update_id, seq)).fetchone() is not None

    def set_status_message(self, job_id: int, message_id: int) -> None:
        self.db.execute("UPDATE jobs SET status_message_id = ? WHERE id = ?", (message_id, job_id))

    def set_parts_sent(self, job_id: int, parts: int) -> None:
        self.db.execute("UPDATE jobs SET parts_sent = ? WHERE id = ?", (parts, job_id))

    def mark_job_done(self, job_id: int) -> None:
        self.db.execute("UPDATE jobs SET state = 'done' WHERE id = ?", (job_id,))

    def pending_jobs(self) -> list[Job]:
        return [_job(r) for r in self.db.execute("SELECT * FROM jobs WHERE state = 'pending' ORDER BY id")]

    def pending_job(self, job_id: int) -> Job | None:
        row = self.db.execute("SELECT * FROM jobs WHERE id = ? AND state = 'pending'", (job_id,)).fetchone()
        return _job(row) if row else None

    def job_states(self) -> list[dict[str, Any]]:
        """All jobs as plain dicts (tests and debugging)."""
        return [dict(r) for r in self.db.execute("SELECT * FROM jobs ORDER BY id")]


def _job(row: sqlite3.Row) -> Job:
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
    )
