"""The Russian extractive summary: whole sentences of the article, no furniture, lengths from the settings."""

from __future__ import annotations

from summarizer.languages.ru.parse import parse_russian
from summarizer.languages.ru.summarize import candidate_sentences, summarize_russian
from summarizer.settings import load_settings

ARTICLE = (
    "Правительство Новой Зеландии отложило налоговую реформу на два года.\n\n"
    "Фото: пресс-служба правительства\n\n"
    "Министр финансов Майкл Каллен заявил, что реформа корпоративного налога будет проведена не ранее 2008 года. "
    "По его словам, правительству нужно время на консультации с бизнесом и подготовку законов.\n\n"
    "«Мы должны двигаться быстро и не терять времени на долгие обсуждения»\n\n"
    "Бизнес-ассоциации страны выступили за ускоренное снижение ставки налога на прибыль компаний. "
    "Они считают, что для реформы достаточно менее двух лет работы правительства и парламента. "
    "Экономисты отмечают, что снижение налога поможет привлечь инвестиции в экономику страны.\n\n"
    "Читайте также: новости экономики за неделю"
)


def test_summary_is_whole_sentences_of_the_article_without_furniture():
    settings = load_settings()
    doc = parse_russian(ARTICLE)
    summary = summarize_russian(doc, "Новая Зеландия отложила налоговую реформу", settings)
    assert 1 <= len(summary) <= settings.summary.sentences["normal"]
    assert all(s in ARTICLE for s in summary)
    text = " ".join(summary)
    assert "Фото" not in text and "Читайте также" not in text
    assert "Мы должны двигаться быстро" not in text  # a quote-only line: who said it would be lost


def test_furniture_and_quote_only_lines_are_flagged():
    flagged = {s.text: s.furniture for s in candidate_sentences(parse_russian(ARTICLE))}
    assert flagged["Фото: пресс-служба правительства"]
    assert flagged["Читайте также: новости экономики за неделю"]
    assert flagged["«Мы должны двигаться быстро и не терять времени на долгие обсуждения»"]
    assert not flagged["Правительство Новой Зеландии отложило налоговую реформу на два года."]


def test_short_length_gives_fewer_sentences():
    settings = load_settings()
    doc = parse_russian(ARTICLE)
    short = summarize_russian(doc, None, settings, length="short")
    long = summarize_russian(doc, None, settings, length="long")
    assert len(short) <= settings.summary.sentences["short"] < len(long)
