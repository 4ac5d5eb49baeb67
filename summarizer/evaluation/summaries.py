"""`briefbot eval summaries [GOLD.jsonl]`: ROUGE of the summary engine against Lead-3.

GOLD lines are ``{"id", "dataset", "article", "reference_detok", ...}`` (the layout of
``../shared/eval/summaries/validation.jsonl``). Each article is parsed once with the
project's spaCy model; the configured engine and the Lead-3 baseline (first three
sentences) are scored on the same parse. Printed per dataset: ROUGE-1, ROUGE-2 and
ROUGE-Lsum F1 (rouge-score, Porter stemmer; Lsum on sentences joined by newlines),
mean summary length in words next to the references', and the engine's time per
article without the parse. XSum references are lower-cased and tokenized, so that
part is scored lower-cased.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..settings import LENGTHS, PROJECT_ROOT, Settings, load_settings

DEFAULT_GOLD = PROJECT_ROOT.parent / "shared" / "eval" / "summaries" / "validation.jsonl"
LOWERCASE_DATASETS = {"xsum"}
METRICS = ("rouge1", "rouge2", "rougeLsum")

# Reference summaries are plain text; split them into sentences for ROUGE-Lsum.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'‘“(]?[A-Z0-9])")


@dataclass
class Scores:
    """Per-article ROUGE F1 (0-100) and summary lengths for one system on one dataset."""

    rouge: dict[str, list[float]] = field(default_factory=lambda: {m: [] for m in METRICS})
    words: list[int] = field(default_factory=list)

    def add(self, rouge: dict[str, float], words: int) -> None:
        for m in METRICS:
            self.rouge[m].append(rouge[m])
        self.words.append(words)

    def means(self) -> dict[str, float]:
        out = {m: round(statistics.fmean(v), 2) if v else 0.0 for m, v in self.rouge.items()}
        out["words"] = round(statistics.fmean(self.words), 1) if self.words else 0.0
        return out


def reference_sentences(reference: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(reference.strip()) if s]


def rouge_f1(scorer: Any, summary: list[str], reference: str, lowercase: bool) -> dict[str, float]:
    """ROUGE F1 x 100 of one summary (a list of sentences) against one reference text."""
    prediction = "\n".join(s.strip() for s in summary)
    target = "\n".join(reference_sentences(reference))
    if lowercase:
        prediction, target = prediction.lower(), target.lower()
    result = scorer.score(target, prediction)
    return {m: 100.0 * result[m].fmeasure for m in METRICS}


def read_gold(path: Path, limit: int | None = None) -> list[dict[str, Any]]:
    rows = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                rows.append(json.loads(line))
    return rows[:limit] if limit else rows


def evaluate(rows: list[dict[str, Any]], settings: Settings, length: str | None = None) -> dict[str, Any]:
    """Score the engine and Lead-3 on every row; returns the report as a dict."""
    from rouge_score import rouge_scorer

    from ..models import get_nlp
    from ..engines import summarize
    from ..summarize import lead3

    scorer = rouge_scorer.RougeScorer(list(METRICS), use_stemmer=True)
    nlp = get_nlp(settings.models)
    systems: dict[str, dict[str, Scores]] = {"engine": {}, "lead3": {}}
    reference_words: dict[str, list[int]] = {}
    engine_ms: list[float] = []
    for row in rows:
        dataset = row.get("dataset") or "all"
        reference = row.get("reference_detok") or row.get("reference") or ""
        doc = nlp(row["article"])
        t0 = time.perf_counter()
        summary = summarize(doc, row.get("title"), settings, length=length)
        engine_ms.append((time.perf_counter() - t0) * 1000)
        lowercase = dataset in LOWERCASE_DATASETS
        for name, sentences in (("engine", summary), ("lead3", lead3(doc))):
            words = sum(len(s.split()) for s in sentences)
            systems[name].setdefault(dataset, Scores()).add(rouge_f1(scorer, sentences, reference, lowercase), words)
        reference_words.setdefault(dataset, []).append(len(reference.split()))
    report: dict[str, Any] = {
        "engine": settings.summary.engine,
        "length": length or settings.summary.length,
        "articles": len(rows),
        # the first article pays for loading the models; leave it out when there are others
        "engine_ms_per_article": round(statistics.fmean(engine_ms[1:] or engine_ms), 1) if engine_ms else 0.0,
        "datasets": {},
    }
    for dataset, ref_words in reference_words.items():
        report["datasets"][dataset] = {
            "articles": len(ref_words),
            "reference_words": round(statistics.fmean(ref_words), 1),
            "engine": systems["engine"][dataset].means(),
            "lead3": systems["lead3"][dataset].means(),
        }
    return report


def format_report(report: dict[str, Any]) -> str:
    lines = [
        f"engine={report['engine']} length={report['length']} articles={report['articles']} "
        f"engine time {report['engine_ms_per_article']} ms/article (spaCy parse excluded)"
    ]
    for dataset, part in report["datasets"].items():
        lines.append(f"\n{dataset}: {part['articles']} articles, references {part['reference_words']} words on average")
        lines.append(f"  {'system':<8} {'R-1':>6} {'R-2':>6} {'R-Lsum':>7} {'words':>6}")
        for name in ("engine", "lead3"):
            m = part[name]
            lines.append(f"  {name:<8} {m['rouge1']:>6.2f} {m['rouge2']:>6.2f} {m['rougeLsum']:>7.2f} {m['words']:>6.1f}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval summaries", description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD), help=f"gold JSONL (default {DEFAULT_GOLD})")
    parser.add_argument("--json", metavar="OUT", help="also write the report as JSON to OUT")
    parser.add_argument("--length", choices=LENGTHS, help="summary length (default: settings)")
    parser.add_argument("--limit", type=int, help="score only the first N articles")
    parser.add_argument("--config", help="a TOML settings file (e.g. to pick the seq2seq engine)")
    args = parser.parse_args(argv)
    gold = Path(args.gold)
    if not gold.is_file():
        print(f"briefbot: no gold file at {gold}", file=sys.stderr)
        return 2
    settings = load_settings(config_path=args.config)
    report = evaluate(read_gold(gold, args.limit), settings, args.length)
    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0
