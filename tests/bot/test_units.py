"""The bot's pure parts: links in messages, cache keys, rate limits, token redaction, storage."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from telegram import Message, MessageEntity

from bot.runtime import RedactSecrets, api_urls
from bot.inputs import cache_key, links_from_entities, looks_like_article, message_links, normalize_link
from bot.ratelimit import RateLimiter
from bot.storage import ChatSettings, Storage
from summarizer.types import Brief

from . import articles


def test_links_from_url_and_text_link_entities() -> None:
    pairs = [
        (MessageEntity("url", 0, 11), "example.org"),
        (MessageEntity("text_link", 12, 4, url="https://news.example/a?id=1"), "here"),
        (MessageEntity("mention", 17, 5), "@abcd"),
        (MessageEntity("url", 23, 19), "https://example.org"),
        (MessageEntity("text_link", 43, 4, url="tg://user?id=1"), "user"),
    ]
    assert links_from_entities(pairs, limit=5) == [
        "http://example.org", "https://news.example/a?id=1", "https://example.org"]
    assert links_from_entities(pairs, limit=1) == ["http://example.org"]


def test_message_links_use_utf16_offsets_and_captions() -> None:
    text = "🗞️ Budget news: https://a.example/x and more"
    offset = len("🗞️ Budget news: ".encode("utf-16-le")) // 2
    message = Message.de_json({"message_id": 1, "date": 0, "chat": {"id": 1, "type": "private"},
                               "caption": text, "caption_entities": [
                                   {"type": "url", "offset": offset, "length": len("https://a.example/x")}]}, None)
    assert message_links(message, 3) == ["https://a.example/x"]


def test_normalize_link() -> None:
    assert normalize_link("Example.org/a") == "http://Example.org/a"
    assert normalize_link("mailto:a@b.c") is None
    assert normalize_link("ftp://files.example/x") is None


def test_cache_key_ignores_what_does_not_change_the_article() -> None:
    a = cache_key("HTTPS://News.Example:443/story?id=7&utm_source=tg#top", "normal")
    b = cache_key("https://news.example/story?fbclid=x&id=7", "normal")
    assert a == b
    assert cache_key("https://news.example/story?id=8", "normal") != a
    assert cache_key("https://news.example/story?id=7", "short") != a


def test_looks_like_article() -> None:
    assert looks_like_article(articles.pasted_text(), 400)
    assert not looks_like_article("hello, can you help me?", 400)
    assert not looks_like_article("word " * 200, 400)  # long, but no sentences


def test_rate_limiter_per_user_and_per_chat() -> None:
    now = [0.0]
    limiter = RateLimiter(user_rate=2, chat_rate=3, window_s=60, clock=lambda: now[0])
    assert limiter.allow(1, 100) and limiter.allow(1, 100)
    assert not limiter.allow(1, 100)  # user limit
    assert limiter.allow(2, 100)
    assert not limiter.allow(3, 100)  # chat limit
    now[0] = 61
    assert limiter.allow(1, 100)


def test_token_is_redacted_from_logs() -> None:
    token = "123456:ABC-def_ghi"
    redact = RedactSecrets(token)
    logger = logging.getLogger("test.redact")
    record = logger.makeRecord("test.redact", logging.INFO, __file__, 1,
                               "POST %s failed", (f"https://api.telegram.org/bot{token}/getMe",), None)
    redact.filter(record)
    assert token not in record.getMessage()
    other = logger.makeRecord("x", logging.INFO, __file__, 1, "url bot987654:QWERTY_uiop-1/sendMessage", None, None)
    redact.filter(other)
    assert "QWERTY" not in other.getMessage()
    try:
        raise RuntimeError(f"bad url https://api.telegram.org/bot{token}/x")
    except RuntimeError:
        failed = logger.makeRecord("x", logging.ERROR, __file__, 1, "boom", None, sys.exc_info())
    redact.filter(failed)
    assert token not in logging.Formatter().format(failed)


def test_api_urls() -> None:
    assert api_urls("http://127.0.0.1:8081") == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")
    assert api_urls("http://127.0.0.1:8081/bot/") == ("http://127.0.0.1:8081/bot", "http://127.0.0.1:8081/file/bot")


def test_storage_jobs_updates_cache_and_settings(tmp_path: Path) -> None:
    storage = Storage(tmp_path / "b.sqlite3")
    job, new = storage.add_job(10, 0, 5, 3, {"url": "https://a.example/"}, "normal")
    again, new_again = storage.add_job(10, 0, 5, 3, {"url": "https://a.example/"}, "normal")
    assert new and not new_again and again.id == job.id
    storage.set_status_message(job.id, 4)
    assert [j.status_message_id for j in storage.pending_jobs()] == [4]
    storage.mark_job_done(job.id)
    assert storage.pending_jobs() == []

    storage.record_update(10, "{}")
    storage.record_update(10, "{}")
    assert storage.unfinished_updates() == ["{}"] and not storage.update_done(10)
    storage.mark_update_done(10)
    assert storage.update_done(10) and storage.unfinished_updates() == []

    brief = Brief(id=None, title="T", site=None, url="https://a.example/", published=None, language="en",
                  text="long body", summary=["One."])
    storage.cache_brief("k", brief, ttl_s=60)
    assert storage.cached_brief("k").summary == ["One."]
    assert storage.cached_brief("k", now=10**12) is None  # expired

    assert storage.chat_settings(5, "normal") == ChatSettings("normal", False)
    storage.save_chat_settings(5, ChatSettings("long", True))
    assert storage.chat_settings(5, "normal") == ChatSettings("long", True)


def test_engine_isolation_is_on_by_default() -> None:
    from summarizer.settings import load_settings

    settings = load_settings(env={})
    assert settings.bot.isolate_engine and settings.bot.engine_memory_mb == 1024


def test_a_teaser_brief_tells_the_chat_only_the_teaser_was_read() -> None:
    from bot.delivery import brief_messages

    teaser = Brief(id=None, title="Council votes on pier", site="Gazette", url="https://news.example/a",
                   published=None, language="en", text="The council voted on the pier.",
                   summary=["The council voted on the pier."], paywalled=True)
    (message,) = brief_messages(Brief.from_dict(teaser.to_dict()), "ru")  # as stored and sent by a worker
    assert "<i>Only the free teaser of this article could be read.</i>" in message
    teaser.paywalled = False
    assert "teaser" not in brief_messages(teaser, "en")[0]
