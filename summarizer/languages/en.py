"""English: the spaCy parse, the MiniLM extractive summarizer and the speakers stage, as they are."""

from __future__ import annotations

from ..settings import Settings
from . import LanguagePipeline


def parse(text: str, settings: Settings):
    from ..models import get_nlp

    return get_nlp(settings.models)(text)


def summarize(doc, title: str | None, settings: Settings, length: str | None = None) -> list[str]:
    from ..engines import summarize as summarize_english  # the [summary] engine the settings name

    return summarize_english(doc, title, settings, length=length)


def attribute(doc, settings):
    from ..speakers import attribute_quotes

    return attribute_quotes(doc, settings)


def warm_up(settings: Settings) -> None:
    from ..models import warm_up as load_models

    load_models(settings.models)


PIPELINE = LanguagePipeline(code="en", parse=parse, summarize=summarize, attribute=attribute, warm_up=warm_up)
