"""Bot fronts (``briefbot bot`` with ``[queue] backend = "celery"``) sharing PostgreSQL and Redis.

Fronts load no models, so these start in seconds: one poller only; the same update posted to two
webhook fronts is handled once; a link's job goes to the queue and a worker-less front never
runs a brief itself.
"""

from __future__ import annotations

import json
import threading
import urllib.request
from pathlib import Path
from typing import Any

from bot import texts
from bot.storage_pg import PostgresStorage
from tests.bot.conftest import TOKEN, new_id
from tests.bot.emulator import BotApiEmulator
from tests.servers import free_port

from .cluster import FrontProcess, write_config

SECRET = "front-test-secret_1"


def test_a_second_polling_front_is_refused(tmp_path: Path, pg_url: str, redis_url: str, fresh_api) -> None:
    config = write_config(tmp_path / "briefbot.toml", pg_url=pg_url, redis_url=redis_url)
    first = FrontProcess(config, TOKEN, fresh_api.base_url, tmp_path / "first.log").wait_ready()
    try:
        second = FrontProcess(config, TOKEN, fresh_api.base_url, tmp_path / "second.log")
        code = second.proc.wait(120)
        second.handle.close()
        assert code != 0
        assert "another front is already polling" in second.output()
        assert "Traceback" not in second.output()
    finally:
        assert first.terminate() == 0
    # The lock goes with the process: a new poller may start now.
    third = FrontProcess(config, TOKEN, fresh_api.base_url, tmp_path / "third.log").wait_ready()
    assert third.terminate() == 0


def _webhook_config(path: Path, pg_url: str, redis_url: str, port: int) -> Path:
    return write_config(path, pg_url=pg_url, redis_url=redis_url, extra=(
        'mode = "webhook"\nwebhook_url = "https://bot.example.org/telegram-hook"\n'
        f'webhook_listen = "127.0.0.1"\nwebhook_port = {port}\nwebhook_secret = "{SECRET}"\n'))


def _post_to_all(ports: list[int], update: dict[str, Any]) -> list[int]:
    """POST one update to every front at the same moment, as a load balancer retrying would."""
    body = json.dumps(update).encode()
    codes: list[int] = []
    start = threading.Barrier(len(ports))

    def post(port: int) -> None:
        request = urllib.request.Request(f"http://127.0.0.1:{port}/telegram-hook", data=body, method="POST",
                                         headers={"Content-Type": "application/json",
                                                  "X-Telegram-Bot-Api-Secret-Token": SECRET})
        start.wait()
        with urllib.request.urlopen(request, timeout=30) as response:
            codes.append(response.status)

    threads = [threading.Thread(target=post, args=(p,)) for p in ports]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes


def test_the_same_update_posted_to_two_webhook_fronts_is_handled_once(tmp_path: Path, pg_url: str, redis_url: str,
                                                                       fresh_api: BotApiEmulator, site) -> None:
    api = fresh_api
    ports = [free_port(), free_port()]
    fronts = [FrontProcess(_webhook_config(tmp_path / f"front-{i}.toml", pg_url, redis_url, port), TOKEN,
                           api.base_url, tmp_path / f"front-{i}.log") for i, port in enumerate(ports)]
    user = api.user(new_id())
    chat = api.private_chat(user)
    try:
        for front in fronts:
            front.wait_ready()
        # A quick command: answered by the front itself, once.
        _, help_msg = api.user_message(chat, user, "/help", deliver=False)
        assert _post_to_all(ports, {"update_id": 880_001, "message": help_msg}) == [200, 200]
        api.wait_for(lambda: api.replies_to(chat["id"], help_msg["message_id"]), 30, "the help text")
        # A link: one job, one status message, queued for the workers.
        _, link_msg = api.user_message(chat, user, site.url("/harbour?front=1"), deliver=False)
        assert _post_to_all(ports, {"update_id": 880_002, "message": link_msg}) == [200, 200]
        api.wait_for(lambda: api.replies_to(chat["id"], link_msg["message_id"]), 30, "the status message")
        storage = PostgresStorage(pg_url)
        try:
            api.wait_for(lambda: storage.update_done(880_001) and storage.update_done(880_002), 30,
                         "both updates handled")
            jobs = storage.pending_jobs()
        finally:
            storage.close()
    finally:
        for front in fronts:
            assert front.terminate() == 0
    assert len(api.replies_to(chat["id"], help_msg["message_id"])) == 1
    (status,) = api.replies_to(chat["id"], link_msg["message_id"])
    assert status["text"] == texts.texts_for("en").reading_article  # no worker: the front never briefs itself
    assert [(j.update_id, j.url) for j in jobs] == [(880_002, site.url("/harbour?front=1"))]
    logs = fronts[0].output() + fronts[1].output()
    assert logs.count("was already handled") == 2  # each update skipped by the front that lost the claim
