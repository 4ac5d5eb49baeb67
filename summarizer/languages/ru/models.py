"""The Russian models, loaded once, lazily, on first use (like ``summarizer/models.py`` for English).

natasha's wheel ships everything offline: navec news embeddings and the slovnet morphology tagger,
syntax parser and NER that run on them, plus razdel for sentences and tokens. Lemmas and the
nominative of names come from pymorphy3 (its dictionary is a PyPI package too): natasha's own
``MorphVocab`` wraps pymorphy2, which no longer imports on Python 3.11, so ``MorphVocab`` below
gives natasha's normaliser (``DocSpan.normalize``) the same interface over pymorphy3.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_lock = threading.Lock()

# pymorphy (OpenCorpora) parts of speech and grammemes -> Universal Dependencies, as slovnet tags them;
# only what matching a slovnet tag and inflecting to the nominative need.
OC_TO_UD_POS = {
    "NOUN": "NOUN", "ADJF": "ADJ", "ADJS": "ADJ", "COMP": "ADJ", "VERB": "VERB", "INFN": "VERB",
    "PRTF": "VERB", "PRTS": "VERB", "GRND": "VERB", "NUMR": "NUM", "ADVB": "ADV", "NPRO": "PRON",
    "PRED": "ADV", "PREP": "ADP", "CONJ": "CCONJ", "PRCL": "PART", "INTJ": "INTJ",
}
OC_TO_UD_FEATS = {
    "nomn": ("Case", "Nom"), "gent": ("Case", "Gen"), "gen2": ("Case", "Gen"), "datv": ("Case", "Dat"),
    "accs": ("Case", "Acc"), "ablt": ("Case", "Ins"), "loct": ("Case", "Loc"), "loc2": ("Case", "Loc"),
    "voct": ("Case", "Nom"), "masc": ("Gender", "Masc"), "femn": ("Gender", "Fem"),
    "neut": ("Gender", "Neut"), "sing": ("Number", "Sing"), "plur": ("Number", "Plur"),
}
UD_TO_OC = {"Nom": "nomn", "Gen": "gent", "Dat": "datv", "Acc": "accs", "Ins": "ablt", "Loc": "loct",
            "Masc": "masc", "Fem": "femn", "Neut": "neut", "Sing": "sing", "Plur": "plur"}


@dataclass(frozen=True)
class MorphForm:
    """One pymorphy3 reading of a word, with natasha's names (``pos``, ``feats``, ``inflect``)."""

    parse: Any  # pymorphy3 Parse

    @property
    def word(self) -> str:
        return self.parse.word

    @property
    def normal(self) -> str:
        return self.parse.normal_form

    @property
    def pos(self) -> str:
        return OC_TO_UD_POS.get(self.parse.tag.POS or "", "X")

    @property
    def feats(self) -> dict[str, str]:
        return dict(OC_TO_UD_FEATS[g] for g in self.parse.tag.grammemes if g in OC_TO_UD_FEATS)

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(self.parse.tag.grammemes)

    def inflect(self, grams: set[str]) -> "MorphForm | None":
        form = self.parse.inflect({UD_TO_OC.get(g, g) for g in grams})
        return MorphForm(form) if form else None


class MorphVocab:
    """natasha's vocabulary interface over pymorphy3: ``vocab(word)`` is the word's readings."""

    def __init__(self) -> None:
        import pymorphy3

        self._analyzer = pymorphy3.MorphAnalyzer()
        self._cached = lru_cache(maxsize=20_000)(self._parse)

    def _parse(self, word: str) -> tuple[MorphForm, ...]:
        return tuple(MorphForm(p) for p in self._analyzer.parse(word))

    def __call__(self, word: str) -> tuple[MorphForm, ...]:
        return self._cached(word)

    def lemma(self, word: str, pos: str, feats: dict[str, str]) -> str:
        """The dictionary form of ``word`` in the reading that best fits the tagger's pos and features."""
        forms = self(word.lower())
        best, best_score = None, -1
        for form in forms:
            score = 2 * (_same_pos(form.pos, pos)) + sum(form.feats.get(k) == v for k, v in feats.items()
                                                          if k in ("Case", "Gender", "Number"))
            if score > best_score:
                best, best_score = form, score
        return (best.normal if best else word.lower()).replace("ё", "е")


def _same_pos(a: str, b: str) -> bool:
    fold = {"PROPN": "NOUN", "AUX": "VERB", "DET": "ADJ"}
    return fold.get(a, a) == fold.get(b, b)


@dataclass(frozen=True)
class RussianModels:
    segmenter: Any
    embedding: Any  # navec: word -> 300-dim vector
    morph: Any
    syntax: Any
    ner: Any
    vocab: MorphVocab


_models: RussianModels | None = None


def _load(threads: int) -> RussianModels:
    from natasha import NewsEmbedding, NewsMorphTagger, NewsNERTagger, NewsSyntaxParser, Segmenter

    if threads:
        # slovnet runs on numpy's BLAS. Measured on the 2-core machine while busy: one BLAS thread
        # parsed a medium article in 0.18 s, the default (one per core) in 0.5-1.0 s, as for torch.
        from threadpoolctl import threadpool_limits

        threadpool_limits(limits=threads, user_api="blas")
    embedding = NewsEmbedding()
    return RussianModels(
        segmenter=Segmenter(),
        embedding=embedding,
        morph=NewsMorphTagger(embedding),
        syntax=NewsSyntaxParser(embedding),
        ner=NewsNERTagger(embedding),
        vocab=MorphVocab(),
    )


def get_russian_models(threads: int = 1) -> RussianModels:
    """The models, loaded on the first call; ``threads`` ([models] torch_threads, 0: numpy's default)
    caps the BLAS threads they run on."""
    global _models
    with _lock:
        if _models is None:
            _models = _load(threads)
        return _models
