"""The bot's command line: `briefbot bot` and `python -m bot`, one set of flags.

The engine's CLI (``summarizer.cli``) knows nothing of Telegram. This module adds the `bot`
and `worker` commands to it and is the `briefbot` console script's entry (``briefbot``), so `briefbot bot
--base-url URL` and `python -m bot --base-url URL` parse the same flags, load settings the
same way and fail the same way (a bad setting: one line, exit status 2).
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from summarizer import cli
from summarizer.settings import Settings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--base-url", help="Bot API server, e.g. http://127.0.0.1:8081 (default: Telegram)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO"],
                        help="DEBUG also logs every Bot API request (the token is redacted)")


def run(args: argparse.Namespace, settings: Settings) -> int:
    from .app import run_bot  # python-telegram-bot loads only for this command

    run_bot(settings, base_url=args.base_url, log_level=args.log_level)
    return 0


BOT_COMMAND = cli.Command("bot", "run the Telegram bot (token from TELEGRAM_BOT_TOKEN)", add_arguments, run,
                          own_logging=True)


def add_worker_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--concurrency", type=int, default=0, help="worker processes (default: one per core)")
    add_arguments(parser)


def run_worker(args: argparse.Namespace, settings: Settings) -> int:
    from .worker import run_worker  # Celery loads only for this command

    run_worker(settings, concurrency=args.concurrency, base_url=args.base_url, log_level=args.log_level)
    return 0


WORKER_COMMAND = cli.Command("worker", "run briefs for the bot from the queue ([queue] backend = \"celery\")",
                             add_worker_arguments, run_worker, own_logging=True)


def briefbot(argv: Sequence[str] | None = None) -> int:
    """The `briefbot` console script: the engine's commands plus `bot` and `worker`."""
    return cli.main(argv, extra_commands=[BOT_COMMAND, WORKER_COMMAND])


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bot [--base-url URL] [--config FILE] [--log-level DEBUG]``, the same as `briefbot bot`."""
    argv = sys.argv[1:] if argv is None else list(argv)
    return cli.main(["bot", *argv], extra_commands=[BOT_COMMAND], prog="python -m")
