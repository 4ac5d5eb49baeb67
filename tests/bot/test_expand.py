"""End to end: the "More" and "Less" buttons under a brief, against the Bot API emulator.

The real bot with a stand-in engine that briefs instantly: a brief with more speakers and
statements than the compact layout shows, so that "More" has something to add (past
Telegram's limit: the full brief continues in a second message).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Iterator

import pytest

from bot import texts
from summarizer.brief import Source
from summarizer.render import COMPACT, FULL, render_telegram_html, split_message
from summarizer.settings import Settings
from summarizer.types import Brief, Quote, Speaker

from .conftest import RunningBot, bot_settings, new_id, wait_answers
from .emulator import BotApiEmulator

NEWS = "http://news.test/budget"


def long_brief(url: str | None = NEWS, id: str | None = None) -> Brief:
    speakers = [
        Speaker(f"Speaker Number{i}", "councillor", [
            Quote(f"statement {j} of speaker {i}: " + "the budget will change how the city pays for schools " * 4,
                  j % 2 == 0, "said", 1000 * i + 100 * j, 1000 * i + 100 * j + 90, informativeness=float(j))
            for j in range(5)], salience=10.0 - i)
        for i in range(8)
    ]
    return Brief(id=id, title="Council approves the budget", site="News Test", url=url, published="2024-03-06",
                 language="en", text="", summary=["The council approved the budget on Tuesday.",
                                                  "It takes effect in May.", "Schools get more."],
                 speakers=speakers)


def stand_in_engine(source: Source, settings: Settings, *, id: str | None = None, length: str | None = None) -> Brief:
    return long_brief(source.url, id)


@pytest.fixture(scope="module")
def bot(api: BotApiEmulator, settings: Settings, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    db = tmp_path_factory.mktemp("expand") / "bot.sqlite3"
    running = RunningBot(bot_settings(settings, db, user_rate=100), api, engine=stand_in_engine).start()
    yield running
    running.stop()


def buttons(message: dict[str, Any]) -> list[tuple[str, str]]:
    rows = (message.get("reply_markup") or {}).get("inline_keyboard") or []
    return [(b["text"], b["callback_data"]) for row in rows for b in row]


def tap(api: BotApiEmulator, chat: dict[str, Any], user: dict[str, Any], message: dict[str, Any],
        data: str) -> dict[str, Any]:
    """Press a button (or send any callback data for the message); the bot's answer to the press."""
    return api.press_and_answer(chat, user, message["message_id"], data)


def current(api: BotApiEmulator, chat: dict[str, Any], message: dict[str, Any]) -> dict[str, Any]:
    return api.messages[(chat["id"], message["message_id"])]


def ask(api: BotApiEmulator, chat: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    _, msg = api.user_message(chat, user, f"/brief {NEWS}")
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    return reply


COMPACT_HTML = render_telegram_html(long_brief(), COMPACT)
FULL_PARTS = split_message(render_telegram_html(long_brief(), FULL))


def test_more_expands_and_less_returns(api: BotApiEmulator, bot: RunningBot) -> None:
    assert len(FULL_PARTS) >= 2  # the full brief of the stand-in is longer than one message
    user = api.user(new_id(), "Ann")
    chat = api.private_chat(user)
    brief = ask(api, chat, user)
    assert brief["html"] == COMPACT_HTML
    (label, more), = buttons(brief)
    assert label == texts.EN.more and len(more.encode()) <= 64

    answer = tap(api, chat, user, brief, more)
    assert not answer.get("text")  # a plain acknowledgement, the message itself changes
    expanded = api.wait_for(lambda: current(api, chat, brief)["html"] == FULL_PARTS[0] and current(api, chat, brief),
                            30, "the full brief")
    (label, less), = buttons(expanded)
    assert label == texts.EN.less
    continuation = api.wait_for(
        lambda: (rest := [m for m in api.bot_messages(chat["id"]) if m["html"] in FULL_PARTS[1:]])
        and len(rest) == len(FULL_PARTS) - 1 and rest, 30, "the rest of the full brief")
    assert [m["html"] for m in continuation] == FULL_PARTS[1:]
    assert all(m["reply_to_message_id"] == brief["message_id"] for m in continuation)

    tap(api, chat, user, expanded, less)
    back = api.wait_for(lambda: current(api, chat, brief)["html"] == COMPACT_HTML and current(api, chat, brief),
                        30, "the compact brief again")
    assert buttons(back) == [(texts.EN.more, more)]
    api.wait_for(lambda: not [m for m in api.bot_messages(chat["id"]) if m["html"] in FULL_PARTS[1:]],
                 30, "the continuation to be deleted")


def test_another_group_member_taps(api: BotApiEmulator, bot: RunningBot) -> None:
    group = api.group_chat(-new_id())
    asker, other = api.user(new_id(), "Asker"), api.user(new_id(), "Other")
    brief = ask(api, group, asker)
    (_, more), = buttons(brief)
    tap(api, group, other, brief, more)
    api.wait_for(lambda: current(api, group, brief)["html"] == FULL_PARTS[0], 30, "the full brief in the group")


def test_forged_callbacks_get_a_polite_answer_and_change_nothing(api: BotApiEmulator, bot: RunningBot) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    brief = ask(api, chat, user)
    (_, more), = buttons(brief)
    other_user = api.user(new_id())
    other_chat = api.private_chat(other_user)
    others = ask(api, other_chat, other_user)
    forged = [
        "brief:more:" + "A" * 16,  # a token nobody was given
        "brief:more:../../etc",  # not a token at all
        "brief:explode:" + more.rsplit(":", 1)[1],  # an unknown action
        buttons(others)[0][1],  # another chat's brief
        "x" * 64,
    ]
    for data in forged:
        answer = tap(api, chat, user, brief, data)
        assert answer["text"] == texts.EN.button_not_valid, data
    # the same token arriving from another chat's message is refused too
    answer = tap(api, other_chat, other_user, others, more)
    assert answer["text"] == texts.EN.button_not_valid
    assert current(api, chat, brief)["html"] == COMPACT_HTML
    assert current(api, other_chat, others)["html"] == COMPACT_HTML
    assert not api.calls_of("editMessageText", chat["id"])[1:]  # only the status message became the brief


def test_an_expired_brief_says_so(api: BotApiEmulator, bot: RunningBot) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    brief = ask(api, chat, user)
    (_, more), = buttons(brief)
    bot.storage.db.execute("UPDATE sent_briefs SET expires = 0 WHERE token = ?", (more.rsplit(":", 1)[1],))
    answer = tap(api, chat, user, brief, more)
    assert answer["text"] == texts.EN.brief_expired and answer.get("show_alert")
    assert current(api, chat, brief)["html"] == COMPACT_HTML


def test_more_works_after_a_restart(fresh_api: BotApiEmulator, settings: Settings, tmp_path: Path) -> None:
    api = fresh_api  # an emulator of its own: the module's bot polls the shared one
    config = bot_settings(settings, tmp_path / "bot.sqlite3", user_rate=100)
    user = api.user(new_id())
    chat = api.private_chat(user)
    first = RunningBot(config, api, engine=stand_in_engine).start()
    try:
        brief = ask(api, chat, user)
    finally:
        first.stop()
    (_, more), = buttons(brief)
    second = RunningBot(config, api, engine=stand_in_engine).start()
    try:
        tap(api, chat, user, brief, more)
        api.wait_for(lambda: current(api, chat, brief)["html"] == FULL_PARTS[0], 30, "the full brief after a restart")
    finally:
        second.stop()
