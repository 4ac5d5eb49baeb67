"""Real ``briefbot worker`` processes on a real Redis and PostgreSQL, answering through the emulator.

Jobs are stored and queued here exactly as the bot front does (``add_job`` then ``enqueue_job``),
so these tests are about the workers: sharing a burst fairly, a worker killed with a job in
flight, PostgreSQL restarted mid-run, Redis missing at start. Each answer is checked to arrive
exactly once. Worker processes load the real models (about 10-20 s each on a busy machine), so
the tests share one pair of workers where they can.
"""

from __future__ import annotations

import itertools
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any, Iterator

import pytest

from bot.storage_pg import PostgresStorage
from bot.stores import StorageUnavailable
from bot.worker import celery_app, enqueue_job
from summarizer.render import render_error_html
from summarizer.settings import PROJECT_ROOT, load_settings
from tests.bot import articles
from tests.bot.emulator import BotApiEmulator
from tests.http_server import held, serve
from tests.servers import PostgresServer, ServerUnavailable, free_port

from .cluster import BRIEFBOT, WorkerProcess, job_rows, write_config
from tests.bot.conftest import TOKEN, new_id

pytestmark = pytest.mark.timeout(600)


class Cluster:
    """What the front would be: it stores and queues jobs for the workers, as users send messages."""

    def __init__(self, config: Path, api: BotApiEmulator):
        self.config = config
        self.api = api
        self.settings = load_settings(config_path=config)
        self.storage = PostgresStorage(self.settings.storage.url)
        self.celery = celery_app(self.settings)
        self.sent: list[tuple[dict[str, Any], dict[str, Any], int]] = []  # chat, message, job id
        self._update_ids = itertools.count(10_000)

    def chat(self) -> tuple[dict[str, Any], dict[str, Any]]:
        user = self.api.user(new_id())
        return self.api.private_chat(user), user

    def send(self, chat: dict[str, Any], user: dict[str, Any], source: dict[str, str]) -> int:
        update_id, msg = self.api.user_message(chat, user, source.get("url", "pasted article"), deliver=False)
        job, new = self.storage.add_job(next(self._update_ids), 0, chat["id"], msg["message_id"], source, "short")
        assert new
        enqueue_job(self.celery, self.storage, job.id, chat["id"])
        self.sent.append((chat, msg, job.id))
        return job.id

    def answered(self, chat: dict[str, Any], msg: dict[str, Any]) -> list[dict[str, Any]]:
        return self.api.replies_to(chat["id"], msg["message_id"])

    def wait_all_answered(self, timeout: float = 240) -> None:
        self.api.wait_for(lambda: all(self.answered(c, m) for c, m, _ in self.sent), timeout, "every answer")
        # …and marked done (the answer is sent first), so nothing is left to redo.
        deadline = time.monotonic() + 30
        while self._pending() and time.monotonic() < deadline:
            time.sleep(0.1)

    def _pending(self) -> list[Any]:
        try:
            return self.storage.pending_jobs()
        except StorageUnavailable:  # this test's own connection was cut by a restart: connect again
            return self.storage.pending_jobs()

    def assert_each_answered_once(self) -> None:
        for chat, msg, job_id in self.sent:
            replies = self.answered(chat, msg)
            assert len(replies) == 1, (job_id, [r["text"][:60] for r in replies])
            assert replies[0]["html"].startswith("<b>"), replies[0]["html"][:100]
        assert self.storage.pending_jobs() == []

    def close(self) -> None:
        self.storage.close()


def _text(n: int) -> dict[str, str]:
    """Pasted article text, distinct per job (no cache hit)."""
    return {"text": articles.pasted_text() + f"\n\nThe port will publish figure {n} on Monday."}


@pytest.fixture(scope="module")
def pair(tmp_path_factory, redis_server, api) -> Iterator[tuple[Cluster, PostgresServer, list[WorkerProcess]]]:
    """Two single-process workers, sharing a PostgreSQL of their own (one test restarts it)."""
    try:
        postgres = PostgresServer().start()
    except ServerUnavailable as exc:
        pytest.skip(f"PostgreSQL cannot run here: {exc}")
    tmp = tmp_path_factory.mktemp("pair")
    config = write_config(tmp / "briefbot.toml", pg_url=postgres.url, redis_url=redis_server.url)
    cluster = Cluster(config, api)
    workers = [WorkerProcess(config, TOKEN, api.base_url, tmp / f"worker-{i}.log") for i in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        yield cluster, postgres, workers
    finally:
        for worker in workers:
            worker.terminate()
        cluster.close()
        postgres.close()


def test_two_workers_share_a_burst_and_quiet_chats_go_first(pair) -> None:
    cluster, _, workers = pair
    burst_chat, burst_user = cluster.chat()
    burst = [cluster.send(burst_chat, burst_user, _text(n)) for n in range(12)]
    quiet = [cluster.send(*cluster.chat(), _text(100 + n)) for n in range(6)]
    t0 = time.monotonic()
    cluster.wait_all_answered()
    elapsed = time.monotonic() - t0
    cluster.assert_each_answered_once()

    rows = {r["id"]: r for r in job_rows(cluster.storage)}
    done_at = {}  # job id -> when its answer was sent (the emulator's clock)
    for chat, msg, job_id in cluster.sent:
        (reply,) = cluster.answered(chat, msg)
        done_at[job_id] = min(c["at"] for c in cluster.api.calls_of("sendMessage", chat["id"])
                              if c["ok"] and c["result"]["message_id"] == reply["message_id"])
    order = sorted(done_at, key=done_at.get)
    quiet_last = max(order.index(j) for j in quiet)
    owners = {rows[j]["claimed_by"] for j in done_at}
    print(f"\n18 jobs on 2 workers in {elapsed:.1f}s; the last quiet chat was answered {quiet_last + 1}th of 18; "
          f"jobs per worker: {sorted(sum(1 for j in done_at if rows[j]['claimed_by'] == o) for o in owners)}")
    assert len(owners) == 2  # both workers took part
    # Every quiet chat's one job is answered before the burst's last six: it waited for at most a
    # couple of the burst's jobs (those already taken), not behind all twelve.
    assert quiet_last < len(order) - 6, [("q" if j in quiet else "b") for j in order]
    assert all(rows[j]["tries"] == 1 for j in burst + quiet)


def test_postgres_restarted_mid_run_nothing_lost(pair) -> None:
    cluster, postgres, _ = pair
    first = len(cluster.sent)
    chats = [cluster.chat() for _ in range(4)]
    for n in range(8):
        cluster.send(*chats[n % 4], _text(200 + n))
    cluster.api.wait_for(lambda: any(cluster.answered(c, m) for c, m, _ in cluster.sent[first:]), 120,
                         "the first answers")
    postgres.stop()  # fast shutdown: every connection is cut mid-run
    time.sleep(3)
    postgres.start()
    cluster.sent = cluster.sent[first:]
    cluster.wait_all_answered()
    cluster.assert_each_answered_once()


def test_a_job_whose_workers_keep_dying_gets_the_error_after_max_tries(pair) -> None:
    """Every attempt so far ended with its worker gone (leases that ran out): the next worker
    answers with the friendly error instead of trying the engine again."""
    cluster, _, _ = pair
    chat, user = cluster.chat()
    _, msg = cluster.api.user_message(chat, user, "https://example.org/crashes-workers", deliver=False)
    job, _ = cluster.storage.add_job(next(cluster._update_ids), 0, chat["id"], msg["message_id"],
                                     {"url": "https://example.org/crashes-workers"}, "short")
    for attempt in range(cluster.settings.queue.max_tries):
        assert cluster.storage.claim_job(job.id, f"vanished-{attempt}", lease_s=0.01).job is not None
        time.sleep(0.05)
    enqueue_job(cluster.celery, cluster.storage, job.id, chat["id"])
    (reply,) = cluster.api.wait_for(lambda: cluster.answered(chat, msg), 60, "the answer")
    assert reply["html"] == render_error_html("engine_failed")
    cluster.wait_all_answered(timeout=30)  # …and marked done
    (row,) = [r for r in job_rows(cluster.storage) if r["id"] == job.id]
    assert row["state"] == "done" and row["tries"] == cluster.settings.queue.max_tries + 1


def test_a_worker_killed_mid_job_is_answered_once_by_another(tmp_path, redis_url, pg_url, api) -> None:
    release = threading.Event()
    council = articles.article_html("Council approves budget after long debate", articles.COUNCIL)

    held_council = held(release, (200, {"Content-Type": "text/html; charset=utf-8"}, council))

    # A short lease and visibility timeout: the dead worker's job is taken over within seconds.
    config = write_config(tmp_path / "briefbot.toml", pg_url=pg_url, redis_url=redis_url, lease_s=3.0,
                          visibility_timeout_s=5.0)
    cluster = Cluster(config, api)
    with serve({"/held": held_council}) as base:
        first = WorkerProcess(config, TOKEN, api.base_url, tmp_path / "first.log").wait_ready()
        chat, user = cluster.chat()
        job_id = cluster.send(chat, user, {"url": base + "/held"})
        try:
            api.wait_for(lambda: _claimed_by(cluster, job_id), 60, "the first worker to take the job")
            victim = _claimed_by(cluster, job_id)
        finally:
            first.kill()  # mid-job: it is waiting for the article
        release.set()
        second = WorkerProcess(config, TOKEN, api.base_url, tmp_path / "second.log")
        try:
            second.wait_ready()
            cluster.wait_all_answered(timeout=120)
        finally:
            assert second.terminate() == 0
    cluster.assert_each_answered_once()
    (row,) = [r for r in job_rows(cluster.storage) if r["id"] == job_id]
    assert row["tries"] == 2 and row["claimed_by"] != victim
    assert "Council approves budget" in cluster.answered(chat, cluster.sent[0][1])[0]["html"]
    cluster.close()


def _claimed_by(cluster: Cluster, job_id: int) -> str | None:
    (row,) = [r for r in job_rows(cluster.storage) if r["id"] == job_id]
    return row["claimed_by"]


def test_redis_unavailable_at_start_is_one_clear_error(tmp_path, pg_url) -> None:
    config = write_config(tmp_path / "briefbot.toml", pg_url=pg_url, redis_url=f"redis://127.0.0.1:{free_port()}/0")
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-c", BRIEFBOT, "worker", "--base-url", "http://127.0.0.1:9"],
                          cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "TELEGRAM_BOT_TOKEN": TOKEN, "BRIEFBOT_CONFIG": str(config),
                               "PYTHONPATH": str(PROJECT_ROOT), "HOME": str(tmp_path)})
    assert done.returncode != 0
    assert "cannot reach the Redis broker at [queue] broker_url" in done.stderr
    assert "Traceback" not in done.stderr
    assert time.monotonic() - started < 60  # it gave up at once instead of retrying forever


def test_front_and_worker_end_to_end_with_the_front_killed_mid_burst(tmp_path, redis_url, pg_url,
                                                                      fresh_api: BotApiEmulator) -> None:
    """Users' messages through a polling front, the queue and a worker; the front is killed with
    -9 mid-burst and started again: every message is answered once (its status message edited into
    the brief; a job the dead front stored but never announced is answered with a new message)."""
    from tests.bot.conftest import STATUS_TEXTS

    from .cluster import FrontProcess

    api = fresh_api
    config = write_config(tmp_path / "briefbot.toml", pg_url=pg_url, redis_url=redis_url)
    worker = WorkerProcess(config, TOKEN, api.base_url, tmp_path / "worker.log")
    front = FrontProcess(config, TOKEN, api.base_url, tmp_path / "front-1.log")
    sent = []
    try:
        front.wait_ready()
        chats = [(api.private_chat(u), u) for u in (api.user(new_id()) for _ in range(3))]
        for n in range(8):
            chat, user = chats[n % 3]
            update_id, msg = api.user_message(chat, user, _text(300 + n)["text"])
            sent.append((chat, msg, update_id))
            if n == 3:  # half the burst acknowledged: the front dies without any clean-up
                api.wait_for(lambda: api.confirmed_offset > sent[1][2], 60, "the first updates acknowledged")
                front.kill()
        front = FrontProcess(config, TOKEN, api.base_url, tmp_path / "front-2.log").wait_ready()
        worker.wait_ready()
        api.wait_for(lambda: all(api.replies_to(c["id"], m["message_id"])
                                 and api.replies_to(c["id"], m["message_id"])[0]["text"] not in STATUS_TEXTS
                                 for c, m, _ in sent), 240, "every answer")
    finally:
        front.terminate()
        worker.terminate()
    for chat, msg, _ in sent:
        (reply,) = api.replies_to(chat["id"], msg["message_id"])  # once, and no status message left over
        assert reply["html"].startswith("<b>Untitled article</b>"), reply["html"][:100]
    edited = sum(1 for chat, msg, _ in sent if api.replies_to(chat["id"], msg["message_id"])[0].get("edited"))
    assert edited >= len(sent) // 2  # the usual way: "Reading the article…" becomes the brief
