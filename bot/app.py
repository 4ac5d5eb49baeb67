"""The Telegram bot: building the Application, wiring every handler in one place, running it.

Exactly-once answers rest on three stored things (see ``bot.storage``; ``bot.stores`` for
PostgreSQL shared by several fronts): every update is written to the database as it is put on the update queue, i.e. before the next ``getUpdates``
tells Telegram it arrived (or, with a webhook, as it is received); an update is marked
done once its handlers returned; and a job is marked done once its answer was sent.
On start, unfinished updates are replayed and pending jobs resumed.

When the database cannot be written (locked by another process, disk full), nothing is
dropped: an update that cannot be stored is not acknowledged (polling waits and tries
again, so Telegram keeps it), and an update whose handling hit the database is handled
again a little later instead of being marked done.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from typing import Any

from telegram import BotCommand, LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import InvalidToken
from telegram.ext import (
    Application,
    ApplicationBuilder,
    CallbackQueryHandler,
    CommandHandler,
    Defaults,
    MessageHandler,
    TypeHandler,
    filters,
)

from summarizer.isolation import EnginePool, EngineStartError
from summarizer.settings import Settings

from . import expand, handlers, texts, webhook
from .jobs import Engine, JobRunner
from .ratelimit import RateLimiter
from .storage import StorageError
from .runtime import api_urls, setup_logging
from .stores import STORAGE_ERRORS, UPDATE_LEASE_S, StorageBackend, StorageUnavailable, claim_update, \
    ensure_single_poller, open_storage

log = logging.getLogger(__name__)

ALLOWED_UPDATES = [Update.MESSAGE, Update.CALLBACK_QUERY]
POLL_TIMEOUT_S = 10  # long-polling wait per getUpdates call
STORAGE_RETRY_S = (0.5, 30.0)  # first and longest pause before trying the database again


def storage_pauses() -> Any:
    """Pauses between tries while the database is unavailable: 0.5 s, doubling, at most 30 s."""
    pause, longest = STORAGE_RETRY_S
    while True:
        yield pause
        pause = min(longest, pause * 2)


class PersistentUpdateQueue(asyncio.Queue):
    """The Application's update queue, storing each update before it is queued.

    The Updater puts a batch on this queue *before* its next ``getUpdates`` acknowledges
    it, so an update Telegram considers delivered is always on disk. While the database
    cannot be written, ``put`` waits and tries again: polling pauses, nothing is acknowledged.
    """

    def __init__(self, storage: StorageBackend):
        super().__init__()
        self.storage = storage

    async def put(self, item: Any) -> None:
        if isinstance(item, Update):
            for pause in storage_pauses():
                try:
                    self.storage.record_update(item.update_id, item.to_json())
                    break
                except STORAGE_ERRORS as exc:
                    log.error("storage unavailable (%s): update %s is not stored yet, so it is not "
                              "acknowledged; trying again in %.1fs", exc, item.update_id, pause)
                    await asyncio.sleep(pause)
        await super().put(item)


class BriefApplication(Application):
    """An Application that handles each update id once and remembers which ones it finished.

    With shared storage (several fronts) an update is handled by the front that claims it
    (``bot.stores.claim_update``): the same update posted to two fronts is handled once."""

    async def process_update(self, update: object) -> None:
        if not isinstance(update, Update):
            await super().process_update(update)
            return
        storage: StorageBackend = self.bot_data["services"].storage
        in_progress: set[int] = self.bot_data.setdefault("updates_in_progress", set())
        storage_failed: set[int] = self.bot_data.setdefault("storage_failed_updates", set())
        if update.update_id in in_progress:
            log.info("update %s is being handled already; skipped", update.update_id)
            return
        in_progress.add(update.update_id)
        handled = False  # the handlers ran through (only marking it done is left)
        claimed = False
        try:
            for pause in storage_pauses():
                storage_failed.discard(update.update_id)
                try:
                    if not handled:
                        if storage.update_done(update.update_id):  # delivered twice (replayed and re-sent)
                            log.info("update %s was already handled; skipped", update.update_id)
                            return
                        if not claimed and not claim_update(storage, update.update_id):
                            log.info("update %s was already handled; skipped (another front has it)",
                                     update.update_id)
                            return
                        claimed = True
                        await super().process_update(update)  # handler errors go to handlers.on_error
                        handled = update.update_id not in storage_failed
                    if handled:
                        storage.mark_update_done(update.update_id)  # not reached when cancelled: replayed
                        return
                except STORAGE_ERRORS as exc:
                    log.error("storage unavailable (%s) while handling update %s", exc, update.update_id)
                # Handled again: stored jobs are recognised by their update id, so nothing repeats.
                log.error("update %s: trying again in %.1fs, once the database answers", update.update_id, pause)
                await asyncio.sleep(pause)
        finally:
            in_progress.discard(update.update_id)
            storage_failed.discard(update.update_id)


def default_engine(settings: Settings) -> Engine | EnginePool:
    """``make_brief`` in child processes with hard limits, or in this process (``[bot] isolate_engine``)."""
    if settings.bot.isolate_engine:
        return EnginePool(settings, processes=settings.bot.workers, timeout_s=settings.bot.job_timeout_s,
                          memory_mb=settings.bot.engine_memory_mb)
    from summarizer.brief import make_brief

    return make_brief


def build_application(settings: Settings, base_url: str | None = None,
                      engine: Engine | EnginePool | None = None) -> Application:
    """The whole bot, ready to run: all handlers are wired here. ``engine`` defaults to
    ``default_engine(settings)``; a callable runs in this process (tests' stand-ins)."""
    if not settings.bot.token:
        raise SystemExit("No bot token: set TELEGRAM_BOT_TOKEN (or [bot] token in the settings file).")
    storage = open_storage(settings)
    builder = (
        ApplicationBuilder()
        .application_class(BriefApplication)
        .token(settings.bot.token)
        .update_queue(PersistentUpdateQueue(storage))
        .defaults(Defaults(parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(is_disabled=True),
                           do_quote=True))  # every answer replies to the message it answers
        .concurrent_updates(True)  # one chat's slow request never holds up another's
        .get_updates_read_timeout(POLL_TIMEOUT_S + 10)
        .post_init(_post_init)
        .post_shutdown(_post_shutdown)
    )
    base_url = base_url or settings.bot.base_url
    if base_url:
        api, files = api_urls(base_url)
        builder = builder.base_url(api).base_file_url(files)
    if settings.queue.backend == "celery":
        # Telegram's limits hold for the whole bot: the front's messages count with the workers'.
        from .sendlimit import RedisSendLimiter

        builder = builder.rate_limiter(RedisSendLimiter(settings.queue.broker_url, settings.queue.send_rate_per_s,
                                                        settings.queue.group_rate_per_min))
    app = builder.build()
    app.bot_data["services"] = handlers.Services(
        settings=settings,
        storage=storage,
        jobs=job_runner(app, storage, settings, engine),
        limiter=RateLimiter(settings.bot.user_rate, settings.bot.chat_rate, settings.bot.rate_window_s),
    )

    app.add_handler(TypeHandler(Update, handlers.check_allowed), group=-1)
    app.add_handler(CommandHandler(["start", "help"], handlers.help_command))
    app.add_handler(CommandHandler("brief", handlers.brief_command))
    app.add_handler(CommandHandler("settings", handlers.settings_command))
    app.add_handler(CallbackQueryHandler(handlers.settings_button, pattern=r"^set:"))
    # every other button press, valid or forged, is answered by the More/Less handler
    app.add_handler(CallbackQueryHandler(expand.on_button))
    content = (filters.TEXT | filters.CAPTION) & ~filters.COMMAND
    app.add_handler(MessageHandler(filters.ChatType.PRIVATE & content, handlers.private_message))
    app.add_handler(MessageHandler(filters.ChatType.GROUPS & content, handlers.group_message))
    app.add_error_handler(handlers.on_error)
    return app


def job_runner(app: Application, storage: StorageBackend, settings: Settings,
               engine: Engine | EnginePool | None) -> JobRunner:
    """``[queue] backend``: "local" runs briefs beside the bot; "celery" hands them to `briefbot worker`."""
    if settings.queue.backend == "celery":
        from .celery_queue import CeleryJobRunner

        return CeleryJobRunner(app.bot, storage, settings)
    return JobRunner(app.bot, storage, settings, engine or default_engine(settings))


async def _replay_stray_updates(app: Application) -> None:
    """Shared storage: updates a dead front took and never finished are handled here instead."""
    storage = app.bot_data["services"].storage
    while True:
        await asyncio.sleep(UPDATE_LEASE_S / 2)
        try:
            strays = storage.stray_updates(UPDATE_LEASE_S)
        except STORAGE_ERRORS as exc:
            log.warning("could not look for unfinished updates of other fronts (%s)", exc)
            continue
        for payload in strays:
            log.info("handling an update another front left unfinished")
            await app.update_queue.put(Update.de_json(json.loads(payload), app.bot))


async def _post_init(app: Application) -> None:
    """After getMe succeeded (so a bad token fails fast), before the first update is fetched."""
    services: handlers.Services = app.bot_data["services"]
    app.bot_data["loop"] = asyncio.get_running_loop()  # to be stopped from another thread
    log.info("loading models")
    await services.jobs.load_engine()
    # The command menu in each language the bot speaks: Telegram shows a user the one for their app's language.
    for language, words in texts.TEXTS.items():
        await app.bot.set_my_commands([BotCommand(name, about) for name, about in words.commands],
                                      language_code=None if language == texts.DEFAULT_LANGUAGE else language)
    services.storage.prune()
    services.jobs.start()
    # Updates stored by a previous run but not finished go round again (already-queued jobs
    # are recognised by their update id and resumed, not repeated).
    for payload in services.storage.unfinished_updates():
        await app.update_queue.put(Update.de_json(json.loads(payload), app.bot))
    if services.storage.shared:  # other fronts may die with updates half handled
        app.bot_data["stray_updates"] = asyncio.create_task(_replay_stray_updates(app), name="stray-updates")
    log.info("bot @%s started", app.bot.username)


async def _post_shutdown(app: Application) -> None:
    services: handlers.Services = app.bot_data["services"]
    strays = app.bot_data.pop("stray_updates", None)
    if strays is not None:
        strays.cancel()
    await services.jobs.stop()
    services.storage.close()


# -- running -----------------------------------------------------------------------------
def run_bot(settings: Settings, base_url: str | None = None, log_level: str = "INFO") -> None:
    """``briefbot bot``: serve until stopped (Ctrl-C, SIGTERM); models load before the first update."""
    setup_logging(settings, log_level)
    check_mode(settings)
    if settings.queue.backend == "celery":
        from .broker import check_broker, check_queue_settings

        check_queue_settings(settings)
        check_broker(settings)
    try:
        app = build_application(settings, base_url)
        serve(app, settings)
    except InvalidToken:  # PTB's message repeats the token: say it without
        raise SystemExit("The bot token was rejected (check TELEGRAM_BOT_TOKEN).") from None
    except (StorageError, StorageUnavailable, EngineStartError) as exc:  # one line, no traceback
        raise SystemExit(f"The bot cannot start: {exc}") from None
    except Exception:
        log.exception("the bot stopped on an error")  # through the redacting log filter
        raise SystemExit(1) from None


WEBHOOK_SECRET = re.compile(r"[A-Za-z0-9_-]{1,256}")  # what Telegram accepts as a secret_token


def check_mode(settings: Settings) -> None:
    """Webhook mode needs its URL and a secret (``[bot] mode`` itself is checked with the settings)."""
    if settings.bot.mode != "webhook":
        return
    if not settings.bot.webhook_url:
        raise SystemExit("webhook mode needs [bot] webhook_url (the public HTTPS address Telegram posts to)")
    if not settings.bot.webhook_secret:
        raise SystemExit("webhook mode needs [bot] webhook_secret (or BRIEFBOT_BOT_WEBHOOK_SECRET): without it "
                         "anyone who finds the address can post updates as any user")
    if not WEBHOOK_SECRET.fullmatch(settings.bot.webhook_secret):
        raise SystemExit("[bot] webhook_secret must be 1-256 characters of A-Z, a-z, 0-9, _ and - "
                         "(what Telegram accepts)")


def serve(app: Application, settings: Settings, **run_options: Any) -> None:
    """Run until stopped: long polling by default, or a webhook server (``[bot] mode``).

    ``run_options`` go to PTB's run_polling or ``bot.webhook.run_webhook`` (tests pass
    ``stop_signals=None``)."""
    check_mode(settings)
    if settings.bot.mode == "webhook":
        webhook.run_webhook(app, settings, ALLOWED_UPDATES, **run_options)
    else:
        ensure_single_poller(app.bot_data["services"].storage)
        app.run_polling(allowed_updates=ALLOWED_UPDATES, drop_pending_updates=False, timeout=POLL_TIMEOUT_S,
                        **run_options)
