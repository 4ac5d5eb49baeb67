import re
from html.parser import HTMLParser

from summarizer.render import (
    COMPACT,
    FULL,
    RenderLimits,
    real_role,
    render_error_text,
    render_telegram_html,
    render_text,
    select_view,
    split_message,
)
from summarizer.types import Brief, ErrorInfo, Quote, Speaker

TEXT = "Peskov said Putin is ready. \"We are ready to talk,\" he said."


def make_brief(**kw) -> Brief:
    base = dict(
        id=None, title="Kremlin says Putin ready", site="example.com", url="https://example.com/a",
        published="2022-02-14", language="en", text=TEXT,
        summary=["Peskov said Putin is ready."],
        speakers=[Speaker("Dmitry Peskov", "Kremlin spokesman", [
            Quote("We are ready to talk,", True, "said", 29, 50),
            Quote("Putin is ready", False, "said", 12, 26)])],
    )
    base.update(kw)
    return Brief(**base)


def test_plain_text_has_every_part_in_order():
    out = render_text(make_brief())
    lines = out.splitlines()
    assert lines[0] == "Kremlin says Putin ready"
    assert lines[1] == "example.com · 14 Feb 2022"
    assert out.index("Summary: Peskov said Putin is ready.") < out.index("Who said what")
    # statements in article order, direct ones verbatim in quotation marks
    assert "• Dmitry Peskov (Kremlin spokesman): Putin is ready; “We are ready to talk”" in out


def test_html_escapes_everything_from_the_article():
    evil = '<a href="javascript:alert(1)">x</a> & <b>'
    brief = make_brief(title=evil, site=evil, summary=[evil],
                       speakers=[Speaker(evil, evil, [Quote(evil, True, None, 0, 5)])],
                       url='javascript:alert(1)')
    out = render_telegram_html(brief)
    assert "<a " not in out  # neither the hostile text nor the javascript: URL becomes a link
    tags = re.findall(r"<[^>]+>", out)
    assert set(tags) <= {"<b>", "</b>", "<i>", "</i>"}


def test_html_links_only_http_urls():
    out = render_telegram_html(make_brief(url='https://example.com/a?x="><b>'))
    assert '<a href="' not in out  # a URL with quotes or brackets is not made a link
    out = render_telegram_html(make_brief())
    assert '<a href="https://example.com/a">example.com · 14 Feb 2022</a>' in out


def test_error_brief_renders_friendly_sentence():
    brief = Brief.failed(None, None, ErrorInfo("fetch_failed", "connect error"))
    assert render_telegram_html(brief) == render_error_text("fetch_failed")
    assert "couldn't reach" in render_error_text("fetch_failed")
    assert render_error_text("no-such-code") == render_error_text("engine_failed")


class _Balance(HTMLParser):
    def __init__(self):
        super().__init__()
        self.stack = []
        self.ok = True

    def handle_starttag(self, tag, attrs):
        self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack.pop() != tag:
            self.ok = False


def balanced(chunk: str) -> bool:
    p = _Balance()
    p.feed(chunk)
    p.close()
    return p.ok and not p.stack


def test_split_long_brief_on_paragraphs_under_the_limit():
    speakers = [Speaker(f"Person {i}", "role", [Quote("word " * 60, True, "said", 0, 5)]) for i in range(60)]
    html = render_telegram_html(make_brief(speakers=speakers), RenderLimits(max_speakers=100))
    assert len(html) > 4096
    chunks = split_message(html)
    assert len(chunks) > 1
    assert all(len(c) <= 4096 and balanced(c) for c in chunks)
    assert "".join(chunks).replace("\n", "").replace(" ", "") == html.replace("\n", "").replace(" ", "")
    # whole bullet lines stay together
    assert all(line.startswith(("•", "<b>", "<a", "… and")) for c in chunks for line in c.split("\n") if line)


def test_split_one_huge_paragraph_never_cuts_a_tag_or_entity():
    html = "<b>" + "a&amp;b " * 3000 + "</b>"
    chunks = split_message(html, limit=500)
    assert all(len(c) <= 500 and balanced(c) for c in chunks)
    for c in chunks:
        assert re.search(r"&(?!amp;)", c) is None
    # a word longer than a message is cut but still balanced
    chunks = split_message("<i>" + "x" * 1200 + "</i>", limit=500)
    assert all(len(c) <= 500 and balanced(c) for c in chunks)
    assert "".join(c.replace("<i>", "").replace("</i>", "") for c in chunks) == "x" * 1200


def test_short_message_is_one_chunk():
    assert split_message("hello") == ["hello"]


def test_bidi_overrides_from_the_article_cannot_flip_the_brief():
    brief = make_brief(title="Invoice \u202egpj.exe", summary=["Arabic \u2067مرحبا\u2069 stays."])
    for out in (render_text(brief), render_telegram_html(brief)):
        assert "\u202e" not in out and "Invoice gpj.exe" in out
        assert "\u2067مرحبا\u2069" in out  # isolates are harmless and keep RTL text readable


# --------------------------------------------------------------------------- compact and full


def _speaker(name: str, salience: float, scores: list[float], role: str | None = None) -> Speaker:
    quotes = [Quote(f"{name} statement number {i} says something about the budget talks", True, "said",
                    100 * i, 100 * i + 40, informativeness=score) for i, score in enumerate(scores)]
    return Speaker(name, role, quotes, salience=salience)


def test_compact_shows_at_most_four_speakers_and_their_most_informative_statements():
    speakers = [_speaker(f"Person {i}", 10 - i, [0.1, 1.5, 0.9]) for i in range(7)]
    brief = make_brief(speakers=speakers, summary=["First sentence.", "Second one.", "Third one."])
    view = select_view(brief, COMPACT)
    assert 1 <= len(view.speakers) <= COMPACT.max_speakers
    assert [sp.name for sp, _ in view.speakers] == [f"Person {i}" for i in range(len(view.speakers))]
    assert view.hidden_speakers == 7 - len(view.speakers)
    for _, quotes in view.speakers:
        assert 1 <= len(quotes) <= 2
        assert quotes[0].informativeness == 1.5 or quotes[1].informativeness == 1.5  # the best one is in
        assert 0.1 not in [q.informativeness for q in quotes]  # the fragment is not
        assert [q.start for q in quotes] == sorted(q.start for q in quotes)  # shown in article order
    assert view.summary == ["First sentence.", "Second one."]
    # the full layout shows everything
    full = select_view(brief, FULL)
    assert len(full.speakers) == 7 and full.hidden_speakers == 0
    assert all(len(q) == 3 for _, q in full.speakers) and len(full.summary) == 3


def test_compact_prefers_another_voice_to_a_second_statement():
    speakers = [_speaker("Ann Lee", 5, [1.0] * 3), _speaker("Bo Diaz", 4, [1.0] * 3),
                _speaker("Cy Park", 3, [1.0] * 3)]
    view = select_view(make_brief(speakers=speakers), RenderLimits(max_speakers=4, max_statements=2,
                                                                   speakers_chars=300))
    assert [len(q) for _, q in view.speakers] == [1, 1, 1]


def test_compact_summary_budget_keeps_whole_sentences_in_order():
    long = "A long sentence " * 20 + "ends here."
    view = select_view(make_brief(summary=[long, "Short one."]), COMPACT)
    assert view.summary == [long]  # never cut: the second sentence is left out instead


def test_compact_fits_a_phone_screen():
    speakers = [_speaker(f"Speaker Number {i}", 10 - i, [1.0, 0.9, 0.8], role="regional director of a company")
                for i in range(8)]
    brief = make_brief(speakers=speakers, title="T " * 200, summary=["Word " * 60 + "end.", "Word " * 60 + "end."])
    compact, full = render_text(brief, COMPACT), render_text(brief, FULL)
    assert len(compact) <= 1200 < len(full)
    assert "+2 more" in compact  # the statements left out are counted


def test_statements_read_as_sentences():
    quote = Quote("word " * 100, True, "said", 0, 500)
    out = render_text(make_brief(speakers=[Speaker("Ann Lee", None, [quote])]))
    line = next(line for line in out.splitlines() if line.startswith("• Ann Lee"))
    assert line.endswith("word…”") and "wor…" not in line  # cut at a word boundary, inside the marks
    denial = Quote("he ever said any of that", False, "denied", 0, 24)
    plain = Quote("the talks would resume", False, "said", 0, 22)
    out = render_text(make_brief(speakers=[Speaker("Ann Lee", None, [denial, plain])]))
    assert "denied he ever said any of that; the talks would resume" in out


def test_role_only_when_it_is_one():
    assert real_role("Dmitry Peskov", "Kremlin spokesman") == "Kremlin spokesman"
    assert real_role("Bronze Duke", "teenager's") is None
    assert real_role("Ann Lee", "Ann Lee") is None
    assert real_role("Ann Lee", "who said that the council would meet again next week to vote") is None
    out = render_text(make_brief(speakers=[Speaker("Bronze Duke", "teenager's", [Quote("We won.", True, "said", 0, 7)])]))
    assert "• Bronze Duke: “We won.”" in out
