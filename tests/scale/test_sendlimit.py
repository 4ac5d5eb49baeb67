"""Telegram's limits held for the whole bot: two limiters (two processes) share one Redis."""

from __future__ import annotations

import asyncio
import time

import pytest
from telegram.error import RetryAfter

from bot.sendlimit import RedisSendLimiter


async def _limiters(redis_url: str, n: int, **limits: float) -> list[RedisSendLimiter]:
    limiters = [RedisSendLimiter(redis_url, **limits) for _ in range(n)]
    for limiter in limiters:
        await limiter.initialize()
    return limiters


async def _send(limiter: RedisSendLimiter, chat_id: int, sent: list[float], fail_first: list[int] | None = None):
    async def callback() -> bool:
        if fail_first:
            fail_first.pop()
            raise RetryAfter(1)
        sent.append(time.monotonic())
        return True

    return await limiter.process_request(callback, (), {}, "sendMessage", {"chat_id": chat_id}, None)


def test_the_overall_rate_holds_across_processes(redis_url):
    async def scenario() -> list[float]:
        a, b = await _limiters(redis_url, 2, per_second=10)
        sent: list[float] = []
        await asyncio.gather(*[_send(limiter, chat, sent) for chat in range(1, 16) for limiter in (a, b)])
        await a.shutdown()
        await b.shutdown()
        return sorted(sent)

    sent = asyncio.run(scenario())
    assert len(sent) == 30
    # Never more than 10 in any one second (a little slack for the two clocks involved).
    assert max(sum(1 for t in sent if start <= t < start + 0.95) for start in sent) <= 10
    assert sent[-1] - sent[0] >= 1.8  # 30 messages at 10/s take two seconds at least


def test_a_group_gets_its_own_per_minute_limit(redis_url):
    async def scenario() -> None:
        a, b = await _limiters(redis_url, 2, per_second=30, group_per_minute=3)
        sent: list[float] = []
        for limiter in (a, b, a):
            await _send(limiter, -100, sent)
        with pytest.raises(asyncio.TimeoutError):  # the group's fourth message this minute waits
            await asyncio.wait_for(_send(b, -100, sent), 1.0)
        await asyncio.wait_for(_send(b, -200, sent), 1.0)  # another group is not held up
        await asyncio.wait_for(_send(b, 42, sent), 1.0)  # nor a private chat
        assert len(sent) == 5
        await a.shutdown()
        await b.shutdown()

    asyncio.run(scenario())


def test_retry_after_pauses_every_sender(redis_url):
    async def scenario() -> tuple[float, float]:
        a, b = await _limiters(redis_url, 2)
        sent_a: list[float] = []
        sent_b: list[float] = []
        start = time.monotonic()
        first = asyncio.create_task(_send(a, 1, sent_a, fail_first=[1]))  # Telegram: retry after 1 s
        await asyncio.sleep(0.3)
        await _send(b, 2, sent_b)  # another process, another chat: it waits too
        await first
        await a.shutdown()
        await b.shutdown()
        return sent_a[0] - start, sent_b[0] - start

    a_at, b_at = asyncio.run(scenario())
    assert a_at >= 1.0 and b_at >= 1.0
