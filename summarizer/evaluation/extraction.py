"""``briefbot eval extraction [DIR]``: how well extract_article finds the article body.

DIR (default ``../shared/eval/extraction`` from the project root) holds
``ground-truth.json`` ({sha256: {"articleBody", "url"}}) and ``html/<sha256>.html.gz``.
The metric is the article-extraction-benchmark's: ``\\w+`` tokens (case-sensitive),
multisets of 4-token shingles, precision and recall per page, averaged over pages,
F1 of the two averages. A page where extraction fails counts as precision 0, recall 0
(the benchmark's own convention for empty output).
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import sys
from collections import Counter
from pathlib import Path

from ..errors import BriefError
from ..settings import PROJECT_ROOT, ExtractSettings

DEFAULT_DIR = PROJECT_ROOT / ".." / "shared" / "eval" / "extraction"
SHINGLE = 4


def shingles(text: str, size: int = SHINGLE) -> Counter:
    tokens = re.findall(r"\w+", text)
    return Counter(tuple(tokens[i : i + size]) for i in range(max(len(tokens) - size + 1, 0)))


def precision_recall(predicted: str, gold: str) -> tuple[float, float]:
    pred, true = shingles(predicted), shingles(gold)
    overlap = sum((pred & true).values())
    precision = overlap / sum(pred.values()) if pred else 0.0
    recall = overlap / sum(true.values()) if true else 0.0
    # The benchmark scores empty-vs-empty as a perfect page.
    if not pred and not true:
        return 1.0, 1.0
    return precision, recall


def evaluate(directory: Path, settings: ExtractSettings | None = None, verbose: bool = False) -> dict[str, float]:
    from ..extract import extract_article

    settings = settings or ExtractSettings(min_chars=1)
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    precisions, recalls, failures = [], [], 0
    for key, item in sorted(truth.items()):
        html = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
        try:
            text = extract_article(html, item.get("url"), settings).text
        except BriefError:
            text, failures = "", failures + 1
        p, r = precision_recall(text, item["articleBody"])
        precisions.append(p)
        recalls.append(r)
        if verbose:
            print(f"{key[:12]}  P={p:.3f} R={r:.3f}  {item.get('url', '')}")
    precision = sum(precisions) / len(precisions)
    recall = sum(recalls) / len(recalls)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"pages": len(precisions), "failed": failures, "precision": precision, "recall": recall, "f1": f1}


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval extraction", description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="benchmark directory")
    parser.add_argument("-v", "--verbose", action="store_true", help="print every page's scores")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    if not (directory / "ground-truth.json").is_file():
        print(f"no extraction benchmark at {directory}", file=sys.stderr)
        return 2
    result = evaluate(directory, verbose=args.verbose)
    print(
        f"pages={result['pages']} failed={result['failed']} "
        f"precision={result['precision']:.4f} recall={result['recall']:.4f} f1={result['f1']:.4f}"
    )
    return 0
