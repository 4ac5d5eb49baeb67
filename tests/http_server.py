"""A tiny real HTTP server on 127.0.0.1 for tests.

    routes = {
        "/": (200, {"Content-Type": "text/html"}, b"<html>...</html>"),
        "/slow": slow_handler,  # a callable(handler) that writes the response itself
    }
    with serve(routes) as base_url:  # e.g. "http://127.0.0.1:54321"
        fetch_page(base_url + "/", settings)

A route value is either ``(status, headers, body)`` or a callable that receives the
``http.server.BaseHTTPRequestHandler`` and answers through it (for slow or streamed
responses). Unknown paths answer 404. ``server.requests`` style logging is kept in
``hits``: ``serve(routes, hits=[])`` appends every requested path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Union

Handler = Callable[[BaseHTTPRequestHandler], None]
Route = Union[tuple[int, dict[str, str], bytes], Handler]


@contextmanager
def serve(routes: dict[str, Route], hits: list[str] | None = None) -> Iterator[str]:
    """Serve ``routes`` on a free port of 127.0.0.1 for the duration of the ``with`` block."""

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
            status, headers, body = route
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            if not any(k.lower() == "content-length" for k in headers):
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the client stopped reading, as the size limits make it do

        def log_message(self, format: str, *args: object) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
