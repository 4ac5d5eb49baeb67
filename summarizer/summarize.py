"""The extractive summary: a few of the article's own sentences (the default engine; the
seq2seq one is in ``seq2seq.py``, and ``engines.summarize`` runs the one the settings name).

The extractive engine is faithful by construction: every summary sentence is an
exact substring of ``doc.text``. It works in four steps:

1. candidates: the spaCy sentences, with sentences glued together by extraction
   ("home.Half of ...") split apart, datelines trimmed off, and page furniture,
   bylines, captions and quote-only sentences set aside;
2. one batched embedding call (all-MiniLM-L6-v2) for the candidates and the title;
3. a score per sentence: similarity to the article's centroid and to its title,
   plus a prior for sentences near the top (news puts the point first);
4. greedy selection with redundancy control (MMR) under a sentence count and a
   word budget, returned in article order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import islice
from typing import TYPE_CHECKING

import numpy as np

from .models import get_embedder
from .settings import Settings, SummarySettings
from .speech.quotes import doc_quote_spans, find_quote_spans

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

@dataclass(frozen=True)
class Sentence:
    """One candidate sentence: ``text == doc.text[start:end]``."""

    index: int  # order in the article
    start: int
    end: int
    text: str
    words: int
    furniture: bool  # byline, caption, page furniture or quote-only: never selected


# --- public API (the engine is chosen in engines.summarize) ------------------------


def lead3(doc: "Doc", n: int = 3) -> list[str]:
    """The classic baseline: the article's first ``n`` sentences, as spaCy splits them."""
    texts = [doc.text[s.start_char : s.end_char].strip() for s in doc.sents]
    return [t for t in texts if t][:n]


def extractive_summary(doc: "Doc", title: str | None, settings: Settings, length: str) -> list[str]:
    sentences = candidate_sentences(doc)
    usable = [s for s in sentences if not s.furniture]
    if not usable:
        usable = [s for s in sentences if s.words > 0]  # better a caption than nothing
    if not usable:
        return []
    if settings.summary.max_candidates > 0:
        # news rarely saves its point for the end: embedding only the top keeps long articles fast
        usable = usable[: settings.summary.max_candidates]
    title = (title or "").strip()
    texts = [s.text for s in usable] + ([title] if title else [])
    vectors = get_embedder(settings.models).encode(texts)  # one batched call per article
    sentence_vectors = vectors[: len(usable)]
    title_vector = vectors[len(usable)] if title else None
    scores = sentence_scores(usable, sentence_vectors, title_vector, settings.summary)
    chosen = select(usable, sentence_vectors, scores, settings.summary, length)
    budget = settings.summary.words[length]
    return [_cut_overlong(usable[i].text, budget) for i in sorted(chosen)]


def _repeats(a: Sentence, b: Sentence) -> bool:
    wa, wb = set(a.text.lower().split()), set(b.text.lower().split())
    return len(wa & wb) >= DUPLICATE_OVERLAP * max(1, len(wa | wb))


def _cut_overlong(text: str, budget: int) -> str:
    words = list(re.finditer(r"\S+", text))
    if len(words) <= OVERLONG_BUDGETS * budget:
        return text
    return text[: words[budget - 1].end()]


# --- step 1: candidates -----------------------------------------------------------

# Two sentences glued by text extraction: "…at home.Half of parents…" (lower-case letter,
# full stop, capital). Splitting there keeps both halves exact substrings of the text.
_GLUED = re.compile(r"(?<=[a-z)][.!?])([\"“”’]?)(?=[A-Z][a-z])")
_LINE = re.compile(r"[^\n]+")
# "LONDON, England (CNN) -- ", "(CNN) — ", "WASHINGTON (Reuters) - ", "PARIS — "
_DATELINE = re.compile(
    r"^(?:[A-Z][\w.'’ ,-]{0,60}?\s*)?\((?:CNN|AP|AFP|Reuters|Xinhua|dpa|UPI)[^)]{0,40}\)\s*(?:--|—|–|-|:)?\s*"
    r"|^[A-Z][A-Z.'’ ,-]{2,40}\s*(?:--|—|–)\s*"
)
# A run of menu items glued into one word ("withEmailFacebookMessengerTwitter…linkResearchers")
# has at least this many lower-case-to-capital joins.
_MENU_JOINS = 3
_JOIN = re.compile(r"(?<=[a-z])(?=[A-Z])")
# Lines that belong to the page, not the story.
_FURNITURE = re.compile(
    r"^(?:by\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:[.,|]|and\b|for\b|$)"
    r"|(?:published|updated|last updated|posted)\s*:?\s*\d"
    r"|(?:published|updated)\s*:"
    r"|(?:image|photo|picture|video|media)\s+(?:copyright|caption|credit|playback)"
    r"|(?:scroll down|click here|read more|related:|see also|follow\s+@|share this|sign up|subscribe)"
    r"|(?:copyright|©|all rights reserved)"
    r"|(?:advertisement|getty images|file photo)\b)",
    re.IGNORECASE,
)
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…][\"”’')\]]*$|[\"”’]$")
# Sentences shorter than this many words are headings, captions or fragments.
MIN_WORDS = 5
# Two sentences sharing this much of their words (Jaccard) are one sentence repeated (a
# repeated paragraph, a pull quote): MMR only lowers a repeat's score, so repeats are excluded.
DUPLICATE_OVERLAP = 0.9
# A lone sentence longer than this many word budgets (a run-on block without full stops)
# is cut to the budget at a word boundary: still a substring of the article, never a wall of text.
OVERLONG_BUDGETS = 2
# A sentence this much inside quotation marks is "only a quote" (who said it is lost).
QUOTE_ONLY_SHARE = 0.9


def candidate_sentences(doc: "Doc") -> list[Sentence]:
    """The article's sentences as exact spans of ``doc.text``, furniture flagged."""
    text = doc.text
    quoted = _quoted_mask(doc)
    out: list[Sentence] = []
    for sent in doc.sents:
        for start, end in _split_glued(text, sent.start_char, sent.end_char):
            start, end = _trim(text, start, end)
            if start >= end:
                continue
            piece = text[start:end]
            words = len(piece.split())
            quote_share = float(quoted[start:end].mean())
            furniture = (
                words < MIN_WORDS
                or bool(_FURNITURE.match(piece))
                or not _ENDS_LIKE_SENTENCE.search(piece)
                or quote_share >= QUOTE_ONLY_SHARE
            )
            out.append(Sentence(len(out), start, end, piece, words, furniture))
    return out


def _split_glued(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """A spaCy sentence cut where a line ends (headings, datelines) or where two sentences were glued."""
    pieces = []
    for line in _LINE.finditer(text, start, end):
        pieces.extend(_split_glued_line(text, line.start(), line.end()))
    return pieces


def _split_glued_line(text: str, start: int, end: int) -> list[tuple[int, int]]:
    cuts = [start]
    for m in _GLUED.finditer(text, start, end):
        mark = m.group(1)
        # a quotation mark between the sentences belongs to the one it opens or closes
        opening = mark == "“" or (mark == '"' and text.count('"', cuts[-1], m.start()) % 2 == 0)
        cut = m.start() if opening else m.end()
        # both halves must be a few words long, so "p.m.Tuesday"-like tokens stay whole
        if len(text[cuts[-1] : cut].split()) >= 2 and len(text[cut:end].split()) >= 2:
            cuts.append(cut)
    cuts.append(end)
    return list(zip(cuts, cuts[1:]))


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding blanks, a leading dateline and a leading glued menu from a span."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    start, end = start + lead, end - (len(piece) - len(piece.rstrip()))
    m = _DATELINE.match(text, start, end)
    if m and m.end() < end:
        start = m.end()
    # a glued menu among the first words: "Share this withEmailFacebook…linkResearchers found …"
    for word in islice(re.finditer(r"\S+", text[start:end]), 4):
        joins = [j.start() for j in _JOIN.finditer(word.group())]
        if len(joins) >= _MENU_JOINS:
            start += word.start() + joins[-1]  # restart at "Researchers"
            break
    return start, end


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every passage in quotation marks, the marks included.

    The speakers stage's quote finder, so both stages agree on what is a quote
    (apostrophes, nested quotes and quotes left open across paragraphs included).
    """
    return [(q.open_at, q.close_end) for q in find_quote_spans(text)]


def _quoted_mask(doc: "Doc") -> np.ndarray:
    """Characters inside quotation marks, from the quotes found once on the Doc (shared with speakers)."""
    mask = np.zeros(len(doc.text) + 1, dtype=bool)
    for q in doc_quote_spans(doc):
        mask[q.open_at:q.close_end] = True
    return mask


# --- step 3: scores ------------------------------------------------------------------


def sentence_scores(
    sentences: list[Sentence], vectors: np.ndarray, title_vector: np.ndarray | None, cfg: SummarySettings
) -> np.ndarray:
    """How much each sentence says what the article is about, and how early it says it."""
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    score = vectors @ centroid
    if title_vector is not None:
        score = score + cfg.title_weight * (vectors @ title_vector)
    rank = np.arange(len(sentences), dtype=np.float32)
    # news puts the point first; a gentle 1/sqrt decay still lets a central later sentence in
    score = score + cfg.position_weight / np.sqrt(1.0 + rank)
    return score


# --- step 4: selection ---------------------------------------------------------------


def select(
    sentences: list[Sentence], vectors: np.ndarray, scores: np.ndarray, cfg: SummarySettings, length: str
) -> list[int]:
    """Greedy MMR: best score minus redundancy with what is already chosen, within the budgets."""
    max_sentences = cfg.sentences[length]
    budget = cfg.words[length]
    similarity = vectors @ vectors.T
    chosen: list[int] = []
    used = 0
    remaining = set(range(len(sentences)))
    while remaining and len(chosen) < max_sentences:
        def value(i: int) -> float:
            redundancy = max((similarity[i, j] for j in chosen), default=0.0)
            return float(scores[i] - cfg.redundancy * redundancy)

        fits = [i for i in remaining if used + sentences[i].words <= budget]
        if not fits and not chosen:
            fits = list(remaining)  # a summary is never empty, even if its best sentence is long
        if not fits:
            break
        best = max(fits, key=value)
        chosen.append(best)
        used += sentences[best].words
        remaining = {i for i in remaining if i != best and not _repeats(sentences[i], sentences[best])}
    return chosen
