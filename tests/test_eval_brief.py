"""The probes of `briefbot eval brief`: each one must catch the problem it names and pass a clean summary."""

from summarizer.evaluation.brief import (
    _distribution,
    ends_mid_sentence,
    has_furniture,
    opens_with_pronoun,
    repeats_a_statement,
    starts_mid_sentence,
    unbalanced_quotes,
    visible_length,
)


def test_visible_length_counts_what_a_reader_sees():
    assert visible_length('<b>Title</b>\n<a href="https://x.example/">x &amp; y</a>') == len("Title\nx & y")


def test_sentence_boundaries():
    assert starts_mid_sentence("urkey, Poland and Hungary agreed.")
    assert starts_mid_sentence(", and then it rained.")
    assert not starts_mid_sentence("“We are ready,” he said.")
    assert not starts_mid_sentence("2022 was a hard year.")
    assert not starts_mid_sentence("Наши герои знают толк во вкусе.")  # other scripts: capitals
    assert not starts_mid_sentence("[엔터미디어] 시작은 사진 공개로부터 비롯됐다.")  # or no case at all
    assert starts_mid_sentence("über die Grenze gingen sie.")
    assert ends_mid_sentence("The minister said the talks would")
    assert not ends_mid_sentence("The talks failed.”")


def test_quotation_marks_that_do_not_pair_up():
    assert unbalanced_quotes('He said: "We are ready.')  # ends inside the quotation
    assert unbalanced_quotes("We will go ahead,” the mayor said.")  # starts inside it
    assert unbalanced_quotes("Лавров заявил: «Мы готовы.")
    assert not unbalanced_quotes('"We are ready," he said.')
    assert not unbalanced_quotes("“We are ready,” he said, “to talk.”")
    assert not unbalanced_quotes("Песков: «Мы „в принципе“ готовы».")
    assert not unbalanced_quotes("Er sagte: „Wir sind bereit.“")
    assert not unbalanced_quotes("The players' union met.")  # apostrophes are not counted


def test_opening_pronoun_and_furniture():
    assert opens_with_pronoun(["She said last night: it is over.", "Smith left."])
    assert not opens_with_pronoun(["Smith left.", "She said it is over."])
    assert not opens_with_pronoun(["Items on sale rose."])  # "It" only as a whole word
    assert has_furniture(["Share on WhatsApp Email Telegram"])
    assert has_furniture(["Related Videos The mayor spoke."])
    assert not has_furniture(["Facebook said it would appeal the fine."])


def test_repetition_of_a_shown_statement():
    text = 'The mayor resigned. "I am done with this job," she said at noon.'
    quote = (text.index("I am"), text.index(',"'))
    assert repeats_a_statement(text, ['"I am done with this job," she said at noon.'], [quote])
    assert not repeats_a_statement(text, ["The mayor resigned."], [quote])


def test_distribution():
    assert _distribution(list(range(1, 11))) == {"median": 6, "p90": 9, "max": 10}
    assert _distribution([]) == {"median": 0, "p90": 0, "max": 0}
