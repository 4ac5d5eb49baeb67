"""The database file: a damaged or foreign file stops the start with one line, a file deleted
while the bot runs (or before it starts again) is reported, old files gain new columns, and
finished updates and jobs (message texts) are deleted after ``[storage] retention_days``."""

from __future__ import annotations

import json
import logging
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.storage import Storage, StorageError
from summarizer.settings import PROJECT_ROOT, load_settings

from .conftest import TOKEN, stored_jobs
from .emulator import BotApiEmulator

DAY = 86_400


def stored_update(storage: Storage, update_id: int) -> None:
    storage.record_update(update_id, json.dumps({"update_id": update_id}))
    storage.mark_update_done(update_id)


def test_bot_refuses_to_start_on_a_file_that_is_not_a_database(fresh_api: BotApiEmulator, tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    db.write_bytes(b"this was overwritten by something else entirely\n" * 200)
    config = tmp_path / "bot.toml"
    config.write_text(f'[storage]\npath = "{db}"\n')
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_CONFIG": str(config),
           "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-m", "bot", "--base-url", fresh_api.base_url], cwd=PROJECT_ROOT,
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    assert f"cannot use the database {db}: file is not a database" in lines[0]
    assert db.read_bytes().startswith(b"this was overwritten")  # left as it was, for the operator


def test_damaged_database_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    storage = Storage(db)
    for n in range(300):
        storage.record_update(n, json.dumps({"update_id": n, "text": "x" * 500}))
    storage.close()
    data = bytearray(db.read_bytes())
    page = 4096
    data[2 * page: 4 * page] = b"\xa5" * (2 * page)  # two pages of the tables overwritten
    db.write_bytes(bytes(data))
    with pytest.raises(StorageError, match="cannot use the database"):
        Storage(db)


def test_database_deleted_while_running_and_before_the_next_start(tmp_path: Path,
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    db = tmp_path / "var" / "bot.sqlite3"
    storage = Storage(db)
    stored_update(storage, 1)
    assert storage.check_file()
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]

    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)
    with caplog.at_level(logging.ERROR, logger="bot.storage"):
        stored_update(storage, 2)  # the next update notices
        stored_update(storage, 3)
    problems = [r.getMessage() for r in caplog.records if "deleted or replaced while the bot runs" in r.getMessage()]
    assert len(problems) == 1  # said once, clearly
    assert not storage.check_file()
    storage.close()

    caplog.clear()
    with caplog.at_level(logging.ERROR, logger="bot.storage"):
        restarted = Storage(db)  # the next start: an empty file again, and it says so
    (missing,) = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert f"the database {db} is missing, but a previous run created it" in missing
    assert not restarted.update_done(1)
    restarted.close()

    caplog.clear()
    Storage(db).close()  # the file is there now: nothing to report
    assert not caplog.records


def test_a_new_database_is_created_silently(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="bot.storage"):
        Storage(tmp_path / "first.sqlite3").close()
    assert not caplog.records
    assert (tmp_path / "first.sqlite3.created").exists()


def test_finished_updates_and_jobs_are_deleted_after_the_retention_time(tmp_path: Path) -> None:
    db = tmp_path / "bot.sqlite3"
    storage = Storage(db, retention_days=2)
    stored_update(storage, 1)
    storage.record_update(2, json.dumps({"update_id": 2}))  # not finished: kept whatever its age
    done, _ = storage.add_job(1, 0, 10, 5, {"text": "a pasted article"}, "normal")
    storage.mark_job_done(done.id)
    pending, _ = storage.add_job(2, 0, 10, 6, {"text": "another pasted article"}, "normal")
    now = time.time()
    storage.prune(now + 1 * DAY)
    assert storage.update_done(1) and len(stored_jobs(db)) == 2
    storage.prune(now + 3 * DAY)
    assert not storage.update_done(1)
    assert storage.unfinished_updates() == [json.dumps({"update_id": 2})]
    assert [j["id"] for j in stored_jobs(db)] == [pending.id]
    storage.close()


def test_retention_is_a_checked_setting() -> None:
    assert load_settings(env={}).storage.retention_days == 7
    assert load_settings(env={"BRIEFBOT_STORAGE_RETENTION_DAYS": "30"}).storage.retention_days == 30
    with pytest.raises(ValueError, match=r"\[storage\] retention_days .*must be at least 1"):
        load_settings(env={"BRIEFBOT_STORAGE_RETENTION_DAYS": "0"})


def test_older_database_gains_the_run_count(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    old = sqlite3.connect(db)
    old.executescript("""
        CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, update_id INTEGER NOT NULL, seq INTEGER NOT NULL,
            chat_id INTEGER NOT NULL, reply_to INTEGER, status_message_id INTEGER, source_json TEXT NOT NULL,
            length TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', parts_sent INTEGER NOT NULL DEFAULT 0,
            created REAL NOT NULL, UNIQUE (update_id, seq));
        INSERT INTO jobs (update_id, seq, chat_id, source_json, length, created)
            VALUES (7, 0, 10, '{"url": "http://news.test/a"}', 'normal', 0);
    """)
    old.close()
    storage = Storage(db)
    (job,) = storage.pending_jobs()
    assert job.unfinished_runs == 0
    storage.engine_run_started(job.id)
    assert storage.pending_job(job.id).unfinished_runs == 1
    storage.close()
