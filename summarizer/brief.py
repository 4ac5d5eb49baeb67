"""The pipeline: fetch -> extract -> analyze (summary, speakers) -> Brief.

``make_brief`` never raises for bad input: a failure becomes ``Brief.error`` with a
stable code, so the CLI, ``batch`` and the bot all report errors the same way.
"""

from __future__ import annotations

import logging
import re
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
    a language without a pipeline is refused with ``unsupported_language``. Speakers come first:
    their statements are what the summary leaves to "Who said what" (the summary says what
    happened, the statements who said what), ranked by salience so that a compact brief shows
    the most prominent first.
    """
    from .languages import detect_language, pipeline_for

    timings = {} if timings is None else timings
    article.language = detect_language(article.text, article.language)
    pipeline = pipeline_for(article.language)
    with _timed(timings, "parse"):
        doc = pipeline.parse(article.text, settings)
    speakers = []
    if settings.speakers.enabled:
        with _timed(timings, "speakers"):
            speakers = pipeline.attribute(doc, settings.speakers, article.title)
    statements = [(q.start, q.end) for sp in speakers for q in sp.quotes if q.shown]
    with _timed(timings, "summarize"):
        summary = pipeline.summarize(doc, article.title, settings, length=length, statements=statements)
    return Brief(
        id=id,
        title=article.title,
        site=source_name(article.site, article.url),
        url=article.url,
        published=article.published,
        language=article.language,
        text=article.text,
        summary=summary,
        speakers=speakers,
        timings_ms=timings,
        paywalled=article.paywalled,
    )


# Sites whose pages are posts, not publications: a link to one is no name for the source.
SOCIAL_HOSTS = ("facebook.com", "fb.com", "twitter.com", "x.com", "instagram.com", "t.me", "telegram.me",
                "youtube.com", "youtu.be", "tiktok.com", "linkedin.com", "vk.com", "reddit.com", "pinterest.com",
                "threads.net")
_LINK_LIKE = re.compile(r"://|^www\.|/|^@")


def source_name(site: str | None, url: str | None) -> str | None:
    """The source line's name: the site's name, or the article's host when the site is a link.

    Pages name themselves with a social-media profile ("https://www.facebook.com/CBSThisMorning")
    or a bare URL often enough; a reader wants to know the publication, which the host says.
    """
    from .extract import _host as host_of

    site = (site or "").strip() or None
    if site is None or not (_LINK_LIKE.search(site) or _is_social(site)):
        return site
    article_host = host_of(url)
    if article_host and not _is_social(article_host):
        return article_host
    if site.startswith("@"):  # a social-media handle names an account, not a site
        return None
    site_host = host_of(site if "://" in site else f"https://{site}")
    return site_host if site_host and "." in site_host and not _is_social(site_host) else None


def _is_social(name: str) -> bool:
    host = name.lower().split("://")[-1].split("/")[0].removeprefix("www.").removeprefix("m.")
    return any(host == h or host.endswith("." + h) for h in SOCIAL_HOSTS)


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
