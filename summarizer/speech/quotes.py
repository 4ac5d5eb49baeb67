"""Finding direct-quote spans in article text, from the quotation marks alone.

News text mixes straight and typographic marks, uses single quotes both as
quotation marks (British style) and as apostrophes, and leaves a quote open at
the end of a paragraph when the next paragraph continues it. So each mark is
classified from its neighbours (could it open? could it close?) and a small
state machine pairs them, one paragraph at a time:

* an opening mark while a quote is already open starts a new quote (the old one
  was left unclosed: news style for a quote continued in the next paragraph,
  or a typo);
* a paragraph end closes an open quote (``closed=False`` records that);
* single quotes are only paired where a double quote does not already hold
  them, and an apostrophe inside a word (``don't``, ``Russia’s``) never counts.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass

from spacy.tokens import Doc

DOUBLE_OPEN = "“«„"
DOUBLE_CLOSE = "”»"
DOUBLE_ANY = '"' + DOUBLE_OPEN + DOUBLE_CLOSE
SINGLE_OPEN = "‘‹"
SINGLE_CLOSE = "’›"
SINGLE_ANY = "'" + SINGLE_OPEN + SINGLE_CLOSE

# Characters after which a mark may open a quote / before which it may close one.
_BEFORE_OPEN = set("([{—–-/:;,") | set(DOUBLE_ANY) | set(SINGLE_ANY)
_AFTER_CLOSE = set(".,;:!?)]}—–-/…") | set(DOUBLE_ANY) | set(SINGLE_ANY)
# How many later marks a possible possessive looks at for a better closing mark (bounded work).
_LOOKAHEAD_MARKS = 64
# Leading elisions that look like an opening single quote: 'em, 'n', '90s, 'til.
_ELISION = re.compile(r"(?:em|n|til|cause|tis|twas|bout)\b|\d0s\b", re.IGNORECASE)


@dataclass(frozen=True)
class QuoteSpan:
    """The text between a pair of quotation marks: ``text[start:end]``, marks excluded."""

    start: int
    end: int
    open_at: int  # offset of the opening mark
    close_end: int  # offset just after the closing mark (== end when the quote was left open)
    closed: bool
    single: bool  # single quotation marks (‘…’ or '…')


def doc_quote_spans(doc: Doc) -> list[QuoteSpan]:
    """The quotations of a parsed article, found once and kept on the Doc (``doc._.quote_spans``):
    the summarizer (which never picks a quote-only sentence) and the speakers stage read the same."""
    if not Doc.has_extension("quote_spans"):
        Doc.set_extension("quote_spans", default=None)
    if doc._.quote_spans is None:
        doc._.quote_spans = find_quote_spans(doc.text)
    return doc._.quote_spans


def find_quote_spans(text: str) -> list[QuoteSpan]:
    """Every quotation in ``text``, in order, nested ones (a quote inside a quote) excluded."""
    spans: list[QuoteSpan] = []
    for para_start, para_end in _paragraphs(text):
        doubles = _pair(text, para_start, para_end, DOUBLE_ANY, DOUBLE_OPEN, DOUBLE_CLOSE, single=False)
        singles = _pair(text, para_start, para_end, SINGLE_ANY, SINGLE_OPEN, SINGLE_CLOSE, single=True,
                        blocked=doubles)
        # A single-quoted span that wholly holds double-quoted ones is British nesting: keep the outer.
        # (Spans of one kind never overlap each other, so only the last one opening before a point can
        # hold it: a binary search keeps this linear in the number of marks.)
        kept_doubles = [d for d in doubles if not _held(singles, d.open_at, d.close_end, strict=True)]
        kept_singles = [s for s in singles if not (_held(kept_doubles, s.open_at, s.open_at + 1)
                                                   or _crosses_end(kept_doubles, s.close_end))]
        spans.extend(kept_doubles + kept_singles)
    spans = [s for s in spans if text[s.start:s.end].strip()]
    return sorted(spans, key=lambda s: s.start)


def _held(spans: list[QuoteSpan], lo: int, hi: int, *, strict: bool = False) -> bool:
    """Does one of ``spans`` (sorted, non-overlapping) hold ``[lo, hi)``: open at or before ``lo``
    (strictly before with ``strict``) and close at or after ``hi``?"""
    k = (bisect_left if strict else bisect_right)(spans, lo, key=lambda s: s.open_at)
    return k > 0 and hi <= spans[k - 1].close_end


def _crosses_end(spans: list[QuoteSpan], end: int) -> bool:
    """Does one of ``spans`` open before ``end`` and close at or after it?"""
    k = bisect_left(spans, end, key=lambda s: s.open_at)
    return k > 0 and end <= spans[k - 1].close_end


def _paragraphs(text: str) -> list[tuple[int, int]]:
    out, pos = [], 0
    for m in re.finditer(r"\n", text):
        if m.start() > pos:
            out.append((pos, m.start()))
        pos = m.end()
    if pos < len(text):
        out.append((pos, len(text)))
    return out


def _can_open(text: str, i: int, single: bool) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if after.isspace():
        return False
    if single and before.isalnum():
        return False  # an apostrophe inside or after a word
    if single and _ELISION.match(text, i + 1):
        return False
    return before.isspace() or before in _BEFORE_OPEN


def _can_close(text: str, i: int, single: bool) -> bool:
    before = text[i - 1] if i > 0 else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if single and after.isalnum():
        return False  # don't, Russia’s
    return (after.isspace() or after in _AFTER_CLOSE) and not before.isspace() or before.isspace() and after.isspace()


def _pair(text: str, lo: int, hi: int, marks: str, openers: str, closers: str, *, single: bool,
          blocked: list[QuoteSpan] = ()) -> list[QuoteSpan]:
    """Pair the marks of one kind inside one paragraph ``text[lo:hi]``."""
    out: list[QuoteSpan] = []
    open_at: int | None = None
    positions = [i for i in range(lo, hi) if text[i] in marks and not _held(blocked, i, i + 1)]
    for n, i in enumerate(positions):
        ch = text[i]
        can_open, can_close = _can_open(text, i, single), _can_close(text, i, single)
        # A typographic mark says which it is, unless its neighbours clearly say the opposite
        # (“ used as a closing mark right after a word, ” opening a word); « » may have spaces inside.
        before_space = i == 0 or text[i - 1].isspace()
        after_word = i + 1 < len(text) and text[i + 1].isalnum()
        if ch in openers and not (can_close and not before_space and not after_word):
            can_open, can_close = True, False
        elif ch in closers and not (before_space and after_word):
            can_open, can_close = False, can_close or not single
        if single and open_at is not None and can_close and _is_possessive(text, i):
            # "the players' union": take it as a closing mark only if no better one follows.
            later = positions[n + 1:n + 1 + _LOOKAHEAD_MARKS]
            if any(_can_close(text, j, True) and not _is_possessive(text, j) for j in later):
                continue
        if _glued(text, i):
            # 'plate."School meals' - paragraphs run together with no break. Inside a quote the mark
            # closes it; it also opens the next paragraph's quote when the next mark cannot open one.
            if open_at is None:
                open_at = i
                continue
            out.append(_span(text, open_at, i, closed=True, single=single))
            nxt = positions[n + 1] if n + 1 < len(positions) else None
            clear_opener = nxt is not None and _can_open(text, nxt, single) and not _can_close(text, nxt, single) \
                and not _glued(text, nxt)
            open_at = i if nxt is not None and not clear_opener else None
            continue
        if open_at is None:
            if can_open:
                open_at = i
        elif can_close:
            out.append(_span(text, open_at, i, closed=True, single=single))
            open_at = None
        elif can_open:
            out.append(_span(text, open_at, i, closed=False, single=single))
            open_at = i
    if open_at is not None and not single:
        # Left open at the paragraph end: news style for a quote continued in the next paragraph.
        out.append(_span(text, open_at, hi, closed=False, single=single))
    return [s for s in out if s.end > s.start]


def _glued(text: str, i: int) -> bool:
    """A mark between a sentence end and a capital with no space: 'plate."School' (lost paragraph break)."""
    return 0 < i < len(text) - 1 and text[i - 1] in ".!?," and text[i + 1].isupper()


def _is_possessive(text: str, i: int) -> bool:
    """``s'`` followed by a lower-case content word ("the players' union"): a plural possessive, not a
    closing mark. Followed by a function word ("'patriotic Scots' to vote") it closes a quote."""
    if text[i - 1:i] not in ("s", "S"):
        return False
    m = re.match(r"\s+([a-z]+)", text[i + 1:i + 20])
    return m is not None and m.group(1) not in _FUNCTION_WORDS


_FUNCTION_WORDS = frozenset("""
a an the to and or but nor of in on at for with by from as than that which who whom whose when where while
is are was were be been being has have had do does did will would shall should can could may might must
it its he she they we you i his her their our your this these those if because so then not no yes after before
""".split())


def _span(text: str, open_at: int, close_at: int, *, closed: bool, single: bool) -> QuoteSpan:
    start, end = open_at + 1, close_at
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return QuoteSpan(start=start, end=end, open_at=open_at, close_end=close_at + 1 if closed else end,
                     closed=closed, single=single)


@dataclass(frozen=True)
class QuoteIndex:
    """The quotes of a parsed article with their tokens: what the attribution constructions look up."""

    spans: list[QuoteSpan]
    tokens: list[tuple[int, int]]  # token range [first, last] of each quote, marks included
    in_quote: list[int]  # token index -> the quote it belongs to, or -1


def quote_index(doc: Doc) -> QuoteIndex:
    """The article's quotes (``doc_quote_spans``) mapped onto its tokens, found once (``doc._.quote_index``)."""
    if not Doc.has_extension("quote_index"):
        Doc.set_extension("quote_index", default=None)
    if doc._.quote_index is not None:
        return doc._.quote_index
    spans = doc_quote_spans(doc)
    tokens: list[tuple[int, int]] = []
    in_quote = [-1] * len(doc)
    for qi, s in enumerate(spans):
        lo, hi = token_range(doc, s.open_at, max(s.close_end, s.open_at + 1))
        tokens.append((lo, hi))
        for i in range(lo, hi + 1):
            if in_quote[i] < 0:
                in_quote[i] = qi
    doc._.quote_index = QuoteIndex(spans=spans, tokens=tokens, in_quote=in_quote)
    return doc._.quote_index


def token_range(doc: Doc, start_char: int, end_char: int) -> tuple[int, int]:
    """Token indices [first, last] covering a character range."""
    span = doc.char_span(start_char, end_char, alignment_mode="expand")
    if span is None or len(span) == 0:
        # fall back: tokens that overlap the range
        toks = [t.i for t in doc if t.idx < end_char and t.idx + len(t) > start_char]
        return (toks[0], toks[-1]) if toks else (0, -1)
    return span.start, span.end - 1
