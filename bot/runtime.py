"""Process set-up shared by the bot's front (``bot.app``) and the Celery worker (``bot.worker``):
the Bot API's URLs, and logging with the bot's secrets blanked out."""

from __future__ import annotations

import logging
import re

from summarizer.settings import Settings


def api_urls(base_url: str) -> tuple[str, str]:
    """Bot API and file URLs from a server address: "http://127.0.0.1:8081" or ".../bot" both work."""
    base = base_url.rstrip("/")
    if "{token}" in base:
        return base, base.replace("/bot{token}", "/file/bot{token}")
    if base.endswith("/bot"):
        base = base[: -len("/bot")]
    return base + "/bot", base + "/file/bot"


class RedactSecrets(logging.Filter):
    """Blank out the bot token wherever it would be logged (request URLs, exceptions)."""

    TOKEN_IN_URL = re.compile(r"bot\d+:[A-Za-z0-9_-]+")

    def __init__(self, *secrets: str):
        super().__init__()
        self.secrets = [s for s in secrets if s]

    def redact(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "<redacted>")
        return self.TOKEN_IN_URL.sub("bot<redacted>", text)

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = self.redact(record.getMessage())
        record.args = None
        if record.exc_info:
            record.exc_text = self.redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(settings: Settings, level: str = "INFO") -> None:
    """Log to stderr through the redacting filter; ``level="DEBUG"`` shows every request too
    (httpx and python-telegram-bot log URLs with the token in them: the filter blanks it)."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    debug = level.upper() == "DEBUG"
    if debug:
        root.setLevel(logging.DEBUG)
    logging.getLogger("httpx").setLevel(logging.DEBUG if debug else logging.WARNING)  # token in the URL
    logging.getLogger("bot").setLevel(logging.DEBUG if debug else logging.INFO)  # start-up, resumed jobs, failures
    redact = RedactSecrets(settings.bot.token, settings.bot.webhook_secret)
    for handler in root.handlers:
        handler.addFilter(redact)
