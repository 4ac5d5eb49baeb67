"""The `briefbot` command: brief, batch, eval and bench (and `bot`, which the bot package adds).

The engine knows nothing of Telegram: the `bot` command is a ``Command`` the bot package
hands to ``main`` (its ``briefbot`` console-script entry does), so `briefbot bot` and
`python -m bot` share one parser, one set of flags and one way of failing.

Errors reach the user as one line with a stable code and a non-zero exit status,
never as a traceback; a bad setting is one line and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from .brief import make_brief
from .errors import BriefError
from .isolation import DEFAULT_ENGINE, EnginePool, EngineStartError
from .render import COMPACT, FULL, render_text
from .settings import LENGTHS, Settings, SettingsError, load_settings
from .sources import brief_many, read_source
from .types import Brief

log = logging.getLogger("briefbot")
# What `batch` runs in its engine process (the tests swap in a hostile stand-in).
BATCH_ENGINE = DEFAULT_ENGINE


@dataclass(frozen=True)
class Command:
    """A subcommand another package adds to `briefbot` (the bot does: see ``bot.cli``)."""

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace, Settings], int]
    own_logging: bool = False  # the command sets up logging itself (the engine's setup is skipped)


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
        print(render_text(brief, FULL if args.full else COMPACT))
    if brief.error:
        _print_error(brief.error.code, brief.error.message)
        return 1
    return 0


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
    # Each item is untrusted input (a page from anywhere): it is briefed in an isolated engine
    # process bounded like the bot's, so one item that hangs or runs away with memory fails alone.
    pool = EnginePool(settings, processes=1, timeout_s=settings.bot.job_timeout_s,
                      memory_mb=settings.bot.engine_memory_mb, engine=BATCH_ENGINE)
    try:
        pool.start()
    except EngineStartError as exc:
        _print_error("engine_failed", f"The engine could not start: {exc}")
        return 1
    # started above (to report a failed start as one line): closing() only stops it, where
    # ``with pool`` would start a second set of children
    with closing(pool), open(out_path, "w", encoding="utf-8") as out, _progress(len(lines)) as bar:
        for brief in brief_many(lines, settings, length=args.length, run=pool.brief):
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


def _global_options() -> argparse.ArgumentParser:
    """Options accepted before or after the command (``briefbot --config F brief X`` or
    ``briefbot brief X --config F``, ``python -m bot --config F``)."""
    options = argparse.ArgumentParser(add_help=False)
    # SUPPRESS: a subcommand that was not given the option leaves the top level's value alone.
    options.add_argument("--config", default=argparse.SUPPRESS,
                         help="a TOML settings file (overrides config/default.toml)")
    options.add_argument("-v", "--verbose", action="store_true", default=argparse.SUPPRESS,
                         help="log progress and timings to stderr")
    return options


def build_parser(extra_commands: Sequence[Command] = (), prog: str = "briefbot") -> argparse.ArgumentParser:
    options = _global_options()
    parser = argparse.ArgumentParser(prog=prog, parents=[options],
                                     description="Brief a news article: what happened and who said what.")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, **kw: Any) -> argparse.ArgumentParser:
        return sub.add_parser(name, parents=[options], **kw)

    p = add("brief", help="brief one article: a URL, a .html/.txt file, or - for stdin")
    p.add_argument("source")
    p.add_argument("--json", action="store_true", help="print the brief as JSON (always everything)")
    p.add_argument("--full", action="store_true",
                   help="the full brief: every speaker and statement (default: the compact brief)")
    p.add_argument("--length", choices=LENGTHS, help="summary length")
    p.set_defaults(func=cmd_brief)

    p = add("batch", help="brief every line of a JSONL file, models loaded once")
    p.add_argument("input", help='JSONL lines: {"id","text"} | {"id","html","url"} | {"id","url"}')
    p.add_argument("output", help="JSONL of briefs, one per input line, same order")
    p.add_argument("--length", choices=LENGTHS)
    p.set_defaults(func=cmd_batch)

    p = add("eval", help="evaluation commands (quotes, summaries, extraction, languages, brief)")
    p.add_argument("what", choices=["quotes", "summaries", "extraction", "languages", "brief"])
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_eval)

    p = add("bench", help="speed benchmark (see README)")
    p.add_argument("rest", nargs=argparse.REMAINDER)
    p.set_defaults(func=cmd_bench)

    for command in extra_commands:
        p = add(command.name, help=command.help)
        command.add_arguments(p)
        p.set_defaults(func=command.run, own_logging=command.own_logging)
    return parser


def _quiet_libraries() -> None:
    import os
    import warnings

    # transformers draws a "Loading weights" bar on stderr; the CLI's stderr is for our own lines.
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")

    warnings.filterwarnings("ignore")
    for name in ("transformers", "trafilatura", "htmldate", "courlan", "httpx", "httpcore"):
        logging.getLogger(name).setLevel(logging.ERROR)


def main(argv: Sequence[str] | None = None, extra_commands: Sequence[Command] = (), prog: str = "briefbot") -> int:
    """Run one command; ``extra_commands`` come from packages built on the engine (the bot)."""
    parser = build_parser(extra_commands, prog)
    argv = sys.argv[1:] if argv is None else list(argv)
    args, extra = parser.parse_known_args(argv)
    if args.command == "bench":
        # argparse's REMAINDER misses options that come first (`bench --limit 5`): hand on all after "bench".
        args.rest = argv[argv.index("bench") + 1 :]
    elif extra:
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    if not getattr(args, "own_logging", False):
        logging.basicConfig(level=logging.INFO if getattr(args, "verbose", False) else logging.WARNING,
                            format="%(asctime)s %(levelname)s %(name)s: %(message)s", stream=sys.stderr)
        _quiet_libraries()
    t0 = time.perf_counter()
    try:
        settings = load_settings(config_path=getattr(args, "config", None))
        return args.func(args, settings)
    except SettingsError as exc:  # at start, or a command's own settings file (eval --config)
        _print_error("bad_settings", str(exc))
        return 2
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
        if not getattr(args, "own_logging", False):  # a long-running command (the bot) logs its own stop
            log.info("done in %.2fs", time.perf_counter() - t0)


if __name__ == "__main__":
    sys.exit(main())
