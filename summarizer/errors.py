"""The one exception the engine raises for bad input, with a stable ``code``.

Codes are part of the JSON contract and the bot maps them to friendly sentences,
so add new ones here rather than inventing strings at raise sites.
"""

from __future__ import annotations

from .types import ErrorInfo

# code -> what it means (also the default message)
ERROR_CODES: dict[str, str] = {
    "bad_source": "The source is not a URL, a readable file or '-'.",
    "bad_url": "The link is not a valid http(s) URL.",
    "blocked_address": "The link points to an address that is not allowed.",
    "blocked_port": "The link uses a port that is not allowed.",
    "fetch_failed": "The page could not be fetched.",
    "fetch_timeout": "The site took too long to answer.",
    "http_error": "The site answered with an error.",
    "too_many_redirects": "The link redirects too many times.",
    "not_html": "The link is not a web page.",
    "too_large": "The page or text is too large.",
    "bad_encoding": "The input is not readable text.",
    "no_article_text": "No article text was found.",
    "too_short": "The text is too short to be an article.",
    "unsupported_language": "The article is in a language the engine does not read.",
    "engine_failed": "The article could not be analysed.",
    "timeout": "The article took too long to analyse.",
}


class BriefError(Exception):
    """A failure the user should see as one clear line (never a traceback)."""

    def __init__(self, code: str, message: str | None = None):
        if code not in ERROR_CODES:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.message = message or ERROR_CODES[code]
        super().__init__(f"{code}: {self.message}")

    def info(self) -> ErrorInfo:
        return ErrorInfo(code=self.code, message=self.message)
