"""The attribution constructions, one row each: a small sentence written for the test, and the statement
the construction must find in it (speaker, words, rule). Adding a construction to
``summarizer.speech.constructions.CONSTRUCTIONS`` means adding its row here (``test_every_construction_has_a_row``)."""

from __future__ import annotations

import json

import pytest

from summarizer.models import get_nlp
from summarizer.settings import SpeakerSettings
from summarizer.speakers import attribute_quotes
from summarizer.speech.components import speech_pipeline
from summarizer.speech.constructions import CONSTRUCTIONS, TRIGGERS
from summarizer.speech.lexicon import DEFAULT_PATH, ROLES, load_lexicon

# construction, text, speaker, the statement's words
ROWS = [
    ("according_to", '"Nobody listens to us," according to Jane Ruiz, a nurse at the clinic.',
     "Jane Ruiz", "Nobody listens to us,"),
    ("quote_then_cue", '"We will rebuild the bridge before winter," Mayor Alice Hartmann said on Tuesday.',
     "Alice Hartmann", "We will rebuild the bridge before winter,"),
    ("cue_governs_quote", 'Asked about the strike, Jane Ruiz said: "We are ready for anything."',
     "Jane Ruiz", "We are ready for anything."),
    ("naming_verb", 'Mayor Ruiz described the storm as "the worst in living memory".',
     "Ruiz", "the worst in living memory"),
    ("reported_clause", "Farmer Lena Ortiz said the storm destroyed the barn.",
     "Lena Ortiz", "the storm destroyed the barn"),
    ("parenthetical_cue", "The council will vote next week, Mayor Jane Ruiz said, but the outcome is uncertain.",
     "Jane Ruiz", "The council will vote next week"),
    ("closing_cue", "Prices up five per cent in a year, said the bank.",
     "the bank", "Prices up five per cent in a year"),
    ("report_noun", "The shares fell after reports that the company had hidden losses.",
     "reports", "the company had hidden losses"),
    ("dash_credit", '"The buses are always late." ― Maria Lopez, a commuter',
     "Maria Lopez", "The buses are always late."),
    ("cue_beside_quote", '"We are ready for anything" was what Jane Ruiz said.',
     "Jane Ruiz", "We are ready for anything"),
    ("continued_quote", '"The ice was too thin to hold anyone," Chief Tom Barr told reporters. "We pulled two out."',
     "Tom Barr", "We pulled two out."),
    ("quote_after_report", 'Farmer Lena Ortiz said the storm destroyed the barn. "We lost half the crop in one night."',
     "Lena Ortiz", "We lost half the crop in one night."),
    ("quote_after_subject", 'Farmer Lena Ortiz watched the storm roll in. "We lost half the crop in one night."',
     "Lena Ortiz", "We lost half the crop in one night."),
]


@pytest.fixture(scope="module")
def nlp(settings):
    return get_nlp(settings.models)


def test_every_construction_has_a_row():
    assert sorted(c.name for c in CONSTRUCTIONS) == sorted(r[0] for r in ROWS)
    assert len({c.name for c in CONSTRUCTIONS}) == len(CONSTRUCTIONS)  # one row, one name
    names = {t.name for t in TRIGGERS}
    assert all(set(c.triggers) <= names and bool(c.triggers) == (c.scope == "cue") for c in CONSTRUCTIONS)


@pytest.mark.parametrize("rule,text,speaker,words", ROWS, ids=[r[0] for r in ROWS])
def test_construction(nlp, settings, rule, text, speaker, words):
    found = {(sp.name, q.text, q.rule): q for sp in attribute_quotes(nlp(text), settings.speakers) for q in sp.quotes}
    assert (speaker, words, rule) in found, list(found)
    # its confidence is the construction's, times how surely the subject was resolved
    assert found[speaker, words, rule].confidence <= next(c.confidence for c in CONSTRUCTIONS if c.name == rule)


def test_results_are_on_the_doc(nlp, settings):
    doc = nlp('Farmer Lena Ortiz said the storm destroyed the barn. "We lost half the crop in one night."')
    speakers = attribute_quotes(doc, settings.speakers)
    assert [s.text for s in doc.spans["quotes"]] == ['"We lost half the crop in one night."']
    rules = ["reported_clause", "quote_after_report"]
    assert [(s.text, s.label_) for s in doc.spans["statements"]] == list(zip(
        ["the storm destroyed the barn", "We lost half the crop in one night."], rules))
    assert doc._.speakers is speakers and [st.rule for st in doc._.statements] == rules


def test_lexicon_roles_are_data():
    lexicon = load_lexicon()
    assert {r for roles in lexicon.verbs.values() for r in roles} <= ROLES
    assert lexicon.has("tell", "speech") and lexicon.has("tell", "addressee")
    assert lexicon.has("believe", "belief") and not lexicon.has("believe", "speech")
    assert lexicon.has("refuse", "refusal") and not lexicon.has("refuse", "speech")
    assert [lexicon.kind(v) for v in ("say", "deny", "ask", "believe", "vow")] == [
        "said", "denied", "asked", "belief", "intention"]


def test_lexicon_comes_from_the_component_config(nlp, tmp_path):
    """A lexicon file named in the config is the one the constructions read: a verb added there is a cue."""
    data = json.loads(DEFAULT_PATH.read_text(encoding="utf-8"))
    data["verbs"]["mutter"] = ["speech"]
    data["verbs"]["deny"] = ["speech"]  # no longer a denial
    path = tmp_path / "lexicon.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    text = "Jane Ruiz muttered that the vote was rigged. Tom Barr denied that the vote was rigged."

    def found(lexicon: str) -> list[tuple[str, str]]:
        doc = nlp(text)
        for _name, component in speech_pipeline(doc.vocab, SpeakerSettings(), lexicon=lexicon).pipeline:
            doc = component(doc)
        return [(sp.name, q.kind) for sp in doc._.speakers for q in sp.quotes]

    assert found("") == [("Tom Barr", "denied")]
    assert found(str(path)) == [("Jane Ruiz", "said"), ("Tom Barr", "said")]
