"""Webhook mode: the emulator posts updates to the bot's own HTTP server, with the secret token;
forged posts are refused and cannot take a real update's id; no secret, no start."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from bot import texts
from bot.app import check_mode
from summarizer.settings import Settings, load_settings

from .conftest import RunningBot, assert_brief, bot_settings, free_port, new_id, wait_answers
from .emulator import BotApiEmulator

SECRET = "hook-Secret-42"


def test_webhook_mode(fresh_api: BotApiEmulator, site: Any, settings: Any, tmp_path: Path) -> None:
    api = fresh_api
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    bot_config = bot_settings(settings, tmp_path / "bot.sqlite3", mode="webhook", webhook_url=hook,
                              webhook_port=port, webhook_secret=SECRET)  # listens on the default address
    bot = RunningBot(bot_config, api).start()
    try:
        assert api.webhook == {"url": hook, "secret_token": SECRET}
        user = api.user(new_id())
        chat = api.private_chat(user)
        _, msg = api.user_message(chat, user, site.url("/harbour"))
        (reply,) = wait_answers(api, chat["id"], msg["message_id"])
        assert_brief(reply, "Port strike ends with new contract")
        assert api.webhook_deliveries >= 1 and api.get_updates_calls == 0

        # Forged posts, without the secret or with a wrong one (as long as the real one, and a
        # prefix of it), carrying the id the next real update will have: all refused.
        victim = api.user(new_id())
        victim_chat = api.private_chat(victim)
        next_id = api._next_update_id
        forged = {"update_id": next_id, "message": {"message_id": 99, "date": 0, "chat": victim_chat,
                                                     "from": victim, "text": "/help"}}
        for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "hook-Secret-43"},
                        {"X-Telegram-Bot-Api-Secret-Token": SECRET[:-1]},
                        {"X-Telegram-Bot-Api-Secret-Token": ""}):
            assert httpx.post(hook, json=forged, headers=headers).status_code == 403
        assert not api.bot_messages(victim_chat["id"])  # the forged /help was not answered
        assert not bot.storage.update_done(next_id)
        # The real update with that id still goes through.
        update_id, real = api.user_message(victim_chat, victim, "/help")
        assert update_id == next_id
        (answer,) = api.wait_for(lambda: api.replies_to(victim_chat["id"], real["message_id"]), 30, "/help")
        assert answer["html"] == texts.EN.help
    finally:
        bot.stop()


@pytest.mark.parametrize("secret, problem", [("", "needs [bot] webhook_secret"),
                                             ("with space", "must be 1-256 characters")])
def test_webhook_mode_refuses_to_start_without_a_usable_secret(settings: Settings, secret: str,
                                                               problem: str) -> None:
    config = settings.replace(bot={"mode": "webhook", "webhook_url": "https://bot.example.org/hook",
                                   "webhook_secret": secret})
    with pytest.raises(SystemExit, match=problem.replace("[", r"\[").replace("]", r"\]")):
        check_mode(config)


def test_webhook_listens_on_loopback_by_default() -> None:
    assert load_settings(env={}).bot.webhook_listen == "127.0.0.1"
