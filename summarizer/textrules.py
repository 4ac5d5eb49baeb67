"""Text rules shared by the stages, defined once: characters, sentence ends, page furniture, spans.

Character classes:
- ``LINE_BREAKS``: every character Unicode treats as ending a line (``\\n``, ``\\r``, VT, FF,
  the information separators U+001C–U+001E, NEL U+0085, U+2028, U+2029); pasted text reads each
  as a paragraph break.
- ``SPACES``: every other Unicode white-space character (tab, U+001F, NBSP, U+1680, the
  U+2000–U+200A range, U+202F, U+205F, U+3000); runs of them become one space.
- ``CONTROLS``: C0 controls except tab/newline/CR, DEL and the C1 controls U+0080–U+009F
  (U+009B is a terminal's CSI: it must never reach printed output). They become spaces; the
  ones that separate lines (VT, FF, NEL, ...) are read as line breaks first where lines matter.
- ``INVISIBLE``: zero-width characters that sit inside words ("Lin\\u200bda"): deleted.

Every pattern here runs on untrusted text, so each is linear: character classes with greedy
runs and no nested or adjacent ambiguous quantifiers, or bounded repeats ``{0,n}``.

``cap_symbol_runs`` shortens runs of punctuation and symbols before the tokenizer sees them:
spaCy's tokenizer strips affixes one at a time, so a 30,000-character run of ``)`` costs minutes
and gigabytes. Real prose never needs more than a few in a row ("?!", "...", "----").
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator

# ------------------------------------------------------------------------------ characters

_ALL_WHITESPACE = "".join(chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace())
LINE_BREAKS = "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"
SPACES = "".join(ch for ch in _ALL_WHITESPACE if ch not in LINE_BREAKS)
CONTROLS = "".join(chr(c) for c in (*range(0x00, 0x20), 0x7F, *range(0x80, 0xA0)) if chr(c) not in "\t\n\r")
INVISIBLE = "\u200b\u2060\ufeff\u00ad"  # (ZWJ/ZWNJ stay: emoji sequences and several scripts need them.)

_OTHER_LINE_BREAK = re.compile("[" + re.escape(LINE_BREAKS.replace("\n", "")) + "]")
_WHITE_RUN = re.compile("[" + re.escape(_ALL_WHITESPACE) + "]+")
_CONTROL = re.compile("[" + re.escape(CONTROLS) + "]")
_INVISIBLE = re.compile("[" + re.escape(INVISIBLE) + "]")


def strip_controls(text: str) -> str:
    """Control characters (C0 but tab/newline/CR, DEL, C1) as spaces: they are never text."""
    return _CONTROL.sub(" ", text)


def split_lines(text: str) -> Iterator[str]:
    """The lines of ``text``, split at every kind of line or paragraph separator, lazily (a CRLF
    gives an empty line after the line: blank lines carry no meaning here). Lines after the ones
    read are never looked at."""
    for line in text.split("\n"):
        if _OTHER_LINE_BREAK.search(line):
            yield from _OTHER_LINE_BREAK.split(line)
        else:
            yield line


def clean_line(line: str) -> str:
    """One line of text: invisible characters deleted, controls and every run of white space
    (of any kind, a stray line separator too) one space."""
    return _WHITE_RUN.sub(" ", strip_controls(_INVISIBLE.sub("", line))).strip()


# The longest run of punctuation/symbol characters kept as is; longer runs are cut to this.
MAX_SYMBOL_RUN = 8
_SYMBOL_RUN = re.compile(r"[^\w\s]{%d,}" % (MAX_SYMBOL_RUN + 1))


def cap_symbol_runs(text: str, limit: int = MAX_SYMBOL_RUN) -> str:
    """Runs of more than ``limit`` punctuation/symbol characters cut to their first ``limit``."""
    if limit != MAX_SYMBOL_RUN:
        return re.sub(r"[^\w\s]{%d,}" % (limit + 1), lambda m: m.group()[:limit], text)
    return _SYMBOL_RUN.sub(lambda m: m.group()[:limit], text)


# ------------------------------------------------------------------------------ sentence ends

TERMINALS = ".!?…"
CLOSERS = "\"'”’»)]"
_T, _C = re.escape(TERMINALS), re.escape(CLOSERS)

# A line or sentence that ends like one: terminal punctuation, then any closing marks.
ENDS_SENTENCE = re.compile(rf"[{_T}][{_C}]*$")
# ... or closes a quotation (a statement quoted whole ends with the mark: summaries count it;
# Russian and German close with » and “).
ENDS_SENTENCE_OR_QUOTE = re.compile(rf"[{_T}][{_C}]*$|[\"”’»“]$")
# ... or a clause (":" and ";" count): not a bare label or a name line.
ENDS_CLAUSE = re.compile(rf"[{_T}:;][{_C}]*$")
# A sentence end inside prose: punctuation then a space, the end, or straight into the next
# sentence (copied text loses the space: "...London's Shard.Developers said..."). CJK stops too.
PROSE_SENTENCE_END = re.compile(rf"[.!?。！？][{_C}]*(?:\s|$|(?=[A-Z]))")
# Where a long paragraph may be cut: a sentence end followed by a space.
CUT_AFTER_SENTENCE = re.compile(rf"[.!?][{_C}]*\s")
# Where plain text splits into sentences (``SENTENCE_SPLIT.split(text)``): the blank after a
# sentence end (closing marks stay with their sentence) before a capital, a digit or an opening mark.
SENTENCE_SPLIT = re.compile(rf"(?:(?<=[.!?])|(?<=[.!?][{_C}]))\s+(?=[\"“‘'(«„]?[A-Z0-9А-ЯЁ])")


# ------------------------------------------------------------------------------ page furniture
#
# Two uses, one vocabulary: extract drops whole *lines* that are furniture (a short line that is
# only "Share this", "Image copyright Getty"); summarize never picks a *sentence* that starts
# like furniture. The phrases below are what page chrome says, in news style.

# Captions and credits of pictures and video.
_MEDIA_CREDIT = r"(?:image|photo|picture|video|media)\s+(?:source|caption|copyright|credit|playback)\b"
_AGENCY_CREDIT = r"getty images|file photo|ap photo"
# Calls to go elsewhere: teasers and sharing.
_ELSEWHERE = r"see also|read more|click here|scroll down|share this|sign up|subscribe"

# Short lines starting like this are links to other pages, not article text. The
# ambiguous openings ("Related", "Trending", ...) count only with a separator after them.
TEASER_LINE = re.compile(
    r"^(?:(?:see also|read more|read also|also read|read next|you may also like|you might also like|"
    r"further reading|more on this story|recommended for you|click here|"
    r"(?:previous|next|prev) (?:article|post|story)|about the author|"
    r"(?:vorheriger|nächster|vorschau auf den nächsten) (?:artikel|beitrag)|"
    r"(?:das|dies|das thema) könnte (?:dich|sie|euch) (?:auch )?interessieren|"
    # the same "read also" in the other common news languages
    r"lesen sie (?:auch|mehr|hier)|auch lesen|weiterlesen|mehr zum thema|mehr themen|schon gelesen|siehe auch|"
    r"(?:lea|lee|vea|ver) (?:también|más)|(?:à |a )?lire aussi|voir aussi|leggi anche|(?:leia|veja) também|"
    r"czytaj (?:też|także|więcej)|zobacz (?:też|także)|lees ook)\b|"
    r"(?:related(?: articles?| stories| news| posts?| content| reading| videos?)?|recommended|trending|most read|"
    r"popular now|(?:more from|más sobre|mehr von|top-themen bei|also on) [^:|»]{1,40}|more stories|"
    r"see more|don['’]t miss|notas relacionadas|empfohlene beiträge|"
    r"weitere artikel(?: zum thema)?|lea|mira|mire)\s*(?:[:|»]|[-–—]\s|$))",
    re.IGNORECASE,
)
# Short lines that are page furniture whatever their punctuation ...
FURNITURE_LINE = re.compile(
    r"^(?:back to top|scroll to top|top of page|skip to (?:main )?content|advertisement|sponsored(?: content)?|"
    r"share (?:this|on|via)\b.*|tweet|email|print|"
    r"follow [\w .@'’-]{1,40} on (?:twitter|facebook|instagram|x|threads|bluesky)\b.*|"
    r"\(?(?:additional )?(?:reporting|editing|writing) by\b.*|"
    r"(?:we|this (?:site|website)) uses? cookies\b.*|accept(?: all)? cookies|cookie (?:policy|settings)|"
    r"all rights reserved\.?|(?:copyright|©)\s.*|tags?:.*|topics?:.*|filed under:?.*|categories?:.*|"
    r"(?:view |show |total )?(?:comments?|kommentare?)(?: insgesamt)?:?(?: \(?\d+\)?)?|\d+ (?:comments?|kommentare?)|"
    rf"{_MEDIA_CREDIT}.*|\(?(?:photo|foto|fotos|bild|titelbild|credits?|quelle|source|image credit)\s*:.*|"
    # contact and reference labels closing a page, a table of contents, a price/date disclaimer
    r"(?:kontakt|contact|weitere informationen|more information|further information|quellen(?:angaben)?|sources|"
    r"ansprechpartner(?:in)?(?: zum thema)?)\s*:?|inhaltsverzeichnis|table of contents|\(?alle angaben ohne gewähr\)?|"
    # a newsletter box and what its form answers
    r"(?:[\w'’-]+ ){0,3}newsletter|sign up (?:to|for) (?:get|receive|our)\b.*|"
    r"thanks? (?:you )?for (?:signing up|subscribing)\b.*|keep an eye on your inbox\b.*|"
    r"there was an error processing your (?:subscription|request)\b.*|"
    # the reader addressed: a call for tips or opinions, a share prompt
    r"(?:bild|foto) (?:anzeigen|vergrößern)|(?:view|show|enlarge) (?:image|photo|gallery)|"
    r"have a (?:news )?tip\?.*|tell us what you think\b.*|(?:like|enjoyed?) this (?:story|article|post)\?.*|"
    rf"{_AGENCY_CREDIT}.*|reuters|(?:updated |posted |published )?\d+ (?:seconds?|minutes?|mins?|hours?|"
    r"hrs?|days?|weeks?) ago)$",
    re.IGNORECASE,
)
# A paywall's prompt: a line that asks for a subscription to read on (both words must be in it).
SUBSCRIPTION_WORD = re.compile(r"\b(?:subscribe|subscribers?|subscription|abonnieren|abonnent(?:in)?|abonnement|"
                               r"abonnez|suscr[ií]bete|suscriptor)", re.IGNORECASE)
READ_ON_WORDS = re.compile(r"\b(?:full (?:story|article)|continue reading|keep reading|read (?:the rest|on|more)|"
                           r"log ?in|weiterlesen|lire la suite|seguir leyendo)\b", re.IGNORECASE)
# A newsletter prompt: a sentence that opens by asking the reader to sign up, and names the newsletter or inbox.
NEWSLETTER_PROMPT = re.compile(r"(?:^|[.!?]\s+)(?:subscribe|sign up|register)\b"
                               r"(?:[^.!?]|[.!?](?=\S)){0,120}?\b(?:newsletters?|inbox)\b", re.IGNORECASE)
# An app prompt: "download the Herald apps for iOS and Android".
APP_PROMPT = re.compile(r"\b(?:download|get|install)\b[^.!?]{0,80}?\bapps? (?:for|on|from) "
                        r"(?:ios|android|the app store|google play)\b", re.IGNORECASE)
# An affiliate disclosure: the page's note about money from links, not the story.
AFFILIATE_DISCLOSURE = re.compile(r"\bwe (?:may )?(?:receive|earn|get) (?:a )?(?:compensation|commissions?|a share)\b|"
                                  r"\bcontains (?:references to products|affiliate links)\b", re.IGNORECASE)
# ... and labels that count only without a sentence ending ("Share prices fell." is news).
FURNITURE_LABEL = re.compile(r"^(?:share|subscribe|sign up|newsletter|follow us|like us)\b", re.IGNORECASE)
# A line this long (in words / characters) is never furniture: a real paragraph is long.
MAX_FURNITURE_WORDS = 25
MAX_FURNITURE_CHARS = 400

# Lines that open the comment form: it and everything after it is not the article.
COMMENT_FORM = re.compile(
    r"^(?:leave a (?:reply|comment)|post a comment|add a comment|write a comment|join the discussion|"
    r"your email address will not be published|required fields are marked|cancel reply|"
    r"save my name, email,? and website|comments? (?:are|is) closed)",
    re.IGNORECASE,
)

# Sentences that belong to the page, not the story (summarize never picks them).
FURNITURE_SENTENCE = re.compile(
    r"^(?:by\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:[.,|]|and\b|for\b|$)"
    r"|(?:published|updated|last updated|posted)\s*:?\s*\d"
    r"|(?:published|updated)\s*:"
    rf"|{_MEDIA_CREDIT}"
    rf"|(?:{_ELSEWHERE}|related:|follow\s+@)"
    r"|(?:copyright|©|all rights reserved)"
    rf"|(?:advertisement|{_AGENCY_CREDIT})\b)",
    re.IGNORECASE,
)
# Sharing buttons and navigation run together by extraction inside a sentence: "WhatsApp Email
# Telegram", "Related Videos" (buttons are separated by blanks or bars; "Facebook, Twitter and ..."
# in a sentence is news).
_SHARING_SERVICES = r"(?:facebook|twitter|whatsapp|telegram|linkedin|pinterest|reddit|messenger|e-?mail|print|copy link)"
SHARING_RUN = re.compile(
    rf"\b{_SHARING_SERVICES}[\s|·•/]{{1,5}}{_SHARING_SERVICES}\b"
    r"|\brelated (?:videos?|stories|articles?|content|coverage|topics|links)\b"
    r"|\b(?:most read|read more|share this|sign up for)\b",
    re.IGNORECASE,
)


# ------------------------------------------------------------------------------ spans

# A sentence and a statement sharing this much of the shorter one say the same thing.
REPEAT_SHARE = 0.5


def repeats_statement(sentence: tuple[int, int], statement: tuple[int, int]) -> bool:
    """A sentence repeats a statement when half of the shorter of the two is shared.

    Both are ``(start, end)`` offsets into the article's text. One definition for the
    summarizer (which leaves such sentences to "Who said what"), the renderer (which does not
    show a statement again that the summary already says) and `briefbot eval brief` (which
    counts the briefs that still show one twice).
    """
    overlap = min(sentence[1], statement[1]) - max(sentence[0], statement[0])
    return overlap > 0 and overlap >= REPEAT_SHARE * min(sentence[1] - sentence[0], statement[1] - statement[0])
