"""Property-based tests (hypothesis) on extraction, quote finding, rendering and the JSON contract.

Each property is one thing a hostile input must never break: no exception other than
BriefError, output bounded, quotes exact substrings of the text, Telegram HTML safe and
within the per-message limit. Example counts are modest so the folder stays fast on two
cores; the spaCy properties use short texts.
"""

from __future__ import annotations

import html
import json
import re
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings as hyp_settings, strategies as st

from summarizer.errors import ERROR_CODES, BriefError
from summarizer.extract import extract_article, extract_pasted_text
from summarizer.models import get_nlp
from summarizer.render import TELEGRAM_LIMIT, RenderLimits, render_telegram_html, render_text, split_message
from summarizer.settings import ExtractSettings, load_settings
from summarizer.speakers import attribute_quotes
from summarizer.speech.quotes import find_quote_spans
from summarizer.types import Brief, ErrorInfo, Quote, Speaker

from .telegram_html import links, telegram_html_problems

SETTINGS = load_settings(env={})
# Small limits, so that short generated inputs cross both of them.
SMALL = ExtractSettings(min_chars=40, max_chars=400)

FAST = hyp_settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
FEW = hyp_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------- strategies

HOSTILE_STRINGS = [
    "<script>alert(1)</script>", "</b>", "<b>", "<i>", "</i>", '<a href="javascript:alert(1)">x</a>',
    '"><img src=x onerror=alert(1)>', "&amp;", "&lt;", "&", "&#60;", "&#x3c;", "<", ">", "<<>>", "<!--", "-->",
    "<![CDATA[", "]]>", "<tg-spoiler>", "<pre>", "<code>", "[link](http://evil.example)", "*bold*", "_i_",
    "\u202e", "\u200b", "\u200f", "\ufeff", "\x00", "\x07", "\r", "\n\n", "\t", "\U0001F468\u200d\U0001F469\u200d\U0001F467",
    "\u05e9\u05dc\u05d5\u05dd", "\u0645\u0631\u062d\u0628\u0627", "\u201c", "\u201d", '"', "'", "\u2018", "\u2019", "\u00ab", "\u00bb",
    "\u201e", "https://evil.example/?a=1&b=<2>", "tg://user?id=1",
]

WORDS = ["the", "council", "said", "Mayor", "Linda", "Okafor", "told", "reporters", "that", "pier", "will", "close",
         "he", "she", "according", "to", "officials", "police", "on", "Monday", "it", "was", "a", "plan", "warned",
         "added", "Tom", "Reyes", "we", "cannot", "wait", "no", "comment", ".", ",", ":", "!", "?", "-", "\u2014"]
MARKS = ['"', "\u201c", "\u201d", "'", "\u2018", "\u2019", "\u00ab", "\u00bb", "\u201e"]

any_text = st.text(max_size=600)
hostile_piece = st.one_of(st.sampled_from(HOSTILE_STRINGS), st.text(max_size=30))
hostile_text = st.lists(hostile_piece, max_size=12).map("".join)
# Text that looks like news with quotation marks in odd places: the quote finder's worst day.
quoty_text = st.lists(st.one_of(st.sampled_from(WORDS), st.sampled_from(MARKS), st.sampled_from(["\n", "\n\n"])),
                      min_size=1, max_size=80).map(" ".join)
mixed_text = st.one_of(quoty_text, hostile_text, st.text(alphabet=st.characters(blacklist_categories=("Cs",)),
                                                         max_size=200))


@st.composite
def html_pages(draw: st.DrawFn) -> tuple[str, str]:
    """A generated page and the text its elements hold (escaped into the page)."""
    texts: list[str] = []

    def block(depth: int) -> str:
        tag = draw(st.sampled_from(["p", "div", "span", "article", "section", "b", "i", "h2", "em"]))
        inner = []
        for _ in range(draw(st.integers(0, 3))):
            if depth < 4 and draw(st.booleans()):
                inner.append(block(depth + 1))
            else:
                t = draw(st.one_of(st.sampled_from(WORDS), st.text(max_size=80), quoty_text))
                texts.append(t)
                inner.append(html.escape(t))
        return f"<{tag}>{''.join(inner)}</{tag}>"

    body = "".join(block(0) for _ in range(draw(st.integers(1, 6))))
    title = draw(st.text(max_size=40))
    texts.append(title)
    return f"<html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>", "".join(texts)


junk_html = st.lists(st.one_of(st.sampled_from(HOSTILE_STRINGS + ["<p>", "</p>", "<div>", "</div>", "<html>",
                                                                  "<body", "<meta charset=", "<title>", "</title>"]),
                               st.text(max_size=40)), max_size=40).map("".join)


def _allowed_chars(source: str) -> set[str]:
    return set(unicodedata.normalize("NFC", source)) | set(source) | {" ", "\n"}


# ----------------------------------------------------------------------------- extraction


@FAST
@given(text=st.one_of(any_text, hostile_text, quoty_text))
def test_pasted_text_is_bounded_and_made_of_input_characters(text: str) -> None:
    try:
        article = extract_pasted_text(text, SMALL)
    except BriefError as exc:
        assert exc.code in ERROR_CODES
        return
    assert SMALL.min_chars <= len(article.text) <= SMALL.max_chars
    assert set(article.text) <= _allowed_chars(text)
    assert article.title is None or set(article.title) <= _allowed_chars(text)


@FAST
@given(text=st.one_of(any_text, quoty_text))
def test_pasted_text_at_default_limits(text: str) -> None:
    """Long generated texts (repeated) are cut to the production max_chars, never beyond."""
    try:
        article = extract_pasted_text((text + "\n") * 400, SETTINGS.extract)
    except BriefError as exc:
        assert exc.code in ERROR_CODES
        return
    assert len(article.text) <= SETTINGS.extract.max_chars


@FEW
@given(page=html_pages())
def test_extract_article_keeps_page_text_only(page: tuple[str, str]) -> None:
    markup, source_text = page
    try:
        article = extract_article(markup, "https://news.example/a", SMALL)
    except BriefError as exc:
        assert exc.code in ERROR_CODES
        return
    assert len(article.text) <= SMALL.max_chars
    # Only characters the page's text held: markup never leaks into the article.
    assert set(article.text) <= _allowed_chars(source_text), set(article.text) - _allowed_chars(source_text)


@FEW
@given(markup=junk_html)
def test_extract_article_survives_junk_markup(markup: str) -> None:
    try:
        article = extract_article(markup, None, SMALL)
    except BriefError as exc:
        assert exc.code in ERROR_CODES
        return
    assert SMALL.min_chars <= len(article.text) <= SMALL.max_chars


# ----------------------------------------------------------------------------- quotes


@hyp_settings(max_examples=300, deadline=None)
@given(text=mixed_text)
def test_quote_spans_are_inside_the_text(text: str) -> None:
    spans = find_quote_spans(text)
    previous_end = -1
    for s in spans:
        assert 0 <= s.open_at < s.start <= s.end <= s.close_end <= len(text)
        assert text[s.start:s.end].strip()
        assert s.start >= previous_end, "quote spans overlap"
        previous_end = s.end


@pytest.fixture(scope="module")
def nlp():
    return get_nlp(SETTINGS.models)


@FAST
@given(text=mixed_text)
def test_attributed_quotes_are_exact_substrings(nlp, text: str) -> None:
    doc = nlp(text)
    speakers = attribute_quotes(doc, SETTINGS.speakers)
    for speaker in speakers:
        assert isinstance(speaker.name, str) and speaker.name.strip()
        for q in speaker.quotes:
            assert 0 <= q.start <= q.end <= len(text)
            assert q.text == text[q.start:q.end]
            if q.direct:
                assert q.text.strip() and q.text in text


# ----------------------------------------------------------------------------- rendering

urls = st.one_of(
    st.none(),
    st.sampled_from(["https://news.example/a?b=1&c=2", 'https://x.example/"><script>', "javascript:alert(1)",
                     "http://evil.example/<b>", "tg://user?id=1", "https://ok.example/path#frag", "ftp://x.example/"]),
    st.text(max_size=40).map(lambda t: "https://site.example/" + t),
)
quotes = st.builds(Quote, text=hostile_text, direct=st.booleans(), cue=st.one_of(st.none(), hostile_text),
                   start=st.just(0), end=st.just(0))
speakers = st.builds(Speaker, name=hostile_text, role=st.one_of(st.none(), hostile_text),
                     quotes=st.lists(quotes, max_size=5))
briefs = st.builds(
    Brief,
    id=st.one_of(st.none(), st.text(max_size=10)),
    title=st.one_of(st.none(), hostile_text),
    site=st.one_of(st.none(), hostile_text),
    url=urls,
    published=st.one_of(st.none(), st.sampled_from(["2024-03-06", "2024-13-45", "not a date", "<b>2024</b>"])),
    language=st.one_of(st.none(), st.text(max_size=5)),
    text=hostile_text,
    summary=st.lists(st.one_of(hostile_text, st.text(min_size=500, max_size=3000)), max_size=6),
    speakers=st.lists(speakers, max_size=12),
    error=st.one_of(st.none(), st.builds(ErrorInfo, code=st.sampled_from(sorted(ERROR_CODES)), message=hostile_text)),
)


def _visible(chunks: list[str]) -> str:
    return html.unescape(re.sub(r"<[^>]*>", "", "".join(chunks)))


@FAST
@given(brief=briefs)
def test_telegram_html_is_safe_and_split_within_the_limit(brief: Brief) -> None:
    rendered = render_telegram_html(brief)
    chunks = split_message(rendered)
    assert chunks
    for chunk in chunks:
        assert len(chunk) <= TELEGRAM_LIMIT
        assert not telegram_html_problems(chunk), (telegram_html_problems(chunk), chunk[:300])
        for href in links(chunk):
            # The only link is the brief's own source, and only an http(s) one.
            assert href == brief.url and re.match(r"^https?://", href, re.I)
    # Nothing from the article is lost by escaping: the title reads as it was written (on one
    # line, and shortened when it is over RenderLimits.max_title_chars).
    title = " ".join((brief.title or "").split())
    if title and not brief.error and len(title) <= RenderLimits().max_title_chars:
        assert title in html.unescape(re.sub(r"<[^>]*>", "", rendered))
    assert isinstance(render_text(brief), str)


@FAST
@given(text=st.one_of(hostile_text, st.text(min_size=1000, max_size=12000)), limit=st.integers(60, 4096))
def test_split_message_on_escaped_text_keeps_every_character(text: str, limit: int) -> None:
    """Any escaped text after a bold heading splits into balanced chunks that rebuild the text.

    The heading is one line, as render.py guarantees for every field inside a tag."""
    heading = " ".join(text[:50].split())
    marked = "<b>" + html.escape(heading, quote=False) + "</b>\n\n" + html.escape(text, quote=False)
    chunks = split_message(marked, limit)
    for chunk in chunks:
        assert len(chunk) <= limit
        assert not telegram_html_problems(chunk, limit), (telegram_html_problems(chunk, limit), chunk[:200])
    # Splitting drops only whitespace at the cuts.
    assert "".join(_visible(chunks).split()) == "".join((heading + text).split())


@FAST
@given(brief=briefs)
def test_brief_json_round_trip(brief: Brief) -> None:
    data = json.loads(json.dumps(brief.to_dict(), ensure_ascii=False))
    assert Brief.from_dict(data) == brief
    assert Brief.from_dict(data).to_dict() == brief.to_dict()


def test_render_limits_bound_the_rendered_brief() -> None:
    """A brief with huge speakers lists stays a handful of messages (the JSON keeps everything)."""
    long_quote = Quote(text="word " * 2000, direct=True, cue="said", start=0, end=0)
    brief = Brief(id=None, title="T", site=None, url=None, published=None, language=None, text="",
                  summary=["A sentence."], speakers=[Speaker(name=f"Speaker {i}", quotes=[long_quote] * 50)
                                                     for i in range(100)])
    limits = RenderLimits()
    rendered = render_telegram_html(brief, limits)
    most = limits.max_speakers * (limits.max_statements * (limits.max_statement_chars + 10) + 200) + 500
    assert len(rendered) <= most
    assert len(split_message(rendered)) <= 3  # title+summary, then the speakers in two parts


# ----------------------------------------------------------------------------- the command itself

CLI_FUZZ = hyp_settings(max_examples=40, deadline=None,
                        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
CLI_CODES = set(ERROR_CODES)


def _one_clean_outcome(code: int, out: str, err: str) -> None:
    assert "Traceback" not in out + err
    if code == 0:
        assert json.loads(out)["error"] is None
        return
    assert code == 1, (code, err)
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("briefbot: "), err
    assert lines[0].split(": ")[1] in CLI_CODES, lines[0]


@CLI_FUZZ
@given(data=st.one_of(st.binary(max_size=3000), any_text.map(str.encode),
                      st.lists(st.sampled_from(WORDS + MARKS + HOSTILE_STRINGS), min_size=30, max_size=200)
                      .map(lambda ws: " ".join(ws).encode())))
def test_cli_on_random_stdin_answers_in_one_line(data: bytes, capsys, monkeypatch) -> None:
    import io
    import sys

    from summarizer.cli import main

    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    code = main(["brief", "--json", "-"])
    out, err = capsys.readouterr()
    _one_clean_outcome(code, out, err)


@CLI_FUZZ
@given(arg=st.one_of(
    st.text(min_size=1, max_size=60).filter(lambda s: not s.startswith("-")),
    st.builds(lambda scheme, rest: scheme + rest, st.sampled_from(["http://", "https://", "HTTP://", "http:", "//"]),
              st.text(max_size=40)),
))
def test_cli_on_random_sources_answers_in_one_line(arg: str, capsys, monkeypatch, tmp_path_factory) -> None:
    """Random SOURCE arguments, production fetch settings (nothing local allowed), no network."""
    from summarizer.cli import main

    monkeypatch.delenv("BRIEFBOT_FETCH_ALLOW_ADDRESSES", raising=False)
    monkeypatch.setenv("BRIEFBOT_FETCH_TIMEOUT_S", "0.5")
    monkeypatch.setenv("BRIEFBOT_FETCH_TOTAL_TIMEOUT_S", "1")
    monkeypatch.chdir(tmp_path_factory.getbasetemp())  # a random name never matches a project file
    if "\x00" in arg:
        return  # not a valid command-line argument on any OS
    code = main(["brief", "--json", arg])
    out, err = capsys.readouterr()
    if code == 0:  # only if a random name happened to be a readable article file: it is not
        raise AssertionError(f"{arg!r} was briefed")
    _one_clean_outcome(code, out, err)


# ----------------------------------------------------------------------------- news-shaped text

NAMES = ["Linda Okafor", "Mayor Linda Okafor", "Tom Reyes", "he", "she", "they", "a spokeswoman", "officials",
         "the council", "Dr. Ana María Núñez-López", "O'Brien", "Jean-Luc", "\u05e0\u05d5\u05e2\u05d4 \u05dc\u05d5\u05d9",
         "<b>Evil</b>", "Smith \U0001F600"]
CLAUSES = ["the pier will close", "we cannot wait any longer", "no comment", "it was a mistake, a big one",
           "the budget \u2014 all of it \u2014 is gone", "don't worry", "'90s rules apply", "x", "",
           "the plan <a href=\"http://evil.example\">works</a>", "it's the 'best' option"]
OPEN_CLOSE = [('"', '"'), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("'", "'"), ("\u00ab", "\u00bb"),
              ("\u201e", "\u201c"), ('"', ""), ("", '"'), ("\u201c", "\u201c"), ("\u201d", "\u201c")]
TEMPLATES = ["{o}{c}{e}, said {n}.", "{n} said: {o}{c}.{e}", "{n} told reporters that {c}.",
             "According to {n}, {c}.", "{o}{c},{e} {n} added. {o}{c2}.{e}", "{n} warned {o}{c}{e}.",
             "{o}{c}.{e}", "{n} {c}.", "{c2}, {n} said, {c}."]


@st.composite
def news_text(draw: st.DrawFn) -> str:
    paragraphs = []
    for _ in range(draw(st.integers(1, 5))):
        sentences = []
        for _ in range(draw(st.integers(1, 4))):
            o, e = draw(st.sampled_from(OPEN_CLOSE))
            sentences.append(draw(st.sampled_from(TEMPLATES)).format(
                o=o, e=e, n=draw(st.sampled_from(NAMES)), c=draw(st.sampled_from(CLAUSES)),
                c2=draw(st.sampled_from(CLAUSES))))
        paragraphs.append(" ".join(sentences))
    return draw(st.sampled_from(["\n\n", "\n", " "])).join(paragraphs)


@FAST
@given(text=news_text())
def test_quotes_in_news_shaped_text_are_exact(nlp, text: str) -> None:
    speakers = attribute_quotes(nlp(text), SETTINGS.speakers)
    for speaker in speakers:
        assert speaker.name.strip()
        for q in speaker.quotes:
            assert q.text == text[q.start:q.end] and q.text.strip()


@hyp_settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])  # embeds: keep few
@given(text=st.one_of(news_text(), quoty_text), length=st.sampled_from(["short", "normal", "long"]))
def test_summary_sentences_are_the_articles_own(nlp, text: str, length: str) -> None:
    from summarizer.engines import summarize

    summary = summarize(nlp(text), None, SETTINGS, length=length)
    assert len(summary) <= SETTINGS.summary.sentences[length]
    for sentence in summary:
        assert sentence.strip() and sentence in text
