"""Direct quotes in Russian text: «ёлочки», „лапки“, "straight" and “English” marks, nested, and dialogue.

Russian nests quotes as «…„…“…» (or «…«…»…»), so marks are paired with a stack and only the
outermost pair is a quote. A quote may carry the author's words inside its marks — «Часть, —
сказал он, — часть» or «Часть, — сказал он. — Часть» — and a paragraph may be a dialogue line
with no marks at all — "— Часть, — сказал он." Both are cut into ``QuotePiece``s, each an exact
span of the text without marks, dashes or the author's words; ``aside`` is the author's words
found between two pieces (where the cue is). A quote still open at the end of its paragraph ends
there. Everything here is a linear scan of the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# opening mark -> the marks that close it
PAIRS = {"«": "»", "„": "“”", "“": "”", '"': '"'}
CLOSERS = "»“”"
DASHES = "—–-"
# Inside a quote: punctuation, a spaced dash, then the author's words, up to the next spaced dash
# or the quote's end. Bounded, so the scan stays linear.
_ASIDE = re.compile(r"([,!?…])\s+[—–-]\s+([^«»„“”\"\n—–]{1,150}?)(?:([,.:])\s+[—–-]\s+|$)")
_DIALOGUE = re.compile(r"[—–]\s+")  # used with .match at a paragraph start


@dataclass(frozen=True)
class QuotePiece:
    start: int  # text[start:end] is the quoted words
    end: int
    open_at: int  # where the quotation (with its marks or the dialogue dash) begins
    close_end: int  # just after it ends
    aside: tuple[int, int] | None = None  # the author's words that cut this quote, after this piece
    dialogue: bool = False


def find_quotes(text: str) -> list[tuple[int, int, int, int]]:
    """Outermost quotations (start, end, open_at, close_end): the marks at open_at and close_end - 1."""
    out: list[tuple[int, int, int, int]] = []
    for para in re.finditer(r"[^\n]+", text):
        stack: list[tuple[str, int]] = []
        for i in range(para.start(), para.end()):
            ch = text[i]
            if ch not in PAIRS and ch not in CLOSERS:
                continue
            if ch == '"':
                if stack and stack[-1][0] == '"' and _can_close(text, i):
                    _close(out, stack, i)
                elif _can_open(text, i):
                    stack.append((ch, i))
                continue
            if stack and ch in PAIRS[stack[-1][0]]:
                _close(out, stack, i)
            elif ch in PAIRS and ch != "”":
                stack.append((ch, i))
        if stack:  # left open: the quote runs to the paragraph's end
            _, at = stack[0]
            end = para.end()
            out.append((at + 1, end, at, end))
    out.sort()
    return out


def _close(out: list, stack: list, i: int) -> None:
    _, at = stack.pop()
    if not stack:
        out.append((at + 1, i, at, i + 1))


def _can_open(text: str, i: int) -> bool:
    nxt = text[i + 1] if i + 1 < len(text) else " "
    prev = text[i - 1] if i > 0 else " "
    return not nxt.isspace() and (prev.isspace() or prev in "(«„“:—–-")


def _can_close(text: str, i: int) -> bool:
    prev = text[i - 1] if i > 0 else " "
    return not prev.isspace()


def quote_pieces(text: str) -> list[QuotePiece]:
    """Every direct-quote piece of ``text`` in order: quotations cut at the author's words, and dialogue lines."""
    pieces: list[QuotePiece] = []
    quoted = find_quotes(text)
    for start, end, open_at, close_end in quoted:
        pieces.extend(_cut_asides(text, start, end, open_at, close_end))
    for para in re.finditer(r"[^\n]+", text):
        m = _DIALOGUE.match(text, para.start(), para.end())
        if m and not any(o <= m.end() < c for _, _, o, c in quoted):
            pieces.extend(_cut_asides(text, m.end(), para.end(), para.start(), para.end(), dialogue=True))
    pieces = [p for p in pieces if text[p.start:p.end].strip()]
    return sorted(pieces, key=lambda p: p.start)


def _cut_asides(text: str, start: int, end: int, open_at: int, close_end: int,
                dialogue: bool = False) -> list[QuotePiece]:
    out: list[QuotePiece] = []
    pos = start
    for m in _ASIDE.finditer(text, start, end):
        if m.start() <= pos:
            continue
        if dialogue and m.end() >= end and not m.group(3):
            # "— Quote, — сказал он." : the aside runs to the line's end
            out.append(QuotePiece(pos, _strip_end(text, pos, m.start()), open_at, m.start(),
                                  (m.start(2), _strip_end(text, m.start(2), m.end())), dialogue))
            return out
        if not m.group(3) and m.end() < end:
            continue
        out.append(QuotePiece(pos, _strip_end(text, pos, m.start() + (m.group(1) != ",")), open_at,
                              m.start(), (m.start(2), m.end(2)), dialogue))
        pos = m.end()
    if pos < end:
        out.append(QuotePiece(pos, _strip_end(text, pos, end), open_at, close_end, None, dialogue))
    return out


def _strip_end(text: str, start: int, end: int) -> int:
    while end > start and text[end - 1].isspace():
        end -= 1
    return end
