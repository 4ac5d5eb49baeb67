"""The languages the engine reads, one pipeline each, registered in one table.

A pipeline brings its own parse, summarizer and who-said-what finder behind the same three calls,
so the stages never ask which language they are in:

    pipeline = pipeline_for(code)            # BriefError("unsupported_language") for any other
    doc = pipeline.parse(text, settings)     # the one parse both analyses share
    summary = pipeline.summarize(doc, title, settings, length)
    speakers = pipeline.attribute(doc, settings.speakers)

Each language lives in its own module (``languages/en.py``, ``languages/ru/``), imported only when
an article in that language arrives, so importing the engine stays cheap and an English-only bot
never loads the Russian models.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Any, Callable

from ..errors import BriefError
from .detect import LANGUAGE_NAMES, detect_language, language_name

__all__ = ["LanguagePipeline", "PIPELINES", "pipeline_for", "detect_language", "language_name",
           "supported_languages", "unsupported_message", "warm_up_all"]


@dataclass(frozen=True)
class LanguagePipeline:
    code: str  # ISO 639-1
    parse: Callable[..., Any]  # (text, settings) -> the language's parsed document
    summarize: Callable[..., list[str]]  # (doc, title, settings, length) -> summary sentences
    attribute: Callable[..., list]  # (doc, speaker settings) -> list[Speaker]
    warm_up: Callable[..., None]  # (settings) -> None: load the models now


# code -> module whose PIPELINE is that language's pipeline (imported on first use)
PIPELINES: dict[str, str] = {
    "en": "summarizer.languages.en",
    "ru": "summarizer.languages.ru",
}


def supported_languages() -> list[str]:
    return list(PIPELINES)


def unsupported_message(code: str | None) -> str:
    """'This article looks German; I can brief English and Russian articles so far.'"""
    names = [language_name(c) for c in PIPELINES]
    readable = " and ".join([", ".join(names[:-1]), names[-1]] if len(names) > 1 else names)
    name = language_name(code)
    looks = f"looks {name}" if code in LANGUAGE_NAMES else f"is {name}"
    return f"This article {looks}; I can brief {readable} articles so far."


def pipeline_for(code: str | None) -> LanguagePipeline:
    module = PIPELINES.get(code or "")
    if module is None:
        raise BriefError("unsupported_language", unsupported_message(code))
    return importlib.import_module(module).PIPELINE



def warm_up_all(settings: Any) -> None:
    """Load the language detector and every language's models now (the bot's engine does this at
    start, before it caps its memory, so the first Russian article neither waits nor needs more)."""
    from .detect import warm_up

    warm_up()
    for code in PIPELINES:
        pipeline_for(code).warm_up(settings)
