"""A strict checker for the Telegram HTML the bot sends (parse_mode=HTML).

Stricter than Telegram itself: only the tags our renderer uses (<b>, <i>, <a href="http(s)://...">)
are allowed, every tag is closed within the same message, and every '&' starts one of the
entities html.escape produces. Anything else means text from an article or a user leaked
into the markup.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from summarizer.render import TELEGRAM_LIMIT, utf16_len

ALLOWED_TAGS = {"b", "i", "a"}
_ENTITY = re.compile(r"&(amp|lt|gt|quot|#x27|#39);")
_TAG = re.compile(r"<[^>]*>")


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=False)
        self.problems: list[str] = []
        self.stack: list[str] = []
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}> is not allowed")
        if tag == "a":
            if [k for k, _ in attrs] != ["href"] or not re.match(r"^https?://", attrs[0][1] or "", re.I):
                self.problems.append(f"link attributes {attrs!r} are not a single http(s) href")
            else:
                self.hrefs.append(attrs[0][1] or "")
        elif attrs:
            self.problems.append(f"<{tag}> has attributes {attrs!r}")
        if tag in self.stack:
            self.problems.append(f"<{tag}> nested in itself")
        self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.problems.append(f"self-closing <{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> does not close the open tag ({self.stack})")
        else:
            self.stack.pop()

    def handle_comment(self, data: str) -> None:
        self.problems.append("comment")

    def handle_decl(self, decl: str) -> None:
        self.problems.append("declaration")

    def handle_pi(self, data: str) -> None:
        self.problems.append("processing instruction")

    def unknown_decl(self, data: str) -> None:
        self.problems.append("unknown declaration")


def telegram_html_problems(chunk: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """What is wrong with one message of Telegram HTML; [] when it is safe to send."""
    problems = []
    if utf16_len(chunk) > limit:  # the whole message, markup included: stricter than Telegram
        problems.append(f"{utf16_len(chunk)} UTF-16 code units > {limit}")
    checker = _Checker()
    checker.feed(chunk)
    checker.close()
    problems += checker.problems
    if checker.stack:
        problems.append(f"unclosed tags {checker.stack}")
    text = _TAG.sub("", chunk)
    if "<" in text or ">" in text:
        problems.append("a raw '<' or '>' outside a tag")
    for m in re.finditer("&", text):
        if not _ENTITY.match(text, m.start()):
            problems.append(f"a raw '&' at {m.start()}: {text[m.start():m.start() + 10]!r}")
            break
    return problems


def links(chunk: str) -> list[str]:
    checker = _Checker()
    checker.feed(chunk)
    return checker.hrefs
