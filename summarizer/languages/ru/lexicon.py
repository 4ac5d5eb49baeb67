"""Russian reporting words and constructions, as data: the attribution rules read these tables.

Lemmas are pymorphy dictionary forms (ё written е). Each reporting verb is listed in both aspects
(заявить/заявлять), since news uses both ("заявил", "заявляет", "заявлял").
"""

from __future__ import annotations

# verb lemma -> kind of statement its complement is
#   "said": a что-clause or a quote is what the speaker said
#   "belief": a что-clause is an attributed opinion (считает, полагает)
#   "intention": an infinitive or что-clause is what was promised, asked or threatened
#   "denied": only a direct quote is a statement; a что-clause is what was denied (not said)
REPORTING_VERBS: dict[str, str] = {}
for _kind, _lemmas in {
    "said": """заявить заявлять сказать говорить сообщить сообщать отметить отмечать подчеркнуть подчеркивать
        добавить добавлять пояснить пояснять рассказать рассказывать уточнить уточнять признать признавать
        напомнить напоминать заметить замечать объяснить объяснять констатировать заверить заверять
        предупредить предупреждать намекнуть намекать утверждать передать передавать написать писать
        объявить объявлять оповестить оповещать доложить докладывать высказаться высказываться ответить
        отвечать указать указывать сообщаться заключить подтвердить подтверждать цитировать процитировать
        признаться признаваться пожаловаться жаловаться выразить выражать высказать высказывать
        прогнозировать спрогнозировать предсказать предсказывать пошутить""",
    "belief": """считать полагать предположить предполагать надеяться уверить исключить исключать
        опасаться сомневаться""",
    "intention": """пообещать обещать призвать призывать попросить просить потребовать требовать
        пригрозить грозить угрожать предложить предлагать""",
    "denied": "опровергнуть опровергать отказаться отказываться отрицать",
}.items():
    for _lemma in _lemmas.split():
        REPORTING_VERBS[_lemma] = _kind

# Verbs whose о/об-object is what was said ("сообщил об обнаружении …").
ABOUT_OBJECT_VERBS = frozenset("""заявить заявлять сообщить сообщать объявить объявлять рассказать рассказывать
    оповестить оповещать доложить докладывать предупредить предупреждать""".split())
# "выразил мнение о …", "выразил надежду, что …": a verb and a noun that together report
PHRASE_VERBS = frozenset({"выразить", "выражать", "высказать", "высказывать"})
PHRASE_NOUNS = frozenset({"мнение", "надежда", "намерение", "уверенность", "сожаление", "обеспокоенность",
                          "позиция", "готовность"})
# Sources that an article introduces indefinitely ("представитель ведомства", "эксперты"): such a
# mention is a new unnamed source, not someone named before.
INDEFINITE_HEADS = frozenset("""представитель источник наблюдатель эксперт аналитик участник житель свидетель
    сотрудник очевидец специалист некоторые многие""".split())
# "…, говорится в заявлении X: «…»": a document that quotes its author
DOCUMENT_NOUNS = frozenset({"заявление", "сообщение", "письмо", "обращение", "пресс-релиз", "коммюнике",
                            "решение", "постановление", "приговор", "слово", "интервью", "цитата"})
# "назвал его «оскорблением»": a quoted object of naming is the namer's words
NAMING_VERBS = frozenset({"назвать", "называть", "охарактеризовать", "характеризовать"})
# Predicative adjectives of opinion: "X уверен, что …".
BELIEF_ADJECTIVES = frozenset({"уверенный", "убежденный"})
# Verbs of media relaying ("…, передает «Интерфакс»", "как пишет NYT"): the source only if no one else is.
MEDIA_VERBS = frozenset({"передать", "передавать", "написать", "писать", "сообщать", "сообщить", "цитировать"})

# "по словам X", "по мнению X", "по его словам": noun lemma after "по" -> the phrase is a source
SOURCE_NOUNS = frozenset({"слово", "мнение", "оценка", "утверждение", "заявление", "признание", "сообщение",
                          "информация", "данные"})
# "как сообщает X", "как заявил X": "как" followed by any reporting verb.
AS_WORD = "как"
# "Об этом сообщил X": the statement is the previous sentence.
ABOUT_THIS = ("об", "этом")

# Third-person pronouns a speaker may be: lemma -> (gender, number) they agree with (None: any).
PRONOUNS: dict[str, tuple[str | None, str]] = {"он": ("Masc", "Sing"), "она": ("Fem", "Sing"),
                                                 "они": (None, "Plur")}
POSSESSIVES: dict[str, tuple[str | None, str]] = {"его": ("Masc", "Sing"), "ее": ("Fem", "Sing"),
                                                    "их": (None, "Plur")}

# Head nouns of roles and titles that may be inanimate in the dictionary ("глава", "замглавы").
ROLE_HEADS = frozenset("""глава замглавы замминистра руководитель представитель председатель директор
    президент премьер премьер-министр министр пресс-секретарь секретарь спикер лидер мэр губернатор посол
    генсек канцлер командующий начальник судья прокурор депутат сенатор советник помощник заместитель
    официальный""".split())
# Words that make a noun phrase a source even without a name (unnamed sources).
UNNAMED_SOURCE_HEADS = frozenset("""представитель источник наблюдатель эксперт аналитик чиновник
    сотрудник официальный пресс-служба служба ведомство министерство полиция прокуратура оппозиция
    демонстрант законодатель власть правительство руководство участник житель свидетель врач управление
    агентство комитет комиссия парламент партия компания администрация организация суд""".split())
# The leadership or press office of an organisation speaks for it: "руководство «Талибана» сообщило" -> Талибан.
COLLECTIVE_HEADS = frozenset({"руководство", "пресс-служба", "пресс-центр", "командование", "штаб"})
