"""The summary stage: ``summarize(doc, title, settings, length)`` runs the engine the settings name.

The engines live one module each and know nothing of each other's dispatch: ``summarize.py``
(the extractive default, and the candidate sentences the others build on) and ``seq2seq.py``
(abstractive, on top of ``summarize.py``). Picking one here, above both, keeps the imports
one-way (summarize <- seq2seq <- engines).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .settings import LENGTHS, SUMMARY_ENGINES, Settings
from .summarize import extractive_summary

if TYPE_CHECKING:  # pragma: no cover
    from spacy.tokens import Doc


def summarize(doc: "Doc", title: str | None, settings: Settings, length: str | None = None) -> list[str]:
    """Summary sentences for a parsed article, in article order."""
    length = length or settings.summary.length
    if length not in LENGTHS:
        raise ValueError(f"unknown summary length {length!r} (expected one of {', '.join(LENGTHS)})")
    if settings.summary.engine == "extractive":
        return extractive_summary(doc, title, settings, length)
    if settings.summary.engine == "seq2seq":
        from .seq2seq import abstractive_summary  # transformers loads only for this engine

        return abstractive_summary(doc, title, settings, length)
    raise ValueError(f"unknown summary engine {settings.summary.engine!r} (expected one of {', '.join(SUMMARY_ENGINES)})")
