"""The extractive summary: a few of the article's own sentences (the default engine; the
seq2seq one is in ``seq2seq.py``, and ``engines.summarize`` runs the one the settings name).

The extractive engine is faithful by construction: every summary sentence is an
exact substring of ``doc.text``. It works in four steps:

1. candidates: the spaCy sentences, with sentences glued together by extraction
   ("home.Half of ...") split apart, datelines trimmed off, and page furniture,
   bylines, captions, quote-only sentences and pieces that start mid-sentence set
   aside; sentences that mostly repeat a speaker's statement are left to "Who said
   what" (used only when nothing else is left), and a sentence whose subject is a
   bare pronoun ("She said last night ...") is chosen only after the sentence right
   before it or a chosen sentence that names someone it can refer to;
2. one batched embedding call (all-MiniLM-L6-v2) for the candidates and the title;
3. a score per sentence: similarity to the article's centroid and to its title,
   plus a prior for sentences near the top (news puts the point first);
4. greedy selection with redundancy control (MMR) under a sentence count and a
   word budget, returned in article order; every sentence is whole (a sentence far
   over the budget is passed over rather than cut).
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
from .textrules import ENDS_SENTENCE_OR_QUOTE, FURNITURE_SENTENCE, SHARING_RUN

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
    furniture: bool  # byline, caption, page furniture, quote-only or a fragment: never selected
    dangling: bool = False  # its subject is a bare pronoun: chosen only after its antecedent's sentence
    names: bool = False  # names a person, group or place (an antecedent for a later "he" or "they")


# --- public API (the engine is chosen in engines.summarize) ------------------------


def lead3(doc: "Doc", n: int = 3) -> list[str]:
    """The classic baseline: the article's first ``n`` sentences, as spaCy splits them."""
    texts = [doc.text[s.start_char : s.end_char].strip() for s in doc.sents]
    return [t for t in texts if t][:n]


def extractive_summary(doc: "Doc", title: str | None, settings: Settings, length: str,
                       statements: list[tuple[int, int]] | None = None) -> list[str]:
    budget = settings.summary.words[length]
    sentences = candidate_sentences(doc)
    usable = [s for s in sentences if not s.furniture]
    if not usable:
        usable = [s for s in sentences if s.words > 0]  # better a caption than nothing
    if not usable:
        return []
    # Tiers, best first; the first that leaves anything is used: what happened (no speaker's
    # statement repeated, whole sentences within reach of the budget), then whole sentences,
    # then anything (an overlong sentence is then cut to the budget).
    told = [s for s in usable if not any(repeats_statement((s.start, s.end), st) for st in statements or [])]
    within = [s for s in usable if s.words <= OVERLONG_BUDGETS * budget]
    usable = next(tier for tier in ([s for s in told if s in within], within, usable) if tier)
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
    return [_cut_overlong(usable[i].text, budget) for i in sorted(chosen)]


def repeats_statement(sentence: tuple[int, int], statement: tuple[int, int]) -> bool:
    """A sentence repeats a statement when half of the shorter of the two is shared.

    One definition for the summarizer (which avoids such sentences) and `briefbot eval brief`
    (which counts the briefs that still show one).
    """
    overlap = min(sentence[1], statement[1]) - max(sentence[0], statement[0])
    return overlap > 0 and overlap >= REPEAT_SHARE * min(sentence[1] - sentence[0], statement[1] - statement[0])


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
# A sentence and a statement sharing this much of the shorter one say the same thing.
REPEAT_SHARE = 0.5
# A piece whose first letter is lower-case starts mid-sentence: a spaCy split after an
# abbreviation, or a drop cap lost by the page ("urkey, Poland ..."). Opening quotes and
# brackets are skipped; digits and symbols ("$5m was ...", "3D printers ...") start sentences.
_OPENING_MARKS = "\"“‘'([«„"
# A sentence whose subject is one of these (or is qualified by one: "His comments ...") needs the
# sentence before it to say who or what it is.
DANGLING_PRONOUNS = {"he", "she", "they", "it", "him", "her", "them", "his", "their", "its"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# What a pronoun can refer back to: a named person, organisation, group or place.
_ANTECEDENT_LABELS = {"PERSON", "ORG", "NORP", "GPE"}


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
                or bool(FURNITURE_SENTENCE.match(piece))
                or bool(SHARING_RUN.search(piece))
                or piece.lstrip(_OPENING_MARKS)[:1].islower()
                or not ENDS_SENTENCE_OR_QUOTE.search(piece)
                or quote_share >= QUOTE_ONLY_SHARE
            )
            span = doc.char_span(start, end, alignment_mode="expand")
            dangling = _has_pronoun_subject(span)
            names = span is not None and any(e.label_ in _ANTECEDENT_LABELS for e in span.ents)
            out.append(Sentence(len(out), start, end, piece, words, furniture, dangling, names))
    return out


def _has_pronoun_subject(span) -> bool:
    """The main clause's subject is a bare pronoun, or a noun qualified by one ("His comments")."""
    if span is None:
        return False
    roots = [t for t in span if t.head == t or not (span.start <= t.head.i < span.end)]
    for root in roots:
        for subject in (c for c in root.children if c.dep_ in _SUBJECT_DEPS):
            if subject.lower_ in DANGLING_PRONOUNS:
                return True
            if any(c.dep_ == "poss" and c.lower_ in DANGLING_PRONOUNS for c in subject.children):
                return True
    return False


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

        # a sentence about "he"/"they" only after the sentence right before it or one that names
        # someone: in the summary (article order) the pronoun then has an antecedent before it
        eligible = [i for i in remaining if not sentences[i].dangling or _after_a_name(sentences, i, chosen)]
        fits = [i for i in eligible if used + sentences[i].words <= budget]
        if not fits and not chosen:
            fits = eligible or list(remaining)  # a summary is never empty, even if its best sentence is long
        if not fits:
            break
        best = max(fits, key=value)
        chosen.append(best)
        used += sentences[best].words
        remaining = {i for i in remaining if i != best and not _repeats(sentences[i], sentences[best])}
    return chosen


def _after_a_name(sentences: list[Sentence], i: int, chosen: list[int]) -> bool:
    """A chosen sentence before ``i`` says who its pronoun is: the one right before it, or one that names someone."""
    index = sentences[i].index
    return any(sentences[j].index == index - 1 or (sentences[j].names and sentences[j].index < index) for j in chosen)
