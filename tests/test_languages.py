"""Language detection, routing by language, the refusal of unsupported languages, headings per language."""

from __future__ import annotations

import pytest

from summarizer import Source, load_settings, make_brief
from summarizer.errors import ERROR_CODES
from summarizer.languages import PIPELINES, detect_language, pipeline_for, unsupported_message
from summarizer.render import render_error_text, render_telegram_html, render_text
from summarizer.types import Brief, Quote, Speaker

ENGLISH = ("The mayor said on Monday that the city would open three new schools next year. "
           "Parents welcomed the plan, but teachers warned that there were not enough staff to run them.")
RUSSIAN = ("Мэр города заявил в понедельник, что в следующем году в городе откроются три новые школы. "
           "Родители одобрили план, но учителя предупредили, что для их работы не хватит сотрудников.")
GERMAN = ("Der Bürgermeister sagte am Montag, dass die Stadt im nächsten Jahr drei neue Schulen eröffnen werde. "
          "Die Eltern begrüßten den Plan, aber die Lehrer warnten, dass es nicht genug Personal gebe.")


@pytest.mark.parametrize("text, code", [(ENGLISH, "en"), (RUSSIAN, "ru"), (GERMAN, "de")])
def test_detects_the_language_of_the_text(text, code):
    assert detect_language(text) == code


def test_the_text_outweighs_a_declared_language_and_a_short_text_keeps_it():
    assert detect_language(RUSSIAN, declared="en") == "ru"  # a template's lang="en" on a Russian page
    assert detect_language("OK 123", declared="de-DE") == "de"
    assert detect_language("OK 123") is None


def test_each_language_has_a_pipeline_with_the_same_interface():
    for code in PIPELINES:
        pipeline = pipeline_for(code)
        assert pipeline.code == code
        assert all(callable(f) for f in (pipeline.parse, pipeline.summarize, pipeline.attribute, pipeline.warm_up))


def test_unsupported_language_is_refused_with_a_clear_sentence():
    brief = make_brief(Source(text=GERMAN * 3), load_settings())
    assert brief.error is not None and brief.error.code == "unsupported_language"
    assert brief.error.message == "This article looks German; I can brief English and Russian articles so far."
    assert brief.language == "de" and brief.summary == [] and brief.speakers == []
    assert "unsupported_language" in ERROR_CODES
    # the chat shows the engine's sentence, which names the language
    assert render_telegram_html(brief) == brief.error.message
    assert render_error_text("unsupported_language") != brief.error.message  # without it: a generic sentence


def test_unknown_codes_are_named_plainly():
    assert unsupported_message("xx").startswith("This article is written in a language I don't know (xx);")
    assert unsupported_message(None).startswith("This article is unreadable;")


def test_russian_article_gets_a_russian_brief():
    brief = make_brief(Source(text=RUSSIAN * 2), load_settings())
    assert brief.error is None and brief.language == "ru"
    assert brief.summary and all(s in brief.text for s in brief.summary)


def test_english_article_language_is_set():
    brief = make_brief(Source(text=ENGLISH * 2), load_settings())
    assert brief.error is None and brief.language == "en"


def _brief(language: str) -> Brief:
    text = "«Мы готовы», — сказал Песков."
    quote = Quote(text="Мы готовы", direct=True, cue="сказал", start=1, end=10)
    return Brief(id=None, title=None, site=None, url=None, published=None, language=language, text=text,
                 summary=["Сводка."], speakers=[Speaker(name="Дмитрий Песков", quotes=[quote])])


def test_headings_follow_the_article_language():
    ru = render_text(_brief("ru"))
    assert "Кто что сказал" in ru and "Кратко:" in ru and "Статья без заголовка" in ru and "Who said what" not in ru
    en = render_text(_brief("en"))
    assert "Who said what" in en and "Summary:" in en
    assert "Who said what" in render_text(_brief("fr"))  # a language without its own headings: English


def test_a_text_opening_with_debris_is_still_read():
    assert detect_language("«" * 3000 + RUSSIAN) == "ru"
