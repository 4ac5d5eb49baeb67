"""Reporting cues: the verbs and phrases that attribute a statement, and who their subject is.

Everything here reads the dependency parse of the one shared spaCy ``Doc``.
"""

from __future__ import annotations

from spacy.tokens import Token

from .lexicon import LEXICON, Lexicon
from .nouns import is_person_noun

# Which words report speech, opinions, addressees, namings and refusals: one table (``lexicon.json``),
# passed in as ``lexicon`` (the attribution component loads the one its config names).

# ----- "according to X": the one cue that is no verb ----------------------------------------------------
def is_according(tok: Token) -> bool:
    """"according" with its "to": a cue whose source is the object of "to"."""
    return tok.lower_ == "according" and any(c.lower_ == "to" for c in tok.children)


def according_text(tok: Token) -> str:
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    return tok.doc[tok.i:to.i + 1].text if to is not None else tok.text


def according_source(tok: Token) -> Token | None:
    """The head of X in "according to X"."""
    to = next((c for c in tok.children if c.lower_ == "to"), None)
    obj = next((c for c in to.children if c.dep_ == "pobj"), None) if to is not None else None
    if obj is not None:
        # "According to the Post, Barrientos and Garcia are ...": a parse that ran the source into the
        # sentence's subject; the source ends at the first comma
        comma = next((t for t in tok.doc[to.i + 1:obj.i] if t.text == ","), None)
        if comma is not None:
            named = [t for t in tok.doc[to.i + 1:comma.i] if t.pos_ in ("PROPN", "NOUN")]
            return named[-1] if named else obj
    return obj


def is_reporting_verb(tok: Token, *, beliefs: bool = False, lexicon: Lexicon = LEXICON) -> bool:
    """A verb that reports speech ("said", "went on"), or an opinion ("believes") when ``beliefs``."""
    if tok.pos_ not in ("VERB", "AUX") and tok.tag_ not in ("VBD", "VBZ", "VBP", "VBG", "VBN", "VB"):
        return False
    if any(c.dep_ == "neg" for c in tok.children):
        return False  # "hasn't revealed whether ...": nothing was said
    lemma = tok.lemma_.lower()
    if lexicon.has(lemma, "speech") or (beliefs and lexicon.has(lemma, "belief")):
        return True
    return any((lemma, c.lower_) in lexicon.particle_verbs for c in tok.children if c.dep_ == "prt")


def _refused(verb: Token, lexicon: Lexicon) -> bool:
    """"refused to acknowledge", "did not want to say": the report says it was not said."""
    head = verb.head
    return verb.dep_ == "xcomp" and head is not verb and (
        lexicon.has(head.lemma_.lower(), "refusal") or any(c.dep_ == "neg" for c in head.children))


def cue_kind(verb: Token, lexicon: Lexicon = LEXICON) -> str:
    """The kind of statement a cue makes (its lexicon roles, see ``lexicon.KIND_OF_ROLE``): "said",
    "denied", "asked", "belief", "intention", or "negated" (refused, or did not)."""
    if is_according(verb):
        return "said"
    if _refused(verb, lexicon):
        return "negated"
    return lexicon.kind(verb.lemma_.lower())


def cue_text(verb: Token, lexicon: Lexicon = LEXICON) -> str:
    """The cue as written: "said", "went on", "according to", "was quoted as saying", "refused to acknowledge"."""
    if _refused(verb, lexicon) and 0 < verb.i - verb.head.i <= 4:
        neg = [c.i for c in verb.head.children if c.dep_ in ("neg", "aux") and c.i < verb.head.i]
        return verb.doc[min([verb.head.i, *neg]):verb.i + 1].text
    if is_according(verb):
        return according_text(verb)
    prt = [c for c in verb.children if c.dep_ == "prt"]
    text = verb.text + "".join(" " + p.text for p in prt)
    # "was quoted as saying": the whole phrase is the cue.
    head = verb.head
    if verb.dep_ == "pcomp" and head.lower_ == "as" and head.head.lemma_ == "quote":
        quoted = head.head
        aux = [c for c in quoted.children if c.dep_ == "auxpass"]
        first = aux[0].i if aux else quoted.i
        if verb.i - first <= 3:  # "was quoted as saying"
            return verb.doc[first:verb.i + 1].text
        return quoted.text  # "quoted Belgian Finance Minister Johan Van Overtveldt as saying": the verb
    return text


def subject_of(verb: Token, lexicon: Lexicon = LEXICON) -> Token | None:
    """Who the reporting verb is about: its subject, climbing through "adding"/"went on to say"/"quoted as saying"."""
    if is_according(verb):
        return according_source(verb)
    tok, hops = verb, 0
    while tok is not None and hops < 4:
        # "Der Spiegel quoted Nikos Theocharakis as saying": the one quoted is the speaker
        if tok.lemma_ == "quote" and tok is not verb:
            obj = [c for c in tok.children if c.dep_ == "dobj"]
            if obj:
                return _named_appos(obj[0])
        subj = [c for c in tok.children if c.dep_ == "nsubj"] or \
            [c for c in tok.children if c.dep_ == "nsubjpass"]
        if subj and tok is verb and subj[0].dep_ == "nsubjpass":
            # "the details were revealed", "it was announced": what was said, not who said it
            subj = []
            agent_only = True
        else:
            agent_only = False
        if subj:
            # "surgeon Dr. Norman Rowe told": of two subjects, the name next to the verb
            subj.sort(key=lambda c: (c.pos_ not in ("PROPN", "PRON"), abs(c.i - tok.i)))
            if subj[0].lower_ == "who":
                return _antecedent_of_who(subj[0], tok)  # "Tamara, who sings: ..."
            if subj[0].lower_ in ("that", "which") and tok.dep_ == "relcl":
                return tok.head
            if tok is not verb and subj[0].lower_ == "it" and any(c.dep_ in ("acomp", "attr") for c in tok.children):
                return None  # "it's unrealistic to think that ...", "it is hard to say": no one's words
            return _nominal(subj[0])
        if tok is verb and tok.tag_ in ("VBZ", "VBD"):
            # "..., KSL reports.": the tagger took the source for a compound of the verb
            comp = [c for c in tok.children if c.dep_ == "compound" and c.pos_ == "PROPN" and c.i < tok.i
                    and all(t.is_space for t in tok.doc[c.right_edge.i + 1:tok.i])]
            if comp:
                return comp[-1]
        # "by X" of a passive: "it was announced by the ministry"
        agent = [c for c in tok.children if c.dep_ == "agent"]
        for a in agent:
            objs = [c for c in a.children if c.dep_ == "pobj"]
            if objs:
                return objs[0]
        if agent_only:
            return None
        if tok.dep_ in ("advcl", "conj") and (tok.tag_ == "VBG" or is_reporting_verb(tok, lexicon=lexicon)) \
                and tok.head.dep_ == "ccomp" and is_reporting_verb(tok.head.head, lexicon=lexicon) \
                and not (is_reporting_verb(tok.head, lexicon=lexicon) and _has_subject(tok.head)):
            # "X said the ruling was unfair, adding: ..." (parsed as part of the reported clause)
            tok, hops = tok.head.head, hops + 1
            continue
        if tok.dep_ == "acl" and tok.tag_ == "VBG" and (tok.head.pos_ == "PROPN" or is_person_noun(tok.head.lemma_)):
            return tok.head  # "with environmentalists alleging that ..."
        if tok.dep_ in ("conj", "xcomp", "advcl", "pcomp", "prep", "acl") and tok.head is not tok:
            came_from_acl = tok.dep_ == "acl"
            tok, hops = tok.head, hops + 1
            # "NASA released a graphic noting that ...": from the noun to the verb that has it
            if came_from_acl and tok.dep_ in ("dobj", "pobj") and tok.head is not tok:
                tok = tok.head if tok.dep_ == "dobj" else tok.head.head
            continue
        if tok.dep_ == "relcl":  # "the man who said ..." / "Smith, who said ..."
            return tok.head
        break
    return None


# Caption words between a name and its relative clause: "Julia, left, who says ...".
_CAPTION_PLACES = frozenset(["left", "right", "centre", "center", "above", "below", "top", "bottom", "pictured",
                             "inset", "far"])


def _has_subject(verb: Token) -> bool:
    return any(c.dep_ in ("nsubj", "nsubjpass") for c in verb.children)


def _antecedent_of_who(who: Token, verb: Token) -> Token:
    """"who" stands for the person named just before it: "a video from her daughter Tamara, who sings"
    (the parser may hang the clause on "video"), "Pat with Julia, left, who says" (or on nothing)."""
    head = verb.head if verb.dep_ == "relcl" else None
    if head is not None and (head.ent_type_ == "PERSON" or head.pos_ == "NOUN" and is_person_noun(head.lemma_)):
        return head  # "a spokesman for Acme Corp, who said": the parser's person stands
    for t in reversed(who.doc[max(0, who.i - 6):who.i]):
        if t.is_punct or t.is_space or t.lower_ in _CAPTION_PLACES or t.like_num:
            continue
        if t.pos_ == "PROPN" or t.pos_ == "NOUN" and is_person_noun(t.lemma_):
            return t
        break
    return head if head is not None else who


def _nominal(subj: Token) -> Token:
    """A subject the tagger took for a verb is page debris in front of a name ("Scroll down for video
    Gordon Brown, pictured, has warned"): the person named in it is the subject."""
    if subj.pos_ != "VERB":
        return subj
    names = [t for t in subj.subtree if t.pos_ == "PROPN" and t.ent_type_ == "PERSON"]
    return names[-1] if names else subj


def _named_appos(tok: Token) -> Token:
    """"a finance ministry official, Nikos Theocharakis," -> the name."""
    if tok.pos_ != "PROPN":
        for c in tok.children:
            if c.dep_ == "appos" and c.pos_ == "PROPN":
                return c
    return tok


def clause_of(verb: Token, lexicon: Lexicon = LEXICON) -> Token | None:
    """The clausal complement that carries what was said, if any."""
    ccomps = [c for c in verb.children if c.dep_ == "ccomp"]
    if ccomps:
        # several (a parse run over a line break): the one in the verb's own paragraph, nearest first
        def crosses_line(c: Token) -> bool:
            lo, hi = sorted((c.i, verb.i))
            return any("\n" in t.text for t in verb.doc[lo:hi])
        return min(ccomps, key=lambda c: (crosses_line(c), abs(c.i - verb.i)))
    # "said in a statement that ...", "told reporters that ...": the parser sometimes hangs it elsewhere
    for c in verb.children:
        if c.dep_ in ("dobj", "xcomp") and any(g.dep_ == "mark" and g.lower_ == "that" for g in c.children):
            return c
    # "told the newspaper she avoided a crash": parsed as a relative clause of the addressee, but it
    # has its own subject and no relative word, so it is the reported clause
    for c in verb.children:
        if c.dep_ in ("dobj", "dative") and c.i > verb.i and lexicon.has(verb.lemma_, "addressee"):
            for g in c.children:
                if g.dep_ == "relcl" and g.i > c.i and is_content_clause(g):
                    return g
    return None


def is_content_clause(clause: Token) -> bool:
    """A clause with its own subject and no relative word: 'reports [it has drawn up plans]'."""
    subj = [c for c in clause.children if c.dep_ in ("nsubj", "nsubjpass")]
    if not subj or subj[0].tag_ in ("WP", "WDT", "WP$") or subj[0].lower_ in ("that", "who", "which"):
        return False
    first = clause.left_edge
    return first.tag_ not in ("WP", "WDT", "WRB", "WP$") and first.lower_ not in ("which", "who", "whom", "where",
                                                                                    "when", "whose")

