"""`briefbot eval quotes [--set dev|polnear|both] [--limit N]`: who-said-what against gold.

Runs our engine (``attribute_quotes`` on one spaCy parse of each gold article's
text) and, on the same parse, textacy's ``direct_quotations`` as a baseline, and
prints for both, on each gold set:

* dev (``dev.jsonl``): the figures of the gold set's scoring rule (its ``score.py``,
  reimplemented here so the installed package needs nothing from ``../shared``):
  quote precision/recall (direct and indirect recall), speaker accuracy on matched
  quotes, attribution P/R/F1;
* polnear (the PolNeAR training split): the figures of ``score_polnear.py``, the
  scorer that ships with that gold (loaded from beside it: the figures are its own);

and for our engine, on both: precision and recall per construction (the statement's
``rule``), the number of non-person speakers (a predicted speaker none of whose
statements matches a gold statement with that speaker, and whose name is no PERSON/ORG
entity of the parse), and the same figures for what the brief shows (statements at or
above ``[speakers] min_confidence``, documents and polls left out) next to all statements.
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

EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval" / "quotes"
DEFAULT_GOLD = EVAL_DIR / "dev.jsonl"
DEFAULT_POLNEAR = EVAL_DIR / "polnear"
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


# ----- per construction, non-person speakers, what the brief shows -------------------------------
def shown(speakers: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The statements the brief shows (``Quote.shown``: at or above ``[speakers] min_confidence``,
    documents and polls left out)."""
    out = []
    for sp in speakers:
        qs = [q for q in sp.get("quotes") or [] if q.get("shown", True)]
        if qs:
            out.append(dict(sp, quotes=qs))
    return out


def _tokens(s: str) -> Counter:
    return Counter(w.lower() for w in WORD.findall(s or ""))


def _strength(g: Counter, p: Counter) -> tuple[float, float] | None:
    """score_polnear.py's match rule (also used for the dev set's per-construction figures)."""
    lg, lp = sum(g.values()), sum(p.values())
    if not lg or not lp:
        return None
    n = sum((g & p).values())
    if n >= 0.5 * min(lg, lp) and n >= 0.1 * max(lg, lp):
        return (n / min(lg, lp), 2 * n / (lg + lp))
    return None


class Breakdown:
    """Per-construction precision/recall and the non-person speaker count, over many articles.

    A gold statement is ``(text, speaker_ok)`` where ``speaker_ok(name)`` says whether a
    predicted name is its speaker (None when the gold's source cannot be judged: PolNeAR's
    "he" or "officials"). Per construction: quoteP, the share of its statements that match a
    gold statement; rightP, among those matching a judgeable one, the share naming its
    speaker; R, the share of all gold statements it finds with the right speaker."""

    def __init__(self) -> None:
        self.c: Counter = Counter()

    def add(self, speakers: list[dict[str, Any]], gold: list[tuple[str, Any]], entity_words: set[str]) -> None:
        gtoks = [_tokens(t) for t, _ in gold]
        self.c["gold"] += len(gold)
        found_by: dict[str, set[int]] = {}
        for sp in speakers:
            name = sp.get("name") or ""
            has_gold = False
            for q in sp.get("quotes") or []:
                rule = q.get("rule") or "?"
                ptok = _tokens(q.get("text", ""))
                hits = [i for i, g in enumerate(gtoks) if _strength(g, ptok)]
                verdicts = [gold[i][1](name) for i in hits]
                right = [i for i, v in zip(hits, verdicts) if v]
                self.c["pred:" + rule] += 1
                self.c["match:" + rule] += bool(hits)
                self.c["judged:" + rule] += any(v is not None for v in verdicts)
                self.c["right:" + rule] += bool(right)
                found_by.setdefault(rule, set()).update(right)
                has_gold = has_gold or bool(right)
            self.c["speakers"] += 1
            if not has_gold and not set(name_words_of(name)) & entity_words:
                self.c["non_person"] += 1
        for rule, idx in found_by.items():
            self.c["found:" + rule] += len(idx)

    def report(self) -> str:
        rules = sorted({k.split(":", 1)[1] for k in self.c if k.startswith("pred:")},
                       key=lambda r: -self.c["pred:" + r])
        lines = [f"  {'construction':<22} {'pred':>5} {'quoteP':>7} {'rightP':>7} {'R':>6}"]
        for r in rules:
            n = self.c["pred:" + r]
            judged = max(1, self.c["judged:" + r])
            lines.append(f"  {r:<22} {n:>5} {self.c['match:' + r] / n:>7.3f} {self.c['right:' + r] / judged:>7.3f}"
                         f" {self.c['found:' + r] / max(1, self.c['gold']):>6.3f}")
        lines.append(self.non_person_line())
        return "\n".join(lines)

    def non_person_line(self) -> str:
        return (f"non-person speakers {self.c['non_person']} of {self.c['speakers']}"
                " (no gold statement and no PERSON/ORG entity in the name)")


def name_words_of(name: str) -> list[str]:
    return [w.lower() for w in WORD.findall(name or "") if w.lower() not in STOP]


def entity_words(doc) -> set[str]:
    """Words of the PERSON/ORG entities of a parse (a speaker named by none of them is suspect)."""
    return {w.lower() for e in doc.ents if e.label_ in ("PERSON", "ORG") for w in WORD.findall(e.text)}


def _load_polnear_scorer(folder: Path):
    """``score_polnear.py`` from beside the gold: the figures are the gold's own scorer's."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("score_polnear", folder / "score_polnear.py")
    if spec is None or spec.loader is None:
        raise FileNotFoundError(folder / "score_polnear.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _polnear_articles(folder: Path, limit: int | None) -> dict[str, str]:
    """id -> text, one per distinct article, in file order (the first ``limit`` when given)."""
    import gzip

    texts: dict[str, str] = {}
    with gzip.open(folder / "train.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            r = json.loads(line)
            if r["id"] not in texts:
                if limit is not None and len(texts) >= limit:
                    break
                texts[r["id"]] = r["text"]
    return texts


# ----- running the systems --------------------------------------------------------------------------
def _run(texts: dict[str, str], settings, baseline: bool):
    """Our speakers and textacy's per article id, with the attribution and parse times, and entity words."""
    from dataclasses import asdict

    from ..languages import detect_language, pipeline_for

    ours: dict[str, dict] = {}
    base: dict[str, dict] = {}
    ents: dict[str, set[str]] = {}
    times_ms: list[float] = []
    parse_ms: list[float] = []
    for gid, text in texts.items():
        # each article through its language's pipeline, as the brief does
        pipeline = pipeline_for(detect_language(text))
        t0 = time.perf_counter()
        doc = pipeline.parse(text, settings)
        parse_ms.append((time.perf_counter() - t0) * 1000)
        t0 = time.perf_counter()
        speakers = pipeline.attribute(doc, settings.speakers)
        times_ms.append((time.perf_counter() - t0) * 1000)
        ours[gid] = {"id": gid, "speakers": [asdict(s) for s in speakers]}
        ents[gid] = entity_words(doc) if pipeline.code == "en" else set()
        if baseline and pipeline.code == "en":  # textacy reads spaCy parses of English
            base[gid] = {"id": gid, "speakers": textacy_speakers(doc)}
    timing = (f"attribute_quotes per article: mean {statistics.mean(times_ms):.1f} ms,"
              f" median {statistics.median(times_ms):.1f} ms, max {max(times_ms):.1f} ms"
              f" (the spaCy parse it shares: mean {statistics.mean(parse_ms):.1f} ms)")
    return ours, base, ents, timing


def _write(path: str | None, preds: dict[str, dict]) -> None:
    if path:
        with open(path, "w", encoding="utf-8") as fh:
            for rec in preds.values():
                fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def _shown_preds(preds: dict[str, dict]) -> dict[str, dict]:
    return {k: dict(v, speakers=shown(v["speakers"])) for k, v in preds.items()}


def eval_dev(path: Path, settings, baseline: bool, pred_out: str | None, limit: int | None) -> None:
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    gold = {r["id"]: r for r in rows[:limit] if r}
    ours, base, ents, timing = _run({k: g["article"] for k, g in gold.items()}, settings, baseline)
    threshold = settings.speakers.min_confidence
    print(f"== briefbot ({path.name})")
    print(report(score(gold, ours), len(gold)))
    print(timing)
    occupations = _occupations(gold)
    if occupations:
        print(role_report(occupations, ours))
    print(f"-- what the brief shows (confidence >= {threshold}, no documents or polls)")
    print(report(score(gold, _shown_preds(ours)), len(gold)))
    print("-- per construction (all statements; rightP: matched with the right speaker; R: share of all gold)")
    print(_breakdown_dev(gold, ours, ents))
    if base:
        print("== textacy direct_quotations (baseline, same parse)")
        print(report(score(gold, base), len(gold)))
    _write(pred_out, ours)


def _breakdown_dev(gold: dict[str, dict], preds: dict[str, dict], ents: dict[str, set[str]]) -> str:
    b, shown_only = Breakdown(), Breakdown()
    for gid, g in gold.items():
        statements = [(q["quote"], lambda name, q=q: speaker_ok(name, q)) for q in g["quotes"]]
        b.add(preds[gid]["speakers"], statements, ents[gid])
        shown_only.add(shown(preds[gid]["speakers"]), statements, ents[gid])
    return b.report() + "\nin what the brief shows: " + shown_only.non_person_line()


def eval_polnear(folder: Path, settings, baseline: bool, pred_out: str | None, limit: int | None) -> None:
    scorer = _load_polnear_scorer(folder)
    texts = _polnear_articles(folder, limit)
    arts = {k: v for k, v in scorer.load_gold(str(folder / "train.jsonl.gz")).items() if k in texts}
    ours, base, ents, timing = _run(texts, settings, baseline)
    threshold = settings.speakers.min_confidence

    def score_it(preds: dict[str, dict]) -> None:
        def rows(all_direct: bool) -> dict[str, list[dict]]:
            return {gid: [{"text": q.get("text") or "", "tok": scorer.toks(q.get("text")),
                           "name": sp.get("name") or "", "direct": all_direct or bool(q.get("direct"))}
                          for sp in r["speakers"] for q in sp.get("quotes") or []] for gid, r in preds.items()}

        flagged = rows(False)
        scorer.report(scorer.score(arts, flagged), arts, flagged, Counter(), 0)
        # the README's note: a paraphrase carrying quoted words is "found" too; count every quote as direct
        c = scorer.score(arts, rows(True))
        p, r = scorer.div(c["nd_right"], c["nd_pred"]), scorer.div(c["nd_found"], c["nd_gold"])
        print(f"named direct, every quote counted as direct: P {p:.3f} R {r:.3f} F1 {scorer.div(2 * p * r, p + r):.3f}")

    print(f"== briefbot (PolNeAR train, {len(texts)} articles)")
    score_it(ours)
    print(timing)
    print(f"-- what the brief shows (confidence >= {threshold}, no documents or polls)")
    score_it(_shown_preds(ours))
    print("-- per construction (all statements; rightP: matched with the right speaker; R: share of primary gold)")
    b, shown_only = Breakdown(), Breakdown()
    for gid, a in arts.items():
        statements = [(g["content"], lambda name, g=g: scorer.speaker_ok(name, g["source"]) if g["named"] else None)
                      for g in a["primary"]]
        b.add(ours[gid]["speakers"], statements, ents[gid])
        shown_only.add(shown(ours[gid]["speakers"]), statements, ents[gid])
    print(b.report())
    print("in what the brief shows: " + shown_only.non_person_line())
    if baseline:
        print("== textacy direct_quotations (baseline, same parse)")
        score_it(base)
    _write(pred_out, ours)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval quotes", description=__doc__.splitlines()[0])
    parser.add_argument("gold", nargs="?", default=str(DEFAULT_GOLD),
                        help="gold JSONL in the dev.jsonl format, or 'en' / 'ru' for the project's sets"
                        " (default: %(default)s)")
    parser.add_argument("--set", choices=["dev", "polnear", "both"], default="dev",
                        help="which gold to run: dev.jsonl, the PolNeAR training split, or both (default: dev)")
    parser.add_argument("--polnear", default=str(DEFAULT_POLNEAR),
                        help="PolNeAR folder with train.jsonl.gz and score_polnear.py (default: %(default)s)")
    parser.add_argument("--limit", type=int, help="only the first N articles of each set (PolNeAR is big)")
    parser.add_argument("--pred-out", help="write our predictions here as JSONL (the brief's speaker JSON);"
                        " with --set both, the PolNeAR ones go to the same name with .polnear before the suffix")
    parser.add_argument("--no-baseline", action="store_true", help="skip the textacy baseline")
    args = parser.parse_args(argv)

    settings = load_settings()
    if args.set in ("dev", "both"):
        path = Path(NAMED_GOLD.get(args.gold, args.gold))
        if not path.is_file():
            print(f"no gold file at {path}")
            return 2
        eval_dev(path, settings, not args.no_baseline, args.pred_out, args.limit)
    if args.set in ("polnear", "both"):
        folder = Path(args.polnear)
        if not (folder / "train.jsonl.gz").is_file() or not (folder / "score_polnear.py").is_file():
            print(f"no PolNeAR gold (train.jsonl.gz and score_polnear.py) in {folder}")
            return 2
        out = args.pred_out
        if out and args.set == "both":
            p = Path(out)
            out = str(p.with_name(p.stem + ".polnear" + p.suffix))
        eval_polnear(folder, settings, not args.no_baseline, out, args.limit)
    return 0
