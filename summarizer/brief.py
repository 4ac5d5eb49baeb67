"""The pipeline: fetch -> extract -> analyze (summary, speakers) -> Brief.

``make_brief`` never raises for bad input: a failure becomes ``Brief.error`` with a
stable code, so the CLI, ``batch`` and the bot all report errors the same way.
"""

from __future__ import annotations

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Iterator

from .errors import BriefError
from .settings import Settings
from .types import Article, Brief, ErrorInfo

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Source:
    """What to brief: pasted ``text``, a page's ``html`` (with its ``url`` if known), or a ``url`` to fetch."""

    text: str | None = None
    html: str | None = None
    url: str | None = None


@contextmanager
def _timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    t0 = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = round((time.perf_counter() - t0) * 1000, 1)


def load_article(source: Source, settings: Settings, timings: dict[str, float] | None = None) -> Article:
    """Fetch (when needed) and extract: the article text the analysis will run on."""
    from .extract import extract_article, extract_pasted_text

    timings = {} if timings is None else timings
    html, url = source.html, source.url
    if source.text is None and html is None:
        if not url:
            raise BriefError("bad_source", "Nothing to brief: no text, HTML or URL given.")
        from .fetch import fetch_page  # httpx is imported only when there is something to fetch

        with _timed(timings, "fetch"):
            page = fetch_page(url, settings.fetch)
        html, url = page.html, page.final_url
    with _timed(timings, "extract"):
        if html is not None:
            article = extract_article(html, url, settings.extract)
        else:
            article = extract_pasted_text(source.text or "", settings.extract)
    return article


def analyze(article: Article, settings: Settings, *, length: str | None = None, id: str | None = None,
            timings: dict[str, float] | None = None) -> Brief:
    """Run the article's language's models on it: one parse shared by both analyses.

    The language is detected from the text (``languages.detect``) and sets ``article.language``;
    a language without a pipeline is refused with ``unsupported_language``.
    """
    from .languages import detect_language, pipeline_for

    timings = {} if timings is None else timings
    article.language = detect_language(article.text, article.language)
    pipeline = pipeline_for(article.language)
    with _timed(timings, "parse"):
        doc = pipeline.parse(article.text, settings)
    with _timed(timings, "summarize"):
        summary = pipeline.summarize(doc, article.title, settings, length=length)
    speakers = []
    if settings.speakers.enabled:
        with _timed(timings, "speakers"):
            speakers = pipeline.attribute(doc, settings.speakers)
    return Brief(
        id=id,
        title=article.title,
        site=article.site,
        url=article.url,
        published=article.published,
        language=article.language,
        text=article.text,
        summary=summary,
        speakers=speakers,
        timings_ms=timings,
    )


def make_brief(source: Source, settings: Settings, *, id: str | None = None, length: str | None = None) -> Brief:
    """The whole pipeline for one source. Errors are returned in ``Brief.error``, never raised."""
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    article = None
    try:
        article = load_article(source, settings, timings)
        brief = analyze(article, settings, length=length, id=id, timings=timings)
    except BriefError as exc:
        brief = Brief.failed(id, source.url, exc.info())
        brief.language = article.language if article is not None else None
    except Exception:  # a bug or a model failure: logged in full, reported in one line
        log.exception("engine failed on %s", id or source.url or "input")
        brief = Brief.failed(id, source.url, ErrorInfo("engine_failed", BriefError("engine_failed").message))
    timings["total"] = round((time.perf_counter() - t0) * 1000, 1)
    brief.timings_ms = timings
    return brief
