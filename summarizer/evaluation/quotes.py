"""`briefbot eval quotes [GOLD.jsonl] [--pred-out PRED.jsonl]`: who-said-what against gold.

Runs our engine (``attribute_quotes`` on one spaCy parse of each gold article's
text) and, on the same parse, textacy's ``direct_quotations`` as a baseline, and
prints for both the figures of the gold set's scoring rule (the ``score.py`` that
ships with the gold, reimplemented here so the installed package needs nothing
from ``../shared``): quote precision/recall (direct and indirect recall), speaker
accuracy on matched quotes, attribution P/R/F1.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import time
from collections import Counter
from pathlib import Path
from typing import Any, Iterable

from ..settings import PROJECT_ROOT, load_settings

DEFAULT_GOLD = PROJECT_ROOT.parent / "shared" / "eval" / "quotes" / "dev.jsonl"
# Gold sets by a short name: `briefbot eval quotes ru`
NAMED_GOLD = {"en": DEFAULT_GOLD, "ru": PROJECT_ROOT / "tests" / "data" / "ru" / "quotes_factrueval.jsonl"}
# factRuEval's own annotations (the Occupation facts the role check compares with)
FACTRUEVAL = PROJECT_ROOT.parent / "shared" / "eval" / "ru" / "factrueval_dev.jsonl"

# ----- the scoring rule (same as the gold set's score.py) -----------------------------------------
TITLES = {"mr", "mrs", "ms", "dr", "sir", "president", "sen", "senator", "rep", "gov", "prof", "the", "a", "an"}
STOP = TITLES | {"of", "and", "for", "in", "on", "to", "at", "by", "with"}
WORD = re.compile(r"\w+")
QUOTE_MARKS = str.maketrans({c: '"' for c in "“”„«»‟″"} | {c: "'" for c in "‘’‚‛′"})


def _words(s: str) -> list[str]:
    return [w.lower() for w in WORD.findall(s)]


def _norm(s: str) -> str:
    return re.sub(r"\s+", " ", s.translate(QUOTE_MARKS)).strip()


def _find_all(hay: str, needle: str) -> Iterable[int]:
    i = hay.find(needle)
    while i >= 0:
        yield i
        i = hay.find(needle, i + 1)


def _place(text: str, article: str, narticle: str) -> list[tuple[int, int]] | None:
    """Every character span of a predicted quote in the article, or None when it cannot be placed."""
    spans = [(i, i + len(text)) for i in _find_all(article, text)] if text else []
    if spans:
        return spans
    n = _norm(text).strip(" \"',.")
    if len(n) >= 3:
        ratio = len(article) / max(1, len(narticle))
        spans = [(int(j * ratio), int((j + len(n)) * ratio)) for j in _find_all(narticle, n)]
    return spans or None


def _overlap(p: list[tuple[int, int]] | None, g: tuple[int, int], ptext: str, gtext: str) -> float:
    if p is not None:
        return max(max(0, min(a[1], g[1]) - max(a[0], g[0])) / max(1, min(a[1] - a[0], g[1] - g[0])) for a in p)
    pc, gc = Counter(_words(ptext)), Counter(_words(gtext))
    return sum((pc & gc).values()) / max(1, min(sum(pc.values()), sum(gc.values())))


def speaker_ok(pred_name: str | None, gold: dict[str, Any]) -> bool:
    pw = set(_words(pred_name or ""))
    gw = [w for w in _words(gold["speaker"]) if w not in STOP]
    if not gw:
        return False
    if gold.get("named", True):
        return gw[-1] in pw
    return bool(pw & set(gw))


def score(gold: dict[str, dict], pred: dict[str, dict]) -> Counter:
    """Counts for every figure, over all gold articles."""
    c: Counter = Counter()
    for gid, g in gold.items():
        art = g["article"]
        nart = _norm(art)
        preds = [(sp.get("name"), q) for sp in (pred.get(gid) or {}).get("speakers") or []
                 for q in sp.get("quotes") or []]
        pairs = []
        for pi, (_, q) in enumerate(preds):
            span = _place(q.get("text", ""), art, nart)
            for gi, gq in enumerate(g["quotes"]):
                o = _overlap(span, (gq["start"], gq["end"]), q.get("text", ""), gq["quote"])
                if o >= 0.5:
                    pairs.append((o, pi, gi))
        used_p, used_g, matched = set(), set(), {}
        for o, pi, gi in sorted(pairs, reverse=True):
            if pi not in used_p and gi not in used_g:
                used_p.add(pi)
                used_g.add(gi)
                matched[gi] = pi
        for gi, gq in enumerate(g["quotes"]):
            k = "direct" if gq["direct"] else "indirect"
            c["gold"] += 1
            c["gold_" + k] += 1
            if gi in matched:
                c["match"] += 1
                c["match_" + k] += 1
                if speaker_ok(preds[matched[gi]][0], gq):
                    c["right"] += 1
                    c["right_" + k] += 1
        for pi, (_, q) in enumerate(preds):
            k = "direct" if q.get("direct") else "indirect"
            c["pred"] += 1
            c["pred_" + k] += 1
            if pi in used_p:
                c["pmatch_" + k] += 1
    return c


def figures(c: Counter) -> dict[str, float]:
    def ratio(a: str, b: str) -> float:
        return c[a] / c[b] if c[b] else 0.0

    ap, ar = ratio("right", "pred"), ratio("right", "gold")
    return {
        "quote_precision": ratio("match", "pred"),
        "quote_recall": ratio("match", "gold"),
        "direct_recall": ratio("match_direct", "gold_direct"),
        "indirect_recall": ratio("match_indirect", "gold_indirect"),
        "speaker_accuracy": ratio("right", "match"),
        "attribution_precision": ap,
        "attribution_recall": ar,
        "attribution_f1": 2 * ap * ar / (ap + ar) if ap + ar else 0.0,
        "attribution_recall_direct": ratio("right_direct", "gold_direct"),
        "attribution_recall_indirect": ratio("right_indirect", "gold_indirect"),
    }


def report(c: Counter, n_articles: int) -> str:
    f = figures(c)
    return "\n".join([
        f"articles {n_articles}  gold {c['gold']} (direct {c['gold_direct']}, indirect {c['gold_indirect']})"
        f"  predicted {c['pred']}",
        f"quote precision {f['quote_precision']:.3f}  quote recall {f['quote_recall']:.3f}"
        f"  (direct recall {f['direct_recall']:.3f}, indirect recall {f['indirect_recall']:.3f})",
        f"speaker accuracy on matched {f['speaker_accuracy']:.3f}",
        f"attribution P {f['attribution_precision']:.3f} R {f['attribution_recall']:.3f}"
        f" F1 {f['attribution_f1']:.3f}  (direct R {f['attribution_recall_direct']:.3f},"
        f" indirect R {f['attribution_recall_indirect']:.3f})",
    ])


# ----- roles against factRuEval's Occupation facts -------------------------------------------------
def _occupations(gold: dict[str, dict]) -> dict[str, list[dict[str, str]]]:
    """id -> the Occupation facts (Who, Position, ...) of the gold's factRuEval texts, when the data is there."""
    if not FACTRUEVAL.is_file() or not any(gid.startswith("factrueval-") for gid in gold):
        return {}
    out = {}
    for line in FACTRUEVAL.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        if rec["id"] in gold:
            out[rec["id"]] = [f["args"] for f in rec.get("facts") or []
                              if f["type"] == "Occupation" and f["args"].get("Who") and f["args"].get("Position")]
    return out


def _stems(text: str) -> set[str]:
    """Crude stems (first five letters) so "мэра" and "мэр", "министра" and "министр" meet."""
    return {w[:5] for w in _words(text.replace("ё", "е")) if len(w) > 2 or w.isupper()}


def role_report(occupations: dict[str, list[dict[str, str]]], pred: dict[str, dict]) -> str:
    """How often a speaker's role agrees with the Occupation fact about the same person (by surname).

    Agree: the role shares a word stem with the fact's Position. Counted over speakers that have both
    a role and such a fact; speakers with a fact but no role are reported as missing.
    """
    agree = total = missing = 0
    for gid, facts in occupations.items():
        for sp in (pred.get(gid) or {}).get("speakers") or []:
            words = set(_words(sp.get("name") or ""))
            mine = [f for f in facts if _words(f["Who"]) and _words(f["Who"])[0] in words]
            if not mine:
                continue
            if not sp.get("role"):
                missing += 1
                continue
            total += 1
            agree += any(_stems(sp["role"]) & _stems(f["Position"]) for f in mine)
    share = agree / total if total else 0.0
    return (f"roles agreeing with Occupation facts {share:.3f} ({agree}/{total} speakers with a role and a fact;"
            f" {missing} with a fact but no role)")


# ----- the two systems ------------------------------------------------------------------------------
def textacy_speakers(doc) -> list[dict[str, Any]]:
    """textacy's direct_quotations as the brief's speaker list (it gives up on an odd number of marks)."""
    from textacy.extract.triples import direct_quotations

    speakers: dict[str, dict[str, Any]] = {}
    try:
        triples = list(direct_quotations(doc))
    except ValueError:
        return []
    for speaker, cue, content in triples:
        name = " ".join(t.text for t in speaker)
        inner = content[1:-1] if len(content) > 2 and content[0].is_quote and content[-1].is_quote else content
        sp = speakers.setdefault(name, {"name": name, "quotes": []})
        sp["quotes"].append({"text": inner.text, "direct": True, "cue": " ".join(t.text for t in cue)})
    return list(speakers.values())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval quotes", description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD),
                        help="gold JSONL, or 'en' / 'ru' for the project's sets (default: %(default)s)")
    parser.add_argument("--pred-out", help="write our predictions here as JSONL (the brief's speaker JSON)")
    parser.add_argument("--no-baseline", action="store_true", help="skip the textacy baseline")
    args = parser.parse_args(argv)

    from dataclasses import asdict

    from ..languages import detect_language, pipeline_for

    settings = load_settings()
    path = Path(NAMED_GOLD.get(args.gold, args.gold))
    if not path.is_file():
        print(f"no gold file at {path}")
        return 2
    gold = {r["id"]: r for r in map(json.loads, path.read_text(encoding="utf-8").splitlines()) if r}
    ours: dict[str, dict] = {}
    base: dict[str, dict] = {}
    times_ms: list[float] = []
    parse_ms: list[float] = []
    for gid, g in gold.items():
        # each article through its language's pipeline, as the brief does
        pipeline = pipeline_for(detect_language(g["article"]))
        t0 = time.perf_counter()
        doc = pipeline.parse(g["article"], settings)
        parse_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        speakers = pipeline.attribute(doc, settings.speakers)
        times_ms.append((time.perf_counter() - t0) * 1000)
        ours[gid] = {"id": gid, "speakers": [asdict(s) for s in speakers]}
        if not args.no_baseline and pipeline.code == "en":  # textacy reads spaCy parses of English
            base[gid] = {"id": gid, "speakers": textacy_speakers(doc)}
    print(f"== briefbot ({path.name})")
    print(report(score(gold, ours), len(gold)))
    print(f"attribute_quotes per article: mean {statistics.mean(times_ms):.1f} ms,"
          f" median {statistics.median(times_ms):.1f} ms, max {max(times_ms):.1f} ms"
          f" (the parse it shares: mean {statistics.mean(parse_ms):.1f} ms)")
    occupations = _occupations(gold)
    if occupations:
        print(role_report(occupations, ours))
    if base:
        print("== textacy direct_quotations (baseline, same parse)")
        print(report(score(gold, base), len(gold)))
    if args.pred_out:
        with open(args.pred_out, "w", encoding="utf-8") as fh:
            for rec in ours.values():
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
    return 0
