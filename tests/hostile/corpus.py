"""The hostile-input corpus: bad, broken and malicious inputs, each with the reply it must get.

One list, ``CASES``, used by the CLI tests here (tests/hostile/test_cli_corpus.py) and by the
bot tests. A case is one of:

* ``kind="text"``: pasted text. ``data`` is the raw bytes (the CLI reads them from stdin;
  the bot sends ``case.text`` as a message, and skips cases whose bytes are not UTF-8,
  which cannot be a Telegram text message).
* ``kind="file"``: a file. ``data`` is its bytes and ``filename`` its name (the CLI gets
  the path; ``data=None`` means the path does not exist, ``filename="/"`` is a directory).
* ``kind="url"``: a link. ``url`` may contain ``{base}`` (the local hostile server,
  tests/hostile/server.py) and ``{port}``; ``case.link(base)`` fills them in.

``expect`` is an error code from summarizer/errors.py, or ``"brief"`` for a brief with no
error. ``bot_expect`` overrides it for the bot where a chat message cannot express the
same input (e.g. a word that is no link is just short text there); ``"skip"`` means a
chat cannot carry the input at all (a missing file path, a bare "http://"). ``must_contain`` are
strings the brief's text must keep (a demanding reader's check that the input was read
correctly, e.g. accented names from a Latin-1 page); ``max_speakers`` caps the speakers a
brief may name (0 where nobody speaks).

Run the cases with CORPUS_ENV: URL cases need its fetch limits (tiny timeouts, loopback
allowed), and its smaller extract.max_chars keeps the two huge-text cases fast (the
production cap itself is tested on extraction alone, in test_properties.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from . import pages

BRIEF = "brief"

# Environment for the corpus: the local server is allowed, timeouts are tiny so the
# timeout cases cost about a second, and the models see at most 10,000 characters (the
# 60,000 of production cost ~25 s of CPU per huge case); everything else as in production.
CORPUS_ENV = {
    "BRIEFBOT_FETCH_ALLOW_ADDRESSES": "127.0.0.1",
    "BRIEFBOT_FETCH_TIMEOUT_S": "0.6",
    "BRIEFBOT_FETCH_TOTAL_TIMEOUT_S": "1.5",
    "BRIEFBOT_EXTRACT_MAX_CHARS": "10000",
}


@dataclass(frozen=True)
class Case:
    name: str
    kind: str  # "text" | "url" | "file"
    expect: str  # an error code, or "brief"
    data: bytes | None = None
    filename: str = "input.txt"
    url: str | None = None
    why: str = ""
    bot_expect: str | None = None
    must_contain: tuple[str, ...] = field(default_factory=tuple)
    max_speakers: int | None = None  # e.g. 0: nobody speaks in this text, so nobody may be invented
    language: str | None = None  # with expect "unsupported_language": the language the refusal must name

    def link(self, base: str) -> str:
        """The URL of a url case, with the local server's address filled in."""
        assert self.url is not None
        port = base.rsplit(":", 1)[1]
        return self.url.format(base=base, port=port)

    @property
    def text(self) -> str | None:
        """The pasted text as a chat message would carry it (None: not valid UTF-8)."""
        if self.data is None:
            return None
        try:
            return self.data.decode("utf-8")
        except UnicodeDecodeError:
            return None

    @property
    def expected_for_bot(self) -> str:
        return self.bot_expect or self.expect

    def chat_message(self, base: str) -> str | None:
        """The text a user would send the bot for this case; None when a chat cannot carry it
        (a file, bytes that are not UTF-8, an empty or whitespace-only message, NUL bytes, or
        more than Telegram's 4,096 characters in one message)."""
        if self.expected_for_bot == "skip" or self.kind == "file":
            return None
        if self.kind == "url":
            return self.link(base)
        text = self.text
        if text is None or not text.strip() or "\x00" in text or len(text) > 4096:
            return None
        return text


def _text(name: str, expect: str, data: bytes | str, why: str = "", **kw) -> Case:
    return Case(name, "text", expect, data.encode("utf-8") if isinstance(data, str) else data, why=why, **kw)


def _file(name: str, expect: str, data: bytes | str | None, filename: str, why: str = "", **kw) -> Case:
    return Case(name, "file", expect, data.encode("utf-8") if isinstance(data, str) else data, filename=filename,
                why=why, **kw)


def _url(name: str, expect: str, url: str, why: str = "", **kw) -> Case:
    return Case(name, "url", expect, url=url, why=why, **kw)


ARTICLE = pages.ARTICLE_TEXT.encode()
# Just over the 5,000,000-byte input cap, and just under it (the latter must be briefed,
# with the text cut to extract.max_chars before the models see it).
FIVE_MB_OVER = (pages.ARTICLE_TEXT + "\n\n") * (5_000_001 // (len(ARTICLE) + 2) + 1)
FIVE_MB_UNDER = ((pages.ARTICLE_TEXT + "\n\n") * (4_900_000 // (len(ARTICLE) + 2)))

CASES: list[Case] = [
    # ---------------------------------------------------------------- pasted text
    _text("empty-text", "no_article_text", b""),
    _text("whitespace-only", "no_article_text", " \n\t \r\n   \n\u00a0\u2003\n"),
    _text("one-word", "no_article_text", "Hello"),
    _text("one-sentence", "no_article_text", "The council voted on Wednesday to close the pier."),
    _text("five-mb-over-cap", "too_large", FIVE_MB_OVER, "5 MB and one byte: refused before any work is done"),
    _text("five-mb-under-cap", BRIEF, FIVE_MB_UNDER,
          "4.9 MB of real text is an article; the models only see extract.max_chars of it",
          must_contain=("Port Ellis",)),
    _text("binary-png", "bad_encoding", pages.PNG_BYTES),
    _text("invalid-utf8-latin1", "bad_encoding", pages.ARTICLE_TEXT.replace("cafe", "caf\u00e9").encode("latin-1"),
          "pasted bytes carry no charset: not UTF-8 means we cannot know what they say"),
    _text("nul-bytes", "bad_encoding", ARTICLE[:400] + b"\x00\x00\x00" + ARTICLE[400:],
          "the CLI refuses NUL bytes on stdin as binary; the engine (bot, batch) reads three stray NULs in an "
          "article as noise and briefs it: both are clear answers", bot_expect=BRIEF),
    _text("encoded-surrogates", "bad_encoding", ARTICLE + b"\xed\xa0\x80\xed\xb0\x80"),
    _text("utf8-bom", BRIEF, b"\xef\xbb\xbf" + ARTICLE, must_contain=("Port Ellis",)),
    _text("plain-article", BRIEF, ARTICLE, must_contain=("Linda Okafor",)),
    _text("quotes-without-speaker", BRIEF, pages.QUOTES_NO_SPEAKER,
          "scare quotes everywhere and nobody speaking: a summary, and no invented speakers", max_speakers=0),
    _text("unbalanced-quotes", BRIEF, pages.UNBALANCED_QUOTES, must_contain=("Mark Evans",)),
    _text("emoji-and-rtl", BRIEF, pages.EMOJI_RTL_TEXT, must_contain=("\u05e0\u05d5\u05e2\u05d4", "\U0001F680")),
    _text("markup-injection", BRIEF, pages.INJECTION_TEXT,
          "briefed; extraction may drop tag-like strings from pasted text, and whatever is kept is escaped by "
          "the renderers (checked on every brief)", must_contain=("Linda Okafor",)),
    _text("control-characters", BRIEF, pages.CONTROL_CHARS_TEXT),
    _text("zero-width-inside-words", BRIEF, pages.ARTICLE_TEXT.replace("Linda Okafor", "Lin\u200bda Oka\u2060for")
          .replace("Port Ellis", "Port\u00ad Ellis"),
          "invisible characters copied along with the text must not split a name in two",
          must_contain=("Linda Okafor",)),
    _text("c1-control-characters", BRIEF, pages.ARTICLE_TEXT.replace("pier", "pier\u009b31m", 2)
          .replace("council", "council\u0085\u0080", 1),
          "C1 controls (U+009B is a terminal's CSI) are not text: never in the brief's text or JSON",
          must_contain=("Linda Okafor",)),
    _text("unusual-line-separators", BRIEF, "By Jane Doe" + "\u2028" * 20_000 + "\u1680" * 20_000 + "\n\n"
          + pages.ARTICLE_TEXT.replace("\n\n", "\u2029", 2),
          "U+2028/U+2029/U+1680 runs made the byline pattern quadratic: they are line breaks and spaces",
          must_contain=("Linda Okafor",)),
    _text("thirty-thousand-parens", BRIEF, pages.ARTICLE_TEXT + " " + ")" * 30_000,
          "30,000 ')' took 79 s and 915 MB in the tokenizer: runs of symbols are shortened first",
          must_contain=("Linda Okafor",)),
    _text("punctuation-runs-message", "no_article_text", ("!?" * 20 + " " + ").(" * 30 + "\n") * 30,
          "a 4,000-character message of punctuation runs froze the bot for 1-2 s: no article, answered at once"),
    _text("article-then-punctuation-runs", BRIEF, pages.ARTICLE_TEXT + "\n\n" + ").(" * 1300,
          must_contain=("Linda Okafor",)),
    _text("dateline-flood", BRIEF, pages.ARTICLE_TEXT + "\n" + "Published 14 Feb 2022 10:31 GMT\n" * 140_000,
          "400,000 datelines took 11.7 s (each parsed as a date): now read in a bounded window",
          must_contain=("Linda Okafor",)),
    _text("tiny-paragraph-flood", BRIEF, pages.ARTICLE_TEXT + "\n\n" + "ok\n\n" * 150_000,
          "150,000 tiny paragraphs took 8 s: the text ends after a bounded number of paragraphs",
          must_contain=("Linda Okafor",)),
    _text("crlf-line-endings", BRIEF, pages.ARTICLE_TEXT.replace("\n", "\r\n")),
    _text("same-sentence-400-times", BRIEF, "The pier is closed until further notice. " * 400,
          "repetitive but real text: briefed, and the summary must not repeat itself"),
    _text("german-text", "unsupported_language", pages.GERMAN_HTML.split("<article>")[1].replace("<p>", "\n\n").split("</article>")[0]
          .replace("</p>", "").replace("<h1>", "").replace("</h1>", ""),
          "a language the engine does not read: refused in one sentence naming it, never a brief of "
          "fragments from the English models", language="de"),
    _text("pasted-html-no-article", "no_article_text", pages.NAV_ONLY_HTML),
    _text("pasted-html-article", BRIEF, pages.ARTICLE_HTML, must_contain=("Linda Okafor",)),
    _text("not-a-link-as-text", "no_article_text", "htp//example com/news?id=1"),
    # ---------------------------------------------------------------- files
    _file("missing-file", "bad_source", None, "does-not-exist.txt", bot_expect="skip"),
    _file("directory", "bad_source", None, "/", bot_expect="skip"),
    _file("empty-file", "no_article_text", b"", "empty.txt"),
    _file("pdf-file", "bad_encoding", pages.PDF_BYTES, "report.pdf"),
    _file("image-file", "bad_encoding", pages.PNG_BYTES, "photo.png"),
    _file("html-file-no-article", "no_article_text", pages.NAV_ONLY_HTML, "home.html"),
    _file("html-file-deeply-nested", BRIEF, pages.DEEP_HTML, "deep.html", must_contain=("Linda Okafor",)),
    _file("html-file-only-nesting", "no_article_text", pages.DEEP_EMPTY_HTML, "nest.html"),
    _file("html-file-latin1", BRIEF, pages.LATIN1_HTML.encode("iso-8859-1"), "latin1.html",
          "the page declares its charset in <meta>; a saved web page must be read like a fetched one",
          must_contain=("Jos\u00e9 Mu\u00f1oz",)),
    _file("html-file-control-char-entity", BRIEF, pages.CONTROL_ENTITY_HTML, "bel.html",
          "one &#x7; in a page must not lose the whole article", must_contain=("Linda Okafor",)),
    _file("html-file-noncharacter-entity", BRIEF, pages.NONCHAR_ENTITY_HTML, "fffe.html", must_contain=("Linda Okafor",)),
    _file("html-file-invalid-entities", BRIEF, pages.INVALID_ENTITIES_HTML, "ents.html", must_contain=("Linda Okafor",)),
    _file("text-file-over-cap", "too_large", FIVE_MB_OVER, "huge.txt"),
    _file("html-file-unclosed-scripts", BRIEF, pages.ARTICLE_HTML.replace("</body>", "<script>" * 32_000 + "</body>"),
          "scripts.html", "32,000 unclosed <script> tags took 40 s (a regex rescanned the page per tag)",
          must_contain=("Linda Okafor",)),
    _file("html-file-hostile", BRIEF, pages.HOSTILE_HTML, "hostile.html", must_contain=("<script>alert(1)</script>",)),
    _file("html-without-suffix", BRIEF, pages.ARTICLE_HTML, "page.download", must_contain=("Linda Okafor",)),
    _file("utf16-text-file", "bad_encoding", "\ufeff".encode("utf-16-le") + pages.ARTICLE_TEXT.encode("utf-16-le"),
          "notes.txt", "UTF-16 is refused with a clear reply (UTF-8 is the documented input)"),
    # ---------------------------------------------------------------- links that are not links
    _url("url-scheme-only", "bad_url", "http://", bot_expect="skip"),
    _url("url-with-space", "bad_url", "http://exa mple.com/news"),
    _url("url-plain-words", "bad_source", "not a url", bot_expect="no_article_text"),
    _url("url-ftp", "bad_url", "ftp://example.com/file.txt"),
    _url("url-javascript", "bad_source", "javascript:alert(1)", bot_expect="no_article_text"),
    _url("url-bad-port-number", "bad_url", "http://example.com:99999/"),
    _url("url-with-credentials", "bad_url", "http://user:secret@example.com/"),
    _url("url-unresolvable-host", "fetch_failed", "http://no-such-host.invalid/news"),
    _url("argument-pasted-article", "bad_source", pages.ARTICLE_TEXT.split("\n\n")[1] * 3,
         "article text given as the SOURCE argument instead of on stdin: over the OS's file-name limit",
         bot_expect="skip"),
    _url("argument-very-long-path", "bad_source", "notes/" * 800 + "a.txt", "a path longer than PATH_MAX",
         bot_expect="skip"),
    # ---------------------------------------------------------------- addresses that are not allowed
    _url("private-10-net", "blocked_address", "http://10.0.0.1/admin"),
    _url("cloud-metadata", "blocked_address", "http://169.254.169.254/latest/meta-data/"),
    _url("loopback-alias", "blocked_address", "http://127.0.0.2:{port}/article",
         "only 127.0.0.1 is allowed in tests; the rest of 127/8 is still loopback"),
    _url("loopback-decimal", "blocked_address", "http://2130706434:{port}/article"),
    _url("ipv6-loopback", "blocked_address", "http://[::1]:{port}/article"),
    _url("ipv4-mapped-private", "blocked_address", "http://[::ffff:192.168.0.1]/"),
    _url("ssh-port", "blocked_port", "http://93.184.216.34:22/"),
    # ---------------------------------------------------------------- the local hostile server
    _url("http-article", BRIEF, "{base}/article", must_contain=("Linda Okafor",)),
    _url("http-gzipped-article", BRIEF, "{base}/article.gz", must_contain=("Linda Okafor",)),
    _url("http-text-plain", BRIEF, "{base}/article.txt", must_contain=("Linda Okafor",)),
    _url("http-no-content-type", BRIEF, "{base}/no-content-type"),
    _url("http-latin1", BRIEF, "{base}/latin1", must_contain=("Jos\u00e9 Mu\u00f1oz",)),
    _url("http-latin1-meta-only", BRIEF, "{base}/latin1-meta-only", must_contain=("Jos\u00e9 Mu\u00f1oz",)),
    _url("http-german", "unsupported_language", "{base}/german", "see german-text", language="de"),
    _url("http-arabic-rtl", "unsupported_language", "{base}/arabic", "see german-text", language="ar"),
    _url("http-hostile-title", BRIEF, "{base}/hostile-title", must_contain=("<script>alert(1)</script>",)),
    _url("http-deeply-nested", BRIEF, "{base}/deep", must_contain=("Linda Okafor",)),
    _url("http-only-nesting", "no_article_text", "{base}/deep-only"),
    _url("http-no-article", "no_article_text", "{base}/nav-only"),
    _url("http-empty-body", "no_article_text", "{base}/empty"),
    _url("http-204", "no_article_text", "{base}/204"),
    _url("http-404", "http_error", "{base}/404"),
    _url("http-410", "http_error", "{base}/410"),
    _url("http-500", "http_error", "{base}/500"),
    _url("http-pdf", "not_html", "{base}/pdf"),
    _url("http-image", "not_html", "{base}/image.png"),
    _url("http-json", "not_html", "{base}/json"),
    _url("http-png-labelled-html", "bad_encoding", "{base}/png-as-html"),
    _url("http-binary-no-type", "not_html", "{base}/binary-no-type"),
    _url("http-read-timeout", "fetch_timeout", "{base}/slow"),
    _url("http-drip-feed", "fetch_timeout", "{base}/drip", "each byte arrives in time; the whole does not"),
    _url("http-endless-body", "too_large", "{base}/endless"),
    _url("http-lying-length", "too_large", "{base}/lying-length"),
    _url("http-gzip-bomb", "too_large", "{base}/gzip-bomb"),
    _url("http-deflate-bomb", "too_large", "{base}/deflate-bomb"),
    _url("http-bad-gzip", "fetch_failed", "{base}/bad-gzip"),
    _url("http-unasked-encoding", "fetch_failed", "{base}/brotli"),
    _url("http-hang-up", "fetch_failed", "{base}/hang-up"),
    _url("http-header-drip", "fetch_timeout", "{base}/header-drip", "headers that never end, a byte at a time"),
    _url("http-huge-headers", "fetch_failed", "{base}/huge-headers", "200 KB of response headers"),
    _url("http-status-999", "http_error", "{base}/status-999"),
    _url("http-redirect-loop", "too_many_redirects", "{base}/loop"),
    _url("http-redirect-ping-pong", "too_many_redirects", "{base}/ping"),
    _url("http-redirect-chain", BRIEF, "{base}/hop1", must_contain=("Linda Okafor",)),
    _url("http-redirect-to-private", "blocked_address", "{base}/to-private"),
    _url("http-redirect-to-metadata", "blocked_address", "{base}/to-metadata"),
    _url("http-redirect-to-loopback-alias", "blocked_address", "{base}/to-loopback-alias"),
    _url("http-redirect-to-ftp", "bad_url", "{base}/to-ftp"),
    _url("http-redirect-to-javascript", "bad_url", "{base}/to-javascript"),
    _url("http-redirect-to-file", "bad_url", "{base}/to-file"),
    _url("http-redirect-no-location", "http_error", "{base}/redirect-no-location"),
    _url("https-to-plain-server", "fetch_failed", "https://127.0.0.1:{port}/article"),
]

assert len({c.name for c in CASES}) == len(CASES), "case names must be unique"
