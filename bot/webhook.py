"""Webhook mode: a small HTTP server for Telegram's POSTs, with the secret checked in constant time.

python-telegram-bot 22's own webhook server compares the ``X-Telegram-Bot-Api-Secret-Token``
header with ``!=`` (telegram/ext/_utils/webhookhandler.py), which leaks through timing how much of
a guess is right, and logs a wrong token and every update body at DEBUG. So the bot runs its own
server, the way PTB documents for custom webhook setups (``Application`` started and stopped by
hand, updates put on its ``update_queue``), on tornado, which PTB's webhook extra already installs:

- a secret is required (``bot.app.check_mode`` refuses to start without one) and compared with
  ``hmac.compare_digest``; a request without it, or with a wrong one, gets 403 and is never parsed,
  so it cannot take the ``update_id`` of a real update;
- an update is acknowledged (200) only once it is stored (``PersistentUpdateQueue.put``);
- bodies are capped (Telegram's updates are a few kilobytes);
- it listens on ``[bot] webhook_listen`` (127.0.0.1 by default, behind a TLS-terminating proxy).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from http import HTTPStatus
from typing import Any, Sequence
from urllib.parse import urlsplit

import tornado.httpserver
import tornado.web
from telegram import Update
from telegram.ext import Application

from summarizer.settings import Settings

log = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY_BYTES = 1_000_000
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


class UpdateHandler(tornado.web.RequestHandler):
    """POST <path>: one update from Telegram."""

    def initialize(self, app: Application, secret: str) -> None:
        self.app = app
        self.secret = secret.encode()

    async def post(self) -> None:
        given = self.request.headers.get(SECRET_HEADER, "").encode("utf-8", "replace")
        if not hmac.compare_digest(given, self.secret):
            log.warning("webhook: refused a request from %s without the right secret token", self.request.remote_ip)
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            update = Update.de_json(json.loads(self.request.body), self.app.bot)
        except Exception:  # not JSON, or not an update
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if update is not None:
            await self.app.update_queue.put(update)  # stored before Telegram hears "200"
        self.set_status(HTTPStatus.OK)

    def log_exception(self, *args: Any) -> None:
        pass  # refusals are logged above, without the request


def run_webhook(app: Application, settings: Settings, allowed_updates: list[str],
                stop_signals: Sequence[int] | None = STOP_SIGNALS) -> None:
    """Serve until stopped (a signal in ``stop_signals``, or ``request_stop``)."""
    asyncio.run(_serve(app, settings, allowed_updates, stop_signals))


def request_stop(app: Application) -> bool:
    """Stop a running webhook server from any thread; False if none runs."""
    stop: asyncio.Event | None = app.bot_data.get("webhook_stop")
    if stop is None:
        return False
    app.bot_data["loop"].call_soon_threadsafe(stop.set)
    return True


async def _serve(app: Application, settings: Settings, allowed_updates: list[str],
                 stop_signals: Sequence[int] | None) -> None:
    bot = settings.bot
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    for sig in stop_signals or ():
        loop.add_signal_handler(sig, stop.set)
    server = tornado.httpserver.HTTPServer(
        tornado.web.Application([(urlsplit(bot.webhook_url).path or "/", UpdateHandler,
                                  {"app": app, "secret": bot.webhook_secret})]),
        max_body_size=MAX_BODY_BYTES)
    await app.initialize()
    try:
        if app.post_init:
            await app.post_init(app)
        app.bot_data["webhook_stop"] = stop
        server.listen(bot.webhook_port, address=bot.webhook_listen)
        await app.start()
        await app.bot.set_webhook(bot.webhook_url, secret_token=bot.webhook_secret, allowed_updates=allowed_updates,
                                  drop_pending_updates=False)
        log.info("webhook: listening on %s:%s", bot.webhook_listen, bot.webhook_port)
        await stop.wait()
    finally:
        server.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown:
            await app.post_shutdown(app)
