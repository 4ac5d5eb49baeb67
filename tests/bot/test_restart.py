"""The bot as a process (``python -m bot --base-url …``), killed with a job in flight and
started again: the job is answered, once, by editing the status message it already sent."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot import texts
from summarizer.settings import PROJECT_ROOT

from bot.storage import Storage

from .conftest import TOKEN, ArticleSite, RunningBot, assert_brief, bot_settings, new_id, wait_answers
from .emulator import BotApiEmulator


# The first run goes through `python -m bot`, the second through the `briefbot bot` command.
PYTHON_M_BOT = [sys.executable, "-m", "bot"]
BRIEFBOT_BOT = [str(Path(sys.executable).parent / "briefbot"), "bot"]


class BotProcess:
    def __init__(self, command: list[str], api: BotApiEmulator, config: Path, log: Path):
        self.log = log
        self.handle = log.open("ab")
        env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_CONFIG": str(config),
               "HOME": str(config.parent)}
        self.proc = subprocess.Popen([*command, "--base-url", api.base_url],
                                     cwd=PROJECT_ROOT, env=env, stdout=self.handle, stderr=subprocess.STDOUT)

    def kill(self) -> None:
        self.proc.kill()  # SIGKILL: no clean-up of any kind
        self.proc.wait(30)
        self.handle.close()

    def terminate(self) -> int:
        self.proc.send_signal(signal.SIGTERM)  # graceful: what a service manager sends
        code = self.proc.wait(60)
        self.handle.close()
        return code


def wait_until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def test_killed_with_job_in_flight_then_restarted(fresh_api: BotApiEmulator, site: ArticleSite,
                                                  tmp_path: Path) -> None:
    api = fresh_api
    config = tmp_path / "bot.toml"
    config.write_text(
        '[fetch]\nallow_addresses = ["127.0.0.1"]\n'
        f'[storage]\npath = "{tmp_path / "bot.sqlite3"}"\n'
        "[bot]\nworkers = 1\n"
    )
    log = tmp_path / "bot.log"
    user = api.user(new_id())
    chat = api.private_chat(user)
    update_id, msg = api.user_message(chat, user, site.url("/slow"))

    first = BotProcess(PYTHON_M_BOT, api, config, log)
    try:
        # In flight: the status message is out, the article is being fetched, and the update
        # was acknowledged to the API (so it will not be delivered again).
        api.wait_for(lambda: api.replies_to(chat["id"], msg["message_id"]), 120, "the status message")
        wait_until(lambda: site.hit_count("/slow") == 1, 60, "the bot to fetch the article")
        api.wait_for(lambda: api.confirmed_offset > update_id, 30, "the update to be acknowledged")
    finally:
        first.kill()
    site.release_slow.set()

    second = BotProcess(BRIEFBOT_BOT, api, config, log)
    try:
        def answered() -> list[dict[str, Any]]:
            replies = api.replies_to(chat["id"], msg["message_id"])
            return [m for m in replies if m["text"] != texts.EN.reading_article]

        (reply,) = api.wait_for(answered, 120, "the resumed job's answer")
    finally:
        assert second.terminate() == 0

    assert reply["html"].startswith("<b>Council approves budget after long debate</b>")
    assert reply["edited"] == 1  # the status message of the first run became the brief
    replies = api.replies_to(chat["id"], msg["message_id"])
    assert len(replies) == 1  # answered once: no second status message, no second brief
    status_sends = [c for c in api.calls_of("sendMessage", chat["id"]) if c["params"]["text"] == texts.EN.reading_article]
    assert len(status_sends) == 1
    assert site.hit_count("/slow") == 2  # fetched again by the second run
    output = log.read_text()
    assert "resuming job" in output
    assert TOKEN not in output and TOKEN.split(":")[1] not in output  # never logged


def test_rejected_token_is_never_printed(fresh_api: BotApiEmulator, tmp_path: Path) -> None:
    config = tmp_path / "bot.toml"
    config.write_text(f'[storage]\npath = "{tmp_path / "bot.sqlite3"}"\n')
    wrong = "987654321:AAwrong-Secret_token"
    env = {"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": wrong, "BRIEFBOT_CONFIG": str(config),
           "HOME": str(tmp_path)}
    done = subprocess.run([*PYTHON_M_BOT, "--base-url", fresh_api.base_url], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode != 0
    assert "token was rejected" in done.stderr
    assert wrong.split(":")[1] not in done.stdout + done.stderr


def test_crash_after_job_stored_replays_update_without_repeating(fresh_api: BotApiEmulator, site: ArticleSite,
                                                                settings: Any, tmp_path: Path) -> None:
    """The previous run stored the update and its job and sent the status, then died before the
    update was marked done: on start the job is resumed and the replayed update adds nothing."""
    api = fresh_api
    user = api.user(new_id())
    chat = api.private_chat(user)
    _, msg = api.user_message(chat, user, site.url("/harbour"), deliver=False)
    update = {"update_id": 500, "message": msg}
    with api._cond:  # the status message the previous run sent
        status = api.api_sendmessage({"chat_id": chat["id"], "text": texts.EN.reading_article,
                                      "reply_parameters": {"message_id": msg["message_id"]}})
    db = tmp_path / "bot.sqlite3"
    storage = Storage(db)
    storage.record_update(500, json.dumps(update))
    job, _ = storage.add_job(500, 0, chat["id"], msg["message_id"], {"url": site.url("/harbour")}, "normal")
    storage.set_status_message(job.id, status["message_id"])
    storage.close()

    bot = RunningBot(bot_settings(settings, db), api).start()
    try:
        (reply,) = wait_answers(api, chat["id"], msg["message_id"])
        bot.wait_handled(500)  # the replayed update went through the handlers
        assert_brief(reply, "Port strike ends with new contract")
        assert reply["edited"] == 1
        assert not api.calls_of("sendMessage", chat["id"])  # no second status, no second brief
        assert len(api.replies_to(chat["id"], msg["message_id"])) == 1
    finally:
        bot.stop()
