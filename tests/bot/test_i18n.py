"""The bot speaks its reader's language: the tables are complete, the choice follows Telegram's
``language_code`` in private chats and the group's setting in groups (end to end against the emulator)."""

from __future__ import annotations

import re
import sqlite3
import string
from dataclasses import fields
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot import texts
from bot.storage import ChatSettings, Storage
from summarizer.errors import ERROR_CODES
from summarizer.render import render_error_text

from .conftest import RunningBot, bot_settings, new_id, stored_jobs, wait_answers
from .emulator import BotApiEmulator
from .test_scenarios import open_settings, press

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def tags(text: str) -> list[str]:
    return sorted(re.findall(r"</?[a-z]+>", text))


# -- the tables --------------------------------------------------------------------------------
def flat(words: texts.Texts) -> dict[str, str]:
    """Every text of a language by key, the pairs (lengths, commands) by ``key.name``."""
    out: dict[str, str] = {}
    for f in fields(texts.Texts):
        value = getattr(words, f.name)
        if isinstance(value, tuple):
            out.update({f"{f.name}.{name}": label for name, label in value})
        else:
            out[f.name] = value
    return out


def test_every_text_exists_in_every_language_with_the_same_placeholders_and_markup() -> None:
    english = flat(texts.EN)
    assert set(texts.TEXTS) == {"en", "ru"}
    for language, words in texts.TEXTS.items():
        table = flat(words)
        assert table.keys() == english.keys(), language  # also the same lengths and commands, in order
        for key, text in table.items():
            assert text.strip(), (language, key)
            assert placeholders(text) == placeholders(english[key]), (language, key)
            assert tags(text) == tags(english[key]), (language, key)
    assert [name for name, _ in texts.RU.commands] == [name for name, _ in texts.EN.commands]
    assert all(CYRILLIC.search(text) for text in flat(texts.RU).values())  # nothing left untranslated


def test_every_error_sentence_is_translated() -> None:
    for code, error in ERROR_CODES.items():
        assert set(error.translations) == set(texts.TEXTS) - {"en"}, code
        for language, sentence in error.translations.items():
            assert CYRILLIC.search(sentence), (code, sentence)
            assert placeholders(sentence) == placeholders(error.friendly), code
            assert render_error_text(code, language=language) == sentence
        assert render_error_text(code) == render_error_text(code, language="de") == error.friendly


def test_the_engine_message_is_shown_only_to_english_readers() -> None:
    message = "This article looks German; I can brief English and Russian articles so far."
    assert render_error_text("unsupported_language", message, "en") == message
    russian = ERROR_CODES["unsupported_language"].translations["ru"]
    assert render_error_text("unsupported_language", message, "ru") == russian


@pytest.mark.parametrize("code, language", [
    ("ru", "ru"), ("ru-RU", "ru"), ("RU", "ru"), ("en", "en"), ("en-GB", "en"), ("de", "en"), ("uk", "en"),
    ("", "en"), (None, "en"), ("rus", "en"),
])
def test_language_of_telegram_language_code(code: str | None, language: str) -> None:
    assert texts.language_of(code) == language


def test_older_database_gains_the_language_columns(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite3"
    old = sqlite3.connect(db)
    old.executescript("""
        CREATE TABLE chat_settings (chat_id INTEGER PRIMARY KEY, length TEXT, auto INTEGER);
        INSERT INTO chat_settings VALUES (-5, 'short', 1);
        CREATE TABLE jobs (id INTEGER PRIMARY KEY AUTOINCREMENT, update_id INTEGER NOT NULL, seq INTEGER NOT NULL,
            chat_id INTEGER NOT NULL, reply_to INTEGER, status_message_id INTEGER, source_json TEXT NOT NULL,
            length TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', parts_sent INTEGER NOT NULL DEFAULT 0,
            unfinished_runs INTEGER NOT NULL DEFAULT 0, created REAL NOT NULL, UNIQUE (update_id, seq));
        INSERT INTO jobs (update_id, seq, chat_id, source_json, length, created)
            VALUES (7, 0, -5, '{"url": "http://news.test/a"}', 'normal', 0);
    """)
    old.close()
    storage = Storage(db)
    assert storage.chat_settings(-5, "normal") == ChatSettings("short", True, "en")
    (job,) = storage.pending_jobs()
    assert job.language == "en"  # a job accepted before the upgrade answers in English, as it would have
    storage.save_chat_settings(-5, ChatSettings("short", True, "ru"))
    new_job, _ = storage.add_job(8, 0, -5, None, {"url": "http://news.test/b"}, "normal", "ru")
    storage.close()
    reopened = Storage(db)
    assert reopened.chat_settings(-5, "normal").language == "ru"
    assert reopened.pending_job(new_job.id).language == "ru"
    reopened.close()


# -- end to end ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def bot(api: BotApiEmulator, settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    db = tmp_path_factory.mktemp("i18n") / "bot.sqlite3"
    running = RunningBot(bot_settings(settings, db, isolate_engine=False), api).start()  # the real engine
    yield running
    running.stop()


def first_reply(api: BotApiEmulator, chat: dict[str, Any], msg: dict[str, Any]) -> dict[str, Any]:
    (reply,) = api.wait_for(lambda: api.replies_to(chat["id"], msg["message_id"]), 30, "the reply")
    return reply


def test_command_menus_in_each_language(api: BotApiEmulator, bot: RunningBot) -> None:
    assert [c["description"] for c in api.commands_by_language["ru"]] == [about for _, about in texts.RU.commands]
    assert [c["description"] for c in api.commands] == [about for _, about in texts.EN.commands]


@pytest.mark.parametrize("language_code, language", [("ru", "ru"), ("ru-RU", "ru"), ("en", "en"), (None, "en")])
def test_private_chat_follows_the_users_telegram_language(api: BotApiEmulator, bot: RunningBot, site: Any,
                                                          language_code: str | None, language: str) -> None:
    user = api.user(new_id(), "Reader", language_code=language_code)
    chat = api.private_chat(user)
    _, ask = api.user_message(chat, user, "/help")
    assert first_reply(api, chat, ask)["html"] == texts.TEXTS[language].help

    _, short = api.user_message(chat, user, "hello, what can you do?")
    assert first_reply(api, chat, short)["text"] == texts.TEXTS[language].short_text_hint

    _, msg = api.user_message(chat, user, site.dead_url)
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert reply["text"] == render_error_text("fetch_failed", language=language)
    assert api.calls_of("sendMessage", chat["id"])[-1]["params"]["text"] == texts.TEXTS[language].reading_article
    if language == "ru":
        assert CYRILLIC.search(reply["text"])


def test_group_switched_to_russian_by_an_admin(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    group = api.group_chat(-new_id())
    admin = api.user(new_id(), "Admin", language_code="en")
    member = api.user(new_id(), "Member", language_code="en")  # the group's setting wins over a member's app
    api.set_member(group, admin, "administrator")
    panel = open_settings(api, group, admin)
    assert "Language: English" in panel["text"]
    answer = press(api, group, admin, panel, "set:lang:ru")
    assert answer["text"] == texts.RU.saved and not answer.get("show_alert")
    api.wait_for(lambda: "Язык: Русский" in api.messages[(group["id"], panel["message_id"])]["text"],
                 30, "the panel in Russian")
    edited = api.messages[(group["id"], panel["message_id"])]
    assert texts.RU.settings_length.format(length=texts.RU.length_name("normal")) in edited["text"]
    assert "✓ Русский" in [b["text"] for row in edited["reply_markup"]["inline_keyboard"] for b in row]
    assert bot.storage.chat_settings(group["id"], "normal").language == "ru"

    update_id, msg = api.user_message(group, member, f"/brief {site.dead_url}")
    (reply,) = wait_answers(api, group["id"], msg["message_id"])
    assert reply["text"] == render_error_text("fetch_failed", language="ru")
    assert api.calls_of("sendMessage", group["id"])[-1]["params"]["text"] == texts.RU.reading_article  # progress
    jobs = stored_jobs(bot.settings.storage.path)
    assert [job["language"] for job in jobs if job["update_id"] == update_id] == ["ru"]

    _, usage = api.user_message(group, member, "/brief")
    assert first_reply(api, group, usage)["text"] == re.sub("<[^>]+>", "", texts.RU.brief_usage)


def test_non_admin_cannot_switch_the_group_language(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    group = api.group_chat(-new_id())
    admin = api.user(new_id(), "Admin")
    member = api.user(new_id(), "Member", language_code="ru")
    api.set_member(group, admin, "administrator")
    panel = open_settings(api, group, member)  # anyone may look, in the group's language
    assert "Language: English" in panel["text"]
    answer = press(api, group, member, panel, "set:lang:ru")
    assert answer["show_alert"] is True
    assert answer["text"] == texts.EN.admins_only
    assert bot.storage.chat_settings(group["id"], "normal").language == "en"
    assert api.messages[(group["id"], panel["message_id"])].get("edited") is None

    _, msg = api.user_message(group, member, f"/brief {site.dead_url}")
    (reply,) = wait_answers(api, group["id"], msg["message_id"])
    assert reply["text"] == render_error_text("fetch_failed", language="en")
