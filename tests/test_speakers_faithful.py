"""Faithfulness over every article of the evaluation sets: statements are the article's own words."""

from __future__ import annotations

import json

import pytest

from summarizer.models import get_nlp
from summarizer.speakers import attribute_quotes
from summarizer.speech.quotes import DOUBLE_ANY, SINGLE_ANY


def _articles(eval_dir) -> list[tuple[str, str]]:
    out = []
    for rel in ("quotes/dev.jsonl", "summaries/validation.jsonl"):
        path = eval_dir / rel
        if path.is_file():
            for line in path.read_text(encoding="utf-8").splitlines():
                if line.strip():
                    row = json.loads(line)
                    out.append((f"{rel}:{row['id']}", row["article"]))
    if not out:
        pytest.skip("no evaluation articles present")
    return out


def test_every_statement_is_an_exact_span_of_the_article(settings, eval_dir):
    nlp = get_nlp(settings.models)
    marks = set(DOUBLE_ANY + SINGLE_ANY)
    for name, text in _articles(eval_dir):
        doc = nlp(text)
        seen_starts = []
        for sp in attribute_quotes(doc, settings.speakers):
            assert sp.name.strip(), name
            starts = [q.start for q in sp.quotes]
            assert starts == sorted(starts), f"{name}: {sp.name}'s statements out of article order"
            seen_starts.append(starts[0])
            for q in sp.quotes:
                assert 0 <= q.start < q.end <= len(text), name
                assert text[q.start:q.end] == q.text, name
                assert q.text == q.text.strip(), name
                if q.direct:  # the words inside the marks, never the marks themselves
                    assert q.text[0] not in marks or q.text[0] in "'’" and q.text[1:2].isalpha(), (name, q.text)
                    assert q.cue is None or q.cue in text, name
        assert seen_starts == sorted(seen_starts), f"{name}: speakers not ordered by first statement"


@pytest.mark.parametrize("text", ["", "   ", '"', "“”", "'", '""""', "« »", "He said.", '"Unclosed quote, said Ann',
                                  "\n\n“Left open\n\n“And again,” she said.\n\n"])
def test_odd_inputs_do_not_break(settings, text):
    nlp = get_nlp(settings.models)
    for sp in attribute_quotes(nlp(text), settings.speakers):
        for q in sp.quotes:
            assert text[q.start:q.end] == q.text


hypothesis = pytest.importorskip("hypothesis")
from hypothesis import given, settings as hsettings, strategies as st  # noqa: E402

_WORDS = ["said", "told", "Smith", "Ann Lee", "he", "she", "the minister", "that", "according to", "we",
          "will", "win", ",", ".", ":", '"', "“", "”", "'", "‘", "’", "«", "»", "\n\n", "it's", "players'"]


@hsettings(max_examples=40, deadline=None)
@given(st.lists(st.sampled_from(_WORDS), max_size=40))
def test_any_mix_of_words_and_marks_gives_exact_spans(settings, words):
    text = " ".join(words)
    nlp = get_nlp(settings.models)
    for sp in attribute_quotes(nlp(text), settings.speakers):
        assert sp.name.strip()
        for q in sp.quotes:
            assert text[q.start:q.end] == q.text and q.start < q.end
