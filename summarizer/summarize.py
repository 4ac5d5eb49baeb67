"""The extractive summary: a few of the article's own sentences (the default engine; the
seq2seq one is in ``seq2seq.py``, and ``engines.summarize`` runs the one the settings name).

The extractive engine is faithful by construction: every summary sentence is an
exact substring of ``doc.text``. It works in four steps:

1. candidates: the spaCy sentences, with sentences glued together by extraction
   ("home.Half of ...") or run together without a full stop ("... suspects The guard
   died ...") split apart, datelines trimmed off, and page furniture, bylines,
   captions, quote-only sentences, pieces that start mid-sentence and sentences that
   start or end inside a quotation set aside; sentences that mostly repeat a
   speaker's statement are left to "Who said what" (used only when nothing else is
   left) unless they are the lead, and a sentence whose subject is a bare pronoun
   ("She said last night ...") is chosen only after the sentence right before it
   (or together with it) or a chosen sentence that names someone it can refer to;
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
from .salience import LEAD_SENTENCES
from .settings import Settings, SummarySettings
from .speech.quotes import doc_quote_spans, find_quote_spans
from .textrules import ENDS_CLAUSE, ENDS_SENTENCE_OR_QUOTE, FURNITURE_SENTENCE, SHARING_RUN, repeats_statement

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
    if not usable:  # better a caption than nothing, and a whole one: starting and ending like a sentence
        pieces = [s for s in sentences if s.words > 0]
        usable = [s for s in pieces if _starts_like_a_sentence(s.text) and ENDS_SENTENCE_OR_QUOTE.search(s.text)]
        usable = usable or pieces
    if not usable:
        return []
    # Tiers, best first; the first that leaves anything is used: what happened (no speaker's
    # statement repeated, whole sentences within reach of the budget), then whole sentences,
    # then anything (an overlong sentence is then cut to the budget). The lead is always "what
    # happened": when it reports a statement ("X confirmed on Monday that ..."), the statement is
    # the news, so the summary may say it and the compact brief shows the speaker's next one.
    lead = usable[:LEAD_SENTENCES]
    told = [s for s in usable
            if s in lead or not any(repeats_statement((s.start, s.end), st) for st in statements or [])]
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
# Two sentences run together without the full stop: a caption or a heading that ends without
# one ("... used to disorient suspects The guard died ..."), or text that lost its punctuation.
# Mid-sentence, a lower-case word is followed by a capitalised one only in a name or a title
# ("told The Associated Press"), where the next word is capitalised too; a capitalised word that
# opens sentences (an article, a pronoun, a conjunction, a preposition) after a lower-case word
# and before another starts a new one.
_SENTENCE_OPENERS = ("The|A|An|This|These|That|Those|It|He|She|They|We|His|Her|Their|Its|There|"
                     "In|On|At|For|With|To|From|After|Before|But|And|As|When|While|If|Now")
_RUN_ON = re.compile(rf"(?<![\w'’.-])[a-z]+ (?=(?:{_SENTENCE_OPENERS}) [a-z])")
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
# A sentence starts with a letter that is not lower-case (a capital, or a letter of a script
# without case), a digit or a currency sign ("$5m was ...", "3D printers ..."), after any opening
# quotes and brackets. Anything else starts mid-sentence: a spaCy split after an abbreviation, a
# drop cap lost by the page ("urkey, Poland ..."), a table row ("| 85% | 1 tackle").
_OPENING_MARKS = "\"“‘'([«„"
_CURRENCY = "$£€¥₽"
# A list item's bullet at the start of a line ("- There is a lot to sort through."): not the sentence's.
_BULLET = re.compile(r"[-•*·▪]\s+")
# A sentence whose subject is one of these (or is qualified by one: "His comments ...") needs the
# sentence before it to say who or what it is.
DANGLING_PRONOUNS = {"he", "she", "they", "it", "him", "her", "them", "his", "their", "its"}
_SUBJECT_DEPS = {"nsubj", "nsubjpass"}
# Verbs whose "it" is usually no one ("it seems", "it is time"); and "it" of a passive ("it was reported").
EXPLETIVE_IT_VERBS = {"be", "seem", "appear", "emerge", "transpire", "happen", "remain"}
_FIRST_WORD = re.compile(r"[\W_]*([^\W\d_]+)")
# Penn tags of finite verbs (past, present, modal): what makes a clause a sentence.
_FINITE_VERB_TAGS = {"VBD", "VBZ", "VBP", "MD"}
# What a pronoun can refer back to: a named person, organisation, group or place.
_ANTECEDENT_LABELS = {"PERSON", "ORG", "NORP", "GPE"}


def candidate_sentences(doc: "Doc") -> list[Sentence]:
    """The article's sentences as exact spans of ``doc.text``, furniture flagged."""
    text = doc.text
    quoted, inside = _quote_masks(doc)
    table = _table_mask(text)
    quotes = doc_quote_spans(doc)
    openers = {q.open_at for q in quotes}
    closers = {q.close_end - 1 for q in quotes if q.closed}
    pieces = [piece for sent_start, sent_end in _sentence_bounds(doc, closers)
              for piece in _split_glued(text, sent_start, sent_end, openers)]
    out: list[Sentence] = []
    for start, end, run_on in _rejoin_wrapped(text, pieces):
        start, end = _trim(text, start, end)
        if start >= end:
            continue
        piece = text[start:end]
        words = len(piece.split())
        quote_share = float(quoted[start:end].mean())
        span = doc.char_span(start, end, alignment_mode="expand")
        furniture = (
            words < MIN_WORDS
            or bool(FURNITURE_SENTENCE.match(piece))
            or bool(SHARING_RUN.search(piece))
            or not _starts_like_a_sentence(piece)
            or not ENDS_SENTENCE_OR_QUOTE.search(piece)
            or quote_share >= QUOTE_ONLY_SHARE
            # starts or ends between a quote's marks ('We will go," he said.' / 'He said: "We are
            # ready.'): its quotation marks do not pair up, a reader cannot tell whose words are whose
            or bool(inside[start] or inside[end - 1])
            # cut out of a run-on, a piece is a sentence only with a main verb of its own
            # (not the tail of a list: "... deploy forces The attack on Ukrainian territory and ...")
            or (run_on and not _has_main_verb(span))
            or bool(table[start])
        )
        dangling = _has_pronoun_subject(span, piece)
        names = span is not None and any(e.label_ in _ANTECEDENT_LABELS for e in span.ents)
        out.append(Sentence(len(out), start, end, piece, words, furniture, dangling, names))
    return out


def _sentence_bounds(doc: "Doc", closers: set[int]) -> list[tuple[int, int]]:
    """spaCy's sentences as (start, end), a quotation's closing mark kept with the sentence it
    closes (spaCy may start the next sentence with it: 'partnership does."Unionists want')."""
    bounds = [[s.start_char, s.end_char] for s in doc.sents]
    for before, after in zip(bounds, bounds[1:]):
        if after[0] in closers and after[0] < after[1]:
            before[1] = after[0] = after[0] + 1
    return [(start, end) for start, end in bounds]


# Words a sentence or a heading never ends with: articles, prepositions, conjunctions, possessives.
_NEVER_LAST = frozenset("""
the a an of to in on at for with from by as and or but nor that which whose his her their its our your my
""".split())
# How far back _rejoin_wrapped looks for the end of the piece before.
_TAIL_CHARS = 100
# A table row as extraction writes it: cells between bars ("| DL | Larry Ogunjobi | 63 |").
_TABLE_ROW = re.compile(r"\s*\|.*\|\s*")


def _starts_like_a_sentence(piece: str) -> bool:
    first = piece.lstrip(_OPENING_MARKS)[:1]
    return first.isdigit() or first in _CURRENCY or (first.isalpha() and not first.islower())


def _table_mask(text: str) -> np.ndarray:
    """Characters on lines that are table rows."""
    mask = np.zeros(len(text) + 1, dtype=bool)
    for line in _LINE.finditer(text):
        if "|" in line.group() and _TABLE_ROW.fullmatch(line.group()):
            mask[line.start():line.end()] = True
    return mask


def _rejoin_wrapped(text: str, pieces: list[tuple[int, int, bool]]) -> list[tuple[int, int, bool]]:
    """Pieces of one sentence broken over lines (a page that wraps its text with line breaks:
    "Photos\n\nwhich were released online ...") joined again: a piece that starts with a
    lower-case letter, or follows a word no sentence or heading ends with ("... won the\n\nAfrica
    Movie Academy Award"), continues the one before it when that one did not end a sentence or a
    clause. A lone letter before it is a drop cap ("T\n\nurkey"), joined by extraction, not here.
    """
    out: list[tuple[int, int, bool]] = []
    for start, end, run_on in pieces:
        piece = text[start:min(end, start + _TAIL_CHARS)].strip()
        if out:
            # the end of the piece before (a bounded look: joined pieces can grow long)
            before = text[max(out[-1][0], out[-1][1] - _TAIL_CHARS):out[-1][1]].strip()
            last_word = before.rsplit(None, 1)[-1] if before else ""
            continues = piece[:1].islower() or last_word in _NEVER_LAST
            if continues and len(before) > 1 and not ENDS_CLAUSE.search(before):
                out[-1] = (out[-1][0], end, out[-1][2])
                continue
        out.append((start, end, run_on))
    return out


def _roots(span) -> list:
    """The tokens of ``span`` whose head is outside it (or themselves): its main words."""
    return [t for t in span if t.head == t or not (span.start <= t.head.i < span.end)]


def _has_main_verb(span) -> bool:
    """A finite verb among the main words: a clause, not a phrase ("To the east, including ...")."""
    return span is not None and any(t.tag_ in _FINITE_VERB_TAGS for t in _roots(span))


def _expletive_it(subject) -> bool:
    """An "it" that stands for no one: "it appears he ...", "it has been claimed", "it is crunch
    time". Opening a sentence it still reads as a reference back (``_has_pronoun_subject``)."""
    verb = subject.head
    return subject.lower_ == "it" and (subject.dep_ in ("expl", "nsubjpass") or verb.lemma_ in EXPLETIVE_IT_VERBS)


def _has_pronoun_subject(span, piece: str) -> bool:
    """The main clause's subject is a bare pronoun, or a noun qualified by one ("His comments"); or
    the sentence opens with such a subject, of a reported clause ("They may be close, a scientist
    says": a reader meets "they" before anyone it could be)."""
    if span is None:
        return False
    # the opening word, read from the text: the tokenizer may glue it to a dateline ("(CNN)They")
    opening = _FIRST_WORD.match(piece)
    first = next((t for t in span if not (t.is_punct or t.is_space)), None)
    if opening and opening.group(1).lower() in DANGLING_PRONOUNS and first is not None and (
            first.dep_ in _SUBJECT_DEPS or (first.dep_ == "poss" and first.head.dep_ in _SUBJECT_DEPS)):
        return True
    for root in _roots(span):
        for subject in (c for c in root.children if c.dep_ in _SUBJECT_DEPS):
            if subject.lower_ in DANGLING_PRONOUNS and not _expletive_it(subject):
                return True
            if any(c.dep_ == "poss" and c.lower_ in DANGLING_PRONOUNS for c in subject.children):
                return True
    return False


def _split_glued(text: str, start: int, end: int, openers: set[int]) -> list[tuple[int, int, bool]]:
    """A spaCy sentence cut where a line ends (headings, datelines) or where two sentences were glued.

    Each piece is ``(start, end, run_on)``; ``run_on``: it was cut out of a run-on sentence at a
    capitalised word (no full stop said a sentence starts there). ``openers``: where the
    article's quotations open.
    """
    pieces = []
    for line in _LINE.finditer(text, start, end):
        pieces.extend(_split_glued_line(text, line.start(), line.end(), openers))
    return pieces


def _split_glued_line(text: str, start: int, end: int, openers: set[int]) -> list[tuple[int, int, bool]]:
    cuts, run_on_cuts = [start], set()
    glued = [(m.start(), m.end(), m.group(1)) for m in _GLUED.finditer(text, start, end)]
    run_on = [(m.end(), m.end(), None) for m in _RUN_ON.finditer(text, start, end)]
    for at, after, mark in sorted(glued + run_on, key=lambda cut: cut[0]):
        # a quotation mark between the sentences goes with the sentence whose quotation it opens
        # or closes (the quote finder's pairing: 'does."Ulster' closes one)
        opening = bool(mark) and at in openers
        cut = at if opening else after
        # both halves must be a few words long, so "p.m.Tuesday"-like tokens stay whole
        if len(text[cuts[-1] : cut].split()) >= 2 and len(text[cut:end].split()) >= 2:
            cuts.append(cut)
            if mark is None:
                run_on_cuts.add(cut)
    cuts.append(end)
    return [(a, b, a in run_on_cuts) for a, b in zip(cuts, cuts[1:])]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop surrounding blanks, a leading dateline or list bullet and a leading glued menu from a span."""
    piece = text[start:end]
    lead = len(piece) - len(piece.lstrip())
    start, end = start + lead, end - (len(piece) - len(piece.rstrip()))
    m = _DATELINE.match(text, start, end) or _BULLET.match(text, start, end)
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


def _quote_masks(doc: "Doc") -> tuple[np.ndarray, np.ndarray]:
    """Characters of quotations, marks included, and the words between the marks, from the quotes
    found once on the Doc (shared with speakers)."""
    quoted = np.zeros(len(doc.text) + 1, dtype=bool)
    inside = np.zeros(len(doc.text) + 1, dtype=bool)
    for q in doc_quote_spans(doc):
        quoted[q.open_at:q.close_end] = True
        inside[q.start:q.end] = True
    return quoted, inside


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
    """Greedy MMR: best score minus redundancy with what is already chosen, within the budgets.

    A sentence about "he"/"they" comes only after the sentence right before it or one that
    names someone, so that in the summary (article order) the pronoun has an antecedent before
    it; when it is not yet eligible, it can come together with the sentence right before it
    (the antecedent's sentence), the pair valued at the mean of the two.
    """
    max_sentences = cfg.sentences[length]
    budget = cfg.words[length]
    similarity = vectors @ vectors.T
    position = {s.index: i for i, s in enumerate(sentences)}
    chosen: list[int] = []
    used = 0
    remaining = set(range(len(sentences)))
    while remaining and len(chosen) < max_sentences:
        def value(option: tuple[int, ...]) -> float:
            return float(np.mean([scores[i] - cfg.redundancy * max((similarity[i, j] for j in chosen), default=0.0)
                                  for i in option]))

        def eligible(i: int) -> bool:
            return not sentences[i].dangling or _after_a_name(sentences, i, chosen)

        def fits(option: tuple[int, ...]) -> bool:
            return (used + sum(sentences[i].words for i in option) <= budget
                    and len(chosen) + len(option) <= max_sentences)

        singles = [(i,) for i in remaining if eligible(i)]
        pairs = [(before, i) for i in remaining if not eligible(i)
                 if (before := position.get(sentences[i].index - 1)) in remaining and eligible(before)]
        options = [o for o in singles + pairs if fits(o)]
        if not options and not chosen:
            # a summary is never empty, even if its best sentence is long
            options = singles or [(i,) for i in remaining]
        if not options:
            break
        best = max(options, key=value)
        for i in best:
            chosen.append(i)
            used += sentences[i].words
            remaining = {j for j in remaining if j != i and not _repeats(sentences[j], sentences[i])}
    return chosen


def _after_a_name(sentences: list[Sentence], i: int, chosen: list[int]) -> bool:
    """A chosen sentence before ``i`` says who its pronoun is: the one right before it, or one that names someone."""
    index = sentences[i].index
    return any(sentences[j].index == index - 1 or (sentences[j].names and sentences[j].index < index) for j in chosen)
