"""`briefbot eval brief`: what a reader sees of the briefs of the dev articles and pages.

Every dev article (``summaries/validation.jsonl`` and ``quotes/dev.jsonl``, as pasted
text) and every page of ``extraction/html`` (as a saved page with its URL) goes
through ``make_brief`` once and is rendered in both layouts. Printed per group and
overall:

- the rendered length, in visible characters (Telegram HTML with tags stripped and
  entities decoded, all messages together): median, p90 and max, compact and full;
- the share of briefs whose shown summary has a sentence that starts or ends
  mid-sentence, whose quotation marks do not pair up (it starts or ends inside a
  quotation), that opens with a pronoun (its antecedent is not in the summary),
  that contains page furniture (sharing, navigation, "Related" text), and that
  repeats a statement shown under "Who said what" (summary/quote overlap).

The sentence, pronoun and furniture probes below are deliberately simple and
independent of the rules the engine uses to choose sentences, so that a failure of
those rules shows here; repetition is the engine's own definition, measured against
what the compact brief shows.
"""

from __future__ import annotations

import argparse
import gzip
import html
import json
import re
import statistics
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

from ..settings import PROJECT_ROOT, Settings, load_settings
from ..textrules import ENDS_SENTENCE, repeats_statement

EVAL_DIR = PROJECT_ROOT.parent / "shared" / "eval"
TEXT_SETS = {"summaries": EVAL_DIR / "summaries" / "validation.jsonl", "quotes": EVAL_DIR / "quotes" / "dev.jsonl"}
PAGES_DIR = EVAL_DIR / "extraction"

# A sentence starts like one: after opening punctuation, a letter that is not lower-case (a capital,
# or a letter of a script without case) or a digit.
_OPENING = "\"“‘'([«„"
# ... and ends like one: a full stop, question or exclamation mark (or an ellipsis), then closing marks.
# A summary that opens with one of these words has lost the person or thing it is about.
_OPENING_PRONOUN = re.compile(r"^[\"“‘']?(?:he|she|they|it|his|her|their|its|him|them)\b", re.IGNORECASE)
# Page furniture: two sharing services in a row, or navigation and promotion phrases.
_SHARING = r"(?:facebook|twitter|whatsapp|telegram|linkedin|pinterest|reddit|messenger|e-?mail|print|copy link)"
_FURNITURE = re.compile(
    rf"\b{_SHARING}\W{{1,5}}{_SHARING}\b"
    r"|\brelated (?:videos?|stories|articles?|content|coverage|topics|links)\b"
    r"|\b(?:read more|see also|most read|sign up|subscribe|click here|share this|advertisement|image caption"
    r"|getty images|all rights reserved)\b|©",
    re.IGNORECASE,
)


def visible_length(telegram_html: str) -> int:
    """Characters a reader sees: tags stripped, entities decoded."""
    return len(html.unescape(re.sub(r"<[^>]*>", "", telegram_html)))


def starts_mid_sentence(sentence: str) -> bool:
    first = sentence.strip().lstrip(_OPENING)[:1]
    return not first or not (first.isdigit() or (first.isalpha() and not first.islower()))


def ends_mid_sentence(sentence: str) -> bool:
    return not ENDS_SENTENCE.search(sentence.strip())


def unbalanced_quotes(sentence: str) -> bool:
    """Quotation marks that do not pair up: the sentence starts or ends inside a quotation
    ('He said: "We are ready.'). Straight marks come in twos, « with », “ with ” (and „ with “,
    the German and Russian pair)."""
    low = sentence.count("„")
    return (sentence.count('"') % 2 == 1 or sentence.count("«") != sentence.count("»")
            or sentence.count("“") - low != sentence.count("”"))


def opens_with_pronoun(summary: list[str]) -> bool:
    return bool(summary) and bool(_OPENING_PRONOUN.match(summary[0].strip()))


def has_furniture(summary: list[str]) -> bool:
    return any(_FURNITURE.search(s) for s in summary)


def repeats_a_statement(text: str, summary: list[str], statements: list[tuple[int, int]]) -> bool:
    """A summary sentence repeats a shown statement (``textrules.repeats_statement``, the engine's definition)."""
    for sentence in summary:
        start = text.find(sentence)
        if start >= 0 and any(repeats_statement((start, start + len(sentence)), st) for st in statements):
            return True
    return False


@dataclass
class Group:
    """Figures of one group of inputs."""

    compact: list[int] = field(default_factory=list)
    full: list[int] = field(default_factory=list)
    flags: dict[str, int] = field(default_factory=lambda: dict.fromkeys(FLAGS, 0))
    failed: int = 0

    @property
    def briefs(self) -> int:
        return len(self.compact)

    def report(self) -> dict[str, Any]:
        n = self.briefs or 1
        return {
            "briefs": self.briefs,
            "failed": self.failed,
            "compact": _distribution(self.compact),
            "full": _distribution(self.full),
            **{flag: round(count / n, 3) for flag, count in self.flags.items()},
        }


FLAGS = ("starts_mid_sentence", "ends_mid_sentence", "open_quote", "opens_with_pronoun", "furniture", "quote_overlap")


def _distribution(values: list[int]) -> dict[str, int]:
    if not values:
        return {"median": 0, "p90": 0, "max": 0}
    ordered = sorted(values)
    p90 = ordered[min(len(ordered) - 1, round(0.9 * (len(ordered) - 1)))]
    return {"median": round(statistics.median(ordered)), "p90": p90, "max": ordered[-1]}


def inputs(limit: int | None, pages: bool) -> Iterator[tuple[str, str, Any]]:
    """(group, id, Source) for every dev article and page."""
    from ..brief import Source

    for group, path in TEXT_SETS.items():
        with open(path, encoding="utf-8") as fh:
            rows = [json.loads(line) for line in fh if line.strip()]
        for row in rows[:limit] if limit else rows:
            yield group, str(row["id"]), Source(text=row["article"])
    if pages:
        truth = json.loads((PAGES_DIR / "ground-truth.json").read_text(encoding="utf-8"))
        keys = sorted(truth)
        for key in keys[:limit] if limit else keys:
            page = gzip.decompress((PAGES_DIR / "html" / f"{key}.html.gz").read_bytes()).decode("utf-8", "replace")
            yield "pages", key, Source(html=page, url=truth[key].get("url"))


def evaluate(settings: Settings, limit: int | None = None, pages: bool = True,
             dump: Any = None) -> dict[str, Any]:
    from ..brief import make_brief
    from ..render import COMPACT, FULL, render_telegram_html, select_view

    groups: dict[str, Group] = {}
    for name, item_id, source in inputs(limit, pages):
        group = groups.setdefault(name, Group())
        brief = make_brief(source, settings, id=item_id)
        if brief.error:
            group.failed += 1
            continue
        group.compact.append(visible_length(render_telegram_html(brief, COMPACT)))
        group.full.append(visible_length(render_telegram_html(brief, FULL)))
        view = select_view(brief, COMPACT)
        shown = [(q.start, q.end) for _, quotes in view.speakers for q in quotes]
        flags = {
            "starts_mid_sentence": any(starts_mid_sentence(s) for s in view.summary),
            "ends_mid_sentence": any(ends_mid_sentence(s) for s in view.summary),
            "open_quote": any(unbalanced_quotes(s) for s in view.summary),
            "opens_with_pronoun": opens_with_pronoun(view.summary),
            "furniture": has_furniture(view.summary),
            "quote_overlap": repeats_a_statement(brief.text, view.summary, shown),
        }
        for flag, hit in flags.items():
            group.flags[flag] += hit
        if dump is not None:
            dump.write(json.dumps({"group": name, "id": item_id, "compact": render_telegram_html(brief, COMPACT),
                                   "flags": [f for f, hit in flags.items() if hit]}, ensure_ascii=False) + "\n")
    total = Group()
    for group in groups.values():
        total.compact += group.compact
        total.full += group.full
        total.failed += group.failed
        for flag, count in group.flags.items():
            total.flags[flag] += count
    return {"groups": {name: g.report() for name, g in groups.items()}, "all": total.report()}


def format_report(report: dict[str, Any]) -> str:
    header = (f"{'group':<10} {'briefs':>6} {'failed':>6}  {'compact med/p90/max':>20}  {'full med/p90/max':>20}  "
              f"{'mid-start':>9} {'mid-end':>7} {'open-quote':>10} {'pronoun':>7} {'furniture':>9} {'overlap':>7}")
    lines = ["visible characters of the rendered brief, and shares of briefs whose shown summary has the problem",
             header]
    for name, g in [*report["groups"].items(), ("all", report["all"])]:
        c, f = g["compact"], g["full"]
        lines.append(
            f"{name:<10} {g['briefs']:>6} {g['failed']:>6}  {c['median']:>6}/{c['p90']:>5}/{c['max']:>6}  "
            f"{f['median']:>8}/{f['p90']:>5}/{f['max']:>5}  {g['starts_mid_sentence']:>9.3f} "
            f"{g['ends_mid_sentence']:>7.3f} {g['open_quote']:>10.3f} {g['opens_with_pronoun']:>7.3f} {g['furniture']:>9.3f} "
            f"{g['quote_overlap']:>7.3f}"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval brief", description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, help="only the first N articles of each set and N pages")
    parser.add_argument("--no-pages", action="store_true", help="skip the HTML pages (faster)")
    parser.add_argument("--json", metavar="OUT", help="also write the report as JSON to OUT")
    parser.add_argument("--dump", metavar="OUT", help="write every compact brief and its flags as JSONL to OUT")
    parser.add_argument("--config", help="a TOML settings file")
    args = parser.parse_args(argv)
    missing = [str(p) for p in (*TEXT_SETS.values(), PAGES_DIR) if not p.exists()]
    if missing:
        print(f"briefbot: no eval data at {', '.join(missing)}", file=sys.stderr)
        return 2
    settings = load_settings(config_path=args.config)
    dump = open(args.dump, "w", encoding="utf-8") if args.dump else None
    try:
        report = evaluate(settings, args.limit, not args.no_pages, dump)
    finally:
        if dump:
            dump.close()
    print(format_report(report))
    if args.json:
        Path(args.json).write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return 0
