"""Statements of one article: direct quotes and reported speech, each with its cue and speaker.

The steps are described in ``summarizer.speakers``; this module holds the rules.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from ..settings import SpeakerSettings
from .coref import Entity, SpeakerResolver
from .cues import (
    NAMING_VERBS,
    REPORT_NOUNS,
    clause_of,
    is_content_clause,
    is_reporting_verb,
    subject_of,
    token_range,
)
from .quotes import QuoteSpan, doc_quote_spans

_SENT_END = {".", "!", "?"}
# How often each construction gives the right words with the right speaker (measured with
# `briefbot eval quotes` on both gold sets): the statement's confidence before its subject is resolved.
RULE_CONFIDENCE = {  # rightP on PolNeAR train / dev.jsonl before calibration, weighted to the held-out style
    "quote_then_cue": 0.95,  # "…," she said.                                   0.92 / 0.98
    "continued_quote": 0.94,  # "…," he said. "…"                                0.94 / 0.97
    "cue_governs_quote": 0.9,  # she said: "…"                                   0.87 / 0.95
    "reported_clause": 0.85,  # X said (that) …                                  0.79 / 0.96
    "naming_verb": 0.85,  # X called the plan "…"                                0.85 / 1.0
    "dash_credit": 0.9,  # "…" ― Maria Lopez, a commuter                          (new)
    "cue_beside_quote": 0.78,  # a cue a few words from the quote                0.81 / 0.72
    "parenthetical_cue": 0.75,  # …, X said, …                                   0.71 / 1.0
    "according_to": 0.72,  # according to X, …                                   0.67 / 0.90
    "quote_after_report": 0.65,  # X said …. "…" (the next sentence is a quote)  0.64 / 1.0
    "quote_after_subject": 0.55,  # X did …. "We …" (no cue at all: a guess)    0.86 / 1.0 (few)
    "closing_cue": 0.35,  # …, said X. (no clause found by the parser)           0.33 / 1.0
    "report_noun": 0.3,  # reports that …                                        0.0 / 1.0
}
# A dash on the quote's own line, then a capitalised word: '"…" ― Maria Lopez, a commuter'.
_DASH_CREDIT = re.compile(r"[ \t]{0,3}[―—–][ \t]{0,3}(?=[A-Z])")
# A pronoun whose person was last named this far back (characters) is less sure than one right after.
_NEAR_ANTECEDENT_CHARS = 400
# How far (characters) around a statement others are looked at for nesting (see ``_Neighbours``).
_NEIGHBOURHOOD_CHARS = 2000


@dataclass
class Statement:
    """One attribution before its speaker is resolved."""

    start: int  # character offsets of the statement text
    end: int
    direct: bool
    cue: Token | None  # the reporting verb (or "according")
    subject: Token | None  # head of the speaker phrase
    quote: int | None = None  # index of the direct quote span, for direct statements
    inherited_from: "Statement | None" = None  # a continued quote takes its speaker from here
    rule: str = ""  # the construction that found it ("reported_clause", "cue_beside_quote", ...)
    subject_confidence: float = 1.0  # how surely the subject phrase was resolved (see ``_resolve``)
    entity: Entity | None = field(default=None, repr=False)

    @property
    def confidence(self) -> float:
        """How surely these words are this speaker's: the construction's, times the subject's."""
        return round(RULE_CONFIDENCE.get(self.rule, 0.5) * self.subject_confidence, 2)


class _Neighbours:
    """Statements by start offset, to find the ones near a statement in logarithmic time.

    Statements never span two sentences, so the ones that can overlap a statement (or hold
    its cue) start within a bounded neighbourhood of it: the nesting checks stay linear in the
    number of statements (a text of thousands of reports)."""

    def __init__(self, statements: list[Statement]):
        self.by_start = sorted(statements, key=lambda s: s.start)
        self.starts = [s.start for s in self.by_start]

    def around(self, st: Statement, reach: int | None = None) -> list[Statement]:
        lo = min(st.start, st.start if reach is None else reach) - _NEIGHBOURHOOD_CHARS
        hi = max(st.end, st.end if reach is None else reach) + _NEIGHBOURHOOD_CHARS
        a, b = bisect_left(self.starts, lo), bisect_right(self.starts, hi)
        return [o for o in self.by_start[a:b] if o is not st]


class Attributor:
    """Finds the statements of one parsed article (see ``summarizer.speakers`` for the steps)."""

    def __init__(self, doc: Doc, settings: SpeakerSettings):
        self.doc = doc
        self.settings = settings
        self.text = doc.text
        self.spans: list[QuoteSpan] = doc_quote_spans(doc)
        # token index range of each quote, marks included, and a token -> quote map
        self.qtok: list[tuple[int, int]] = []
        self.in_quote = [-1] * len(doc)
        for qi, s in enumerate(self.spans):
            lo, hi = token_range(doc, s.open_at, max(s.close_end, s.open_at + 1))
            self.qtok.append((lo, hi))
            for i in range(lo, hi + 1):
                if self.in_quote[i] < 0:
                    self.in_quote[i] = qi
        self.resolver = SpeakerResolver(doc, self.in_quote)
        self.absorbed: set[int] = set()  # quotes that are part of an indirect statement
        self.direct: dict[int, Statement] = {}

    # ----- step 2: reporting verbs ---------------------------------------------------------------
    def run(self) -> list[Statement]:
        indirect: list[Statement] = []
        for tok in self.doc:
            if self.in_quote[tok.i] >= 0:
                continue
            if tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children):
                indirect.extend(self._according(tok))
            elif is_reporting_verb(tok, beliefs=self.settings.belief_verbs):
                indirect.extend(self._reported(tok))
            elif tok.lemma_ in NAMING_VERBS and tok.pos_ == "VERB" and tok.tag_ != "VBN":
                self._link_direct(tok, subject_of(tok))  # he called the plan "reckless" (not: a series called "X")
            elif tok.lemma_ in REPORT_NOUNS and tok.pos_ == "NOUN" and tok.tag_ == "NNS":
                indirect.extend(self._report_noun(tok))
        indirect = self._drop_nested(indirect)
        # "Sources claimed X, according to the Telegraph": the claim is the statement, the paper its channel
        # "Prosecutors said X, according to the Daily News": the clause "according to" hangs on is
        # already the prosecutors' statement; the paper only carried it
        near = _Neighbours(indirect)
        indirect = [st for st in indirect if not (st.cue is not None and st.cue.lower_ == "according" and any(
            o.cue is not None and (st.start <= o.cue.idx < st.end or (
                o.cue.lower_ != "according" and o.start <= st.cue.head.idx < o.end))
            for o in near.around(st, reach=st.cue.head.idx)))]
        self.indirect = indirect
        self._cue_remaining_quotes()
        self._chain_continued_quotes()
        self._follow_reporting_sentences()
        self._chain_continued_quotes()
        statements = indirect + [self.direct[q] for q in sorted(self.direct) if q not in self.absorbed]
        statements.sort(key=lambda s: s.start)
        self._resolve(statements)
        statements = [s for s in statements if s.entity is not None]
        return self._one_per_nesting(statements)

    @staticmethod
    def _one_per_nesting(statements: list[Statement]) -> list[Statement]:
        """A report inside a report by the same speaker counts once.

        "Travolta said he believed the film was ..." keeps the outer statement (the inner one's
        subject is a pronoun for the same person); "[X said] Arshad Malik told the BBC the findings
        were ..." - a parse run over a sentence that names its own speaker - keeps the inner one.
        """
        drop: set[int] = set()
        near = _Neighbours(statements)
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
                drop.add(id(inner) if subj.pos_ == "PRON" else id(outer))
        return [s for s in statements if id(s) not in drop]

    def _quotes_in(self, lo: int, hi: int) -> list[int]:
        return sorted({self.in_quote[i] for i in range(lo, hi + 1) if self.in_quote[i] >= 0})

    def _is_full_quote(self, qi: int) -> bool:
        """A quote that is a sentence of its own (introduced by ':' or a sentence end, or starting a sentence)."""
        s = self.spans[qi]
        before = self.text[:s.open_at].rstrip()
        first = self.text[s.start:s.start + 1]
        after_closed_quote = before[-1:] in ("\"", "”", "'", "’") and before[-2:-1] in (".", "!", "?", ",")
        if not before or before[-1] in ":.!?\n" or after_closed_quote:
            return True
        return before[-1] == "," and first.isupper() and self.text[s.end - 1:s.end] in ".!?,"

    def _reported(self, verb: Token) -> list[Statement]:
        clause = clause_of(verb)
        subject = subject_of(verb)
        if clause is None:
            self._link_direct(verb, subject)
            if verb.dep_ == "parataxis" and subject is not None:
                return self._parenthetical(verb, subject)
            if subject is not None:
                return self._trailing_cue(verb, subject)
            return []
        if subject is None or self._is_trailing_cue(clause):
            return []
        lo, hi = self._within_sentence(verb, clause.left_edge.i, clause.right_edge.i)
        hi = self._with_trailing_partial_quote(verb, hi)
        for c in clause.children:  # "said the tremor was far away but said ...": the second is its own report
            if c.dep_ == "conj" and c.i > clause.i and is_reporting_verb(c) and \
                    not any(g.dep_ in ("nsubj", "nsubjpass") for g in c.children):
                hi = min(hi, c.left_edge.i - 1)
        # the reported clause stops at the verb itself ("..., he said, ...")
        if lo < verb.i < hi:
            if clause.i < verb.i:
                hi = verb.left_edge.i - 1
            else:
                lo = verb.right_edge.i + 1
        quotes = self._quotes_in(lo, hi)
        narrative = [t for t in self.doc[lo:hi + 1] if self.in_quote[t.i] < 0 and not t.is_punct
                     and not (t.dep_ == "mark" and t.lower_ == "that")]
        if quotes and self._quote_right_before(quotes[-1], verb, subject):
            # "...'My car was stuck,' she said": the quote is what was said (the parser ran the
            # clause back over text before it)
            self._set_direct(quotes[-1], verb, subject, rule="quote_then_cue")
            return []
        if quotes and len(narrative) <= 1:
            for qi in quotes:  # the clause is a direct quote: verb is its cue
                self._set_direct(qi, verb, subject, rule="cue_governs_quote")
            return []
        # whole-sentence quotes at the edges of the clause are direct quotes of their own
        for qi in quotes:
            qlo, qhi = self.qtok[qi]
            if self._is_full_quote(qi) and qlo > verb.i and (qhi >= hi or not any(
                    self.in_quote[t.i] < 0 and not t.is_punct for t in self.doc[qhi + 1:hi + 1])):
                self._set_direct(qi, verb, subject, rule="cue_governs_quote")
                hi = min(hi, qlo - 1)
        statement = self._clause_statement(lo, hi, verb, subject, rule="reported_clause")
        return [statement] if statement else []

    def _is_trailing_cue(self, clause: Token) -> bool:
        """"Lawrence decided to ... two foundations, KSL reports.": the parser made the closing cue the
        complement of the sentence's verb; it attributes the sentence, it is not what was decided."""
        if not is_reporting_verb(clause) or clause_of(clause) is not None:
            return False
        subject = subject_of(clause)
        if subject is None or subject.i > clause.i:
            return False
        first = subject.left_edge.i
        after = self.doc[clause.i + 1:clause.right_edge.i + 1]
        return first > 0 and self.doc[first - 1].text == "," and all(t.is_punct or t.is_space for t in after) \
            and self._ends_sentence_at(clause.right_edge.i)

    def _ends_sentence_at(self, i: int) -> bool:
        nxt = i + 1
        while nxt < len(self.doc) and self.doc[nxt].is_space:
            nxt += 1
        return nxt >= len(self.doc) or self.doc[nxt].text in _SENT_END or "\n" in self.doc[nxt].text

    def _quote_right_before(self, qi: int, verb: Token, subject: Token | None) -> bool:
        """A sentence-like quote followed by nothing but its cue: '"…," she said' / '"…," said Smith'."""
        qlo, qhi = self.qtok[qi]
        if qhi >= verb.i or not self._statement_like(qi):
            return False
        s = self.spans[qi]
        if not (self.text[s.start:s.start + 1].isupper() or self.text[s.end - 1:s.end] in ",?!"):
            return False
        allowed = {t.i for t in subject.subtree} if subject is not None else set()
        for c in verb.children:  # '"…," without using notes, she said' / '"…," he said later'
            if c.dep_ in ("prep", "advcl", "advmod", "npadvmod") and qhi < c.i < verb.i:
                allowed |= {t.i for t in c.subtree}
        # beyond that, a short phrase with no clause of its own ("…," without using notes, she said)
        rest = [t for t in self.doc[qhi + 1:verb.i] if not (t.is_punct or t.i in allowed or t.dep_ in ("aux", "neg"))]
        return len(rest) <= 4 and not any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in rest)

    def _within_sentence(self, anchor: Token, lo: int, hi: int) -> tuple[int, int]:
        """Clip a token range to the sentence of ``anchor``: the parser sometimes runs sentences together
        (over line breaks, or captions glued to the text), and a statement never spans two sentences."""
        for i in range(anchor.i - 1, lo - 1, -1):
            if "\n" in self.doc[i].text or self._ends_sentence(i):
                lo = i + 1
                break
        for i in range(anchor.i + 1, hi + 1):
            if "\n" in self.doc[i].text:
                hi = i - 1
                break
            if self._ends_sentence(i):
                hi = i
                break
        return lo, hi

    def _ends_sentence(self, i: int) -> bool:
        """A full stop (or ! ?) outside quotes followed by a capitalised word."""
        doc = self.doc
        if doc[i].text not in _SENT_END or self.in_quote[i] >= 0 or i + 1 >= len(doc):
            return False
        nxt = doc[i + 1]
        return nxt.text[:1].isupper() or nxt.is_quote and self._opens_quote(nxt.i)

    def _with_trailing_partial_quote(self, verb: Token, hi: int) -> int:
        """'told the Times that he has not seen it, "and I don't care to."': the quote continues the clause."""
        doc = self.doc
        i = hi + 1
        while i < len(doc) and doc[i].text in (",", "—", "–", "-", "--"):
            i += 1
        qi = self.in_quote[i] if i < len(doc) and i > hi + 1 else -1
        if qi >= 0 and self.qtok[qi][0] == i and not self._is_full_quote(qi) \
                and self.text[self.spans[qi].start:self.spans[qi].start + 1].islower():
            return self.qtok[qi][1]
        return hi

    def _clause_statement(self, lo: int, hi: int, verb: Token, subject: Token | None,
                          rule: str) -> Statement | None:
        doc = self.doc
        while lo <= hi and (doc[lo].is_punct and not self._opens_quote(lo) or doc[lo].is_space
                            or (doc[lo].lower_ == "that" and (doc[lo].dep_ == "mark" or doc[lo].tag_ == "IN"))):
            lo += 1
        while hi >= lo and (doc[hi].is_punct and not self._closes_quote(hi, lo) or doc[hi].is_space
                            or doc[hi].dep_ == "cc"):
            hi -= 1
        # a quote that opens inside the statement closes inside it too ('only “part of the problem.”')
        for qi in self._quotes_in(lo, hi):
            if self.qtok[qi][0] >= lo and self.qtok[qi][1] > hi and self.spans[qi].closed \
                    and self.qtok[qi][1] - hi <= 3:
                hi = self.qtok[qi][1]
        words = [t for t in doc[lo:hi + 1] if not t.is_punct]
        if len(words) < self.settings.min_indirect_words:
            return None
        question = "?" in doc[hi].text + doc[min(hi + 1, len(doc) - 1)].text
        if words[0].lower_ in ("who", "which", "whom", "whose") and not question:
            return None  # a relative clause the cue hangs on, not what was said (a question would end in "?")
        if any(t.text == ":" and self.in_quote[t.i] < 0 and t.i + 1 <= hi and self._opens_quote(t.i + 1)
               for t in doc[lo:hi + 1]):
            return None  # 'X said: "…"' inside: a parse run over a missing full stop
        for qi in self._quotes_in(lo, hi):
            self.absorbed.add(qi)
        start, end = doc[lo].idx, doc[hi].idx + len(doc[hi])
        return Statement(start, end, direct=False, cue=verb, subject=subject, rule=rule)

    def _opens_quote(self, i: int) -> bool:
        qi = self.in_quote[i]
        return qi >= 0 and self.qtok[qi][0] == i

    def _closes_quote(self, i: int, lo: int) -> bool:
        qi = self.in_quote[i]
        return qi >= 0 and self.qtok[qi][1] == i and self.qtok[qi][0] >= lo

    def _host_clause(self, tok: Token, head: Token) -> tuple[int, int]:
        """Token range of the clause ``head`` governs, minus the inserted phrase ``tok`` heads."""
        lo, hi = self._within_sentence(tok, head.left_edge.i, head.right_edge.i)
        if tok.i > head.i:
            hi = tok.left_edge.i - 1
        else:
            lo = tok.right_edge.i + 1
        return lo, hi

    def _parenthetical(self, verb: Token, subject: Token) -> list[Statement]:
        """"He was able to sail, Jordan said, but ...": the clause the parenthetical verb hangs on."""
        head = verb.head
        if self.in_quote[head.i] >= 0:
            return []
        lo, hi = self._host_clause(verb, head)
        if self._quotes_in(lo, hi) and all(self._is_full_quote(q) for q in self._quotes_in(lo, hi)):
            return []
        out = []
        st = self._clause_statement(lo, hi, verb, subject, rule="parenthetical_cue")
        if st:
            out.append(st)
        # "..., Jordan said, but he could make little headway": the clause after it too
        for c in head.children:
            if c.dep_ == "conj" and c.i > verb.i and c.pos_ in ("VERB", "AUX"):
                st = self._clause_statement(verb.right_edge.i + 1, c.right_edge.i, verb, subject,
                                             rule="parenthetical_cue")
                if st:
                    out.append(st)
        return out

    def _report_noun(self, noun: Token) -> list[Statement]:
        """"following reports (that) it had drawn up plans": the reports are the (unnamed) source."""
        for c in noun.children:
            if c.dep_ in ("relcl", "acl") and c.i > noun.i and (
                    is_content_clause(c) or any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children)):
                lo, hi = self._within_sentence(noun, c.left_edge.i, c.right_edge.i)
                st = self._clause_statement(lo, hi, noun, noun, rule="report_noun")
                return [st] if st else []
        return []

    def _trailing_cue(self, verb: Token, subject: Token) -> list[Statement]:
        """"The snowpack now ranges from 51 to 79 per cent, said Brian Domonkos." when the parser found no
        clause: what precedes ", said X" (or ", X said") in the sentence is the statement."""
        doc = self.doc
        first = min(verb.i, subject.left_edge.i) if subject.i < verb.i else verb.i
        comma = first - 1
        if comma < 1 or doc[comma].text != "," or not (subject.i > verb.i or verb.i - subject.right_edge.i == 1):
            return []
        end = verb.right_edge.i  # the cue must end the sentence
        if doc[end].text not in _SENT_END and end + 1 < len(doc) and doc[end + 1].text not in _SENT_END \
                and "\n" not in doc[end + 1].text:
            return []
        lo, hi = self._within_sentence(verb, 0, comma - 1)
        if self._quotes_in(lo, hi):
            return []  # a quote: the direct-quote rules deal with it
        st = self._clause_statement(lo, hi, verb, subject, rule="closing_cue")
        return [st] if st else []

    def _according(self, tok: Token) -> list[Statement]:
        subject = subject_of(tok)
        head = tok.head
        if subject is None or head is tok:
            return []
        lo, hi = self._host_clause(tok, head)
        quotes = self._quotes_in(lo, hi)
        narrative = [t for t in self.doc[lo:hi + 1] if self.in_quote[t.i] < 0 and not t.is_punct]
        if quotes and len(narrative) <= 1:
            for qi in quotes:
                self._set_direct(qi, tok, subject, rule="according_to")
            return []
        st = self._clause_statement(lo, hi, tok, subject, rule="according_to")
        return [st] if st else []

    def _link_direct(self, verb: Token, subject: Token | None) -> None:
        """A reporting verb with no clause of its own may still govern a quote: "…," he told CNN."""
        if subject is None:
            return
        for c in verb.children:
            qi = self.in_quote[c.i]
            if qi >= 0 and c.dep_ in ("ccomp", "dobj", "oprd", "xcomp", "parataxis", "attr", "npadvmod", "conj"):
                if verb.lemma_ in NAMING_VERBS or self._statement_like(qi):
                    self._set_direct(qi, verb, subject, rule="cue_governs_quote")
        # "called the plan "a disgrace"": the quote hangs on the object
        if verb.lemma_ in NAMING_VERBS:
            for c in verb.children:
                for g in c.subtree:
                    qi = self.in_quote[g.i]
                    if qi >= 0 and c.dep_ in ("oprd", "ccomp", "xcomp", "dobj", "prep"):
                        self._set_direct(qi, verb, subject, rule="naming_verb")
                        break

    def _set_direct(self, qi: int, verb: Token, subject: Token | None, rule: str) -> None:
        """Make ``verb`` the cue of quote ``qi``, unless a cue right next to the quote already is."""
        if subject is None:
            return
        old = self.direct.get(qi)
        if old is not None and (old.cue is verb or self._adjacent(qi, old.cue, old.subject)
                                or not self._adjacent(qi, verb, subject)):
            return
        s = self.spans[qi]
        self.direct[qi] = Statement(s.start, s.end, direct=True, cue=verb, subject=subject, quote=qi,
                                    rule=rule)

    def _adjacent(self, qi: int, verb: Token | None, subject: Token | None) -> bool:
        """The cue touches the quote: '"…," she said' or 'she said: "…"'."""
        if verb is None:
            return False
        qlo, qhi = self.qtok[qi]
        if verb.i > qhi:
            return self._quote_right_before(qi, verb, subject)
        allowed = {t.i for t in subject.subtree} if subject is not None else set()
        allowed |= {t.i for t in verb.subtree if t.dep_ in ("dative", "dobj", "prt", "aux", "advmod", "prep")
                    or any(a.dep_ in ("dative", "dobj", "prep") and a.head is verb for a in t.ancestors)}
        gap = [t for t in self.doc[verb.i + 1:qlo] if not t.is_punct]
        return all(t.i in allowed for t in gap) and self.doc[qlo - 1].text in (":", ",") if qlo > verb.i else False

    def _statement_like(self, qi: int) -> bool:
        s = self.spans[qi]
        inner = self.text[s.start:s.end]
        return len(inner.split()) >= self.settings.min_quote_words or inner.rstrip()[-1:] in ",.!?…"

    def _drop_nested(self, statements: list[Statement]) -> list[Statement]:
        """Reported speech inside reported speech counts once, as the outer statement."""
        out, seen = [], set()
        near = _Neighbours(statements)
        for s in statements:
            if self.settings.drop_nested and any(
                    o.start <= s.start and s.end <= o.end and (o.start, o.end) != (s.start, s.end)
                    for o in near.around(s)):
                continue
            if (s.start, s.end) in seen:
                continue
            seen.add((s.start, s.end))
            out.append(s)
        return out

    # ----- step 3: direct quotes with no governing verb ---------------------------------------------
    def _cue_remaining_quotes(self) -> None:
        for qi in range(len(self.spans)):
            if qi in self.direct or qi in self.absorbed or not self._statement_like(qi):
                continue
            credited = self._dash_credit(qi)
            if credited is not None:
                s = self.spans[qi]
                self.direct[qi] = Statement(s.start, s.end, direct=True, cue=None, subject=credited, quote=qi,
                                            rule="dash_credit")
                continue
            found = self._frame_cue(qi)
            if found:
                self._set_direct(qi, *found, rule="cue_beside_quote")

    def _dash_credit(self, qi: int) -> Token | None:
        """'"The buses are always late." ― Maria Lopez, a commuter': a name after a dash that follows
        the quote on its line credits it (vox pops, epigraphs); the head of the name, or None."""
        s = self.spans[qi]
        m = _DASH_CREDIT.match(self.text, s.close_end)
        if m is None:
            return None
        span = self.doc.char_span(m.end(), m.end() + 1, alignment_mode="expand")
        if span is None or span[0].pos_ != "PROPN" or self.in_quote[span[0].i] >= 0:
            return None
        head = span[0]
        while head.i + 1 < len(self.doc) and self.doc[head.i + 1].pos_ == "PROPN" \
                and "\n" not in self.doc[head.i + 1].text:
            head = self.doc[head.i + 1]
        return head

    def _frame_cue(self, qi: int) -> tuple[Token, Token] | None:
        """A reporting verb in the words right after the quote, or right before it."""
        doc = self.doc
        lo, hi = self.qtok[qi]
        window = self.settings.cue_window_tokens
        # after: "…," said Smith / "…," Smith said / "…," according to Smith
        i = hi + 1
        while i < len(doc) and i <= hi + window and self.in_quote[i] < 0 and "\n" not in doc[i].text:
            t = doc[i]
            if t.text in _SENT_END:
                break
            found = self._cue_at(t, qi)
            if found:
                return found
            i += 1
        # before: Smith said: "…" / Smith told reporters, "…"
        i = lo - 1
        while i >= 0 and i >= lo - window and self.in_quote[i] < 0 and "\n" not in doc[i].text:
            t = doc[i]
            if t.text in _SENT_END:
                break
            found = self._cue_at(t, qi)
            if found and (doc[lo - 1].text in (":", ",") or self._adjacent_before(lo, *found)):
                return found
            i -= 1
        return None

    def _adjacent_before(self, qlo: int, verb: Token, subject: Token) -> bool:
        """'Smith told reporters "…"': only the speaker and the addressee between the verb and the quote."""
        allowed = {t.i for t in subject.subtree}
        for c in verb.children:
            if c.dep_ in ("dative", "dobj", "prt", "advmod", "npadvmod") or c.dep_ == "prep" and c.i > verb.i:
                allowed |= {t.i for t in c.subtree}
        return all(t.is_punct or t.i in allowed or t.lower_ == "that" for t in self.doc[verb.i + 1:qlo])

    def _cue_at(self, t: Token, qi: int) -> tuple[Token, Token] | None:
        if t.lower_ == "according" and any(c.lower_ == "to" for c in t.children):
            subject = subject_of(t)
            return (t, subject) if subject is not None else None
        if not is_reporting_verb(t, beliefs=False):
            return None
        clause = clause_of(t)
        if clause is not None:
            inside = self._quotes_in(clause.left_edge.i, clause.right_edge.i)
            narrative = [g for g in clause.subtree if self.in_quote[g.i] < 0 and not g.is_punct]
            # a verb that introduces other quotes on the far side ('said: "…"') is theirs, not this one's
            same_side = all((self.qtok[o][0] > t.i) == (self.qtok[qi][0] > t.i) for o in inside)
            if qi not in inside and not (inside and len(narrative) <= 1 and same_side):
                return None  # it reports something else
        subject = subject_of(t)
        return (t, subject) if subject is not None else None

    def _attribution_tokens(self, st: Statement) -> set[int]:
        """The words that carry an attribution: the verb phrase minus what it reports."""
        if st.cue is None:
            return set()
        verb = st.cue
        root = verb
        while root.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep") and root.head is not root:
            root = root.head
        toks = {t.i for t in root.subtree if self.in_quote[t.i] < 0}
        clause = clause_of(verb)
        if clause is not None:
            toks -= {t.i for t in clause.subtree if self.in_quote[t.i] < 0}
        return toks

    def _gap_is_attribution(self, a: int, b: int, owner: Statement) -> bool:
        """Nothing but punctuation and ``owner``'s attribution between tokens a and b (exclusive)."""
        allowed = self._attribution_tokens(owner)
        rest = [t for t in self.doc[a + 1:b] if not (t.is_punct or t.is_space or t.i in allowed)]
        if not rest:
            return True
        # a short phrase the parser hung elsewhere: '"…," without using notes, she said. "…"'
        has_cue = owner.cue is not None and a < owner.cue.i < b
        return has_cue and len(rest) <= 4 and not any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in rest)

    def _chain_continued_quotes(self) -> None:
        """A quote with no cue continues the quote next to it: "…," he said. "…" """
        changed = True
        while changed:
            changed = False
            for qi in range(len(self.spans)):
                if qi in self.direct or qi in self.absorbed or not self._statement_like(qi):
                    continue
                lo, hi = self.qtok[qi]
                prev = qi - 1
                if prev >= 0 and prev in self.direct and prev not in self.absorbed:
                    owner = self.direct[prev]
                    if self._gap_is_attribution(self.qtok[prev][1], lo, owner) and self._near(prev, qi):
                        self._inherit(qi, owner, rule="continued_quote")
                        changed = True
                        continue
                nxt = qi + 1
                if nxt < len(self.spans) and nxt in self.direct and nxt not in self.absorbed:
                    owner = self.direct[nxt]
                    if self._gap_is_attribution(hi, self.qtok[nxt][0], owner) and self._near(qi, nxt) \
                            and owner.cue is not None and owner.cue.i > self.qtok[nxt][1]:
                        self._inherit(qi, owner, rule="continued_quote")
                        changed = True

    def _follow_reporting_sentences(self) -> None:
        """News style: a quote that opens the sentence after one about its speaker continues that speaker.

        'She said the video helps. "I am there with my mum."' takes the speaker of the reported
        speech just before it; with ``uncued_after_subject``, 'Elton lashed out at the ball. "We
        are the ones that sneer?"' (first-person words) takes the named subject of that sentence.
        """
        doc = self.doc
        for qi in range(len(self.spans)):
            if qi in self.direct or qi in self.absorbed or not self._statement_like(qi):
                continue
            s = self.spans[qi]
            before = self.text[:s.open_at].rstrip()
            inner = self.text[s.start:s.end]
            glued = inner[:1].isupper() and inner.rstrip()[-1:] in ".!?,"  # a lost full stop before it
            if before and before[-1] not in ".!?:\n\"'’”" and not glued:
                continue  # not at a sentence start
            lo = self.qtok[qi][0]
            prev = self._previous_sentence(lo)
            if prev is None:
                continue
            plo, phi = prev
            owner = next((st for st in reversed(self.indirect) if st.cue is not None and plo <= st.cue.i <= phi),
                         None)
            if owner is None:
                owner = next((self.direct[q] for q in sorted(self.direct, reverse=True)
                              if self.direct[q].cue is not None and plo <= self.direct[q].cue.i <= phi), None)
            if owner is not None:
                self._inherit(qi, owner, rule="quote_after_report")
                continue
            if self.settings.uncued_after_subject and self._first_person(qi):
                subject = next((t for t in doc[plo:phi + 1] if t.dep_ == "nsubj" and t.head.dep_ == "ROOT"
                                and t.pos_ == "PROPN" and self.in_quote[t.i] < 0), None)
                if subject is not None and subject.ent_type_ in ("PERSON", ""):
                    self.direct[qi] = Statement(s.start, s.end, direct=True, cue=None, subject=subject, quote=qi,
                                                rule="quote_after_subject")

    def _previous_sentence(self, lo: int) -> tuple[int, int] | None:
        """Token range of the narrative sentence just before token ``lo`` (None if a quote ends it)."""
        doc = self.doc
        hi = lo - 1
        while hi >= 0 and (doc[hi].is_space or doc[hi].text in ("\n",)):
            hi -= 1
        if hi < 0 or self.in_quote[hi] >= 0:
            return None
        i = hi - 1
        while i >= 0 and doc[i].text not in _SENT_END and "\n" not in doc[i].text and self.in_quote[i] < 0:
            i -= 1
        if i >= 0 and self.in_quote[i] >= 0:
            q = self.spans[self.in_quote[i]]
            if self.text[q.start:q.end].rstrip()[-1:] not in ".!?":
                return None  # a quote inside the same sentence: it has its own attribution
        return i + 1, hi

    def _first_person(self, qi: int) -> bool:
        s = self.spans[qi]
        return any(w.lower() in ("i", "we", "my", "our", "me", "us", "i'm", "i’m", "we're", "we’re")
                   for w in self.text[s.start:s.end].replace(",", " ").split())

    def _near(self, a: int, b: int) -> bool:
        """Two quotes in the same or adjacent paragraphs."""
        between = self.text[self.spans[a].close_end:self.spans[b].open_at]
        return between.count("\n\n") + between.count("\n") <= 2

    def _inherit(self, qi: int, owner: Statement, rule: str) -> None:
        s = self.spans[qi]
        self.direct[qi] = Statement(s.start, s.end, direct=True, cue=owner.cue, subject=owner.subject,
                                    quote=qi, inherited_from=owner, rule=rule)

    # ----- step 4: speakers ------------------------------------------------------------------------
    def _resolve(self, statements: list[Statement]) -> None:
        # People named inside what someone reported are not who "he said" next refers to.
        self.resolver.demote_within([(st.start, st.end) for st in statements if not st.direct])
        cache: dict[int, Entity | None] = {}
        sure: dict[int, float] = {}
        # resolve in the order the subjects appear, so pronouns see the mentions before them
        for st in sorted(statements, key=lambda s: (s.subject.idx if s.subject is not None else s.start)):
            if st.inherited_from is not None:
                continue
            if st.subject is None:
                continue
            if st.subject.i not in cache:
                cache[st.subject.i] = self.resolver.resolve(st.subject)
                sure[st.subject.i] = self._subject_confidence(st.subject, cache[st.subject.i])
            st.entity = cache[st.subject.i]
            st.subject_confidence = sure[st.subject.i]
        for st in statements:
            if st.inherited_from is not None:
                root = st.inherited_from
                while root.inherited_from is not None:
                    root = root.inherited_from
                st.entity = root.entity if root.entity is not None else cache.get(root.subject.i)
                st.subject_confidence = root.subject_confidence

    def _subject_confidence(self, subject: Token, entity: Entity | None) -> float:
        """A name is sure; a pronoun is sure when its person was named just before, less so far back;
        a description ("the comedian") taken for a named person is a guess."""
        if entity is None:
            return 0.0
        if subject.pos_ == "PRON":
            last = self.resolver.last_mention(entity, subject.idx)
            return 0.95 if last is not None and subject.idx - last <= _NEAR_ANTECEDENT_CHARS else 0.7
        if subject.pos_ != "PROPN" and entity.named and subject.ent_type_ not in ("PERSON", "ORG"):
            return 0.8
        return 1.0
