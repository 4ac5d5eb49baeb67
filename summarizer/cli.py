"""The `briefbot` command: brief, batch, eval, bench and bot.

Errors reach the user as one line with a stable code and a non-zero exit status,
never as a traceback.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path
from typing import Any, TextIO

from .brief import Source, make_brief
from .errors import BriefError
from .render import render_text
from .settings import Settings, load_settings
from .types import Brief

log = logging.getLogger("briefbot")

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}


def read_source(arg: str, settings: Settings, stdin: TextIO | None = None) -> Source:
    """Map the SOURCE argument to a Source: a URL, '-', a .html/.htm file or a .txt file."""
    if arg.lower().startswith(("http://", "https://")):
        return Source(url=arg)
    if arg == "-":
        stream = stdin or sys.stdin
        raw = stream.buffer.read(settings.fetch.max_bytes + 1) if hasattr(stream, "buffer") else stream.read().encode()
        return _source_from_bytes(raw, None, settings)
    path = Path(arg)
    shown = arg if len(arg) <= 80 else arg[:77] + "..."
    try:
        is_file = path.is_file()  # raises for names the OS cannot hold (too long, NUL bytes)
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        if "://" in arg or arg.startswith("www."):
            raise BriefError("bad_url", f"Not an http(s) URL: {shown!r}. Links must start with http:// or https://.")
        raise BriefError("bad_source", f"No such file: {shown!r} (give a URL, a .html/.txt file or '-').")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(settings.fetch.max_bytes + 1)
    except OSError as exc:
        raise BriefError("bad_source", f"Cannot read {shown!r}: {exc.strerror or exc}.") from None
    suffix = path.suffix.lower()
    return _source_from_bytes(raw, "html" if suffix in HTML_SUFFIXES else "text" if suffix in TEXT_SUFFIXES else None, settings)


def _source_from_bytes(raw: bytes, kind: str | None, settings: Settings) -> Source:
    from .fetch import decode_body

    if len(raw) > settings.fetch.max_bytes:
        raise BriefError("too_large", f"The input is larger than {settings.fetch.max_bytes:,} bytes.")
    if kind is None:
        head = raw.lstrip()[:200].lower()
        kind = "html" if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in raw[:5000].lower() else "text"
    if kind == "html":  # a saved page: its charset is found the way a fetched page's is
        return Source(html=decode_body(raw, None))
    try:  # pasted text carries no charset: UTF-8 is the documented input
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BriefError("bad_encoding", "The input is not UTF-8 text.") from None
    if "\x00" in text:
        raise BriefError("bad_encoding", "The input looks like a binary file, not text.")
    return Source(text=text)


def _print_error(code: str, message: str) -> None:
    print(f"briefbot: {code}: {message}", file=sys.stderr)


def cmd_brief(args: argparse.Namespace, settings: Settings) -> int:
    try:
        source = read_source(args.source, settings)
    except BriefError as exc:
        brief = Brief.failed(None, None, exc.info())
    else:
        brief = make_brief(source, settings, length=args.length)
    if args.json:
        print(json.dumps(brief.to_dict(), ensure_ascii=False, indent=2))
    elif not brief.error:
        print(render_text(brief))
    if brief.error:
        _print_error(brief.error.code, brief.error.message)
        return 1
    return 0


def _batch_item(line: str, n: int) -> tuple[str, Source | BriefError]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line-{n}", BriefError("bad_source", f"Line {n} is not JSON: {exc.msg}.")
    if not isinstance(item, dict):
        return f"line-{n}", BriefError("bad_source", f"Line {n} is not a JSON object.")
    item_id = str(item.get("id", f"line-{n}"))
    text, html, url = item.get("text"), item.get("html"), item.get("url")
    if isinstance(text, str):
        return item_id, Source(text=text)
    if isinstance(html, str):
        return item_id, Source(html=html, url=url if isinstance(url, str) else None)
    if isinstance(url, str):
        if not url.lower().startswith(("http://", "https://")):
            return item_id, BriefError("bad_url", f"Not an http(s) URL: {url!r}.")
        return item_id, Source(url=url)
    return item_id, BriefError("bad_source", f"Line {n} has no \"text\", \"html\" or \"url\".")


def _progress(total: int) -> Any:
    from tqdm import tqdm

    return tqdm(total=total, unit="article", file=sys.stderr, dynamic_ncols=True, mininterval=0.5)


def cmd_batch(args: argparse.Namespace, settings: Settings) -> int:
    in_path, out_path = Path(args.input), Path(args.output)
    if not in_path.is_file():
        _print_error("bad_source", f"No such file: {str(in_path)!r}.")
        return 2
    lines = [ln for ln in in_path.read_text(encoding="utf-8", errors="replace").splitlines() if ln.strip()]
    failed = 0
    with open(out_path, "w", encoding="utf-8") as out, _progress(len(lines)) as bar:
        for n, line in enumerate(lines, 1):
            item_id, source = _batch_item(line, n)
            if isinstance(source, BriefError):
                brief = Brief.failed(item_id, None, source.info())
            else:
                brief = make_brief(source, settings, id=item_id, length=args.length)
            failed += brief.error is not None
            out.write(json.dumps(brief.to_dict(), ensure_ascii=False) + "\n")
            out.flush()
            bar.update(1)
    print(f"{len(lines)} items, {failed} failed -> {out_path}", file=sys.stderr)
    return 0


def cmd_eval(args: argparse.Namespace, settings: Settings) -> int:
    import importlib

    module = importlib.import_module(f"summarizer.evaluation.{args.what}")
    return int(module.main(list(args.rest)) or 0)


def cmd_bench(args: argparse.Namespace, settings: Settings) -> int:
    from . import bench

    return int(bench.main(list(args.rest)) or 0)


def cmd_bot(args: argparse.Namespace, settings: Settings) -> int:
    from bot.app import run_bot

    run_bot(settings, base_url=args.base_url)
    return 0


def cmd_worker(args: argparse.Namespace, settings: Settings) -> int:
    from bot.worker import run_worker

    run_worker(settings, concurrency=args.concurrency, base_url=args.base_url, log_level=args.log_level)
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="briefbot", description="Brief a news article: what happened and who said what.")
    parser.add_argument("--config", help="a TOML settings file (overrides config/default.toml)")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress and timings to stderr")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("brief", help="brief one article: a URL, a .html/.txt file, or - for stdin")
    p.add_argument("source")
    p.add_argument("--json", action="store_true", help="print the brief as JSON")
    p.add_argument("--length", choices=["short", "normal", "long"], help="summary length")
    p.set_defaults(func=cmd_brief)

    p = sub.add_parser("batch", help="brief every line of a JSONL file, models loaded once")
    p.add_argument("input", help='JSONL lines: {"id","text"} | {"id","html","url"} | {"id","url"}')
    p.add_argument("output", help="JSONL of briefs, one per input line, same order")
    p.add_argument("--length", choices=["short", "normal", "long"])
    p.set_defaults(func=cmd_batch)

    p = sub.add_parser("eval", help="evaluation commands (quotes, summaries, extraction)")
    p.add_argument("what", choices=["quotes", "summaries", "extraction"])
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser("bench", help="speed benchmark (see README)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("bot", help="run the Telegram bot (token from TELEGRAM_BOT_TOKEN)")
    p.add_argument("--base-url", help="Bot API server, e.g. a local emulator")
    p.set_defaults(func=cmd_bot)

    p = sub.add_parser("worker", help="run briefs for the bot from the Celery queue ([queue] backend = celery)")
    p.add_argument("--concurrency", type=int, default=0, help="worker processes (default: one per core)")
    p.add_argument("--base-url", help="Bot API server, e.g. a local emulator")
    p.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO", "WARNING"])
    p.set_defaults(func=cmd_worker)
    return parser


def _quiet_libraries() -> None:
    import os
    import warnings

    # transformers draws a "Loading weights" bar on stderr; the CLI's stderr is for our own lines.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    warnings.filterwarnings("ignore")
    for name in ("transformers", "trafilatura", "htmldate", "courlan", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "bench":
        # argparse's REMAINDER misses options that come first (`bench --limit 5`): hand on all after "bench".
        args.rest = argv[argv.index("bench") + 1 :]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    if args.command not in ("bot", "worker"):
        _quiet_libraries()
    try:
        settings = load_settings(config_path=args.config)
    except (ValueError, TypeError, OSError) as exc:
        _print_error("bad_settings", str(exc))
        return 2
    t0 = time.perf_counter()
    try:
        return args.func(args, settings)
    except KeyboardInterrupt:
        return 130
    except BriefError as exc:
        _print_error(exc.code, exc.message)
        return 1
    except Exception as exc:  # last resort: one line, the detail only with -v
        log.debug("unexpected failure", exc_info=True)
        _print_error("internal_error", f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        log.info("done in %.2fs", time.perf_counter() - t0)


if __name__ == "__main__":
    sys.exit(main())
