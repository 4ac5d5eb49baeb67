"""Which language the bot speaks in answer to an update (its own texts; a brief follows its article)."""

from __future__ import annotations

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ContextTypes

from .texts import language_of


def reader_language(update: Update, context: ContextTypes.DEFAULT_TYPE) -> str:
    """In a private chat the user's Telegram ``language_code`` ("ru…" → Russian, anything else →
    English), in a group the group's setting (``/settings``)."""
    chat = update.effective_chat
    if chat is None or chat.type == ChatType.PRIVATE:
        user = update.effective_user
        return language_of(user.language_code if user else None)
    svc = context.bot_data["services"]
    return svc.storage.chat_settings(chat.id, svc.settings.summary.length).language
