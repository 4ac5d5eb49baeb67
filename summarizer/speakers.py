"""Who said what: direct quotes and reported speech, attributed to speakers.

``attribute_quotes`` runs the speech components (``speech.components``) on the one spaCy parse of
the article (shared with the summarizer):

1. ``briefbot_quotes`` finds the direct-quote spans from the quotation marks (``speech.quotes``);
2. ``briefbot_attribution`` tries the constructions of ``speech.constructions`` in their declared
   order: every reporting cue outside quotes ("said", "told", "according to", "called", ...) takes
   what it reports (the clausal complement, "X said that ...", which may embed a partial quote, or
   the direct quote it governs); the remaining direct quotes take a cue from the words around them
   (``"...," said Smith``, ``Smith said: "..."``), a credit after a dash, or, with no cue of their
   own, the speaker of the quote they continue (``"...," he said. "..."``) or of the sentence before;
   a quote with no cue and no speaker nearby (a title, a scare quote, an author bio) is dropped;
3. ``briefbot_speakers`` resolves each cue's subject to a speaker (``speech.coref``): names and
   their aliases, pronouns, role descriptions, unnamed sources.

Each statement then says what it is (``Quote.kind`` from its cue: said, denied, asked, belief,
intention, negated; "source" when the "speaker" is a document, poll or thing, not a person or
organisation), which construction found it (``rule``) and how sure that is (``confidence``: the
construction's measured precision times how surely its subject was resolved). ``shown`` marks what
the brief shows: confidence at or above ``[speakers] min_confidence``, never a source; the JSON keeps
every statement.
"""

from __future__ import annotations

from spacy.tokens import Doc

from .settings import SpeakerSettings
from .speech.components import speech_pipeline
from .types import Speaker


def attribute_quotes(doc: Doc, settings: SpeakerSettings) -> list[Speaker]:
    """Speakers of ``doc`` in order of their first statement, each with its statements in article order."""
    for _name, component in speech_pipeline(doc.vocab, settings).pipeline:
        doc = component(doc)
    return doc._.speakers
