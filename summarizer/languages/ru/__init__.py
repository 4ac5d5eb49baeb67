"""Russian: the natasha parse, the navec extractive summarizer and the Russian who-said-what rules."""

from __future__ import annotations

from ...settings import Settings
from .. import LanguagePipeline


def parse(text: str, settings: Settings):
    from .parse import parse_russian

    return parse_russian(text, settings.models.torch_threads)


def summarize(doc, title: str | None, settings: Settings, length: str | None = None) -> list[str]:
    from .summarize import summarize_russian

    return summarize_russian(doc, title, settings, length=length)


def attribute(doc, settings):
    from .attribution import attribute_russian

    return attribute_russian(doc, settings)


def warm_up(settings: Settings) -> None:
    from .models import get_russian_models

    get_russian_models(settings.models.torch_threads)


PIPELINE = LanguagePipeline(code="ru", parse=parse, summarize=summarize, attribute=attribute, warm_up=warm_up)
