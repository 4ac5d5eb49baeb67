"""Nothing from an article or a user reaches Telegram unescaped.

Hand-made hostile Briefs (every field an injection attempt), and briefs the real pipeline
makes from hostile pages, rendered with render_telegram_html and split as the bot sends them.
"""

from __future__ import annotations

import html
import re

import pytest

from summarizer.brief import Source, make_brief
from summarizer.render import render_telegram_html, render_text, split_message
from summarizer.settings import load_settings
from summarizer.types import Brief, ErrorInfo, Quote, Speaker

from . import pages
from .telegram_html import links, telegram_html_problems

SETTINGS = load_settings(env={})
EVIL = pages.INJECTION


def hostile_brief(url: str | None) -> Brief:
    quotes = [Quote(text=f'{EVIL} said "<b>x</b>"', direct=True, cue="<i>said</i>", start=0, end=0),
              Quote(text='</a><a href="http://evil.example">reported</a>', direct=False, cue="told", start=0, end=0)]
    return Brief(
        id="<id>", title=pages.HOSTILE_TITLE, site='<b>Evil</b> News" onclick="x', url=url, published="2024-03-06",
        language="<en>", text=EVIL, summary=[EVIL, "Second <i>sentence</i> & more.", "</b></i></a>"],
        speakers=[Speaker(name='<a href="http://evil.example">Mayor</a>', role="</b><script>", quotes=quotes),
                  Speaker(name="&lt;already escaped&gt;", role=None, quotes=quotes[:1])],
    )


def visible(chunks: list[str]) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", "".join(chunks)))


@pytest.mark.parametrize("url, expected_links", [
    ("https://news.example/pier?a=1&b=2", ["https://news.example/pier?a=1&b=2"]),
    (None, []),
    ("javascript:alert(1)", []),
    ('https://news.example/"><script>alert(1)</script>', []),
    ("https://news.example/<b>", []),
    ("tg://user?id=1", []),
    ("data:text/html,<script>alert(1)</script>", []),
    ("https://news.example/ space", []),
])
def test_hostile_brief_renders_as_plain_words(url: str | None, expected_links: list[str]) -> None:
    brief = hostile_brief(url)
    chunks = split_message(render_telegram_html(brief))
    for chunk in chunks:
        assert telegram_html_problems(chunk) == [], chunk
    assert [href for c in chunks for href in links(c)] == expected_links
    text = visible(chunks)
    # The hostile strings are shown to the reader as the literal characters they are.
    assert pages.HOSTILE_TITLE in text
    assert '<a href="http://evil.example">Mayor</a>' in text
    assert "&lt;already escaped&gt;" in text  # escaped once, so it reads exactly as written
    assert "<script>alert(1)</script>" in text
    assert "<script" not in "".join(chunks)


def test_error_reply_never_echoes_the_message_or_input() -> None:
    brief = Brief.failed(None, "javascript:alert(1)", ErrorInfo("bad_url", f"Not an http(s) URL: {EVIL!r}"))
    rendered = render_telegram_html(brief)
    assert telegram_html_problems(rendered) == []
    assert "alert" not in rendered and "<" not in rendered
    assert render_text(brief).startswith("Error (bad_url)")


@pytest.fixture(scope="module")
def hostile_page_brief() -> Brief:
    brief = make_brief(Source(html=pages.HOSTILE_HTML, url="https://news.example/parking?x=1&y=2"), SETTINGS)
    assert brief.error is None, brief.error
    return brief


def test_brief_of_a_hostile_page_keeps_its_words_and_escapes_them(hostile_page_brief: Brief) -> None:
    brief = hostile_page_brief
    assert brief.title and "<script>alert(1)</script>" in brief.title
    rendered = render_telegram_html(brief)
    chunks = split_message(rendered)
    for chunk in chunks:
        assert telegram_html_problems(chunk) == [], chunk
    assert [href for c in chunks for href in links(c)] == ["https://news.example/parking?x=1&y=2"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered and "<script" not in rendered
    assert brief.title in visible(chunks)


def test_brief_of_hostile_pasted_text_is_safe() -> None:
    brief = make_brief(Source(text=pages.INJECTION_TEXT), SETTINGS)
    assert brief.error is None, brief.error
    for chunk in split_message(render_telegram_html(brief)):
        assert telegram_html_problems(chunk) == [], chunk
        assert links(chunk) == []
    for speaker in brief.speakers:
        for q in speaker.quotes:
            assert brief.text[q.start:q.end] == q.text


@pytest.mark.parametrize("field", ["title", "site", "name"])
def test_line_breaks_inside_inline_fields_keep_tags_balanced(field: str) -> None:
    long_lines = ("Word " * 500 + "\n") * 3
    brief = Brief(id=None, title=long_lines if field == "title" else "T", site=long_lines if field == "site" else "S",
                  url="https://news.example/a", published=None, language=None, text="", summary=["A sentence."],
                  speakers=[Speaker(name=long_lines if field == "name" else "Linda Okafor", role=None,
                                    quotes=[Quote(text="We will", direct=True, cue="said", start=0, end=0)])])
    for chunk in split_message(render_telegram_html(brief)):
        assert telegram_html_problems(chunk) == [], chunk[:80]
