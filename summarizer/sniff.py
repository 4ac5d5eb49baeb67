"""What a body is, in one place: binary or text, HTML or not, and its characters.

Every entry point meets untrusted bytes or text of unknown kind — a fetched body (fetch.py),
a saved file or stdin (cli.py), an HTML string or a paste (extract.py) — and asks the same
three questions. They are answered here once, each on a bounded head of the input, so a
5 MB body costs no more to sniff than a small one:

- ``looks_binary(bytes)`` / ``refuse_binary_text(str)``: NULs, many control characters or
  replacement characters mean an image, a PDF, an archive or a wrong decoding, not text;
- ``looks_like_html(bytes)`` (a body without a content type), ``looks_like_html_document(bytes)``
  (a file without a telling suffix), ``has_markup(str)`` (an "HTML" page that is really plain
  text) and ``looks_like_html_source(str)`` (a paste that is a page's source);
- ``decode_body(bytes, declared)``: bytes to text, charsets tried in a fixed order.
"""

from __future__ import annotations

import codecs
import re

from .errors import BriefError

# How much of the input each check looks at: enough to decide, bounded whatever the size.
BINARY_SNIFF_BYTES = 8192
HTML_SNIFF_BYTES = 2048
MARKUP_SNIFF_CHARS = 20_000
TEXT_SNIFF_CHARS = 5000

# --------------------------------------------------------------------------- binary or text


def _bom_charset(body: bytes) -> str | None:
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    return None


def looks_binary(body: bytes) -> bool:
    """Bytes that are not text: any NUL, or more than one control byte in twenty (UTF-16 is text)."""
    head = body[:BINARY_SNIFF_BYTES]
    if not head or _bom_charset(head) == "utf-16":
        return False
    # Text never has many NUL/control bytes; images, PDFs and archives do.
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return head.count(0) > 0 or controls > len(head) // 20


def refuse_binary_text(text: str) -> None:
    """``bad_encoding`` for a string that is binary data decoded as text (controls, U+FFFD)."""
    head = text[:TEXT_SNIFF_CHARS]
    if not head:
        return
    bad = sum(1 for ch in head if (ch < " " and ch not in "\n\r\t\f") or ch == "\ufffd")
    if bad > max(3, len(head) // 50):
        raise BriefError("bad_encoding")


# --------------------------------------------------------------------------- HTML or not

_HTML_STARTS = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")


def looks_like_html(body: bytes) -> bool:
    """A body served without a content type that is an HTML page."""
    head = body[:HTML_SNIFF_BYTES].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_STARTS) or b"<html" in head


def looks_like_html_document(raw: bytes) -> bool:
    """A file of unknown kind (stdin, no telling suffix) that is a saved page rather than text."""
    head = raw[:TEXT_SNIFF_CHARS].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<body" in head


_MARKUP = re.compile(r"<\s*(html|head|body|div|p|article|span|a|br|meta|title|!doctype)\b", re.IGNORECASE)


def has_markup(html: str) -> bool:
    """Whether an "HTML" string has any page markup (a text/plain page has none)."""
    return bool(_MARKUP.search(html[:MARKUP_SNIFF_CHARS]))


_DOCUMENT_START = re.compile(r"\s*(?:<!doctype\s+html|<html\b|<head\b|<body\b|<\?xml\b)", re.IGNORECASE)
_BLOCK_TAG = re.compile(r"<(?:p|div|article|section|br|h[1-6]|li|table)\b", re.IGNORECASE)


def looks_like_html_source(text: str) -> bool:
    """A whole page's source pasted as text, not text that merely contains a few tag-like strings."""
    head = text[:MARKUP_SNIFF_CHARS]
    return bool(_DOCUMENT_START.match(head)) or (
        head.lstrip().startswith("<") and len(_BLOCK_TAG.findall(head)) >= 3
    )


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]{1,40})""", re.IGNORECASE)
META_SNIFF_BYTES = 4096


def decode_body(body: bytes, declared: str | None, *, is_html: bool = True) -> str:
    """Bytes -> text. Binary data is ``bad_encoding``.

    Order: a byte-order mark; UTF-8 when the bytes are valid UTF-8 (non-ASCII UTF-8
    almost never happens by chance, and servers often declare a stale latin-1); the
    charset of the Content-Type header, then of the page's <meta>, decoded strictly;
    the same leniently; charset_normalizer's guess; windows-1252.
    """
    if looks_binary(body):
        raise BriefError("bad_encoding", "The page is not readable text.")
    bom = _bom_charset(body)
    if bom:
        return body.decode(bom, errors="replace").lstrip("\ufeff")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    named = [_codec(declared)]
    if is_html:
        match = _META_CHARSET.search(body[:META_SNIFF_BYTES])
        named.append(_codec(match.group(1).decode("ascii")) if match else None)
    codecs_to_try = [c for c in named if c]
    for codec in codecs_to_try:
        try:
            return body.decode(codec)
        except UnicodeDecodeError:
            continue
    if codecs_to_try:
        return body.decode(codecs_to_try[0], errors="replace")
    if len(body) >= 2048:  # enough text for a statistical guess
        try:
            import charset_normalizer  # a dependency of trafilatura

            best = charset_normalizer.from_bytes(body[:200_000]).best()
            if best is not None and _codec(best.encoding):
                return body.decode(best.encoding, errors="replace")
        except ImportError:
            pass
    return body.decode("cp1252", errors="replace")


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # Browsers read "latin-1"/"ascii" as windows-1252 (the WHATWG encoding standard).
    return "cp1252" if codec in ("latin-1", "iso8859-1", "ascii") else codec
