"""What the bot says, in one place: one table per language (Telegram HTML: anything dynamic must be escaped).

The reader's language is chosen per update (``reader_language`` in ``bot.handlers``): the user's
Telegram ``language_code`` in private chats, the chat's stored setting in groups. ``Texts`` is a
frozen dataclass, so a language that lacks a text fails when this module is imported, not in a
chat; placeholders (``{length}``) must match across languages (tests/bot/test_i18n.py checks).
The error sentences the bot shows live with the error codes (``summarizer.errors.ERROR_CODES``).
The brief's own headings follow the article's language, not the reader's (``summarizer.render``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Texts:
    language_name: str  # the language by its own name: the /settings buttons and "Language:" line
    help: str
    reading_article: str  # the status message, edited into the answer
    reading_text: str
    short_text_hint: str
    brief_usage: str
    group_hint: str
    rate_limited: str
    busy: str
    admins_only: str
    saved: str
    # /settings
    settings_title: str
    settings_length: str  # {length}: one of length_names
    settings_auto_on: str
    settings_auto_off: str
    settings_language: str  # {language}: the chat's language, by its own name (language_name)
    button_auto_on: str
    button_auto_off: str
    length_names: tuple[tuple[str, str], ...]  # (summarizer.settings.LENGTHS name, label)
    commands: tuple[tuple[str, str], ...]  # (command, description) for the command menu

    def length_name(self, length: str) -> str:
        return dict(self.length_names).get(length, length)


EN = Texts(
    language_name="English",
    help=(
        "<b>I brief news articles.</b> Send me a link and I answer with a short summary "
        "and <i>who said what</i> in the article.\n\n"
        "<b>Example:</b> send\n<code>https://www.bbc.com/news/articles/c0000000000o</code>\n\n"
        "I also read pasted article text, and posts forwarded from channels (their links too).\n\n"
        "<b>Commands</b>\n"
        "/brief URL, or /brief as a reply to a message: brief it\n"
        "/settings: summary length; in groups, whether I brief links automatically and my language\n"
        "/help: this message\n\n"
        "In groups, mention me or use /brief as a reply to a message with a link."
    ),
    reading_article="Reading the article…",
    reading_text="Reading the text…",
    short_text_hint=(
        "Send me a link to a news article, or paste the whole article text "
        "(this looks too short to be an article)."
    ),
    brief_usage=("Use /brief with a link (<code>/brief https://…</code>) or as a reply to a message with a link "
                 "or an article."),
    group_hint="Mention me in a message with a link, or reply to one with /brief.",
    rate_limited="You're sending articles faster than I can read them. Please wait a minute and try again.",
    busy="I'm reading a lot of articles right now. Please try again in a few minutes.",
    admins_only="Only group admins can change these settings.",
    saved="Saved.",
    settings_title="<b>Settings for this chat</b>",
    settings_length="Summary length: {length}",
    settings_auto_on="Links are briefed automatically",
    settings_auto_off="Links are briefed only on /brief or a mention",
    settings_language="Language: {language}",
    button_auto_on="Auto: every link",
    button_auto_off="Only /brief or mention",
    length_names=(("short", "short"), ("normal", "normal"), ("long", "long")),
    commands=(
        ("brief", "Brief a link, or the message you reply to"),
        ("settings", "Summary length and group options"),
        ("help", "What I do, with an example"),
        ("start", "Start"),
    ),
)

RU = Texts(
    language_name="Русский",
    help=(
        "<b>Я пересказываю новостные статьи.</b> Пришлите мне ссылку, и я отвечу кратким пересказом "
        "и перечнем того, <i>кто что сказал</i> в статье.\n\n"
        "<b>Пример:</b> отправьте\n<code>https://www.bbc.com/news/articles/c0000000000o</code>\n\n"
        "Я читаю и вставленный текст статьи, и посты, пересланные из каналов (вместе с их ссылками).\n\n"
        "<b>Команды</b>\n"
        "/brief ссылка или /brief в ответ на сообщение: перескажу статью\n"
        "/settings: длина пересказа; в группах — пересказывать ли ссылки автоматически и мой язык\n"
        "/help: это сообщение\n\n"
        "В группах упомяните меня или ответьте командой /brief на сообщение со ссылкой."
    ),
    reading_article="Читаю статью…",
    reading_text="Читаю текст…",
    short_text_hint=(
        "Пришлите мне ссылку на новостную статью или вставьте текст статьи целиком "
        "(этот текст слишком короткий для статьи)."
    ),
    brief_usage=("Используйте /brief со ссылкой (<code>/brief https://…</code>) или в ответ на сообщение "
                 "со ссылкой или статьёй."),
    group_hint="Упомяните меня в сообщении со ссылкой или ответьте на него командой /brief.",
    rate_limited="Вы присылаете статьи быстрее, чем я успеваю их читать. Подождите минуту и попробуйте снова.",
    busy="Сейчас я читаю очень много статей. Попробуйте ещё раз через несколько минут.",
    admins_only="Менять эти настройки могут только администраторы группы.",
    saved="Сохранено.",
    settings_title="<b>Настройки этого чата</b>",
    settings_length="Пересказ: {length}",
    settings_auto_on="Ссылки пересказываются автоматически",
    settings_auto_off="Ссылки пересказываются только по команде /brief или упоминанию",
    settings_language="Язык: {language}",
    button_auto_on="Авто: каждая ссылка",
    button_auto_off="Только /brief или упоминание",
    length_names=(("short", "короткий"), ("normal", "обычный"), ("long", "длинный")),
    commands=(
        ("brief", "Пересказать ссылку или сообщение, на которое вы отвечаете"),
        ("settings", "Длина пересказа и настройки группы"),
        ("help", "Что я умею, с примером"),
        ("start", "Начать"),
    ),
)

TEXTS: dict[str, Texts] = {"en": EN, "ru": RU}
DEFAULT_LANGUAGE = "en"


def language_of(language_code: str | None) -> str:
    """The bot's language for a Telegram ``language_code`` ("ru", "ru-RU", "en-GB", None):
    its primary subtag when the bot speaks it, else the default (English)."""
    primary = (language_code or "").split("-")[0].split("_")[0].lower()
    return primary if primary in TEXTS else DEFAULT_LANGUAGE


def texts_for(language: str | None) -> Texts:
    """The texts of a language the bot speaks; any other (or none) reads as the default."""
    return TEXTS.get(language or "", TEXTS[DEFAULT_LANGUAGE])
