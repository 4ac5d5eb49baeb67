"""The state of one article's attribution: its quotes, the statements found so far, and the
geometry every construction asks about (is this quote a sentence of its own, does this cue touch it,
where does the sentence end).

The constructions themselves are in ``speech.constructions``; this module holds no rule of its own.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from ..settings import SpeakerSettings
from .coref import Entity
from .cues import clause_of, is_according, is_reporting_verb, subject_of
from .lexicon import LEXICON, Lexicon
from .quotes import QuoteIndex, quote_index

_SENT_END = {".", "!", "?"}
# How far (characters) around a statement others are looked at for nesting (see ``Neighbours``).
_NEIGHBOURHOOD_CHARS = 2000


@dataclass(eq=False)  # compared by identity: two statements may share every field
class Statement:
    """One attribution: the words, their cue and the head of the speaker phrase; ``entity`` once resolved."""

    start: int  # character offsets of the statement text
    end: int
    direct: bool
    cue: Token | None  # the reporting verb (or "according")
    subject: Token | None  # head of the speaker phrase
    quote: int | None = None  # index of the direct quote span, for direct statements
    inherited_from: "Statement | None" = None  # a continued quote takes its speaker from here
    rule: str = ""  # the construction that found it ("reported_clause", "cue_beside_quote", ...)
    rule_confidence: float = 0.5  # how often that construction is right (its row in ``CONSTRUCTIONS``)
    cue_words: str | None = None  # the cue as written ("said", "according to", "refused to say")
    cue_kind: str = "said"  # what the cue makes of the words (``Quote.kind`` unless the speaker is a source)
    subject_confidence: float = 1.0  # how surely the subject phrase was resolved
    entity: Entity | None = field(default=None, repr=False)

    @property
    def confidence(self) -> float:
        """How surely these words are this speaker's: the construction's, times the subject's."""
        return round(self.rule_confidence * self.subject_confidence, 2)


def _short_phrase(tokens: list[Token]) -> bool:
    """A few words with no clause of their own: '"…," without using notes, she said' (the parser may hang
    them anywhere; they still belong to the attribution)."""
    return len(tokens) <= 4 and not any(t.tag_ in ("VBD", "VBZ", "VBP", "MD") for t in tokens)


class Neighbours:
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
    """One article's quotes and statements while the constructions run (``constructions.find_statements``)."""

    def __init__(self, doc: Doc, settings: SpeakerSettings, lexicon: Lexicon = LEXICON,
                 quotes: QuoteIndex | None = None):
        self.doc = doc
        self.settings = settings
        self.lexicon = lexicon
        self.text = doc.text
        index = quotes if quotes is not None else quote_index(doc)
        self.spans = index.spans
        self.qtok = index.tokens  # token range of each quote, marks included
        self.in_quote = index.in_quote  # token -> its quote, or -1
        self.absorbed: set[int] = set()  # quotes that are part of an indirect statement
        self.direct: dict[int, Statement] = {}  # quote -> its statement
        self.indirect: list[Statement] = []  # reported speech, once the cue constructions have run

    def quotes_in(self, lo: int, hi: int) -> list[int]:
        return sorted({self.in_quote[i] for i in range(lo, hi + 1) if self.in_quote[i] >= 0})

    def is_full_quote(self, qi: int) -> bool:
        """A quote that is a sentence of its own (introduced by ':' or a sentence end, or starting a sentence)."""
        s = self.spans[qi]
        before = self.text[:s.open_at].rstrip()
        first = self.text[s.start:s.start + 1]
        after_closed_quote = before[-1:] in ("\"", "”", "'", "’") and before[-2:-1] in (".", "!", "?", ",")
        if not before or before[-1] in ":.!?\n" or after_closed_quote:
            return True
        return before[-1] == "," and first.isupper() and self.text[s.end - 1:s.end] in ".!?,"

    def is_trailing_cue(self, clause: Token) -> bool:
        """"Lawrence decided to ... two foundations, KSL reports.": the parser made the closing cue the
        complement of the sentence's verb; it attributes the sentence, it is not what was decided."""
        if not is_reporting_verb(clause, lexicon=self.lexicon) or clause_of(clause, self.lexicon) is not None:
            return False
        subject = subject_of(clause, self.lexicon)
        if subject is None or subject.i > clause.i:
            return False
        first = subject.left_edge.i
        after = self.doc[clause.i + 1:clause.right_edge.i + 1]
        return first > 0 and self.doc[first - 1].text == "," and all(t.is_punct or t.is_space for t in after) \
            and self.ends_sentence_at(clause.right_edge.i)

    def ends_sentence_at(self, i: int) -> bool:
        nxt = i + 1
        while nxt < len(self.doc) and self.doc[nxt].is_space:
            nxt += 1
        return nxt >= len(self.doc) or self.doc[nxt].text in _SENT_END or "\n" in self.doc[nxt].text

    def quote_right_before(self, qi: int, verb: Token, subject: Token | None) -> bool:
        """A sentence-like quote followed by nothing but its cue: '"…," she said' / '"…," said Smith'."""
        qlo, qhi = self.qtok[qi]
        if qhi >= verb.i or not self.statement_like(qi):
            return False
        s = self.spans[qi]
        if not (self.text[s.start:s.start + 1].isupper() or self.text[s.end - 1:s.end] in ",?!"):
            return False
        allowed = {t.i for t in subject.subtree} if subject is not None else set()
        for c in verb.children:  # '"…," without using notes, she said' / '"…," he said later'
            if c.dep_ in ("prep", "advcl", "advmod", "npadvmod") and qhi < c.i < verb.i:
                allowed |= {t.i for t in c.subtree}
        rest = [t for t in self.doc[qhi + 1:verb.i] if not (t.is_punct or t.i in allowed or t.dep_ in ("aux", "neg"))]
        return _short_phrase(rest)

    def within_sentence(self, anchor: Token, lo: int, hi: int) -> tuple[int, int]:
        """Clip a token range to the sentence of ``anchor``: the parser sometimes runs sentences together
        (over line breaks, or captions glued to the text), and a statement never spans two sentences."""
        for i in range(anchor.i - 1, lo - 1, -1):
            if "\n" in self.doc[i].text or self.ends_sentence(i):
                lo = i + 1
                break
        for i in range(anchor.i + 1, hi + 1):
            if "\n" in self.doc[i].text:
                hi = i - 1
                break
            if self.ends_sentence(i):
                hi = i
                break
        return lo, hi

    def ends_sentence(self, i: int) -> bool:
        """A full stop (or ! ?) outside quotes followed by a capitalised word."""
        doc = self.doc
        if doc[i].text not in _SENT_END or self.in_quote[i] >= 0 or i + 1 >= len(doc):
            return False
        nxt = doc[i + 1]
        return nxt.text[:1].isupper() or nxt.is_quote and self.opens_quote(nxt.i)

    def with_trailing_partial_quote(self, verb: Token, hi: int) -> int:
        """'told the Times that he has not seen it, "and I don't care to."': the quote continues the clause."""
        doc = self.doc
        i = hi + 1
        while i < len(doc) and doc[i].text in (",", "—", "–", "-", "--"):
            i += 1
        qi = self.in_quote[i] if i < len(doc) and i > hi + 1 else -1
        if qi >= 0 and self.qtok[qi][0] == i and not self.is_full_quote(qi) \
                and self.text[self.spans[qi].start:self.spans[qi].start + 1].islower():
            return self.qtok[qi][1]
        return hi

    def clause_statement(self, lo: int, hi: int, verb: Token, subject: Token | None,
                          rule: str) -> Statement | None:
        doc = self.doc
        while lo <= hi and (doc[lo].is_punct and not self.opens_quote(lo) or doc[lo].is_space
                            or (doc[lo].lower_ == "that" and (doc[lo].dep_ == "mark" or doc[lo].tag_ == "IN"))):
            lo += 1
        while hi >= lo and (doc[hi].is_punct and not self.closes_quote(hi, lo) or doc[hi].is_space
                            or doc[hi].dep_ == "cc"):
            hi -= 1
        # a quote that opens inside the statement closes inside it too ('only “part of the problem.”')
        for qi in self.quotes_in(lo, hi):
            if self.qtok[qi][0] >= lo and self.qtok[qi][1] > hi and self.spans[qi].closed \
                    and self.qtok[qi][1] - hi <= 3:
                hi = self.qtok[qi][1]
        words = [t for t in doc[lo:hi + 1] if not t.is_punct]
        if len(words) < self.settings.min_indirect_words:
            return None
        question = "?" in doc[hi].text + doc[min(hi + 1, len(doc) - 1)].text
        if words[0].lower_ in ("who", "which", "whom", "whose") and not question:
            return None  # a relative clause the cue hangs on, not what was said (a question would end in "?")
        if any(t.text == ":" and self.in_quote[t.i] < 0 and t.i + 1 <= hi and self.opens_quote(t.i + 1)
               for t in doc[lo:hi + 1]):
            return None  # 'X said: "…"' inside: a parse run over a missing full stop
        for qi in self.quotes_in(lo, hi):
            self.absorbed.add(qi)
        start, end = doc[lo].idx, doc[hi].idx + len(doc[hi])
        return Statement(start, end, direct=False, cue=verb, subject=subject, rule=rule)

    def opens_quote(self, i: int) -> bool:
        qi = self.in_quote[i]
        return qi >= 0 and self.qtok[qi][0] == i

    def closes_quote(self, i: int, lo: int) -> bool:
        qi = self.in_quote[i]
        return qi >= 0 and self.qtok[qi][1] == i and self.qtok[qi][0] >= lo

    def host_clause(self, tok: Token, head: Token) -> tuple[int, int]:
        """Token range of the clause ``head`` governs, minus the inserted phrase ``tok`` heads."""
        lo, hi = self.within_sentence(tok, head.left_edge.i, head.right_edge.i)
        if tok.i > head.i:
            hi = tok.left_edge.i - 1
        else:
            lo = tok.right_edge.i + 1
        return lo, hi

    def set_direct(self, qi: int, verb: Token, subject: Token | None, rule: str) -> None:
        """Make ``verb`` the cue of quote ``qi``, unless a cue right next to the quote already is."""
        if subject is None:
            return
        old = self.direct.get(qi)
        if old is not None and (old.cue is verb or self.adjacent(qi, old.cue, old.subject)
                                or not self.adjacent(qi, verb, subject)):
            return
        s = self.spans[qi]
        self.direct[qi] = Statement(s.start, s.end, direct=True, cue=verb, subject=subject, quote=qi,
                                    rule=rule)

    def adjacent(self, qi: int, verb: Token | None, subject: Token | None) -> bool:
        """The cue touches the quote: '"…," she said' or 'she said: "…"'."""
        if verb is None:
            return False
        qlo, qhi = self.qtok[qi]
        if verb.i > qhi:
            return self.quote_right_before(qi, verb, subject)
        return qlo > verb.i and self.doc[qlo - 1].text in (":", ",") and self.only_cue_words(verb, subject, qlo)

    def only_cue_words(self, verb: Token, subject: Token | None, qlo: int) -> bool:
        """Between a cue and the quote after it, nothing but the cue's own words: 'Smith told reporters
        on Monday: "…"' (its subject, addressee, object, particle, adverbs and prepositional phrases)."""
        allowed = {t.i for t in subject.subtree} if subject is not None else set()
        for c in verb.children:
            if c.dep_ in ("dative", "dobj", "prt", "aux", "advmod", "npadvmod") or c.dep_ == "prep" and c.i > verb.i:
                allowed |= {t.i for t in c.subtree}
        return all(t.is_punct or t.i in allowed or t.lower_ == "that" for t in self.doc[verb.i + 1:qlo])

    def statement_like(self, qi: int) -> bool:
        s = self.spans[qi]
        inner = self.text[s.start:s.end]
        return len(inner.split()) >= self.settings.min_quote_words or inner.rstrip()[-1:] in ",.!?…"

    def drop_nested(self, statements: list[Statement]) -> list[Statement]:
        """Reported speech inside reported speech counts once, as the outer statement."""
        out, seen = [], set()
        near = Neighbours(statements)
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

    def frame_cue(self, qi: int) -> tuple[Token, Token] | None:
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
            found = self.cue_at(t, qi)
            if found:
                return found
            i += 1
        # before: Smith said: "…" / Smith told reporters, "…"
        i = lo - 1
        while i >= 0 and i >= lo - window and self.in_quote[i] < 0 and "\n" not in doc[i].text:
            t = doc[i]
            if t.text in _SENT_END:
                break
            found = self.cue_at(t, qi)
            if found and (doc[lo - 1].text in (":", ",") or self.only_cue_words(*found, lo)):
                return found
            i -= 1
        return None

    def cue_at(self, t: Token, qi: int) -> tuple[Token, Token] | None:
        if is_according(t):
            subject = subject_of(t, self.lexicon)
            return (t, subject) if subject is not None else None
        if not is_reporting_verb(t, beliefs=False, lexicon=self.lexicon):
            return None
        clause = clause_of(t, self.lexicon)
        if clause is not None:
            inside = self.quotes_in(clause.left_edge.i, clause.right_edge.i)
            narrative = [g for g in clause.subtree if self.in_quote[g.i] < 0 and not g.is_punct]
            # a verb that introduces other quotes on the far side ('said: "…"') is theirs, not this one's
            same_side = all((self.qtok[o][0] > t.i) == (self.qtok[qi][0] > t.i) for o in inside)
            if qi not in inside and not (inside and len(narrative) <= 1 and same_side):
                return None  # it reports something else
        subject = subject_of(t, self.lexicon)
        return (t, subject) if subject is not None else None

    def attribution_tokens(self, st: Statement) -> set[int]:
        """The words that carry an attribution: the verb phrase minus what it reports."""
        if st.cue is None:
            return set()
        verb = st.cue
        root = verb
        while root.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep") and root.head is not root:
            root = root.head
        toks = {t.i for t in root.subtree if self.in_quote[t.i] < 0}
        clause = clause_of(verb, self.lexicon)
        if clause is not None:
            toks -= {t.i for t in clause.subtree if self.in_quote[t.i] < 0}
        return toks

    def gap_is_attribution(self, a: int, b: int, owner: Statement) -> bool:
        """Nothing but punctuation and ``owner``'s attribution between tokens a and b (exclusive)."""
        allowed = self.attribution_tokens(owner)
        rest = [t for t in self.doc[a + 1:b] if not (t.is_punct or t.is_space or t.i in allowed)]
        # or a short phrase the parser hung elsewhere: '"…," without using notes, she said. "…"'
        return not rest or owner.cue is not None and a < owner.cue.i < b and _short_phrase(rest)

    def previous_sentence(self, lo: int) -> tuple[int, int] | None:
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

    def first_person(self, qi: int) -> bool:
        s = self.spans[qi]
        return any(w.lower() in ("i", "we", "my", "our", "me", "us", "i'm", "i’m", "we're", "we’re")
                   for w in self.text[s.start:s.end].replace(",", " ").split())

    def near(self, a: int, b: int) -> bool:
        """Two quotes in the same or adjacent paragraphs."""
        between = self.text[self.spans[a].close_end:self.spans[b].open_at]
        return between.count("\n\n") + between.count("\n") <= 2

    def inherit(self, qi: int, owner: Statement, rule: str) -> None:
        s = self.spans[qi]
        self.direct[qi] = Statement(s.start, s.end, direct=True, cue=owner.cue, subject=owner.subject,
                                    quote=qi, inherited_from=owner, rule=rule)

