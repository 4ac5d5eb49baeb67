"""``briefbot eval extraction [DIR]``: how well extract_article finds the article body, beside trafilatura.

DIR (default ``../shared/eval/extraction`` from the project root) holds two sets, each scored for
the engine and, in the same run on the same decoded HTML, for trafilatura with
``include_comments=False`` and with its defaults:

- **scrapinghub**: ``ground-truth.json`` ({sha256: {"articleBody", "url"}}) and
  ``html/<sha256>.html.gz``. The article-extraction-benchmark's metric: ``\\w+`` tokens
  (case-sensitive), multisets of 4-token shingles, precision and recall per page, averaged over
  pages, F1 of the two averages. A refused page scores precision 0, recall 0 (the benchmark's
  convention for empty output).
- **trafilatura_pages**: ``trafilatura_pages/pages.jsonl`` (``{"url", "html_file", "with",
  "without"}``). trafilatura's own scoring: a "with" snippet found in the text is a true
  positive, missing a false negative; a "without" snippet found is a false positive, absent a
  true negative; counts summed over pages. A refused page scores as empty text.

Then the pages where the engine loses to trafilatura (``include_comments=False``) are listed,
worst first, with what the engine missed or kept, so a regression is one look away.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..errors import BriefError
from ..settings import PROJECT_ROOT, ExtractSettings

DEFAULT_DIR = PROJECT_ROOT / ".." / "shared" / "eval" / "extraction"
SHINGLE = 4
TRAFILATURA_SET = "trafilatura_pages"


# ------------------------------------------------------------------------------ metrics


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


_WHITESPACE = re.compile(r"\s+")


def _squeeze(text: str) -> str:
    """Whitespace runs as one space: a snippet spanning a line break still matches."""
    return _WHITESPACE.sub(" ", text).strip()


def snippet_counts(text: str, with_: list[str], without: list[str]) -> Counter:
    """trafilatura's per-page counts: tp/fn over the must-have snippets, fp/tn over the must-nots."""
    squeezed = _squeeze(text)
    counts: Counter = Counter()
    for snippet in with_:
        counts["tp" if _squeeze(snippet) in squeezed else "fn"] += 1
    for snippet in without:
        counts["fp" if _squeeze(snippet) in squeezed else "tn"] += 1
    return counts


def f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


# ------------------------------------------------------------------------------ extractors

Extractor = Callable[[str, "str | None"], str]


def engine_extractor(settings: ExtractSettings | None = None) -> Extractor:
    from ..extract import extract_article

    settings = settings or ExtractSettings(min_chars=1)

    def run(html: str, url: str | None) -> str:
        return extract_article(html, url, settings).text

    return run


def trafilatura_extractor(**options) -> Extractor:
    import trafilatura

    def run(html: str, url: str | None) -> str:
        return trafilatura.extract(html, url=url, **options) or ""

    return run


def extractors(with_trafilatura: bool) -> dict[str, Extractor]:
    found = {"engine": engine_extractor()}
    if with_trafilatura:
        found["trafilatura"] = trafilatura_extractor(include_comments=False)
        found["trafilatura-defaults"] = trafilatura_extractor()
    return found


@dataclass
class Run:
    """One extractor's texts on one set, in page order."""

    texts: list[str] = field(default_factory=list)
    refused: int = 0
    millis: list[float] = field(default_factory=list)


def _extract_all(pages: list[tuple[str, str | None]], extract: Extractor) -> Run:
    run = Run()
    for html, url in pages:
        t0 = time.perf_counter()
        try:
            text = extract(html, url)
        except BriefError:
            text = ""
        except Exception:  # trafilatura's own failures count as empty output, as the benchmark does
            text = ""
        run.millis.append((time.perf_counter() - t0) * 1000)
        run.refused += not text
        run.texts.append(text)
    return run


# ------------------------------------------------------------------------------ the two sets


def _decode(raw: bytes) -> str:
    from ..sniff import decode_body

    try:
        return decode_body(raw, None)
    except BriefError:
        return raw.decode("utf-8", "replace")


@dataclass
class Page:
    key: str
    url: str | None
    html: str
    gold: str | None = None  # scrapinghub: the article body
    with_: list[str] = field(default_factory=list)  # trafilatura_pages: the snippets
    without: list[str] = field(default_factory=list)


def load_scrapinghub(directory: Path, limit: int | None = None) -> list[Page]:
    truth = json.loads((directory / "ground-truth.json").read_text(encoding="utf-8"))
    pages = []
    for key, item in sorted(truth.items())[:limit]:
        raw = gzip.decompress((directory / "html" / f"{key}.html.gz").read_bytes())
        pages.append(Page(key[:12], item.get("url"), _decode(raw), gold=item["articleBody"]))
    return pages


def load_trafilatura_pages(directory: Path, limit: int | None = None) -> list[Page]:
    pages = []
    with (directory / "pages.jsonl").open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                break
            item = json.loads(line)
            raw = gzip.decompress((directory / item["html_file"]).read_bytes())
            pages.append(Page(item["html_file"], item.get("url"), _decode(raw),
                              with_=item.get("with") or [], without=item.get("without") or []))
    return pages


def score_scrapinghub(pages: list[Page], run: Run) -> dict[str, float]:
    scores = [precision_recall(text, page.gold or "") for page, text in zip(pages, run.texts)]
    precision = sum(p for p, _ in scores) / len(scores)
    recall = sum(r for _, r in scores) / len(scores)
    return _summary(run, precision=precision, recall=recall, f1=f1(precision, recall))


def score_trafilatura_pages(pages: list[Page], run: Run) -> dict[str, float]:
    total: Counter = Counter()
    for page, text in zip(pages, run.texts):
        total += snippet_counts(text, page.with_, page.without)
    tp, fp, fn, tn = (total[k] for k in ("tp", "fp", "fn", "tn"))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    return _summary(run, precision=precision, recall=recall, f1=f1(precision, recall),
                    accuracy=(tp + tn) / max(tp + fp + fn + tn, 1))


def _summary(run: Run, **scores: float) -> dict[str, float]:
    return {"pages": len(run.texts), "refused": run.refused, **scores,
            "median_ms": statistics.median(run.millis) if run.millis else 0.0,
            "max_ms": max(run.millis, default=0.0)}


def page_score(page: Page, text: str) -> float:
    """One page's score, to compare two extractors on it: F1 of shingles, or snippets right."""
    if page.gold is not None:
        return f1(*precision_recall(text, page.gold))
    counts = snippet_counts(text, page.with_, page.without)
    return (counts["tp"] + counts["tn"]) / max(sum(counts.values()), 1)


def losses(pages: list[Page], engine: Run, other: Run, margin: float = 0.02) -> list[tuple[float, Page, str]]:
    """Pages where the engine scores below ``other`` by more than ``margin``, worst first, with why."""
    found = []
    for page, mine, theirs in zip(pages, engine.texts, other.texts):
        gap = page_score(page, theirs) - page_score(page, mine)
        if gap <= margin:
            continue
        if page.gold is not None:
            p, r = precision_recall(mine, page.gold)
            why = "refused" if not mine else f"P={p:.2f} R={r:.2f}"
        else:
            why = "refused" if not mine else _snippet_diff(page, mine, theirs)
        found.append((gap, page, why))
    return sorted(found, key=lambda item: -item[0])


def _snippet_diff(page: Page, mine: str, theirs: str) -> str:
    mine_s, theirs_s = _squeeze(mine), _squeeze(theirs)
    missed = [s for s in page.with_ if _squeeze(s) not in mine_s and _squeeze(s) in theirs_s]
    kept = [s for s in page.without if _squeeze(s) in mine_s and _squeeze(s) not in theirs_s]
    parts = [f"missed {s[:50]!r}" for s in missed[:2]] + [f"kept {s[:50]!r}" for s in kept[:2]]
    return "; ".join(parts)


SETS = {
    "scrapinghub": (lambda d, limit: load_scrapinghub(d, limit), score_scrapinghub),
    TRAFILATURA_SET: (lambda d, limit: load_trafilatura_pages(d / TRAFILATURA_SET, limit), score_trafilatura_pages),
}


def evaluate(directory: Path, which: str, *, with_trafilatura: bool = True, limit: int | None = None,
             show_losses: int = 20, out=sys.stdout) -> dict[str, dict[str, float]]:
    """Score every extractor on one set, print a table and the engine's losses; return the scores."""
    load, score = SETS[which]
    pages = load(directory, limit)
    runs = {name: _extract_all([(p.html, p.url) for p in pages], extract)
            for name, extract in extractors(with_trafilatura).items()}
    results = {name: score(pages, run) for name, run in runs.items()}
    print(f"== {which} ({len(pages)} pages)", file=out)
    for name, r in results.items():
        extra = f" accuracy={r['accuracy']:.4f}" if "accuracy" in r else ""
        print(f"{name:<22} refused={r['refused']:<3} precision={r['precision']:.4f} recall={r['recall']:.4f} "
              f"f1={r['f1']:.4f}{extra}  median={r['median_ms']:.0f}ms max={r['max_ms']:.0f}ms", file=out)
    if "trafilatura" in runs and show_losses:
        lost = losses(pages, runs["engine"], runs["trafilatura"])
        print(f"-- engine below trafilatura on {len(lost)} pages"
              + (f" (worst {show_losses})" if len(lost) > show_losses else ""), file=out)
        for gap, page, why in lost[:show_losses]:
            print(f"  -{gap:.2f}  {page.key[:40]:<40} {why}  {page.url or ''}", file=out)
    return results


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval extraction", description=__doc__.split("\n")[0])
    parser.add_argument("dir", nargs="?", default=str(DEFAULT_DIR), help="evaluation directory")
    parser.add_argument("--set", choices=[*SETS, "both"], default="both", help="which set to score")
    parser.add_argument("--engine-only", action="store_true", help="skip trafilatura (faster)")
    parser.add_argument("--limit", type=int, default=None, help="score only the first N pages of each set")
    parser.add_argument("--losses", type=int, default=20, help="list at most this many losing pages (0: none)")
    args = parser.parse_args(argv)
    directory = Path(args.dir)
    which = list(SETS) if args.set == "both" else [args.set]
    present = [w for w in which if (directory / "ground-truth.json").is_file() or w != "scrapinghub"]
    present = [w for w in present if w != TRAFILATURA_SET or (directory / TRAFILATURA_SET / "pages.jsonl").is_file()]
    if not present:
        print(f"no extraction evaluation data at {directory}", file=sys.stderr)
        return 2
    for name in present:
        evaluate(directory, name, with_trafilatura=not args.engine_only, limit=args.limit, show_losses=args.losses)
    return 0
