"""Who a speaker phrase refers to: names, aliases, pronouns and role descriptions.

The article introduces people ("Kremlin spokesman Dmitry Peskov", "Sergey Lavrov,
Russia's foreign minister") and later refers back to them ("Peskov", "Mr. Peskov",
"he", "the spokesman", "a presidential spokesman"). ``SpeakerResolver`` keeps the
named mentions in article order and resolves a speaker phrase to an ``Entity``:

* a name: the entity whose name it is, or whose surname/first name it is (the most
  recently mentioned one when two share a surname);
* a pronoun: the most recent compatible named person (or organisation, for
  "it"/"they"), outside quotations;
* a role description: the entity the article introduced with that role noun
  ("spokesman", "foreign minister"); organisation nouns ("the agency") go to the
  most recent organisation; "the head teacher" after an unnamed "a head teacher"
  is that source; another definite person noun ("the comedian") is the named
  person the previous sentence was about, else the most mentioned one, never
  someone named earlier in its own sentence;
* anything else (an unnamed source: "a witness", "officials") stays as written.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right, insort
from dataclasses import dataclass, field

from spacy.tokens import Doc, Token

from .names import gender_of_first_name
from .nouns import PERSON_NOUNS, is_person_noun

# Titles the entity recogniser sometimes takes into a name ("Judge Ana Ruiz"): kept as the role.
TITLES = {"judge", "president", "senator", "sen", "mayor", "coach", "minister", "chancellor", "general", "gen",
          "captain", "capt", "governor", "gov", "king", "queen", "prince", "princess", "pope", "bishop",
          "sheriff", "detective", "inspector", "officer", "sergeant", "sgt", "chief", "director", "secretary",
          "rep", "representative", "congressman", "congresswoman", "ambassador", "commissioner", "councillor",
          "councilman", "councilwoman", "professor", "prof", "justice", "lieutenant", "lt", "colonel", "col",
          "admiral", "premier", "chairman", "chairwoman", "spokesman", "spokeswoman", "manager", "striker"}
HONORIFICS = {"mr", "mrs", "ms", "miss", "dr", "sir", "dame", "lord", "lady", "prof", "professor", "rev"}
_MALE = {"mr", "sir", "lord", "he", "him", "his", "spokesman", "chairman", "father", "son", "husband",
         "brother", "king", "prince", "actor", "boy", "man", "uncle", "grandfather", "dad", "congressman"}
_FEMALE = {"mrs", "ms", "miss", "dame", "lady", "she", "her", "hers", "spokeswoman", "chairwoman", "mother",
           "daughter", "wife", "sister", "queen", "princess", "actress", "girl", "woman", "aunt", "grandmother",
           "mum", "mom", "congresswoman"}
# Common nouns that stand for the most recently named organisation: "the agency said".
ORG_NOUNS = {"committee", "commission", "court", "board", "agency", "company", "firm", "ministry", "department",
             "organisation", "organization", "group",
             "club", "network", "newspaper", "broadcaster", "channel", "airline", "bank", "university",
             "charity", "council", "party", "team", "corporation", "retailer", "watchdog", "regulator"}
_ORG_WORDS = {"ministry", "department", "agency", "inc", "corp", "police", "council", "court", "university",
              "party", "company", "group", "news", "times", "post", "association", "committee", "office",
              "bank", "fund", "commission", "service", "club", "union", "institute", "center", "centre",
              "foundation", "board", "authority", "government", "network", "league", "federation", "church",
              # news outlets, the most frequent organisations that "say" things
              "enquirer", "herald", "tribune", "journal", "gazette", "telegraph", "guardian", "express", "mirror",
              "examiner", "observer", "chronicle", "daily", "weekly", "magazine", "radio", "tv", "television",
              "press", "media", "newspaper", "agency", "reuters", "afp", "bbc", "cnn"}
# Nouns for bodies of people that speak as one, beyond the organisation nouns above: "police said".
GROUP_NOUNS = {"police", "government", "administration", "authority", "people", "staff", "crew", "family",
               "public", "campaign", "military", "army", "navy", "community", "congress", "parliament", "senate",
               "house", "city", "county", "state", "school", "hospital", "embassy", "force", "panel", "jury",
               "tribunal", "opposition", "prosecution", "defence", "defense", "union", "office", "team", "side",
               "camp", "coalition", "alliance", "cabinet", "council", "management", "organiser", "organizer",
               "democrat", "republican", "conservative", "liberal", "other", "both", "many", "some", "few",
               "several", "most", "all", "majority"}
_SPEAKER_LABELS = {"PERSON", "ORG", "GPE", "NORP"}
QUANTIFIERS = {"half", "some", "many", "most", "one", "two", "three", "several", "majority", "all", "none", "each",
               "both", "third", "quarter", "few", "dozens", "hundreds", "thousands", "minority", "percent"}
# A share of respondents is a poll's finding: named in full ("54 percent of voters"), never shown as a speaker.
STATISTICS = {"percent"}
# "the Wisconsin Republican": a party member described, not a name (the tagger makes it a proper noun)
PARTY_MEMBERS = {"republican", "democrat"}
PERSON_PRONOUNS = {"he": "m", "she": "f", "him": "m", "her": "f"}
GROUP_PRONOUNS = {"they", "them", "it", "we"}
_NICKNAME = re.compile(r"\b([A-Z][\w-]+) ['‘\"“]([A-Z][\w-]*(?: [A-Z][\w-]*){0,2})['’\"”] ([A-Z][\w'’-]+)")
_QUOTE_CHARS = "\"'“”‘’«»"
_NUMERIC_LABELS = {"DATE", "TIME", "MONEY", "PERCENT", "QUANTITY", "ORDINAL", "CARDINAL"}
_NAME_LABELS = {"PERSON", "ORG", "GPE", "NORP", "FAC", "WORK_OF_ART", "PRODUCT", "EVENT", "LOC"}
# How far back (in mentions) a description or pronoun looks for whom it means, and how many entities
# one name word indexes: real articles stay far below both; a text of thousands of names stays linear.
_LOOKBACK_MENTIONS = 200
# "aides to Clinton", "a producer for Yahoo Studios", "a woman in Worcester, Massachusetts": the prepositions
# that tie an unnamed source to a named one, and how long such a phrase may be (words).
_PLACING_PREPOSITIONS = frozenset(["to", "for", "of", "at", "in", "from", "with"])
_NAMED_MODIFIER_WORDS = 6
_ENTITIES_PER_WORD = 32


@dataclass(eq=False)
class Entity:
    """One speaker as the brief shows it (compared by identity: two people may share every field)."""

    name: str
    named: bool = True
    kind: str = "person"  # "person" | "org" | "unknown" | "unnamed"
    role: str | None = None
    gender: str | None = None  # "m" | "f" | None
    role_heads: set[str] = field(default_factory=set)  # head nouns of its roles: {"spokesman"}
    aliases: set[str] = field(default_factory=set)  # nicknames: Lee 'Uncle Poodle' Thompson -> {"uncle poodle"}
    role_words: set[str] = field(default_factory=set)  # every word of its roles
    labels: set[str] = field(default_factory=set)  # entity labels its names were given (PERSON, ORG, LOC, ...)
    head_lemma: str = ""  # for an unnamed source: the lemma of its head noun ("official", "report")

    def speaks(self) -> bool:
        """A person or an organisation: someone whose words a brief can report.

        Named people and organisations, places that stand for governments ("Russia said"), and
        unnamed people or bodies ("a witness", "two officials", "the ministry") speak; a document,
        poll, figure, place, product or event ("the report", "a poll", "68 per cent", "East Coast")
        is a source of information, not a speaker."""
        if self.kind in ("person", "org"):
            return True
        if self.kind == "unnamed":
            lemma = self.head_lemma or (self.words[-1] if self.words else "")
            if lemma in STATISTICS:
                return False  # "54 percent of voters say": a poll's finding, not someone's words
            if lemma in QUANTIFIERS and len(self.words) > 1:
                lemma = self.words[-1]  # "half of parents": the parents
            return any(is_person_noun(w) or w in ORG_NOUNS or w in GROUP_NOUNS
                       for w in {lemma, lemma.removesuffix("s"), lemma.removesuffix("es")} if w)
        # "unknown": a name the recogniser gave a place, product or event label only is no speaker
        return not self.labels or bool(self.labels & _SPEAKER_LABELS)

    @property
    def words(self) -> list[str]:
        return name_words(self.name)

    def add_role(self, role: str | None, head: str | None) -> None:
        # "his jockey" -> "jockey", "’s defence lawyer" -> "defence lawyer"
        role = (role or "").strip(_QUOTE_CHARS + " ")
        role = re.sub(r"^(?:(?:his|her|their|its|our|my)\s+|['’]?s\s+)", "", role) or None
        if not role:
            return
        if self.role is None:
            self.role = role
        if head:
            self.role_heads.add(head.lower())
        self.role_words.update(w.lower() for w in re.findall(r"\w+", role))
        g = _gender_of_words(re.findall(r"\w+", role.lower()))
        if g and not self.gender:
            self.gender = g


@dataclass
class Mention:
    entity: Entity
    at: int  # character offset
    subject: bool  # grammatical subject of a verb (a good pronoun antecedent)


def is_party_member(head: Token) -> bool:
    """"the Wisconsin Republican", "the Vermont Democrat": one party member, described by the article."""
    return head.lower_ in PARTY_MEMBERS and any(c.dep_ == "det" and c.lower_ == "the" for c in head.lefts)


def _plausible_role(words: list[Token], head: Token) -> bool:
    """A role names a person ("spokesman") or is a noun phrase ("CNN affiliate"); not page debris
    ("Scroll down for video Gordon Brown", "Sullen: Barrientos") or a verb phrase ("Quoting court documents")."""
    if any(t.pos_ in ("VERB", "AUX") or t.is_punct and t.text not in ("-", "'s", "’s", "'", "’") for t in words):
        return False
    if head.ent_type_ in _NUMERIC_LABELS:
        return False  # a figure or a time next to a name ("47 percent", "2:40 p.m. Bernie Sanders") is no role
    if is_person_noun(head.lemma_):
        return True
    return len(words) > 1 and any(t.pos_ == "NOUN" for t in words)


def _spelling_variant(a: str, b: str) -> bool:
    """Two surnames one or two edits apart ("Grayling"/"Grayiling"), both long enough that such a
    distance is a misspelling rather than another family ("Lee"/"Lea")."""
    if a == b or min(len(a), len(b)) < 5 or abs(len(a) - len(b)) > 2 or a[0] != b[0]:
        return False
    prev = list(range(len(b) + 1))  # Levenshtein distance, rows of two
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1] <= 2


def name_words(name: str) -> list[str]:
    """Words of a name, hyphenated surnames kept whole: "Tamara Rusoff-Hoen" -> ["tamara", "rusoff-hoen"]."""
    return [w for w in (x.strip(".,'’\"()").lower() for x in name.split()) if w]


def _gender_of_words(words: list[str]) -> str | None:
    if any(w in _MALE for w in words):
        return "m"
    if any(w in _FEMALE for w in words):
        return "f"
    return None


class SpeakerResolver:
    """Named mentions of one article, and resolution of speaker phrases against them."""

    def __init__(self, doc: Doc, in_quote: list[int]):
        self.doc = doc
        self.in_quote = in_quote
        self.entities: list[Entity] = []
        self.mentions: list[Mention] = []
        self._unnamed: dict[str, Entity] = {}
        # Work per name stays constant however many names the article has (a text of thousands of
        # names must not cost seconds): the entity of each token, and entities by name and name word.
        self._ents = list(doc.ents)
        self._ent_of_token = [-1] * len(doc)
        for n, e in enumerate(self._ents):
            for i in range(e.start, e.end):
                self._ent_of_token[i] = n
        self._by_name: dict[str, Entity] = {}  # lowercased name or alias -> the first entity with it
        self._by_word: dict[str, list[Entity]] = {}  # a name word (or hyphen-final part) -> entities
        self._last_at: dict[Entity, list[int]] = {}  # entity -> offsets of its mentions, sorted
        self._order: dict[Entity, int] = {}  # entity -> creation order
        self._joints: dict[tuple[Entity, ...], Entity] = {}  # people who speak together -> their one speaker
        self._by_role: dict[str, list[Entity]] = {}  # a role's head noun ("spokesman") -> entities with it
        self._sent_start = [0] * len(doc)  # token -> first token of its sentence
        self._sents = list(doc.sents)
        for sent in self._sents:
            for i in range(sent.start, sent.end):
                self._sent_start[i] = sent.start
        self._collect()

    # ----- indexes ------------------------------------------------------------------------------
    def _add_entity(self, entity: Entity) -> Entity:
        self._order[entity] = len(self.entities)
        self.entities.append(entity)
        self._index(entity)
        return entity

    def _index(self, entity: Entity) -> None:
        for key in {entity.name.lower()} | entity.aliases:
            self._by_name.setdefault(key, []).append(entity)
        ew = entity.words
        if ew:
            for w in {ew[0], ew[-1], ew[-1].split("-")[-1]}:
                bucket = self._by_word.setdefault(w, [])
                if entity not in bucket:
                    bucket.append(entity)
                    del bucket[:-_ENTITIES_PER_WORD]

    def _add_role(self, entity: Entity, role: str | None, head: str | None) -> None:
        entity.add_role(role, head)
        for h in entity.role_heads:
            bucket = self._by_role.setdefault(h, [])
            if entity not in bucket:
                bucket.append(entity)
                del bucket[:-_ENTITIES_PER_WORD]

    def _add_mention(self, mention: Mention) -> None:
        insort(self.mentions, mention, key=lambda m: m.at)
        insort(self._last_at.setdefault(mention.entity, []), mention.at)

    def _mentions_before(self, at: int, limit: int = _LOOKBACK_MENTIONS) -> list[Mention]:
        """The mentions before offset ``at``, the most recent ``limit`` of them, in article order."""
        end = bisect_left(self.mentions, at, key=lambda m: m.at)
        return self.mentions[max(0, end - limit):end]

    def _mentions_between(self, lo: int, hi: int) -> list[Mention]:
        a = bisect_left(self.mentions, lo, key=lambda m: m.at)
        b = bisect_left(self.mentions, hi, key=lambda m: m.at)
        return self.mentions[a:b]

    def last_mention(self, entity: Entity, before: int, *, inclusive: bool = False) -> int | None:
        ats = self._last_at.get(entity, [])
        k = (bisect_right if inclusive else bisect_left)(ats, before)
        return ats[k - 1] if k else None

    def _sentence_of(self, tok: Token):
        """``tok.sent`` in constant time (spaCy walks the sentence to find its ends)."""
        k = bisect_right(self._sents, tok.i, key=lambda s: s.start)
        return self._sents[k - 1]


    # ----- building the mention list -------------------------------------------------------
    def _collect(self) -> None:
        seen_heads: set[int] = set()
        self._collect_nicknames()
        for ent in self._ents:
            if ent.label_ not in ("PERSON", "ORG"):
                continue
            if any(self.in_quote[t.i] >= 0 for t in ent):
                continue
            head = ent.root
            if head.i in seen_heads:
                continue
            seen_heads.add(head.i)
            self.mention_of_name(head, record=True)
        # names the entity recogniser missed, as the subject of a verb ("Zoo visitor Terra Lurie believes")
        # or as the source in "according to the Telegraph"
        for tok in self.doc:
            source = tok.dep_ == "pobj" and tok.head.lower_ == "to" and tok.head.head.lower_ == "according"
            if (tok.dep_ in ("nsubj", "nsubjpass") or source) and tok.pos_ == "PROPN" and self.in_quote[tok.i] < 0 \
                    and tok.i not in seen_heads and tok.ent_type_ not in _NUMERIC_LABELS:
                seen_heads.add(tok.i)
                self.mention_of_name(tok, record=True)
        self._learn_genders()

    def _collect_nicknames(self) -> None:
        """Lee 'Uncle Poodle' Thompson: one person, also called by the nickname in quotes."""
        for m in _NICKNAME.finditer(self.doc.text):
            first, nick, last = m.group(1), m.group(2), m.group(3)
            entity = Entity(name=m.group(0), kind="person", gender=gender_of_first_name(first))
            entity.aliases = {nick.lower(), f"{first} {last}".lower(), nick.split()[-1].lower()}
            self._add_entity(entity)

    def _learn_genders(self) -> None:
        """A sentence naming one person and using only "he"/"his" (or "she"/"her") tells that person's gender."""
        by_sent: dict[int, set[Entity]] = {}
        for m in self.mentions:
            if m.entity.kind == "person":
                span = self.doc.char_span(m.at, m.at + 1, alignment_mode="expand")
                if span is not None:
                    by_sent.setdefault(self._sent_start[span[0].i], set()).add(m.entity)
        for sent in self._sents:
            people = by_sent.get(sent.start)
            if not people or len(people) != 1:
                continue
            genders = {PERSON_PRONOUNS.get(t.lower_) or ("m" if t.lower_ == "his" else None)
                       for t in sent if self.in_quote[t.i] < 0} - {None}
            entity = next(iter(people))
            if len(genders) == 1 and entity.gender is None:
                entity.gender = genders.pop()

    def name_tokens(self, head: Token) -> list[Token]:
        """The tokens of the name a proper-noun head belongs to, honorifics dropped."""
        if head.ent_type_ in _NAME_LABELS and head.ent_iob_ != "O":
            n = self._ent_of_token[head.i]
            ent = self._ents[n] if n >= 0 else None
            toks = list(ent) if ent is not None else [head]
            # an entity run across punctuation ("the Post, Barrientos") is cut to the head's side
            cut = [t.i for t in toks if t.is_punct and t.text not in ("-", ".")]
            left = max((c for c in cut if c < head.i), default=-1)
            right = min((c for c in cut if c > head.i), default=len(self.doc))
            toks = [t for t in toks if left < t.i < right]
        else:
            toks = [head]
            i = head.i - 1
            while i >= 0 and self.doc[i].pos_ == "PROPN" and self.doc[i].dep_ in ("compound", "flat") \
                    and self.doc[i].head.i in {t.i for t in toks}:
                toks.insert(0, self.doc[i])
                i -= 1
        while toks and (toks[0].lower_.rstrip(".") in HONORIFICS or toks[0].lower_ in ("the", "a", "'s")
                        or toks[0].is_punct or len(toks) > 1 and (toks[0].lower_.rstrip(".") in TITLES
                                                                  or toks[0].lower_ in PERSON_NOUNS)):
            toks = toks[1:]
        while toks and (toks[-1].lower_ in ("'s", "’s") or toks[-1].is_punct):
            toks = toks[:-1]
        return toks or [head]

    def role_of(self, head: Token, name: list[Token]) -> tuple[str | None, str | None]:
        """The title or role given with a name: "Kremlin spokesman" Dmitry Peskov, Peskov, "the Kremlin spokesman"."""
        name_ids = {t.i for t in name}
        first = min(name_ids)
        # Words in front of the name inside its noun phrase.
        left = [t for t in self.doc[head.left_edge.i:first]
                if t.dep_ in ("compound", "amod", "nmod", "npadvmod", "nummod", "poss", "case", "punct")
                or t.head.i not in name_ids and t.i < first]
        while left and (left[0].dep_ in ("det", "punct", "case") or left[0].lower_ in ("the", "a", "an")):
            left = left[1:]
        left = [t for t in left if not (t.lower_.rstrip(".") in HONORIFICS and t.pos_ == "PROPN")]
        if left and any(t.pos_ in ("NOUN", "PROPN") and t.lower_.rstrip(".") not in HONORIFICS for t in left):
            nouns = [t for t in left if t.pos_ in ("NOUN", "PROPN")]
            if any(t.pos_ == "NOUN" or t.is_title for t in nouns) and left[-1].i == first - 1:
                role = self.doc[left[0].i:left[-1].i + 1].text
                # a role names a person ("spokesman") or is a phrase ("CNN affiliate"); a lone other
                # noun in front of a name is page debris ("Scroll down for video Gordon Brown")
                if _plausible_role(left, nouns[-1]):
                    return role, nouns[-1].lemma_
        # An appositive: "Dmitry Peskov, the Kremlin spokesman, said".
        for c in head.children:
            if c.dep_ == "appos" and c.pos_ == "NOUN":
                toks = [t for t in self.doc[c.left_edge.i:c.i + 1] if t.dep_ != "det" and not t.is_punct]
                if toks and _plausible_role(toks, c):
                    end = c.i
                    of = next((p for p in c.children if p.dep_ == "prep" and p.lower_ == "of" and p.i == c.i + 1), None)
                    if of is not None:  # "chief executive of Cuadrilla Resources" (up to a comma)
                        end = of.right_edge.i
                        comma = next((t.i for t in self.doc[of.i:end + 1] if t.text in (",", "(", "—", "–")), None)
                        end = comma - 1 if comma is not None else end
                    return self.doc[toks[0].i:end + 1].text, c.lemma_
        # The name is the appositive: "her friend, Julia Church,"
        if head.dep_ == "appos" and head.head.pos_ == "NOUN" and head.head.i < first:
            noun = head.head
            toks = [t for t in self.doc[noun.left_edge.i:noun.i + 1] if t.dep_ not in ("det", "poss")
                    and not t.is_punct]
            if toks and _plausible_role(toks, noun):
                return self.doc[toks[0].i:noun.i + 1].text, noun.lemma_
        return None, None

    def mention_of_name(self, head: Token, *, record: bool) -> Entity:
        name = self.name_tokens(head)
        words = self.doc[name[0].i:name[-1].i + 1].text.split()
        words = [w for k, w in enumerate(words) if k == 0 or w != words[k - 1]]  # "Sebastian Vettel Vettel"
        text = " ".join(words).strip(_QUOTE_CHARS + " ,;:")
        text = text or head.text
        role, role_head = self.role_of(head, name)
        honorific = self.doc[name[0].i - 1].lower_.rstrip(".") if name[0].i > 0 else ""
        labels = {t.ent_type_ for t in name}
        if "PERSON" in labels and self._with_article(name) and set(name_words(text)) & _ORG_WORDS:
            labels = labels - {"PERSON"} | {"ORG"}  # "the Enquirer's revelation": a person's name takes no "the"
        entity = self._match_name(text, at=head.idx, person="PERSON" in labels)
        if entity is None:
            entity = self._add_entity(Entity(name=text, kind=self._kind(labels, text)))
        elif len(text.split()) > len(entity.name.split()) and set(entity.words) <= set(name_words(text)):
            entity.name = text  # the fullest form of the name
            self._index(entity)
        entity.labels |= labels - {""}
        if "PERSON" in labels and entity.kind != "person":
            entity.kind = "person"
        if honorific in HONORIFICS:
            entity.kind = "person"
            entity.gender = _gender_of_words([honorific]) or entity.gender
        if entity.gender is None and entity.kind in ("person", "unknown") and len(name) > 1:
            entity.gender = gender_of_first_name(name[0].text)
        self._add_role(entity, role, role_head)
        if entity.kind != "person" and (role_head and is_person_noun(role_head) or self._has_age(head)):
            entity.kind = "person"  # "her friend Julia Church, 67": a person, whatever the recogniser said
        if record:
            self._add_mention(Mention(entity, head.idx, head.dep_ in ("nsubj", "nsubjpass")))
        return entity

    def _with_article(self, name: list[Token]) -> bool:
        first = name[0].i
        return first > 0 and self.doc[first - 1].lower_ == "the"

    @staticmethod
    def _has_age(head: Token) -> bool:
        """"Lizzi Crawford, 32," - an age in apposition."""
        return any(c.dep_ in ("appos", "npadvmod", "amod") and c.like_num and c.text.isdigit()
                   and 1 <= int(c.text) <= 110 and c.i == head.i + 2 for c in head.children)

    @staticmethod
    def _kind(labels: set[str], text: str) -> str:
        words = set(re.findall(r"\w+", text.lower()))
        if "PERSON" in labels:
            return "person"
        if words & _ORG_WORDS or (text.isupper() and len(text) > 1):
            return "org"
        if "ORG" in labels:
            # The small model often calls a person ORG ("Terra Lurie"): a name of two or more words
            # without an organisation word may be either.
            return "unknown" if len(words) > 1 else "org"
        if labels & {"GPE", "NORP"}:
            return "org" if len(words) > 1 else "unknown"
        return "unknown"

    def _match_name(self, text: str, at: int, person: bool = False) -> Entity | None:
        """An entity already known under this name, its surname or its first name; the most recent wins."""
        words = name_words(text)
        if not words:
            return None
        key = text.lower()
        exact = [e for e in self._by_name.get(key, ()) if e.name.lower() == key or key in e.aliases]
        if exact:
            return min(exact, key=lambda e: self._order[e])
        # the most recently mentioned (up to ``at``) first, then the others in the order they were met
        candidates = dict.fromkeys(e for w in (words[0], words[-1]) for e in self._by_word.get(w, ()))

        def recency(e: Entity) -> tuple[int, int]:
            last = self.last_mention(e, at, inclusive=True)
            return (0, -last) if last is not None else (1, self._order[e])

        for e in sorted(candidates, key=recency):
            ew = e.words
            if not ew or e.kind == "unnamed":
                continue
            surname = words[0] in (ew[-1], ew[-1].split("-")[-1])
            if len(words) == 1 and (surname or (words[0] == ew[0] and e.kind == "person")):
                return e  # "Peskov", "Mekdad" for "Faisal al-Mekdad", "Julia" for "Julia Church"
            if len(ew) == 1 and ew[0] in (words[-1], words[0]) and (e.kind != "org" or person):
                return e  # a first short mention ("Obama", "Julia"), now named in full
            if len(words) > 1 and words[-1] == ew[-1] and len(ew) > 1 and words[0] == ew[0]:
                return e
            if len(words) > 1 and len(ew) > 1 and words[0] == ew[0] and e.kind == "person" \
                    and _spelling_variant(words[-1], ew[-1]):
                return e  # "Chris Grayling" and "Chris Grayiling": one person, a typo in one mention
        return None

    def demote_within(self, ranges: list[tuple[int, int]]) -> None:
        """Mentions inside reported content stop counting as grammatical subjects for pronouns."""
        for a, b in ranges:
            for m in self._mentions_between(a, b):
                m.subject = False

    # ----- resolution --------------------------------------------------------------------------
    def resolve(self, subj: Token) -> Entity | None:
        """The entity a speaker phrase (its head token) refers to; records the mention."""
        at = subj.idx
        low = subj.lower_.strip(_QUOTE_CHARS)  # '"He' when a quote is glued to the word
        if subj.pos_ == "PRON" or low in PERSON_PRONOUNS or low in GROUP_PRONOUNS:
            entity = self._resolve_pronoun(low, at)
        elif is_party_member(subj):
            entity = self._resolve_description(subj)
        elif subj.pos_ == "PROPN" or (subj.ent_type_ in ("PERSON", "ORG") and subj.ent_iob_ != "O"):
            entity = self.mention_of_name(subj, record=False)
            others = [c for c in subj.children if c.dep_ == "conj" and c.pos_ == "PROPN"]
            if others and any(c.dep_ == "cc" and c.lower_ == "and" for c in subj.children):
                # "Ann Lee and Tom Reed said": both said it, one speaker line for the two
                entity = self._joint([entity] + [self.mention_of_name(c, record=False) for c in others])
        elif subj.is_title and self._match_name(subj.text, at) is not None:
            entity = self._match_name(subj.text, at)  # a known surname the tagger took for a noun
        else:
            appos = next((c for c in subj.children if c.dep_ == "appos" and c.pos_ == "PROPN"), None)
            if appos is not None:  # "a spokesman, John Smith, said"
                entity = self.mention_of_name(appos, record=False)
                self._add_role(entity, self._phrase(subj, with_det=False), subj.lemma_)
            else:
                entity = self._resolve_description(subj)
        if entity is not None:
            self._add_mention(Mention(entity, at, True))
        return entity

    def _joint(self, members: list[Entity]) -> Entity:
        """One speaker for people who speak together ("X and Y said"), the same each time they do."""
        unique = tuple(dict.fromkeys(members))
        if len(unique) == 1:
            return unique[0]
        if unique not in self._joints:
            kind = "person" if all(e.kind == "person" for e in unique) else \
                "org" if all(e.kind == "org" for e in unique) else "unknown"
            joint = Entity(name=" and ".join(e.name for e in unique), kind=kind)
            joint.labels = set().union(*(e.labels for e in unique))
            # not indexed by name word: a later "Reed said" is Tom Reed, not the pair
            self._order[joint] = len(self.entities)
            self.entities.append(joint)
            self._joints[unique] = joint
        return self._joints[unique]

    def _compatible(self, entity: Entity, pronoun: str) -> bool:
        if pronoun in PERSON_PRONOUNS:
            if entity.kind not in ("person", "unknown") and entity.named:
                return False
            if entity.kind == "unnamed" and entity.name.split()[-1].lower().endswith("s"):
                return False  # "officials" is not "he"
            return entity.gender in (None, PERSON_PRONOUNS[pronoun])
        if pronoun in ("it",):
            # an organisation, or a thing that spoke: "The report said ... It also said ..."
            last = entity.words[-1] if entity.words else ""
            return entity.kind == "org" or entity.kind == "unnamed" and not is_person_noun(last) \
                and not last.endswith("s")
        if pronoun in ("they", "them", "we"):
            return entity.kind in ("org", "unnamed")
        return True

    def _resolve_pronoun(self, pronoun: str, at: int) -> Entity | None:
        if pronoun in ("i", "me", "you"):
            return None
        before = self._mentions_before(at, 12)[::-1]
        fits = [m for m in before if self._compatible(m.entity, pronoun)]
        if pronoun in PERSON_PRONOUNS:
            # a named person of the right gender beats one of unknown gender, who beats an unnamed source
            want = PERSON_PRONOUNS[pronoun]
            for test in (lambda m: m.entity.kind == "person" and m.subject and m.entity.gender == want,
                         lambda m: m.entity.kind == "person" and m.subject,
                         lambda m: m.entity.kind == "person",
                         lambda m: m.entity.named and m.subject,
                         lambda m: m.entity.named,
                         lambda m: m.subject):
                found = next((m for m in fits[:10] if test(m)), None)
                if found is not None:
                    return found.entity
        if pronoun in ("it", "they", "them", "we"):
            return fits[0].entity if fits else None  # the organisation or group just named
        for m in fits:
            if m.subject:
                return m.entity
        return fits[0].entity if fits else None

    def _org_phrase(self, head: Token) -> Entity:
        name = self._phrase(head, with_det=False)
        key = "org:" + name.lower()
        if key not in self._unnamed:
            self._unnamed[key] = self._add_entity(Entity(name=name, kind="org"))
        return self._unnamed[key]

    def _phrase(self, head: Token, *, with_det: bool = True) -> str:
        """A noun phrase as written, without its trailing modifiers: "a presidential spokesman"."""
        left = [head]
        for t in reversed(list(head.lefts)):  # nearest first; stop at the first non-modifier
            if t.dep_ not in ("det", "amod", "compound", "nummod", "poss", "nmod", "npadvmod", "quantmod") \
                    or t.i != left[0].left_edge.i - 1 and t.right_edge.i != left[0].i - 1:
                break
            left.insert(0, t)
        end = head.i
        if head.lemma_.lower() in QUANTIFIERS:  # "half of parents", "some of the residents"
            of = next((c for c in head.children if c.dep_ == "prep" and c.lower_ == "of"), None)
            obj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
            if obj is not None:
                end = obj.i
        left = list(self.doc[left[0].left_edge.i:end + 1])
        while left and (left[0].is_punct or left[0].is_space or (not with_det and left[0].dep_ == "det")):
            left = left[1:]
        # drop a leading relative or clausal part that is not part of the name
        phrase = self.doc[left[0].i:end + 1].text if left else head.text
        return " ".join(phrase.split()).strip(_QUOTE_CHARS + " ,;:") or head.text

    def _named_modifier(self, head: Token) -> str:
        """" for Yahoo Studios" after "a producer": a short prepositional phrase right after the head whose
        object is a name (no clause of its own), as written; "" when there is none."""
        prep = next((c for c in head.rights if c.dep_ == "prep" and c.i == head.i + 1), None)
        if head.lemma_.lower() in QUANTIFIERS:
            return ""  # "half of Vermont Democrats": the phrase already ends with its group
        if prep is None or prep.lower_ not in _PLACING_PREPOSITIONS:
            return ""
        words = [t for t in prep.subtree if not t.is_space]
        while words and words[-1].is_punct:
            words.pop()
        if not 2 <= len(words) <= _NAMED_MODIFIER_WORDS or not any(t.pos_ == "PROPN" for t in words[1:]) \
                or any(t.pos_ in ("VERB", "AUX") or t.is_quote or "\n" in t.text for t in words):
            return ""
        return " " + self.doc[words[0].i:words[-1].i + 1].text

    def _names_person(self, tok: Token) -> bool:
        """A proper noun that is a person's name in this article ("Christie" in "the Christie supporter")."""
        return tok.pos_ == "PROPN" and (tok.ent_type_ == "PERSON" or any(
            e.kind == "person" for e in self._by_word.get(tok.lower_, ())))

    def _resolve_description(self, head: Token) -> Entity:
        lemma = head.lemma_.lower()
        mods = {t.lower_ for t in head.lefts if t.dep_ in ("amod", "compound", "nmod")}
        if lemma in ORG_NOUNS and any(t.pos_ == "PROPN" for t in head.lefts):
            # "the Commons energy select committee": named by its own words
            return self._org_phrase(head)
        if lemma in ORG_NOUNS and head.tag_ != "NNS":
            # "the Greek finance ministry ... the ministry said": the fuller phrase said earlier,
            # unless an organisation was named after it
            last_org = max((m.at for m in self._mentions_before(head.idx) if m.entity.kind == "org"
                            and m.entity.named), default=-1)
            for t in reversed(self.doc[max(0, head.i - 400):head.i]):
                if t.idx < last_org:
                    break
                if t.lemma_.lower() == lemma and self.in_quote[t.i] < 0 and t.pos_ == "NOUN" and any(
                        c.dep_ in ("compound", "amod") for c in t.lefts):
                    if t.ent_type_ == "ORG":
                        return self.mention_of_name(t, record=False)
                    return self._org_phrase(t)
            for m in reversed(self._mentions_before(head.idx)):
                if m.entity.kind == "org" and m.entity.named:
                    return m.entity
        recent = self._mentions_before(head.idx)
        candidates = [e for e in self._by_role.get(lemma, ()) if e.named]
        if candidates and head.tag_ != "NNS":
            def score(e: Entity) -> tuple[int, int]:
                last = self.last_mention(e, head.idx)
                return (len(mods & e.role_words), -1 if last is None else last)
            return max(candidates, key=score)
        det = next((t for t in head.lefts if t.dep_ == "det"), None)
        key = " ".join(t.lemma_.lower() for t in head.doc[head.left_edge.i:head.i + 1] if t.dep_ != "det")
        if det is not None and det.lower_ == "the" and key in self._unnamed:
            return self._unnamed[key]  # "A head teacher said ... The head teacher, who ..., said"
        # "the father said", "the actor said": a definite description of the person the story is about
        # (not "the Christie supporter": a description by someone else's name is of another person)
        if det is not None and det.lower_ == "the" and (is_party_member(head) or head.tag_ == "NN" and head.ent_type_ == ""
                                                         and lemma not in ORG_NOUNS and is_person_noun(lemma)) \
                and not any(self._names_person(t) for t in head.lefts):
            g = _gender_of_words([lemma])
            sent = self._sentence_of(head)
            # someone named earlier in the same sentence would be "he"/"she", not a description
            # ("she overheard the young passenger ask ...")
            here = {m.entity for m in self._mentions_between(sent.start_char, head.idx)}

            def fits(m: Mention) -> bool:
                e = m.entity
                return e.named and e.kind == "person" and e not in here and not (g and e.gender and g != e.gender)

            # the person the previous sentence was about: "Ben Elton took a swipe at ... The comedian told ..."
            if sent.start > 0:
                prev = self._sentence_of(self.doc[sent.start - 1])
                topic = next((m for m in self._mentions_between(prev.start_char, prev.end_char)
                              if m.subject and fits(m)), None)
                if topic is not None:
                    self._add_role(topic.entity, self._phrase(head, with_det=False) if topic.entity.role is None
                                          else None, lemma)
                    return topic.entity
            # else the most talked-about person so far (the story's subject), the latest among equals
            counts: dict[Entity, tuple[int, int, Entity]] = {}
            for n, m in enumerate(recent):
                e = m.entity
                if fits(m):
                    counts[e] = (counts.get(e, (0, 0, e))[0] + 1, n, e)
            if counts:
                entity = max(counts.values(), key=lambda c: c[:2])[2]
                self._add_role(entity, self._phrase(head, with_det=False) if entity.role is None else None, lemma)
                return entity
        # An unnamed source stays what the article calls it, with the name that places it: "aides to
        # Clinton", "a producer for Yahoo Studios" (not just "aides", "a producer").
        phrase = self._phrase(head) + self._named_modifier(head)
        entity = self._unnamed.get(key)
        if entity is None:
            words = [w.lower() for w in re.findall(r"\w+", phrase)]
            entity = Entity(name=phrase, named=False, kind="unnamed", gender=_gender_of_words(words),
                            head_lemma=lemma)
            self._unnamed[key] = entity
            self._add_entity(entity)
        return entity
