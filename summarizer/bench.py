"""Speed benchmark: ``briefbot bench [--limit N] [--quick] [--json-out PATH]``.

A benchmark, not a test: it measures and prints, it asserts nothing. On the
articles of ``../shared/eval/summaries/validation.jsonl`` it reports

- cold start: a fresh ``briefbot brief FILE`` process, start to first output;
- warm latency per article (p50, p95) by length group and per stage, for pasted
  text and for the same text wrapped in a simple HTML page (fetch excluded);
- the floor: the models alone on the same texts (one spaCy parse plus one
  batched MiniLM embedding of the sentences), and the ratio pipeline / floor;
- throughput of ``briefbot batch`` (in-process, models warm) in articles/s;
- peak resident memory of this process (both models loaded) and of the
  cold-start process.

Every per-article time is the best of ``--repeats`` runs, for the pipeline and
the floor alike, so that load from other processes on a shared machine hurts
the ratio as little as possible. Results also go to a JSON file
(``--json-out``, default ``bench-results.json``) so runs can be compared.
"""

from __future__ import annotations

import argparse
import html
import io
import json
import os
import platform
import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .settings import PROJECT_ROOT, Settings, load_settings
from .textrules import SENTENCE_SPLIT

DEFAULT_INPUT = PROJECT_ROOT.parent / "shared" / "eval" / "summaries" / "validation.jsonl"
EXAMPLE_FILE = PROJECT_ROOT / "examples" / "peskov-lavrov.txt"
SHORT_WORDS = 400  # fewer words than this: "short"
LONG_WORDS = 1000  # more words than this: "long"
GROUPS = ("short", "medium", "long")

# Targets from the speed issue, printed next to the numbers they judge.
TARGET_MEDIUM_P50_MS = 400
TARGET_LONG_P95_MS = 1000
TARGET_RATIO = 1.3
TARGET_COLD_S = 5.0
TARGET_PEAK_MB = 800


@dataclass
class BenchArticle:
    id: str
    text: str
    joined: bool = False  # made by joining real articles, to have enough long ones

    @property
    def words(self) -> int:
        return len(self.text.split())

    @property
    def group(self) -> str:
        return length_group(self.words)


def length_group(words: int) -> str:
    if words < SHORT_WORDS:
        return "short"
    return "long" if words > LONG_WORDS else "medium"


def load_articles(path: Path, limit: int | None = None) -> list[BenchArticle]:
    """The articles of an eval JSONL file; with ``limit``, N spread evenly over the length range."""
    articles = []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                row = json.loads(line)
                # "article" in the summary sets, "text" in the Russian one (factrueval_dev.jsonl)
                articles.append(BenchArticle(id=str(row["id"]), text=row.get("article") or row["text"]))
    if limit is not None and limit < len(articles):
        by_length = sorted(articles, key=lambda a: a.words)
        if limit <= 1:
            return by_length[len(by_length) // 2 :][:limit]
        step = (len(by_length) - 1) / (limit - 1)
        return [by_length[int(i * step + 0.5)] for i in range(limit)]
    return articles


def joined_long_articles(articles: list[BenchArticle], count: int) -> list[BenchArticle]:
    """Long articles made by joining consecutive medium ones (the eval set has almost no long ones)."""
    out: list[BenchArticle] = []
    parts: list[BenchArticle] = []
    for article in (a for a in articles if a.group == "medium"):
        if len(out) >= count:
            break
        parts.append(article)
        if sum(p.words for p in parts) > LONG_WORDS:
            text = "\n\n".join(p.text for p in parts)
            out.append(BenchArticle(id="+".join(p.id for p in parts), text=text, joined=True))
            parts = []
    return out


# A sentence end, with or without the space the XSum texts lost between paragraphs.


def article_html(article: BenchArticle, sentences_per_paragraph: int = 3) -> str:
    """The article as a simple web page: a title, then its sentences in <p> paragraphs."""
    sentences = [s.strip() for s in SENTENCE_SPLIT.split(article.text) if s.strip()]
    paragraphs = [
        " ".join(sentences[i : i + sentences_per_paragraph]) for i in range(0, len(sentences), sentences_per_paragraph)
    ]
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    title = html.escape(" ".join(article.text.split()[:8]))
    return (
        "<!doctype html>\n<html><head><meta charset=\"utf-8\"><title>{t}</title></head>\n"
        "<body><nav><a href=\"/\">Home</a> <a href=\"/news\">News</a></nav>\n"
        "<article><h1>{t}</h1>\n{b}\n</article>\n<footer>© Example News</footer></body></html>\n"
    ).format(t=title, b=body)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (0-100) with linear interpolation, as numpy's default."""
    if not values:
        return None
    ordered = sorted(values)
    pos = (len(ordered) - 1) * q / 100
    lo = int(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def peak_rss_mb() -> float:
    """Peak resident memory of this process so far (VmHWM; ru_maxrss where /proc is missing)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _best_of(repeats: int, run: Callable[[], Any]) -> tuple[float, Any]:
    """The fastest of ``repeats`` runs, in ms, and the result of the last run."""
    best, result = float("inf"), None
    for _ in range(max(1, repeats)):
        t0 = time.perf_counter()
        result = run()
        best = min(best, (time.perf_counter() - t0) * 1000)
    return best, result


# --- cold start -------------------------------------------------------------------------------------------


def brief_command(path: Path) -> list[str]:
    """``briefbot brief PATH`` from the same environment as this process."""
    script = Path(sys.executable).parent / "briefbot"
    if script.is_file():
        return [str(script), "brief", str(path)]
    return [sys.executable, "-m", "summarizer", "brief", str(path)]


def measure_cold_start(path: Path, runs: int) -> dict[str, Any]:
    """Start ``briefbot brief`` ``runs`` times: time to the first byte of output, to exit, and peak memory."""
    first_output, exit_times, peaks, failures = [], [], [], []
    for _ in range(runs):
        t0 = time.perf_counter()
        proc = subprocess.Popen(brief_command(path), stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=PROJECT_ROOT)
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.read(1)  # blocks until the brief starts printing (or the process ends)
        t_first = time.perf_counter() - t0
        proc.stdout.read()
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        t_exit = time.perf_counter() - t0
        if proc.returncode != 0 or not first:
            failures.append(err.decode("utf-8", "replace").strip()[-500:] or f"exit status {proc.returncode}")
            continue
        first_output.append(t_first)
        exit_times.append(t_exit)
        peaks.append(usage.ru_maxrss / 1024)
    return {
        "file": str(path),
        "command": " ".join(brief_command(path)),
        "runs": runs,
        "first_output_s": [round(t, 3) for t in first_output],
        "exit_s": [round(t, 3) for t in exit_times],
        "median_first_output_s": _round(percentile(first_output, 50), 3),
        "median_exit_s": _round(percentile(exit_times, 50), 3),
        "peak_rss_mb": _round(max(peaks) if peaks else None, 1),
        "failures": failures,
    }


# --- warm latency and the floor ---------------------------------------------------------------------------


def floor_once(text: str, settings: Settings) -> dict[str, float]:
    """The models alone: one spaCy parse and one batched embedding of the parse's sentences (ms).

    Only the sentences the summarizer may embed count (``[summary] max_candidates`` from the top),
    so that the floor does no model work the pipeline is not asked to do. A Russian article's floor
    is natasha's parse alone (its sentence vectors are navec lookups, no model run).
    """
    from .languages.detect import detect_language
    from .models import get_embedder, get_nlp

    if detect_language(text) == "ru":
        from .languages.ru.parse import parse_russian

        t0 = time.perf_counter()
        parse_russian(text, settings.models.torch_threads)
        ms = (time.perf_counter() - t0) * 1000
        return {"parse": ms, "total": ms}

    nlp, embedder = get_nlp(settings.models), get_embedder(settings.models)
    limit = getattr(settings.summary, "max_candidates", 0) or None
    t0 = time.perf_counter()
    doc = nlp(text)
    t1 = time.perf_counter()
    embedder.encode([s.text.strip() for s in doc.sents if s.text.strip()][:limit])
    t2 = time.perf_counter()
    return {"parse": (t1 - t0) * 1000, "embed": (t2 - t1) * 1000, "total": (t2 - t0) * 1000}


def _best_timings(repeats: int, run: Callable[[], dict[str, float]]) -> dict[str, float]:
    """Per key, the smallest time over ``repeats`` runs."""
    best: dict[str, float] = {}
    for _ in range(max(1, repeats)):
        for key, ms in run().items():
            best[key] = min(best.get(key, float("inf")), ms)
    return best


def _brief_timings(make: Callable[[], Any]) -> dict[str, float]:
    brief = make()
    if brief.error:
        raise RuntimeError(f"{brief.error.code}: {brief.error.message}")
    return dict(brief.timings_ms)


def measure_articles(articles: list[BenchArticle], settings: Settings, repeats: int,
                     progress: Callable[[str], None]) -> list[dict[str, Any]]:
    """Per article: floor, pipeline on text, pipeline on HTML, measured back to back (same load)."""
    from .brief import Source, make_brief

    rows = []
    for n, article in enumerate(articles, 1):
        page = article_html(article)
        row: dict[str, Any] = {"id": article.id, "words": article.words, "group": article.group,
                               "joined": article.joined}
        row["floor_ms"] = _best_timings(repeats, lambda: floor_once(article.text, settings))
        for kind, source in (("text", Source(text=article.text)), ("html", Source(html=page))):
            try:
                row[f"{kind}_ms"] = _best_timings(repeats, lambda: _brief_timings(lambda: make_brief(source, settings)))
            except RuntimeError as exc:
                row[f"{kind}_error"] = str(exc)
        rows.append(row)
        progress(f"\r  articles {n}/{len(articles)}")
    progress("\n")
    return rows


def summarize_latency(rows: list[dict[str, Any]], kind: str) -> dict[str, Any]:
    """p50/p95 per length group and per stage for one kind of source ("text", "html", "floor")."""
    out: dict[str, Any] = {}
    for group in (*GROUPS, "all"):
        chosen = [r for r in rows if f"{kind}_ms" in r and (group == "all" or r["group"] == group)]
        if not chosen:
            continue
        stages = sorted({k for r in chosen for k in r[f"{kind}_ms"]}, key=_stage_order)
        out[group] = {
            "n": len(chosen),
            "joined": sum(r["joined"] for r in chosen),
            "stages": {
                stage: {
                    "p50": _round(percentile([r[f"{kind}_ms"][stage] for r in chosen if stage in r[f"{kind}_ms"]], 50)),
                    "p95": _round(percentile([r[f"{kind}_ms"][stage] for r in chosen if stage in r[f"{kind}_ms"]], 95)),
                }
                for stage in stages
            },
        }
    return out


def _stage_order(stage: str) -> tuple[int, str]:
    order = ("fetch", "extract", "parse", "embed", "summarize", "speakers", "total")
    return (order.index(stage) if stage in order else len(order) - 1, stage)


def floor_ratio(rows: list[dict[str, Any]], kind: str = "text") -> dict[str, Any]:
    """Pipeline time / floor time: over all articles (sum / sum) and the median of per-article ratios."""
    pairs = [(r[f"{kind}_ms"]["total"], r["floor_ms"]["total"]) for r in rows if f"{kind}_ms" in r]
    if not pairs:
        return {}
    per_article = [p / f for p, f in pairs if f > 0]
    out: dict[str, Any] = {
        "pipeline_ms_sum": _round(sum(p for p, _ in pairs)),
        "floor_ms_sum": _round(sum(f for _, f in pairs)),
        "ratio": _round(sum(p for p, _ in pairs) / sum(f for _, f in pairs), 3),
        "median_per_article": _round(percentile(per_article, 50), 3),
    }
    for group in GROUPS:
        g = [(r[f"{kind}_ms"]["total"], r["floor_ms"]["total"]) for r in rows if f"{kind}_ms" in r and r["group"] == group]
        if g:
            out[f"ratio_{group}"] = _round(sum(p for p, _ in g) / sum(f for _, f in g), 3)
    return out


# --- batch throughput -------------------------------------------------------------------------------------


def measure_batch(articles: list[BenchArticle], settings: Settings) -> dict[str, Any]:
    """``briefbot batch``'s loop (``sources.brief_many``, one JSON line per brief) on the articles
    as text, in this process (models already warm; no file or progress bar on the clock)."""
    from .sources import brief_many

    lines = [json.dumps({"id": a.id, "text": a.text}) for a in articles]
    out = io.StringIO()
    failed = 0
    t0 = time.perf_counter()
    for brief in brief_many(lines, settings):
        failed += brief.error is not None
        out.write(json.dumps(brief.to_dict(), ensure_ascii=False) + "\n")
    elapsed = time.perf_counter() - t0
    return {
        "articles": len(articles),
        "failed": failed,
        "seconds": round(elapsed, 3),
        "articles_per_s": round(len(articles) / elapsed, 3) if elapsed > 0 else None,
    }


# --- the run ----------------------------------------------------------------------------------------------


def _round(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def environment(settings: Settings) -> dict[str, Any]:
    """What the numbers depend on: machine, load, library versions, model settings, git commit."""
    import dataclasses

    info: dict[str, Any] = {
        "time_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": os.cpu_count(),
        "cpus_usable": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "load_avg": [round(x, 2) for x in os.getloadavg()],
        "models": dataclasses.asdict(settings.models),
    }
    try:
        info["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT_ROOT,
                                            capture_output=True, text=True, timeout=5).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        info["git_commit"] = None
    return info


def _model_info(settings: Settings) -> dict[str, Any]:
    import spacy
    import torch
    import transformers

    from .models import get_nlp

    return {
        "torch": torch.__version__,
        "torch_threads": torch.get_num_threads(),
        "transformers": transformers.__version__,
        "spacy": spacy.__version__,
        "spacy_pipes": list(get_nlp(settings.models).pipe_names),
    }


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="briefbot bench", description="Speed benchmark of the engine (prints and writes JSON).")
    p.add_argument("--input", type=Path, default=DEFAULT_INPUT, help="eval JSONL with an \"article\" field per line")
    p.add_argument("--limit", type=int, help="use N articles, spread evenly over the length range")
    p.add_argument("--quick", action="store_true", help="one repeat, 40 articles, one cold start (a rough look)")
    p.add_argument("--repeats", type=int, help="runs per article, best kept (default 2; 1 with --quick)")
    p.add_argument("--joined", type=int, help="extra long articles made by joining medium ones (default 8; 3 with --quick)")
    p.add_argument("--cold-runs", type=int, help="cold starts of `briefbot brief` (default 3; 1 with --quick; 0 skips)")
    p.add_argument("--cold-file", type=Path, default=EXAMPLE_FILE, help="file briefed by the cold starts")
    p.add_argument("--no-batch", action="store_true", help="skip the batch throughput run")
    p.add_argument("--json-out", type=Path, default=Path("bench-results.json"), help="where the JSON results go")
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    settings = load_settings()
    repeats = args.repeats or (1 if args.quick else 2)
    joined_count = args.joined if args.joined is not None else (3 if args.quick else 8)
    cold_runs = args.cold_runs if args.cold_runs is not None else (1 if args.quick else 3)
    limit = args.limit if args.limit is not None else (40 if args.quick else None)

    def progress(msg: str) -> None:
        print(msg, end="", file=sys.stderr, flush=True)

    if not args.input.is_file():
        print(f"briefbot bench: no such file: {args.input} (the eval data lives in ../shared/eval)", file=sys.stderr)
        return 2
    all_articles = load_articles(args.input)
    articles = load_articles(args.input, limit)
    articles += joined_long_articles(all_articles, joined_count)

    results: dict[str, Any] = {"environment": environment(settings), "repeats": repeats}

    # Cold start first, while this process holds no model and does no work that would compete with it.
    if cold_runs > 0 and args.cold_file.is_file():
        progress(f"cold start: {cold_runs} x briefbot brief {args.cold_file.name}\n")
        results["cold_start"] = measure_cold_start(args.cold_file, cold_runs)

    from .brief import Source, make_brief
    from .models import warm_up

    progress("loading models\n")
    t0 = time.perf_counter()
    warm_up(settings.models)
    results["models_load_s"] = round(time.perf_counter() - t0, 3)
    results["environment"].update(_model_info(settings))
    make_brief(Source(text=articles[0].text), settings)  # first-call costs (allocators, caches) off the clock
    results["peak_rss_mb_models_loaded"] = round(peak_rss_mb(), 1)

    if args.cold_file.is_file():  # the example file, warm (the lead asks for it next to its cold time)
        from .sources import read_source

        source = read_source(str(args.cold_file), settings)
        ms, brief = _best_of(max(3, repeats), lambda: make_brief(source, settings))
        results["example_warm"] = {"file": str(args.cold_file), "best_ms": round(ms, 1),
                                   "timings_ms": brief.timings_ms, "error": brief.error and brief.error.code}

    progress(f"warm latency and floor: {len(articles)} articles x {repeats} repeats\n")
    rows = measure_articles(articles, settings, repeats, progress)
    results["latency_text"] = summarize_latency(rows, "text")
    results["latency_html"] = summarize_latency(rows, "html")
    results["floor"] = summarize_latency(rows, "floor")
    results["ratio_text"] = floor_ratio(rows, "text")
    results["ratio_html"] = floor_ratio(rows, "html")
    results["errors"] = [{"id": r["id"], **{k: v for k, v in r.items() if k.endswith("_error")}}
                         for r in rows if any(k.endswith("_error") for k in r)]

    if not args.no_batch:
        progress(f"batch: {len(articles)} articles\n")
        results["batch"] = measure_batch(articles, settings)

    results["peak_rss_mb"] = round(peak_rss_mb(), 1)
    results["environment"]["load_avg_end"] = [round(x, 2) for x in os.getloadavg()]
    results["articles"] = rows

    print(format_report(results))
    args.json_out.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nresults -> {args.json_out}")
    return 0


# --- the printed report -----------------------------------------------------------------------------------


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.0f}"


def _verdict(ok: bool | None) -> str:
    return "" if ok is None else ("  [ok]" if ok else "  [MISSED]")


def format_report(results: dict[str, Any]) -> str:
    env = results["environment"]
    lines = [
        f"briefbot bench  {env['time_utc']}  commit {env.get('git_commit')}  python {env['python']}",
        f"cpus {env['cpus_usable']}/{env['cpus']}  load {env['load_avg']} -> {env.get('load_avg_end')}  "
        f"torch {env.get('torch')} ({env.get('torch_threads')} threads)  spaCy pipes {env.get('spacy_pipes')}",
        f"per-article times are the best of {results['repeats']} runs; models loaded in {results['models_load_s']} s",
        "",
    ]
    cold = results.get("cold_start")
    if cold:
        ok = None if cold["median_first_output_s"] is None else cold["median_first_output_s"] < TARGET_COLD_S
        lines.append(f"cold start ({cold['runs']} x {cold['command']}):")
        lines.append(f"  first output median {cold['median_first_output_s']} s  (runs {cold['first_output_s']}), "
                     f"exit median {cold['median_exit_s']} s, peak RSS {cold['peak_rss_mb']} MB"
                     f"{_verdict(ok)}  target < {TARGET_COLD_S} s")
        for failure in cold["failures"]:
            lines.append(f"  FAILED: {failure}")
    example = results.get("example_warm")
    if example:
        lines.append(f"warm brief of {Path(example['file']).name}: {example['best_ms']} ms  {example['timings_ms']}")
    lines.append("")

    for kind, title in (("latency_text", "warm latency, pasted text (ms)"), ("latency_html", "warm latency, HTML page (ms)"),
                        ("floor", "floor: models alone, one parse + one batched embedding (ms)")):
        table = results.get(kind) or {}
        stages = sorted({s for g in table.values() for s in g["stages"]}, key=_stage_order)
        lines.append(title)
        lines.append(f"  {'group':<20}{'n':>3} " + "".join(f"{s:>15}" for s in stages))
        lines.append(f"  {'':<24}" + "".join(f"{'p50 / p95':>15}" for _ in stages))
        for group, g in table.items():
            label = f"{group} ({g['joined']} joined)" if g["joined"] else group
            cells = "".join(
                f"{_ms(g['stages'][s]['p50']) + ' / ' + _ms(g['stages'][s]['p95']) if s in g['stages'] else '-':>15}"
                for s in stages
            )
            lines.append(f"  {label:<20}{g['n']:>3} {cells}")
        lines.append("")

    text = results.get("latency_text") or {}
    medium = text.get("medium", {}).get("stages", {}).get("total", {}).get("p50")
    long_ = text.get("long", {}).get("stages", {}).get("total", {}).get("p95")
    lines.append(f"medium p50 {_ms(medium)} ms{_verdict(None if medium is None else medium < TARGET_MEDIUM_P50_MS)}"
                 f"  target < {TARGET_MEDIUM_P50_MS};  long p95 {_ms(long_)} ms"
                 f"{_verdict(None if long_ is None else long_ < TARGET_LONG_P95_MS)}  target < {TARGET_LONG_P95_MS}")
    for kind in ("text", "html"):
        r = results.get(f"ratio_{kind}") or {}
        if r:
            groups = "  ".join(f"{g} {r[f'ratio_{g}']}" for g in GROUPS if f"ratio_{g}" in r)
            lines.append(f"pipeline / floor ({kind}): {r['ratio']}{_verdict(r['ratio'] <= TARGET_RATIO)}  "
                         f"target <= {TARGET_RATIO}  (per-article median {r['median_per_article']}; {groups})")
    batch = results.get("batch")
    if batch:
        lines.append(f"batch: {batch['articles']} articles in {batch['seconds']} s = {batch['articles_per_s']} articles/s"
                     f" ({batch['failed']} failed)")
    lines.append(f"peak RSS: {results['peak_rss_mb_models_loaded']} MB with both models loaded, "
                 f"{results['peak_rss_mb']} MB at the end of the run"
                 f"{_verdict(results['peak_rss_mb'] < TARGET_PEAK_MB)}  target < {TARGET_PEAK_MB} MB")
    for error in results.get("errors") or []:
        lines.append(f"ERROR on {error}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
