"""`briefbot eval quotes`: the scorer follows the gold set's rule, and the command runs end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

import pytest

from summarizer.evaluation import quotes as evalq

ARTICLE = 'Police said the road was closed. "We expect delays," Chief Ann Lee told reporters.'
GOLD = {
    "a1": {
        "id": "a1",
        "article": ARTICLE,
        "quotes": [
            {"quote": "the road was closed", "start": 12, "end": 31, "speaker": "Police", "named": False,
             "direct": False},
            {"quote": "We expect delays,", "start": 34, "end": 51, "speaker": "Ann Lee", "named": True,
             "direct": True},
        ],
    }
}


def test_scorer_counts_matches_and_speakers():
    pred = {"a1": {"id": "a1", "speakers": [
        {"name": "police", "quotes": [{"text": "the road was closed", "direct": False}]},
        {"name": "Ann Smith", "quotes": [{"text": "We expect delays", "direct": True}]},  # wrong speaker
        {"name": "Bob", "quotes": [{"text": "nothing like this", "direct": True}]},  # no match
    ]}}
    c = evalq.score(GOLD, pred)
    f = evalq.figures(c)
    assert (c["gold"], c["pred"], c["match"], c["right"]) == (2, 3, 2, 1)
    assert f["quote_recall"] == 1.0 and abs(f["quote_precision"] - 2 / 3) < 1e-9
    assert f["speaker_accuracy"] == 0.5


def test_speaker_rule_uses_last_name_and_content_words():
    assert evalq.speaker_ok("Barack Obama", {"speaker": "President Obama", "named": True})
    assert not evalq.speaker_ok("Michelle", {"speaker": "Barack Obama", "named": True})
    assert evalq.speaker_ok("one witness", {"speaker": "a witness", "named": False})


def test_quote_placed_by_normalised_marks():
    art = "He said “we will win” today."
    spans = evalq._place('we will win"', art, evalq._norm(art))
    assert spans and art[spans[0][0]:spans[0][1]].startswith("we will win")


def test_eval_quotes_command_on_dev(eval_dir, tmp_path):
    gold = eval_dir / "quotes" / "dev.jsonl"
    pred_out = tmp_path / "pred.jsonl"
    proc = subprocess.run([sys.executable, "-m", "summarizer", "eval", "quotes", str(gold), "--pred-out",
                           str(pred_out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "== briefbot" in out and "== textacy" in out
    f1s = [float(x) for x in re.findall(r"F1 ([0-9.]+)", out)]
    assert len(f1s) == 3  # ours on all statements, ours on what the brief shows, textacy
    ours, shown, textacy = f1s
    assert ours > 0.5 and ours > textacy
    assert "attribute_quotes per article" in out
    assert shown > 0.5 and "what the brief shows" in out
    assert re.search(r"reported_clause +\d+ +[0-9.]+ +[0-9.]+ +[0-9.]+", out)  # a row per construction
    assert "non-person speakers" in out
    # the predictions file is what the gold's own score.py reads
    rows = [json.loads(line) for line in pred_out.read_text(encoding="utf-8").splitlines()]
    assert len(rows) == sum(1 for line in gold.read_text(encoding="utf-8").splitlines() if line.strip())
    assert all({"id", "speakers"} <= set(r) for r in rows)
    score_py = eval_dir / "quotes" / "score.py"
    if score_py.is_file():  # our scorer prints the same figures as the gold set's own
        theirs = subprocess.run([sys.executable, str(score_py), str(gold), str(pred_out)], capture_output=True,
                                text=True, timeout=120).stdout.strip().splitlines()
        ours_block = out.split("== briefbot")[1].splitlines()[1:5]
        assert ours_block == theirs
    counts = Counter(q["direct"] for r in rows for s in r["speakers"] for q in s["quotes"])
    assert counts[True] > 0 and counts[False] > 0


def test_breakdown_per_construction_and_non_person_speakers():
    b = evalq.Breakdown()
    gold = [("the road was closed for repairs", lambda name: "police" in name.lower()),
            ("We expect long delays today", lambda name: "lee" in name.lower())]
    speakers = [
        {"name": "Police", "quotes": [{"text": "the road was closed for repairs", "rule": "reported_clause"}]},
        {"name": "Ann Smith", "quotes": [{"text": "We expect long delays today", "rule": "quote_then_cue"}]},
        {"name": "the tanks", "quotes": [{"text": "nothing like this at all", "rule": "reported_clause"}]},
    ]
    b.add(speakers, gold, entity_words={"police", "ann", "smith"})
    c = b.c
    assert (c["pred:reported_clause"], c["match:reported_clause"], c["right:reported_clause"]) == (2, 1, 1)
    assert (c["pred:quote_then_cue"], c["right:quote_then_cue"], c["found:reported_clause"]) == (1, 0, 1)
    assert c["non_person"] == 1  # "the tanks": no gold statement, no PERSON/ORG entity; Ann Smith is one
    assert "reported_clause" in b.report()


def test_shown_keeps_only_what_the_brief_shows():
    speakers = [{"name": "A", "quotes": [{"text": "x", "shown": True}, {"text": "y", "shown": False}]},
                {"name": "the report", "quotes": [{"text": "z", "kind": "source", "shown": False}]}]
    assert evalq.shown(speakers) == [{"name": "A", "quotes": [{"text": "x", "shown": True}]}]


def test_eval_quotes_command_on_polnear(eval_dir):
    if not (eval_dir / "quotes" / "polnear" / "score_polnear.py").is_file():
        pytest.skip("no PolNeAR gold")
    proc = subprocess.run([sys.executable, "-m", "summarizer", "eval", "quotes", "--set", "polnear", "--limit", "2",
                           "--no-baseline"], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "PolNeAR train, 2 articles" in out and "SUMMARY quotes:" in out  # score_polnear.py's own report
    assert "every quote counted as direct" in out and "what the brief shows" in out
