"""A local HTTP server on 127.0.0.1 that misbehaves on purpose, for the hostile corpus.

Each route is a small function writing a (possibly broken) response. The same server
serves the CLI tests here and, later, the bot tests: ``with hostile_server() as base:``
gives ``http://127.0.0.1:<port>``; a case's ``url`` is ``case.link(base)``.
"""

from __future__ import annotations

import gzip
from collections import Counter
import time
import zlib
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Callable, Iterator

from ..http_server import running
from . import pages

# How long the "slow" routes stall. Tests set the fetch timeouts well below this
# (see FAST_FETCH_ENV in corpus.py), so these routes cost about one second each.
STALL_S = 4.0

Route = Callable[[BaseHTTPRequestHandler], None]

# What the server saw, for tests of the client's limits: requests per path, and the
# paths whose (long) response was written to the end rather than cut off by the client.
HITS: Counter[str] = Counter()
FINISHED: Counter[str] = Counter()


def _send(h: BaseHTTPRequestHandler, status: int, ctype: str | None, body: bytes, headers: dict[str, str] | None = None,
          length: bool = True) -> None:
    h.send_response(status)
    if ctype is not None:
        h.send_header("Content-Type", ctype)
    if length:
        h.send_header("Content-Length", str(len(body)))
    for k, v in (headers or {}).items():
        h.send_header(k, v)
    h.end_headers()
    h.wfile.write(body)


def html(body: str, charset: str = "utf-8", ctype: str = "text/html") -> Route:
    return lambda h: _send(h, 200, f"{ctype}; charset={charset}", body.encode(charset))


def raw(status: int, ctype: str | None, body: bytes, headers: dict[str, str] | None = None) -> Route:
    return lambda h: _send(h, status, ctype, body, headers)


def redirect(location: str, status: int = 302) -> Route:
    """``location`` may contain ``{base}`` (this server) and ``{port}``."""

    def route(h: BaseHTTPRequestHandler) -> None:
        port = h.server.server_address[1]
        target = location.format(base=f"http://127.0.0.1:{port}", port=port)
        _send(h, status, "text/html", b"moved", {"Location": target})

    return route


def stall(h: BaseHTTPRequestHandler) -> None:
    """Accept the request, then say nothing (a read timeout)."""
    time.sleep(STALL_S)
    _send(h, 200, "text/html", pages.ARTICLE_HTML.encode())


def drip(h: BaseHTTPRequestHandler) -> None:
    """Headers at once, then one byte every 0.2 s: each read is quick, the whole is not."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    deadline = time.monotonic() + STALL_S
    h.wfile.write(b"<html><body><p>")
    while time.monotonic() < deadline:
        h.wfile.write(b"a")
        h.wfile.flush()
        time.sleep(0.2)


def endless(h: BaseHTTPRequestHandler) -> None:
    """No Content-Length, then more bytes than any cap allows (streamed until the client hangs up)."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.end_headers()
    h.wfile.write(b"<html><body><article>")
    chunk = (b"<p>" + b"Filler words for a page that never ends. " * 40 + b"</p>\n") * 20
    for _ in range(400):  # ~14 MB at most
        h.wfile.write(chunk)
    FINISHED[h.path] += 1


def lying_length(h: BaseHTTPRequestHandler) -> None:
    """Declares a gigabyte, sends a little, hangs up."""
    h.send_response(200)
    h.send_header("Content-Type", "text/html")
    h.send_header("Content-Length", str(10**9))
    h.end_headers()
    h.wfile.write(b"<html><body>")


_BOMB = gzip.compress(b" " * 60_000_000, compresslevel=9)  # ~60 KB on the wire, 60 MB decoded
_DEFLATE_BOMB = zlib.compress(b"<p>" + b"a" * 30_000_000, 9)


def gzip_bomb(h: BaseHTTPRequestHandler) -> None:
    _send(h, 200, "text/html", _BOMB, {"Content-Encoding": "gzip"})


def deflate_bomb(h: BaseHTTPRequestHandler) -> None:
    _send(h, 200, "text/html", _DEFLATE_BOMB, {"Content-Encoding": "deflate"})


def gzipped_article(h: BaseHTTPRequestHandler) -> None:
    _send(h, 200, "text/html; charset=utf-8", gzip.compress(pages.ARTICLE_HTML.encode()), {"Content-Encoding": "gzip"})


def header_drip(h: BaseHTTPRequestHandler) -> None:
    """A status line, then headers one byte every 0.2 s, never ending them."""
    h.wfile.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nX-Slow: ")
    deadline = time.monotonic() + STALL_S
    while time.monotonic() < deadline:
        h.wfile.write(b"a")
        h.wfile.flush()
        time.sleep(0.2)


def huge_headers(h: BaseHTTPRequestHandler) -> None:
    _send(h, 200, "text/html", pages.ARTICLE_HTML.encode(), {f"X-Junk-{i}": "j" * 1000 for i in range(200)})


def hang_up(h: BaseHTTPRequestHandler) -> None:
    """Close the connection without answering."""
    h.close_connection = True
    h.wfile.flush()
    h.connection.shutdown(2)


ROUTES: dict[str, Route] = {
    "/article": html(pages.ARTICLE_HTML),
    "/article.gz": gzipped_article,
    "/article.txt": lambda h: _send(h, 200, "text/plain; charset=utf-8", pages.ARTICLE_TEXT.encode()),
    "/no-content-type": raw(200, None, pages.ARTICLE_HTML.encode()),
    "/latin1": html(pages.LATIN1_HTML, charset="iso-8859-1"),
    "/latin1-meta-only": lambda h: _send(h, 200, "text/html", pages.LATIN1_HTML.encode("iso-8859-1")),
    "/german": html(pages.GERMAN_HTML),
    "/arabic": html(pages.ARABIC_HTML),
    "/hostile-title": html(pages.HOSTILE_HTML),
    "/deep": html(pages.DEEP_HTML),
    "/deep-only": html(pages.DEEP_EMPTY_HTML),
    "/nav-only": html(pages.NAV_ONLY_HTML),
    "/empty": raw(200, "text/html", b""),
    "/404": raw(404, "text/html", b"<html><body><h1>Not found</h1></body></html>"),
    "/410": raw(410, "text/html", b"<h1>Gone</h1>"),
    "/500": raw(500, "text/html", b"<h1>Internal Server Error</h1>"),
    "/204": raw(204, "text/html", b""),
    "/pdf": raw(200, "application/pdf", pages.PDF_BYTES),
    "/image.png": raw(200, "image/png", pages.PNG_BYTES),
    "/png-as-html": raw(200, "text/html", pages.PNG_BYTES),
    "/binary-no-type": raw(200, None, pages.PNG_BYTES),
    "/json": raw(200, "application/json", b'{"title": "<b>not a page</b>"}'),
    "/slow": stall,
    "/drip": drip,
    "/endless": endless,
    "/lying-length": lying_length,
    "/gzip-bomb": gzip_bomb,
    "/deflate-bomb": deflate_bomb,
    "/bad-gzip": raw(200, "text/html", b"this is not gzip at all", {"Content-Encoding": "gzip"}),
    "/brotli": raw(200, "text/html", b"\x1b\x00\x00", {"Content-Encoding": "br"}),
    "/hang-up": hang_up,
    "/header-drip": header_drip,
    "/huge-headers": huge_headers,
    "/status-999": raw(999, "text/html", b"<h1>What</h1>"),
    "/loop": redirect("/loop"),
    "/ping": redirect("/pong", 301),
    "/pong": redirect("/ping", 307),
    "/hop1": redirect("/hop2"),
    "/hop2": redirect("{base}/hop3", 301),
    "/hop3": redirect("/article", 308),
    "/to-private": redirect("http://10.0.0.1/admin"),
    "/to-metadata": redirect("http://169.254.169.254/latest/meta-data/"),
    "/to-loopback-alias": redirect("http://127.0.0.2:{port}/article"),
    "/to-ftp": redirect("ftp://example.com/file.txt"),
    "/to-javascript": redirect("javascript:alert(1)"),
    "/to-file": redirect("file:///etc/passwd"),
    "/redirect-no-location": raw(302, "text/html", b"moved somewhere"),
}


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def do_GET(self) -> None:  # noqa: N802 (http.server API)
        route = ROUTES.get(self.path.split("?")[0])
        HITS[self.path] += 1
        try:
            if route is None:
                _send(self, 404, "text/html", b"<h1>Not found</h1>")
            else:
                route(self)
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass  # the client gave up, as it should for the hostile routes
        self.close_connection = True

    def log_message(self, *args: object) -> None:
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address) -> None:  # noqa: ANN001
        pass  # broken connections are the point here


@contextmanager
def hostile_server() -> Iterator[str]:
    """Serve ROUTES on 127.0.0.1 (a free port) for the duration of the block."""
    with running(_Server(("127.0.0.1", 0), _Handler)) as base_url:
        yield base_url
