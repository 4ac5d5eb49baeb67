"""Who said what: direct quotes and reported speech, attributed to speakers.

``attribute_quotes`` works on the one spaCy parse of the article (shared with the
summarizer) in four steps:

1. find the direct-quote spans from the quotation marks (``speech.quotes``);
2. for every reporting verb outside quotes ("said", "told", "according to", ...)
   take what it reports: the clausal complement ("X said that ..."; an indirect
   statement, which may embed a partial quote), or the direct quote it governs;
3. give the remaining direct quotes a cue from the words around them
   (``"...," said Smith``, ``Smith said: "..."``) or, for a quote with no cue of
   its own, from the quote it continues (``"...," he said. "..."``); a quote with
   no cue and no speaker nearby (a title, a scare quote, an author bio) is dropped;
4. resolve each cue's subject to a speaker (``speech.coref``): names and their
   aliases, pronouns, role descriptions, unnamed sources.

Each statement then says what it is (``Quote.kind`` from its cue: said, denied, asked,
belief, intention, negated; "source" when the "speaker" is a document, poll or thing,
not a person or organisation), which construction found it (``rule``) and how sure that
is (``confidence``: the construction's measured precision times how surely its subject
was resolved). ``shown`` marks what the brief shows: confidence at or above
``[speakers] min_confidence``, never a source; the JSON keeps every statement.
"""

from __future__ import annotations

from spacy.tokens import Doc

from .settings import SpeakerSettings
from .speech.attribution import Attributor, Statement
from .speech.cues import cue_kind, cue_text
from .types import Quote, Speaker


def attribute_quotes(doc: Doc, settings: SpeakerSettings) -> list[Speaker]:
    """Speakers of ``doc`` in order of their first statement, each with its statements in article order."""
    finder = Attributor(doc, settings)
    statements = finder.run()
    return _group(doc, statements, settings)


def _group(doc: Doc, statements: list[Statement], settings: SpeakerSettings) -> list[Speaker]:
    speakers: dict[int, Speaker] = {}
    text = doc.text
    for st in sorted(statements, key=lambda s: s.start):
        entity = st.entity
        sp = speakers.get(id(entity))
        if sp is None:
            sp = speakers[id(entity)] = Speaker(name=entity.name, role=entity.role, quotes=[])
        cue = cue_text(st.cue) if st.cue is not None else None
        # a document or poll is a source of information, never a speaker: kept, not shown
        kind = "source" if not entity.speaks() else cue_kind(st.cue) if st.cue is not None else "said"
        confidence = st.confidence
        sp.quotes.append(Quote(text=text[st.start:st.end], direct=st.direct, cue=cue, start=st.start, end=st.end,
                               kind=kind, confidence=confidence, rule=st.rule,
                               shown=kind != "source" and confidence >= settings.min_confidence))
    out = list(speakers.values())
    if settings.max_quotes_per_speaker:
        for sp in out:
            sp.quotes = sp.quotes[:settings.max_quotes_per_speaker]
    return out
