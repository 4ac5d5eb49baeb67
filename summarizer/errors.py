"""The one exception the engine raises for bad input, with a stable ``code``, and the one
table of codes: what each means (the default message, in the JSON and on the CLI) and the
friendly sentence people read in the chat.

Codes are part of the JSON contract, so add new ones here rather than inventing strings at
raise sites; the renderer and the bot take their sentences from this table.
"""

from __future__ import annotations

from dataclasses import dataclass

from .types import ErrorInfo


@dataclass(frozen=True)
class ErrorCode:
    message: str  # what it means; the default message of a BriefError
    friendly: str  # one sentence for the chat (render.render_error_text)


ERROR_CODES: dict[str, ErrorCode] = {
    "bad_source": ErrorCode("The source is not a URL, a readable file or '-'.",
                            "I need a link, a file or some article text to brief."),
    "bad_url": ErrorCode("The link is not a valid http(s) URL.",
                         "That doesn't look like a web link I can open."),
    "blocked_address": ErrorCode("The link points to an address that is not allowed.",
                                 "I can't open links to private or local addresses."),
    "blocked_port": ErrorCode("The link uses a port that is not allowed.",
                              "I can't open links on that port."),
    "fetch_failed": ErrorCode("The page could not be fetched.",
                              "I couldn't reach that site. Please check the link or try again later."),
    "fetch_timeout": ErrorCode("The site took too long to answer.",
                               "That site took too long to answer. Please try again later."),
    "http_error": ErrorCode("The site answered with an error.",
                            "The site answered with an error, so I couldn't read the article."),
    "too_many_redirects": ErrorCode("The link redirects too many times.",
                                    "That link keeps redirecting, so I gave up."),
    "not_html": ErrorCode("The link is not a web page.",
                          "That link isn't a web page with an article (it may be a file or an image)."),
    "too_large": ErrorCode("The page or text is too large.",
                           "That page is too large for me to read."),
    "bad_encoding": ErrorCode("The input is not readable text.",
                              "I couldn't read that text: it doesn't look like readable text."),
    # Also what too little text is: pasted text under [extract] min_chars has no article in it.
    "no_article_text": ErrorCode("No article text was found.",
                                 "I couldn't find an article there: the page may be empty, a paywall or not a news story."),
    # The engine's message names the language and is the sentence shown (render.MESSAGE_IS_FRIENDLY):
    # "This article looks German; I can brief English and Russian articles so far."
    "unsupported_language": ErrorCode("The article is in a language the engine does not read.",
                                      "I can't read articles in that language yet."),
    "engine_failed": ErrorCode("The article could not be analysed.",
                               "Something went wrong while I was reading that article. Please try again later."),
    "timeout": ErrorCode("The article took too long to analyse.",
                         "That article took too long to read. Please try again later."),
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
