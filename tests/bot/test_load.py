"""Load on loopback: 30 chats send N links (distinct URLs, so every job runs the real engine);
every message is answered exactly once, memory stays bounded, and one chat's burst does not
make the other chats wait behind it.

N is ``BRIEFBOT_LOAD_MESSAGES`` (60 by default, for CI). The full run, 300 messages::

    BRIEFBOT_LOAD_MESSAGES=300 .venv/bin/pytest tests/bot/test_load.py -s

One chat sends half of the links at once; the 29 others send the rest at a steady pace over
``60 s * N / 300`` (a minute for 300), each waiting for its answer before its next link, as a
person does. The figures (throughput, time to answer, peak memory) are printed with ``-s``.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable, Iterator

import pytest

from bot.jobs import FairQueue
from tests.http_server import serve

from . import articles
from .conftest import STATUS_TEXTS, RunningBot, answers, bot_settings, new_id
from .emulator import BotApiEmulator

MESSAGES = int(os.environ.get("BRIEFBOT_LOAD_MESSAGES", "60"))
CHATS = 30
WORKERS = 2
# Memory the run may add on top of the loaded models (a leak per job would grow with N).
MAX_RSS_GROWTH_MB = 1024


def rss_mb(pids: Callable[[], list[int]]) -> float:
    """Resident memory of these processes together (one that just exited counts nothing)."""
    total = 0.0
    for pid in pids():
        try:
            with open(f"/proc/{pid}/status") as status:
                total += sum(int(line.split()[1]) / 1024 for line in status if line.startswith("VmRSS:"))
        except FileNotFoundError:
            pass
    return total


class RssSampler:
    """Resident memory of the bot and its engine processes, sampled every 0.2 s while the load runs."""

    def __init__(self, pids: Callable[[], list[int]]) -> None:
        self.pids = pids
        self.start = rss_mb(pids)
        self.peak = self.start
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(0.2):
            self.peak = max(self.peak, rss_mb(self.pids))

    def __enter__(self) -> "RssSampler":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, rss_mb(self.pids))


@pytest.fixture
def story_site() -> Iterator[tuple[str, list[str]]]:
    html = articles.article_html("Council approves budget after long debate", articles.COUNCIL)
    hits: list[str] = []
    with serve({"/story": (200, {"Content-Type": "text/html; charset=utf-8"}, html)}, hits=hits) as base:
        yield base, hits


def answer_times(api: BotApiEmulator) -> dict[tuple[int, int], float]:
    """(chat id, user message id) -> when its answer arrived (the status message edited into it)."""
    done: dict[tuple[int, int], float] = {}
    for call in api.calls:
        if call["method"] != "editMessageText" or not call["ok"] or call["result"]["text"] in STATUS_TEXTS:
            continue
        chat_id = int(call["params"]["chat_id"])
        status = api.messages[(chat_id, int(call["params"]["message_id"]))]
        done.setdefault((chat_id, status["reply_to_message_id"]), call["at"])
    return done


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


@pytest.mark.slow
@pytest.mark.timeout(240 + 4 * MESSAGES)
def test_load_many_chats_one_burst(fresh_api: BotApiEmulator, story_site: tuple[str, list[str]],
                                   settings: Any, tmp_path: Any) -> None:
    api = fresh_api
    base, hits = story_site
    config = bot_settings(settings, tmp_path / "bot.sqlite3", workers=WORKERS, user_rate=100_000,
                          chat_rate=100_000, queue_size=100_000, job_timeout_s=600.0)
    bot = RunningBot(config, api).start()  # the real engine
    burst_size = MESSAGES // 2
    quiet_size = MESSAGES - burst_size
    window_s = 60.0 * MESSAGES / 300
    users = [api.user(new_id()) for _ in range(CHATS)]
    burst_user, quiet_users = users[0], users[1:]
    links = iter(f"{base}/story?n={n}" for n in range(MESSAGES))  # distinct: no cache hits
    sent: dict[tuple[int, int], float] = {}  # (chat id, message id) -> when it was sent
    lock = threading.Lock()

    def send(user: dict[str, Any]) -> tuple[int, int]:
        chat = api.private_chat(user)
        with lock:
            link = next(links)
        _, msg = api.user_message(chat, user, link)
        key = (chat["id"], msg["message_id"])
        with lock:
            sent[key] = time.monotonic()
        return key

    # Quiet chat j sends its k-th link at t0 + window * (k * 29 + j) / quiet_size.
    plan: dict[int, list[float]] = {j: [] for j in range(len(quiet_users))}
    for i in range(quiet_size):
        plan[i % len(quiet_users)].append(window_s * i / quiet_size)

    def quiet_chat(j: int, t0: float) -> None:
        for at in plan[j]:
            time.sleep(max(0.0, t0 + at - time.monotonic()))  # pacing, not a check
            chat_id, message_id = send(quiet_users[j])
            api.wait_for(lambda: answers(api, chat_id, message_id), 120 + 4 * MESSAGES, "a quiet chat's answer")

    try:
        engine = bot.app.bot_data["services"].jobs.engine  # the engine processes
        with RssSampler(lambda: [os.getpid(), *engine.pids()]) as memory:
            t0 = time.monotonic()
            burst = [send(burst_user) for _ in range(burst_size)]
            with ThreadPoolExecutor(len(quiet_users)) as pool:
                for future in [pool.submit(quiet_chat, j, t0) for j in plan]:
                    future.result()
            send_window = max(sent.values()) - t0
            api.wait_for(lambda: all(answers(api, *key) for key in sent), 120 + 4 * MESSAGES, "every answer")
            end = time.monotonic()
    finally:
        bot.stop()

    # Exactly once, every one a brief (no "busy", no rate limit, no error), every job ran the engine.
    for chat_id, message_id in sent:
        (reply,) = api.replies_to(chat_id, message_id)
        assert reply["html"].startswith("<b>Council approves budget after long debate</b>"), reply["html"][:200]
    assert len(sent) == MESSAGES
    assert len([h for h in hits if h.startswith("/story")]) == MESSAGES

    answered = answer_times(api)
    burst_keys = set(burst)
    quiet_waits = [answered[key] - sent[key] for key in sent if key not in burst_keys]
    all_waits = [answered[key] - sent[key] for key in sent]
    burst_done = max(answered[key] for key in burst) - t0
    # Fairness, counted in jobs rather than seconds: while a quiet chat's link waits, the burst
    # gets about one turn per round (plus what the workers already hold), never the whole queue.
    burst_answers = sorted(answered[key] for key in burst)
    overtaking = [sum(1 for t in burst_answers if sent[key] < t < answered[key])
                  for key in sent if key not in burst_keys]
    print(f"\nload: {MESSAGES} messages from {CHATS} chats ({burst_size} in one burst), sent in {send_window:.1f}s, "
          f"all answered in {end - t0:.1f}s: {MESSAGES / (end - t0):.2f} msgs/s with {WORKERS} workers\n"
          f"time to answer: all p50 {statistics.median(all_waits):.1f}s p95 {percentile(all_waits, 0.95):.1f}s; "
          f"quiet chats p50 {statistics.median(quiet_waits):.1f}s p95 {percentile(quiet_waits, 0.95):.1f}s; "
          f"the burst completed after {burst_done:.1f}s\n"
          f"burst answers overtaking a quiet link: max {max(overtaking)}, p95 {percentile(overtaking, 0.95)}\n"
          f"memory: RSS {memory.start:.0f} MB before, peak {memory.peak:.0f} MB "
          f"(+{memory.peak - memory.start:.0f} MB); messages lost: {MESSAGES - len(answered)}")
    assert len(answered) == MESSAGES
    assert max(overtaking) <= WORKERS + 3, overtaking
    assert memory.peak - memory.start < MAX_RSS_GROWTH_MB


def test_fair_queue_takes_turns_over_chats() -> None:
    async def order() -> list[int]:
        queue = FairQueue()
        for job in range(1, 6):
            queue.put_nowait(100, job)  # chat 100 bursts five jobs
        queue.put_nowait(200, 6)
        queue.put_nowait(300, 7)
        queue.put_nowait(200, 8)
        return [await queue.get() for _ in range(len(queue))]

    # Each chat in turn, its own jobs in order; the burst's rest comes last.
    assert asyncio.run(order()) == [1, 6, 7, 2, 8, 3, 4, 5]
