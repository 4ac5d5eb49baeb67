"""Sliding-window rate limits: at most N briefs per user and per chat in a window."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Callable


class RateLimiter:
    def __init__(self, user_rate: int, chat_rate: int, window_s: float,
                 clock: Callable[[], float] = time.monotonic):
        self.user_rate = user_rate
        self.chat_rate = chat_rate
        self.window_s = window_s
        self.clock = clock
        self._users: dict[int, deque[float]] = defaultdict(deque)
        self._chats: dict[int, deque[float]] = defaultdict(deque)

    def _fresh(self, stamps: deque[float], now: float) -> deque[float]:
        while stamps and stamps[0] <= now - self.window_s:
            stamps.popleft()
        return stamps

    def allow(self, user_id: int | None, chat_id: int) -> bool:
        """Count one brief for this user and chat if both are under their limit."""
        now = self.clock()
        chat = self._fresh(self._chats[chat_id], now)
        user = self._fresh(self._users[user_id], now) if user_id is not None else None
        if len(chat) >= self.chat_rate or (user is not None and len(user) >= self.user_rate):
            return False
        chat.append(now)
        if user is not None:
            user.append(now)
        return True
