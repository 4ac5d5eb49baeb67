import re
from html.parser import HTMLParser

from summarizer.render import RenderLimits, render_error_text, render_telegram_html, render_text, split_message
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
    assert "• Dmitry Peskov (Kremlin spokesman): “We are ready to talk”; Putin is ready" in out


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
