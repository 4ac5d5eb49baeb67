"""The Russian parse: natasha's sentences, tokens, morphology, dependency syntax and NER, flattened.

``parse_russian(text)`` returns a ``RuDoc`` whose tokens are numbered across the whole text (natasha
numbers them per sentence), each with its offsets, UD part of speech and features, dependency head
and relation, and lemma; entities (PER, ORG, LOC) carry the token range and their nominative form
(``DocSpan.normalize``: "Дмитрия Пескова" -> "Дмитрий Песков"). Every offset is into ``text``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .models import get_russian_models


@dataclass
class RuToken:
    i: int
    text: str
    start: int
    end: int
    pos: str
    feats: dict[str, str]
    head: int  # index of the head token, -1 for a sentence's root
    rel: str
    sent: int
    lemma: str


@dataclass
class RuSentence:
    start: int
    end: int
    first: int  # token indices [first, last)
    last: int


@dataclass
class RuEntity:
    type: str  # PER | ORG | LOC
    start: int
    end: int
    first: int  # token indices [first, last)
    last: int
    text: str
    normal: str  # in the nominative


@dataclass
class RuDoc:
    text: str
    tokens: list[RuToken] = field(default_factory=list)
    sents: list[RuSentence] = field(default_factory=list)
    ents: list[RuEntity] = field(default_factory=list)
    language: str = "ru"

    def entity_at(self, i: int) -> RuEntity | None:
        for ent in self.ents:
            if ent.first <= i < ent.last:
                return ent
        return None


def parse_russian(text: str, threads: int = 1) -> RuDoc:
    from natasha import Doc

    models = get_russian_models(threads)
    doc = Doc(text)
    doc.segment(models.segmenter)
    doc.tag_morph(models.morph)
    doc.parse_syntax(models.syntax)
    doc.tag_ner(models.ner)
    out = RuDoc(text=text)
    index: dict[str, int] = {}
    heads: list[str] = []
    for s, sent in enumerate(doc.sents):
        first = len(out.tokens)
        for tok in sent.tokens:
            index[tok.id] = len(out.tokens)
            heads.append(tok.head_id)
            feats = dict(tok.feats or {})
            out.tokens.append(RuToken(
                i=len(out.tokens), text=tok.text, start=tok.start, end=tok.stop, pos=tok.pos or "X",
                feats=feats, head=-1, rel=tok.rel or "", sent=s,
                lemma=models.vocab.lemma(tok.text, tok.pos or "X", feats),
            ))
        out.sents.append(RuSentence(sent.start, sent.stop, first, len(out.tokens)))
    for tok, head_id in zip(out.tokens, heads):
        tok.head = index.get(head_id, -1)
    _break_cycles(out.tokens)
    starts = {t.start: t.i for t in out.tokens}
    ends = {t.end: t.i for t in out.tokens}
    for span in doc.spans:
        if span.start not in starts or span.stop not in ends:
            continue
        span.normalize(models.vocab)
        out.ents.append(RuEntity(type=span.type, start=span.start, end=span.stop, first=starts[span.start],
                                 last=ends[span.stop] + 1, text=span.text,
                                 normal=_without_brackets(_keep_yo(span.normal or span.text, span.text))))
    return out


def _break_cycles(tokens: list[RuToken]) -> None:
    """Make the heads a forest: the parser predicts each head on its own, so its output can hold a
    cycle (a -> b -> a), and every walk over children or heads would then never end. The token at
    which a walk first meets its own path becomes a root. Linear: each token is walked once."""
    state = [0] * len(tokens)  # 0 unseen, 1 on the current path, 2 known to reach a root
    for start in range(len(tokens)):
        path = []
        i = start
        while i >= 0 and state[i] == 0:
            state[i] = 1
            path.append(i)
            i = tokens[i].head
        if i >= 0 and state[i] == 1:  # came back to this path: cut the cycle here
            tokens[i].head = -1
        for j in path:
            state[j] = 2


_BRACKETS = re.compile(r"\s*\([^()]{0,80}\)")


def _without_brackets(name: str) -> str:
    """"Джоэл Саймон (Joel Simon)" -> "Джоэл Саймон", "Комитет защиты журналистов (КЗЖ)" -> the name alone."""
    bare = _BRACKETS.sub("", name).strip()
    return bare or name


def _keep_yo(normal: str, original: str) -> str:
    """The normaliser writes ё as е; put ё back where the article's word has it ("Щёголева" -> "Щёголев")."""
    if "ё" not in original.lower():
        return normal
    out = []
    for word, orig in zip(normal.split(" "), original.split(" ")):
        chars = list(word)
        for k, ch in enumerate(orig[: len(chars)]):
            if ch in "ёЁ" and chars[k] in "еЕ":
                chars[k] = ch
        out.append("".join(chars))
    return " ".join(out + normal.split(" ")[len(out):])
