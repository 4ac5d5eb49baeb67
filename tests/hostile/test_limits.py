"""The fetch and extract limits hold against a hostile server: size, decompression, redirects,
time, addresses, and the amount of text the models are given."""

from __future__ import annotations

import tracemalloc

import pytest

from summarizer import models
from summarizer.brief import Source, make_brief
from summarizer.errors import BriefError
from summarizer.extract import extract_article, extract_pasted_text
from summarizer.fetch import fetch_page
from summarizer.settings import FetchSettings, load_settings

from . import pages, server
from .server import hostile_server

SETTINGS = load_settings(env={})
LOCAL = FetchSettings(allow_addresses=["127.0.0.1"], timeout_s=0.6, total_timeout_s=1.5, max_bytes=200_000)


@pytest.fixture(scope="module")
def base() -> str:
    with hostile_server() as url:
        yield url


def _code(url: str, settings: FetchSettings) -> str:
    with pytest.raises(BriefError) as info:
        fetch_page(url, settings)
    return info.value.code


def test_endless_body_is_cut_at_the_cap_while_streaming(base: str) -> None:
    """The client stops reading at max_bytes: the server never gets to finish its 14 MB."""
    before = server.FINISHED["/endless"]
    assert _code(f"{base}/endless", LOCAL) == "too_large"
    assert server.FINISHED["/endless"] == before


def test_declared_length_over_the_cap_is_refused_before_reading(base: str) -> None:
    assert _code(f"{base}/lying-length", LOCAL) == "too_large"


@pytest.mark.parametrize("path", ["/gzip-bomb", "/deflate-bomb"])
def test_decompression_bomb_stops_at_the_cap_without_filling_memory(base: str, path: str) -> None:
    """60 MB (or 30 MB) decoded from ~60 KB: refused at max_bytes of output, memory stays small."""
    settings = FetchSettings(allow_addresses=["127.0.0.1"], timeout_s=2, total_timeout_s=5,
                             max_bytes=SETTINGS.fetch.max_bytes)
    tracemalloc.start()
    try:
        assert _code(f"{base}{path}", settings) == "too_large"
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 4 * settings.max_bytes, f"peak {peak:,} bytes while decoding a bomb"


def test_a_gzipped_page_within_the_cap_is_read(base: str) -> None:
    page = fetch_page(f"{base}/article.gz", LOCAL)
    assert "Linda Okafor" in page.html


def test_redirect_loop_stops_after_max_redirects(base: str) -> None:
    before = server.HITS["/loop"]
    assert _code(f"{base}/loop", LOCAL) == "too_many_redirects"
    assert server.HITS["/loop"] - before == LOCAL.max_redirects + 1


def test_a_short_redirect_chain_is_followed(base: str) -> None:
    page = fetch_page(f"{base}/hop1", LOCAL)
    assert page.final_url.endswith("/article") and "Linda Okafor" in page.html


def test_every_redirect_hop_is_checked(base: str) -> None:
    for path in ("/to-private", "/to-metadata", "/to-loopback-alias"):
        assert _code(f"{base}{path}", LOCAL) == "blocked_address"


@pytest.mark.parametrize("path", ["/slow", "/drip"])
def test_slow_servers_hit_the_timeouts(base: str, path: str) -> None:
    assert _code(f"{base}{path}", LOCAL) == "fetch_timeout"


def test_loopback_and_private_addresses_are_refused_by_default(base: str) -> None:
    """With production settings (empty allow list) the local server is unreachable."""
    assert SETTINGS.fetch.allow_addresses == []
    assert _code(f"{base}/article", SETTINGS.fetch) == "blocked_address"
    for url in ("http://127.0.0.1/", "http://10.1.2.3/", "http://172.16.0.1/", "http://192.168.1.1/",
                "http://169.254.169.254/", "http://[::1]/", "http://[fe80::1]/", "http://[fd00::1]/",
                "http://0.0.0.0/", "http://[::ffff:127.0.0.1]/", "http://0x7f.1/", "http://017700000001/",
                "http://100.64.0.1/"):
        assert _code(url, SETTINGS.fetch) == "blocked_address", url


def test_pasted_and_page_text_is_cut_to_max_chars() -> None:
    huge = (pages.ARTICLE_TEXT + "\n\n") * 3000  # ~4 MB
    assert len(extract_pasted_text(huge, SETTINGS.extract).text) <= SETTINGS.extract.max_chars
    more = "".join(f"<p>Paragraph {i}: " + "and the story goes on. " * 20 + "</p>" for i in range(600))
    page = pages.ARTICLE_HTML.replace("</article>", more + "</article>")
    assert len(page) > 2 * SETTINGS.extract.max_chars
    assert len(extract_article(page, "https://coast.example/pier", SETTINGS.extract).text) <= SETTINGS.extract.max_chars


def test_models_never_see_more_than_max_chars(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the input size, the text handed to the spaCy pipeline is at most max_chars."""
    seen: list[int] = []

    class Stop(Exception):
        pass

    def spy_nlp(_settings):
        def nlp(text: str):
            seen.append(len(text))
            raise Stop

        return nlp

    # brief.analyze imports get_nlp from summarizer.models at call time, so the spy is what it gets.
    monkeypatch.setattr(models, "get_nlp", spy_nlp)
    huge = (pages.ARTICLE_TEXT + "\n\n") * 3000
    for source in (Source(text=huge), Source(text=huge.replace("\n\n", " ")), Source(html=pages.DEEP_HTML * 3)):
        result = make_brief(source, SETTINGS)
        assert result.error is not None and result.error.code == "engine_failed"
    assert len(seen) == 3 and max(seen) <= SETTINGS.extract.max_chars, seen
