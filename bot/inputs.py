"""Pure functions that decide what a message asks the bot to brief."""

from __future__ import annotations

import re
from typing import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from telegram import Message, MessageEntity

# Query parameters that only track the click; dropping them lets the cache see one article.
TRACKING_PARAMS = re.compile(r"^(utm_[a-z]+|fbclid|gclid|yclid|mc_cid|mc_eid|igshid|ref_src)$", re.IGNORECASE)
_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)


def normalize_link(raw: str) -> str | None:
    """An http(s) URL from what Telegram marked as a link ("example.com/a" gets "http://"), else None."""
    raw = raw.strip()
    if not raw or raw.lower().startswith(("mailto:", "tg:", "tel:")):
        return None
    if not _SCHEME.match(raw):
        raw = "http://" + raw
    parts = urlsplit(raw)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return raw


def cache_key(url: str, length: str) -> str:
    """The same article asked for twice gets the same key: case, default ports, fragments and
    tracking parameters do not matter; the summary length does."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:  # "example.com:99999": the engine refuses it; the key only needs to be stable
        return f"{length} {url}"
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    path = parts.path or "/"
    return f"{length} {urlunsplit((scheme, netloc, path, query, ''))}"


def links_from_entities(entities: Iterable[tuple[MessageEntity, str]], limit: int) -> list[str]:
    """Links in message order, without repeats, at most ``limit``: ``url`` entities (the text
    itself) and ``text_link`` entities (the hidden URL behind the words)."""
    links: list[str] = []
    for entity, text in entities:
        if entity.type == MessageEntity.URL:
            link = normalize_link(text)
        elif entity.type == MessageEntity.TEXT_LINK and entity.url:
            link = normalize_link(entity.url)
        else:
            continue
        if link and link not in links:
            links.append(link)
    return links[:limit]


def message_text(message: Message) -> str:
    return message.text or message.caption or ""


def message_links(message: Message, limit: int) -> list[str]:
    """Links of a message, a forwarded post or a media caption (entity offsets are UTF-16,
    which ``parse_entities`` handles)."""
    pairs = list(message.parse_entities().items()) + list(message.parse_caption_entities().items())
    pairs.sort(key=lambda pair: pair[0].offset)
    return links_from_entities(pairs, limit)


def looks_like_article(text: str, min_chars: int) -> bool:
    """Long enough, and made of sentences rather than one long line of words."""
    text = text.strip()
    if len(text) < min_chars:
        return False
    sentences = re.findall(r"[.!?…](\s|$)", text)
    return len(sentences) >= 3


def mentions_user(message: Message, username: str) -> bool:
    """Whether a message mentions @username (case-insensitive), as a mention entity."""
    wanted = "@" + username.lower()
    for entity, text in list(message.parse_entities().items()) + list(message.parse_caption_entities().items()):
        if entity.type == MessageEntity.MENTION and text.lower() == wanted:
            return True
    return False

