"""The extractive summary: article sentences, in order, within the length settings."""

from __future__ import annotations

import numpy as np
import pytest

import summarizer.summarize as summarize_module
from summarizer.models import get_nlp
from summarizer.engines import summarize
from summarizer.summarize import candidate_sentences, lead3
from tests.conftest import EXAMPLE

NEWS = (
    "By John Smith and Jane Doe . "
    "LONDON (CNN) -- The city council voted on Tuesday to close the old harbour bridge to all traffic from next month. "
    "Engineers found deep cracks in two of the bridge's steel supports during an inspection in March. "
    "Scroll down for video\n"
    "The old harbour bridge seen from the river at dusk\n"
    "\"It is simply not safe any more, and we cannot take that risk with people's lives.\" "
    "The council said a temporary ferry service would carry pedestrians across the harbour while repairs are made. "
    "Repairs are expected to cost about 40 million pounds and to take at least two years to complete. "
    "Local businesses on both banks said the closure would hurt trade during the busy summer season. "
    "A spokesman for the shop owners' association said members would ask the council for compensation. "
    "The bridge, which opened in 1894, carries about 20,000 vehicles a day across the harbour. "
    "Traffic will be diverted over the new ring road bridge two miles upstream, the council said."
)


@pytest.fixture(scope="module")
def nlp(settings):
    return get_nlp(settings.models)


@pytest.fixture
def count_embed_calls(monkeypatch, settings):
    """Wrap the real embedder so a test can see how often it was called."""
    real = summarize_module.get_embedder(settings.models)
    calls: list[int] = []

    class Counting:
        def encode(self, texts):
            calls.append(len(texts))
            return real.encode(texts)

    monkeypatch.setattr(summarize_module, "get_embedder", lambda _models: Counting())
    return calls


def _words(sentences: list[str]) -> int:
    return sum(len(s.split()) for s in sentences)


def test_summary_is_article_sentences_in_order(nlp, settings, count_embed_calls):
    doc = nlp(EXAMPLE.read_text(encoding="utf-8"))
    summary = summarize(doc, "Kremlin says Putin is ready to negotiate", settings)
    assert 2 <= len(summary) <= settings.summary.sentences["normal"]
    positions = [doc.text.index(s) for s in summary]
    assert positions == sorted(positions)
    assert all(s and s == s.strip() for s in summary)
    assert len(count_embed_calls) == 1


@pytest.mark.parametrize("length", ["short", "normal", "long"])
def test_length_settings_are_respected(nlp, settings, length):
    doc = nlp(NEWS)
    summary = summarize(doc, None, settings, length=length)
    assert 2 <= len(summary) <= settings.summary.sentences[length]
    assert _words(summary) <= settings.summary.words[length]
    assert all(s in doc.text for s in summary)


def test_length_defaults_to_settings(nlp, settings):
    doc = nlp(NEWS)
    short = settings.replace(summary={"length": "short"})
    assert summarize(doc, None, short) == summarize(doc, None, settings, length="short")


def test_a_tight_word_budget_still_gives_one_sentence(nlp, settings):
    doc = nlp(NEWS)
    tight = settings.replace(summary={"words": {"short": 5, "normal": 5, "long": 5}})
    summary = summarize(doc, None, tight)
    assert len(summary) == 1 and summary[0] in doc.text


def test_byline_dateline_caption_and_quote_only_are_skipped(nlp, settings):
    doc = nlp(NEWS)
    flagged = {c.text: c.furniture for c in candidate_sentences(doc)}
    assert flagged["By John Smith and Jane Doe ."]
    assert flagged["Scroll down for video"]
    assert flagged["The old harbour bridge seen from the river at dusk"]
    quote = "\"It is simply not safe any more, and we cannot take that risk with people's lives.\""
    assert flagged[quote]
    # the dateline is trimmed off, the rest of the sentence is kept
    lede = "The city council voted on Tuesday to close the old harbour bridge to all traffic from next month."
    assert flagged[lede] is False
    for length in ("short", "normal", "long"):
        summary = summarize(doc, None, settings, length=length)
        assert lede in summary
        assert not any(s.startswith(("By ", "LONDON", "Scroll", '"')) or "dusk" in s for s in summary)


def test_sentences_glued_by_extraction_are_split(nlp):
    text = (
        "Researchers found that most children tried new food at school.Half of the parents said their children "
        "asked for those foods at home.The survey asked about 1,000 parents in England."
    )
    texts = [c.text for c in candidate_sentences(nlp(text))]
    assert texts == [
        "Researchers found that most children tried new food at school.",
        "Half of the parents said their children asked for those foods at home.",
        "The survey asked about 1,000 parents in England.",
    ]


def test_title_pulls_a_matching_sentence_in(nlp, settings):
    doc = nlp(NEWS)
    title = "Shop owners want compensation for bridge closure"
    no_prior = settings.replace(summary={"position_weight": 0.0, "title_weight": 2.0})
    summary = summarize(doc, title, no_prior, length="short")
    assert any("compensation" in s for s in summary)


@pytest.mark.parametrize(
    "text",
    [
        "The mayor resigned on Monday after a week of protests in the city centre.",
        "The mayor resigned on Monday after a week of protests in the city centre. "
        "Her deputy will lead the council until an election is held in the spring.",
    ],
)
def test_one_or_two_sentence_article(nlp, settings, text):
    doc = nlp(text)
    summary = summarize(doc, None, settings)
    assert summary == [s.text for s in doc.sents]


def test_empty_doc(nlp, settings):
    assert summarize(nlp(""), None, settings) == []
    assert summarize(nlp("   \n  "), "A title", settings) == []
    assert lead3(nlp("")) == []


def test_lead3_is_the_first_three_sentences(nlp):
    doc = nlp(NEWS)
    first = [s.text.strip() for s in doc.sents][:3]
    assert lead3(doc) == first


def test_unknown_engine_or_length_is_an_error(nlp, settings):
    doc = nlp(NEWS)
    with pytest.raises(ValueError):
        summarize(doc, None, settings.replace(summary={"engine": "magic"}))
    with pytest.raises(ValueError):
        summarize(doc, None, settings, length="huge")


def test_redundant_sentences_are_not_both_chosen(nlp, settings, monkeypatch):
    """Two near-identical sentences (a caption repeating the lede) never both make the summary."""
    text = (
        "The council closed the harbour bridge on Tuesday because of cracks. "
        "The council closed the harbour bridge on Tuesday because of cracks in it. "
        "A ferry will carry pedestrians across the harbour during the repairs. "
        "Shop owners on both banks said they would ask for compensation."
    )
    doc = nlp(text)
    summary = summarize(doc, None, settings.replace(summary={"redundancy": 2.0}), length="short")
    assert len(summary) == 2
    assert sum("harbour bridge" in s for s in summary) == 1


def test_scores_are_finite_for_identical_sentences(nlp, settings, monkeypatch):
    class Same:
        def encode(self, texts):
            return np.ones((len(texts), 4), dtype=np.float32) / 2.0

    monkeypatch.setattr(summarize_module, "get_embedder", lambda _models: Same())
    doc = nlp(NEWS)
    summary = summarize(doc, "Bridge", settings)
    assert 2 <= len(summary) <= 3


def test_only_the_first_candidates_are_embedded(nlp, settings, count_embed_calls):
    doc = nlp(NEWS)
    capped = settings.replace(summary={"max_candidates": 4})
    summary = summarize(doc, "Harbour bridge", capped)
    assert count_embed_calls == [4 + 1]  # four sentences and the title, in one call
    usable = [c.text for c in candidate_sentences(doc) if not c.furniture][:4]
    assert set(summary) <= set(usable)


# --------------------------------------------------------------------------- whole sentences, what happened

STORY = (
    "The city council voted on Tuesday to close the old harbour bridge to all traffic from next month. "
    "She said last night that the decision had been the hardest of her career. "
    "Engineers found deep cracks in two of the bridge's steel supports during an inspection in March. "
    "Mayor Ann Lee said the bridge would not reopen before the summer of next year at the earliest. "
    "Repairs are expected to cost about 40 million pounds and to take at least two years to complete. "
    "Share WhatsApp Email Telegram Facebook Twitter. "
    "Traffic will be diverted over the new ring road bridge two miles upstream during the works."
)


def test_a_piece_that_starts_mid_sentence_is_never_chosen(nlp):
    # a drop cap lost by the page, and a split after an abbreviation
    doc = nlp("T\n\nurkey, Poland and Hungary agreed on Monday to share the cost of the new border fence. "
              "The agreement was signed in Warsaw after two days of talks between the three ministers.")
    flagged = {c.text: c.furniture for c in candidate_sentences(doc)}
    assert flagged["urkey, Poland and Hungary agreed on Monday to share the cost of the new border fence."]
    assert not flagged["The agreement was signed in Warsaw after two days of talks between the three ministers."]


def test_sharing_buttons_are_furniture(nlp):
    flagged = {c.text: c.furniture for c in candidate_sentences(nlp(STORY))}
    assert flagged["Share WhatsApp Email Telegram Facebook Twitter."]
    news = nlp("Users of Facebook, Twitter and Instagram will have to prove their age from next year on.")
    assert not candidate_sentences(news)[0].furniture  # named in a sentence, they are news


def test_a_sentence_about_she_needs_its_antecedent_before_it(nlp, settings):
    doc = nlp(STORY)
    candidates = candidate_sentences(doc)
    dangling = {c.text for c in candidates if c.dangling}
    assert dangling == {"She said last night that the decision had been the hardest of her career."}
    assert {c.text for c in candidates if c.names} >= {
        "Mayor Ann Lee said the bridge would not reopen before the summer of next year at the earliest."}
    named = {c.text for c in candidates if c.names}
    texts = [c.text for c in candidates]
    for title in ("Council to close harbour bridge", "Mayor: decision was the hardest of her career"):
        for length in ("short", "normal", "long"):
            summary = summarize(doc, title, settings, length=length)
            assert not summary[0].startswith("She ")
            for n, sentence in enumerate(summary):
                if sentence.startswith("She "):  # who "she" is comes before: the sentence before it, or a name
                    before = texts[texts.index(sentence) - 1]
                    assert before in summary[:n] or any(s in named for s in summary[:n])


def test_statements_are_left_to_who_said_what(nlp, settings):
    doc = nlp(STORY)
    said = "Mayor Ann Lee said the bridge would not reopen before the summer of next year at the earliest."
    statement = (doc.text.index("the bridge would not"), doc.text.index(said) + len(said) - 1)
    title = "Bridge will not reopen before next summer, mayor says"
    assert said in summarize(doc, title, settings, length="long")  # without statements it is the news
    summary = summarize(doc, title, settings, length="long", statements=[statement])
    assert said not in summary and summary  # with them, the summary says what happened
    # an article made only of statements still gets a summary
    only = nlp(said)
    assert summarize(only, title, settings, statements=[(only.text.index("the bridge"), len(only.text))]) == [said]


def test_a_caption_run_into_the_next_sentence_is_cut_off(nlp):
    text = ("Police fired flash-bang grenades used to disorient suspects The guard died before ten after he was "
            "hit by a car. The officer told The Associated Press that the road had been closed for hours. "
            "The answers ignore the questions of expanding the alliance, deploy forces The attack on the "
            "territory and the return of the bloc to the state of 1997, when the treaty was signed.")
    flagged = {c.text: c.furniture for c in candidate_sentences(nlp(text))}
    # no full stop, but a capitalised "The" before a lower-case word starts a sentence ...
    assert flagged["Police fired flash-bang grenades used to disorient suspects"]  # the caption: no sentence end
    assert flagged["The guard died before ten after he was hit by a car."] is False
    # ... not inside a name ("The Associated Press")
    assert flagged["The officer told The Associated Press that the road had been closed for hours."] is False
    # a piece cut out of a run-on without a verb of its own is the tail of a list, not a sentence
    assert flagged["The attack on the territory and the return of the bloc to the state of 1997, "
                   "when the treaty was signed."]


def test_a_statement_in_the_lead_is_the_news(nlp, settings):
    text = ("Kremlin spokesman Dmitry Peskov confirmed on Monday that the president is ready to negotiate "
            "with the alliance over security guarantees. " + STORY)
    doc = nlp(text)
    title = "Kremlin says the president is ready to negotiate over security guarantees"
    said = text[: text.index(" The city council")]
    statement = (text.index("the president is"), len(said) - 1)
    mayor = "Mayor Ann Lee said the bridge would not reopen before the summer of next year at the earliest."
    later = (text.index("the bridge would not"), text.index(mayor) + len(mayor) - 1)
    summary = summarize(doc, title, settings, statements=[statement, later])
    assert said in summary  # the lead reports a statement: that is what happened
    assert mayor not in summary  # a statement further down is left to "Who said what"


def test_a_pronoun_sentence_comes_with_the_sentence_before_it(settings):
    def sentence(i: int, dangling: bool = False) -> summarize_module.Sentence:
        return summarize_module.Sentence(i, 10 * i, 10 * i + 9, f"Sentence {i}.", 10, False, dangling, False)

    sentences = [sentence(0), sentence(1, dangling=True), sentence(2), sentence(3)]
    vectors = np.eye(4, dtype=np.float32)  # nothing redundant
    scores = np.array([0.5, 1.0, 0.6, 0.55])
    cfg = settings.summary
    # "He said ..." is the best sentence: it comes with the one before it, which says who he is
    assert sorted(summarize_module.select(sentences, vectors, scores, cfg, "short")) == [0, 1]
    # never alone, and not with its antecedent when the two would be worth less than the next best
    weak = np.array([0.1, 1.0, 0.6, 0.55])
    assert sorted(summarize_module.select(sentences, vectors, weak, cfg, "short")) == [2, 3]


def test_a_sentence_that_starts_or_ends_inside_a_quote_is_never_chosen(nlp):
    text = ('The council met on Tuesday to discuss the future of the bridge. "We are ready to close it. We will go '
            'ahead with the plan," the mayor said on Tuesday. She added: "The ferry will run from next month. It is '
            'cheaper." "The ferry is slow," a commuter said on the quay. The ferry will carry pedestrians across.')
    flagged = {c.text: c.furniture for c in candidate_sentences(nlp(text))}
    assert flagged['We will go ahead with the plan," the mayor said on Tuesday.']  # starts inside the quote
    assert flagged['She added: "The ferry will run from next month.']  # ends with the quote still open
    assert flagged['"The ferry is slow," a commuter said on the quay.'] is False  # its marks pair up
    assert flagged["The ferry will carry pedestrians across."] is False


def test_a_sentence_opening_with_a_pronoun_subject_is_dangling(nlp):
    doc = nlp("NASA has new data from its probe around Saturn. They may not be little green men, but we may be "
              "close to finding life, a NASA scientist says. His team will publish the data next year.")
    dangling = {c.text: c.dangling for c in candidate_sentences(doc)}
    assert dangling["They may not be little green men, but we may be close to finding life, a NASA scientist says."]
    assert dangling["His team will publish the data next year."]
    assert not dangling["NASA has new data from its probe around Saturn."]


def test_a_quotation_mark_between_glued_sentences_goes_with_its_quotation(nlp):
    text = ('At the end of his speech, the leader said: "Domination does not work, partnership does."Unionists '
            'want the election to be about the heating scheme.The focus has now turned on them after the speech.')
    texts = [c.text for c in candidate_sentences(nlp(text))]
    assert "Unionists want the election to be about the heating scheme." in texts  # the mark closed the quote
    assert not any(t.startswith('"Unionists') for t in texts)


def test_a_sentence_wrapped_over_lines_is_one_candidate(nlp):
    text = ("Photos\n\nwhich were released online and are making the rounds on social media,\n\nshow the actress "
            "looking stunning in new\n\nmake-up photos.\n\nThe actress, who in 2008 won the\n\nAfrica Movie "
            "Academy Award, has taken to her page to share them.\n\nWhat happens next\n\nThe show opens in May.")
    candidates = candidate_sentences(nlp(text))
    whole = next(c for c in candidates if c.text.startswith("Photos"))
    assert " ".join(whole.text.split()) == ("Photos which were released online and are making the rounds on social "
                                            "media, show the actress looking stunning in new make-up photos.")
    assert not whole.furniture
    texts = [" ".join(c.text.split()) for c in candidates]
    assert "The actress, who in 2008 won the Africa Movie Academy Award, has taken to her page to share them." in texts
    assert "The show opens in May." in texts  # after a heading that ends with no stop
    # a drop cap is no line of its own: its piece still starts mid-sentence
    drop = candidate_sentences(nlp("T\n\nurkey, Poland and Hungary agreed on Monday to share the cost of the fence."))
    assert all(c.furniture for c in drop)


def test_table_rows_and_bullets(nlp):
    text = ("Below, we analyze the snap counts for the game against the Steelers.\n\n"
            "| DL | Larry Ogunjobi | 63 | 85% | 1 tackle (1 combined). 1 sack, 1 TFL, 2 QH. |\n\n"
            "- There is a lot to sort through here after the game on Sunday.")
    flagged = {c.text: c.furniture for c in candidate_sentences(nlp(text))}
    assert not any(("sack" in t or "|" in t) and not f for t, f in flagged.items())  # a table row is no sentence
    assert flagged["There is a lot to sort through here after the game on Sunday."] is False  # the bullet is not its


def test_an_it_that_stands_for_no_one_needs_no_antecedent(nlp):
    doc = nlp("With two weekends of league action left to play, it is crunch time for a number of clubs. "
              "The striker has scored twice this month, but it appears he cannot see the goal at all. "
              "It is a club that has never been relegated in its long history. "
              "The club said it would appeal against the points deduction next week.")
    dangling = {c.text: c.dangling for c in candidate_sentences(doc)}
    assert not dangling["With two weekends of league action left to play, it is crunch time for a number of clubs."]
    assert not dangling["The striker has scored twice this month, but it appears he cannot see the goal at all."]
    assert dangling["It is a club that has never been relegated in its long history."]  # opening, it reads as a reference


def test_an_opening_pronoun_glued_to_a_dateline_is_still_read(nlp):
    doc = nlp("(CNN)They may not be little green men, but we may be close to finding life, a NASA scientist says. "
              "The agency will launch a new probe to the moons of Jupiter next year.")
    dangling = {c.text: c.dangling for c in candidate_sentences(doc)}
    assert dangling["They may not be little green men, but we may be close to finding life, a NASA scientist says."]
