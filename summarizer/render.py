"""Turn a Brief into what people read: plain text (CLI) or Telegram HTML (bot).

Everything that comes from the article or the user is escaped here, in one place,
so a hostile title or quote cannot inject markup or links.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from datetime import date
from typing import Callable

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


# The two forms of a brief: the compact one people see first (one phone screen: the headline,
# what happened in a sentence or two, the most prominent speakers with their most informative
# statements) and the full one ("More" in the bot, `briefbot brief --full`): every speaker and
# statement, continued in further messages when it is long.
LAYOUTS: dict[str, RenderLimits] = {
    "compact": RenderLimits(max_speakers=4, max_statements=2, max_statement_chars=150, max_title_chars=150,
                            max_site_chars=40, max_name_chars=50, max_summary_sentences=2, summary_chars=320,
                            speakers_chars=420),
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
    statements, in article order. The summary is a prefix of the brief's (article order), so a
    sentence that refers back is never shown without the sentence it refers to.
    """
    summary: list[str] = []
    for sentence in brief.summary[: limits.max_summary_sentences or None]:
        if summary and limits.summary_chars and sum(map(len, summary)) + len(sentence) > limits.summary_chars:
            break
        summary.append(sentence)
    # First every speaker's best statement, while the budget allows; then second statements:
    # a reader learns more from another voice than from a second line of the same one.
    ranked = [sorted(sp.quotes, key=lambda q: -q.informativeness)[: limits.max_statements]
              for sp in brief.speakers[: limits.max_speakers]]
    picked: list[list[Quote]] = []
    used = 0
    for speaker, best in zip(brief.speakers, ranked):
        line = _line_chars(speaker, best[:1], limits)
        if picked and limits.speakers_chars and used + line > limits.speakers_chars:
            break
        picked.append(best[:1])
        used += line
    for rank in range(1, limits.max_statements):
        for speaker, best, quotes in zip(brief.speakers, ranked, picked):
            if rank >= len(best):
                continue
            grown = _line_chars(speaker, quotes + [best[rank]], limits) - _line_chars(speaker, quotes, limits)
            if limits.speakers_chars and used + grown > limits.speakers_chars:
                continue
            quotes.append(best[rank])
            used += grown
    shown = [(sp, sorted(quotes, key=lambda q: q.start)) for sp, quotes in zip(brief.speakers, picked)]
    return View(summary, shown, max(0, len(brief.speakers) - len(shown)))


def _line_chars(speaker: Speaker, quotes: list[Quote], limits: RenderLimits) -> int:
    name, role, statements = _speaker_parts(speaker, quotes, limits)
    return len(name) + len(role or "") + len(statements) + 8


# One friendly sentence per error code, for the chat and the CLI.
FRIENDLY_ERRORS: dict[str, str] = {
    "bad_source": "I need a link, a file or some article text to brief.",
    "bad_url": "That doesn't look like a web link I can open.",
    "blocked_address": "I can't open links to private or local addresses.",
    "blocked_port": "I can't open links on that port.",
    "fetch_failed": "I couldn't reach that site. Please check the link or try again later.",
    "fetch_timeout": "That site took too long to answer. Please try again later.",
    "http_error": "The site answered with an error, so I couldn't read the article.",
    "too_many_redirects": "That link keeps redirecting, so I gave up.",
    "not_html": "That link isn't a web page with an article (it may be a file or an image).",
    "too_large": "That page is too large for me to read.",
    "bad_encoding": "I couldn't read that text: it doesn't look like readable text.",
    "no_article_text": "I couldn't find an article there: the page may be empty, a paywall or not a news story.",
    "too_short": "That text is too short to be an article.",
    "engine_failed": "Something went wrong while I was reading that article. Please try again later.",
    "timeout": "That article took too long to read. Please try again later.",
}


def render_error_text(code: str) -> str:
    return FRIENDLY_ERRORS.get(code, FRIENDLY_ERRORS["engine_failed"])


def render_error_html(code: str) -> str:
    """The friendly error sentence as Telegram HTML."""
    return html.escape(render_error_text(code), quote=False)


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


# Cues that only say "someone spoke": an indirect statement is shown without them. Any other cue
# carries meaning ("denied he ever said any of that", "warned that ...") and is shown before it.
PLAIN_CUES = frozenset({
    "say", "says", "said", "saying", "tell", "tells", "told", "telling", "add", "adds", "added", "adding",
    "state", "states", "stated", "note", "notes", "noted", "explain", "explains", "explained", "write",
    "writes", "wrote", "according", "according to", "report", "reports", "reported", "comment", "commented",
    "continue", "continued", "quoted", "was quoted as saying", "is quoted as saying", "went on",
})
# Longest role worth a reader's line, in words; a longer one is a misread clause, not a role.
MAX_ROLE_WORDS = 8


def _statement(quote: Quote, limits: RenderLimits) -> str:
    """A direct quote verbatim in quotation marks; reported speech after its cue when that says something.

    Both are shortened only at a word boundary, with "…".
    """
    if quote.direct:
        return f"“{_shorten(quote.text, limits.max_statement_chars).strip(' ,')}”"
    cue = " ".join((quote.cue or "").split())
    if cue and cue.lower() not in PLAIN_CUES and not quote.text.lower().startswith(cue.lower()):
        return _shorten(f"{cue} {quote.text}", limits.max_statement_chars).rstrip(" .,;")
    return _shorten(quote.text, limits.max_statement_chars).rstrip(" .,;")


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


def _speaker_parts(speaker: Speaker, quotes: list[Quote], limits: RenderLimits) -> tuple[str, str | None, str]:
    name = _shorten(speaker.name, limits.max_name_chars)
    role = real_role(speaker.name, speaker.role)
    role = _shorten(role, limits.max_name_chars) if role else None
    statements = "; ".join(_statement(q, limits) for q in quotes)
    more = len(speaker.quotes) - len(quotes)
    if more > 0:
        statements += f" (+{more} more)"
    return name, role, statements


def _render(brief: Brief, limits: RenderLimits, esc: Callable[[str], str], bold: Callable[[str], str],
            source_line: Callable[[str], str]) -> str:
    # _shorten also collapses line breaks: an inline field must stay on one line so that
    # split_message, which may cut between lines, never separates a tag from its end.
    view = select_view(brief, limits)
    title = _shorten(brief.title or "Untitled article", limits.max_title_chars)
    parts = [bold(esc(title))]
    site = _shorten(brief.site, limits.max_site_chars) if brief.site else None
    source = " · ".join(x for x in (site, format_date(brief.published)) if x)
    if source:
        parts[0] += "\n" + source_line(source)
    if view.summary:
        parts.append(bold("Summary:") + " " + esc(" ".join(" ".join(s.split()) for s in view.summary)))
    if view.speakers:
        lines = [bold("Who said what")]
        for speaker, quotes in view.speakers:
            name, role, statements = _speaker_parts(speaker, quotes, limits)
            who = bold(esc(name)) + (f" ({esc(role)})" if role else "")
            lines.append(f"• {who}: {esc(statements)}")
        if view.hidden_speakers:
            lines.append(esc(f"… and {view.hidden_speakers} more"))
        parts.append("\n".join(lines))
    # Bidi embeddings and overrides (U+202A..U+202E) let article text flip what follows it on
    # screen ("gpj.exe" shown as "exe.jpg"); isolates, which cannot leak, are kept for RTL text.
    return _BIDI_OVERRIDES.sub("", "\n\n".join(parts))


def render_text(brief: Brief, limits: RenderLimits = COMPACT) -> str:
    """The brief as plain text, the way the bot shows it."""
    if brief.error:
        return f"Error ({brief.error.code}): {brief.error.message}"
    return _render(brief, limits, esc=str, bold=str, source_line=str)


def _safe_href(url: str | None) -> str | None:
    if url and re.match(r"^https?://[^\s\"<>]+$", url, re.IGNORECASE):
        return html.escape(url, quote=True)
    return None


def render_telegram_html(brief: Brief, limits: RenderLimits = COMPACT) -> str:
    """The brief as Telegram HTML (parse_mode=HTML), everything from the article escaped."""
    if brief.error:
        return render_error_html(brief.error.code)

    def esc(s: str) -> str:
        return html.escape(s, quote=False)

    def bold(s: str) -> str:
        return f"<b>{s}</b>"

    href = _safe_href(brief.url)

    def source_line(s: str) -> str:
        return f'<a href="{href}">{esc(s)}</a>' if href else f"<i>{esc(s)}</i>"

    return _render(brief, limits, esc, bold, source_line)


_TAG = re.compile(r"<(/?)([a-z]+)[^>]*>")


def split_message(text: str, limit: int = TELEGRAM_LIMIT) -> list[str]:
    """Split Telegram HTML into messages of at most ``limit`` characters.

    Cuts at paragraph breaks first, then line breaks, then spaces; a cut never falls
    inside a tag or an entity, and tags open at a cut are closed and reopened.
    """
    return _pack(text, limit, ["\n\n", "\n"]) or [""]


def _pack(text: str, limit: int, separators: list[str]) -> list[str]:
    """Greedily join the pieces of ``text`` split at the first separator, recursing for oversize pieces."""
    if len(text) <= limit:
        return [text] if text else []
    if not separators:
        return _split_long(text, limit)
    sep, rest = separators[0], separators[1:]
    chunks: list[str] = []
    current = ""
    for piece in text.split(sep):
        candidate = f"{current}{sep}{piece}" if current else piece
        if len(candidate) <= limit:
            current = candidate
            continue
        if current:
            chunks.append(current)
        parts = _pack(piece, limit, rest)
        chunks.extend(parts[:-1])
        current = parts[-1] if parts else ""
    if current:
        chunks.append(current)
    return chunks


def _split_long(para: str, limit: int) -> list[str]:
    """Split one paragraph at line breaks or spaces outside tags, balancing open tags."""
    # Split points: positions of "\n" or " " that are outside any tag.
    tokens = re.split(r"(<[^>]*>|\n| )", para)
    out: list[str] = []
    open_tags: list[tuple[str, str]] = []  # (name, full opening tag)
    current = ""

    def closing() -> str:
        return "".join(f"</{name}>" for name, _ in reversed(open_tags))

    for tok in tokens:
        if not tok:
            continue
        reserve = len(closing()) + 1
        if len(current) + len(tok) + reserve > limit and current.strip():
            out.append(current.rstrip() + closing())
            current = "".join(tag for _, tag in open_tags)
            if tok in (" ", "\n"):
                continue
        while len(current) + len(tok) + len(closing()) > limit:  # one token longer than a message
            room = max(1, limit - len(current) - len(closing()))
            amp = tok.rfind("&", 0, room)
            if amp > 0 and ";" not in tok[amp:room]:  # never cut inside an entity like &amp;
                room = amp
            out.append(current + tok[:room] + closing())
            tok = tok[room:]
            current = "".join(tag for _, tag in open_tags)
        m = _TAG.fullmatch(tok)
        if m:
            if m.group(1):
                if open_tags and open_tags[-1][0] == m.group(2):
                    open_tags.pop()
            else:
                open_tags.append((m.group(2), tok))
        current += tok
    if current.strip():
        out.append(current)
    return out
