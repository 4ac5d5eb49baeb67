"""The reporting lexicon as data: which words attribute a statement, and in what role.

One table (``lexicon.json`` beside this file, or another file of its shape named in the attribution
component's config) gives every lemma its roles; the constructions and cue helpers ask a ``Lexicon``
instead of keeping word lists of their own.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

DEFAULT_PATH = Path(__file__).with_name("lexicon.json")

ROLES = frozenset(["speech", "belief", "addressee", "naming", "refusal", "denial", "question", "opinion", "intention"])
# What a cue makes of the words it reports (``Quote.kind``), by role, first match wins; any other
# cue is a plain saying ("said"). The brief shows the cue with the words whenever the kind is not a
# plain saying, so that "denied he ever said it" never reads as "he ever said it".
KIND_OF_ROLE = (("denial", "denied"), ("question", "asked"), ("opinion", "belief"), ("intention", "intention"))


@dataclass(frozen=True, eq=False)  # one per file, cached by path: compared by identity
class Lexicon:
    verbs: dict[str, frozenset[str]]  # lemma -> roles
    particle_verbs: frozenset[tuple[str, str]]  # ("go", "on"), ("point", "out")
    report_nouns: frozenset[str]

    def has(self, lemma: str, role: str) -> bool:
        return role in self.verbs.get(lemma, ())

    def lemmas(self, role: str) -> frozenset[str]:
        return frozenset(lemma for lemma, roles in self.verbs.items() if role in roles)

    def kind(self, lemma: str) -> str:
        roles = self.verbs.get(lemma, frozenset())
        return next((kind for role, kind in KIND_OF_ROLE if role in roles), "said")


@lru_cache(maxsize=8)
def load_lexicon(path: str | None = None) -> Lexicon:
    """The lexicon in ``path`` (default: the package's ``lexicon.json``), read once."""
    data = json.loads(Path(path or DEFAULT_PATH).read_text(encoding="utf-8"))
    verbs = {lemma: frozenset(roles) for lemma, roles in data["verbs"].items()}
    unknown = {r for roles in verbs.values() for r in roles} - ROLES
    if unknown:
        raise ValueError(f"unknown roles in {path or DEFAULT_PATH}: {sorted(unknown)}")
    return Lexicon(verbs=verbs, particle_verbs=frozenset(tuple(p) for p in data["particle_verbs"]),
                   report_nouns=frozenset(data["report_nouns"]))


LEXICON = load_lexicon()
