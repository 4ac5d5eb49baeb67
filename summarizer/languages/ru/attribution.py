"""Who said what in Russian: statements found on the natasha parse with the tables of ``lexicon``.

``attribute_russian(doc, settings)`` returns ``Speaker``s like the English stage does. Rules, each
named in ``Quote.rule``:

direct quotes (``quotes.quote_pieces``), each needing a cue or a speaker nearby:
  ``aside``        «…, — сказал Песков, — …»: the author's words inside the marks
  ``after``        «…», — сказал он. / «…», сообщает Интерфакс: a reporting verb right after the quote
  ``before``       Песков заявил: «…» / Он сказал, что «…»: a reporting verb before a colon or «что»
  ``headline``     Лавров: «…»: a name right before the colon, no verb
  ``continued``    a quote opening the paragraph after the same speaker's quote
reported speech:
  ``that``         X заявил(, о том), что CLAUSE; clauses joined by «и что» are separate statements
  ``infinitive``   X пообещал/призвал/потребовал СДЕЛАТЬ …
  ``about``        X сообщил об ОБНАРУЖЕНИИ …
  ``closing``      CLAUSE, сообщает X. / CLAUSE, — заявил X.
  ``according``    По словам X, CLAUSE / По мнению X, … / по его словам
  ``as``           Как сообщает X, CLAUSE / CLAUSE, как заявил X.
  ``about_this``   Об этом заявил X: the previous sentence of the paragraph

Speakers are persons and organisations from NER, named in the nominative with the fullest name the
article gives (mentions of one person share a surname); roles come from appositions and titles
before the name ("пресс-секретарь президента Дмитрий Песков"); он/она/они resolve to the latest
person or organisation that agrees in gender and number; a role mention ("глава МИД",
"сенатор") resolves to the person introduced with that role; other sources are unnamed
("наблюдатели", "представитель Microsoft").
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field

from ...settings import SpeakerSettings
from ...types import Quote, Speaker
from . import lexicon as lx
from .models import get_russian_models
from .parse import RuDoc, RuEntity, RuToken
from .quotes import QuotePiece, quote_pieces

_PUNCT_STRIP = " ,.;:—–-\u00a0"
SUBJECT_RELS = ("nsubj", "nsubj:pass")


@dataclass
class Source:
    """One speaker: a person or organisation (named) or an unnamed source."""

    key: str
    name: str
    named: bool
    kind: str  # "person" | "org" | "unnamed"
    gender: str | None = None
    number: str = "Sing"
    role: str | None = None
    role_heads: set[str] = field(default_factory=set)
    mentions: list[int] = field(default_factory=list)  # token indices
    subject_mentions: list[int] = field(default_factory=list)  # those that are a clause's subject


@dataclass
class Statement:
    start: int
    end: int
    direct: bool
    cue: str | None
    source: Source
    rule: str
    confidence: float
    kind: str = "said"  # the lexicon's kind of the cue (types.Quote.kind): said | belief | intention | denied


class RussianAttributor:
    def __init__(self, doc: RuDoc, settings: SpeakerSettings):
        self.doc = doc
        self.text = doc.text
        self.settings = settings
        self.tokens = doc.tokens
        self.children: list[list[int]] = [[] for _ in self.tokens]
        for t in self.tokens:
            if t.head >= 0:
                self.children[t.head].append(t.i)
        self.vocab = get_russian_models().vocab
        self._starts = [t.start for t in self.tokens]
        self._ends = [t.end for t in self.tokens]
        self.pieces = quote_pieces(self.text)
        self.in_quote = [False] * len(self.tokens)
        for p in self.pieces:
            for i in self._token_range(p.start, p.end):
                self.in_quote[i] = True
        self.sources: dict[str, Source] = {}
        self.token_source: dict[int, Source] = {}
        self._collect_sources()

    # ----------------------------------------------------------------- sources
    def _collect_sources(self) -> None:
        for ent in self.doc.ents:
            org = self._abbreviated(ent.normal) if ent.type == "PER" and " " not in ent.normal else None
            if org is not None:  # "Нацфронт" tagged as a person: the organisation named in full before
                src = org
            elif ent.type == "PER":
                key = "per:" + self._surname(ent)
                src = self.sources.get(key) or self._declined(self._surname(ent))
                if src is None:
                    src = self.sources[key] = Source(key, ent.normal, True, "person")
                if len(ent.normal.split()) > len(src.name.split()):
                    src.name = ent.normal
                gender = self._gender(ent)
                if gender and (src.gender is None or self._verb_gender(ent)):
                    src.gender = gender
                if src.role is None:
                    src.role = self._role_of(ent)
                    if src.role:
                        src.role_heads |= self._role_head_lemmas(ent)
            elif ent.type in ("ORG", "LOC"):
                name = self._org_name(ent)
                key = "org:" + name.lower()
                src = self.sources.get(key) or self._abbreviated(name)
                if src is None:
                    head = self.tokens[ent.first]
                    src = self.sources[key] = Source(key, name, True, "org", head.feats.get("Gender"),
                                                     head.feats.get("Number", "Sing"))
            else:
                continue
            for i in range(ent.first, ent.last):
                self.token_source[i] = src
            src.mentions.append(ent.first)
            if self._main_subject(ent) and not self.in_quote[ent.first]:  # not someone a quote talks about
                src.subject_mentions.append(ent.first)

    def _main_subject(self, ent: RuEntity) -> bool:
        """The name (or the title it is in apposition to) is the subject of a main clause."""
        for i in range(ent.first, ent.last):
            tok = self.tokens[i]
            if tok.rel == "appos" and tok.head >= 0 and tok.head < ent.first:
                tok = self.tokens[tok.head]  # "Певец Адриано Челентано написал"
            if tok.rel in SUBJECT_RELS and tok.head >= 0:
                return self.tokens[tok.head].rel in ("root", "conj", "parataxis")
        return False

    def _org_name(self, ent: RuEntity) -> str:
        """"Министерство внутренних дел Пакистана": an organisation with the place after it in the genitive."""
        name = ent.normal
        if ent.type == "ORG" and ent.last < len(self.tokens):
            nxt = self.doc.entity_at(ent.last)
            if nxt is not None and nxt.first == ent.last and nxt.type in ("LOC", "ORG") \
                    and self.tokens[nxt.first].feats.get("Case") == "Gen":
                name = f"{name} {nxt.text}"
        return name

    def _abbreviated(self, name: str) -> Source | None:
        """"ФАС" is the "Федеральная антимонопольная служба" named before (and the other way round)."""
        def initials(n: str) -> str:
            return "".join(w[0] for w in n.split() if w[:1].isalpha()).upper()

        def compound(short: str, full: str) -> bool:  # "Нацфронт", "Минобороны": Национальный фронт, …
            words = full.lower().split()
            short = short.lower()
            return len(words) >= 2 and " " not in short and short.startswith(words[0][:3]) \
                and short.endswith(words[-1]) and len(short) > len(words[-1]) + 1

        for src in self.sources.values():
            if src.kind != "org":
                continue
            if name.isupper() and len(name) >= 2 and initials(src.name) == name:
                return src
            if compound(name, src.name):
                return src
            if src.name.isupper() and len(src.name) >= 2 and initials(name) == src.name:
                src.name = name
                return src
        return None

    def _declined(self, surname: str) -> Source | None:
        """A foreign surname the normaliser left declined ("Данна") is the person named before ("Питер Данн")."""
        for src in self.sources.values():
            known = src.key[4:] if src.key.startswith("per:") else ""
            if len(known) >= 3 and surname != known and surname.startswith(known) and len(surname) - len(known) <= 2:
                return src
        return None

    def _surname(self, ent: RuEntity) -> str:
        return ent.normal.split()[-1].lower().replace("ё", "е") if ent.normal.split() else ent.text.lower()

    def _gender(self, ent: RuEntity) -> str | None:
        """From the past-tense verb the name is the subject of ("Су Чжи заявила"), else from the name's words."""
        for i in range(ent.first, ent.last):
            tok = self.tokens[i]
            if tok.rel in SUBJECT_RELS and tok.head >= 0:
                g = self.tokens[tok.head].feats.get("Gender")
                if g in ("Masc", "Fem") and self.tokens[tok.head].feats.get("Tense") == "Past":
                    return g
        for word in ent.normal.split()[:1] + ent.normal.split()[-1:]:
            for form in self.vocab(word.lower()):
                tags = form.tags
                if "Name" in tags or "Surn" in tags or "Patr" in tags:
                    if "masc" in tags:
                        return "Masc"
                    if "femn" in tags:
                        return "Fem"
        for i in range(ent.first, ent.last):
            g = self.tokens[i].feats.get("Gender")
            if g in ("Masc", "Fem"):
                return g
        return None

    def _verb_gender(self, ent: RuEntity) -> bool:
        return any(self.tokens[i].rel in SUBJECT_RELS and self.tokens[i].head >= 0
                   and self.tokens[self.tokens[i].head].feats.get("Tense") == "Past" for i in range(ent.first, ent.last))

    def _role_of(self, ent: RuEntity) -> str | None:
        """A title before the name (its apposition head) or an apposition after it."""
        first = self.tokens[ent.first]
        # "пресс-секретарь президента Дмитрий Песков": the name is an apposition of the title noun (the
        # parser may hang it on the title's genitive, "президента" or "Приморья": climb to the title)
        h = first.head if first.rel == "appos" and 0 <= first.head < ent.first else -1
        while h >= 0 and not self._is_role_noun(self.tokens[h]) and self.tokens[h].rel == "nmod" \
                and 0 <= self.tokens[h].head < h:
            h = self.tokens[h].head
        while h >= 0 and self.tokens[h].rel == "nmod" and 0 <= self.tokens[h].head < h \
                and self._is_role_noun(self.tokens[self.tokens[h].head]):
            h = self.tokens[h].head
        if h >= 0 and self._is_role_noun(self.tokens[h]):
            head = self.tokens[h]
            lo = self._leftmost(head.i)
            if ent.first - lo <= 10:
                role = self._nominative_phrase(lo, ent.first, head.i)
                if lo == self.doc.sents[head.sent].first and role[1:2].islower():
                    role = role[:1].lower() + role[1:]  # "Лидер оппозиции Нино Бурджанадзе заявила"
                return role
        # "Дмитрий Песков, пресс-секретарь президента,"
        for i in range(ent.first, ent.last):
            for c in self.children[i]:
                tok = self.tokens[c]
                if c >= ent.last and tok.rel == "appos" and self._is_role_noun(tok):
                    hi = self._rightmost(c)
                    if hi - c <= 10:
                        return self._nominative_phrase(self._leftmost(c), hi + 1, c)
        return None

    def _role_head_lemmas(self, ent: RuEntity) -> set[str]:
        heads = {w.lower() for w in self._role_of(ent).split()[:1]} if self._role_of(ent) else set()
        heads = {self.vocab.lemma(w, "NOUN", {"Case": "Nom"}) for w in heads} | heads
        for i in range(ent.first, ent.last):
            heads |= {self.tokens[c].lemma for c in self.children[i] if self.tokens[c].rel == "appos"}
        return heads

    def _is_role_noun(self, tok: RuToken) -> bool:
        # (a capitalised title opening a sentence may be tagged PROPN: "Пресс-секретаря президента …")
        return tok.pos in ("NOUN", "PROPN") and (tok.feats.get("Animacy") == "Anim" or tok.lemma in lx.ROLE_HEADS) \
            and self._outside_names(tok.i)

    def _outside_names(self, i: int) -> bool:
        """Not part of a name; an "organisation" the tagger began with a title ("Замглавы ФМС") is no name."""
        ent = self.doc.entity_at(i)
        return ent is None or (ent.type == "ORG" and ent.first == i)

    def _nominative_phrase(self, lo: int, hi: int, head: int) -> str:
        """Tokens lo..hi-1 as text, with the head noun and its adjectives before it in the nominative."""
        words = []
        for i in range(lo, hi):
            tok = self.tokens[i]
            word = tok.text
            if (i == head or (tok.head == head and tok.pos == "ADJ" and i < head)) \
                    and tok.feats.get("Case") not in (None, "Nom"):
                word = self._inflect_nominative(tok) or word
            words.append((word, tok))
        out = ""
        for n, (word, tok) in enumerate(words):
            if n and self.tokens[tok.i - 1].end < tok.start:
                out += " "
            out += word
        return out.strip(_PUNCT_STRIP)

    def _inflect_nominative(self, tok: RuToken) -> str | None:
        for form in self.vocab(tok.text.lower()):
            if form.feats.get("Case") == tok.feats.get("Case") and form.pos in (tok.pos, "NOUN", "ADJ"):
                nom = form.inflect({"Nom"})
                if nom:
                    word = nom.word
                    return word[:1].upper() + word[1:] if tok.text[:1].isupper() else word
        return None

    def _leftmost(self, i: int) -> int:
        lo = i
        for c in self.children[i]:
            if c < i and self.tokens[c].pos != "PUNCT":
                lo = min(lo, self._leftmost(c))
        return lo

    def _rightmost(self, i: int) -> int:
        hi = i
        for c in self.children[i]:
            if c > i and self.tokens[c].pos != "PUNCT":
                hi = max(hi, self._rightmost(c))
        return hi

    def _subtree_span(self, i: int) -> tuple[int, int]:
        lo = hi = i
        stack = [i]
        while stack:
            j = stack.pop()
            lo, hi = min(lo, j), max(hi, j)
            stack.extend(self.children[j])
        return lo, hi

    # ----------------------------------------------------------------- speakers of verbs
    def speaker_of_verb(self, v: int) -> Source | None:
        tok = self.tokens[v]
        if tok.feats.get("Person") == "1" or tok.feats.get("Mood") == "Imp":
            return None  # "Напомним, что …": the author
        subj = self._subject(v)
        if subj is not None:
            return self.resolve(subj, tok.feats.get("Gender"))
        if tok.text.endswith(("ся", "сь")) and tok.feats.get("Tense") == "Pres":
            return None  # impersonal: "сообщается", "говорится"
        if tok.feats.get("Number") == "Plur":
            place = self._in_place(v)
            if place is not None:
                return place
        return self._latest(v, tok.feats.get("Gender"), tok.feats.get("Number", "Sing"))

    def _in_place(self, v: int) -> Source | None:
        """"В Кремле заявили", "В Минсвязи уверены": an organisation speaking through an indefinite plural."""
        sent = self.doc.sents[self.tokens[v].sent]
        for j in range(max(sent.first, v - 6), v):
            if self.tokens[j].lemma in ("в", "во") and self.tokens[j].rel == "case":
                noun = self.tokens[j].head
                if not (j < noun < v):
                    continue
                src = self.token_source.get(noun)
                if src is not None and src.kind != "person":
                    return src
                if self.tokens[noun].lemma in lx.UNNAMED_SOURCE_HEADS:
                    return self._unnamed(noun)
        return None

    def _subject(self, v: int) -> int | None:
        seen = 0
        while v >= 0 and seen < 3:
            for c in self.children[v]:
                if self.tokens[c].rel in SUBJECT_RELS:
                    return c
            if self.tokens[v].rel in ("conj", "advcl") and self.tokens[v].head >= 0:
                v = self.tokens[v].head  # "X приехал и заявил": the subject of the first verb
                seen += 1
                continue
            return None
        return None

    def resolve(self, i: int, verb_gender: str | None = None) -> Source | None:
        """The source a subject token refers to (``verb_gender``: the past-tense verb's gender)."""
        tok = self.tokens[i]
        # "глава МИД Сергей Лавров": a person named in apposition inside the subject phrase (checked
        # first: the tagger sometimes takes "Замглавы Федеральной службы" for an organisation)
        hi = self._rightmost(i)
        for j in range(i + 1, min(hi, i + 12) + 1):
            if j in self.token_source and self.token_source[j].kind == "person" and self.tokens[j].rel == "appos":
                return self.token_source[j]
        src = self.token_source.get(i)
        if src is not None:
            return src
        if tok.pos == "PROPN":  # a declined foreign surname the tagger missed: "по словам Данна"
            for known in self.sources.values():
                surname = _fold(known.name.split()[-1]) if known.kind == "person" else ""
                if len(surname) >= 3 and _fold(tok.text).startswith(surname) and len(tok.text) - len(surname) <= 2:
                    return known
        for c in self.children[i]:  # "агентство Рейтер"
            if self.tokens[c].rel == "appos" and self.token_source.get(c) is not None:
                return self.token_source[c]
        if tok.pos == "PRON" and tok.lemma in lx.PRONOUNS:
            gender, number = lx.PRONOUNS[tok.lemma]
            return self._latest(i, gender, number)
        if tok.pos in ("NOUN", "PROPN"):
            role_match = self._by_role(i)
            if role_match is not None:
                return role_match
            if tok.lemma in lx.COLLECTIVE_HEADS:  # "руководство движения «Талибан»": the organisation
                for j in range(i + 1, min(self._rightmost(i), i + 8) + 1):
                    src = self.token_source.get(j)
                    if src is not None and src.kind == "org":
                        return src
            animate = tok.feats.get("Animacy") == "Anim" or tok.lemma in lx.ROLE_HEADS
            if animate and tok.feats.get("Number", "Sing") == "Sing" and tok.lemma not in lx.INDEFINITE_HEADS \
                    and not self._has_owner(i):
                # "Чиновник заявил", "глава государства подчеркнул": the person the article is about
                earlier = self._latest(i, verb_gender, "Sing", unnamed=True)
                if earlier is not None:
                    return earlier
            if animate or tok.lemma in lx.UNNAMED_SOURCE_HEADS:
                return self._unnamed(i)
        return None

    def _by_role(self, i: int) -> Source | None:
        """The person introduced with this role: by its head ("сенатор"), or, for "глава X", by X
        ("глава Минсвязи" is the "министр связи" named before)."""
        tok = self.tokens[i]
        owners = [_fold(self.tokens[c].text) for c in self.children[i] if self.tokens[c].rel == "nmod" and c > i]
        best = None
        for src in self.sources.values():
            if src.kind != "person" or not src.mentions or src.mentions[0] >= i or not src.role:
                continue
            same_head = tok.lemma in src.role_heads
            same_owner = any(len(w) >= 4 and w[:4] in owner for w in map(_fold, src.role.split()[1:]) for owner in owners)
            if (same_head and not owners) or same_owner or (same_head and self._owner_in_role(owners, src.role)):
                if best is None or src.mentions[0] > best.mentions[0]:
                    best = src
        return best

    def _owner_in_role(self, owners: list[str], role: str) -> bool:
        words = [_fold(w) for w in role.split()]
        return any(owner[:4] == w[:4] for owner in owners for w in words)

    def _unnamed(self, i: int) -> Source:
        lo, hi = self._leftmost(i), i
        for c in self.children[i]:  # keep the genitive owner: "представитель Microsoft"
            if c > i and self.tokens[c].rel == "nmod" and not any(
                    self.tokens[g].rel == "case" for g in self.children[c]):
                hi = max(hi, min(self._rightmost(c), c + 3))
        lo = max(lo, i - 3)
        name = self._nominative_phrase(lo, hi + 1, i)
        name = name[:1].lower() + name[1:] if name[:1].isupper() and lo == self.doc.sents[self.tokens[i].sent].first \
            and not name[1:2].isupper() else name
        key = "src:" + name.lower()
        src = self.sources.get(key)
        if src is None:
            tok = self.tokens[i]
            src = self.sources[key] = Source(key, name, False, "unnamed", tok.feats.get("Gender"),
                                             tok.feats.get("Number", "Sing"))
        src.mentions.append(i)
        return src

    def _has_owner(self, i: int) -> bool:
        """"представитель Microsoft", "глава ведомства": a role of someone named right there, not a reference back."""
        return any(self.tokens[c].rel == "nmod" and c in self.token_source for c in self.children[i])

    def _latest(self, before: int, gender: str | None, number: str | None, unnamed: bool = False) -> Source | None:
        """The latest person (or, for plural, organisation or group) mentioned before token ``before``.

        A recent subject wins over a later mention in another role: in "Челентано заявил, что Берлускони
        не способен управлять страной. «…», — сказал он." "он" is Челентано. Recent: in this sentence or
        the two before it.
        """
        candidates = [src for src in self.sources.values() if self._agrees(src, gender, number, unnamed)]
        recent = self.doc.sents[max(0, self.tokens[before].sent - 2)].first if before < len(self.tokens) else 0
        best, best_at = None, -1
        # an organisation is "она"/"оно" only as the recent subject of the same grammatical gender
        # ("Еврокомиссия закончила расследование … она заявила")
        subjects = candidates + [src for src in self.sources.values() if src.kind == "org" and number != "Plur"
                                 and gender in ("Fem", "Neut") and src.gender == gender]
        for src in subjects:
            at = max((m for m in src.subject_mentions if recent <= m < before), default=-1)
            if at > best_at:
                best, best_at = src, at
        if best is not None:
            return best
        for src in candidates:
            at = max((m for m in src.mentions if m < before), default=-1)
            if at > best_at:
                best, best_at = src, at
        return best

    def _agrees(self, src: Source, gender: str | None, number: str | None, unnamed: bool) -> bool:
        if number == "Plur":
            return src.kind != "person"
        if src.kind == "org" or (src.kind == "unnamed" and (src.number == "Plur" or not unnamed)):
            return False
        return not (gender in ("Masc", "Fem") and src.gender not in (None, gender))

    # ----------------------------------------------------------------- helpers
    # Offsets to tokens by binary search: a long article with many quotes stays linear-logarithmic.
    def _token_range(self, start: int, end: int) -> list[int]:
        lo = bisect_left(self._starts, start)
        hi = bisect_right(self._ends, end)
        return [i for i in range(lo, hi) if self.tokens[i].end <= end]

    def _token_at(self, offset: int) -> int | None:
        i = bisect_left(self._starts, offset)
        return i if i < len(self.tokens) else None

    def _is_reporting(self, i: int) -> str | None:
        tok = self.tokens[i]
        if tok.pos in ("VERB", "AUX") and tok.lemma in lx.REPORTING_VERBS:
            return lx.REPORTING_VERBS[tok.lemma]
        if tok.pos == "ADJ" and (tok.lemma in lx.BELIEF_ADJECTIVES or lx.REPORTING_VERBS.get(tok.lemma) == "belief"):
            return "belief"  # "уверен": an adjective, or a short participle lemmatised to its verb
        return None

    def _cue(self, v: int) -> str:
        return self.tokens[v].text

    def _clause(self, lo: int, hi: int) -> tuple[int, int] | None:
        """Character span of tokens lo..hi, trimmed of punctuation and joining words at its edges."""
        while lo <= hi and (self.tokens[lo].pos == "PUNCT" and self.tokens[lo].text not in "«„\""):
            lo += 1
        while hi >= lo and (self.tokens[hi].pos in ("PUNCT", "CCONJ") and self.tokens[hi].text not in "»“\""):
            hi -= 1
        if hi < lo:
            return None
        start, end = self.tokens[lo].start, self.tokens[hi].end
        if len(self.text[start:end].split()) < self.settings.min_indirect_words:
            return None
        return start, end

    # ----------------------------------------------------------------- the rules
    def run(self) -> list[Statement]:
        out: list[Statement] = []
        used_verbs: set[int] = set()
        out.extend(self._direct(used_verbs))
        out.extend(self._indirect(used_verbs))
        out = _without_overlaps(out)
        return _without_overlaps(out + self._paragraph_quotes(out))

    def _paragraph_quotes(self, found: list[Statement]) -> list[Statement]:
        """A whole-paragraph quote with no cue, right after a paragraph that reports someone's words, is theirs."""
        out = []
        for p in self.pieces:
            if any(st.start <= p.start < st.end for st in found):
                continue
            line_start = self.text.rfind("\n", 0, p.open_at) + 1
            line_end = self.text.find("\n", p.close_end)
            line_end = len(self.text) if line_end < 0 else line_end
            if self.text[line_start:p.open_at].strip() or len(self.text[p.close_end:line_end].strip()) > 2:
                continue  # not the whole paragraph
            if len(self.text[p.start:p.end].split()) < self.settings.min_quote_words:
                continue
            prev_para_start = self.text.rfind("\n", 0, max(0, line_start - 1))
            while prev_para_start > 0 and not self.text[prev_para_start:line_start].strip():
                prev_para_start = self.text.rfind("\n", 0, prev_para_start - 1)
            earlier = [st for st in found if prev_para_start <= st.start < line_start]
            if earlier:
                last = max(earlier, key=lambda st: st.start)
                out.append(Statement(p.start, p.end, True, None, last.source, "continued", 0.6))
        return out

    def _direct(self, used_verbs: set[int]) -> list[Statement]:
        out: list[Statement] = []
        prev: Statement | None = None
        prev_piece: QuotePiece | None = None
        for n, p in enumerate(self.pieces):
            found = self._direct_cue(p, n)
            st = None
            v = None
            if found is not None:
                v, src, rule = found
                if rule == "after_colon" and prev is not None and self._sentences_apart(prev.end, p.start) <= 2:
                    src, rule = prev.source, "continued"
                if src is not None:
                    st = Statement(p.start, p.end, True, self._cue(v) if v is not None else None, src, rule,
                                   0.6 if rule == "continued" else 0.9)
            if st is None and prev is not None and prev_piece is not None and self._continues(prev_piece, p):
                st = Statement(p.start, p.end, True, None, prev.source, "continued", 0.7)
            if st is None:
                continue
            if len(self.text[p.start:p.end].split()) < 2 and st.rule != "aside":
                continue  # a name or a scare quote
            out.append(st)
            if v is not None:
                used_verbs.add(v)
            prev, prev_piece = st, p
        return out

    def _direct_cue(self, p: QuotePiece, n: int) -> tuple[int | None, Source | None, str] | None:
        # author's words inside the quotation ("«…, — сказал он, — …»"), this piece's or the one before
        asides = [p.aside] if p.aside else []
        if n > 0 and self.pieces[n - 1].aside and self.pieces[n - 1].open_at == p.open_at:
            asides.append(self.pieces[n - 1].aside)
        for a in asides:
            for i in self._token_range(*a):
                if self._is_reporting(i):
                    return i, self.speaker_of_verb(i), "aside"
        # right after the closing mark: "», — сказал он", "», сообщает «Интерфакс»"
        after = self._token_at(p.close_end)
        if after is not None and self.tokens[after].start - p.close_end <= 2 and self.tokens[after].text in ",—–-":
            j = after
            while j < len(self.tokens) and j - after < 3 and self.tokens[j].text in ",—–-":
                j += 1
            for i in range(j, min(j + 3, len(self.tokens))):
                if self.tokens[i].start > self.tokens[j].start + 60 or self.tokens[i].text in ".!?«":
                    break
                if self._is_reporting(i):
                    if self.tokens[i].lemma in lx.MEDIA_VERBS:  # «…», сообщает Лента.ру: the medium relays
                        relayed = self._cue_before(p)
                        if relayed is not None and relayed[1] is not None:
                            return relayed
                    return i, self.speaker_of_verb(i), "after"
        return self._cue_before(p)

    def _cue_before(self, p: QuotePiece) -> tuple[int | None, Source | None, str] | None:
        """Before the opening mark: "X заявил: «", "X сказал, что «", "Лавров: «", "X называет …: «"."""
        before = self.text[max(0, p.open_at - 3):p.open_at].rstrip()
        k = self._last_token_before(p.open_at)
        if k is None:
            return None
        if before.endswith(":") or self.tokens[k].lemma == "что":
            sent = self.doc.sents[self.tokens[k].sent]
            for i in range(k, sent.first - 1, -1):
                if self.in_quote[i]:
                    break
                if self._is_reporting(i):
                    src = self.speaker_of_verb(i)
                    if src is not None:
                        return i, src, "before"
                    break  # "сообщается в заявлении X: «…»": the speaker is the document's author
            if before.endswith(":"):
                # any verb whose subject is named: "Клименко называет вмешательство злом: «…»"
                for i in range(k, sent.first - 1, -1):
                    tok = self.tokens[i]
                    if tok.pos == "VERB" and tok.feats.get("VerbForm") == "Fin" and not self.in_quote[i]:
                        subj = self._subject(i)
                        src = self.resolve(subj) if subj is not None else None
                        if src is not None and src.named:
                            return i, src, "before"
                        break
                colon = k
                name_tok = colon - 1
                if name_tok >= sent.first:
                    ent = self.doc.entity_at(name_tok)
                    if ent is not None and ent.first == sent.first and name_tok in self.token_source:
                        return None, self.token_source[name_tok], "headline"
                    # a headline's name the tagger missed there but found in the story: "Лавров: «…»"
                    known = self.sources.get("per:" + _fold(self.tokens[name_tok].text))
                    if known is not None and name_tok - sent.first < 4 and all(
                            self.tokens[j].text[:1].isupper() for j in range(sent.first, name_tok + 1)):
                        return None, known, "headline"
                # "сообщается в заявлении Нацфронта: «…»"
                for i in range(colon - 1, max(sent.first, colon - 12) - 1, -1):
                    if self.tokens[i].lemma in lx.DOCUMENT_NOUNS:
                        for c in self.children[i]:
                            if self.tokens[c].rel == "nmod" and c > i:
                                src = self.resolve(c)
                                if src is not None:
                                    return i, src, "before"
                # "Поэтому X — это иллюзия: «…»": the author introduces more words of the last speaker
                return None, None, "after_colon"
        # "назвав его «непростительным оскорблением»": a naming verb's quoted object
        for i in range(k, max(self.doc.sents[self.tokens[k].sent].first, k - 3) - 1, -1):
            if self.tokens[i].lemma in lx.NAMING_VERBS and self.tokens[i].feats.get("VerbForm") in ("Fin", "Conv"):
                # (not a participle: "островов, называемых в Японии «северными территориями»")
                return i, self.speaker_of_verb(i), "naming"
        return None

    def _sentences_apart(self, a: int, b: int) -> int:
        ta, tb = self._last_token_before(a), self._last_token_before(b)
        return 99 if ta is None or tb is None else self.tokens[tb].sent - self.tokens[ta].sent

    def _last_token_before(self, offset: int) -> int | None:
        i = bisect_right(self._ends, offset) - 1
        return i if i >= 0 else None

    def _continues(self, prev: QuotePiece, p: QuotePiece) -> bool:
        """A quote that opens the paragraph right after the previous quote's paragraph (or follows it)."""
        if p.open_at == prev.open_at:
            return True
        between = self.text[prev.close_end:p.open_at]
        if between.count("\n") > 2:
            return False
        line_start = self.text.rfind("\n", 0, p.open_at) + 1
        opens_paragraph = not self.text[line_start:p.open_at].strip()
        return opens_paragraph and "\n" in between and len(between.strip()) < 40

    def _indirect(self, used_verbs: set[int]) -> list[Statement]:
        out: list[Statement] = []
        for tok in self.tokens:
            i = tok.i
            if self.in_quote[i]:
                continue
            kind = self._is_reporting(i)
            if kind and i not in used_verbs:
                out.extend(self._verb_statements(i, kind))
            if tok.lemma == "по" and any(j < len(self.tokens) and self.tokens[j].lemma in lx.SOURCE_NOUNS
                                         for j in (i + 1, i + 2)):
                out.extend(self._according(i))
        return out

    def _verb_statements(self, v: int, kind: str) -> list[Statement]:
        tok = self.tokens[v]
        sent = self.doc.sents[tok.sent]
        prev_tok = self.tokens[v - 1] if v > sent.first else None
        # "Как сообщает X, …" / "…, как заявил X."
        if prev_tok is not None and prev_tok.lemma == lx.AS_WORD:
            return self._as_statement(v, prev_tok.i, sent)
        # "Об этом сообщил X"
        if self._about_this(v, sent):
            src = self.speaker_of_verb(v)
            if src is None or tok.sent == 0:
                return []
            prev = self.doc.sents[tok.sent - 1]
            if "\n" in self.text[prev.end:sent.start]:
                return []
            span = self._clause(prev.first, prev.last - 1)
            return [Statement(*span, False, tok.text, src, "about_this", 0.7)] if span else []
        if kind == "denied":
            return []
        out = []
        # "X заявил(, о том), что …": every что-clause under the verb
        for c in self._that_clauses(v):
            src = self.speaker_of_verb(v)
            if src is None:
                break
            span = self._clause(*c)
            if span and not self._wholly_quoted(*span):
                out.append(Statement(*span, False, tok.text, src, "that", 0.8, kind))
        if out:
            return out
        # "выразил мнение о …", "выразили намерение сделать …": the noun carries the content
        phrase = [c for c in self.children[v] if c > v and self.tokens[c].rel == "obj"
                  and self.tokens[c].lemma in lx.PHRASE_NOUNS] if tok.lemma in lx.PHRASE_VERBS else []
        heads = [v] + phrase
        cue = tok.text if not phrase else self.text[tok.start:self.tokens[phrase[0]].end]
        # "X пообещал сделать …" / "призвал …"
        if kind == "intention" or phrase:
            for h in heads:
                for c in self.children[h]:
                    if self.tokens[c].rel in ("xcomp", "acl", "nmod") and self.tokens[c].pos == "VERB" and c > v \
                            and self.tokens[c].feats.get("VerbForm") == "Inf":
                        lo, hi = self._subtree_span(c)
                        src = self.speaker_of_verb(v)
                        span = self._clause(lo, hi)
                        if src and span:
                            return [Statement(*span, False, cue, src, "infinitive", 0.7, kind)]
        # "X сообщил об обнаружении …", "выразил мнение о необходимости …"
        if tok.lemma in lx.ABOUT_OBJECT_VERBS or phrase:
            for h in heads:
                for c in self.children[h]:
                    if c > v and self.tokens[c].rel in ("obl", "nmod") and any(
                            self.tokens[g].lemma in ("о", "об") and self.tokens[g].rel == "case"
                            for g in self.children[c]):
                        if self.tokens[c].lemma in ("это", "то"):
                            continue
                        lo, hi = self._subtree_span(c)
                        lo = min((g for g in range(lo, c + 1) if self.tokens[g].lemma not in ("о", "об")), default=lo)
                        src = self.speaker_of_verb(v)
                        span = self._clause(lo, hi)
                        if src and span:
                            return [Statement(*span, False, cue, src, "about", 0.6)]
        # "CLAUSE, сообщает X." / "CLAUSE, — заявил X."
        if kind == "said" and tok.feats.get("VerbForm") == "Fin" and prev_tok is not None and (prev_tok.text == "," or (
                prev_tok.text in "—–-" and v - 2 >= sent.first and self.tokens[v - 2].text == ",")):
            comma = v - 1 if prev_tok.text == "," else v - 2
            if comma > sent.first and not self.in_quote[comma - 1] and self.tokens[comma - 1].text not in "»“\"":
                src = self.speaker_of_verb(v)
                span = self._clause(sent.first, comma - 1)
                if src and span:
                    # a medium relaying ("…, передаёт Интерфакс") yields to the original speaker if named too
                    return [Statement(*span, False, tok.text, src, "closing",
                                      0.6 if tok.lemma in lx.MEDIA_VERBS else 0.7)]
        return out

    def _that_clauses(self, v: int) -> list[tuple[int, int]]:
        """Token ranges of the что-clauses after a reporting verb, one per «(и) что».

        Read along the sentence rather than from the dependency tree: the parser often makes a long
        что-clause a second root or hangs it on the wrong verb. The clause starts after «что» (a few
        words after the verb: "заявил журналистам, что", "заявил о том, что") and runs to the sentence
        end, cut at «(, и) что» (the next clause) and before «и» + another reporting verb.
        """
        sent = self.doc.sents[self.tokens[v].sent]
        first = None
        for j in range(v + 1, min(v + 9, sent.last)):
            t = self.tokens[j]
            if t.lemma == "что" and j > v + 1 and self.tokens[j - 1].text == ",":
                first = j
                break
            if t.text in ".!?;:«»\"" or (t.pos == "VERB" and t.feats.get("VerbForm") == "Fin"):
                return []
        if first is None:
            return []
        marks, end = [first], sent.last
        for j in range(first + 1, sent.last):
            t = self.tokens[j]
            if self.in_quote[j]:
                continue
            prev = self.tokens[j - 1]
            if t.lemma == "что" and prev.text == "и":
                marks.append(j)
            elif prev.text == "и" and self._is_reporting(j) and self.tokens[j].feats.get("VerbForm") == "Fin":
                end = j - 1
                break
            elif self._is_reporting(j) and j + 2 < sent.last and self.tokens[j + 1].text == "," \
                    and self.tokens[j + 2].lemma == "что":
                # "…, а Россия уверена, что …": another source's report begins after the last comma
                comma = max((c for c in range(first + 1, j) if self.tokens[c].text == ","), default=None)
                if comma is not None:
                    end = comma
                    break
        out = []
        for n, m in enumerate(marks):
            hi = (marks[n + 1] - 1) if n + 1 < len(marks) else end - 1
            if hi > m:
                out.append((m + 1, hi))
        return out

    def _wholly_quoted(self, start: int, end: int) -> bool:
        return any(p.start <= start + 1 and p.end >= end - 1 for p in self.pieces)

    def _about_this(self, v: int, sent) -> bool:
        for i in range(max(sent.first, v - 4), v):
            if self.tokens[i].lemma in ("о", "об") and i + 1 < len(self.tokens) and self.tokens[i + 1].lemma == "это":
                return True
        return False

    def _as_statement(self, v: int, as_tok: int, sent) -> list[Statement]:
        src = self.speaker_of_verb(v)
        if src is None:
            return []
        # the "как …" phrase runs to the next comma (or the sentence end)
        end_phrase = next((j for j in range(v + 1, sent.last) if self.tokens[j].text == ","), sent.last)
        if self._opens_sentence(as_tok, sent):
            span = self._clause(end_phrase + 1, sent.last - 1)
        elif as_tok > sent.first and self.tokens[as_tok - 1].text == ",":
            span = self._clause(sent.first, as_tok - 2)
        else:
            return []
        confidence = 0.65 if self.tokens[v].lemma in lx.MEDIA_VERBS else 0.75  # a medium yields, as above
        return [Statement(*span, False, self.text[self.tokens[as_tok].start:self.tokens[v].end], src, "as", confidence)] \
            if span else []

    def _opens_sentence(self, i: int, sent) -> bool:
        """Token i begins its sentence (after a conjunction or a line break the segmenter kept inside)."""
        if i == sent.first or "\n" in self.text[self.tokens[i - 1].end:self.tokens[i].start]:
            return True
        return i == sent.first + 1 and self.tokens[sent.first].pos in ("CCONJ", "PUNCT", "ADV")

    def _according(self, po: int) -> list[Statement]:
        """"По словам X, …", "по мнению X", "по его словам"."""
        tok = self.tokens[po]
        sent = self.doc.sents[tok.sent]
        src = None
        nxt = _fold(self.tokens[po + 1].text) if po + 1 < sent.last else ""
        if nxt in lx.POSSESSIVES and po + 2 < sent.last:
            noun = po + 2
            src = self._latest(po, *lx.POSSESSIVES[nxt])
        else:
            noun = po + 1
            for c in self.children[noun]:
                if c > noun and self.tokens[c].rel in ("nmod", "appos"):
                    # the phrase always names a source: "по мнению делегации ОБСЕ" if nothing better
                    src = self.resolve(c) or (self._unnamed(c) if self.tokens[c].pos == "NOUN" else None)
                    if src is not None:
                        break
        if src is None or self.tokens[noun].lemma not in lx.SOURCE_NOUNS:
            return []
        if nxt in lx.POSSESSIVES and noun + 1 < sent.last and self.tokens[noun + 1].text != ",":
            phrase_end = noun  # "По его мнению страны Балтии …" (no comma)
        else:
            phrase_end = next((j for j in range(noun, sent.last) if self.tokens[j].text == ","), sent.last)
        cue = self.text[tok.start:self.tokens[noun].end]
        if self._opens_sentence(po, sent):
            span = self._clause(phrase_end + 1, sent.last - 1)  # "По словам X, CLAUSE."
        elif self.tokens[po - 1].text == ",":
            if sent.last - 1 - phrase_end > 3:  # "CLAUSE, по словам X, CLAUSE.": the whole sentence
                span = self._clause(sent.first, sent.last - 1)
            else:  # "CLAUSE, по словам X."
                span = self._clause(sent.first, po - 2)
        else:
            return []
        return [Statement(*span, False, cue, src, "according", 0.75)] if span else []


def _fold(word: str) -> str:
    return word.lower().replace("ё", "е")


def _without_overlaps(statements: list[Statement]) -> list[Statement]:
    """Where two statements overlap, the more certain (then the earlier found) one stays."""
    kept: list[Statement] = []
    for st in sorted(statements, key=lambda s: -s.confidence):
        if all(st.end <= k.start or st.start >= k.end for k in kept):
            kept.append(st)
    return sorted(kept, key=lambda s: s.start)


def attribute_russian(doc: RuDoc, settings: SpeakerSettings) -> list[Speaker]:
    """Speakers in order of their first statement, each with its statements in article order."""
    statements = RussianAttributor(doc, settings).run()
    speakers: dict[str, Speaker] = {}
    for st in statements:
        sp = speakers.get(st.source.key)
        if sp is None:
            sp = speakers[st.source.key] = Speaker(name=st.source.name, role=st.source.role, quotes=[])
        sp.quotes.append(Quote(text=doc.text[st.start:st.end], direct=st.direct, cue=st.cue, start=st.start,
                               end=st.end, kind=st.kind, confidence=st.confidence, rule=st.rule))
    out = list(speakers.values())
    if settings.max_quotes_per_speaker:
        for sp in out:
            sp.quotes = sp.quotes[: settings.max_quotes_per_speaker]
    return out

