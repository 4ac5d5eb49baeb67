"""Who-said-what work grows linearly with the text, whatever the text (issue 10, finding 3).

Before: "a.Ba." x 4000 took 18 s in speaker finding (the entity of each name was looked up by
rebuilding ``doc.ents``), 1,400 named speakers 5.5 s, and alternating "a" 'b' (49 KB) 21.7 s and
1 GB (every single quote mark was checked against every double-quoted span). No timed bound here:
each test times the same work on a text and on one four times as long, in the same run, and a
quadratic cost (16x) fails where a linear one (4x, plus noise) passes. The spaCy parse is not timed.
"""

from __future__ import annotations

import itertools
import time

import pytest

from summarizer.models import get_nlp
from summarizer.speakers import attribute_quotes
from summarizer.speech.quotes import find_quote_spans

# A linear cost gives 4x for a four times longer text; quadratic gives 16x. Generous for noise.
MAX_GROWTH = 9.0


def _cpu(fn, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return max(best, 1e-4)


def _names(n: int) -> list[str]:
    first = ["Alan", "Beth", "Carl", "Dana", "Eric", "Faye", "Gus", "Hana", "Ivan", "Jill", "Kurt", "Lena", "Milo",
             "Nora", "Omar", "Pia", "Rolf", "Sara", "Tomas", "Uma", "Vera", "Wade", "Yuri", "Zoe"]
    last = ["Abbot", "Baxter", "Crane", "Doyle", "Ellis", "Foster", "Grant", "Hayes", "Irwin", "Jensen", "Kemp",
            "Lowe", "Morse", "Nash", "Owens", "Price", "Quinn", "Reed", "Shaw", "Tate", "Upton", "Vance", "Walsh",
            "Young", "Zeller", "Ames", "Boyd", "Cobb", "Dunn", "Eaton", "Frost", "Gale", "Hurst", "Ivey"]
    return [f"{f} {l}" for f, l in itertools.islice(itertools.product(first, last), n)]


def named_speakers(n: int) -> str:
    """n different people, each saying one thing: the 1,400-speaker input of the finding."""
    return "\n\n".join(f"{name} said the new bridge would open next spring." for name in _names(n))


def initials(n: int) -> str:
    return "a.Ba." * n


def alternating_quotes(chars: int) -> str:
    return ('"a" \'b\' ' * (chars // 8 + 1))[:chars]


@pytest.mark.parametrize("make, small", [(initials, 500), (named_speakers, 150), (alternating_quotes, 3000)],
                         ids=["initials", "named-speakers", "alternating-quotes"])
def test_speaker_finding_grows_linearly(settings, make, small):
    nlp = get_nlp(settings.models)
    short, long = nlp(make(small)), nlp(make(4 * small))
    t_short = _cpu(lambda: attribute_quotes(short, settings.speakers))
    t_long = _cpu(lambda: attribute_quotes(long, settings.speakers))
    assert t_long / t_short < MAX_GROWTH, (t_short, t_long)


def test_many_named_speakers_are_all_found(settings):
    speakers = attribute_quotes(get_nlp(settings.models)(named_speakers(200)), settings.speakers)
    assert len(speakers) >= 190  # bounded work, not dropped work: each person keeps their statement


def test_quote_pairing_grows_linearly_on_alternating_marks():
    # the character-level pairing alone, on the finding's full 49 KB (no parse needed)
    t_short = _cpu(lambda: find_quote_spans(alternating_quotes(12_250)))
    t_long = _cpu(lambda: find_quote_spans(alternating_quotes(49_000)))
    assert t_long / t_short < MAX_GROWTH, (t_short, t_long)
