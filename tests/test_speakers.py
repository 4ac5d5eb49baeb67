"""Who said what: one small made-up example per construction the speakers stage must handle."""

from __future__ import annotations

import json

import pytest

from summarizer.models import get_nlp
from summarizer.speakers import attribute_quotes
from summarizer.speech.quotes import find_quote_spans
from summarizer.types import Speaker


@pytest.fixture(scope="module")
def run(settings):
    nlp = get_nlp(settings.models)

    def run(text: str) -> list[Speaker]:
        speakers = attribute_quotes(nlp(text), settings.speakers)
        for sp in speakers:  # the contract every test relies on
            for q in sp.quotes:
                assert text[q.start:q.end] == q.text
        return speakers

    return run


def statements(speakers: list[Speaker]) -> list[tuple[str, str, bool, str | None]]:
    """(speaker, text, direct, cue) for every statement, in article order."""
    rows = [(sp.name, q.text, q.direct, q.cue, q.start) for sp in speakers for q in sp.quotes]
    return [r[:4] for r in sorted(rows, key=lambda r: r[4])]


def who_said(speakers: list[Speaker], fragment: str) -> str | None:
    for sp in speakers:
        if any(fragment in q.text for q in sp.quotes):
            return sp.name
    return None


# ----- direct quotes and their cues -------------------------------------------------------------------
def test_direct_quote_cue_after(run):
    sp = run('"We will rebuild the bridge before winter," Mayor Alice Hartmann said on Tuesday.')
    assert statements(sp) == [("Alice Hartmann", "We will rebuild the bridge before winter,", True, "said")]
    assert sp[0].role == "Mayor"


def test_direct_quote_inverted_said_smith(run):
    sp = run('"The harvest was the worst in a decade," said Tom Okafor, a farmer from the valley.')
    assert statements(sp) == [("Tom Okafor", "The harvest was the worst in a decade,", True, "said")]


def test_direct_quote_cue_before_with_colon(run):
    sp = run('The coach, Maria Delgado, told reporters: "We played without fear tonight."')
    assert statements(sp) == [("Maria Delgado", "We played without fear tonight.", True, "told")]


def test_direct_quote_cue_before_with_comma(run):
    sp = run('Inspector Paul Reddy said, "Nobody was hurt in the fire."')
    assert who_said(sp, "Nobody was hurt") == "Paul Reddy"


def test_multi_sentence_quote(run):
    text = '"The water rose fast. We had ten minutes to leave. Everything else is gone," said Ruth Baker.'
    sp = run(text)
    assert statements(sp) == [
        ("Ruth Baker", "The water rose fast. We had ten minutes to leave. Everything else is gone,", True, "said")]


def test_split_quote_around_the_cue(run):
    sp = run('"It took so long," Jordan Pike said. "It moved so slowly."')
    assert [s[:3] for s in statements(sp)] == [
        ("Jordan Pike", "It took so long,", True), ("Jordan Pike", "It moved so slowly.", True)]


def test_quote_paragraph_continues_previous_speaker(run):
    text = ('Engineer Sam Whitfield said the dam was safe.\n\n'
            '"We inspected every joint of the structure last month.\n\n'
            '"Nothing we saw there worries us," he added.\n\n'
            'The river authority declined to comment.')
    sp = run(text)
    assert who_said(sp, "We inspected every joint") == "Sam Whitfield"
    assert who_said(sp, "Nothing we saw there worries us") == "Sam Whitfield"
    # the continued paragraph is a quote of its own, without the next paragraph's text
    quote = next(q for s in sp for q in s.quotes if "every joint" in q.text)
    assert "\n" not in quote.text


def test_continuation_without_cue_after_a_cued_quote(run):
    text = ('"The hospital is full," said Dr. Lena Park. "We are sending patients to other cities. '
            '"We need more nurses now."')
    sp = run(text)
    assert who_said(sp, "We are sending patients") == "Lena Park"
    assert who_said(sp, "We need more nurses now.") == "Lena Park"


def test_partial_quote_in_reported_clause_is_one_indirect_statement(run):
    sp = run('Senator Greta Lind said the budget was "a disgrace to this chamber".')
    rows = statements(sp)
    assert rows[0][0] == "Greta Lind"
    assert rows[0][1] == 'the budget was "a disgrace to this chamber"'
    assert rows[0][2] is False
    assert not any(r[2] for r in rows)  # no separate direct quote for the embedded words


def test_naming_verb_with_a_quoted_word(run):
    sp = run('Councillor Ian Moss called the plan "reckless" during the meeting.')
    assert statements(sp) == [("Ian Moss", "reckless", True, "called")]


# ----- cue phrases ------------------------------------------------------------------------------------------
def test_according_to(run):
    sp = run("The ferry left the port two hours late, according to Harbour Master Ken Olsen.")
    assert statements(sp) == [("Ken Olsen", "The ferry left the port two hours late", False, "according to")]


def test_said_in_a_statement(run):
    sp = run('"Our stores will stay open," Brightmart said in a statement on Friday.')
    assert statements(sp) == [("Brightmart", "Our stores will stay open,", True, "said")]


def test_told_a_broadcaster(run):
    sp = run('"We are ready to talk," a union spokeswoman, Rosa Klein, told CNN.')
    assert who_said(sp, "We are ready to talk") == "Rosa Klein"
    assert not any(s.name == "CNN" for s in sp)


def test_was_quoted_as_saying(run):
    sp = run("Finance Minister Omar Haddad was quoted as saying the reforms would continue next year.")
    rows = statements(sp)
    assert rows[0][0] == "Omar Haddad"
    assert rows[0][1] == "the reforms would continue next year"
    assert rows[0][3] == "was quoted as saying"


def test_in_an_interview_with_y_x_said(run):
    sp = run("In an interview with the BBC, Professor Hannah Cole said the study had been misread.")
    assert statements(sp) == [("Hannah Cole", "the study had been misread", False, "said")]


# ----- indirect speech ----------------------------------------------------------------------------------------
@pytest.mark.parametrize("verb", ["said", "told reporters", "added", "noted", "confirmed", "warned", "argued",
                                  "insisted", "denied", "claimed", "announced", "specified"])
def test_indirect_speech_with_reporting_verbs(run, verb):
    sp = run(f"Ambassador Victor Lemaire {verb} that the embassy would reopen in the spring.")
    assert statements(sp) == [("Victor Lemaire", "the embassy would reopen in the spring", False, verb.split()[0])]


def test_indirect_speech_after_the_clause(run):
    sp = run("The shipment was delayed by the storm, officials said.")
    assert statements(sp) == [("officials", "The shipment was delayed by the storm", False, "said")]


# ----- who the speaker is ----------------------------------------------------------------------------------
def test_aliases_merge_into_one_speaker(run):
    text = ('President Barack Obama said the deal was fair. "It protects our workers," Mr. Obama said. '
            'Obama added that talks would go on.')
    sp = run(text)
    assert [s.name for s in sp] == ["Barack Obama"]
    assert len(sp[0].quotes) == 3


def test_pronoun_resolves_to_the_last_named_person(run):
    text = ('Nadia Petrova won the race on Sunday. "I trained for this for four years," she said. '
            'Coach Brian Hale watched from the stands. "He never doubted her," he said.')
    sp = run(text)
    assert who_said(sp, "I trained for this") == "Nadia Petrova"
    assert who_said(sp, "He never doubted her") == "Brian Hale"


def test_pronoun_skips_a_person_of_the_other_gender(run):
    text = ('Mark Ellison met Sarah Quinn at the station. Ms Quinn was the first to speak. '
            '"We have waited long enough," she said.')
    assert who_said(run(text), "We have waited long enough") == "Sarah Quinn"


def test_role_description_resolves_to_the_person_introduced_with_it(run):
    text = ('Kremlin spokesman Dmitry Peskov spoke on Monday. Foreign Minister Sergey Lavrov met the envoy. '
            '"Talks are possible," a presidential spokesman told reporters. '
            'The foreign minister said the answer would come in writing.')
    sp = run(text)
    assert who_said(sp, "Talks are possible") == "Dmitry Peskov"
    assert who_said(sp, "the answer would come in writing") == "Sergey Lavrov"
    roles = {s.name: s.role for s in sp}
    assert roles["Dmitry Peskov"] == "Kremlin spokesman"
    assert roles["Sergey Lavrov"] == "Foreign Minister"


def test_unnamed_source_stays_as_the_article_calls_it(run):
    sp = run('"The car was going far too fast," a witness said. Police did not name the driver.')
    assert statements(sp) == [("a witness", "The car was going far too fast,", True, "said")]


def test_speakers_ordered_by_first_statement(run):
    text = ('"Prices will fall," said analyst Joan Reyes. "They will not," said trader Luis Mendes. '
            '"Wait and see," Reyes said.')
    assert [s.name for s in run(text)] == ["Joan Reyes", "Luis Mendes"]


# ----- not statements ----------------------------------------------------------------------------------------
def test_scare_quotes_and_titles_are_not_statements(run):
    text = ('The so-called "reform" was debated for hours. The director premiered her film "The Long Road" '
            'in Venice. Her "masterpiece" now hangs in a museum, curators said.')
    sp = run(text)
    assert [q.text for s in sp for q in s.quotes] == ['Her "masterpiece" now hangs in a museum']
    assert not any(q.direct for s in sp for q in s.quotes)


def test_quote_with_no_cue_and_no_speaker_nearby_is_not_a_statement(run):
    text = ('The council met on Monday to discuss the budget.\n\nJane Doe\n\n'
            '"Coffee lover. Writer. Award-winning traveller."\n\nLeave a reply')
    assert run(text) == []


# ----- quotation marks ----------------------------------------------------------------------------------------
def test_curly_quotes(run):
    sp = run("“The vote is final,” said Judge Ana Ruiz.")
    assert statements(sp) == [("Ana Ruiz", "The vote is final,", True, "said")]


def test_guillemets(run):
    sp = run("« We will not give up the fight », said Pierre Lambert, the union leader.")
    assert who_said(sp, "We will not give up the fight") == "Pierre Lambert"


def test_single_quotes_and_apostrophes():
    text = ("'We don't know the players' wages yet,' said Tom O'Neil. The club's 'new era' began in the '90s.")
    spans = [text[s.start:s.end] for s in find_quote_spans(text)]
    assert spans == ["We don't know the players' wages yet,", "new era"]


def test_british_single_quotes(run):
    sp = run("'It was a fantastic opportunity,' said manager Gary Locke. 'I can't praise the players enough.'")
    assert who_said(sp, "It was a fantastic opportunity") == "Gary Locke"
    assert who_said(sp, "I can't praise the players enough.") == "Gary Locke"


def test_new_opening_mark_inside_an_open_quote_starts_a_new_quote():
    text = "“First point. Second point. “Third point,” he said."
    assert [text[s.start:s.end] for s in find_quote_spans(text)] == ["First point. Second point.", "Third point,"]


# ----- the product's acceptance example ---------------------------------------------------------------------
def test_seed_example(run, eval_dir):
    seed = json.loads((eval_dir / "quotes" / "seed.json").read_text(encoding="utf-8"))
    sp = run(seed["article"])
    by_name = {s.name: s for s in sp}
    assert "Dmitry Peskov" in by_name and "Sergey Lavrov" in by_name
    assert by_name["Dmitry Peskov"].role == "Kremlin spokesman"
    assert by_name["Sergey Lavrov"].role == "Russian Foreign Minister"
    assert who_said(sp, "President Putin is, of course, ready to negotiate") == "Dmitry Peskov"
    lavrov = [q for q in by_name["Sergey Lavrov"].quotes]
    assert any(q.cue == "specified" and q.text.startswith("Moscow formulated in 10 pages") for q in lavrov)
    assert any(q.cue == "noted" and q.text.startswith("many of his initiatives") for q in lavrov)
    # page furniture: the author bio's quoted tagline and the "See also" headline are nobody's statements
    assert who_said(sp, "Beer specialist") is None
    assert who_said(sp, "You changed my life") is None


# ----- news-text quirks ------------------------------------------------------------------------------------------
def test_paragraphs_glued_without_breaks(run):
    text = ('Trust chairman Rob Reed said: "Every parent knows the struggle at dinner."School meals can help '
            'children try new food."Parent group founder Carla Lang said: "Meal times are a battle ground."')
    sp = run(text)
    assert who_said(sp, "Every parent knows the struggle") == "Rob Reed"
    assert who_said(sp, "School meals can help children try new food.") == "Rob Reed"
    assert who_said(sp, "Meal times are a battle ground.") == "Carla Lang"


def test_quote_after_a_reporting_sentence_continues_its_speaker(run):
    text = ('Nurse Helen Ward said the new ward had changed her job. '
            '"I can spend time with every patient now and nobody waits for hours."')
    assert who_said(run(text), "I can spend time with every patient") == "Helen Ward"


def test_nickname_in_quotes_is_an_alias(run):
    text = ("Her brother Lee 'Big Lou' Carter told the paper the family was split. "
            "'We have not spoken for a year,' Big Lou said.")
    sp = run(text)
    assert [s.name for s in sp] == ["Lee 'Big Lou' Carter"]
    assert len(sp[0].quotes) == 2


def test_reports_as_a_source(run):
    sp = run("The minister resigned after reports he had misled parliament about the contract.")
    assert statements(sp) == [("reports", "he had misled parliament about the contract", False, "reports")]


def test_negated_reporting_verb_is_not_a_statement(run):
    assert run("The coach hasn't revealed whether the captain will play on Sunday.") == []


def test_said_he_believed_counts_once(run):
    sp = run("Inspector Ray Holt said he believed the fire had been started deliberately.")
    assert statements(sp) == [("Ray Holt", "he believed the fire had been started deliberately", False, "said")]


def test_statement_before_a_closing_said_x(run):
    sp = run("Snow cover in the northern valleys now ranges from half to three quarters of normal, "
             "said Brian Dorsey, a state snow surveyor.")
    rows = statements(sp)
    assert rows == [("Brian Dorsey",
                     "Snow cover in the northern valleys now ranges from half to three quarters of normal",
                     False, "said")]


def test_first_person_quote_after_a_sentence_about_a_named_person(run):
    text = ("Comedian Ben Ellis lashed out at the annual charity ball. "
            "'Apparently we are the ones that sneer at people.' The ball raised money for the party.")
    assert who_said(run(text), "Apparently we are the ones") == "Ben Ellis"


def test_first_person_quote_without_anyone_named_before_is_dropped(run):
    text = "The storm closed every road in the valley. 'We have never seen anything like this before.'"
    assert run(text) == []


def test_passive_report_without_agent_has_no_speaker(run):
    assert run("Details of the deal were revealed on Monday after weeks of talks.") == []
    sp = run("It was announced by the ministry that the border would reopen next week.")
    assert [s.name for s in sp] == ["ministry"] or [s.name for s in sp] == ["the ministry"]


# ----- whose subject: relative "who", page debris, participles ------------------------------------------
def test_who_refers_to_the_person_named_just_before_it(run):
    text = ("She wakes up each day to a video from her son Daniel Okoro, who sings: "
            "'Good morning, sleepy head, the sun is up and so am I.'")
    assert who_said(run(text), "Good morning, sleepy head") == "Daniel Okoro"


def test_who_after_a_caption_position_word(run):
    text = ("Maggie on a night out with Rosa Fenwick, left, who says 'we will keep dancing until we drop' "
            "The friends often dance all night.")
    assert who_said(run(text), "we will keep dancing") == "Rosa Fenwick"


def test_page_debris_before_a_name_is_not_the_speaker(run):
    text = ("The former minister said the answers were all evasion. Scroll down for video Harold Benn, "
            "pictured campaigning this week, has warned that the party wants to use the chaos after the "
            "election to force another vote.")
    assert who_said(run(text), "wants to use the chaos") == "Harold Benn"


def test_noting_after_told_keeps_the_teller(run):
    text = ("Gina Marsh, 33, added that she has seen an improvement since starting the treatment. "
            "However, surgeon Dr. Peter Vance told the Post that he questions the treatments, "
            "noting that they are not very powerful if clients need to go so often.")
    assert who_said(run(text), "they are not very powerful") == "Peter Vance"


# ----- "according to" as the channel, not the speaker ----------------------------------------------------
def test_according_to_a_paper_after_a_named_speaker_keeps_the_speaker(run):
    text = ("In court today, prosecutors said Ramos married men from Egypt, Turkey and Mali - countries "
            "that were red flags for immigration, according to The New York Daily News.")
    rows = statements(run(text))
    assert [(r[0], r[3]) for r in rows] == [("prosecutors", "said")]


def test_according_to_source_ends_at_the_comma(run):
    text = ("George also told the newspaper Garcia threw her out. "
            "According to the Post, Ramos and Garcia are parents to a baby girl.")
    assert who_said(run(text), "parents to a baby girl") == "Post"


# ----- "the comedian said": a definite description of someone already named --------------------------
def test_definite_description_is_the_previous_sentences_subject(run):
    text = ("Two comedians came out in support of the party. Ben Ellis took a swipe at Mia Kloss over her "
            "criticism of the tax, at the event also attended by Eddie Zard and Sally Lamb. "
            "The comedian told a 1,000-strong crowd the popstar had made her money showering in a bikini.")
    assert who_said(run(text), "had made her money") == "Ben Ellis"


def test_definite_description_is_not_someone_named_in_the_same_sentence(run):
    text = ("Lizzi Crawford, 32, tipped the scales at 20 stone when she overheard the young bus passenger "
            "ask his mum: 'Has she got a baby in her belly?'")
    assert who_said(run(text), "Has she got a baby") == "the young bus passenger"


def test_a_paper_named_with_the_is_never_she(run):
    text = ("In the wake of the Enquirer's revelation, the uncle posted a message in which she reportedly "
            "told him: 'I am going to confront everyone on everything.'")
    assert who_said(run(text), "confront everyone") != "Enquirer"


def test_closing_x_reports_attributes_the_whole_sentence(run):
    text = ("Lawrence began taking the photos when his son was months old. After receiving positive feedback, "
            "Lawrence decided to compile the photos in a calendar and plans to donate half the proceeds to two "
            "Down Syndrome foundations, KSL  reports.")
    rows = statements(run(text))
    assert [(r[0], r[3]) for r in rows] == [("KSL", "reports")]
    assert "Lawrence decided to compile the photos" in rows[0][1]


def test_the_description_refers_back_to_the_unnamed_source_introduced_with_it(run):
    text = ("A head teacher at one of the schools said parents tried to undermine her authority. "
            "Inspector Kim Dale visited the school in May. The head teacher, who wished to remain anonymous, "
            "said she heard parents speaking to an inspector about her.")
    assert who_said(run(text), "she heard parents speaking") == "A head teacher"


def test_unnamed_source_keeps_the_name_that_places_it(run):
    """"Aides to Clinton", not "Aides": the prepositional phrase naming whom they work for is part of who they are;
    a group already named by its quantifier phrase is not repeated, and a phrase without a name is left out."""
    sp = run("Hillary Clinton spoke on Monday. Aides to Clinton say she is changing her tack on trade. "
             "Half of Vermont Democrats said they were angry. A spokesman for the ministry said the talks would resume.")
    names = [s.name for s in sp]
    assert "Aides to Clinton" in names and "Half of Vermont Democrats" in names and "A spokesman" in names


def test_a_party_member_described_is_the_person_the_story_is_about(run):
    """"The Wisconsin Republican" is a description of the person just named, not a speaker called "Republican"."""
    sp = run("House Speaker Paul Ryan spoke on Monday. "
             "The Wisconsin Republican says in a statement that the steps are certain to be challenged.")
    assert who_said(sp, "certain to be challenged") == "Paul Ryan"


def test_a_figure_next_to_a_name_is_no_role(run):
    """"Sanders, 47 percent" gives Sanders no role "percent": a later "54 percent of voters say" is not his,
    it is the poll's finding (a source, kept but not shown)."""
    sp = run("Bernie Sanders, 47 percent, trails in the poll. "
             "Fifty-four percent of registered voters say they have a favorable view of Clinton.")
    assert who_said(sp, "favorable view of Clinton") == "Fifty-four percent of registered voters"
    quote = next(q for s in sp for q in s.quotes if "favorable view" in q.text)
    assert quote.kind == "source" and not quote.shown


def test_an_infinitive_after_a_dummy_it_is_no_one_s_statement(run):
    """"It's unrealistic to think that ...": "it" stands for nothing, so "think" has no thinker (not the
    organisation last named)."""
    sp = run("The U.S. spoke. Smith said it’s unrealistic to think that if the U.S. walks away, “our allies will stay calm.”")
    assert [(s.name, q.cue) for s in sp for q in s.quotes] == [("Smith", "said")]


def test_a_description_by_someone_s_name_is_another_person(run):
    """"The Christie supporter" is not the person the story was about, nor Christie: it stays an unnamed
    source; "the Labour leader" still is the person just named."""
    sp = run("Chris Christie spoke in Iowa. Madeleine Albright urged women to vote for Clinton. "
             "The Christie supporter retorted: “Nobody should vote for anyone just because of who they are.”")
    assert who_said(sp, "Nobody should vote") == "The Christie supporter"
    sp = run("Jeremy Corbyn spoke in London. The Labour leader told the crowd: “We will win this election.”")
    assert who_said(sp, "win this election") == "Jeremy Corbyn"
