"""How the models are run: batching by token budget, number formats, and what encode returns."""

from __future__ import annotations

import numpy as np
import pytest

from summarizer.models import SentenceEmbedder, embedder_path, get_embedder, resolve_dtype, token_budget_batches


def test_batches_cover_every_index_once_within_the_budget():
    lengths = [5, 40, 12, 12, 300, 7, 33, 8, 9, 10]
    batches = token_budget_batches(lengths, max_tokens=64, max_rows=4)
    assert sorted(i for b in batches for i in b) == list(range(len(lengths)))
    for batch in batches:
        assert len(batch) <= 4
        assert len(batch) == 1 or max(lengths[i] for i in batch) * len(batch) <= 64
    assert [4] in batches  # longer than the budget: alone


def test_batches_group_similar_lengths():
    lengths = [10, 100, 11, 101, 12, 102]
    batches = token_budget_batches(lengths, max_tokens=400, max_rows=64)
    assert [sorted(lengths[i] for i in b) for b in batches] == [[10, 11, 12, 100], [101, 102]]


def test_unknown_dtype_is_refused():
    with pytest.raises(ValueError):
        resolve_dtype("float8")
    assert resolve_dtype("auto") in ("float32", "bfloat16")


def test_encode_is_normalized_in_input_order_and_batch_independent(settings):
    embedder = get_embedder(settings.models)
    texts = ["The minister resigned on Tuesday after weeks of pressure.", "Rain is expected.",
             "Shares fell sharply in early trading in London, Paris and Frankfurt as investors fled.", ""]
    vectors = embedder.encode(texts)
    assert vectors.shape == (4, embedder.hidden_size) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-3)
    one_by_one = np.vstack([embedder.encode([t]) for t in texts])
    assert np.allclose(vectors, one_by_one, atol=2e-2)  # padding and batching do not change a vector
    assert embedder.encode([]).shape == (0, embedder.hidden_size)


def test_bfloat16_stays_close_to_float32(settings):
    path = embedder_path(settings.models)
    texts = ["The minister resigned on Tuesday after weeks of pressure.",
             "Shares fell sharply in early trading as investors fled."]
    full = SentenceEmbedder(path, dtype="float32").encode(texts)
    half = SentenceEmbedder(path, dtype="bfloat16").encode(texts)
    assert float((full * half).sum(1).min()) > 0.99


def test_plain_torch_bert_matches_transformers(settings):
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from summarizer.bert import BertEncoder, is_supported

    path = embedder_path(settings.models)
    assert is_supported(path)
    ours = BertEncoder.load(path)
    theirs = transformers.AutoModel.from_pretrained(path).eval()
    input_ids = torch.tensor([[101, 7592, 2088, 2003, 1037, 3231, 102], [101, 7592, 102, 0, 0, 0, 0]])
    mask = (input_ids != 0).long()
    with torch.inference_mode():
        a = ours(input_ids=input_ids, attention_mask=mask)
        b = theirs(input_ids=input_ids, attention_mask=mask).last_hidden_state
    real = mask.bool()
    assert torch.allclose(a[real], b[real], atol=1e-4)


def test_a_non_bert_directory_is_not_taken_for_one(tmp_path):
    from summarizer.bert import is_supported

    assert not is_supported(tmp_path)
    (tmp_path / "config.json").write_text('{"model_type": "mpnet"}')
    assert not is_supported(tmp_path)
