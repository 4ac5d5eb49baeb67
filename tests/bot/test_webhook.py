"""Webhook mode: the emulator posts updates to the bot's own HTTP server, with the secret token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx


from .conftest import RunningBot, assert_brief, bot_settings, free_port, new_id, wait_answers
from .emulator import BotApiEmulator


def test_webhook_mode(fresh_api: BotApiEmulator, site: Any, settings: Any, tmp_path: Path) -> None:
    api = fresh_api
    port = free_port()
    hook = f"http://127.0.0.1:{port}/telegram-hook"
    bot_config = bot_settings(settings, tmp_path / "bot.sqlite3", mode="webhook", webhook_url=hook,
                              webhook_listen="127.0.0.1", webhook_port=port, webhook_secret="hook-Secret-42")
    bot = RunningBot(bot_config, api).start()
    try:
        assert api.webhook == {"url": hook, "secret_token": "hook-Secret-42"}
        user = api.user(new_id())
        chat = api.private_chat(user)
        _, msg = api.user_message(chat, user, site.url("/harbour"))
        (reply,) = wait_answers(api, chat["id"], msg["message_id"])
        assert_brief(reply, "Port strike ends with new contract")
        assert api.webhook_deliveries >= 1 and api.get_updates_calls == 0

        # Without the secret token, the bot's server refuses the post.
        forged = {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": chat, "from": user, "text": "/help"}}
        assert httpx.post(hook, json=forged).status_code == 403
    finally:
        bot.stop()
