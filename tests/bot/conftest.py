"""Fixtures for the end-to-end bot tests: a Bot API emulator, an article server, the bot.

The bot under test is the real one (python-telegram-bot, real HTTP) built by
``bot.app.build_application``; it runs in a thread of this process and is shared by
the scenarios of a module, each scenario using its own users and chats.
"""

from __future__ import annotations

import itertools
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

from bot import texts
from bot.app import build_application
from bot.app import serve as serve_bot
from bot.webhook import request_stop
from bot.storage import Storage
from summarizer.settings import Settings
from tests.http_server import held, serve

from . import articles
from .emulator import BotApiEmulator

STATUS_TEXTS = tuple(text for words in texts.TEXTS.values() for text in (words.reading_article, words.reading_text))
TOKEN = "123456789:AAE-test_secret-Token_xyz"
_ids = itertools.count(5001)


def new_id() -> int:
    """A user or chat id no other scenario uses (rate limits and settings are per id)."""
    return next(_ids)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class ArticleSite:
    base_url: str
    routes: dict[str, Any]
    hits: list[str]
    release_slow: threading.Event = field(default_factory=threading.Event)
    release_sleepy: threading.Event = field(default_factory=threading.Event)
    dead_url: str = ""

    def url(self, path: str) -> str:
        return self.base_url + path

    def hit_count(self, path: str) -> int:
        return sum(1 for h in list(self.hits) if h.split("?")[0] == path)


def _html(body: bytes) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "text/html; charset=utf-8"}, body


@pytest.fixture(scope="session")
def site() -> Iterator[ArticleSite]:
    routes: dict[str, Any] = {
        "/council": _html(articles.article_html("Council approves budget after long debate", articles.COUNCIL)),
        "/council-2": _html(articles.article_html("Council approves budget after long debate", articles.COUNCIL)),
        "/harbour": _html(articles.article_html("Port strike ends with new contract", articles.HARBOUR)),
        "/transport": _html(articles.article_html("Parliament debates transport reform",
                                                  articles.long_quotes_article())),
        "/shop": _html(articles.not_an_article_html()),
        "/photo.png": (200, {"Content-Type": "image/png"}, b"\x89PNG\r\n\x1a\n" + bytes(64)),
    }
    hits: list[str] = []
    with serve(routes, hits=hits) as base_url:
        site = ArticleSite(base_url, routes, hits, dead_url=f"http://127.0.0.1:{free_port()}/gone")

        # Pages that wait for the test to let them go: the kill test kills the bot meanwhile; the limits
        # test lets "/sleepy" go after its job timed out.
        routes["/slow"] = held(site.release_slow, routes["/council"], 120)
        routes["/sleepy"] = held(site.release_sleepy, routes["/council"], 60)
        yield site


@pytest.fixture(scope="session")
def api() -> Iterator[BotApiEmulator]:
    emulator = BotApiEmulator(TOKEN).start()
    yield emulator
    emulator.stop()


@pytest.fixture
def fresh_api() -> Iterator[BotApiEmulator]:
    """An emulator of its own, for a test that runs its own bot."""
    emulator = BotApiEmulator(TOKEN).start()
    yield emulator
    emulator.stop()


def bot_settings(base: Settings, db_path: Path, **bot: Any) -> Settings:
    return base.replace(
        bot={"token": TOKEN, "workers": 2, "user_rate": 4, "chat_rate": 100, "job_timeout_s": 60.0, **bot},
        storage={"path": str(db_path)},
    )


class RunningBot:
    """The real bot in a thread of the test process, polling the emulator."""

    def __init__(self, settings: Settings, api: BotApiEmulator, engine: Callable[..., Any] | None = None):
        self.settings = settings
        self.api = api
        self.app = build_application(settings, api.base_url, engine=engine)
        self.storage = Storage(settings.storage.path)  # a second connection, for the tests to read
        # The same serve() as run_bot; signal handlers only work in the main thread.
        self.thread = threading.Thread(target=serve_bot, args=(self.app, settings), kwargs={"stop_signals": None},
                                       name="bot-under-test", daemon=True)

    def start(self) -> "RunningBot":
        self.thread.start()
        self.api.wait_for(lambda: ("loop" in self.app.bot_data and self.app.running) or not self.thread.is_alive(),
                          180, "the bot to start (models load first)")
        assert self.thread.is_alive(), "the bot stopped while starting"
        return self

    def stop(self) -> None:
        """Stop gracefully, as a signal would."""
        if not request_stop(self.app):
            self.app.bot_data["loop"].call_soon_threadsafe(self.app.stop_running)
        self.thread.join(60)
        self.storage.close()

    def wait_handled(self, update_id: int, timeout: float = 60) -> None:
        """Wait until the bot finished handling an update (its handlers returned)."""
        deadline = time.monotonic() + timeout
        while not self.storage.update_done(update_id):
            if time.monotonic() > deadline:
                raise AssertionError(f"update {update_id} was not handled in {timeout}s")
            time.sleep(0.05)


def stored_jobs(db_path: str | Path) -> list[dict[str, Any]]:
    """Every stored job as a dict, oldest first (read with a connection of its own)."""
    with closing(sqlite3.connect(str(db_path))) as db:
        db.row_factory = sqlite3.Row
        return [dict(row) for row in db.execute("SELECT * FROM jobs ORDER BY id")]


def answers(api: BotApiEmulator, chat_id: int, message_id: int) -> list[dict[str, Any]]:
    """The bot's replies to a message once none of them is a progress status any more."""
    replies = api.replies_to(chat_id, message_id)
    if replies and not any(m["text"] in STATUS_TEXTS for m in replies):
        return replies
    return []


def wait_answers(api: BotApiEmulator, chat_id: int, message_id: int, count: int = 1) -> list[dict[str, Any]]:
    return api.wait_for(lambda: len(answers(api, chat_id, message_id)) >= count and answers(api, chat_id, message_id),
                        90, f"the answer to message {message_id} in chat {chat_id}")


def assert_brief(message: dict[str, Any], title: str) -> None:
    assert message["html"].startswith(f"<b>{title}</b>"), message["html"][:200]
    assert "<b>Summary:</b>" in message["html"]
