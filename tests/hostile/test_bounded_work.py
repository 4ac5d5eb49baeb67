"""A hostile page or text must not flood the chat or tie up a worker.

Measured on this project's 2-core box (load ~7 from parallel work), before any fix:
* a 4.6 MB page of 150,000 tiny paragraphs: extract_article took 129-167 s (trafilatura runs
  twice, its time grows faster than linearly: 1.2 MB took 10 s a pass), then answered
  no_article_text; 150,000 links: 55-107 s. Both pages are under fetch.max_bytes, so any link
  can cost that much, longer than the bot's job_timeout_s (120 s).
* og:title / og:site_name of 9,000-10,000 characters: the brief's title and site are that long
  and the bot would send them as several messages.
* three 3,000-word sentences: the summary is one 10,884-character sentence (5 messages).

The tests below check bounds on what is done and shown, not time (no timed assertions).
"""

from __future__ import annotations

import pytest

from summarizer.brief import Source, make_brief
from summarizer.errors import BriefError
from summarizer.extract import extract_article
from summarizer.render import TELEGRAM_LIMIT, render_telegram_html, render_text, split_message
from summarizer.settings import load_settings
from summarizer.types import Brief

from . import pages

SETTINGS = load_settings(env={})

# Total HTML characters the HTML extractor may be handed for one page. Real article pages are
# rarely over 1-2 MB, and trafilatura's cost at 1.2 MB is already ~10 s per pass on this box.
MAX_PARSED_HTML_CHARS = 2_000_000

# The summary is 85 words by default; even when its one best sentence is over budget, a reader
# should not get more than a short paragraph.
MAX_SUMMARY_CHARS = 1500


def _many_paragraphs_page() -> str:
    return "<html><body><article>" + "<p>Short line of text here.</p>" * 150_000 + "</article></body></html>"


def test_html_extractor_is_given_a_bounded_amount_of_html(monkeypatch: pytest.MonkeyPatch) -> None:
    import trafilatura

    given: list[int] = []

    def spy(html, *args, **kwargs):  # no real parsing: only what would be parsed is measured
        given.append(len(html) if isinstance(html, str) else 0)
        return None

    monkeypatch.setattr(trafilatura, "bare_extraction", spy)
    page = _many_paragraphs_page()
    assert len(page.encode()) <= SETTINGS.fetch.max_bytes  # a page any link may serve
    with pytest.raises(BriefError):
        extract_article(page, "https://news.example/a", SETTINGS.extract)
    assert sum(given) <= MAX_PARSED_HTML_CHARS, given


def _flood_page() -> str:
    head = (f'<meta property="og:title" content="{"OG title " * 1000}">'
            f'<meta property="og:site_name" content="{"Coast Herald " * 800}">')
    return pages.ARTICLE_HTML.replace("</head>", head + "</head>")


def test_page_metadata_cannot_flood_the_chat() -> None:
    article = extract_article(_flood_page(), "https://coast.example/pier", SETTINGS.extract)
    brief = Brief(id=None, title=article.title, site=article.site, url=article.url, published=article.published,
                  language=None, text=article.text, summary=["The council voted to close the pier."])
    assert len(split_message(render_telegram_html(brief))) == 1
    assert len(render_text(brief)) <= TELEGRAM_LIMIT


def _giant_sentences() -> str:
    words = "council pier ferry town mayor harbour storm engineers vote budget report residents closure".split()
    return "\n\n".join(" ".join(words[(i * 7 + k) % len(words)] for i in range(3000)) + "." for k in range(3))


def test_summary_of_giant_sentences_is_bounded() -> None:
    brief = make_brief(Source(text=_giant_sentences()), SETTINGS)
    assert brief.error is None, brief.error
    assert all(s in brief.text for s in brief.summary)
    assert sum(len(s) for s in brief.summary) <= MAX_SUMMARY_CHARS, [len(s) for s in brief.summary]
