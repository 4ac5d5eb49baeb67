"""What to brief, named the way people name it: a command-line argument or a line of a batch file.

``read_source`` maps ``briefbot brief SOURCE`` (a URL, a .html/.txt file or '-') to a Source;
``brief_many`` briefs the lines of a JSONL file in order, a failing line becoming a Brief with
an error while the run goes on. The CLI and the benchmark both use these, so they measure and
run the same thing.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Callable, Iterable, Iterator, TextIO

from .brief import Source, make_brief
from .errors import BriefError
from .settings import Settings
from .types import Brief

HTML_SUFFIXES = {".html", ".htm", ".xhtml"}
TEXT_SUFFIXES = {".txt", ".text", ".md"}


def read_source(arg: str, settings: Settings, stdin: TextIO | None = None) -> Source:
    """Map the SOURCE argument to a Source: a URL, '-', a .html/.htm file or a .txt file."""
    if arg.lower().startswith(("http://", "https://")):
        return Source(url=arg)
    if arg == "-":
        stream = stdin or sys.stdin
        raw = stream.buffer.read(settings.fetch.max_bytes + 1) if hasattr(stream, "buffer") else stream.read().encode()
        return _source_from_bytes(raw, None, settings)
    path = Path(arg)
    shown = arg if len(arg) <= 80 else arg[:77] + "..."
    try:
        is_file = path.is_file()  # raises for names the OS cannot hold (too long, NUL bytes)
    except (OSError, ValueError):
        is_file = False
    if not is_file:
        if "://" in arg or arg.startswith("www."):
            raise BriefError("bad_url", f"Not an http(s) URL: {shown!r}. Links must start with http:// or https://.")
        raise BriefError("bad_source", f"No such file: {shown!r} (give a URL, a .html/.txt file or '-').")
    try:
        with open(path, "rb") as fh:
            raw = fh.read(settings.fetch.max_bytes + 1)
    except OSError as exc:
        raise BriefError("bad_source", f"Cannot read {shown!r}: {exc.strerror or exc}.") from None
    suffix = path.suffix.lower()
    return _source_from_bytes(raw, "html" if suffix in HTML_SUFFIXES else "text" if suffix in TEXT_SUFFIXES else None, settings)


def _source_from_bytes(raw: bytes, kind: str | None, settings: Settings) -> Source:
    from .sniff import decode_body, looks_like_html_document

    if len(raw) > settings.fetch.max_bytes:
        raise BriefError("too_large", f"The input is larger than {settings.fetch.max_bytes:,} bytes.")
    if kind is None:
        kind = "html" if looks_like_html_document(raw) else "text"
    if kind == "html":  # a saved page: its charset is found the way a fetched page's is
        return Source(html=decode_body(raw, None))
    try:  # pasted text carries no charset: UTF-8 is the documented input
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BriefError("bad_encoding", "The input is not UTF-8 text.") from None
    if "\x00" in text:
        raise BriefError("bad_encoding", "The input looks like a binary file, not text.")
    return Source(text=text)


def batch_item(line: str, n: int) -> tuple[str, Source | BriefError]:
    try:
        item = json.loads(line)
    except json.JSONDecodeError as exc:
        return f"line-{n}", BriefError("bad_source", f"Line {n} is not JSON: {exc.msg}.")
    if not isinstance(item, dict):
        return f"line-{n}", BriefError("bad_source", f"Line {n} is not a JSON object.")
    item_id = str(item.get("id", f"line-{n}"))
    text, html, url = item.get("text"), item.get("html"), item.get("url")
    if isinstance(text, str):
        return item_id, Source(text=text)
    if isinstance(html, str):
        return item_id, Source(html=html, url=url if isinstance(url, str) else None)
    if isinstance(url, str):
        if not url.lower().startswith(("http://", "https://")):
            return item_id, BriefError("bad_url", f"Not an http(s) URL: {url!r}.")
        return item_id, Source(url=url)
    return item_id, BriefError("bad_source", f"Line {n} has no \"text\", \"html\" or \"url\".")


def brief_many(lines: Iterable[str], settings: Settings, *, length: str | None = None,
               run: Callable[..., Brief] | None = None) -> Iterator[Brief]:
    """One Brief per non-blank JSONL line (``{"id", "text"}``, ``{"id", "html", "url"}`` or
    ``{"id", "url"}``), in order; a line that is not an item gets a Brief with ``bad_source``.
    ``run`` briefs one source (``make_brief``'s signature without the settings): by default
    ``make_brief`` in this process; `briefbot batch` passes an isolated pool's ``brief``."""
    if run is None:
        def run(source: Source, *, id: str | None, length: str | None) -> Brief:
            return make_brief(source, settings, id=id, length=length)
    n = 0
    for line in lines:
        if not line.strip():
            continue
        n += 1
        item_id, source = batch_item(line, n)
        if isinstance(source, BriefError):
            yield Brief.failed(item_id, None, source.info())
        else:
            yield run(source, id=item_id, length=length)
