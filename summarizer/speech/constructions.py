"""Who said what, construction by construction: the registry of the English attribution rules.

A construction is one way news text attributes words to someone ('"…," she said'; 'X said (that)
…'; 'according to X, …'; '"…" ― Name'). Each is one row of ``CONSTRUCTIONS``: its name (the
statement's ``rule``), how often it is right (``confidence``: the rightP column of ``briefbot eval
quotes``), what sets it off (``trigger``) and one small function that returns the statements it
finds, each tagged with the construction's name. The list's order is the order they are tried.

Triggers are declarative: ``TRIGGERS`` holds spaCy ``Matcher``/``DependencyMatcher`` patterns over
the reporting lexicon (``lexicon.json``) that find the cue words ("said", "according to", "called",
"reports"), each with a guard that checks what a pattern cannot say (no negation: "hasn't said").
A cue word is handled by the first trigger that takes it, and its constructions run in list order
until one *claims* it (what it reports is settled). Three scopes, run one after the other:

* ``cue``: every cue word outside quotes, in article order;
* ``quote``: every statement-like quote still without a speaker, first construction that fits;
* ``context``: quotes without a cue of their own take the speaker of the text around them;
  ``continued_quote`` is a closure: it runs again after every other context construction.

Adding a construction: a trigger pattern (or an existing one), one function, one row here, and one
row in ``tests/test_constructions.py``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Callable

from spacy.matcher import DependencyMatcher, Matcher
from spacy.tokens import Doc, Token

from ..settings import SpeakerSettings
from .attribution import Attributor, Neighbours, Statement
from .cues import clause_of, cue_kind, cue_text, is_according, is_content_clause, is_reporting_verb, subject_of
from .lexicon import LEXICON, Lexicon
from .quotes import QuoteIndex

_SENT_END = {".", "!", "?"}
# A dash on the quote's own line, then a capitalised word: '"…" ― Maria Lopez, a commuter'.
_DASH_CREDIT = re.compile(r"[ \t]{0,3}[―—–][ \t]{0,3}(?=[A-Z])")

# ----- triggers: the cue words, as patterns over the lexicon --------------------------------------------
@dataclass(frozen=True)
class Trigger:
    """Cue words: a spaCy pattern finds them, ``guard`` checks the parse around them."""

    name: str
    patterns: Callable[[Lexicon, SpeakerSettings], list]  # Matcher token patterns, or DependencyMatcher ones
    dependency: bool = False  # patterns are DependencyMatcher patterns (the first node is the cue word)
    guard: Callable[[Token, Lexicon, SpeakerSettings], bool] = lambda tok, lexicon, settings: True
    reports_clause: bool = False  # its cue may take a clausal complement (what was said)


def _speech_patterns(lexicon: Lexicon, settings: SpeakerSettings) -> list:
    lemmas = lexicon.lemmas("speech") | (lexicon.lemmas("belief") if settings.belief_verbs else frozenset())
    lemmas |= {verb for verb, _ in lexicon.particle_verbs}
    # the lexicon is lower case; a lemma may not be ("Said" at a sentence start): the guard lowers it
    return [[{"LEMMA": {"IN": sorted({form for lemma in lemmas for form in (lemma, lemma.title(), lemma.upper())})}}]]


TRIGGERS = [
    # "according to X": a cue that is no verb ("according" with its "to")
    Trigger("according", lambda lexicon, settings: [[{"LOWER": "according"}]],
            guard=lambda tok, lexicon, settings: is_according(tok)),
    # "said", "went on", "believes" (with [speakers] belief_verbs); not "hasn't said"
    Trigger("speech", _speech_patterns,
            guard=lambda tok, lexicon, settings: is_reporting_verb(tok, beliefs=settings.belief_verbs,
                                                                   lexicon=lexicon),
            reports_clause=True),
    # "he called the plan "reckless"" (not the participle: 'a series called "X"')
    Trigger("naming", lambda lexicon, settings: [[
        {"LEMMA": {"IN": sorted(lexicon.lemmas("naming"))}, "POS": "VERB", "TAG": {"NOT_IN": ["VBN"]}}]]),
    # "following reports (that) it had drawn up plans"
    Trigger("report_noun", lambda lexicon, settings: [[
        {"LEMMA": {"IN": sorted(lexicon.report_nouns)}, "POS": "NOUN", "TAG": "NNS"}]]),
]


@dataclass
class Cue:
    """One cue word and what the constructions share about it: its subject, the clause it reports, and
    the token range of that clause (narrowed as constructions take parts of it)."""

    a: Attributor
    verb: Token
    subject: Token | None
    trigger: Trigger

    @cached_property
    def clause(self) -> Token | None:
        return clause_of(self.verb, self.a.lexicon) if self.trigger.reports_clause else None

    @cached_property
    def span(self) -> list[int]:
        """[lo, hi]: the reported clause within its sentence, with a partial quote that continues it,
        without a second report joined to it, and without the cue itself ('…, he said, …')."""
        a, verb, clause = self.a, self.verb, self.clause
        lo, hi = a.within_sentence(verb, clause.left_edge.i, clause.right_edge.i)
        hi = a.with_trailing_partial_quote(verb, hi)
        for c in clause.children:  # "said the tremor was far away but said ...": the second is its own report
            if c.dep_ == "conj" and c.i > clause.i and is_reporting_verb(c, lexicon=a.lexicon) and \
                    not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children):
                hi = min(hi, c.left_edge.i - 1)
        if lo < verb.i < hi:
            if clause.i < verb.i:
                hi = verb.left_edge.i - 1
            else:
                lo = verb.right_edge.i + 1
        return [lo, hi]

    @property
    def quotes(self) -> list[int]:
        return self.a.quotes_in(*self.span)

    @property
    def narrative(self) -> list[Token]:
        """The words of the clause outside quotes (punctuation and a leading "that" aside)."""
        lo, hi = self.span
        return [t for t in self.a.doc[lo:hi + 1] if self.a.in_quote[t.i] < 0 and not t.is_punct
                and not (t.dep_ == "mark" and t.lower_ == "that")]


@dataclass(frozen=True)
class Found:
    """What a construction found: indirect statements (direct quotes it sets on the attributor), and
    whether it settled the cue (no later construction looks at it)."""

    statements: tuple[Statement, ...] = ()
    claims: bool = False


NOTHING = Found()
CLAIMED = Found(claims=True)


# ----- cue constructions --------------------------------------------------------------------------------
def according_to(cue: Cue) -> Found:
    """"According to X, …": the clause "according to" hangs on (or the quote it is)."""
    a, tok, head = cue.a, cue.verb, cue.verb.head
    if head is tok:
        return CLAIMED
    lo, hi = a.host_clause(tok, head)
    quotes = a.quotes_in(lo, hi)
    narrative = [t for t in a.doc[lo:hi + 1] if a.in_quote[t.i] < 0 and not t.is_punct]
    if quotes and len(narrative) <= 1:
        for qi in quotes:
            a.set_direct(qi, tok, cue.subject, rule="according_to")
        return CLAIMED
    st = a.clause_statement(lo, hi, tok, cue.subject, rule="according_to")
    return Found((st,) if st else (), claims=True)


def drop_channels(indirect: list[Statement]) -> list[Statement]:
    """"According to" names a channel, not a speaker, when it attributes someone else's report:
    "Sources claimed X, according to the Telegraph" (the claim is the statement, the paper its channel),
    "Prosecutors said X, according to the Daily News" (the clause it hangs on is the prosecutors')."""
    near = Neighbours(indirect)
    return [st for st in indirect if not (st.cue is not None and is_according(st.cue) and any(
        o.cue is not None and (st.start <= o.cue.idx < st.end or (
            not is_according(o.cue) and o.start <= st.cue.head.idx < o.end))
        for o in near.around(st, reach=st.cue.head.idx)))]


def quote_then_cue(cue: Cue) -> Found:
    """'"My car was stuck," she said': the parser ran the clause back over the quote before the cue."""
    if cue.clause is None:
        return NOTHING
    quotes = cue.quotes
    if quotes and cue.a.quote_right_before(quotes[-1], cue.verb, cue.subject):
        cue.a.set_direct(quotes[-1], cue.verb, cue.subject, rule="quote_then_cue")
        return CLAIMED
    return NOTHING


def cue_governs_quote(cue: Cue) -> Found:
    """'She said: "…"', '"…," he told CNN': the quote is the cue's complement (or its whole clause);
    a whole-sentence quote at the end of a reported clause is a quote of its own."""
    a, verb, subject = cue.a, cue.verb, cue.subject
    if cue.clause is None:
        for c in verb.children:
            qi = a.in_quote[c.i]
            if qi >= 0 and c.dep_ in ("ccomp", "dobj", "oprd", "xcomp", "parataxis", "attr", "npadvmod", "conj"):
                if a.lexicon.has(verb.lemma_, "naming") or a.statement_like(qi):
                    a.set_direct(qi, verb, subject, rule="cue_governs_quote")
        return NOTHING
    quotes = cue.quotes
    if quotes and len(cue.narrative) <= 1:
        for qi in quotes:
            a.set_direct(qi, verb, subject, rule="cue_governs_quote")
        return CLAIMED
    for qi in quotes:  # whole-sentence quotes at the end of the clause are direct quotes of their own
        lo, hi = cue.span
        qlo, qhi = a.qtok[qi]
        if a.is_full_quote(qi) and qlo > verb.i and (qhi >= hi or not any(
                a.in_quote[t.i] < 0 and not t.is_punct for t in a.doc[qhi + 1:hi + 1])):
            a.set_direct(qi, verb, subject, rule="cue_governs_quote")
            cue.span[1] = min(hi, qlo - 1)
    return NOTHING


def naming_verb(cue: Cue) -> Found:
    """'He called the plan "a disgrace"': a quote inside the naming verb's object is the namer's words."""
    a, verb = cue.a, cue.verb
    if cue.clause is not None or not a.lexicon.has(verb.lemma_, "naming"):
        return NOTHING
    for c in verb.children:
        for g in c.subtree:
            qi = a.in_quote[g.i]
            if qi >= 0 and c.dep_ in ("oprd", "ccomp", "xcomp", "dobj", "prep"):
                a.set_direct(qi, verb, cue.subject, rule="naming_verb")
                break
    return NOTHING


def reported_clause(cue: Cue) -> Found:
    """'X said (that) …': the clausal complement is what was said (it may embed a partial quote)."""
    if cue.clause is None:
        return NOTHING
    lo, hi = cue.span
    st = cue.a.clause_statement(lo, hi, cue.verb, cue.subject, rule="reported_clause")
    return Found((st,) if st else (), claims=True)


def parenthetical_cue(cue: Cue) -> Found:
    """"He was able to sail, Jordan said, but …": the clause the inserted cue hangs on, and the one
    joined after it."""
    a, verb = cue.a, cue.verb
    if cue.clause is not None or verb.dep_ != "parataxis":
        return NOTHING
    head = verb.head
    if a.in_quote[head.i] >= 0:
        return CLAIMED
    lo, hi = a.host_clause(verb, head)
    if a.quotes_in(lo, hi) and all(a.is_full_quote(q) for q in a.quotes_in(lo, hi)):
        return CLAIMED
    out = []
    st = a.clause_statement(lo, hi, verb, cue.subject, rule="parenthetical_cue")
    if st:
        out.append(st)
    for c in head.children:  # "..., Jordan said, but he could make little headway"
        if c.dep_ == "conj" and c.i > verb.i and c.pos_ in ("VERB", "AUX"):
            st = a.clause_statement(verb.right_edge.i + 1, c.right_edge.i, verb, cue.subject,
                                    rule="parenthetical_cue")
            if st:
                out.append(st)
    return Found(tuple(out), claims=True)


def closing_cue(cue: Cue) -> Found:
    """"The snowpack ranges from 51 to 79 per cent, said Brian Domonkos." when the parser found no clause:
    what precedes ", said X" (or ", X said") at the end of the sentence is the statement."""
    a, verb, subject = cue.a, cue.verb, cue.subject
    if cue.clause is not None:
        return NOTHING
    doc = a.doc
    first = min(verb.i, subject.left_edge.i) if subject.i < verb.i else verb.i
    comma = first - 1
    if comma < 1 or doc[comma].text != "," or not (subject.i > verb.i or verb.i - subject.right_edge.i == 1):
        return CLAIMED
    end = verb.right_edge.i  # the cue must end the sentence
    if doc[end].text not in _SENT_END and end + 1 < len(doc) and doc[end + 1].text not in _SENT_END \
            and "\n" not in doc[end + 1].text:
        return CLAIMED
    lo, hi = a.within_sentence(verb, 0, comma - 1)
    if a.quotes_in(lo, hi):
        return CLAIMED  # a quote: the direct-quote constructions deal with it
    st = a.clause_statement(lo, hi, verb, subject, rule="closing_cue")
    return Found((st,) if st else (), claims=True)


def report_noun(cue: Cue) -> Found:
    """"following reports (that) it had drawn up plans": the reports are the (unnamed) source."""
    a, noun = cue.a, cue.verb
    for c in noun.children:
        if c.dep_ in ("relcl", "acl") and c.i > noun.i and (
                is_content_clause(c) or any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)):
            lo, hi = a.within_sentence(noun, c.left_edge.i, c.right_edge.i)
            st = a.clause_statement(lo, hi, noun, noun, rule="report_noun")
            return Found((st,) if st else (), claims=True)
    return CLAIMED


# ----- quote constructions: a quote no cue governs -------------------------------------------------------
def dash_credit(a: Attributor, qi: int) -> bool:
    """'"The buses are always late." ― Maria Lopez, a commuter': a name after a dash that follows the
    quote on its line credits it (vox pops, epigraphs)."""
    s = a.spans[qi]
    m = _DASH_CREDIT.match(a.text, s.close_end)
    if m is None:
        return False
    span = a.doc.char_span(m.end(), m.end() + 1, alignment_mode="expand")
    if span is None or span[0].pos_ != "PROPN" or a.in_quote[span[0].i] >= 0:
        return False
    head = span[0]
    while head.i + 1 < len(a.doc) and a.doc[head.i + 1].pos_ == "PROPN" and "\n" not in a.doc[head.i + 1].text:
        head = a.doc[head.i + 1]
    a.direct[qi] = Statement(s.start, s.end, direct=True, cue=None, subject=head, quote=qi, rule="dash_credit")
    return True


def cue_beside_quote(a: Attributor, qi: int) -> bool:
    """A reporting verb a few words after the quote ('"…," said Smith') or before it ('Smith said: "…"')
    that reports nothing else."""
    found = a.frame_cue(qi)
    if found:
        a.set_direct(qi, *found, rule="cue_beside_quote")
    return qi in a.direct


# ----- context constructions: a quote with no cue of its own --------------------------------------------
def continued_quote(a: Attributor, qi: int) -> bool:
    """'"…," he said. "…"': a quote next to a cued one, with nothing but that cue between them."""
    lo, hi = a.qtok[qi]
    prev = qi - 1
    if prev >= 0 and prev in a.direct and prev not in a.absorbed:
        owner = a.direct[prev]
        if a.gap_is_attribution(a.qtok[prev][1], lo, owner) and a.near(prev, qi):
            a.inherit(qi, owner, rule="continued_quote")
            return True
    nxt = qi + 1
    if nxt < len(a.spans) and nxt in a.direct and nxt not in a.absorbed:
        owner = a.direct[nxt]
        if a.gap_is_attribution(hi, a.qtok[nxt][0], owner) and a.near(qi, nxt) \
                and owner.cue is not None and owner.cue.i > a.qtok[nxt][1]:
            a.inherit(qi, owner, rule="continued_quote")
            return True
    return False


def _opens_sentence(a: Attributor, qi: int) -> tuple[int, int] | None:
    """The narrative sentence just before a quote that opens a sentence, as a token range."""
    s = a.spans[qi]
    before = a.text[:s.open_at].rstrip()
    inner = a.text[s.start:s.end]
    glued = inner[:1].isupper() and inner.rstrip()[-1:] in ".!?,"  # a lost full stop before it
    if before and before[-1] not in ".!?:\n\"'’”" and not glued:
        return None
    return a.previous_sentence(a.qtok[qi][0])


def quote_after_report(a: Attributor, qi: int) -> bool:
    """'She said the video helps. "I am there with my mum."': a quote opening the sentence after a report
    continues that report's speaker (news style)."""
    prev = _opens_sentence(a, qi)
    if prev is None:
        return False
    plo, phi = prev
    owner = next((st for st in reversed(a.indirect) if st.cue is not None and plo <= st.cue.i <= phi), None)
    if owner is None:
        owner = next((a.direct[q] for q in sorted(a.direct, reverse=True)
                      if a.direct[q].cue is not None and plo <= a.direct[q].cue.i <= phi), None)
    if owner is None:
        return False
    a.inherit(qi, owner, rule="quote_after_report")
    return True


def quote_after_subject(a: Attributor, qi: int) -> bool:
    """'Elton lashed out at the ball. "We are the ones that sneer?"': first-person words opening the
    sentence after one about a named person are that person's (``uncued_after_subject``; no cue: a guess)."""
    if not a.settings.uncued_after_subject or not a.first_person(qi):
        return False
    prev = _opens_sentence(a, qi)
    if prev is None:
        return False
    plo, phi = prev
    subject = next((t for t in a.doc[plo:phi + 1] if t.dep_ == "nsubj" and t.head.dep_ == "ROOT"
                    and t.pos_ == "PROPN" and a.in_quote[t.i] < 0), None)
    if subject is None or subject.ent_type_ not in ("PERSON", ""):
        return False
    s = a.spans[qi]
    a.direct[qi] = Statement(s.start, s.end, direct=True, cue=None, subject=subject, quote=qi,
                             rule="quote_after_subject")
    return True


# ----- the registry --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Construction:
    name: str  # the statements' ``rule``
    confidence: float  # how often it gives the right words with the right speaker (rightP, see below)
    scope: str  # "cue" | "quote" | "context"
    find: Callable  # cue scope: (Cue) -> Found; quote and context scope: (Attributor, quote index) -> bool
    triggers: tuple[str, ...] = ()  # cue scope: the triggers whose cues it looks at


# The order constructions are tried in. Confidence: rightP on PolNeAR train / dev.jsonl before
# calibration (`briefbot eval quotes --set both`, in the comments), weighted to the held-out style.
CONSTRUCTIONS = [
    # cue scope: what a cue word reports                                                         PolNeAR / dev
    Construction("according_to", 0.72, "cue", according_to, ("according",)),  # according to X, …   0.67 / 0.90
    Construction("quote_then_cue", 0.95, "cue", quote_then_cue, ("speech",)),  # "…," she said.     0.92 / 0.98
    Construction("cue_governs_quote", 0.9, "cue", cue_governs_quote, ("speech", "naming")),  # X said: "…"
    #                                                                                                0.87 / 0.95
    Construction("naming_verb", 0.85, "cue", naming_verb, ("speech", "naming")),  # X called it "…"  0.85 / 1.0
    Construction("reported_clause", 0.85, "cue", reported_clause, ("speech",)),  # X said (that) …   0.79 / 0.96
    Construction("parenthetical_cue", 0.75, "cue", parenthetical_cue, ("speech",)),  # …, X said, …  0.71 / 1.0
    Construction("closing_cue", 0.35, "cue", closing_cue, ("speech",)),  # …, said X. (no clause)   0.33 / 1.0
    Construction("report_noun", 0.3, "cue", report_noun, ("report_noun",)),  # reports that …        0.0 / 1.0
    # quote scope: a quote no cue governs
    Construction("dash_credit", 0.9, "quote", dash_credit),  # "…" ― Maria Lopez, a commuter          (new)
    Construction("cue_beside_quote", 0.78, "quote", cue_beside_quote),  # a cue a few words away     0.81 / 0.72
    # context scope: a quote with no cue of its own
    Construction("continued_quote", 0.94, "context", continued_quote),  # "…," he said. "…"          0.94 / 0.97
    Construction("quote_after_report", 0.65, "context", quote_after_report),  # X said …. "…"        0.64 / 1.0
    Construction("quote_after_subject", 0.55, "context", quote_after_subject),  # X did …. "We …"    0.86 / 1.0
]
CONFIDENCE = {c.name: c.confidence for c in CONSTRUCTIONS}


class Matchers:
    """The trigger patterns compiled for one vocabulary, lexicon and settings."""

    def __init__(self, vocab, lexicon: Lexicon, settings: SpeakerSettings):
        self.token = Matcher(vocab)
        self.dependency = DependencyMatcher(vocab)
        for trigger in TRIGGERS:
            matcher = self.dependency if trigger.dependency else self.token
            matcher.add(trigger.name, trigger.patterns(lexicon, settings))
        self.any_dependency = any(trigger.dependency for trigger in TRIGGERS)  # each matcher reads the whole Doc

    def cues(self, doc: Doc) -> dict[int, set[str]]:
        """Token index of each cue word -> the names of the triggers whose patterns match it."""
        found: dict[int, set[str]] = {}
        for match_id, start, _end in self.token(doc):
            found.setdefault(start, set()).add(doc.vocab.strings[match_id])
        for match_id, tokens in self.dependency(doc) if self.any_dependency else ():
            found.setdefault(tokens[0], set()).add(doc.vocab.strings[match_id])
        return found


def find_statements(doc: Doc, settings: SpeakerSettings, matchers: Matchers, lexicon: Lexicon = LEXICON,
                    quotes: QuoteIndex | None = None) -> list[Statement]:
    """Every statement of the article, in article order, each tagged with its construction; speakers
    not yet resolved (``Statement.subject`` is the head of the speaker phrase)."""
    a = Attributor(doc, settings, lexicon, quotes)
    by_scope = {scope: [c for c in CONSTRUCTIONS if c.scope == scope] for scope in ("cue", "quote", "context")}

    indirect: list[Statement] = []
    matched = matchers.cues(doc)
    for i in sorted(matched):
        tok = doc[i]
        if a.in_quote[i] >= 0:
            continue
        trigger = next((t for t in TRIGGERS if t.name in matched[i] and t.guard(tok, lexicon, settings)), None)
        if trigger is None:
            continue
        subject = tok if trigger.name == "report_noun" else subject_of(tok, lexicon)
        if subject is None:
            continue  # a cue with no one behind it reports nothing
        cue = Cue(a, tok, subject, trigger)
        if cue.clause is not None and a.is_trailing_cue(cue.clause):
            continue
        for construction in by_scope["cue"]:
            if trigger.name not in construction.triggers:
                continue
            found = construction.find(cue)
            indirect.extend(found.statements)
            if found.claims:
                break
    a.indirect = drop_channels(a.drop_nested(indirect))

    def waiting(qi: int) -> bool:
        return qi not in a.direct and qi not in a.absorbed and a.statement_like(qi)

    for qi in range(len(a.spans)):
        for construction in by_scope["quote"]:
            if waiting(qi) and construction.find(a, qi):
                break

    chain = next(c for c in by_scope["context"] if c.name == "continued_quote")

    def close_chains() -> None:
        changed = True
        while changed:
            changed = False
            for qi in range(len(a.spans)):
                if waiting(qi) and chain.find(a, qi):
                    changed = True

    close_chains()
    others = [c for c in by_scope["context"] if c is not chain]
    for qi in range(len(a.spans)):
        for construction in others:
            if waiting(qi) and construction.find(a, qi):
                break
    close_chains()

    statements = a.indirect + [a.direct[q] for q in sorted(a.direct) if q not in a.absorbed]
    for st in statements:
        st.rule_confidence = CONFIDENCE.get(st.rule, 0.5)
        if st.cue is not None:
            st.cue_words, st.cue_kind = cue_text(st.cue, lexicon), cue_kind(st.cue, lexicon)
    return sorted(statements, key=lambda s: s.start)
