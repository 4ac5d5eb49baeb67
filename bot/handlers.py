"""Small handlers, one per kind of input; the wiring is in ``bot.app``."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import BadRequest
from telegram.ext import ApplicationHandlerStop, ContextTypes

from summarizer.render import render_error_html
from summarizer.settings import LENGTHS, Settings

from .texts import TEXTS, texts_for
from .inputs import cache_key, looks_like_article, mentions_user, message_links, message_text
from .jobs import JobRunner
from .language import reader_language
from .ratelimit import RateLimiter
from .storage import ChatSettings, Storage
from .stores import STORAGE_ERRORS

log = logging.getLogger(__name__)

@dataclass
class Services:
    """What the handlers share, kept in ``application.bot_data["services"]``."""

    settings: Settings
    storage: Storage
    jobs: JobRunner
    limiter: RateLimiter


def services(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return context.bot_data["services"]


# -- access ------------------------------------------------------------------------------
async def check_allowed(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """With an allow-list configured, silently ignore every other chat and user."""
    bot = services(context).settings.bot
    if not bot.allowed_chat_ids and not bot.allowed_user_ids:
        return
    chat, user = update.effective_chat, update.effective_user
    if (chat and chat.id in bot.allowed_chat_ids) or (user and user.id in bot.allowed_user_ids):
        return
    raise ApplicationHandlerStop


# -- commands ----------------------------------------------------------------------------
async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.effective_message.reply_text(texts_for(reader_language(update, context)).help)


async def brief_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/brief URL, or /brief as a reply to a message with links or article text."""
    message = update.effective_message
    svc = services(context)
    sources, target = inputs_of(message, svc.settings, allow_text=False), message
    replied = message.reply_to_message
    if not sources and replied:
        sources, target = inputs_of(replied, svc.settings, allow_text=True), replied
        if not sources:
            await message.reply_text(texts_for(reader_language(update, context)).short_text_hint)
            return
    if not sources:
        await message.reply_text(texts_for(reader_language(update, context)).brief_usage)
        return
    await brief_sources(update, context, sources, target)


async def settings_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    svc = services(context)
    chat = update.effective_chat
    current = svc.storage.chat_settings(chat.id, svc.settings.summary.length)
    group = chat.type != ChatType.PRIVATE
    language = reader_language(update, context)
    await update.effective_message.reply_text(settings_text(current, group, language),
                                              reply_markup=settings_keyboard(current, group, language))


async def settings_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A press on the /settings keyboard: ``set:length:<short|normal|long>``, or in groups
    ``set:auto:<on|off>`` and ``set:lang:<en|ru>`` (admins only)."""
    query = update.callback_query
    svc = services(context)
    chat = update.effective_chat
    group = chat.type != ChatType.PRIVATE
    if group and not await is_admin(context, chat.id, query.from_user.id):
        await query.answer(texts_for(reader_language(update, context)).admins_only, show_alert=True)
        return
    _, key, value = (query.data or "").split(":", 2)
    current = svc.storage.chat_settings(chat.id, svc.settings.summary.length)
    if key == "length" and value in LENGTHS:
        current = replace(current, length=value)
    elif key == "auto" and group:
        current = replace(current, auto=value == "on")
    elif key == "lang" and group and value in TEXTS:
        current = replace(current, language=value)
    svc.storage.save_chat_settings(chat.id, current)
    language = current.language if group else reader_language(update, context)  # a new choice shows at once
    await query.answer(texts_for(language).saved)
    try:
        await query.edit_message_text(settings_text(current, group, language),
                                      reply_markup=settings_keyboard(current, group, language))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():  # the same button pressed twice
            raise


# -- plain messages ----------------------------------------------------------------------
async def private_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """In a private chat every message is a request: links, a forwarded post, or pasted text."""
    message = update.effective_message
    sources = inputs_of(message, services(context).settings, allow_text=True)
    if not sources:
        await message.reply_text(texts_for(reader_language(update, context)).short_text_hint)
        return
    await brief_sources(update, context, sources, message)


async def group_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Groups: brief when mentioned (the message, or the one it replies to), when a reply to
    the bot carries links, or any link when the group turned automatic briefs on."""
    message = update.effective_message
    svc = services(context)
    replied = message.reply_to_message
    replies_to_bot = bool(replied and replied.from_user and replied.from_user.id == context.bot.id)
    if mentions_user(message, context.bot.username):
        sources, target = inputs_of(message, svc.settings, allow_text=True), message
        if not sources and replied and not replies_to_bot:
            sources, target = inputs_of(replied, svc.settings, allow_text=True), replied
        if not sources:
            await message.reply_text(texts_for(reader_language(update, context)).group_hint)
            return
    elif replies_to_bot or svc.storage.chat_settings(message.chat_id, svc.settings.summary.length).auto:
        sources, target = inputs_of(message, svc.settings, allow_text=False), message
        if not sources:
            return  # a "thanks" to the bot, or chat without links: nothing to do
    else:
        return
    await brief_sources(update, context, sources, target)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    if isinstance(context.error, STORAGE_ERRORS) and isinstance(update, Update):
        # The database was unavailable: bot.app handles this update again instead of marking it done.
        context.bot_data.setdefault("storage_failed_updates", set()).add(update.update_id)
        log.error("storage unavailable (%s) while handling update %s", context.error, update.update_id)
        return
    log.error("error while handling an update", exc_info=context.error)
    # Never leave a message without an answer: unless a job already answers it, say it failed.
    message = update.effective_message if isinstance(update, Update) else None
    if message is None or update.callback_query is not None:
        return
    try:
        if not services(context).storage.has_job(update.update_id, 0):
            await message.reply_text(render_error_html("engine_failed", language=reader_language(update, context)))
    except Exception as exc:  # the error handler itself must not fail
        log.warning("could not answer update %s after an error: %s", update.update_id, exc)


# -- shared steps ------------------------------------------------------------------------
def inputs_of(message: Message, settings: Settings, *, allow_text: bool) -> list[dict[str, str]]:
    """What to brief in a message: its text if it reads like an article (a pasted article with
    links in it is the article, not its links), else its links (capped)."""
    text = message_text(message)
    if allow_text and looks_like_article(text, settings.bot.min_article_chars):
        return [{"text": text}]
    return [{"url": url} for url in message_links(message, settings.bot.max_links_per_message)]


async def brief_sources(update: Update, context: ContextTypes.DEFAULT_TYPE, sources: list[dict[str, str]],
                        target: Message) -> None:
    """Answer each source as a reply to ``target``: from the cache at once, else as a queued job."""
    svc = services(context)
    chat, user = update.effective_chat, update.effective_user
    length = svc.storage.chat_settings(chat.id, svc.settings.summary.length).length
    language = reader_language(update, context)
    words = texts_for(language)
    for seq, source in enumerate(sources):
        if svc.storage.has_job(update.update_id, seq):
            continue  # an update replayed after a restart: its job answers (or answered) it
        if len(source.get("text", "").encode("utf-8", "surrogatepass")) > svc.settings.fetch.max_bytes:
            # The same limit as a downloaded page (Telegram itself caps messages far below it).
            await target.reply_text(render_error_html("too_large", language=language))
            continue
        if not svc.limiter.allow(user.id if user else None, chat.id):
            await target.reply_text(words.rate_limited)
            return
        request = dict(update_id=update.update_id, seq=seq, chat_id=chat.id, reply_to_id=target.message_id,
                       source=source, length=length, language=language)
        url = source.get("url")
        cached = svc.storage.cached_brief(cache_key(url, length)) if url else None
        if cached is not None:
            await svc.jobs.answer_now(**request, brief=cached)
        elif svc.jobs.is_full():
            await target.reply_text(words.busy)
            return
        else:
            await svc.jobs.submit(**request)


async def is_admin(context: ContextTypes.DEFAULT_TYPE, chat_id: int, user_id: int) -> bool:
    member = await context.bot.get_chat_member(chat_id, user_id)
    return member.status in (ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.OWNER)


def settings_text(current: ChatSettings, group: bool, language: str) -> str:
    words = texts_for(language)
    lines = [words.settings_title, words.settings_length.format(length=words.length_name(current.length))]
    if group:
        lines.append(words.settings_auto_on if current.auto else words.settings_auto_off)
        lines.append(words.settings_language.format(language=texts_for(current.language).language_name))
    return "\n".join(lines)


def settings_keyboard(current: ChatSettings, group: bool, language: str) -> InlineKeyboardMarkup:
    words = texts_for(language)

    def mark(label: str, on: bool) -> str:
        return f"✓ {label}" if on else label

    rows = [[InlineKeyboardButton(mark(words.length_name(name).capitalize(), current.length == name),
                                  callback_data=f"set:length:{name}")
             for name in LENGTHS]]
    if group:
        rows.append([
            InlineKeyboardButton(mark(words.button_auto_on, current.auto), callback_data="set:auto:on"),
            InlineKeyboardButton(mark(words.button_auto_off, not current.auto), callback_data="set:auto:off"),
        ])
        rows.append([InlineKeyboardButton(mark(chat_texts.language_name, current.language == code),
                                          callback_data=f"set:lang:{code}")
                     for code, chat_texts in TEXTS.items()])
    return InlineKeyboardMarkup(rows)
