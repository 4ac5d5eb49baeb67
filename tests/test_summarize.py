"""The extractive summary: article sentences, in order, within the length settings."""

from __future__ import annotations

import numpy as np
import pytest

import summarizer.summarize as summarize_module
from summarizer.models import get_nlp
from summarizer.engines import summarize
from summarizer.summarize import candidate_sentences, lead3
from tests.conftest import EXAMPLE

NEWS = (
    "By John Smith and Jane Doe . "
    "LONDON (CNN) -- The city council voted on Tuesday to close the old harbour bridge to all traffic from next month. "
    "Engineers found deep cracks in two of the bridge's steel supports during an inspection in March. "
    "Scroll down for video\n"
    "The old harbour bridge seen from the river at dusk\n"
    "\"It is simply not safe any more, and we cannot take that risk with people's lives.\" "
    "The council said a temporary ferry service would carry pedestrians across the harbour while repairs are made. "
    "Repairs are expected to cost about 40 million pounds and to take at least two years to complete. "
    "Local businesses on both banks said the closure would hurt trade during the busy summer season. "
    "A spokesman for the shop owners' association said members would ask the council for compensation. "
    "The bridge, which opened in 1894, carries about 20,000 vehicles a day across the harbour. "
    "Traffic will be diverted over the new ring road bridge two miles upstream, the council said."
)


@pytest.fixture(scope="module")
def nlp(settings):
    return get_nlp(settings.models)


@pytest.fixture
def count_embed_calls(monkeypatch, settings):
    """Wrap the real embedder so a test can see how often it was called."""
    real = summarize_module.get_embedder(settings.models)
    calls: list[int] = []

    class Counting:
        def encode(self, texts):
            calls.append(len(texts))
            return real.encode(texts)

    monkeypatch.setattr(summarize_module, "get_embedder", lambda _models: Counting())
    return calls


def _words(sentences: list[str]) -> int:
    return sum(len(s.split()) for s in sentences)


def test_summary_is_article_sentences_in_order(nlp, settings, count_embed_calls):
    doc = nlp(EXAMPLE.read_text(encoding="utf-8"))
    summary = summarize(doc, "Kremlin says Putin is ready to negotiate", settings)
    assert 2 <= len(summary) <= settings.summary.sentences["normal"]
    positions = [doc.text.index(s) for s in summary]
    assert positions == sorted(positions)
    assert all(s and s == s.strip() for s in summary)
    assert len(count_embed_calls) == 1


@pytest.mark.parametrize("length", ["short", "normal", "long"])
def test_length_settings_are_respected(nlp, settings, length):
    doc = nlp(NEWS)
    summary = summarize(doc, None, settings, length=length)
    assert 2 <= len(summary) <= settings.summary.sentences[length]
    assert _words(summary) <= settings.summary.words[length]
    assert all(s in doc.text for s in summary)


def test_length_defaults_to_settings(nlp, settings):
    doc = nlp(NEWS)
    short = settings.replace(summary={"length": "short"})
    assert summarize(doc, None, short) == summarize(doc, None, settings, length="short")


def test_a_tight_word_budget_still_gives_one_sentence(nlp, settings):
    doc = nlp(NEWS)
    tight = settings.replace(summary={"words": {"short": 5, "normal": 5, "long": 5}})
    summary = summarize(doc, None, tight)
    assert len(summary) == 1 and summary[0] in doc.text


def test_byline_dateline_caption_and_quote_only_are_skipped(nlp, settings):
    doc = nlp(NEWS)
    flagged = {c.text: c.furniture for c in candidate_sentences(doc)}
    assert flagged["By John Smith and Jane Doe ."]
    assert flagged["Scroll down for video"]
    assert flagged["The old harbour bridge seen from the river at dusk"]
    quote = "\"It is simply not safe any more, and we cannot take that risk with people's lives.\""
    assert flagged[quote]
    # the dateline is trimmed off, the rest of the sentence is kept
    lede = "The city council voted on Tuesday to close the old harbour bridge to all traffic from next month."
    assert flagged[lede] is False
    for length in ("short", "normal", "long"):
        summary = summarize(doc, None, settings, length=length)
        assert lede in summary
        assert not any(s.startswith(("By ", "LONDON", "Scroll", '"')) or "dusk" in s for s in summary)


def test_sentences_glued_by_extraction_are_split(nlp):
    text = (
        "Researchers found that most children tried new food at school.Half of the parents said their children "
        "asked for those foods at home.The survey asked about 1,000 parents in England."
    )
    texts = [c.text for c in candidate_sentences(nlp(text))]
    assert texts == [
        "Researchers found that most children tried new food at school.",
        "Half of the parents said their children asked for those foods at home.",
        "The survey asked about 1,000 parents in England.",
    ]


def test_title_pulls_a_matching_sentence_in(nlp, settings):
    doc = nlp(NEWS)
    title = "Shop owners want compensation for bridge closure"
    no_prior = settings.replace(summary={"position_weight": 0.0, "title_weight": 2.0})
    summary = summarize(doc, title, no_prior, length="short")
    assert any("compensation" in s for s in summary)


@pytest.mark.parametrize(
    "text",
    [
        "The mayor resigned on Monday after a week of protests in the city centre.",
        "The mayor resigned on Monday after a week of protests in the city centre. "
        "Her deputy will lead the council until an election is held in the spring.",
    ],
)
def test_one_or_two_sentence_article(nlp, settings, text):
    doc = nlp(text)
    summary = summarize(doc, None, settings)
    assert summary == [s.text for s in doc.sents]


def test_empty_doc(nlp, settings):
    assert summarize(nlp(""), None, settings) == []
    assert summarize(nlp("   \n  "), "A title", settings) == []
    assert lead3(nlp("")) == []


def test_lead3_is_the_first_three_sentences(nlp):
    doc = nlp(NEWS)
    first = [s.text.strip() for s in doc.sents][:3]
    assert lead3(doc) == first


def test_unknown_engine_or_length_is_an_error(nlp, settings):
    doc = nlp(NEWS)
    with pytest.raises(ValueError):
        summarize(doc, None, settings.replace(summary={"engine": "magic"}))
    with pytest.raises(ValueError):
        summarize(doc, None, settings, length="huge")


def test_redundant_sentences_are_not_both_chosen(nlp, settings, monkeypatch):
    """Two near-identical sentences (a caption repeating the lede) never both make the summary."""
    text = (
        "The council closed the harbour bridge on Tuesday because of cracks. "
        "The council closed the harbour bridge on Tuesday because of cracks in it. "
        "A ferry will carry pedestrians across the harbour during the repairs. "
        "Shop owners on both banks said they would ask for compensation."
    )
    doc = nlp(text)
    summary = summarize(doc, None, settings.replace(summary={"redundancy": 2.0}), length="short")
    assert len(summary) == 2
    assert sum("harbour bridge" in s for s in summary) == 1


def test_scores_are_finite_for_identical_sentences(nlp, settings, monkeypatch):
    class Same:
        def encode(self, texts):
            return np.ones((len(texts), 4), dtype=np.float32) / 2.0

    monkeypatch.setattr(summarize_module, "get_embedder", lambda _models: Same())
    doc = nlp(NEWS)
    summary = summarize(doc, "Bridge", settings)
    assert 2 <= len(summary) <= 3


def test_only_the_first_candidates_are_embedded(nlp, settings, count_embed_calls):
    doc = nlp(NEWS)
    capped = settings.replace(summary={"max_candidates": 4})
    summary = summarize(doc, "Harbour bridge", capped)
    assert count_embed_calls == [4 + 1]  # four sentences and the title, in one call
    usable = [c.text for c in candidate_sentences(doc) if not c.furniture][:4]
    assert set(summary) <= set(usable)
