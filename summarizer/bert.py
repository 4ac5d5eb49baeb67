"""A BERT encoder in plain torch, for the sentence embedder (all-MiniLM-L6-v2 is a small BERT).

Why not ``transformers.AutoModel``: importing transformers and building the model through
``from_pretrained`` costs about two seconds of every cold start, more than the model itself on
a whole article. This module reads the same ``config.json`` and ``model.safetensors`` and
computes the same ``last_hidden_state`` (tests/test_models.py compares the two), with the
query/key/value projections fused into one matrix product and torch's fused attention.
Inference only: no dropout, no pooler, no gradients.
"""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


def is_supported(path: str | Path) -> bool:
    """True for a BERT directory this module can load (absolute positions, GELU, safetensors)."""
    path = Path(path)
    try:
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (config.get("model_type") == "bert" and config.get("hidden_act") == "gelu"
            and config.get("position_embedding_type", "absolute") == "absolute"
            and (path / "model.safetensors").is_file() and (path / "tokenizer.json").is_file())


class BertLayer(nn.Module):
    def __init__(self, hidden: int, heads: int, intermediate: int, eps: float):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(hidden, 3 * hidden)
        self.attention_out = nn.Linear(hidden, hidden)
        self.attention_norm = nn.LayerNorm(hidden, eps=eps)
        self.intermediate = nn.Linear(hidden, intermediate)
        self.output = nn.Linear(intermediate, hidden)
        self.output_norm = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, attend: torch.Tensor) -> torch.Tensor:
        batch, width, hidden = x.shape
        q, k, v = self.qkv(x).view(batch, width, 3, self.heads, hidden // self.heads).permute(2, 0, 3, 1, 4)
        context = F.scaled_dot_product_attention(q, k, v, attn_mask=attend)
        context = context.transpose(1, 2).reshape(batch, width, hidden)
        x = self.attention_norm(x + self.attention_out(context))
        return self.output_norm(x + self.output(F.gelu(self.intermediate(x))))


class BertEncoder(nn.Module):
    """``forward(input_ids, attention_mask)`` -> the last hidden states, as BertModel computes them."""

    def __init__(self, config: dict):
        super().__init__()
        hidden, eps = config["hidden_size"], config.get("layer_norm_eps", 1e-12)
        self.hidden_size = hidden
        self.word_embeddings = nn.Embedding(config["vocab_size"], hidden)
        self.position_embeddings = nn.Embedding(config["max_position_embeddings"], hidden)
        self.token_type_embeddings = nn.Embedding(config.get("type_vocab_size", 2), hidden)
        self.embeddings_norm = nn.LayerNorm(hidden, eps=eps)
        self.layers = nn.ModuleList(
            BertLayer(hidden, config["num_attention_heads"], config["intermediate_size"], eps)
            for _ in range(config["num_hidden_layers"])
        )

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
        width = input_ids.shape[1]
        x = (self.word_embeddings(input_ids) + self.position_embeddings.weight[:width]
             + self.token_type_embeddings.weight[0])
        x = self.embeddings_norm(x)
        attend = attention_mask.bool()[:, None, None, :]  # (batch, heads, query, key): keys that are real tokens
        for layer in self.layers:
            x = layer(x, attend)
        return x

    @classmethod
    def load(cls, path: str | Path) -> "BertEncoder":
        from safetensors.torch import load_file

        path = Path(path)
        config = json.loads((path / "config.json").read_text(encoding="utf-8"))
        model = cls(config)  # (a meta-device build would skip the random init, but imports torch._dynamo: slower)
        model.load_state_dict(_renamed(load_file(str(path / "model.safetensors")), config), assign=True)
        return model.eval()


def _renamed(weights: dict[str, torch.Tensor], config: dict) -> dict[str, torch.Tensor]:
    """transformers' BertModel names -> this module's, with query/key/value stacked into one."""
    w = {k.removeprefix("bert."): v for k, v in weights.items()}
    out = {
        "word_embeddings.weight": w["embeddings.word_embeddings.weight"],
        "position_embeddings.weight": w["embeddings.position_embeddings.weight"],
        "token_type_embeddings.weight": w["embeddings.token_type_embeddings.weight"],
        "embeddings_norm.weight": w["embeddings.LayerNorm.weight"],
        "embeddings_norm.bias": w["embeddings.LayerNorm.bias"],
    }
    for i in range(config["num_hidden_layers"]):
        src, dst = f"encoder.layer.{i}.", f"layers.{i}."
        for part in ("weight", "bias"):
            out[dst + "qkv." + part] = torch.cat([w[src + f"attention.self.{n}.{part}"] for n in ("query", "key", "value")])
            out[dst + "attention_out." + part] = w[src + "attention.output.dense." + part]
            out[dst + "attention_norm." + part] = w[src + "attention.output.LayerNorm." + part]
            out[dst + "intermediate." + part] = w[src + "intermediate.dense." + part]
            out[dst + "output." + part] = w[src + "output.dense." + part]
            out[dst + "output_norm." + part] = w[src + "output.LayerNorm." + part]
    return out
