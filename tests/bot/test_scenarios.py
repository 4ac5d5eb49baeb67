"""End to end: the real bot (python-telegram-bot over real HTTP) against the Bot API emulator,
with articles served from 127.0.0.1. One bot is shared by the scenarios of this module;
each scenario has its own users and chats."""

from __future__ import annotations

import logging
from typing import Any, Iterator

import pytest

from bot import texts
from summarizer.render import render_error_text

from . import articles
from .conftest import RunningBot, assert_brief, bot_settings, new_id, stored_jobs, wait_answers
from .emulator import BotApiEmulator

@pytest.fixture(scope="module")
def bot(api: BotApiEmulator, settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    db = tmp_path_factory.mktemp("bot") / "bot.sqlite3"
    running = RunningBot(bot_settings(settings, db), api).start()  # the real engine
    yield running
    running.stop()


# -- private chats --------------------------------------------------------------------------
def test_private_chat_link(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id(), "Ann")
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, f"Please read {site.url('/council')}")
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert_brief(reply, "Council approves budget after long debate")
    assert reply["edited"] >= 1  # the "Reading the article…" status became the brief
    assert "Who said what" in reply["text"]
    assert "Keller" in reply["text"]
    sends = api.calls_of("sendMessage", chat["id"])
    assert sends[0]["params"]["text"] == texts.EN.reading_article
    assert all(c["params"]["parse_mode"] == "HTML" for c in sends + api.calls_of("editMessageText", chat["id"]))
    assert all(c["params"]["link_preview_options"] == {"is_disabled": True}
               for c in api.calls_of("editMessageText", chat["id"]))
    assert any(c["params"]["action"] == "typing" for c in api.calls_of("sendChatAction", chat["id"]))
    assert [c["command"] for c in api.commands] == ["brief", "settings", "help", "start"]


def test_help_and_start(api: BotApiEmulator, bot: RunningBot) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    for command in ("/start", "/help"):
        _, msg = api.user_message(chat, user, command)
        reply = api.wait_for(lambda: [m for m in api.bot_messages(chat["id"])
                                      if m["message_id"] > msg["message_id"]], 30, command)
        assert "I brief news articles" in reply[0]["text"]
        assert "Example" in reply[0]["text"]


def test_pasted_text(api: BotApiEmulator, bot: RunningBot) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, articles.pasted_text())
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert "<b>Summary:</b>" in reply["html"]
    assert "Port" in reply["text"] or "port" in reply["text"]
    assert api.calls_of("sendMessage", chat["id"])[0]["params"]["text"] == texts.EN.reading_text

    _, short = api.user_message(chat, user, "hello there, what can you do?")
    (hint,) = api.wait_for(lambda: api.replies_to(chat["id"], short["message_id"]), 30, "the hint")
    assert hint["text"] == texts.EN.short_text_hint


def test_forwarded_channel_post_with_text_links(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    text = "⚓️ Port strike is over: workers won a new contract. Read more"
    link_offset = len(text.encode("utf-16-le")) // 2 - len("Read more")
    channel = {"id": -1009876543210, "type": "channel", "title": "Harbour News", "username": "harbournews"}
    _, msg = api.user_message(
        chat, user, text,
        entities=[{"type": "text_link", "offset": link_offset, "length": len("Read more"),
                   "url": site.url("/harbour")}],
        forward_origin={"type": "channel", "date": 1700000000, "chat": channel, "message_id": 42},
    )
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert_brief(reply, "Port strike ends with new contract")

    # A photo post forwarded from a user: the link is in the caption.
    _, photo = api.user_message(chat, user, f"Budget news {site.url('/council')}", caption=True,
                                forward_origin={"type": "hidden_user", "date": 1700000000,
                                                "sender_user_name": "Someone"})
    (reply,) = wait_answers(api, chat["id"], photo["message_id"])
    assert_brief(reply, "Council approves budget after long debate")


def test_brief_command_with_url(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, f"/brief {site.url('/harbour')}")
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert_brief(reply, "Port strike ends with new contract")


# -- groups -----------------------------------------------------------------------------------
def test_group_brief_as_reply(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    group = api.group_chat(-new_id())
    poster, asker = api.user(new_id(), "Poster"), api.user(new_id(), "Asker")
    # Privacy mode: the bot never sees the link itself, only the /brief that replies to it.
    _, post = api.user_message(group, poster, f"Look at this {site.url('/harbour')}", deliver=False)
    _, command = api.user_message(group, asker, "/brief@brief_test_bot", reply_to=post)
    (reply,) = wait_answers(api, group["id"], post["message_id"])
    assert_brief(reply, "Port strike ends with new contract")
    assert not api.replies_to(group["id"], command["message_id"])


def test_group_auto_mode_off(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    group = api.group_chat(-new_id())
    user = api.user(new_id())
    update_id, msg = api.user_message(group, user, f"Did you see {site.url('/harbour')} ?")
    bot.wait_handled(update_id)
    assert not api.bot_messages(group["id"])  # off by default: links alone are left alone

    _, mention = api.user_message(group, user, f"@brief_test_bot {site.url('/harbour')}")
    (reply,) = wait_answers(api, group["id"], mention["message_id"])
    assert_brief(reply, "Port strike ends with new contract")

    # A mention in reply to someone's link briefs that link, answering the message briefed.
    _, post = api.user_message(group, user, f"news {site.url('/council')}", deliver=False)
    _, ask = api.user_message(group, api.user(new_id()), "@brief_test_bot what is this?", reply_to=post)
    (reply,) = wait_answers(api, group["id"], post["message_id"])
    assert_brief(reply, "Council approves budget after long debate")
    assert not api.replies_to(group["id"], ask["message_id"])


def open_settings(api: BotApiEmulator, chat: dict[str, Any], user: dict[str, Any]) -> dict[str, Any]:
    _, msg = api.user_message(chat, user, "/settings")
    (panel,) = api.wait_for(lambda: api.replies_to(chat["id"], msg["message_id"]), 30, "the settings panel")
    assert panel["reply_markup"]["inline_keyboard"]
    return panel


def press(api: BotApiEmulator, chat: dict[str, Any], user: dict[str, Any], panel: dict[str, Any],
          data: str) -> dict[str, Any]:
    return api.press_and_answer(chat, user, panel["message_id"], data)


def test_group_auto_mode_on(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    group = api.group_chat(-new_id())
    admin, member = api.user(new_id(), "Admin"), api.user(new_id(), "Member")
    api.set_member(group, admin, "administrator")
    panel = open_settings(api, group, admin)
    answer = press(api, group, admin, panel, "set:auto:on")
    assert not answer.get("show_alert")
    _, msg = api.user_message(group, member, f"Did you see {site.url('/council')} ?")
    (reply,) = wait_answers(api, group["id"], msg["message_id"])
    assert_brief(reply, "Council approves budget after long debate")


def test_settings_by_admin(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    group = api.group_chat(-new_id())
    owner = api.user(new_id(), "Owner")
    api.set_member(group, owner, "creator")
    panel = open_settings(api, group, owner)
    assert "Summary length: normal" in panel["text"]
    press(api, group, owner, panel, "set:length:short")
    api.wait_for(lambda: "Summary length: short" in api.messages[(group["id"], panel["message_id"])]["text"],
                 30, "the panel to show the new length")
    keyboard = api.messages[(group["id"], panel["message_id"])]["reply_markup"]["inline_keyboard"]
    assert keyboard[0][0]["text"] == "✓ Short"
    assert bot.storage.chat_settings(group["id"], "normal").length == "short"
    # The group's briefs are short from now on.
    update_id, msg = api.user_message(group, owner, f"/brief {site.url('/transport')}")
    (reply,) = wait_answers(api, group["id"], msg["message_id"])
    assert [job["length"] for job in stored_jobs(bot.settings.storage.path) if job["update_id"] == update_id] == ["short"]
    assert_brief(reply, "Parliament debates transport reform")


def test_settings_refused_for_non_admin(api: BotApiEmulator, bot: RunningBot) -> None:
    group = api.group_chat(-new_id())
    admin, member = api.user(new_id(), "Admin"), api.user(new_id(), "Member")
    api.set_member(group, admin, "administrator")
    panel = open_settings(api, group, member)  # anyone may look
    answer = press(api, group, member, panel, "set:auto:on")
    assert answer["show_alert"] is True
    assert answer["text"] == texts.EN.admins_only
    assert bot.storage.chat_settings(group["id"], "normal").auto is False
    assert api.messages[(group["id"], panel["message_id"])].get("edited") is None


# -- output and errors ------------------------------------------------------------------------
def test_brief_longer_than_one_message(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    """The compact brief is one message; its full form ("More") continues in further messages."""
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, site.url("/transport"))
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert_brief(reply, "Parliament debates transport reform")
    assert reply["edited"] >= 1
    assert "Who said what" in reply["text"]
    ((label, more),) = [(b["text"], b["callback_data"]) for row in reply["reply_markup"]["inline_keyboard"]
                        for b in row]
    assert label == texts.EN.more
    sent_before = len(api.bot_messages(chat["id"]))
    api.press_button(chat, user, reply["message_id"], more)
    rest = api.wait_for(lambda: api.bot_messages(chat["id"])[sent_before:], 60, "the rest of the full brief")
    full = api.messages[(chat["id"], reply["message_id"])]
    assert_brief(full, "Parliament debates transport reform")
    for part in [full, *rest]:
        assert len(part["html"]) <= 4096  # the emulator also refused invalid HTML and long texts
    assert len(full["text"]) + sum(len(m["text"]) for m in rest) > len(reply["text"])
    assert not [c for c in api.calls if not c["ok"] and c["params"].get("chat_id") == chat["id"]]


def test_dead_link(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, site.dead_url)
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert reply["text"] == render_error_text("fetch_failed")


def test_non_article_link(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, site.url("/shop"))
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert reply["text"] == render_error_text("no_article_text")
    _, msg = api.user_message(chat, user, site.url("/photo.png"))
    (reply,) = wait_answers(api, chat["id"], msg["message_id"])
    assert reply["text"] == render_error_text("not_html")


def test_rate_limit(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    limit = bot.settings.bot.user_rate
    messages = []
    for _ in range(limit + 1):
        update_id, msg = api.user_message(chat, user, site.url("/council"))
        bot.wait_handled(update_id)
        messages.append(msg)
    for msg in messages[:limit]:
        assert_brief(wait_answers(api, chat["id"], msg["message_id"])[0], "Council approves budget after long debate")
    (refusal,) = api.wait_for(lambda: api.replies_to(chat["id"], messages[-1]["message_id"]), 30, "the refusal")
    assert refusal["text"] == texts.EN.rate_limited


def test_same_link_twice_answered_from_cache(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, first = api.user_message(chat, user, site.url("/council-2"))
    (brief,) = wait_answers(api, chat["id"], first["message_id"])
    # Forwarded again, with tracking parameters and a fragment: the same article.
    _, second = api.user_message(chat, user, site.url("/council-2?utm_source=tg#top"),
                                 forward_origin={"type": "user", "date": 1700000000, "sender_user": user})
    (again,) = wait_answers(api, chat["id"], second["message_id"])
    assert again["html"] == brief["html"]
    assert "edited" not in again  # sent at once: no "Reading the article…" status first
    assert site.hit_count("/council-2") == 1


def test_update_delivered_twice_is_handled_once(api: BotApiEmulator, bot: RunningBot, site: Any,
                                                caplog: pytest.LogCaptureFixture) -> None:
    user = api.user(new_id())
    chat = api.private_chat(user)
    update_id, msg = api.user_message(chat, user, site.url("/harbour"))
    wait_answers(api, chat["id"], msg["message_id"])
    skipped = f"update {update_id} was already handled; skipped"
    with caplog.at_level(logging.INFO, logger="bot.app"):
        api.redeliver(update_id)
        api.wait_for(lambda: skipped in caplog.messages, 30, "the duplicate to be skipped")
    assert len(api.replies_to(chat["id"], msg["message_id"])) == 1
