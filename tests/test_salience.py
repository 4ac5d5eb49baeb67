"""Who a compact brief shows first, and what the source line says."""

from __future__ import annotations

import pytest

from summarizer.brief import source_name
from summarizer.models import get_nlp
from summarizer.salience import rank_speakers
from summarizer.types import Quote, Speaker

ARTICLE = (
    "Finance minister Ana Ruiz said on Monday that the budget would cut taxes for 3 million families. "
    "The plan was welcomed by business groups. "
    "A witness said it was chaos. "
    "Opposition leader Tom Baker said the cuts were part of the problem, and that hospitals would pay for them. "
    "Later in the day Tom Baker said the party would vote against the budget in parliament next week. "
    "\"It is a good day,\" said Lee Park, a shop owner in the capital, who had followed the debate on TV."
)


def _quote(text: str, phrase: str, direct: bool = False) -> Quote:
    start = text.index(phrase)
    return Quote(phrase, direct, "said", start, start + len(phrase))


@pytest.fixture(scope="module")
def ranked(settings):
    doc = get_nlp(settings.models)(ARTICLE)
    speakers = [
        Speaker("Ana Ruiz", "Finance minister", [_quote(ARTICLE, "the budget would cut taxes for 3 million families")]),
        Speaker("A witness", None, [_quote(ARTICLE, "it was chaos")]),
        Speaker("Tom Baker", "Opposition leader", [
            _quote(ARTICLE, "part of the problem"),
            _quote(ARTICLE, "the party would vote against the budget in parliament next week")]),
        Speaker("Lee Park", "a shop owner", [_quote(ARTICLE, "It is a good day,", direct=True)]),
    ]
    return rank_speakers(doc, "Ruiz budget cuts taxes; opposition to vote against", speakers)


def test_headline_lead_and_statements_rank_speakers(ranked):
    names = [sp.name for sp in ranked]
    assert names[0] == "Ana Ruiz"  # in the headline and the lead
    assert names.index("Tom Baker") < names.index("Lee Park")  # two statements, named in the headline
    assert names[-1] == "A witness"  # an unnamed source comes last
    assert [sp.salience for sp in ranked] == sorted((sp.salience for sp in ranked), reverse=True)


def test_a_claim_beats_a_fragment(ranked):
    baker = next(sp for sp in ranked if sp.name == "Tom Baker")
    fragment, claim = baker.quotes
    assert claim.informativeness > fragment.informativeness
    ruiz = ranked[0].quotes[0]  # a clause with a number
    assert ruiz.informativeness > fragment.informativeness


@pytest.mark.parametrize("site, url, expected", [
    ("Riverside Daily", "https://riverside.example/a", "Riverside Daily"),
    ("https://www.facebook.com/CBSThisMorning", "https://www.cbsnews.com/news/x", "cbsnews.com"),
    ("facebook.com/CBSThisMorning", None, None),
    ("@CBSThisMorning", "https://twitter.com/x/status/1", None),
    ("https://www.example-news.com/", None, "example-news.com"),
    (None, "https://a.example/b", None),
])
def test_source_is_a_site_name_never_a_social_link(site, url, expected):
    assert source_name(site, url) == expected
