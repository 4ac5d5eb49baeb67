"""What a page says about itself outside its visible body: structured data, paywall signals, drop caps.

- ``structured_data(html)`` reads the page's JSON-LD (``<script type="application/ld+json">``)
  and embedded-state scripts (``<script type="application/json">``, e.g. Next.js'
  ``__NEXT_DATA__``): the article body (``articleBody``; in state, the longest prose string
  under a body-like key), the publisher's name, ``isAccessibleForFree`` and ``wordCount``.
- ``join_drop_caps(html)`` rejoins a drop cap — a one-letter element styled as an initial
  (``<span class="dropcap">T</span>urkey``) — with the rest of its word, so the extractor
  does not lose or split the letter.

Both read untrusted pages, so both are bounded: a fixed number of scripts of bounded size,
JSON walked to a bounded number of nodes, and scans with ``str.find`` or linear patterns.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

from .textrules import CUT_AFTER_SENTENCE, clean_line

MAX_SCRIPTS = 30
MAX_SCRIPT_CHARS = 2_000_000
MAX_JSON_NODES = 50_000
# Keys under which embedded state keeps an article's text.
_BODY_KEYS = frozenset({"articlebody", "body", "bodytext", "content", "text", "articletext", "story", "html"})
_SCRIPT_OPEN = re.compile(r"<script\b", re.IGNORECASE)
_SCRIPT_CLOSE = re.compile(r"</script", re.IGNORECASE)
_JSON_TYPE = re.compile(r"""type\s*=\s*["']?application/(ld\+json|json)""", re.IGNORECASE)
_TAG = re.compile(r"<[^<>]{0,2000}>")


@dataclass
class StructuredData:
    body: str | None = None  # the article text found in structured data (tags removed)
    publisher: str | None = None
    free: bool | None = None  # isAccessibleForFree, when the page says
    word_count: int | None = None


def _json_scripts(html: str) -> list[tuple[str, str]]:
    """(kind, content) of the page's JSON scripts: kind "ld+json" or "json"."""
    found: list[tuple[str, str]] = []
    pos = 0
    while len(found) < MAX_SCRIPTS:
        m = _SCRIPT_OPEN.search(html, pos)
        if not m:
            break
        tag_end = html.find(">", m.end())
        if tag_end < 0:
            break
        close_match = _SCRIPT_CLOSE.search(html, tag_end)
        if not close_match:
            break  # no script ends after this point: nothing more to read
        close = close_match.start()
        kind = _JSON_TYPE.search(html, m.end(), tag_end)
        if kind and close - tag_end <= MAX_SCRIPT_CHARS:
            found.append((kind.group(1).lower(), html[tag_end + 1 : close]))
        pos = close + 8
    return found


def _walk(value, budget: list[int]):
    """Every (key, value) pair in a JSON value, depth first, at most ``budget[0]`` nodes."""
    stack = [(None, value)]
    while stack and budget[0] > 0:
        key, node = stack.pop()
        budget[0] -= 1
        yield key, node
        if isinstance(node, dict):
            stack.extend(reversed(list(node.items())))
        elif isinstance(node, list):
            stack.extend((key, item) for item in reversed(node))


def _text_of(value: str) -> str:
    """A JSON string as plain paragraphs: tags dropped, block ends and <br> made line breaks."""
    if "<" not in value:
        return value
    value = re.sub(r"(?i)</(?:p|div|h[1-6]|li|blockquote)\s*>|<br\s*/?>", "\n", value)
    import html as html_lib

    return html_lib.unescape(_TAG.sub("", value))


def _prose_chars(text: str) -> int:
    return len(text) if len(CUT_AFTER_SENTENCE.findall(text)) >= 3 else 0


def _is_false(value) -> bool:
    return value is False or (isinstance(value, str) and value.strip().lower() == "false")


def structured_data(html: str) -> StructuredData:
    data = StructuredData()
    budget = [MAX_JSON_NODES]
    state_body = ""
    for kind, content in _json_scripts(html):
        try:
            value = json.loads(content)
        except ValueError:
            continue
        for key, node in _walk(value, budget):
            lowered = key.lower() if isinstance(key, str) else ""
            if lowered == "publisher" and isinstance(node, (dict, str)) and data.publisher is None:
                name = node.get("name") if isinstance(node, dict) else node
                if isinstance(name, str) and clean_line(name):
                    data.publisher = clean_line(name)[:100]
            if isinstance(node, dict):
                if data.free is None or data.free:
                    free = node.get("isAccessibleForFree")
                    if free is not None:
                        data.free = not _is_false(free)
            elif lowered == "articlebody" and isinstance(node, str) and kind == "ld+json":
                text = _text_of(node)
                if len(text) > len(data.body or ""):
                    data.body = text
            elif lowered == "wordcount" and data.word_count is None:
                try:
                    data.word_count = int(node)
                except (TypeError, ValueError):
                    pass
            elif kind == "json" and lowered in _BODY_KEYS and isinstance(node, str) and len(node) > len(state_body):
                text = _text_of(node)
                if _prose_chars(text) > len(state_body):
                    state_body = text
    if not data.body and state_body:
        data.body = state_body
    return data


# ------------------------------------------------------------------------------ drop caps

_DROP_CAP_CLASS = re.compile(r"drop-?cap|initial-?letter|first-?letter|\binitial\b", re.IGNORECASE)
MAX_DROP_CAPS = 20


def join_drop_caps(html: str) -> str:
    """``<span class="dropcap">T</span>urkey`` -> ``Turkey``: the letter's element is unwrapped
    when it holds one or two letters and the word goes on right after it."""
    edits: list[tuple[int, int, str]] = []
    pos = 0
    while len(edits) < MAX_DROP_CAPS:
        m = _DROP_CAP_CLASS.search(html, pos)
        if not m:
            break
        pos = m.end()
        tag_start = html.rfind("<", max(0, m.start() - 500), m.start())
        tag_end = html.find(">", m.end(), m.end() + 500)
        if tag_start < 0 or tag_end < 0 or ">" in html[tag_start:m.start()]:
            continue
        name = re.match(r"<(\w{1,10})", html[tag_start : tag_start + 12])
        close = html.find("<", tag_end, tag_end + 10)
        if not name or close < 0:
            continue
        letters = html[tag_end + 1 : close].strip()
        closing = f"</{name.group(1)}>"
        after = close + len(closing)
        if (not 1 <= len(letters) <= 2 or not letters.isalpha()
                or html[close : after].lower() != closing.lower() or not html[after : after + 1].isalpha()):
            continue
        edits.append((tag_start, after, letters))
        pos = after
    if not edits:
        return html
    out, last = [], 0
    for start, end, letters in edits:
        out.append(html[last:start])
        out.append(letters)
        last = end
    out.append(html[last:])
    return "".join(out)
