"""The hand-written Russian who-said-what gold (tests/data/ru/quotes_factrueval.jsonl) is well formed.

Every quote is an exact span of its article, the articles are the factRuEval-2016 texts unchanged, and the
fields follow ../shared/eval/quotes/README.md, so `briefbot eval quotes` can score against it like dev.jsonl.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import EVAL_DIR

GOLD = Path(__file__).parent / "data" / "ru" / "quotes_factrueval.jsonl"
SOURCE = EVAL_DIR / "ru" / "factrueval_dev.jsonl"
QUOTE_FIELDS = {"quote", "start", "end", "speaker", "named", "role", "direct", "cue"}
QUOTE_MARKS = "«»„“”\""


def load_gold() -> list[dict]:
    with GOLD.open(encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def test_gold_parses_with_the_dev_format():
    rows = load_gold()
    ids = [r["id"] for r in rows]
    assert len(rows) >= 25 and len(set(ids)) == len(ids)
    for r in rows:
        assert set(r) == {"id", "dataset", "article", "quotes"}, r["id"]
        assert r["dataset"] == "factrueval-dev" and r["id"].startswith("factrueval-devset-")
        for q in r["quotes"]:
            assert set(q) == QUOTE_FIELDS, (r["id"], q)
            assert isinstance(q["named"], bool) and isinstance(q["direct"], bool)
            assert isinstance(q["speaker"], str) and q["speaker"].strip()
            assert q["role"] is None or (isinstance(q["role"], str) and q["role"].strip())
            assert q["cue"] is None or q["cue"] in r["article"], (r["id"], q["cue"])


def test_every_offset_is_an_exact_span_and_spans_are_distinct():
    for r in load_gold():
        article, seen = r["article"], set()
        for q in r["quotes"]:
            assert 0 <= q["start"] < q["end"] <= len(article), (r["id"], q["quote"])
            assert article[q["start"]:q["end"]] == q["quote"], (r["id"], q["quote"])
            assert q["quote"] == q["quote"].strip(), (r["id"], q["quote"])
            assert (q["start"], q["end"]) not in seen, (r["id"], q["quote"])
            seen.add((q["start"], q["end"]))
        spans = sorted(seen)
        assert all(a[1] <= b[0] for a, b in zip(spans, spans[1:])), f"overlapping quotes in {r['id']}"


def _inside_marks(article: str, start: int) -> bool:
    """Whether `start` lies between an opening and its closing mark («» and „“ by depth, "" by parity)."""
    before = article[:start]
    return (before.count("«") > before.count("»") or before.count("„") > before.count("“")
            or before.count('"') % 2 == 1)


def test_direct_quotes_are_inside_their_marks_without_them():
    """A direct quote is the text between the quotation marks: inside a pair, the marks themselves never in the span."""
    for r in load_gold():
        for q in r["quotes"]:
            if q["direct"]:
                assert q["quote"][0] not in QUOTE_MARKS and q["quote"][-1] not in QUOTE_MARKS, (r["id"], q["quote"])
                assert _inside_marks(r["article"], q["start"]), (r["id"], q["quote"])


def test_set_covers_direct_indirect_unnamed_and_silent_articles():
    rows = load_gold()
    quotes = [q for r in rows for q in r["quotes"]]
    assert any(q["direct"] for q in quotes) and any(not q["direct"] for q in quotes)
    assert any(not q["named"] for q in quotes)
    assert any(not r["quotes"] for r in rows), "no silent article: the set must also test that nothing is invented"


def test_articles_are_the_factrueval_texts_unchanged():
    if not SOURCE.is_file():
        pytest.skip("../shared/eval/ru/factrueval_dev.jsonl is not present")
    with SOURCE.open(encoding="utf-8") as f:
        source = {d["id"]: d["text"] for d in map(json.loads, f)}
    for r in load_gold():
        assert r["id"] in source, r["id"]
        assert r["article"] == source[r["id"]], r["id"]
