"""Which language an article is written in: py3langid on the article text, offline.

Chosen by measurement (``briefbot eval languages``) on the evaluation texts (122 Russian news texts,
149 English CNN/DailyMail and BBC articles, German and other pages from the extraction set): py3langid
named every labelled text right from its first 2,000 characters and still did from 300 and 100, in a few
milliseconds a text, with a model that loads in about a second; lingua (all languages, models
preloaded) was as accurate but took about a minute and far more memory to load. The page's own
``lang`` attribute is only a fallback: sites leave a template's ``lang="en"`` on pages in other
languages.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

# Characters of the text looked at: plenty for a confident answer, and a bounded cost.
SAMPLE_CHARS = 2000
# Fewer letters than this and the text says too little: the page's declared language is used.
MIN_LETTERS = 40

_lock = threading.Lock()
_LETTER = re.compile(r"[^\W\d_]")
_WORDS = re.compile(r"[^\W\d_]+")

# English names of the languages the refusal sentence may have to name (ISO 639-1 codes).
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English", "ru": "Russian", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian",
    "pt": "Portuguese", "nl": "Dutch", "pl": "Polish", "uk": "Ukrainian", "be": "Belarusian",
    "bg": "Bulgarian", "sr": "Serbian", "cs": "Czech", "sk": "Slovak", "sv": "Swedish", "da": "Danish",
    "no": "Norwegian", "nb": "Norwegian", "fi": "Finnish", "et": "Estonian", "lv": "Latvian",
    "lt": "Lithuanian", "hu": "Hungarian", "ro": "Romanian", "el": "Greek", "tr": "Turkish",
    "ar": "Arabic", "he": "Hebrew", "fa": "Persian", "hi": "Hindi", "zh": "Chinese", "ja": "Japanese",
    "ko": "Korean", "vi": "Vietnamese", "id": "Indonesian", "ms": "Malay", "th": "Thai", "ka": "Georgian",
    "hy": "Armenian", "az": "Azerbaijani", "kk": "Kazakh", "ca": "Catalan", "hr": "Croatian",
    "sl": "Slovenian",
}


def language_name(code: str | None) -> str:
    return LANGUAGE_NAMES.get(code or "", f"written in a language I don't know ({code})" if code else "unreadable")


@lru_cache(maxsize=1)
def _classifier():
    from py3langid.langid import classify

    classify("warm up")  # the model is loaded on the first call
    return classify


def detect_language(text: str, declared: str | None = None) -> str | None:
    """The ISO 639-1 code of ``text``'s language; ``declared`` (the page's) when the text is too short."""
    sample = text[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        # a page that opens with symbols or markup debris: look further in, without the debris
        sample = " ".join(_WORDS.findall(text[: SAMPLE_CHARS * 10]))[:SAMPLE_CHARS]
    if len(_LETTER.findall(sample)) < MIN_LETTERS:
        return (declared or "").lower()[:2] or None
    with _lock:
        classify = _classifier()
    code, _score = classify(sample)
    return str(code)


def warm_up() -> None:
    with _lock:
        _classifier()
