"""The abstractive engine: any seq2seq model (BART, PEGASUS, T5) named in ``[summary] model``.

A long article is cut on sentence boundaries into chunks that fit the model's input,
each chunk is summarized, and the joined chunk summaries are summarized again
(map-reduce), within ``time_budget_s``. A generated summary may paraphrase, but it
may never put words in someone's mouth: a quotation that is not in the article is
replaced by the closest sentence of the article (see ``replace_invented_quotes``).
"""

from __future__ import annotations

import re
import threading
import time
from typing import TYPE_CHECKING, Any

from .settings import Settings, SummarySettings
from .summarize import candidate_sentences, extractive_summary, quoted_spans
from .textrules import SENTENCE_SPLIT

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc

# Input limit when neither the tokenizer nor the config names one.
FALLBACK_INPUT_TOKENS = 512
# Map-reduce rounds at most: each round shrinks the text to about a summary per chunk.
MAX_REDUCE_ROUNDS = 3

_lock = threading.Lock()
_models: dict[str, tuple[Any, Any]] = {}

# Sentence ends in generated text (models write plain prose, one space after a stop).
_WORD = re.compile(r"\w+")


def load_seq2seq(name: str) -> tuple[Any, Any]:
    """Tokenizer and model for a local directory or hub id, loaded once per process."""
    if not name:
        raise ValueError("[summary] engine = 'seq2seq' needs [summary] model (a directory or a hub id)")
    with _lock:
        if name not in _models:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

            tokenizer = AutoTokenizer.from_pretrained(name)
            model = AutoModelForSeq2SeqLM.from_pretrained(name)
            model.eval()
            _models[name] = (tokenizer, model)
        return _models[name]


def input_limit(tokenizer: Any, model: Any, cfg: SummarySettings) -> int:
    """Tokens one chunk may have: the setting, else the smallest limit the model declares."""
    if cfg.max_input_tokens > 0:
        return cfg.max_input_tokens
    limits = [getattr(model.config, "max_position_embeddings", None), getattr(tokenizer, "model_max_length", None)]
    limits = [n for n in limits if isinstance(n, int) and 0 < n < 100_000]
    return min(limits) if limits else FALLBACK_INPUT_TOKENS


def abstractive_summary(doc: "Doc", title: str | None, settings: Settings, length: str) -> list[str]:
    cfg = settings.summary
    tokenizer, model = load_seq2seq(cfg.model)
    prefix = "summarize: " if model.config.model_type == "t5" else ""
    max_length = input_limit(tokenizer, model, cfg)
    # a chunk's own tokens leave room for the prefix and the special tokens (<s>, </s>)
    room = max(max_length - len(tokenizer(prefix, add_special_tokens=True)["input_ids"]), 8)
    # the spaCy sentences, cut at line ends and with datelines trimmed (as the extractive engine sees them)
    candidates = candidate_sentences(doc)
    sentences = [c.text for c in candidates]
    if not sentences:
        return []
    # a sentence with an invented quote is swapped for one of these: no bylines, captions or bare quotes
    replacements = [c.text for c in candidates if not c.furniture] or sentences
    deadline = time.monotonic() + cfg.time_budget_s
    text = map_reduce(sentences, tokenizer, model, prefix, room, max_length, cfg, deadline)
    summary = fit_length(split_sentences(text), cfg.sentences[length], cfg.words[length])
    summary = replace_invented_quotes(summary, doc.text, replacements)
    if not summary:  # the model said nothing usable: the article's own sentences instead
        return extractive_summary(doc, title, settings, length)
    return summary


def map_reduce(
    sentences: list[str],
    tokenizer: Any,
    model: Any,
    prefix: str,
    room: int,
    max_length: int,
    cfg: SummarySettings,
    deadline: float,
) -> str:
    """Summarize chunk by chunk, then the joined chunk summaries, until one chunk is left."""
    for _ in range(MAX_REDUCE_ROUNDS):
        chunks = chunk_sentences(sentences, tokenizer, room)
        parts = []
        for chunk in chunks:
            if parts and time.monotonic() > deadline:
                break  # over budget: the rest of the article is skipped
            parts.append(generate(tokenizer, model, prefix + chunk, max_length, cfg))
        if len(chunks) == 1 or time.monotonic() > deadline:
            return " ".join(parts)
        sentences = [s for part in parts for s in split_sentences(part)] or parts
    return " ".join(parts)


def chunk_sentences(sentences: list[str], tokenizer: Any, limit: int) -> list[str]:
    """Consecutive sentences packed into chunks of at most ``limit`` tokens.

    A single sentence longer than the limit gets a chunk of its own; the tokenizer
    truncates it when it is summarized.
    """
    counts = [len(ids) for ids in tokenizer(sentences, add_special_tokens=False, verbose=False)["input_ids"]]
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for sentence, count in zip(sentences, counts):
        if current and used + count > limit:
            chunks.append(" ".join(current))
            current, used = [], 0
        current.append(sentence)
        used += count
    if current:
        chunks.append(" ".join(current))
    return chunks


def generate(tokenizer: Any, model: Any, text: str, max_length: int, cfg: SummarySettings) -> str:
    import torch

    inputs = tokenizer([text], return_tensors="pt", truncation=True, max_length=max_length)
    with torch.inference_mode():
        output = model.generate(
            **inputs,
            num_beams=cfg.num_beams,
            max_new_tokens=cfg.max_new_tokens,
            min_new_tokens=min(cfg.min_new_tokens, cfg.max_new_tokens),
            no_repeat_ngram_size=cfg.no_repeat_ngram_size,
            length_penalty=cfg.length_penalty,
            early_stopping=True,
        )
    return tokenizer.batch_decode(output, skip_special_tokens=True)[0].strip()


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in SENTENCE_SPLIT.split(text.strip()) if s.strip()]


def fit_length(sentences: list[str], max_sentences: int, budget: int) -> list[str]:
    """The first sentences within the count and the word budget (always at least one)."""
    out: list[str] = []
    used = 0
    for sentence in sentences[:max_sentences]:
        words = len(sentence.split())
        if out and used + words > budget:
            break
        out.append(sentence)
        used += words
    return out


# --- quote safety ----------------------------------------------------------------------


def _words(text: str) -> str:
    """Lower-cased words joined by single spaces, padded: punctuation and quote styles don't matter."""
    return " " + " ".join(_WORD.findall(text.lower())) + " "


def invented_quotes(sentence: str, article_text: str, article_words: str | None = None) -> list[str]:
    """The quotations in ``sentence`` whose words do not appear, in order, in the article."""
    article_words = article_words if article_words is not None else _words(article_text)
    invented = []
    for start, end in quoted_spans(sentence):
        words = _words(sentence[start + 1 : end - 1])
        if words.strip() and words not in article_words:
            invented.append(sentence[start:end])
    return invented


def replace_invented_quotes(summary: list[str], article_text: str, article_sentences: list[str]) -> list[str]:
    """Each summary sentence that quotes words the article does not contain is replaced
    by the article sentence sharing most words with it (dropped if that one is already in)."""
    article_words = _words(article_text)
    out: list[str] = []
    for sentence in summary:
        if not invented_quotes(sentence, article_text, article_words):
            out.append(sentence)
            continue
        replacement = _closest(sentence, article_sentences)
        if replacement and replacement not in out:
            out.append(replacement)
    return out


def _closest(sentence: str, candidates: list[str]) -> str | None:
    target = set(_WORD.findall(sentence.lower()))

    def overlap(candidate: str) -> float:
        words = set(_WORD.findall(candidate.lower()))
        return len(target & words) / (len(target | words) or 1)

    return max(candidates, key=overlap, default=None)
