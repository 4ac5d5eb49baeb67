"""`briefbot eval quotes`: the scorer follows the gold set's rule, and the command runs end to end."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections import Counter

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
    assert len(f1s) == 2
    ours, textacy = f1s
    assert ours > 0.5 and ours > textacy
    assert "attribute_quotes per article" in out
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
