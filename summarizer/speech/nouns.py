"""Is a common noun a person ("the father", "the comedian", "the slimmer")? A rough, closed test.

Used where the article refers back to someone by a description: "the father said" may stand for
the person the story is about, "the ruling said" may not.
"""

from __future__ import annotations

import re

PERSON_NOUNS = frozenset("""
father mother son daughter wife husband man woman boy girl widow widower star actress actor chief official
mum mom dad parent child friend victim witness suspect couple pair king queen prince princess pope judge
mayor coach boss chef nurse doctor surgeon pilot minister president spokesman spokeswoman spokesperson
chairman chairwoman captain veteran expert source aide envoy diplomat senator governor sheriff officer guard
athlete celebrity model singer comedian teenager student pensioner grandmother grandfather sister brother
uncle aunt cousin neighbour neighbor resident tourist fan patient mp lawmaker premier bride groom employee
trainee refugee referee nominee detainee director investor editor author survivor donor sponsor visitor
operator creator counsellor councillor professor prosecutor investigator contractor supervisor chancellor
sailor spectator ambassador predecessor successor negotiator juror mentor tutor inspector ambassador
businessman businesswoman lawyer attorney solicitor barrister footballer player striker goalkeeper
defender midfielder manager owner founder leader winner driver farmer teacher worker soldier worker
""".split())

# Common -er/-ist/-ian nouns that are not people.
THING_NOUNS = frozenset("""
letter paper order number matter water power center centre corner chapter border computer poster trailer
banner folder register meter monitor weather winter summer quarter disaster theater theatre charter filter
tower list twitter flyer answer offer cover transfer encounter cancer member character barrier filler
container computer server printer speaker finger shoulder liver river silver thunder murder danger
tremor error motor color colour honor honour mirror floor door factor sector labor labour rumor rumour humor
humour terror horror anchor harbor harbour vapor flavor flavour armor armour behavior behaviour interior
exterior monitor indicator elevator calculator reactor tractor generator radiator corridor meteor
""".split())


def is_person_noun(lemma: str) -> bool:
    lemma = lemma.lower()
    if re.fullmatch(r"\d+-year-old", lemma):
        return True  # "the 44-year-old said"
    if lemma in PERSON_NOUNS:
        return True
    if lemma in THING_NOUNS or len(lemma) <= 4:
        return False
    return lemma.endswith(("er", "or", "ist", "ian", "ess"))
