"""Turn a Brief into what people read: plain text (CLI) or Telegram HTML (bot).

Everything that comes from the article or the user is escaped here, in one place,
so a hostile title or quote cannot inject markup or links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterator

from .errors import ERROR_CODES
from .textrules import repeats_statement
from .types import Brief, Quote, Speaker

TELEGRAM_LIMIT = 4096


@dataclass(frozen=True)
class RenderLimits:
    """How much of a brief is shown (the JSON keeps everything). One preset per layout in ``LAYOUTS``.

    A budget in characters (0: none) stops adding once it is reached: the first summary sentence
    and the first speaker are always shown, a further one only while the part stays in its budget.
    """

    max_speakers: int = 12
    max_statements: int = 6  # per speaker
    max_statement_chars: int = 320
    max_title_chars: int = 300
    max_site_chars: int = 100
    max_name_chars: int = 120  # a speaker's name or role
    max_summary_sentences: int = 0  # 0: every sentence of the summary
    summary_chars: int = 0  # budget of the summary
    speakers_chars: int = 0  # budget of "Who said what" (names, roles and statements)
    # Leave out a statement the shown summary already says (a lead like "X confirmed that ...":
    # the speaker's line then shows their next statement). The full brief keeps every statement.
    skip_told: bool = False
    # A longer source URL is not linked (the site is shown in italics): a link of thousands of
    # characters cannot be carried into a continuation message and helps no reader.
    max_link_chars: int = 2048


# Codes whose engine message is already the sentence to show (it names what only the engine knows:
# "This article looks German; I can brief English and Russian articles so far.").
MESSAGE_IS_FRIENDLY = frozenset({"unsupported_language"})

# The brief's own words, in the article's language (English for any language not listed).
HEADINGS: dict[str, dict[str, str]] = {
    "en": {"untitled": "Untitled article", "summary": "Summary:", "who": "Who said what", "more": "more",
           "and_more": "… and {n} more", "teaser": "Only the free teaser of this article could be read."},
    "ru": {"untitled": "Статья без заголовка", "summary": "Кратко:", "who": "Кто что сказал", "more": "ещё",
           "and_more": "… и ещё {n}", "teaser": "Удалось прочитать только бесплатный анонс статьи."},
}

# The two forms of a brief: the compact one people see first (one phone screen: the headline,
# what happened in a sentence or two, the most prominent speakers with their most informative
# statements) and the full one ("More" in the bot, `briefbot brief --full`): every speaker and
# statement, continued in further messages when it is long.
LAYOUTS: dict[str, RenderLimits] = {
    "compact": RenderLimits(max_speakers=4, max_statements=2, max_statement_chars=150, max_title_chars=150,
                            max_site_chars=40, max_name_chars=50, max_summary_sentences=2, summary_chars=320,
                            speakers_chars=420, skip_told=True),
    "full": RenderLimits(),
}
COMPACT, FULL = LAYOUTS["compact"], LAYOUTS["full"]


@dataclass(frozen=True)
class View:
    """What a layout shows of a brief: the summary sentences and, per speaker, the statements."""

    summary: list[str]
    speakers: list[tuple[Speaker, list[Quote]]]
    hidden_speakers: int  # speakers left out ("… and N more")


def select_view(brief: Brief, limits: RenderLimits = COMPACT) -> View:
    """The parts of ``brief`` that ``limits`` shows; the renderers and `briefbot eval brief` share it.

    Speakers come in the brief's order (most salient first); each shows its most informative
    statements the brief may show (``Quote.shown``), in article order; with ``skip_told`` not
    one the shown summary already says (``textrules.repeats_statement``), so nothing is read
    twice. The summary is a prefix of the brief's (article order), so a sentence that refers
    back is never shown without the sentence it refers to.
    """
    summary: list[str] = []
    for sentence in brief.summary[: limits.max_summary_sentences or None]:
        if summary and limits.summary_chars and sum(map(len, summary)) + len(sentence) > limits.summary_chars:
            break
        summary.append(sentence)
    told = _summary_spans(brief.text, summary) if limits.skip_told else []
    candidates = [(sp, [q for q in shown_quotes(sp) if not any(repeats_statement(s, (q.start, q.end)) for s in told)])
                  for sp in shown_speakers(brief)]
    speakers = [sp for sp, quotes in candidates if quotes]
    # First every speaker's best statement, while the budget allows; then second statements:
    # a reader learns more from another voice than from a second line of the same one.
    ranked = [sorted(quotes, key=lambda q: -q.informativeness)[: limits.max_statements]
              for _, quotes in candidates if quotes][: limits.max_speakers]
    picked: list[list[Quote]] = []
    used = 0
    for speaker, best in zip(speakers, ranked):
        line = _line_chars(speaker, best[:1], limits)
        if picked and limits.speakers_chars and used + line > limits.speakers_chars:
            break
        picked.append(best[:1])
        used += line
    for rank in range(1, limits.max_statements):
        for speaker, best, quotes in zip(speakers, ranked, picked):
            if rank >= len(best):
                continue
            grown = _line_chars(speaker, quotes + [best[rank]], limits) - _line_chars(speaker, quotes, limits)
            if limits.speakers_chars and used + grown > limits.speakers_chars:
                continue
            quotes.append(best[rank])
            used += grown
    shown = [(sp, sorted(quotes, key=lambda q: q.start)) for sp, quotes in zip(speakers, picked)]
    # a speaker all of whose statements the summary says is in the full brief: counted as more
    return View(summary, shown, len(candidates) - len(shown))


def _summary_spans(text: str, summary: list[str]) -> list[tuple[int, int]]:
    """Where the summary's sentences are in the article (an extractive summary's sentences are
    exact substrings; a generated sentence found nowhere has no span)."""
    spans = []
    for sentence in summary:
        start = text.find(sentence)
        if start >= 0:
            spans.append((start, start + len(sentence)))
    return spans


def shown_quotes(speaker: Speaker) -> list[Quote]:
    """The statements a brief may show ([speakers] min_confidence and no documents: ``Quote.shown``)."""
    return [q for q in speaker.quotes if q.shown]


def shown_speakers(brief: Brief) -> list[Speaker]:
    return [sp for sp in brief.speakers if any(q.shown for q in sp.quotes)]


def _line_chars(speaker: Speaker, quotes: list[Quote], limits: RenderLimits) -> int:
    name, role, statements = _speaker_parts(speaker, quotes, limits, HEADINGS["en"])
    return len(name) + len(role or "") + len(statements) + 8


def headings(language: str | None) -> dict[str, str]:
    return HEADINGS.get(language or "", HEADINGS["en"])


def render_error_text(code: str, message: str | None = None, language: str | None = None) -> str:
    """The friendly sentence for an error code (errors.ERROR_CODES) in the reader's ``language``
    (English when none or untranslated); an unknown code reads as engine_failed.

    For a code in MESSAGE_IS_FRIENDLY the engine's own message (given) is the sentence for English
    readers; it is written in English, so other readers get the table's translated sentence.
    """
    if code in MESSAGE_IS_FRIENDLY and message and (language or "en") == "en":
        return message
    return ERROR_CODES.get(code, ERROR_CODES["engine_failed"]).friendly_in(language)


def render_error_html(code: str, message: str | None = None, language: str | None = None) -> str:
    """The friendly error sentence as Telegram HTML."""
    return html.escape(render_error_text(code, message, language), quote=False)


def format_date(iso: str | None) -> str | None:
    if not iso:
        return None
    try:
        return date.fromisoformat(iso[:10]).strftime("%-d %b %Y")
    except ValueError:
        return None


_BIDI_OVERRIDES = re.compile("[\u202a-\u202e]")


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip(" ,;:") + "…"


# Longest role worth a reader's line, in words; a longer one is a misread clause, not a role.
MAX_ROLE_WORDS = 8


def _statement(quote: Quote, limits: RenderLimits) -> str:
    """A direct quote verbatim in quotation marks, reported speech as written; either after its cue
    when the cue changes what the words mean ("denied he ever said any of that": ``Quote.lead``).

    Shortened only at a word boundary, with "…".
    """
    lead = " ".join((quote.lead() or "").split())
    if lead and quote.text.lower().startswith(lead.lower()):
        lead = ""
    if quote.direct:
        words = f"“{_shorten(quote.text, limits.max_statement_chars).strip(' ,')}”"
        return f"{_shorten(lead, limits.max_name_chars)} {words}" if lead else words
    return _shorten(f"{lead} {quote.text}" if lead else quote.text, limits.max_statement_chars).rstrip(" .,;")


def real_role(name: str, role: str | None) -> str | None:
    """The role when it reads as one: not a possessive fragment ("teenager's"), not the name again, not a clause."""
    role = " ".join((role or "").split()).strip(" ,;:-–—")
    if not role or role.endswith(("'s", "’s", "'", "’")) or len(role.split()) > MAX_ROLE_WORDS:
        return None
    name_words = {w.lower() for w in re.findall(r"\w+", name)}
    role_words = [w.lower() for w in re.findall(r"\w+", role)]
    if not role_words or all(w in name_words for w in role_words):
        return None
    return role


def _speaker_parts(speaker: Speaker, quotes: list[Quote], limits: RenderLimits,
                   words: dict[str, str]) -> tuple[str, str | None, str]:
    name = _shorten(speaker.name, limits.max_name_chars)
    role = real_role(speaker.name, speaker.role)
    role = _shorten(role, limits.max_name_chars) if role else None
    statements = "; ".join(_statement(q, limits) for q in quotes)
    more = len(shown_quotes(speaker)) - len(quotes)
    if more > 0:
        statements += f" (+{more} {words['more']})"
    return name, role, statements


def _render(brief: Brief, limits: RenderLimits, esc: Callable[[str], str], bold: Callable[[str], str],
            source_line: Callable[[str], str], note: Callable[[str], str] = str) -> str:
    # _shorten also collapses line breaks: an inline field must stay on one line so that
    # split_message, which may cut between lines, never separates a tag from its end.
    words = headings(brief.language)
    view = select_view(brief, limits)
    title = _shorten(brief.title or words["untitled"], limits.max_title_chars)
    parts = [bold(esc(title))]
    site = _shorten(brief.site, limits.max_site_chars) if brief.site else None
    source = " · ".join(x for x in (site, format_date(brief.published)) if x)
    if source:
        parts[0] += "\n" + source_line(source)
    if brief.paywalled:
        # The page showed only its teaser: say so before the summary, which briefs only that part.
        parts.append(note(words["teaser"]))
    if view.summary:
        parts.append(bold(words["summary"]) + " " + esc(" ".join(" ".join(s.split()) for s in view.summary)))
    if view.speakers:
        lines = [bold(words["who"])]
        for speaker, quotes in view.speakers:
            name, role, statements = _speaker_parts(speaker, quotes, limits, words)
            who = bold(esc(name)) + (f" ({esc(role)})" if role else "")
            lines.append(f"• {who}: {esc(statements)}")
        if view.hidden_speakers:
            lines.append(esc(words["and_more"].format(n=view.hidden_speakers)))
        parts.append("\n".join(lines))
    # Bidi embeddings and overrides (U+202A..U+202E) let article text flip what follows it on
    # screen ("gpj.exe" shown as "exe.jpg"); isolates, which cannot leak, are kept for RTL text.
    return _BIDI_OVERRIDES.sub("", "\n\n".join(parts))


def render_text(brief: Brief, limits: RenderLimits = COMPACT) -> str:
    """The brief as plain text, the way the bot shows it."""
    if brief.error:
        return f"Error ({brief.error.code}): {brief.error.message}"
    return _render(brief, limits, esc=str, bold=str, source_line=str)


def _safe_href(url: str | None, max_chars: int) -> str | None:
    if url and len(url) <= max_chars and re.match(r"^https?://[^\s\"<>]+$", url, re.IGNORECASE):
        return html.escape(url, quote=True)
    return None


def render_telegram_html(brief: Brief, limits: RenderLimits = COMPACT) -> str:
    """The brief as Telegram HTML (parse_mode=HTML), everything from the article escaped."""
    if brief.error:
        return render_error_html(brief.error.code, brief.error.message)

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    def bold(s: str) -> str:
        return f"<b>{s}</b>"

    href = _safe_href(brief.url, limits.max_link_chars)

    def source_line(s: str) -> str:
        return f'<a href="{href}">{esc(s)}</a>' if href else f"<i>{esc(s)}</i>"

    return _render(brief, limits, esc, bold, source_line, note=lambda s: f"<i>{esc(s)}</i>")


def utf16_len(text: str) -> int:
    """Length as Telegram counts it: UTF-16 code units (a character outside the BMP, such as most
    emoji, is two)."""
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


# The smallest message limit split_message accepts: room for a few nested tags and some text.
MIN_SPLIT_LIMIT = 32

_TAG = re.compile(r"<(/?)([a-z]+)[^<>]*>")
# One unit of Telegram HTML for the splitter (each pattern stops at the next "<", so scanning is
# linear even on a run of unclosed "<"): a tag, an entity, a space or line break (where a
# message may end), a run of other text, or a lone character (an '&' that starts no entity).
_HTML_TOKEN = re.compile(r"<[^<>]*>|&#?\w+;|[ \n]|[^<& \n]+|.", re.DOTALL)


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` UTF-16 code units each.

    The whole message is counted, markup included, so a part is never longer than Telegram
    allows (it counts only the visible text). Cuts fall at paragraph breaks first, then line
    breaks, then spaces; a cut never falls inside a tag or an entity, and tags open at a cut
    are closed and reopened. Every step consumes input, so splitting always ends: a tag too
    long to reopen in a fresh message (a link to a URL of thousands of characters) is dropped,
    with its text kept unformatted, instead of being carried from part to part.
    """
    if limit < MIN_SPLIT_LIMIT:
        raise ValueError(f"message limit {limit} is below {MIN_SPLIT_LIMIT}")
    return _pack(text, limit, ["\n\n", "\n"]) or [""]


def _pack(text: str, limit: int, separators: list[str]) -> list[str]:
    """Greedily join the pieces of ``text`` split at the first separator, recursing for oversize pieces."""
    if utf16_len(text) <= limit:
        return [text] if text else []
    if not separators:
        return _HtmlSplitter(limit).split(text)
    sep, rest = separators[0], separators[1:]
    chunks: list[str] = []
    current, current_len = "", 0
    for piece in _pieces_outside_tags(text, sep):
        piece_len = utf16_len(piece)
        if current and current_len + len(sep) + piece_len <= limit:
            current, current_len = f"{current}{sep}{piece}", current_len + len(sep) + piece_len
            continue
        if not current and piece_len <= limit:
            current, current_len = piece, piece_len
            continue
        if current:
            chunks.append(current)
        parts = _pack(piece, limit, rest)
        chunks.extend(parts[:-1])
        current = parts[-1] if parts else ""
        current_len = utf16_len(current)
    if current:
        chunks.append(current)
    return chunks


def _pieces_outside_tags(text: str, sep: str) -> Iterator[str]:
    """``text.split(sep)``, except that a separator between a tag and its end does not split."""
    pending: list[str] = []
    depth = 0
    for piece in text.split(sep):
        pending.append(piece)
        for m in _TAG.finditer(piece):
            depth += -1 if m.group(1) else 1
        if depth <= 0:
            yield sep.join(pending)
            pending, depth = [], 0
    if pending:
        yield sep.join(pending)


@dataclass
class _OpenTag:
    name: str
    tag: str  # the opening tag as written, to reopen it in the next part
    kept: bool  # False: dropped (too long to carry), its text goes on unformatted


class _HtmlSplitter:
    """Cut one oversize paragraph of Telegram HTML into parts at spaces or line breaks outside tags.

    Invariant: the current part plus the closing tags it needs never exceeds the limit, and the
    kept open tags (reopened in every part) take at most half of it, so the next token always
    fits after a cut: every step consumes input and the splitting ends in linear time.
    """

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: list[str] = []
        self.buf: list[str] = []
        self.size = 0  # UTF-16 length of buf
        self.has_text = False
        self.stack: list[_OpenTag] = []
        self.opening_size = 0  # UTF-16 length of the kept open tags (what reopening costs)
        self.closing_size = 0  # ... and of their closing tags (what a part must keep room for)

    def split(self, para: str) -> list[str]:
        for m in _HTML_TOKEN.finditer(para):
            tok = m.group(0)
            tag = _TAG.fullmatch(tok) if tok.startswith("<") else None
            if tag and tag.group(1):
                self._close(tag.group(2))
            elif tag:
                self._open(tag.group(2), tok)
            elif tok in (" ", "\n"):
                if not self.has_text:
                    continue  # whitespace opening a part (Telegram trims it anyway)
                if not self._fits(1):
                    self._flush()  # whitespace at a cut is dropped
                    continue
                self._add(tok, 1, text=False)
            else:
                self._text(tok)
        if self.has_text:
            self.parts.append("".join(self.buf) + self._closing())
        return self.parts

    def _fits(self, size: int) -> bool:
        return self.size + size + self.closing_size <= self.limit

    def _add(self, tok: str, size: int, *, text: bool) -> None:
        self.buf.append(tok)
        self.size += size
        self.has_text = self.has_text or text

    def _closing(self) -> str:
        return "".join(f"</{t.name}>" for t in reversed(self.stack) if t.kept)

    def _flush(self) -> None:
        """End the current part (one with no text yet is only tags: it is discarded) and start
        the next with the kept open tags reopened."""
        if self.has_text:
            self.parts.append("".join(self.buf).rstrip(" \n") + self._closing())
        if self.opening_size + self.closing_size > self.limit // 2:
            for t in self.stack:  # reopening would leave too little room for text: go on unformatted
                t.kept = False
            self.opening_size = self.closing_size = 0
        reopen = "".join(t.tag for t in self.stack if t.kept)
        self.buf, self.size, self.has_text = [reopen], self.opening_size, False

    def _open(self, name: str, tok: str) -> None:
        size, closer = utf16_len(tok), len(name) + 3
        # A tag that could not be reopened in a fresh part with half of it left for text is
        # dropped at once: carrying it would leave parts with (almost) no room to progress.
        kept = self.opening_size + self.closing_size + size + closer <= self.limit // 2
        if kept:
            if not self._fits(size + closer + 1):
                self._flush()
            self._add(tok, size, text=False)
            self.opening_size += size
            self.closing_size += closer
        self.stack.append(_OpenTag(name, tok, kept))

    def _close(self, name: str) -> None:
        if not self.stack or self.stack[-1].name != name:
            return  # a closing tag without its opening tag would be malformed: dropped
        opened = self.stack.pop()
        if opened.kept:
            closer = f"</{name}>"
            self.opening_size -= utf16_len(opened.tag)
            self.closing_size -= len(closer)
            self._add(closer, len(closer), text=False)  # its room was reserved in closing_size

    def _text(self, tok: str) -> None:
        size = utf16_len(tok)
        if not self._fits(size):
            self._flush()
        if self._fits(size):
            self._add(tok, size, text=True)
            return
        # Longer than a whole message (a run of text without spaces): cut between characters,
        # filling each part. An entity never reaches here (a few units; half of a part is text).
        while tok:
            room = self.limit - self.size - self.closing_size
            piece = tok[:room]
            while piece and (excess := utf16_len(piece) - room) > 0:  # two-unit characters
                piece = piece[: len(piece) - (excess + 1) // 2]
            if not piece:
                self._flush()
                continue
            self._add(piece, utf16_len(piece), text=True)
            tok = tok[len(piece):]
            if tok:
                self._flush()
