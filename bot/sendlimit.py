"""Telegram's send limits for the whole bot, shared by every process through Redis.

Telegram allows a bot about 30 messages per second overall and 20 per minute into one group,
and answers a burst beyond that with 429 "retry after N seconds". With several workers on
several machines, per-process limiters would each allow the full rate; this one keeps the
counts in Redis:

- a sliding log per limit (a sorted set of send times, on the Redis server's clock): the
  global log and, for a group (negative chat id), that group's log; a send goes ahead only when
  both have room, and both are updated in one script, so concurrent senders never overshoot;
- a 429 from Telegram sets a shared pause (``retry_after`` seconds) that every sender waits
  out before its next request, not only the one that was told.

It plugs into python-telegram-bot as a ``BaseRateLimiter`` (``ExtBot(rate_limiter=...)``), so
every request of the bot passes through it; only requests that post into a chat are counted.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import os
from typing import Any, Callable, Coroutine

import redis.asyncio as aioredis
from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

log = logging.getLogger(__name__)

PREFIX = "briefbot:send:"
PAUSE_KEY = PREFIX + "pause"
GLOBAL_KEY = PREFIX + "all"
# Methods that put or change a message in a chat; the rest (getUpdates, getMe, answerCallbackQuery,
# sendChatAction, ...) are not what Telegram's per-chat limits count.
COUNTED = {"sendMessage", "editMessageText", "sendPhoto", "sendDocument", "copyMessage", "forwardMessage"}
MAX_RETRIES = 5

# Returns 0 when the send may go now (and counts it), else the milliseconds to wait.
# KEYS: pause, global log[, group log]; ARGV: global limit, global window ms, member[, group limit, group window ms]
ACQUIRE = """
local pause = redis.call('PTTL', KEYS[1])
if pause > 0 then return pause end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local wait = 0
local function room(key, limit, window)
  redis.call('ZREMRANGEBYSCORE', key, '-inf', now - window)
  if redis.call('ZCARD', key) < limit then return 0 end
  local oldest = redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')
  return tonumber(oldest[2]) + window - now + 1
end
wait = math.max(wait, room(KEYS[2], tonumber(ARGV[1]), tonumber(ARGV[2])))
if KEYS[3] then wait = math.max(wait, room(KEYS[3], tonumber(ARGV[4]), tonumber(ARGV[5]))) end
if wait > 0 then return wait end
redis.call('ZADD', KEYS[2], now, ARGV[3])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
if KEYS[3] then
  redis.call('ZADD', KEYS[3], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ARGV[5])
end
return 0
"""


class RedisSendLimiter(BaseRateLimiter[int]):
    """At most ``per_second`` counted requests per second for the whole bot and ``group_per_minute``
    per group, across all processes sharing ``redis_url``; a 429 pauses every sender."""

    def __init__(self, redis_url: str, per_second: float = 30.0, group_per_minute: float = 20.0):
        self.redis_url = redis_url
        self.per_second = per_second
        self.group_per_minute = group_per_minute
        self._redis: aioredis.Redis | None = None
        self._acquire: Any = None
        self._members = itertools.count()
        self._me = f"{os.uname().nodename}:{os.getpid()}:{os.urandom(4).hex()}"  # unique per limiter

    async def initialize(self) -> None:
        self._redis = aioredis.Redis.from_url(self.redis_url)
        self._acquire = self._redis.register_script(ACQUIRE)

    async def shutdown(self) -> None:
        if self._redis is not None:
            await self._redis.aclose()
            self._redis = None

    async def wait_for_turn(self, chat_id: int | None) -> None:
        """Wait until one more message may be sent (to ``chat_id``), and count it."""
        keys = [PAUSE_KEY, GLOBAL_KEY]
        # A window of 1 s holding per_second sends; fractional rates stretch the window instead.
        args: list[Any] = [max(1, int(self.per_second)), int(1000 * max(1, int(self.per_second)) / self.per_second)]
        args.append(f"{self._me}:{next(self._members)}")
        if chat_id is not None and chat_id < 0:  # groups, supergroups and channels
            keys.append(f"{PREFIX}chat:{chat_id}")
            limit = max(1, int(self.group_per_minute))
            args += [limit, int(60_000 * limit / self.group_per_minute)]
        while True:
            wait_ms = await self._acquire(keys=keys, args=args)
            if not wait_ms:
                return
            await asyncio.sleep(int(wait_ms) / 1000)

    async def wait_out_pause(self) -> None:
        assert self._redis is not None
        while (left_ms := await self._redis.pttl(PAUSE_KEY)) > 0:
            await asyncio.sleep(left_ms / 1000)

    async def pause_everyone(self, seconds: float) -> None:
        """Telegram said "retry after": no process sends before then (an existing longer pause stays)."""
        assert self._redis is not None
        ms = int(seconds * 1000) + 100
        current = await self._redis.pttl(PAUSE_KEY)
        if current is None or current < ms:
            await self._redis.set(PAUSE_KEY, 1, px=ms)

    async def process_request(self, callback: Callable[..., Coroutine[Any, Any, Any]], args: Any,
                              kwargs: dict[str, Any], endpoint: str, data: dict[str, Any],
                              rate_limit_args: int | None) -> Any:
        counted = endpoint in COUNTED
        chat_id = _int_or_none(data.get("chat_id"))
        for attempt in range(MAX_RETRIES + 1):
            if counted:
                await self.wait_for_turn(chat_id)
            else:
                await self.wait_out_pause()
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                seconds = exc.retry_after.total_seconds() if hasattr(exc.retry_after, "total_seconds") \
                    else float(exc.retry_after)
                log.info("Telegram asked to wait %.1fs (%s); every sender pauses", seconds, endpoint)
                await self.pause_everyone(seconds)
                if attempt == MAX_RETRIES:
                    raise
        raise AssertionError("unreachable")


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
