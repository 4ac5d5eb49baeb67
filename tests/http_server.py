"""A tiny real HTTP server on 127.0.0.1 for tests.

    routes = {
        "/": (200, {"Content-Type": "text/html"}, b"<html>...</html>"),
        "/slow": slow_handler,  # a callable(handler) that writes the response itself
        "/held": held(release_event, (200, {...}, b"...")),  # answers once the test sets the event
    }
    with serve(routes) as base_url:  # e.g. "http://127.0.0.1:54321"
        fetch_page(base_url + "/", settings)

A route value is either ``(status, headers, body)`` or a callable that receives the
``http.server.BaseHTTPRequestHandler`` and answers through it (for slow or streamed
responses). Unknown paths answer 404. ``self_signed_cert(directory)`` makes a certificate
for 127.0.0.1 with the openssl command (None when openssl is missing). ``server.requests`` style logging is kept in
``hits``: ``serve(routes, hits=[])`` appends every requested path.
"""

from __future__ import annotations

import ssl
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Union

Handler = Callable[[BaseHTTPRequestHandler], None]
Route = Union[tuple[int, dict[str, str], bytes], Handler]


class QuietServer(ThreadingHTTPServer):
    """A client that hangs up (a size limit reached, a keep-alive connection closed) is normal here:
    socketserver would print its ConnectionResetError to stderr, into the output tests assert on."""

    def handle_error(self, request: object, client_address: object) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


def answer(handler: BaseHTTPRequestHandler, route: tuple[int, dict[str, str], bytes]) -> None:
    """Send a ``(status, headers, body)`` route's response through ``handler``."""
    status, headers, body = route
    handler.send_response(status)
    for key, value in headers.items():
        handler.send_header(key, value)
    if not any(k.lower() == "content-length" for k in headers):
        handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    try:
        handler.wfile.write(body)
    except OSError:
        pass  # the client stopped reading (a size limit), or was killed by the test


def held(release: threading.Event, route: tuple[int, dict[str, str], bytes], wait_s: float = 120) -> Handler:
    """A route that answers like ``route`` only once the test sets ``release`` (or after ``wait_s``):
    a page still loading while the test kills or restarts whoever asked for it."""

    def handler(h: BaseHTTPRequestHandler) -> None:
        release.wait(wait_s)
        answer(h, route)

    return handler


@contextmanager
def serve(routes: dict[str, Route], hits: list[str] | None = None,
          tls: tuple[str, str] | None = None) -> Iterator[str]:
    """Serve ``routes`` on a free port of 127.0.0.1 for the duration of the ``with`` block.

    ``tls=(certfile, keyfile)`` serves HTTPS instead (the base URL then starts with https).
    """

    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
            if hits is not None:
                hits.append(self.path)
            route = routes.get(self.path.split("?")[0])
            if route is None:
                route = (404, {"Content-Type": "text/plain"}, b"not found")
            if callable(route):
                route(self)
                return
            answer(self, route)

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = QuietServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    scheme = "http"
    if tls is not None:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(*tls)
        server.socket = context.wrap_socket(server.socket, server_side=True)
        scheme = "https"
    with running(server, scheme) as base_url:
        yield base_url


@contextmanager
def running(server: ThreadingHTTPServer, scheme: str = "http") -> Iterator[str]:
    """Run ``server`` (bound to 127.0.0.1) on a thread for the block; yields its base URL."""
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def self_signed_cert(directory: str) -> tuple[str, str] | None:
    """(certfile, keyfile) for 127.0.0.1, made with the openssl command line tool."""
    import shutil
    import subprocess
    from pathlib import Path

    if shutil.which("openssl") is None:
        return None
    cert, key = str(Path(directory) / "cert.pem"), str(Path(directory) / "key.pem")
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "2",
         "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key
