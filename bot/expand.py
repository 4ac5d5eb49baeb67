"""The "More" and "Less" buttons under a brief: the compact brief expands into the full one and back.

A brief is sent compact, with a "More" button whose callback data names a random token;
the brief is stored under that token (``Storage.remember_sent_brief``), so a tap works for
anyone in the chat and after a restart, until ``[bot] expand_ttl_s``. "More" edits the
message into the full brief (continuing in further messages past Telegram's limit, as
any long brief does) with a "Less" button; "Less" edits it back and deletes the
continuation. A tap whose data is malformed, names a brief of another chat or an expired
one, or is not a button of the message tapped gets a polite answer and changes nothing.
"""

from __future__ import annotations

import logging
import re
import secrets

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import ContextTypes

from summarizer.render import FULL, render_telegram_html, split_message
from summarizer.settings import Settings
from summarizer.types import Brief

from .delivery import brief_messages, reply_to, with_retries
from .language import reader_language
from .storage import Storage
from .stores import STORAGE_ERRORS
from .texts import texts_for

log = logging.getLogger(__name__)

_CALLBACK = re.compile(r"^brief:(more|less):([A-Za-z0-9_-]{12,32})$")


def callback_data(action: str, token: str) -> str:
    return f"brief:{action}:{token}"


def keyboard(action: str, token: str, language: str) -> InlineKeyboardMarkup:
    words = texts_for(language)
    label = words.more if action == "more" else words.less
    return InlineKeyboardMarkup([[InlineKeyboardButton(label, callback_data=callback_data(action, token))]])


def compact_messages(brief: Brief) -> list[str]:
    return brief_messages(brief)  # the compact layout is the default


def full_messages(brief: Brief) -> list[str]:
    return split_message(render_telegram_html(brief, FULL))


def offer(storage: Storage, settings: Settings, chat_id: int, brief: Brief,
          language: str) -> tuple[list[str], InlineKeyboardMarkup | None]:
    """The messages of a brief and, when the full brief says more, a "More" button (in the reader's
    ``language``) for the first one."""
    parts = brief_messages(brief, language)  # the compact layout is the default; an error in the reader's language
    if brief.error or len(parts) != 1 or full_messages(brief) == parts:
        return parts, None
    token = secrets.token_urlsafe(12)
    try:
        storage.remember_sent_brief(token, chat_id, brief, settings.bot.expand_ttl_s)
    except STORAGE_ERRORS as exc:  # the brief matters more than its button
        log.error("storage unavailable (%s): brief sent without a More button", exc)
        return parts, None
    return parts, keyboard("more", token, language)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A tap on "More" or "Less" (``brief:<more|less>:<token>``), by anyone in the chat.

    Wired for every callback the settings keyboard does not take, so that any other data
    (forged, or from an old version of the bot) gets its polite answer here too.
    """
    query = update.callback_query
    storage: Storage = context.bot_data["services"].storage
    language = reader_language(update, context)
    words = texts_for(language)
    message = query.message
    match = _CALLBACK.match(query.data or "")
    if match is None or message is None or not _has_button_for(message, match.group(2)):
        await query.answer(words.button_not_valid)
        return
    action, token = match.groups()
    sent = storage.sent_brief(token, message.chat.id)
    if sent is None:
        await query.answer(words.brief_expired, show_alert=True)
        return
    await query.answer()
    if action == "more" and not sent.expanded:
        continuation = await _show(context.bot, message.chat.id, message.message_id, full_messages(sent.brief),
                                   keyboard("less", token, language))
        storage.set_sent_brief_view(token, True, continuation)
    elif action == "less" and sent.expanded:
        await _show(context.bot, message.chat.id, message.message_id, compact_messages(sent.brief),
                    keyboard("more", token, language))
        for message_id in sent.continuation:
            try:
                await with_retries(lambda: context.bot.delete_message(message.chat.id, message_id))
            except TelegramError as exc:  # already deleted by someone, or too old: leave it
                log.info("could not delete continuation message %s: %s", message_id, exc)
        storage.set_sent_brief_view(token, False, [])
    # else: a tap on a button the message no longer shows (an old view, or two quick taps): done already


def _has_button_for(message: object, token: str) -> bool:
    """The tapped message carries a button of this brief (its "More" or, once expanded, its "Less")."""
    markup = getattr(message, "reply_markup", None)
    rows = markup.inline_keyboard if markup is not None else ()
    return any(isinstance(b.callback_data, str) and b.callback_data.endswith(":" + token) for row in rows for b in row)


async def _show(bot: Bot, chat_id: int, message_id: int, parts: list[str], markup: InlineKeyboardMarkup) -> list[int]:
    """Edit the message into ``parts[0]`` with ``markup``; the rest follow as new messages (their ids returned)."""
    try:
        await with_retries(lambda: bot.edit_message_text(parts[0], chat_id=chat_id, message_id=message_id,
                                                         reply_markup=markup))
    except BadRequest as exc:
        if "not modified" not in exc.message.lower():
            raise
    continuation = []
    for part in parts[1:]:
        sent = await with_retries(lambda: bot.send_message(chat_id, part, reply_parameters=reply_to(message_id)))
        continuation.append(sent.message_id)
    return continuation
