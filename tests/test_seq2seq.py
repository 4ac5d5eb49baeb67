"""The abstractive engine on tiny random BART and T5 models built offline, and quote safety."""

from __future__ import annotations

from pathlib import Path

import pytest

import summarizer.seq2seq as seq2seq
from summarizer.models import get_nlp
from summarizer.seq2seq import chunk_sentences, invented_quotes, replace_invented_quotes
from summarizer.engines import summarize
from tests.conftest import EXAMPLE

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")


def _train_tokenizer(text: str, directory: Path, max_length: int):
    """A tiny byte-level BPE tokenizer trained on the example article (nothing downloaded)."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    tok = Tokenizer(models.BPE(unk_token="<unk>"))
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    trainer = trainers.BpeTrainer(
        vocab_size=300,
        special_tokens=["<pad>", "<s>", "</s>", "<unk>"],
        initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
    )
    tok.train_from_iterator([text], trainer)
    tok.post_processor = processors.TemplateProcessing(
        single="$A </s>", special_tokens=[("</s>", tok.token_to_id("</s>"))]
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        pad_token="<pad>",
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        model_max_length=max_length,
    )
    fast.save_pretrained(directory)
    return fast


@pytest.fixture(scope="module")
def tiny_models(tmp_path_factory) -> dict[str, Path]:
    import torch
    from transformers import BartConfig, BartForConditionalGeneration, T5Config, T5ForConditionalGeneration

    text = EXAMPLE.read_text(encoding="utf-8")
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("tiny-seq2seq")
    bart_dir, t5_dir = root / "bart", root / "t5"
    vocab = len(_train_tokenizer(text, bart_dir, max_length=64))
    BartForConditionalGeneration(
        BartConfig(
            vocab_size=vocab,
            d_model=16,
            encoder_layers=1,
            decoder_layers=1,
            encoder_attention_heads=2,
            decoder_attention_heads=2,
            encoder_ffn_dim=32,
            decoder_ffn_dim=32,
            max_position_embeddings=64,
            pad_token_id=0,
            bos_token_id=1,
            eos_token_id=2,
            decoder_start_token_id=2,
        )
    ).save_pretrained(bart_dir)
    _train_tokenizer(text, t5_dir, max_length=64)
    T5ForConditionalGeneration(
        T5Config(
            vocab_size=vocab,
            d_model=16,
            d_kv=8,
            d_ff=32,
            num_layers=1,
            num_decoder_layers=1,
            num_heads=2,
            pad_token_id=0,
            eos_token_id=2,
            decoder_start_token_id=0,
        )
    ).save_pretrained(t5_dir)
    return {"bart": bart_dir, "t5": t5_dir}


@pytest.fixture(scope="module")
def long_doc(settings):
    return get_nlp(settings.models)(EXAMPLE.read_text(encoding="utf-8"))


def _tiny_settings(settings, model_dir: Path):
    return settings.replace(
        summary={
            "engine": "seq2seq",
            "model": str(model_dir),
            "num_beams": 1,
            "max_new_tokens": 8,
            "min_new_tokens": 2,
            "time_budget_s": 600.0,
        }
    )


@pytest.mark.parametrize("kind", ["bart", "t5"])
def test_tiny_model_runs_the_whole_path_with_chunking(kind, tiny_models, long_doc, settings, monkeypatch):
    cfg = _tiny_settings(settings, tiny_models[kind])
    inputs: list[str] = []
    real_generate = seq2seq.generate

    def spy(tokenizer, model, text, max_length, summary_cfg):
        inputs.append(text)
        return real_generate(tokenizer, model, text, max_length, summary_cfg)

    monkeypatch.setattr(seq2seq, "generate", spy)
    summary = summarize(long_doc, None, cfg, length="short")
    assert isinstance(summary, list) and 1 <= len(summary) <= cfg.summary.sentences["short"]
    assert all(isinstance(s, str) and s for s in summary)
    # the article is far longer than the 64-token input: several chunks, then reduce steps
    tokenizer, _ = seq2seq.load_seq2seq(str(tiny_models[kind]))
    sentences = [s.text.strip() for s in long_doc.sents if s.text.strip()]
    n_chunks = len(chunk_sentences(sentences, tokenizer, limit=64))
    assert n_chunks > 3
    assert len(inputs) > n_chunks
    prefixed = [text.startswith("summarize: ") for text in inputs]
    assert all(prefixed) if kind == "t5" else not any(prefixed)


def test_model_is_loaded_once(tiny_models):
    first = seq2seq.load_seq2seq(str(tiny_models["bart"]))
    assert seq2seq.load_seq2seq(str(tiny_models["bart"])) is first


def test_time_budget_skips_remaining_chunks(tiny_models, long_doc, settings, monkeypatch):
    cfg = _tiny_settings(settings, tiny_models["bart"]).replace(summary={"time_budget_s": 0.0})
    calls: list[str] = []
    monkeypatch.setattr(seq2seq, "generate", lambda tok, model, text, n, c: calls.append(text) or "A short summary.")
    summary = summarize(long_doc, None, cfg)
    assert len(calls) == 1  # the first chunk only: never an empty summary, never over budget by more
    assert summary == ["A short summary."]


def test_chunks_follow_sentence_boundaries(tiny_models):
    tokenizer, _ = seq2seq.load_seq2seq(str(tiny_models["bart"]))
    sentences = ["One short sentence here.", "Another one follows it.", "A third sentence ends the text."]
    chunks = chunk_sentences(sentences, tokenizer, limit=12)
    assert " ".join(chunks) == " ".join(sentences)
    assert all(any(c.startswith(s) for s in sentences) for c in chunks)
    assert chunk_sentences(sentences, tokenizer, limit=10_000) == [" ".join(sentences)]


def test_missing_model_setting_is_a_clear_error(long_doc, settings):
    with pytest.raises(ValueError, match="model"):
        summarize(long_doc, None, settings.replace(summary={"engine": "seq2seq", "model": ""}))


# --- quote safety ---------------------------------------------------------------------------

ARTICLE = (
    "The minister said the plan was “ready to go” and would start in May. "
    "Critics called it 'a costly mistake' on Tuesday. Unions will meet next week."
)


@pytest.mark.parametrize(
    "sentence",
    [
        "The minister said the plan was “ready to go”.",
        'The minister said the plan was "Ready to go."',
        "Critics called the plan ‘a costly mistake’.",
        "The plan starts in May, the minister's office said.",
    ],
)
def test_quotes_from_the_article_are_kept(sentence):
    assert invented_quotes(sentence, ARTICLE) == []
    assert replace_invented_quotes([sentence], ARTICLE, [ARTICLE]) == [sentence]


@pytest.mark.parametrize(
    "sentence, quote",
    [
        ("The minister said the plan was “a triumph for everyone”.", "“a triumph for everyone”"),
        ('Critics said it was "doomed from the start".', '"doomed from the start"'),
        ("Unions called it «une catastrophe» on Tuesday.", "«une catastrophe»"),
        ("Critics called it ‘the worst idea in years’.", "‘the worst idea in years’"),
    ],
)
def test_invented_quotes_are_found(sentence, quote):
    assert invented_quotes(sentence, ARTICLE) == [quote]


def test_a_sentence_with_an_invented_quote_is_replaced_by_an_article_sentence():
    article_sentences = [
        "The minister said the plan was “ready to go” and would start in May.",
        "Critics called it 'a costly mistake' on Tuesday.",
        "Unions will meet next week.",
    ]
    summary = ["The minister said the plan was “a triumph” and starts in May.", "Unions will meet next week."]
    assert replace_invented_quotes(summary, ARTICLE, article_sentences) == [article_sentences[0], summary[1]]


def test_generated_invented_quote_never_reaches_the_summary(tiny_models, long_doc, settings, monkeypatch):
    cfg = _tiny_settings(settings, tiny_models["bart"])
    monkeypatch.setattr(
        seq2seq,
        "generate",
        lambda tok, model, text, n, c: "Putin is ready to negotiate with NATO. "
        "Peskov said Russia “will never accept defeat in Ukraine”.",
    )
    summary = summarize(long_doc, None, cfg, length="normal")
    assert summary[0] == "Putin is ready to negotiate with NATO."
    assert all("never accept defeat" not in s for s in summary)
    assert summary[1] in long_doc.text  # the extractive replacement


def test_empty_generation_falls_back_to_the_extractive_summary(tiny_models, long_doc, settings, monkeypatch):
    cfg = _tiny_settings(settings, tiny_models["bart"])
    monkeypatch.setattr(seq2seq, "generate", lambda tok, model, text, n, c: "")
    summary = summarize(long_doc, None, cfg)
    assert summary and all(s in long_doc.text for s in summary)
