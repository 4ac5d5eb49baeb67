"""The engine in child processes: a hostile brief never holds up the bot, is killed, answered
once with the friendly error and never run again; a job that took the bot down twice is quarantined.

The bot is the real one against the emulator, in a process of its own (``hostile_bot``: a brief
that holds the GIL would freeze the test's own clock too); its engine processes run
``hostile_engine`` (the real ``make_brief``, except for inputs that spin or explode on purpose).
"""

from __future__ import annotations

import statistics
import sys
import threading
import time
from pathlib import Path
from typing import Any

from bot import texts
from bot.storage import Storage
from summarizer.brief import Source
from summarizer.render import render_error_text
from summarizer.settings import Settings, load_settings
from summarizer.types import Brief

from . import articles
from .conftest import RunningBot, bot_settings, new_id, stored_jobs, wait_answers
from .emulator import BotApiEmulator
from .test_restart import BotProcess

HOSTILE_BOT = [sys.executable, "-m", "tests.bot.hostile_bot"]
JOB_TIMEOUT_S = 20.0  # the spinning brief is killed after this; /help is measured well before
MEMORY_MB = 300
HELP_TRIES = 5


def article_with(marker: str) -> str:
    """Pasted text the bot treats as an article, carrying the hostile engine's instruction."""
    return f"{articles.pasted_text()}\n\n{marker}"


class RecordingEngine:
    """In-process stand-in after the restart: records what it is asked to brief."""

    def __init__(self, on_call: Any = None) -> None:
        self.calls: list[str] = []
        self.on_call = on_call
        self.lock = threading.Lock()

    def __call__(self, source: Source, settings: Settings, *, id: str | None = None,
                 length: str | None = None) -> Brief:
        with self.lock:
            self.calls.append(source.url or source.text or "")
        if self.on_call:
            self.on_call(id)
        return Brief(id=id, title="Stand-in brief", site="News Test", url=source.url, published=None,
                     language="en", text="", summary=["What happened, in one sentence."])


def jobs_done(api: BotApiEmulator, db: Path) -> list[dict[str, Any]]:
    """The stored jobs once all are done (marked just after the answer is sent)."""
    return api.wait_for(lambda: all(j["state"] == "done" for j in stored_jobs(db)) and stored_jobs(db),
                        30, "the jobs to be marked done")


def help_latency(api: BotApiEmulator) -> float:
    """Seconds from a /help sent in a new chat to the bot's call that answers it."""
    user = api.user(new_id())
    chat = api.private_chat(user)
    sent_at = time.monotonic()
    api.user_message(chat, user, "/help")
    (call,) = api.wait_for(lambda: [c for c in api.calls_of("sendMessage", chat["id"]) if c["ok"]], 30, "/help")
    return call["at"] - sent_at


def test_hostile_briefs_are_killed_and_never_hold_up_help(fresh_api: BotApiEmulator, tmp_path: Path) -> None:
    api = fresh_api
    db, log = tmp_path / "bot.sqlite3", tmp_path / "bot.log"
    config = tmp_path / "bot.toml"
    config.write_text(f'[storage]\npath = "{db}"\n'
                      f"[bot]\nworkers = 2\njob_timeout_s = {JOB_TIMEOUT_S}\nengine_memory_mb = {MEMORY_MB}\n")
    spinning, exploding = tmp_path / "spinning", tmp_path / "exploding"
    bot = BotProcess(HOSTILE_BOT, api, config, log)
    try:
        api.wait_for(lambda: api.commands, 180, "the bot to start (engine processes load the models)")
        baseline = [help_latency(api) for _ in range(HELP_TRIES)]
        user = api.user(new_id())
        spin_chat = api.private_chat(user)
        _, spin = api.user_message(spin_chat, user, article_with(f"SPIN {spinning}"))
        other = api.user(new_id())
        explode_chat = api.private_chat(other)
        _, explode = api.user_message(explode_chat, other, article_with(f"EXPLODE {exploding}"))
        api.wait_for(lambda: spinning.exists(), 60, "the engine to spin")

        # While an engine process spins in a regex: /help from other chats, answered within a second.
        latencies = [help_latency(api) for _ in range(HELP_TRIES)]
        assert [m["text"] for m in api.replies_to(spin_chat["id"], spin["message_id"])] == [texts.EN.reading_text]
        assert statistics.median(latencies) < 1.0, (latencies, baseline)
        print(f"/help: median {statistics.median(baseline):.3f}s idle, {statistics.median(latencies):.3f}s "
              f"(max {max(latencies):.3f}s) while a brief spins")

        # The exploding brief hits its memory limit; the spinning one its time limit.
        api.wait_for(lambda: exploding.exists(), 60, "the engine to allocate")
        (exploded,) = wait_answers(api, explode_chat["id"], explode["message_id"])
        assert exploded["text"] == render_error_text("engine_failed")
        (spun,) = wait_answers(api, spin_chat["id"], spin["message_id"])
        assert spun["text"] == render_error_text("timeout")
        assert [j["unfinished_runs"] for j in jobs_done(api, db)] == [0, 0]
        # Both engine processes ended (killed, or left after the failure) and fresh ones replaced them.
        api.wait_for(lambda: log.read_text().count(") ready") == 4, 180, "the engine processes to be replaced")
    finally:
        assert bot.terminate() == 0
    assert "ran past" in log.read_text()

    # After a restart neither is run again nor answered again.
    engine = RecordingEngine()
    restarted = RunningBot(bot_settings(load_settings(env={}, config_path=config), db, isolate_engine=False), api,
                           engine=engine).start()
    try:
        user = api.user(new_id())
        chat = api.private_chat(user)
        _, msg = api.user_message(chat, user, "http://news.test/after-restart")
        wait_answers(api, chat["id"], msg["message_id"])  # jobs go round-robin: a resumed one would run first
        assert engine.calls == ["http://news.test/after-restart"]
        assert len(api.replies_to(spin_chat["id"], spin["message_id"])) == 1
        assert len(api.replies_to(explode_chat["id"], explode["message_id"])) == 1
    finally:
        restarted.stop()


def test_job_that_took_the_bot_down_twice_is_quarantined(fresh_api: BotApiEmulator, settings: Settings,
                                                         tmp_path: Path) -> None:
    api = fresh_api
    db = tmp_path / "bot.sqlite3"
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, poisoned = api.user_message(chat, user, "http://news.test/poisoned", deliver=False)
    _, once = api.user_message(chat, user, "http://news.test/died-once", deliver=False)
    storage = Storage(db)  # what two earlier runs left: each died with the engine on the job
    job, _ = storage.add_job(900, 0, chat["id"], poisoned["message_id"], {"url": "http://news.test/poisoned"},
                             "normal")
    storage.engine_run_started(job.id)
    storage.engine_run_started(job.id)
    job, _ = storage.add_job(901, 0, chat["id"], once["message_id"], {"url": "http://news.test/died-once"},
                             "normal")
    storage.engine_run_started(job.id)
    storage.close()

    runs_seen: list[int] = []  # the stored count while the engine works on the job
    engine = RecordingEngine(on_call=lambda id: runs_seen.append(
        next(j["unfinished_runs"] for j in stored_jobs(db) if f"job-{j['id']}" == id)))
    bot = RunningBot(bot_settings(settings, db, isolate_engine=False), api, engine=engine).start()
    try:
        (quarantined,) = wait_answers(api, chat["id"], poisoned["message_id"])
        assert quarantined["text"] == render_error_text("engine_failed")
        (resumed,) = wait_answers(api, chat["id"], once["message_id"])
        assert resumed["text"].startswith("Stand-in brief")
        assert engine.calls == ["http://news.test/died-once"]  # the quarantined job never ran
        assert runs_seen == [2]  # counted in storage before the engine started
        assert [j["unfinished_runs"] for j in jobs_done(api, db)] == [2, 0]
        assert bot.storage.cached_brief("normal http://news.test/poisoned") is None
    finally:
        bot.stop()
