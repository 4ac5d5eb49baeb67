"""``python -m tests.bot.hostile_bot --base-url URL``: the real bot, as its own process, with the
hostile engine of ``tests.bot.hostile_engine`` (in engine processes, or in the bot's own process
when ``[bot] isolate_engine = false``). Settings come from ``BRIEFBOT_CONFIG`` as for ``python -m bot``.

A process of its own because a brief that holds the GIL freezes every thread of its process:
measured from inside the bot's process, a frozen bot would look responsive.
"""

from __future__ import annotations

import argparse

from bot.app import build_application, serve
from bot.runtime import setup_logging
from summarizer.isolation import EnginePool
from summarizer.settings import load_settings

from . import hostile_engine

HOSTILE_ENGINE = "tests.bot.hostile_engine:make_brief"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.bot.hostile_bot")
    parser.add_argument("--base-url", required=True)
    args = parser.parse_args()
    settings = load_settings()
    setup_logging(settings)
    bot = settings.bot
    engine = (EnginePool(settings, processes=bot.workers, timeout_s=bot.job_timeout_s, memory_mb=bot.engine_memory_mb,
                         engine=HOSTILE_ENGINE)
              if bot.isolate_engine else hostile_engine.make_brief)
    serve(build_application(settings, args.base_url, engine=engine), settings)


if __name__ == "__main__":
    main()
