"""Sending a brief (or its error sentence) to a chat, split below Telegram's limit."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Awaitable, Callable, TypeVar

from telegram import Bot, InlineKeyboardMarkup, ReplyParameters
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from summarizer.errors import BriefError
from summarizer.render import render_error_html, render_telegram_html, split_message
from summarizer.types import Brief

if TYPE_CHECKING:
    from .storage import Job

log = logging.getLogger(__name__)

T = TypeVar("T")
SEND_ATTEMPTS = 4  # network hiccups are retried with a growing pause before giving up


class Undeliverable(Exception):
    """The chat cannot be reached any more (bot blocked or removed): stop trying."""


def brief_messages(brief: Brief, language: str | None = None) -> list[str]:
    """The Telegram HTML messages for a brief: the compact brief itself (in the article's language), or one
    friendly error sentence in the reader's ``language``."""
    if brief.error:
        return [render_error_html(brief.error.code, brief.error.message, language)]
    return split_message(render_telegram_html(brief))


def reply_to(message_id: int | None) -> ReplyParameters | None:
    # A reply to a message that was deleted meanwhile is still sent, just without the quote.
    return ReplyParameters(message_id=message_id, allow_sending_without_reply=True) if message_id else None


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    for attempt in range(SEND_ATTEMPTS):
        try:
            return await call()
        except RetryAfter as exc:
            await asyncio.sleep(_seconds(exc.retry_after))
        except Forbidden as exc:
            raise Undeliverable(str(exc)) from exc
        except BadRequest:
            raise
        except NetworkError:  # includes TimedOut
            if attempt == SEND_ATTEMPTS - 1:
                raise
            await asyncio.sleep(2**attempt)
    return await call()


def _seconds(value: object) -> float:
    return value.total_seconds() if hasattr(value, "total_seconds") else float(value)  # type: ignore[union-attr]


async def send_parts(bot: Bot, chat_id: int, parts: list[str], *, reply_to_id: int | None,
                     status_message_id: int | None = None, parts_sent: int = 0,
                     on_part_sent: Callable[[int], None] | None = None,
                     reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Send ``parts`` in order: the first one replaces the status message when there is one.

    ``reply_markup`` (the "More" button) goes under the first part.
    ``parts_sent`` skips parts a previous run already delivered (resume after a restart);
    ``on_part_sent(n)`` is told after each part so that progress can be stored.
    """
    for index, part in enumerate(parts):
        if index < parts_sent:
            continue
        markup = reply_markup if index == 0 else None
        if index == 0 and status_message_id:
            await _edit_or_send(bot, chat_id, status_message_id, part, reply_to_id, markup)
        else:
            await with_retries(lambda: bot.send_message(chat_id, part, reply_parameters=reply_to(reply_to_id),
                                                        reply_markup=markup))
        if on_part_sent:
            on_part_sent(index + 1)


async def _edit_or_send(bot: Bot, chat_id: int, message_id: int, text: str, reply_to_id: int | None,
                        markup: InlineKeyboardMarkup | None = None) -> None:
    try:
        await with_retries(lambda: bot.edit_message_text(text, chat_id=chat_id, message_id=message_id,
                                                         reply_markup=markup))
    except BadRequest as exc:
        if "not modified" in exc.message.lower():  # a resumed job already edited it
            return
        # The status message is gone or too old to edit: answer with a new message instead.
        log.info("could not edit status message %s in chat %s (%s); sending a new one", message_id, chat_id, exc)
        await with_retries(lambda: bot.send_message(chat_id, text, reply_parameters=reply_to(reply_to_id),
                                                    reply_markup=markup))


async def deliver_brief(bot: Bot, job: "Job", brief: Brief, on_part_sent: Callable[[int], None], *,
                        parts: list[str] | None = None, reply_markup: InlineKeyboardMarkup | None = None) -> None:
    """Answer a job with its brief (or its error sentence), resuming after the parts already sent.

    ``parts``/``reply_markup``: the messages to send and the button under the first (``bot.expand.offer``);
    by default the compact brief without a button.

    A chat that cannot be reached any more is given up silently (logged); a brief Telegram refuses
    (a rendering bug) is replaced by the "engine failed" sentence, so the chat is never left silent."""
    try:
        await send_parts(bot, job.chat_id, parts or brief_messages(brief, job.language), reply_to_id=job.reply_to,
                         reply_markup=reply_markup, status_message_id=job.status_message_id,
                         parts_sent=job.parts_sent, on_part_sent=on_part_sent)
    except Undeliverable as exc:
        log.info("job %s: chat %s cannot be reached (%s); dropping the answer", job.id, job.chat_id, exc)
    except BadRequest:
        log.exception("job %s: Telegram refused the brief", job.id)
        fallback = Brief.failed(None, job.url, BriefError("engine_failed").info())
        await send_parts(bot, job.chat_id, brief_messages(fallback, job.language), reply_to_id=job.reply_to,
                         status_message_id=job.status_message_id)
