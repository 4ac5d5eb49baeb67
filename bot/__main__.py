"""``python -m bot [--base-url URL] [--config FILE] [--log-level DEBUG]``: run the bot (same as ``briefbot bot``)."""

from __future__ import annotations

import argparse

from summarizer.settings import load_settings

from .app import run_bot


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bot", description="Run the briefbot Telegram bot.")
    parser.add_argument("--base-url", help="Bot API server, e.g. http://127.0.0.1:8081 (default: Telegram)")
    parser.add_argument("--config", help="a settings TOML file (default: $BRIEFBOT_CONFIG)")
    parser.add_argument("--log-level", default="INFO", choices=["DEBUG", "INFO"],
                        help="DEBUG also logs every Bot API request (the token is redacted)")
    args = parser.parse_args(argv)
    run_bot(load_settings(config_path=args.config), base_url=args.base_url, log_level=args.log_level)


if __name__ == "__main__":
    main()
