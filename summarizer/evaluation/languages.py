"""`briefbot eval languages [--pages N]`: the language detector on the evaluation texts.

Texts with a known language: the 122 Russian factRuEval texts, the 149 English CNN/DailyMail and
BBC articles of the summaries set, and pages of the extraction set (trafilatura's evaluation
pages, extracted here) labelled German by their rough stop-word guess; the pages that guess
leaves unlabelled are only counted by what the detector says. Each text is tried at three lengths
(2,000, 300 and 100 characters, the first being what the engine looks at), against the old
stop-word guess as a baseline. Prints errors per length, time per text and load time.
"""

from __future__ import annotations

import argparse
import gzip
import json
import time
from collections import Counter

from ..settings import PROJECT_ROOT

EVAL = PROJECT_ROOT.parent / "shared" / "eval"
CUTS = (2000, 300, 100)


def labelled_texts(max_pages: int) -> list[tuple[str, str]]:
    """(label, text): label 'ru', 'en', 'de', or '?' (a page with no clear stop-word answer)."""
    out: list[tuple[str, str]] = []
    for line in (EVAL / "ru" / "factrueval_dev.jsonl").read_text(encoding="utf-8").splitlines():
        out.append(("ru", json.loads(line)["text"]))
    for line in (EVAL / "summaries" / "validation.jsonl").read_text(encoding="utf-8").splitlines():
        out.append(("en", json.loads(line)["article"]))
    pages_dir = EVAL / "extraction" / "trafilatura_pages"
    if (pages_dir / "pages.jsonl").is_file() and max_pages:
        import trafilatura

        taken = 0
        for line in (pages_dir / "pages.jsonl").read_text(encoding="utf-8").splitlines():
            page = json.loads(line)
            if page.get("lang_guess") not in ("de", "?"):
                continue
            html = gzip.decompress((pages_dir / page["html_file"]).read_bytes()).decode("utf-8", "replace")
            text = trafilatura.extract(html) or ""
            if len(text) < 400:
                continue
            out.append((page["lang_guess"], text))
            taken += 1
            if taken >= max_pages:
                break
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="briefbot eval languages", description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=120, help="extraction pages to include (default %(default)s)")
    args = parser.parse_args(argv)

    from ..extract import guess_language
    from ..languages.detect import detect_language, warm_up

    t0 = time.perf_counter()
    warm_up()
    print(f"py3langid loaded in {time.perf_counter() - t0:.1f} s")
    samples = labelled_texts(args.pages)
    print(f"{len(samples)} texts: {dict(Counter(label for label, _ in samples))}")
    for name, detect in (("py3langid", detect_language), ("stop-word guess (baseline)", guess_language)):
        for cut in CUTS:
            t0 = time.perf_counter()
            results = [(label, detect(text[:cut])) for label, text in samples]
            ms = (time.perf_counter() - t0) * 1000 / len(samples)
            wrong = Counter((label, str(got)) for label, got in results if label != "?" and got != label)
            unlabelled = Counter(str(got) for label, got in results if label == "?")
            print(f"{name:28s} {cut:5d} chars: errors {sum(wrong.values()):3d} {dict(wrong.most_common(4))}"
                  f"  {ms:.2f} ms/text  unlabelled pages -> {dict(unlabelled.most_common(6))}")
    return 0
