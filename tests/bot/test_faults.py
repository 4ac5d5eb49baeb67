"""Faults around the bot: Telegram throttling, failing and hanging; the network dropping a long
poll; the engine raising or hanging on one article; the database locked or full; the process
killed with several jobs queued and in flight. After each, every message is answered exactly
once, and the bot token never shows up in the log (captured at DEBUG, requests included).

The in-process bot here runs a stand-in engine (instant, or raising/hanging on purpose) so the
faults, not the models, decide the timing; the kill test runs the real bot and engine.
"""

from __future__ import annotations

import io
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.runtime import RedactSecrets, setup_logging
from summarizer.brief import Source
from summarizer.render import render_error_text
from summarizer.settings import Settings
from summarizer.types import Brief
from tests.http_server import held, serve

from . import articles
from .conftest import STATUS_TEXTS, TOKEN, RunningBot, answers, bot_settings, new_id, stored_jobs, wait_answers
from .emulator import BotApiEmulator
from .test_restart import PYTHON_M_BOT, BotProcess

NEWS = "http://news.test"  # the stand-in engine never fetches; the path says how it behaves
JOB_TIMEOUT_S = 8.0  # long enough that the quiet chats are surely answered first


class StandInEngine:
    """Briefs instantly; ``/boom`` raises, ``/hang`` blocks until released (or 120 s)."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.hanging = 0  # engine calls blocked right now
        self.lock = threading.Lock()

    def __call__(self, source: Source, settings: Settings, *, id: str | None = None,
                 length: str | None = None) -> Brief:
        url = source.url or ""
        if "/boom" in url:
            raise RuntimeError("the engine fell over")
        if "/hang" in url:
            with self.lock:
                self.hanging += 1
            self.release.wait(120)
            with self.lock:
                self.hanging -= 1
        path = url.removeprefix(NEWS)
        return Brief(id=id, title=f"News {path}", site="News Test", url=url, published=None, language="en",
                     text="", summary=[f"What happened at {path}, in one sentence."])


class LogCapture:
    """Everything logged during the module, formatted as run_bot's handler would print it."""

    def __init__(self) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
        self.handler.setLevel(logging.DEBUG)

    def text(self) -> str:
        return self.stream.getvalue()

    def wait_for(self, api: BotApiEmulator, fragment: str, what: str) -> None:
        api.wait_for(lambda: fragment in self.text(), 60, what)


@pytest.fixture(scope="module")
def log_capture(settings: Settings) -> Iterator[LogCapture]:
    """DEBUG logging for httpx and python-telegram-bot, through run_bot's redacting setup."""
    capture = LogCapture()
    root = logging.getLogger()
    levels = {name: logging.getLogger(name).level for name in ("", "httpx", "bot", "telegram")}
    root.addHandler(capture.handler)
    setup_logging(settings.replace(bot={"token": TOKEN}), "DEBUG")
    logging.getLogger("telegram").setLevel(logging.DEBUG)
    yield capture
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)
    for handler in root.handlers:
        for f in [f for f in handler.filters if isinstance(f, RedactSecrets)]:
            handler.removeFilter(f)
    root.removeHandler(capture.handler)


@pytest.fixture(scope="module")
def faulty_api() -> Iterator[BotApiEmulator]:
    emulator = BotApiEmulator(TOKEN).start()  # faults are injected here only
    yield emulator
    emulator.stop()


@pytest.fixture(scope="module")
def engine() -> Iterator[StandInEngine]:
    stand_in = StandInEngine()
    yield stand_in
    stand_in.release.set()


@pytest.fixture(scope="module")
def bot(faulty_api: BotApiEmulator, settings: Settings, engine: StandInEngine, log_capture: LogCapture,
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    db = tmp_path_factory.mktemp("faults") / "bot.sqlite3"
    config = bot_settings(settings, db, workers=2, user_rate=100, job_timeout_s=JOB_TIMEOUT_S)
    running = RunningBot(config, faulty_api, engine=engine).start()
    yield running
    engine.release.set()
    running.stop()


def send_link(api: BotApiEmulator, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """A new user sends a link in their private chat; returns (chat, message)."""
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, f"{NEWS}{path}")
    return chat, msg


def assert_answered_once(api: BotApiEmulator, chat: dict[str, Any], msg: dict[str, Any], text: str) -> None:
    """One reply, no status left over, and only one status message was ever sent."""
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert text in reply["text"], reply["text"]
    assert len(api.replies_to(chat["id"], msg["message_id"])) == 1
    statuses = [c for c in api.calls_of("sendMessage", chat["id"]) if c["ok"] and c["params"]["text"] in STATUS_TEXTS]
    assert len(statuses) <= 1


def ok_calls(api: BotApiEmulator, method: str, chat_id: int) -> list[dict[str, Any]]:
    return [c for c in api.calls_of(method, chat_id) if c["ok"]]


# -- Telegram misbehaves ---------------------------------------------------------------------
def test_429_retry_after_is_honoured(faulty_api: BotApiEmulator, bot: RunningBot) -> None:
    api = faulty_api
    api.inject_fault("sendMessage", "429", retry_after=2)
    api.inject_fault("editMessageText", "429", retry_after=1)
    chat, msg = send_link(api, "/throttled")
    assert_answered_once(api, chat, msg, "News /throttled")
    throttled = [f for f in api.faults_hit if f["kind"] == "429"]
    assert [f["method"] for f in throttled] == ["sendMessage", "editMessageText"]
    # Each call came back no sooner than Telegram asked (a lower bound: load only delays it).
    (status,) = ok_calls(api, "sendMessage", chat["id"])
    assert status["at"] >= throttled[0]["at"] + 2
    (edit,) = ok_calls(api, "editMessageText", chat["id"])
    assert edit["at"] >= throttled[1]["at"] + 1


def test_server_errors_and_timeouts_are_retried(faulty_api: BotApiEmulator, bot: RunningBot) -> None:
    api = faulty_api
    api.inject_fault("sendMessage", "500")
    api.inject_fault("editMessageText", "hang", hang_s=8)  # past the client's 5 s read timeout
    api.inject_fault("editMessageText", "502")
    chat, msg = send_link(api, "/flaky")
    assert_answered_once(api, chat, msg, "News /flaky")
    kinds = [(f["method"], f["kind"]) for f in api.faults_hit[-3:]]
    assert kinds == [("sendMessage", "500"), ("editMessageText", "hang"), ("editMessageText", "502")]


def test_network_drops_mid_poll(faulty_api: BotApiEmulator, bot: RunningBot) -> None:
    api = faulty_api
    before = len(api.faults_hit)
    api.inject_fault("getUpdates", "drop", times=2)
    api.inject_fault("getUpdates", "502")
    api.wait_for(lambda: len(api.faults_hit) >= before + 3, 60, "the polls to be cut")
    chat, msg = send_link(api, "/after-the-drop")
    assert_answered_once(api, chat, msg, "News /after-the-drop")


# -- the engine misbehaves ---------------------------------------------------------------------
def test_engine_raising_or_hanging_fails_alone(faulty_api: BotApiEmulator, bot: RunningBot,
                                               engine: StandInEngine) -> None:
    api = faulty_api
    hung_chat, hung = send_link(api, "/hang/1")
    api.wait_for(lambda: engine.hanging == 1, 30, "the engine to hang")
    # Meanwhile the other worker answers other chats, the one whose engine call raises included.
    boom_chat, boom = send_link(api, "/boom")
    quiet_chat, quiet = send_link(api, "/quiet")
    assert_answered_once(api, boom_chat, boom, render_error_text("engine_failed"))
    assert_answered_once(api, quiet_chat, quiet, "News /quiet")
    assert not answers(api, hung_chat["id"], hung["message_id"])  # still waiting for its engine
    assert_answered_once(api, hung_chat, hung, render_error_text("timeout"))  # after job_timeout_s

    # Both workers stuck on hung calls: after the time limit, fresh engine threads serve the rest.
    stuck = [send_link(api, f"/hang/{n}") for n in (2, 3)]
    api.wait_for(lambda: engine.hanging == 3, 30, "two more hung engine calls")
    later = [send_link(api, f"/later/{n}") for n in (1, 2)]
    for chat, msg in stuck:
        assert_answered_once(api, chat, msg, render_error_text("timeout"))
    for n, (chat, msg) in enumerate(later, 1):
        assert_answered_once(api, chat, msg, f"News /later/{n}")
    assert engine.hanging == 3  # none of them was let go: the answers did not need them


# -- the database misbehaves -------------------------------------------------------------------
def test_database_locked_by_another_process(faulty_api: BotApiEmulator, bot: RunningBot,
                                            log_capture: LogCapture) -> None:
    api = faulty_api
    other = sqlite3.connect(bot.settings.storage.path, timeout=30, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
    try:
        chat, msg = send_link(api, "/while-locked")
        log_capture.wait_for(api, "storage unavailable (database is locked)", "the lock to be logged")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert_answered_once(api, chat, msg, "News /while-locked")


def test_disk_full_for_a_moment(faulty_api: BotApiEmulator, bot: RunningBot, log_capture: LogCapture,
                                monkeypatch: pytest.MonkeyPatch) -> None:
    api = faulty_api
    storage = bot.app.bot_data["services"].storage
    full: set[str] = set()  # the storage calls that fail right now

    def failing(name: str, method: Any) -> Any:
        def call(*args: Any, **kwargs: Any) -> Any:
            if name in full:
                raise sqlite3.OperationalError("database or disk is full")
            return method(*args, **kwargs)
        return call

    writes = ("record_update", "add_job", "mark_job_done", "mark_update_done")
    for name in writes:
        monkeypatch.setattr(storage, name, failing(name, getattr(storage, name)))
    full.update(writes)
    chat, msg = send_link(api, "/disk-full")
    log_capture.wait_for(api, "storage unavailable (database or disk is full)", "the full disk to be logged")
    assert not api.replies_to(chat["id"], msg["message_id"])
    full.clear()
    assert_answered_once(api, chat, msg, "News /disk-full")

    # Full just as the answer is recorded: the job is tried again, and not answered twice.
    full.add("mark_job_done")
    chat, msg = send_link(api, "/full-at-the-end")
    log_capture.wait_for(api, "failed while answering (OperationalError: database or disk is full)",
                         "the failed job to be logged")
    full.clear()
    api.wait_for(lambda: stored_jobs(bot.settings.storage.path)[-1]["state"] == "done", 60, "the job to be done")
    assert_answered_once(api, chat, msg, "News /full-at-the-end")


# -- secrets ---------------------------------------------------------------------------------
def test_token_never_logged(faulty_api: BotApiEmulator, bot: RunningBot, log_capture: LogCapture) -> None:
    """Runs after the faults above: their errors, retries and tracebacks are in the log."""
    text = log_capture.text()
    assert "/getUpdates" in text and "Traceback" in text  # requests and errors were logged
    assert TOKEN not in text
    assert TOKEN.split(":")[1] not in text


# -- killed with work queued and in flight -----------------------------------------------------
@pytest.fixture
def held_site() -> Iterator[tuple[str, threading.Event]]:
    """Articles; ``/held`` answers only once the test lets it go."""
    release = threading.Event()
    council = articles.article_html("Council approves budget after long debate", articles.COUNCIL)
    harbour = articles.article_html("Port strike ends with new contract", articles.HARBOUR)

    html = {"Content-Type": "text/html; charset=utf-8"}
    routes: dict[str, Any] = {"/held": held(release, (200, html, council)), "/council": (200, html, council),
                              "/harbour": (200, html, harbour)}
    with serve(routes) as base:
        yield base, release
    release.set()


def test_killed_with_jobs_queued_and_in_flight(fresh_api: BotApiEmulator, held_site: tuple[str, threading.Event],
                                               tmp_path: Path) -> None:
    api = fresh_api
    base, release = held_site
    config, db = tmp_path / "bot.toml", tmp_path / "bot.sqlite3"
    config.write_text('[fetch]\nallow_addresses = ["127.0.0.1"]\n'
                      f'[storage]\npath = "{db}"\n'
                      "[bot]\nworkers = 1\nuser_rate = 50\n")
    log = tmp_path / "bot.log"
    # One job in flight (held), four queued behind it: two chats, one with two messages.
    paths = ["/held", "/harbour?n=1", "/council?n=2", "/harbour?n=3", "/council?n=4"]
    users = [api.user(new_id()), api.user(new_id())]
    sent = []
    for n, path in enumerate(paths):
        user = users[0] if n < 3 else users[1]
        chat = api.private_chat(user)
        update_id, msg = api.user_message(chat, user, base + path)
        sent.append((chat, msg, update_id))

    first = BotProcess(PYTHON_M_BOT, api, config, log)
    try:
        for chat, msg, _ in sent:  # every job accepted: its status message is out
            api.wait_for(lambda: api.replies_to(chat["id"], msg["message_id"]), 120, "the status messages")
        api.wait_for(lambda: api.confirmed_offset > sent[-1][2], 30, "the updates to be acknowledged")
        # …and remembered. (Killed between Telegram taking a status message and the bot storing
        # its id, a run would leave that status behind and the next run would send a new one.)
        api.wait_for(lambda: all(j["status_message_id"] for j in stored_jobs(db))
                     and len(stored_jobs(db)) == len(paths), 30, "the status messages to be stored")
    finally:
        first.kill()
    assert all(not answers(api, chat["id"], msg["message_id"]) for chat, msg, _ in sent)
    release.set()

    # The second run meets a throttled edit and a dropped poll too, and logs at DEBUG.
    api.inject_fault("editMessageText", "429", retry_after=1)
    api.inject_fault("getUpdates", "drop")
    second = BotProcess([*PYTHON_M_BOT, "--log-level", "DEBUG"], api, config, log)
    try:
        for chat, msg, _ in sent:
            wait_answers(api, chat["id"], msg["message_id"])
    finally:
        assert second.terminate() == 0
    for chat, msg, _ in sent:
        (reply,) = api.replies_to(chat["id"], msg["message_id"])  # exactly once
        assert reply["html"].startswith("<b>"), reply["html"][:100]
        assert reply["edited"] >= 1  # the first run's status message became the answer
    statuses = [c for c in api.calls_of("sendMessage") if c["ok"] and c["params"]["text"] in STATUS_TEXTS]
    assert len(statuses) == len(paths)  # none sent again by the second run
    output = log.read_text()
    assert output.count("resuming job") == len(paths)
    assert "/getUpdates" in output  # DEBUG request lines were written…
    assert TOKEN not in output and TOKEN.split(":")[1] not in output  # …with the token blanked
