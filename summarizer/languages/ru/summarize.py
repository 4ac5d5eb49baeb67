"""The Russian summary: the English extractive design (``summarizer.summarize``) on Russian sentences.

Candidates are natasha's sentences (cut at line breaks), with page furniture, bylines, captions,
fragments and quote-only sentences set aside; a sentence's vector is the mean of the navec vectors
of its content words (nouns, verbs, adjectives, adverbs, names: function words and punctuation say
nothing about the topic and only pull every sentence toward the same average), L2-normalised.
Scoring (centrality, title similarity, lead prior) and MMR selection under the length settings are
the English engine's own functions, so both languages are tuned by the same ``[summary]`` settings.
"""

from __future__ import annotations

import re
from bisect import bisect_left

import numpy as np

from ...settings import LENGTHS, Settings
from ...summarize import MIN_WORDS, QUOTE_ONLY_SHARE, Sentence, _cut_overlong, select, sentence_scores
from .models import get_russian_models
from .parse import RuDoc
from .quotes import find_quotes

CONTENT_POS = frozenset({"NOUN", "PROPN", "VERB", "ADJ", "ADV"})
_WORD = re.compile(r"[^\W\d_][\w-]*")
# Lines that belong to the page, not the story (Russian sites' furniture and bylines).
_FURNITURE = re.compile(
    r"^(?:фото|видео|иллюстрация|источник|автор|текст|читайте также|смотрите также|по теме|подробнее|"
    r"подписывайтесь|поделиться|реклама|комментари|теги|опубликовано|обновлено|©|copyright)",
    re.IGNORECASE,
)
_ENDS_LIKE_SENTENCE = re.compile(r"[.!?…][\"»“”')\]]*$|[»“”\"]$")


def summarize_russian(doc: RuDoc, title: str | None, settings: Settings, length: str | None = None) -> list[str]:
    length = length or settings.summary.length
    if length not in LENGTHS:
        raise ValueError(f"unknown summary length {length!r} (expected one of {', '.join(LENGTHS)})")
    sentences = candidate_sentences(doc)
    usable = [s for s in sentences if not s.furniture] or [s for s in sentences if s.words > 0]
    if not usable:
        return []
    if settings.summary.max_candidates > 0:
        usable = usable[: settings.summary.max_candidates]
    starts = [t.start for t in doc.tokens]
    vectors = np.stack([_sentence_vector(doc, starts, s) for s in usable])
    title_vector = _text_vector(title) if title and title.strip() else None
    scores = sentence_scores(usable, vectors, title_vector, settings.summary)
    chosen = select(usable, vectors, scores, settings.summary, length)
    budget = settings.summary.words[length]
    return [_cut_overlong(usable[i].text, budget) for i in sorted(chosen)]


def candidate_sentences(doc: RuDoc) -> list[Sentence]:
    text = doc.text
    quoted = np.zeros(len(text) + 1, dtype=bool)
    for _start, _end, open_at, close_end in find_quotes(text):
        quoted[open_at:close_end] = True
    out: list[Sentence] = []
    for sent in doc.sents:
        for line in re.finditer(r"[^\n]+", text[sent.start:sent.end]):
            start, end = sent.start + line.start(), sent.start + line.end()
            piece = text[start:end]
            lead = len(piece) - len(piece.lstrip())
            start, end = start + lead, end - (len(piece) - len(piece.rstrip()))
            if start >= end:
                continue
            piece = text[start:end]
            words = len(piece.split())
            furniture = (
                words < MIN_WORDS
                or bool(_FURNITURE.match(piece))
                or not _ENDS_LIKE_SENTENCE.search(piece)
                or float(quoted[start:end].mean()) >= QUOTE_ONLY_SHARE
            )
            out.append(Sentence(len(out), start, end, piece, words, furniture))
    return out


def _normalised(vectors: list[np.ndarray]) -> np.ndarray:
    if not vectors:
        return np.zeros(300, dtype=np.float32)
    v = np.mean(vectors, axis=0).astype(np.float32)
    norm = float(np.linalg.norm(v))
    return v / norm if norm else v


def _sentence_vector(doc: RuDoc, starts: list[int], sentence: Sentence) -> np.ndarray:
    emb = get_russian_models().embedding
    vectors = []
    for tok in doc.tokens[bisect_left(starts, sentence.start):bisect_left(starts, sentence.end)]:
        if tok.pos in CONTENT_POS:
            word = tok.text.lower()
            if word in emb:
                vectors.append(emb[word])
            elif tok.lemma in emb:
                vectors.append(emb[tok.lemma])
    return _normalised(vectors)


def _text_vector(text: str) -> np.ndarray:
    emb = get_russian_models().embedding
    return _normalised([emb[w] for w in (m.group().lower() for m in _WORD.finditer(text)) if w in emb])
