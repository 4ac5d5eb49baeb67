"""Russian who-said-what: each construction on small sentences written for the test."""

from __future__ import annotations

import pytest

from summarizer.languages.ru.attribution import attribute_russian
from summarizer.languages.ru.parse import parse_russian
from summarizer.languages.ru.quotes import quote_pieces
from summarizer.settings import load_settings

SETTINGS = load_settings().speakers


def said(text: str) -> dict[str, list]:
    """name -> its statements (text, direct, cue, rule), checking every statement is exact."""
    out: dict[str, list] = {}
    for sp in attribute_russian(parse_russian(text), SETTINGS):
        for q in sp.quotes:
            assert text[q.start:q.end] == q.text
        out[sp.name] = [(q.text, q.direct, q.cue, q.rule) for q in sp.quotes]
    return out


def roles(text: str) -> dict[str, str | None]:
    return {sp.name: sp.role for sp in attribute_russian(parse_russian(text), SETTINGS)}


# ------------------------------------------------------------------ quotation marks
def test_quote_marks_guillemets_low_high_and_straight():
    text = 'Он сказал: «Первая цитата». Она ответила: „Вторая цитата“. Они добавили: "Третья цитата".'
    assert [text[p.start:p.end] for p in quote_pieces(text)] == ["Первая цитата", "Вторая цитата", "Третья цитата"]


def test_nested_quotes_are_one_quote():
    text = "Министр заявил: «Компания „Северный поток“ закрыта навсегда»."
    assert [text[p.start:p.end] for p in quote_pieces(text)] == ["Компания „Северный поток“ закрыта навсегда"]


def test_author_words_inside_the_marks_split_the_quote():
    text = "«Мы готовы к переговорам, — сказал Дмитрий Песков, — но не на любых условиях»."
    assert said(text)["Дмитрий Песков"] == [
        ("Мы готовы к переговорам", True, "сказал", "aside"),
        ("но не на любых условиях", True, "сказал", "aside"),
    ]


def test_author_words_then_a_new_sentence_in_the_same_marks():
    text = "«Это важный шаг для наших стран, — сказал Реджеп Эрдоган. — Мы рады сотрудничеству»."
    got = said(text)["Реджеп Эрдоган"]
    assert [q[0] for q in got] == ["Это важный шаг для наших стран", "Мы рады сотрудничеству"]


# ------------------------------------------------------------------ direct quotes and their cues
def test_dash_attribution_after_the_quote():
    text = "Министр финансов Антон Силуанов выступил в Думе.\n\n«Бюджет будет исполнен полностью», — заявил он."
    assert said(text)["Антон Силуанов"] == [("Бюджет будет исполнен полностью", True, "заявил", "after")]


def test_colon_before_the_quote():
    text = "Глава компании Алексей Миллер сказал: «Поставки газа будут продолжены в прежнем объёме»."
    assert said(text)["Алексей Миллер"][0][:3] == ("Поставки газа будут продолжены в прежнем объёме", True, "сказал")


def test_headline_name_colon_quote():
    text = "Лавров: «Ответы Вашингтона нас не устраивают»\n\nМинистр иностранных дел России Сергей Лавров провёл переговоры."
    assert said(text)["Сергей Лавров"] == [("Ответы Вашингтона нас не устраивают", True, None, "headline")]


def test_dialogue_line_with_a_dash():
    text = "Корреспондент спросил тренера Виктора Гончаренко о матче.\n\n— Мы сыграли хорошо, — ответил Гончаренко."
    assert said(text)["Виктор Гончаренко"][0][:3] == ("Мы сыграли хорошо", True, "ответил")


def test_names_and_scare_quotes_are_not_statements():
    text = "Акции «Газпрома» выросли, а так называемый «черный список» сократился, сообщили в банке."
    assert all(not q[1] for quotes in said(text).values() for q in quotes)


# ------------------------------------------------------------------ reported speech
@pytest.mark.parametrize("verb", ["заявил", "заявлял", "сообщил", "сообщает", "отметил", "подчеркнул", "добавил",
                                  "пояснил", "рассказал", "уточнил", "признал", "считает", "полагает"])
def test_reporting_verbs_with_a_that_clause(verb):
    text = f"Министр обороны Андрей Белоусов {verb}, что армия получит новые самолёты в следующем году."
    assert said(text)["Андрей Белоусов"] == [("армия получит новые самолёты в следующем году", False, verb, "that")]


def test_o_tom_chto_and_clauses_joined_by_i_chto():
    text = ("Сенатор Джон Керри заявил о том, что отношения двух стран переживают трудный период, "
            "и что обеим сторонам предстоит решить ряд проблем.")
    assert [q[0] for q in said(text)["Джон Керри"]] == [
        "отношения двух стран переживают трудный период", "обеим сторонам предстоит решить ряд проблем"]


def test_denial_clause_is_not_what_was_said():
    text = "Пресс-секретарь Кремля Дмитрий Песков опроверг, что президент болен тяжёлой болезнью."
    assert said(text) == {}


def test_po_slovam_gives_the_name_in_the_nominative():
    text = "По словам Дмитрия Пескова, ответы НАТО не устраивают Россию."
    assert said(text) == {"Дмитрий Песков": [("ответы НАТО не устраивают Россию", False, "По словам", "according")]}


def test_po_ego_slovam_refers_back():
    text = "Губернатор Сергей Собянин провёл совещание. По его словам, метро откроется в декабре этого года."
    assert said(text)["Сергей Собянин"][0][0] == "метро откроется в декабре этого года"


def test_kak_soobshchaet_source():
    text = "Как сообщает агентство «Интерфакс», переговоры продолжатся в понедельник в Женеве."
    (name, quotes), = said(text).items()
    assert "Интерфакс" in name and quotes[0][0] == "переговоры продолжатся в понедельник в Женеве"


def test_closing_cue_after_the_clause():
    text = "Переговоры продолжатся в понедельник в Женеве, сообщает агентство Рейтер."
    (name, quotes), = said(text).items()
    assert "Рейтер" in name and quotes == [("Переговоры продолжатся в понедельник в Женеве", False, "сообщает",
                                             "closing")]


def test_author_asides_are_not_speakers():
    text = "Напомним, что выборы пройдут в сентябре этого года во всех регионах страны."
    assert said(text) == {}


# ------------------------------------------------------------------ speakers: roles, pronouns, role mentions
def test_role_before_the_name_in_the_nominative():
    text = "Пресс-секретаря президента Дмитрия Пескова спросили о переговорах. Песков заявил, что Кремль готов к диалогу."
    assert roles(text) == {"Дмитрий Песков": "пресс-секретарь президента"}


def test_role_in_apposition_after_the_name():
    text = "Сергей Лавров, министр иностранных дел России, заявил, что ответы НАТО не устраивают Москву."
    assert roles(text) == {"Сергей Лавров": "министр иностранных дел России"}


def test_pronouns_agree_in_gender():
    text = ("Министр Сергей Лавров и официальный представитель МИД Мария Захарова провели брифинг. "
            "Она заявила, что визит состоится в марте. Он добавил, что переговоры будут трудными.")
    got = said(text)
    assert got["Мария Захарова"][0][0] == "визит состоится в марте"
    assert got["Сергей Лавров"][0][0] == "переговоры будут трудными"


def test_role_mention_resolves_to_the_person_introduced_with_that_role():
    text = ("Глава МИД России Сергей Лавров прибыл в Женеву. Там его встретил Энтони Блинкен. "
            "Глава МИД заявил журналистам, что встреча была полезной.")
    assert said(text)["Сергей Лавров"][0][0] == "встреча была полезной"


def test_unnamed_source():
    text = "Наблюдатели полагают, что выборы прошли с нарушениями в ряде регионов."
    assert list(said(text)) == ["наблюдатели"]


# ------------------------------------------------------------------ more constructions
def test_two_sources_in_one_sentence():
    text = "Минск считает, что Москва задолжала ему за транзит газа, а Россия уверена, что Белоруссия не доплатила долг."
    got = said(text)
    assert got["Минск"][0][0] == "Москва задолжала ему за транзит газа"
    assert got["Россия"][0][0] == "Белоруссия не доплатила долг"


def test_ob_etom_points_to_the_previous_sentence():
    text = "Выборы губернатора пройдут в сентябре этого года. Об этом заявил председатель избиркома Николай Булаев."
    assert said(text)["Николай Булаев"] == [("Выборы губернатора пройдут в сентябре этого года", False, "заявил",
                                            "about_this")]


def test_a_medium_relaying_a_quote_is_not_its_speaker():
    text = ("Архитектор Алексей Клименко называет вмешательство властей злом: «Я убежден, что театр ждёт "
            "настоящая реставрация», сообщает Лента.ру.")
    assert said(text)["Алексей Клименко"][0][:2] == ("Я убежден, что театр ждёт настоящая реставрация", True)


def test_a_whole_paragraph_quote_after_someones_words_is_theirs():
    text = ("Ветеран футбола Виктор Понедельник уверен, что тренер запоздал с заменами.\n\n"
            "«Пусть на меня не обижаются болельщики, но эта позиция меня настораживает».")
    assert [q[3] for q in said(text)["Виктор Понедельник"]] == ["that", "continued"]


def test_he_is_the_recent_subject_not_the_last_name_mentioned():
    text = ("Певец Адриано Челентано написал, что премьер Сильвио Берлускони не способен управлять страной.\n\n"
            "«Такой человек опасен для всей Италии», — заявил он.")
    assert said(text)["Адриано Челентано"][-1][:2] == ("Такой человек опасен для всей Италии", True)


def test_phrase_verbs_report_their_noun_content():
    text = ("Президент Франции Николя Саркози выразил надежду, что реформы будут проведены за год. "
            "Депутаты выразили намерение сформировать независимую комиссию для расследования.")
    got = said(text)
    assert got["Николя Саркози"][0][:3] == ("реформы будут проведены за год", False, "выразил")
    (quotes,) = [q for name, q in got.items() if name.startswith("депутат")]
    assert quotes[0][0] == "сформировать независимую комиссию для расследования"


def test_abbreviation_is_the_organisation_named_in_full():
    text = ("Федеральная антимонопольная служба проверила операторов связи. "
            "ФАС заявила, что операторы установили слишком высокие цены на роуминг.")
    assert list(said(text)) == ["Федеральная антимонопольная служба"]


def test_a_document_quotes_its_author():
    text = ("Партию поддержали избиратели юга. Вот что сообщается в заявлении Национального фронта: "
            "«Политическое бюро единогласно поддержало кандидатуру председателя»")
    (name, quotes), = said(text).items()
    assert name == "Национальный фронт" and quotes[0][1] is True


def test_an_organisation_speaking_through_an_indefinite_plural():
    text = "В министерстве финансов утверждают, что кредит на государственном уровне не предоставлялся."
    (name, quotes), = said(text).items()
    assert "министерство финансов" in name and quotes[0][0] == "кредит на государственном уровне не предоставлялся"


def test_glava_of_a_ministry_is_its_minister_named_before():
    text = ("Министр связи Игорь Щёголев встретился с еврокомиссаром. "
            "Глава Минсвязи отметил, что тарифы на роуминг снизятся в несколько раз.")
    assert said(text)["Игорь Щёголев"][0][0] == "тарифы на роуминг снизятся в несколько раз"


def test_a_medium_yields_to_the_original_speaker():
    text = ("Как передала радиостанция «Маяк», по факту покушения возбуждено уголовное дело. "
            "Об этом сообщил официальный представитель следственного комитета Владимир Маркин.")
    assert list(said(text)) == ["Владимир Маркин"]


def test_quoted_object_of_a_naming_verb():
    text = "Премьер Японии Наото Кан осудил визит, назвав его «непростительным оскорблением»."
    assert said(text)["Наото Кан"] == [("непростительным оскорблением", True, "назвав", "naming")]


def test_words_of_x_colon_quote():
    text = "Академик Роальд Сагдеев дал интервью газете. Слова Сагдеева из интервью: «Добыча гелия на Луне — иллюзия»."
    assert said(text)["Роальд Сагдеев"][0][:2] == ("Добыча гелия на Луне — иллюзия", True)


def test_a_colon_quote_without_a_verb_continues_the_last_speaker():
    text = ("«Реактор на гелии — задача XXII века», — говорит академик Роальд Сагдеев. "
            "Поэтому добыча гелия на Луне — это иллюзия: «Вся эта шумиха не стоит выеденного яйца».")
    assert [q[3] for q in said(text)["Роальд Сагдеев"]] == ["after", "continued"]


def test_a_declined_foreign_surname_is_the_person_named_before():
    text = ("Министр Питер Данн выступил в парламенте. "
            "По словам Данна, некоторые наблюдатели неверно толкуют заявления министра финансов.")
    assert list(said(text)) == ["Питер Данн"]


def test_participle_of_naming_is_not_a_statement():
    text = "Премьер Наото Кан выступил на митинге. Японцы требуют вернуть острова, называемые «северными территориями»."
    assert all(not q[1] for quotes in said(text).values() for q in quotes)


# ------------------------------------------------------------------ the parse is a forest
def _chain(heads: list[int]):
    from summarizer.languages.ru.parse import RuToken

    return [RuToken(i=i, text="x", start=i, end=i + 1, pos="NOUN", feats={}, head=h, rel="", sent=0, lemma="x")
            for i, h in enumerate(heads)]


@pytest.mark.parametrize("heads", [
    [1, 0],  # a -> b -> a
    [0],  # a token its own head
    [-1, 2, 3, 1, 3],  # a cycle of three with a tail hanging off it
    [1, 2, -1, 4, 5, 3],  # one tree and one cycle in the same sentence
])
def test_cycles_predicted_by_the_parser_are_cut(heads):
    """The syntax parser predicts each head on its own and can return a cycle: every walk up the
    heads must reach a root, or attribution would loop forever on that article."""
    from summarizer.languages.ru.parse import _break_cycles

    tokens = _chain(heads)
    _break_cycles(tokens)
    for tok in tokens:
        seen, i = set(), tok.i
        while i >= 0:
            assert i not in seen
            seen.add(i)
            i = tokens[i].head
    assert sum(heads[t.i] != t.head for t in tokens) == 1  # each case holds one cycle: one cut


def test_acyclic_heads_are_left_alone():
    from summarizer.languages.ru.parse import _break_cycles

    heads = [1, -1, 1, 4, 1]
    tokens = _chain(heads)
    _break_cycles(tokens)
    assert [t.head for t in tokens] == heads
