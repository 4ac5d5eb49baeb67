"""Limits with a bot of its own: the allow-list, a full job queue, a job that runs too long."""

from __future__ import annotations

from typing import Any, Iterator

import pytest

from bot import texts
from summarizer.render import render_error_text

from .conftest import RunningBot, bot_settings, new_id, wait_answers
from .emulator import BotApiEmulator

ALLOWED_USER = new_id()
ALLOWED_GROUP = -new_id()


@pytest.fixture(scope="module")
def bot(api: BotApiEmulator, settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningBot]:
    db = tmp_path_factory.mktemp("limits") / "bot.sqlite3"
    config = bot_settings(settings, db, workers=1, queue_size=1, job_timeout_s=5.0,
                          allowed_user_ids=[ALLOWED_USER], allowed_chat_ids=[ALLOWED_GROUP])
    running = RunningBot(config, api).start()
    yield running
    running.stop()


def test_allow_list(api: BotApiEmulator, bot: RunningBot) -> None:
    stranger = api.user(new_id())
    update_id, _ = api.user_message(api.private_chat(stranger), stranger, "/help")
    bot.wait_handled(update_id)
    assert not api.bot_messages(stranger["id"])

    group = api.group_chat(ALLOWED_GROUP)  # anyone in an allowed chat is served
    _, msg = api.user_message(group, stranger, "/help")
    api.wait_for(lambda: api.replies_to(group["id"], msg["message_id"]), 30, "help in the allowed group")

    user = api.user(ALLOWED_USER)
    _, msg = api.user_message(api.private_chat(user), user, "/help")
    api.wait_for(lambda: api.replies_to(user["id"], msg["message_id"]), 30, "help for the allowed user")


def test_full_queue_and_job_timeout(api: BotApiEmulator, bot: RunningBot, site: Any) -> None:
    user = api.user(ALLOWED_USER)
    chat = api.private_chat(user)
    try:
        _, slow = api.user_message(chat, user, site.url("/sleepy"))  # answers only when released
        api.wait_for(lambda: api.replies_to(chat["id"], slow["message_id"]), 30, "the status message")
        # The only queue place is taken: the next link gets a polite "try later" at once.
        _, second = api.user_message(chat, user, site.url("/harbour"))
        (busy,) = api.wait_for(lambda: api.replies_to(chat["id"], second["message_id"]), 30, "the busy answer")
        assert busy["text"] == texts.EN.busy
        # The slow job runs past job_timeout_s: it is still answered, with one friendly sentence.
        (late,) = wait_answers(api, chat["id"], slow["message_id"])
        assert late["text"] == render_error_text("timeout")
    finally:
        site.release_sleepy.set()
