"""Extract the article: HTML through trafilatura, pasted text through general clean-up rules.

A page is read with trafilatura's precision setting, and with its balanced one when the page is
small enough; the balanced reading is kept when it holds far more prose (the precision setting
dropped a section of the story). Both go through the same furniture rules as pasted text.

``extract_article(html, url, settings)`` and ``extract_pasted_text(text, settings)`` both
return an ``Article`` whose ``text`` is paragraphs separated by one blank line. Later
stages put character offsets into that text, so whatever is returned is exactly the
text they see (nothing is changed after this stage).

Pasted text is copied from web pages, so it often carries page furniture: "See also"
teaser lines, share/subscribe/cookie lines, an author bio, the comment form, "Back to
top". These are dropped by general rules on the shape of a line (short, a known
furniture phrase, a name line followed by a tagline at the end, ...), never by
matching one page's strings. Long lines are never dropped: a real paragraph is long.

Everything here reads untrusted input, so the work is linear in its size and bounded: the
raw HTML is cut before any pattern runs, script bodies are skipped with one scan, every
pattern is linear (text rules in ``textrules.py``, sniffing in ``sniff.py``), paragraphs are
cleaned only until the text is long enough, and runs of punctuation are shortened before the
tokenizer sees them (``textrules.cap_symbol_runs``) — in the returned text itself, so every
later offset and quote is exact.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, islice
from urllib.parse import urlsplit

from . import textrules
from .errors import BriefError
from .settings import ExtractSettings
from .pagedata import StructuredData, join_drop_caps, structured_data
from .sniff import has_markup, looks_like_html_source, refuse_binary_text
from .textrules import (AFFILIATE_DISCLOSURE, APP_PROMPT, CUT_AFTER_SENTENCE, ENDS_CLAUSE, FURNITURE_LABEL,
                        FURNITURE_LINE, MAX_FURNITURE_CHARS, MAX_FURNITURE_WORDS, NEWSLETTER_PROMPT, PROSE_SENTENCE_END,
                        READ_ON_WORDS, SUBSCRIPTION_WORD, TEASER_LINE, cap_symbol_runs, clean_line)
from .types import Article

# ------------------------------------------------------------------------------- HTML

# Options chosen by measurement on the extraction benchmark (summarizer/evaluation/extraction.py).
_TRAFILATURA_OPTIONS = dict(
    include_comments=False,
    include_tables=True,
    include_images=False,
    include_links=False,
    favor_precision=True,
    favor_recall=False,
    deduplicate=False,
)

# trafilatura's precision setting drops what it takes for boilerplate (link-dense blocks, <header>,
# trailing headings); on some pages that is a whole section of the story, which its balanced
# setting keeps. The balanced reading wins only when it holds this many times the precision
# reading's prose: a deck or a promo sentence more is not worth its noise, a section is.
_TRAFILATURA_BALANCED = dict(_TRAFILATURA_OPTIONS, favor_precision=False)
BALANCED_PROSE_RATIO = 1.5
_TRAFILATURA_FALLBACK = dict(_TRAFILATURA_OPTIONS, favor_precision=False, favor_recall=True)

# The raw HTML read at most, as a multiple of max_html_chars: over fetch.max_bytes (5 MB) with the
# defaults, so only input that did not come through fetch (batch, a library call) is ever cut here.
RAW_HTML_FACTOR = 3


def extract_article(html: str, url: str | None, settings: ExtractSettings) -> Article:
    """The main text and metadata of an HTML page. Text without markup is read as pasted text."""
    if not isinstance(html, str) or not html.strip():
        raise BriefError("no_article_text")
    html = html[: RAW_HTML_FACTOR * settings.max_html_chars]
    refuse_binary_text(html)
    if not has_markup(html):
        # e.g. a text/plain page: the pasted-text rules suit it better than an HTML parser.
        article = extract_pasted_text(html, settings)
        article.url = url
        article.site = article.site or _host(url)
        return article

    page_data = structured_data(html)  # before script bodies are dropped
    html = join_drop_caps(_parseable_html(html, settings))
    # Precision first (measured best on both evaluation sets, see summarizer/evaluation/extraction.py);
    # the balanced reading when it finds far more prose; on pages where both find too little, try for
    # recall — but parse a page more than once only when it is small enough for that to stay cheap.
    # The page is parsed once for every reading (trafilatura copies the tree it is given), and its
    # metadata (title, date, author: the costly part of a reading) read once, by the first reading
    # that finds the page.
    source = _parsed(html)
    doc, text, dateline = _reading(source, url, _TRAFILATURA_OPTIONS, None, settings)
    if len(html) <= settings.max_html_chars // 2:
        found, balanced, balanced_dateline = _reading(source, url, _TRAFILATURA_BALANCED, doc, settings)
        doc = doc or found
        if prose_chars(balanced) > BALANCED_PROSE_RATIO * prose_chars(text):
            text, dateline = balanced, balanced_dateline
        if not is_enough_text(text, settings):
            found, recalled, recalled_dateline = _reading(source, url, _TRAFILATURA_FALLBACK, doc, settings)
            if found is not None:
                doc, text, dateline = doc or found, recalled, recalled_dateline
    from_structured = False
    if page_data.body and (not is_enough_text(text, settings) or _is_teaser_of(text, page_data.body)):
        # The page's own structured copy of the article: the HTML body is empty or a teaser.
        structured, _ = _body_text_of(page_data.body, None, settings)
        if is_enough_text(structured, settings):
            text, from_structured = structured, True
    if not is_enough_text(text, settings):
        raise BriefError("no_article_text")
    return Article(
        text=text,
        title=_clean_line(doc.title) if doc is not None and doc.title else None,
        site=_site_name(doc.sitename if doc is not None else None, page_data.publisher, url),
        url=url,
        published=(doc.date if doc is not None else None) or dateline,
        author=(doc.author if doc is not None else None) or None,
        language=(doc.language if doc is not None else None) or _html_language(html) or guess_language(text),
        paywalled=not from_structured and _is_paywalled(text, page_data),
    )


# Structured data's body replaces the HTML's text when it is this many times longer.
TEASER_RATIO = 2.0


def _is_teaser_of(text: str, body: str) -> bool:
    return len(body) >= TEASER_RATIO * max(len(text), 1)


def _is_paywalled(text: str, page_data: StructuredData) -> bool:
    """Only a teaser was readable: the page says it is not free, or that the article has far
    more words than the text found."""
    words = len(_words(text))
    if page_data.word_count and words >= 0.8 * page_data.word_count:
        return False
    return page_data.free is False or bool(page_data.word_count and words < 0.5 * page_data.word_count)


# A "name" that is a link (article:publisher is often "https://www.facebook.com/CBSThisMorning").
_LINK_LIKE = re.compile(r"^(?:https?:|www\.)|^[^\s/]+\.[a-z]{2,}/", re.IGNORECASE)
_BARE_DOMAIN = re.compile(r"^[\w-]+(?:\.[\w-]+)+$")
MAX_SITE_CHARS = 80


def _site_name(sitename: str | None, publisher: str | None, url: str | None) -> str | None:
    """og:site_name (trafilatura's sitename), else the JSON-LD publisher, else the host: never a
    link (to a social network profile or anywhere else) and never a paragraph."""
    names = (sitename, publisher)
    if sitename and _BARE_DOMAIN.match(sitename.strip()):
        names = (publisher, sitename)  # trafilatura falls back to the domain; a publisher's name is better
    for name in names:
        name = clean_line(name or "")
        if name and len(name) <= MAX_SITE_CHARS and not _LINK_LIKE.match(name):
            return name
    return _host(url)


# The start of an element whose content is raw text, never article text.
_RAW_TEXT_TAG = re.compile(r"<(/?)(script|style|noscript|template)\b", re.IGNORECASE)
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]{1,8})|([0-9]{1,10}));")


def _xml_allowed(code: int) -> bool:
    return (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
            or 0x10000 <= code <= 0x10FFFF)


def _parseable_html(html: str, settings: ExtractSettings) -> str:
    """The page as the HTML parser should see it: bounded in size, with nothing it chokes on.

    Script and style bodies carry no article text but can be most of a page's bytes; a
    reference to a character XML forbids (&#x7;) makes lxml give up on the whole page.
    """
    html = strip_raw_text_bodies(html)
    html = textrules.strip_controls(html)

    def char_ref(m: re.Match) -> str:
        code = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        return m.group(0) if _xml_allowed(code) else " "

    html = _CHAR_REF.sub(char_ref, html)
    return html[: settings.max_html_chars]


def strip_raw_text_bodies(html: str) -> str:
    """The page with the content of script/style/noscript/template elements removed, tags kept.

    One left-to-right scan (a regex like ``<script>.*?</script>`` rescans the rest of the page
    for every unclosed tag: quadratic, hours at 5 MB). The ``>`` ending a tag is found with one
    ``str.find`` remembered across tags, so text without any ``>`` is not rescanned either. An
    element that is never closed keeps its content, as before.
    """
    out: list[str] = []
    pos, inside, next_gt = 0, None, -1
    for m in _RAW_TEXT_TAG.finditer(html):
        if m.start() < pos:
            continue  # inside a tag already consumed
        if next_gt < m.end():
            next_gt = html.find(">", m.end())
            if next_gt < 0:
                break  # no tag ends after this point
        tag_end = next_gt + 1
        closing, name = m.group(1), m.group(2).lower()
        if inside is None and not closing:
            out.append(html[pos:tag_end])
            pos, inside = tag_end, name
        elif inside == name and closing:
            out.append(html[m.start() : tag_end])  # the content between is dropped
            pos, inside = tag_end, None
    out.append(html[pos:])
    return "".join(out)


def _parsed(html: str):
    """The page's tree, parsed once for every reading; the text itself when the parser gives up on it."""
    import trafilatura

    try:
        tree = trafilatura.load_html(html)
    except Exception:  # lxml raises many kinds of parser errors on broken pages
        tree = None
    return html if tree is None else tree


def _trafilatura(source, url: str | None, options: dict, with_metadata: bool = True):
    """trafilatura's Document for the page (text, and metadata when asked), or None when it finds nothing."""
    import trafilatura

    try:
        return trafilatura.bare_extraction(source, url=url, with_metadata=with_metadata, **options)
    except Exception:  # trafilatura/lxml raise many kinds of parser errors on broken pages
        return None


def _reading(source, url: str | None, options: dict, page_doc, settings: ExtractSettings):
    """(doc, text, dateline) of one trafilatura reading. The page's metadata is read only when no
    earlier reading found the page (``page_doc`` None); its title is the headline dropped from the text."""
    doc = _trafilatura(source, url, options, with_metadata=page_doc is None)
    titled = page_doc if page_doc is not None else doc
    return (doc, *_body_text(doc, titled.title if titled is not None else None, settings))


def _body_text(doc, title: str | None, settings: ExtractSettings) -> tuple[str, str | None]:
    """Paragraphs separated by blank lines, without the headline and leftover furniture."""
    if doc is None or not doc.text:
        return "", None
    return _body_text_of(doc.text, title, settings)


def _body_text_of(raw: str, title: str | None, settings: ExtractSettings) -> tuple[str, str | None]:
    title = _clean_line(title) if title else None
    lines = list(_paragraphs(raw, READ_FACTOR * settings.max_chars))
    if lines and title and _same_words(lines[0], title):
        lines = lines[1:]  # the headline is the title, not the first paragraph
    # trafilatura leaves some furniture in ("Read more: ...", "Comments", a byline at the end).
    lines, dateline = drop_furniture(lines, settings.max_chars)
    return _limit("\n\n".join(lines), settings), dateline


def _host(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") else host


_HTML_LANG = re.compile(r"<html\b[^>]{0,500}?\blang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)


def _html_language(html: str) -> str | None:
    match = _HTML_LANG.search(html[:5000])
    return match.group(1).lower() if match else None


# A few very common words per language: enough to tell the usual news languages apart.
_STOPWORDS = {
    "en": "the of and to in is that for it was on with as he said by at from his be have are this",
    "de": "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch",
    "fr": "le la les de des et est un une du que en dans pour qui au sur pas par il ce",
    "es": "el la de que y en los del se las por un para con una su al lo como más",
    "it": "il di che la e per un in del non una sono le della si al da con è",
    "pt": "de que o a e do da em um para com não uma os no se na por mais",
    "nl": "de het een van en in is dat op te voor met zijn die niet aan er",
}
_STOPWORD_SETS = {lang: set(words.split()) for lang, words in _STOPWORDS.items()}


def guess_language(text: str) -> str | None:
    """A cheap guess from common words; None when the text gives no clear answer."""
    words = re.findall(r"[^\W\d_]+", text[:5000].lower())
    if len(words) < 20:
        return None
    scores = {lang: sum(w in stop for w in words) for lang, stop in _STOPWORD_SETS.items()}
    lang, best = max(scores.items(), key=lambda kv: kv[1])
    return lang if best >= 0.15 * len(words) else None


# ------------------------------------------------------------------------------- pasted text


def extract_pasted_text(text: str, settings: ExtractSettings) -> Article:
    """Clean text copied from a web page into an Article: headline, dateline, furniture dropped."""
    if not isinstance(text, str):
        raise BriefError("bad_encoding")
    refuse_binary_text(text)
    if looks_like_html_source(text):
        # Someone pasted a page's HTML source: read it as the page it is.
        return extract_article(text, None, settings)
    cleaned = clean_pasted_text(text, settings.max_chars)
    body = _limit(cleaned.text, settings)
    if not is_enough_text(body, settings):
        raise BriefError("no_article_text")
    return Article(
        text=body,
        title=cleaned.title,
        published=cleaned.published,
        author=cleaned.author,
        language=guess_language(body),
    )


@dataclass
class CleanedText:
    text: str
    title: str | None = None
    published: str | None = None
    author: str | None = None


def clean_pasted_text(text: str, max_chars: int | None = None) -> CleanedText:
    """Normalise whitespace and drop page furniture (see the module docstring).

    With ``max_chars``, paragraphs are cleaned only until the kept text is longer than that
    (the rest would be cut anyway): a 5 MB paste costs what its first pages cost."""
    lines = _paragraphs(text, READ_FACTOR * max_chars if max_chars is not None else None)
    paragraphs = list(islice(lines, 4))
    author = None
    for i, para in enumerate(paragraphs):
        match = _BYLINE.match(para) if len(para) <= _MAX_BYLINE_CHARS else None
        if match and len(_words(para)) <= 10:
            author = match.group(1).strip()
            del paragraphs[i]
            break
    kept, published = drop_furniture(chain(paragraphs, lines), max_chars)
    title = None
    if len(kept) > 1 and _looks_like_headline(kept[0]):
        title = kept.pop(0)
    return CleanedText(text="\n\n".join(kept), title=title, published=published, author=author)


# "By Jane Doe", "By Jane Doe and John Roe, Reuters", "By Jane Doe | Updated ...": the name is
# everything up to the first separator (one greedy class run: nothing to backtrack over).
_BYLINE = re.compile(r"^(?:By|BY|by) ([A-Z][^|•·]*)")
_MAX_BYLINE_CHARS = 200


def drop_furniture(paragraphs: Iterable[str], max_chars: int | None = None) -> tuple[list[str], str | None]:
    """The paragraphs that are article text, and the date of a dateline if one was seen.

    With ``max_chars``, stops once the kept text is longer than that or has more paragraphs
    than it may (see ``_limit``): the rest would be cut, and the end-of-text rules (author bio)
    do not apply to a text that goes on."""
    published = None
    kept: list[str] = []
    kept_chars = 0
    max_paragraphs = max_chars // MIN_CHARS_PER_PARAGRAPH if max_chars is not None else None
    in_related_block = False
    for para in paragraphs:
        if max_chars is not None and (kept_chars > max_chars or len(kept) > max_paragraphs):
            return kept, published
        if _is_dateline(para):
            published = published or _dateline(para)  # parsed once: a page of datelines costs no more
            continue
        if _is_comment_form(para):
            break  # the comment form and everything after it is not the article
        if _is_furniture(para):
            # A bare "Related articles" / "Read more" label heads a block of headline links.
            # (Not "About the author": the author's name and bio follow it, handled at the end.)
            in_related_block = (len(_words(para)) <= _MAX_LABEL_WORDS and bool(TEASER_LINE.match(para))
                                and not para.lower().startswith(_NOT_BLOCK_LABELS))
            continue
        if in_related_block and _looks_like_headline(para):
            continue  # a headline in a related-articles block
        in_related_block = False
        kept.append(para)
        kept_chars += len(para) + 2
    return _drop_trailing_bio_and_furniture(kept), published


# A teaser line this short is a label ("Related articles:"), not a teaser itself.
_MAX_LABEL_WORDS = 4
_NOT_BLOCK_LABELS = ("about the author", "previous", "prev ", "next")


# Characters of cleaned text read at most, as a multiple of max_chars: room for furniture between
# the paragraphs, while a page of 400,000 datelines or tiny lines costs what a long article costs.
READ_FACTOR = 4


def _paragraphs(text: str, budget: int | None = None) -> Iterator[str]:
    """Lines with normalised spaces; every non-empty line becomes a paragraph.

    Copied text marks paragraphs with one newline as often as with a blank line, so a
    single newline is read as a paragraph break too. With ``budget``, reading stops once that
    many characters of cleaned lines were read (an empty line counts one): runs of spaces or blank lines
    cost nothing, a flood of short lines is not read to its end.
    """
    for raw in textrules.split_lines(unicodedata.normalize("NFC", text)):
        line = _clean_line(raw)
        if line:
            yield line
        if budget is not None:
            budget -= len(line) + 1
            if budget < 0:
                return  # the line that crosses the budget is read whole


def _clean_line(line: str) -> str:
    """A line as the analysis will see it: clean spaces, no controls, no endless symbol runs."""
    return cap_symbol_runs(textrules.clean_line(line))


def _words(line: str) -> list[str]:
    return re.findall(r"\w+", line)


def _same_words(a: str, b: str) -> bool:
    return [w.lower() for w in _words(a)] == [w.lower() for w in _words(b)]


def _looks_like_headline(line: str) -> bool:
    n = len(_words(line))
    return 2 <= n <= 30 and len(line) <= 250 and not line.rstrip("\"'”’»)").endswith((".", ":", ";", ","))


# --- datelines

_MONTH = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|"
    r"sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_DATE_IN_LINE = re.compile(
    rf"\b(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}(?:st|nd|rd|th)?\s+{_MONTH},?\s+\d{{4}}|"
    rf"\d{{4}}[-/.]\d{{1,2}}[-/.]\d{{1,2}}|\d{{1,2}}[./]\d{{1,2}}[./]\d{{4}})",
    re.IGNORECASE,
)
# Words a dateline may carry besides the date itself.
_DATELINE_WORDS = re.compile(
    rf"\b(?:{_MONTH}|mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:published|updated|posted|last|modified|on|at|"
    r"am|pm|a\.m\.|p\.m\.|gmt|utc|bst|cet|cest|est|edt|pst|pdt|et|pt|z|t|uhr)\b|\d+(?:st|nd|rd|th)?",
    re.IGNORECASE,
)


_MAX_DATELINE_CHARS = 80


def _is_dateline(line: str) -> bool:
    """The line is only a date (with time, weekday, "Published", ...), not a sentence mentioning one."""
    if len(line) > _MAX_DATELINE_CHARS or not _DATE_IN_LINE.search(line):
        return False
    return not re.search(r"[^\W\d_]{2,}", _DATELINE_WORDS.sub(" ", line))


def _dateline(line: str) -> str | None:
    """An ISO date when the line is a dateline."""
    if not _is_dateline(line):
        return None
    match = _DATE_IN_LINE.search(line)
    from dateutil import parser

    try:
        # 14.02.2022 is day-first; 02/14/2022 is read the American way.
        dayfirst = bool(re.fullmatch(r"\d{1,2}\.\d{1,2}\.\d{4}", match.group(0)))
        return parser.parse(match.group(0), fuzzy=True, dayfirst=dayfirst).date().isoformat()
    except (ValueError, OverflowError):
        return None


# --- furniture lines

# A prompt or disclosure may run a few sentences longer than other furniture.
MAX_PROMPT_WORDS = 60


def _is_furniture(line: str) -> bool:
    if len(line) > MAX_FURNITURE_CHARS:
        return False
    # Table cells come out as "| Weitere Artikel zum Thema |": the bars are layout, not words.
    line = line.strip(" |")
    n = len(_words(line))
    if n <= MAX_PROMPT_WORDS and ((SUBSCRIPTION_WORD.search(line) and READ_ON_WORDS.search(line))
                                  or NEWSLETTER_PROMPT.search(line) or APP_PROMPT.search(line)
                                  or AFFILIATE_DISCLOSURE.search(line)):
        return True
    if n > MAX_FURNITURE_WORDS:
        return False
    if TEASER_LINE.match(line):
        return True
    if n > 15:
        return False
    if FURNITURE_LINE.match(line):
        return True
    return bool(FURNITURE_LABEL.match(line)) and not line.rstrip().endswith((".", "!", "?", ".”", '."'))


def _is_comment_form(line: str) -> bool:
    return len(line) <= MAX_FURNITURE_CHARS and len(_words(line)) <= 30 and bool(textrules.COMMENT_FORM.match(line))


# --- the end of the text: author bio, leftovers

_NAME_WORD = re.compile(r"^(?:[A-Z][\w'’.-]*|de|da|van|von|der|bin|al|la|le|del|di)$")


def _looks_like_name(line: str) -> bool:
    """A short line of capitalised words without sentence punctuation: "Jane Q. Doe"."""
    tokens = line.split()
    if not 1 <= len(tokens) <= 4 or any(ch.isdigit() for ch in line) or ENDS_CLAUSE.search(line):
        return False
    if not tokens[0][0].isupper():
        return False
    return all(_NAME_WORD.match(t) for t in tokens)


def _looks_like_tagline(line: str, name: str) -> bool:
    """The self-description that follows an author's name at the end of a page."""
    stripped = line.strip()
    if len(_words(stripped)) > 60:
        return False
    quoted = stripped[:1] in "\"“'‘«" and stripped[-1:] in "\"”'’»"
    fragments = [f for f in re.split(r"[.!?|•·]+", stripped.strip("\"“”'‘’«»")) if f.strip()]
    short_fragments = len(fragments) >= 3 and sum(len(_words(f)) for f in fragments) / len(fragments) <= 4
    name_words = set(_words(name))
    about_the_name = bool(name_words) and _words(stripped)[:1] and _words(stripped)[0] in name_words
    pronoun_bio = bool(re.match(r"^(?:he|she|they) (?:is|was|has|writes|covers|reports)\b", stripped, re.IGNORECASE))
    return quoted or short_fragments or bool(about_the_name) or pronoun_bio


_MAX_BIO_LINES = 2


def _drop_trailing_bio_and_furniture(lines: list[str]) -> list[str]:
    """Drop an author bio (a name line and at most two tagline lines) at the very end,
    and short leftovers without sentence punctuation after the last real paragraph."""
    lines = list(lines)
    changed = True
    while changed and lines:
        changed = False
        # Leftover link text or labels at the end: a few words, no sentence ending.
        last = lines[-1]
        if len(_words(last)) <= 4 and not ENDS_CLAUSE.search(last) and len(lines) > 1 and not _looks_like_name(last):
            lines.pop()
            changed = True
            continue
        for size in range(1, _MAX_BIO_LINES + 1):
            if len(lines) <= size + 1:
                break
            name, tail = lines[-size - 1], lines[-size:]
            if _looks_like_name(name) and all(_looks_like_tagline(t, name) for t in tail):
                del lines[-size - 1 :]
                changed = True
                break
        else:
            # A bare name line closing the text is a byline, not article text.
            if len(lines) > 1 and _looks_like_name(lines[-1]) and len(lines[-1].split()) >= 2:
                lines.pop()
                changed = True
    return lines


# ------------------------------------------------------------------------------- shared

def is_enough_text(text: str, settings: ExtractSettings) -> bool:
    """At least ``min_chars`` of text, half of it prose: paragraphs of several words with a
    sentence ending. A page of menu links or buttons is long enough but has no prose."""
    if len(text) < settings.min_chars:
        return False
    return prose_chars(text) >= settings.min_chars / 2


def prose_chars(text: str) -> int:
    """Characters in the text's prose paragraphs: several words and a sentence ending."""
    return sum(len(p) for p in text.split("\n\n") if len(_words(p)) >= 6 and PROSE_SENTENCE_END.search(p))


# The parser's cost follows tokens, and every paragraph break is a token: 20,000 one-word
# paragraphs in 60,000 characters cost three times a real 60,000-character article. So the text
# also ends after max_chars / MIN_CHARS_PER_PARAGRAPH paragraphs (2,000 by default; real
# articles average hundreds of characters a paragraph).
MIN_CHARS_PER_PARAGRAPH = 30


def _limit(text: str, settings: ExtractSettings) -> str:
    """Cut text over ``max_chars`` at the last paragraph break before the limit, and after
    at most ``max_chars // MIN_CHARS_PER_PARAGRAPH`` paragraphs."""
    text = _first_paragraphs(text, max(1, settings.max_chars // MIN_CHARS_PER_PARAGRAPH))
    if len(text) <= settings.max_chars:
        return text
    cut = text.rfind("\n\n", 0, settings.max_chars + 1)
    if cut <= 0:
        # One giant paragraph: cut at a sentence end, else a space, never mid-word.
        window = text[: settings.max_chars]
        ends = [m.end() for m in CUT_AFTER_SENTENCE.finditer(window)]
        cut = ends[-1] if ends else (window.rfind(" ") if " " in window else settings.max_chars)
    return text[:cut].rstrip()


def _first_paragraphs(text: str, count: int) -> str:
    """The text up to its ``count``-th paragraph (one scan with str.find)."""
    pos = -2
    for _ in range(count):
        pos = text.find("\n\n", pos + 2)
        if pos < 0:
            return text
    return text[:pos]
