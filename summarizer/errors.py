"""The one exception the engine raises for bad input, with a stable ``code``, and the one
table of codes: what each means (the default message, in the JSON and on the CLI) and the
friendly sentence people read in the chat, in English and translated (the bot answers in its
reader's language; the CLI and the JSON stay English).

Codes are part of the JSON contract, so add new ones here rather than inventing strings at
raise sites; the renderer and the bot take their sentences from this table.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .types import ErrorInfo


@dataclass(frozen=True)
class ErrorCode:
    message: str  # what it means; the default message of a BriefError
    friendly: str  # one sentence for the chat (render.render_error_text), in English
    # The same sentence for readers of other languages, by language code ("ru").
    translations: dict[str, str] = field(default_factory=dict)

    def friendly_in(self, language: str | None) -> str:
        """The chat sentence in ``language``; English for any language without a translation."""
        return self.translations.get(language or "", self.friendly)


ERROR_CODES: dict[str, ErrorCode] = {
    "bad_source": ErrorCode("The source is not a URL, a readable file or '-'.",
                            "I need a link, a file or some article text to brief.",
                            {"ru": "Мне нужна ссылка, файл или текст статьи."}),
    "bad_url": ErrorCode("The link is not a valid http(s) URL.",
                         "That doesn't look like a web link I can open.",
                         {"ru": "Это не похоже на веб-ссылку, которую я могу открыть."}),
    "blocked_address": ErrorCode("The link points to an address that is not allowed.",
                                 "I can't open links to private or local addresses.",
                                 {"ru": "Я не открываю ссылки на частные и локальные адреса."}),
    "blocked_port": ErrorCode("The link uses a port that is not allowed.",
                              "I can't open links on that port.",
                              {"ru": "Я не открываю ссылки с таким портом."}),
    "fetch_failed": ErrorCode("The page could not be fetched.",
                              "I couldn't reach that site. Please check the link or try again later.",
                              {"ru": "Не удалось открыть этот сайт. Проверьте ссылку или попробуйте позже."}),
    "fetch_timeout": ErrorCode("The site took too long to answer.",
                               "That site took too long to answer. Please try again later.",
                               {"ru": "Сайт слишком долго не отвечал. Попробуйте позже."}),
    "http_error": ErrorCode("The site answered with an error.",
                            "The site answered with an error, so I couldn't read the article.",
                            {"ru": "Сайт ответил ошибкой, поэтому прочитать статью не удалось."}),
    "too_many_redirects": ErrorCode("The link redirects too many times.",
                                    "That link keeps redirecting, so I gave up.",
                                    {"ru": "Ссылка перенаправляет слишком много раз, открыть её не удалось."}),
    "not_html": ErrorCode("The link is not a web page.",
                          "That link isn't a web page with an article (it may be a file or an image).",
                          {"ru": "По этой ссылке нет веб-страницы со статьёй (возможно, это файл или картинка)."}),
    "too_large": ErrorCode("The page or text is too large.",
                           "That page is too large for me to read.",
                           {"ru": "Эта страница слишком большая, я не могу её прочитать."}),
    "bad_encoding": ErrorCode("The input is not readable text.",
                              "I couldn't read that text: it doesn't look like readable text.",
                              {"ru": "Не удалось прочитать этот текст: он не похож на читаемый текст."}),
    # Also what too little text is: pasted text under [extract] min_chars has no article in it.
    "no_article_text": ErrorCode("No article text was found.",
                                 "I couldn't find an article there: the page may be empty, a paywall or not a news story.",
                                 {"ru": "Статьи там не нашлось: страница может быть пустой, закрытой платным "
                                        "доступом или не новостной."}),
    # The engine's message names the language and is the sentence shown to English readers
    # (render.MESSAGE_IS_FRIENDLY): "This article looks German; I can brief English and Russian articles so far."
    "unsupported_language": ErrorCode("The article is in a language the engine does not read.",
                                      "I can't read articles in that language yet.",
                                      {"ru": "Статьи на этом языке я пока читать не умею."}),
    "engine_failed": ErrorCode("The article could not be analysed.",
                               "Something went wrong while I was reading that article. Please try again later.",
                               {"ru": "Что-то пошло не так при чтении статьи. Попробуйте позже."}),
    "timeout": ErrorCode("The article took too long to analyse.",
                         "That article took too long to read. Please try again later.",
                         {"ru": "Чтение статьи заняло слишком много времени. Попробуйте позже."}),
}


class BriefError(Exception):
    """A failure the user should see as one clear line (never a traceback)."""

    def __init__(self, code: str, message: str | None = None):
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.message = message or ERROR_CODES[code].message
        super().__init__(f"{code}: {self.message}")

    def info(self) -> ErrorInfo:
        return ErrorInfo(code=self.code, message=self.message)
