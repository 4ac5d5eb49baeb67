"""How prominent each speaker is, and how much each statement says: what a compact brief shows first.

Both scores are computed once, on the article's parse, when the brief is assembled, and
travel in the brief (``Speaker.salience``, ``Quote.informativeness``), so a brief read
back from storage renders the same way without the models.

* Speaker salience follows how news is written: the people in the headline and the
  lead are the story, people quoted often and early matter more than a late aside,
  and an unnamed source ("a witness") is less use to a reader than a named one.
* Statement informativeness follows grammar: a statement that is a clause (a verb
  with its subject: a position or a claim) beats a noun-phrase fragment ("part of
  the problem"), names and numbers (facts) add, a few words say little and a very
  long one costs the reader more than it gives; a statement that echoes the headline
  is the news itself.

The weights are data, in the two tables below.
"""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING

from .speech.coref import name_words
from .types import Quote, Speaker

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc, Span

SPEAKER_WEIGHTS = {
    "in_title": 2.0,  # a word of the name is in the headline
    "in_lead": 1.0,  # ... or in the lead (the first LEAD_SENTENCES sentences)
    "statements": 1.0,  # times log2(1 + number of statements)
    "early": 1.0,  # times (1 - position of the first statement in the text, 0..1)
    "unnamed": -2.0,  # "a witness", "officials": no name a reader can place
}
LEAD_SENTENCES = 3

STATEMENT_WEIGHTS = {
    "clause": 1.0,  # has a verb with a subject: states a position or a fact
    "verb": 0.4,  # has a verb but no subject of its own ("to end the war")
    "facts": 0.5,  # times min(names and numbers, 3) / 3
    "short": -1.0,  # fewer than SHORT_WORDS words
    "long": -0.5,  # more than LONG_WORDS words: a wall of text on a phone
    "direct": 0.2,  # the speaker's own words
    "headline": 1.0,  # times the share of the headline's words it repeats: the news itself
}
SHORT_WORDS = 6
LONG_WORDS = 30  # about the most a compact brief shows of one statement
_SUBJECTS = {"nsubj", "nsubjpass", "csubj", "expl"}
_FACT_LABELS = {"PERSON", "ORG", "GPE", "NORP", "DATE", "MONEY", "PERCENT", "CARDINAL", "QUANTITY", "EVENT", "LAW"}
# A name a reader can place starts with a capital letter and is not "A witness" / "The officials".
_UNNAMED = re.compile(r"^(?:an?|the|some|one|two|three|several|many|other)\b|^[^A-Z]", re.IGNORECASE)


def rank_speakers(doc: "Doc", title: str | None, speakers: list[Speaker]) -> list[Speaker]:
    """Score every speaker and statement of ``doc``; the speakers, most salient first (stable)."""
    text = doc.text
    lead_end = next((s.end_char for i, s in enumerate(doc.sents) if i == LEAD_SENTENCES - 1), len(text))
    title_words = set(name_words(title or ""))
    lead_words = set(name_words(text[:lead_end]))
    headline = {w for w in title_words if len(w) > 3}
    for speaker in speakers:
        for quote in speaker.quotes:
            span = doc.char_span(quote.start, quote.end, alignment_mode="expand")
            quote.informativeness = statement_informativeness(span, quote, headline) if span is not None else 0.0
        speaker.salience = speaker_salience(speaker, title_words, lead_words, len(text))
    return sorted(speakers, key=lambda sp: -sp.salience)


def speaker_salience(speaker: Speaker, title_words: set[str], lead_words: set[str], text_chars: int) -> float:
    w = SPEAKER_WEIGHTS
    words = {x for x in name_words(speaker.name) if len(x) > 2}
    unnamed = bool(_UNNAMED.match(speaker.name.strip()))
    first = min((q.start for q in speaker.quotes), default=text_chars)
    score = (
        w["in_title"] * (not unnamed and bool(words & title_words))
        + w["in_lead"] * (not unnamed and bool(words & lead_words))
        + w["statements"] * math.log2(1 + len(speaker.quotes))
        + w["early"] * (1.0 - first / max(1, text_chars))
        + w["unnamed"] * unnamed
    )
    return round(score, 3)


def statement_informativeness(span: "Span", quote: Quote, headline: set[str] = frozenset()) -> float:
    """``headline``: the headline's words (lower-case, longer than three letters)."""
    w = STATEMENT_WEIGHTS
    echoed = len(headline & set(name_words(quote.text))) / len(headline) if headline else 0.0
    words = [t for t in span if not (t.is_punct or t.is_space)]
    verbs = [t for t in span if t.pos_ in ("VERB", "AUX")]
    clause = any(c.dep_ in _SUBJECTS and c in words for v in verbs for c in v.children)
    facts = sum(1 for t in span if t.ent_iob_ == "B" and t.ent_type_ in _FACT_LABELS)
    facts += sum(1 for t in span if t.like_num and not t.ent_type_)
    score = (
        w["clause"] * clause
        + w["verb"] * (bool(verbs) and not clause)
        + w["facts"] * min(facts, 3) / 3
        + w["short"] * (len(words) < SHORT_WORDS)
        + w["long"] * (len(words) > LONG_WORDS)
        + w["direct"] * quote.direct
        + w["headline"] * echoed
    )
    return round(score, 3)
