"""`briefbot eval summaries` on a few articles of the shared gold set."""

from __future__ import annotations

import json

from summarizer.evaluation import summaries


def test_eval_summaries_on_a_few_articles(eval_dir, tmp_path, capsys):
    gold = eval_dir / "summaries" / "validation.jsonl"
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    sample = [next(r for r in rows if r["dataset"] == "cnndm"), next(r for r in rows if r["dataset"] == "xsum")]
    small = tmp_path / "gold.jsonl"
    small.write_text("".join(json.dumps(r) + "\n" for r in sample), encoding="utf-8")
    out = tmp_path / "report.json"

    assert summaries.main([str(small), "--json", str(out)]) == 0

    printed = capsys.readouterr().out
    assert "cnndm" in printed and "xsum" in printed and "lead3" in printed
    report = json.loads(out.read_text(encoding="utf-8"))
    assert report["articles"] == 2
    for part in report["datasets"].values():
        for system in ("engine", "lead3"):
            scores = part[system]
            assert 0 < scores["rouge1"] <= 100 and 0 <= scores["rouge2"] <= scores["rouge1"]
            assert scores["words"] > 0


def test_missing_gold_file_is_a_clear_error(tmp_path, capsys):
    assert summaries.main([str(tmp_path / "missing.jsonl")]) == 2
    assert "no gold file" in capsys.readouterr().err


def test_rouge_is_perfect_for_the_reference_itself():
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(list(summaries.METRICS), use_stemmer=True)
    reference = "The bridge is closed. A ferry runs instead."
    scores = summaries.rouge_f1(scorer, summaries.reference_sentences(reference), reference, lowercase=False)
    assert all(abs(v - 100.0) < 1e-6 for v in scores.values())
    assert summaries.reference_sentences(reference) == ["The bridge is closed.", "A ferry runs instead."]
