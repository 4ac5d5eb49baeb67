"""Who said what as spaCy pipeline components: ``briefbot_quotes`` → ``briefbot_attribution`` →
``briefbot_speakers``, each leaving its result on the ``Doc``:

* ``briefbot_quotes``: ``doc._.quote_spans`` (the quotations, from the marks alone; shared with the
  summarizer), ``doc._.quote_index`` (their tokens) and ``doc.spans["quotes"]`` (token spans, marks included);
* ``briefbot_attribution``: ``doc._.statements`` (every statement with its cue, the head of its
  speaker phrase and its construction, see ``speech.constructions``) and ``doc.spans["statements"]``
  (labelled with the construction's name);
* ``briefbot_speakers``: ``doc._.speakers``: the speakers (``types.Speaker``) in order of their first
  statement, each statement resolved to a person or organisation and marked ``shown`` or not.

The components run on the one parse of the article (``summarizer.speakers.attribute_quotes`` runs them
on a ``Doc`` the shared spaCy model made); their config is the ``[speakers]`` settings, and the
attribution component's ``lexicon`` names the reporting lexicon (empty: the package's ``lexicon.json``).
"""

from __future__ import annotations

import threading
from dataclasses import asdict, fields

from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.vocab import Vocab

from ..settings import SpeakerSettings
from ..types import Quote, Speaker
from .attribution import Neighbours, Statement
from .constructions import Matchers, find_statements
from .coref import Entity, SpeakerResolver, is_party_member
from .lexicon import Lexicon, load_lexicon
from .quotes import quote_index

# A pronoun whose person was last named this far back (characters) is less sure than one right after.
_NEAR_ANTECEDENT_CHARS = 400

for _name in ("statements", "speakers"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)
if not Doc.has_extension("quote_spans"):
    Doc.set_extension("quote_spans", default=None)

_ATTRIBUTION_SETTINGS = ("belief_verbs", "min_quote_words", "min_indirect_words", "cue_window_tokens",
                         "drop_nested", "uncued_after_subject")
_SPEAKER_SETTINGS = ("min_confidence", "max_quotes_per_speaker")


# ----- quotes --------------------------------------------------------------------------------------------
class QuotesComponent:
    def __call__(self, doc: Doc) -> Doc:
        index = quote_index(doc)  # reads (or finds) doc._.quote_spans
        doc.spans["quotes"] = [Span(doc, lo, hi + 1, label="quote") for lo, hi in index.tokens if hi >= lo]
        return doc


@Language.factory("briefbot_quotes")
def make_quotes(nlp: Language, name: str) -> QuotesComponent:
    return QuotesComponent()


# ----- attribution ---------------------------------------------------------------------------------------
class AttributionComponent:
    def __init__(self, vocab: Vocab, settings: SpeakerSettings, lexicon: Lexicon):
        self.settings = settings
        self.lexicon = lexicon
        self.matchers = Matchers(vocab, lexicon, settings)

    def __call__(self, doc: Doc) -> Doc:
        statements = find_statements(doc, self.settings, self.matchers, self.lexicon, quote_index(doc))
        doc._.statements = statements
        spans = [doc.char_span(st.start, st.end, label=st.rule, alignment_mode="expand") for st in statements]
        doc.spans["statements"] = [s for s in spans if s is not None]
        return doc


@Language.factory("briefbot_attribution", default_config={
    "lexicon": "", **{k: getattr(SpeakerSettings(), k) for k in _ATTRIBUTION_SETTINGS}})
def make_attribution(nlp: Language, name: str, lexicon: str, belief_verbs: bool, min_quote_words: int,
                     min_indirect_words: int, cue_window_tokens: int, drop_nested: bool,
                     uncued_after_subject: bool) -> AttributionComponent:
    settings = SpeakerSettings(belief_verbs=belief_verbs, min_quote_words=min_quote_words,
                               min_indirect_words=min_indirect_words, cue_window_tokens=cue_window_tokens,
                               drop_nested=drop_nested, uncued_after_subject=uncued_after_subject)
    return AttributionComponent(nlp.vocab, settings, load_lexicon(lexicon or None))


# ----- speakers ------------------------------------------------------------------------------------------
class SpeakersComponent:
    def __init__(self, min_confidence: float, max_quotes_per_speaker: int):
        self.min_confidence = min_confidence
        self.max_quotes_per_speaker = max_quotes_per_speaker

    def __call__(self, doc: Doc) -> Doc:
        statements = doc._.statements or []
        resolver = SpeakerResolver(doc, quote_index(doc).in_quote)
        resolve(statements, resolver)
        statements = one_per_nesting([s for s in statements if s.entity is not None])
        doc._.speakers = self.group(doc, statements)
        return doc

    def group(self, doc: Doc, statements: list[Statement]) -> list[Speaker]:
        """Speakers in order of their first statement, each with its statements in article order."""
        speakers: dict[Entity, Speaker] = {}
        text = doc.text  # built from the tokens on each access: once
        for st in sorted(statements, key=lambda s: s.start):
            entity = st.entity
            sp = speakers.get(entity)
            if sp is None:
                sp = speakers[entity] = Speaker(name=entity.name, role=entity.role, quotes=[])
            # a document or poll is a source of information, never a speaker: kept, not shown
            kind = st.cue_kind if entity.speaks() else "source"
            sp.quotes.append(Quote(text=text[st.start:st.end], direct=st.direct, cue=st.cue_words, start=st.start,
                                   end=st.end, kind=kind, confidence=st.confidence, rule=st.rule,
                                   shown=kind != "source" and st.confidence >= self.min_confidence))
        out = list(speakers.values())
        if self.max_quotes_per_speaker:
            for sp in out:
                sp.quotes = sp.quotes[:self.max_quotes_per_speaker]
        return out


@Language.factory("briefbot_speakers", default_config={k: getattr(SpeakerSettings(), k) for k in _SPEAKER_SETTINGS})
def make_speakers(nlp: Language, name: str, min_confidence: float, max_quotes_per_speaker: int) -> SpeakersComponent:
    return SpeakersComponent(min_confidence, max_quotes_per_speaker)


def resolve(statements: list[Statement], resolver: SpeakerResolver) -> None:
    """Each statement's speaker (``entity``) and how surely its subject phrase was resolved."""
    # People named inside what someone reported are not who "he said" next refers to.
    resolver.demote_within([(st.start, st.end) for st in statements if not st.direct])
    cache: dict[int, tuple[Entity | None, float]] = {}  # subject token -> (entity, confidence)
    # resolve in the order the subjects appear, so pronouns see the mentions before them
    for st in sorted(statements, key=lambda s: (s.subject.idx if s.subject is not None else s.start)):
        if st.inherited_from is not None or st.subject is None:
            continue
        if st.subject.i not in cache:
            entity = resolver.resolve(st.subject)
            cache[st.subject.i] = (entity, subject_confidence(st.subject, entity, resolver))
        st.entity, st.subject_confidence = cache[st.subject.i]
    for st in statements:
        if st.inherited_from is not None:
            root = st.inherited_from
            while root.inherited_from is not None:
                root = root.inherited_from
            st.entity = root.entity if root.entity is not None else cache.get(root.subject.i, (None, 0.0))[0]
            st.subject_confidence = root.subject_confidence


def subject_confidence(subject: Token, entity: Entity | None, resolver: SpeakerResolver) -> float:
    """A name is sure; a pronoun is sure when its person was named just before, less so far back;
    a description ("the comedian") taken for a named person is a guess."""
    if entity is None:
        return 0.0
    if subject.pos_ == "PRON":
        last = resolver.last_mention(entity, subject.idx)
        return 0.95 if last is not None and subject.idx - last <= _NEAR_ANTECEDENT_CHARS else 0.7
    described = subject.pos_ != "PROPN" or is_party_member(subject)  # "the comedian", "the Ohio Republican"
    if described and entity.named and subject.ent_type_ not in ("PERSON", "ORG"):
        return 0.8
    return 1.0


def one_per_nesting(statements: list[Statement]) -> list[Statement]:
    """A report inside a report by the same speaker counts once.

    "Travolta said he believed the film was ..." keeps the outer statement (the inner one's
    subject is a pronoun for the same person); "[X said] Arshad Malik told the BBC the findings
    were ..." - a parse run over a sentence that names its own speaker - keeps the inner one.
    """
    drop: set[Statement] = set()
    near = Neighbours(statements)
    for inner in statements:
        for outer in near.around(inner):
            if inner.direct or outer.direct or inner.entity is not outer.entity:
                continue
            if not (outer.start <= inner.start and inner.end <= outer.end) or \
                    (outer.start, outer.end) == (inner.start, inner.end):
                continue
            subj = inner.subject
            if subj is None or not outer.start <= subj.idx < outer.end:
                continue  # "announced that X, indicating that Y": two statements
            drop.add(inner if subj.pos_ == "PRON" else outer)
    return [s for s in statements if s not in drop]


# ----- the pipeline of the three ---------------------------------------------------------------------
_PIPELINES: dict[tuple, Language] = {}  # (vocab, lexicon, settings) -> the three components; a handful at most
_BUILDING = threading.Lock()  # the bot's engine threads may ask at once


def speech_pipeline(vocab: Vocab, settings: SpeakerSettings, lexicon: str = "") -> Language:
    """The three components on ``vocab`` (the parsing model's), configured from ``settings``; built once."""
    values = asdict(settings)
    key = (vocab, lexicon, tuple(values[f.name] for f in fields(settings)))
    with _BUILDING:
        nlp = _PIPELINES.get(key)
        if nlp is not None:
            return nlp
        nlp = Language(vocab=vocab)
        nlp.add_pipe("briefbot_quotes")
        nlp.add_pipe("briefbot_attribution", config={"lexicon": lexicon,
                                                     **{k: values[k] for k in _ATTRIBUTION_SETTINGS}})
        nlp.add_pipe("briefbot_speakers", config={k: values[k] for k in _SPEAKER_SETTINGS})
        _PIPELINES[key] = nlp
    return nlp
