"""fetch_page against a real local HTTP server, plus the address guard on its own."""

from __future__ import annotations

import gzip
import ipaddress
import socket
import time
import tracemalloc
import zlib

import pytest

from summarizer.errors import BriefError
from summarizer.fetch import check_url, decode_body, fetch_page, is_allowed_address, is_public_address
from summarizer.settings import FetchSettings

from .http_server import self_signed_cert, serve

HTML = "<html><head><title>Hello</title></head><body><p>Grüße aus der Stadt.</p></body></html>"
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}


def local(**changes) -> FetchSettings:
    """Settings that let the tests reach their own server on 127.0.0.1, with small limits."""
    base = dict(allow_addresses=["127.0.0.1"], timeout_s=2.0, total_timeout_s=5.0, max_bytes=100_000, max_redirects=3)
    base.update(changes)
    return FetchSettings(**base)


def error_code(url: str, settings: FetchSettings) -> str:
    with pytest.raises(BriefError) as info:
        fetch_page(url, settings)
    return info.value.code


def test_html_page_is_fetched_and_decoded():
    with serve({"/a": (200, HTML_HEADERS, HTML.encode("utf-8"))}) as base:
        page = fetch_page(base + "/a", local())
    assert page.html == HTML
    assert page.content_type == "text/html"
    assert page.final_url == base + "/a"


def test_meta_charset_is_used_when_the_header_has_none():
    body = '<html><head><meta charset="windows-1252"></head><body><p>café</p></body></html>'.encode("cp1252")
    with serve({"/": (200, {"Content-Type": "text/html"}, body)}) as base:
        page = fetch_page(base + "/", local())
    assert "café" in page.html


def test_gzip_page_is_decompressed():
    with serve({"/": (200, {**HTML_HEADERS, "Content-Encoding": "gzip"}, gzip.compress(HTML.encode()))}) as base:
        assert fetch_page(base + "/", local()).html == HTML


def test_http_error_status():
    with serve({}) as base:
        assert error_code(base + "/missing", local()) == "http_error"


def test_redirect_chain_is_followed():
    routes = {
        "/1": (301, {"Location": "/2"}, b""),
        "/2": (302, {"Location": "/3"}, b""),
        "/3": (200, HTML_HEADERS, HTML.encode()),
    }
    with serve(routes) as base:
        page = fetch_page(base + "/1", local())
    assert page.url == base + "/1"
    assert page.final_url == base + "/3"


def test_redirect_loop_is_refused():
    with serve({"/loop": (302, {"Location": "/loop"}, b"")}) as base:
        assert error_code(base + "/loop", local()) == "too_many_redirects"


def test_too_many_redirects_counts_hops():
    routes = {f"/{i}": (302, {"Location": f"/{i + 1}"}, b"") for i in range(5)}
    routes["/5"] = (200, HTML_HEADERS, HTML.encode())
    with serve(routes) as base:
        assert error_code(base + "/0", local(max_redirects=3)) == "too_many_redirects"
        assert fetch_page(base + "/0", local(max_redirects=5)).final_url == base + "/5"


@pytest.mark.parametrize("target", ["http://169.254.169.254/latest/meta-data/", "http://10.0.0.1/", "http://[::1]/"])
def test_redirect_to_a_blocked_address_is_refused_without_connecting(target, monkeypatch):
    connected: list[object] = []
    real_connect = socket.socket.connect

    def spy(self, address):
        connected.append(address)
        return real_connect(self, address)

    with serve({"/r": (302, {"Location": target}, b"")}) as base:
        monkeypatch.setattr(socket.socket, "connect", spy)
        assert error_code(base + "/r", local()) == "blocked_address"
    assert all(addr[0] == "127.0.0.1" for addr in connected)  # only the first hop was connected


@pytest.mark.parametrize("content_type", ["application/pdf", "image/png", "application/json"])
def test_non_html_content_type_is_refused(content_type):
    with serve({"/f": (200, {"Content-Type": content_type}, b"%PDF-1.4 \x00\x01\x02")}) as base:
        assert error_code(base + "/f", local()) == "not_html"


def test_plain_text_is_accepted_and_marked():
    with serve({"/t": (200, {"Content-Type": "text/plain; charset=utf-8"}, b"Just some text.")}) as base:
        page = fetch_page(base + "/t", local())
    assert page.content_type == "text/plain" and page.html == "Just some text."


def test_binary_body_without_content_type_is_refused():
    with serve({"/b": (200, {}, bytes(range(256)) * 10)}) as base:
        assert error_code(base + "/b", local()) in {"not_html", "bad_encoding"}


def test_binary_body_labelled_html_is_bad_encoding():
    with serve({"/b": (200, HTML_HEADERS, b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)}) as base:
        assert error_code(base + "/b", local()) == "bad_encoding"


def test_body_over_max_bytes_is_too_large():
    with serve({"/big": (200, HTML_HEADERS, b"<html>" + b"x" * 200_000)}) as base:
        assert error_code(base + "/big", local(max_bytes=100_000)) == "too_large"


def test_body_over_max_bytes_without_content_length_is_too_large():
    def chunked(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Connection", "close")
        handler.end_headers()
        try:
            for _ in range(50):
                handler.wfile.write(b"<p>" + b"y" * 10_000 + b"</p>")
        except (BrokenPipeError, ConnectionResetError):
            pass
        handler.close_connection = True

    with serve({"/stream": chunked}) as base:
        assert error_code(base + "/stream", local(max_bytes=100_000)) == "too_large"


def _gzip_bomb(decompressed_mb: int) -> bytes:
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * 1_000_000
    return b"".join([compressor.compress(zeros) for _ in range(decompressed_mb)] + [compressor.flush()])


def test_gzip_bomb_is_too_large_with_bounded_memory():
    bomb = _gzip_bomb(200)  # ~200 KB on the wire, 200 MB decompressed
    assert len(bomb) < 1_000_000
    headers = {**HTML_HEADERS, "Content-Encoding": "gzip"}
    with serve({"/bomb": (200, headers, bomb)}) as base:
        tracemalloc.start()
        try:
            tracemalloc.reset_peak()
            code = error_code(base + "/bomb", local(max_bytes=1_000_000))
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    assert code == "too_large"
    assert peak < 20_000_000  # far below the 200 MB the bomb would expand to


def test_slow_server_times_out():
    def slow(handler):
        time.sleep(1.5)
        try:
            handler.send_response(200)
            handler.end_headers()
        except (BrokenPipeError, ConnectionResetError):
            pass

    with serve({"/slow": slow}) as base:
        assert error_code(base + "/slow", local(timeout_s=0.2, total_timeout_s=1.0)) == "fetch_timeout"


def test_trickling_server_hits_the_total_deadline():
    def trickle(handler):
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "1000")
        handler.end_headers()
        try:
            for _ in range(1000):
                handler.wfile.write(b"x")
                handler.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass

    with serve({"/t": trickle}) as base:
        assert error_code(base + "/t", local(timeout_s=0.5, total_timeout_s=0.5)) == "fetch_timeout"


def test_server_trickling_its_headers_hits_the_total_deadline():
    def trickle_headers(handler):
        try:
            for byte in b"HTTP/1.1 200 OK\r\nX-Padding: " + b"a" * 1000:
                handler.wfile.write(bytes([byte]))
                handler.wfile.flush()
                time.sleep(0.05)
        except (BrokenPipeError, ConnectionResetError):
            pass

    with serve({"/h": trickle_headers}) as base:
        assert error_code(base + "/h", local(timeout_s=0.5, total_timeout_s=0.6)) == "fetch_timeout"


@pytest.mark.parametrize(
    "url",
    ["not a url", "ftp://example.com/file", "http://user:pass@example.com/", "http://user@example.com/",
     "javascript:alert(1)", "", "http://", "http://example.com:99999/", "file:///etc/passwd",
     # issue 10 finding 5: IDNA labels idna refuses (an emoji domain, malformed punycode)
     "http://xn--ls8h.la/", "http://xn--a/", "http://xn--/"],
)
def test_bad_urls(url):
    assert error_code(url, FetchSettings()) == "bad_url"


def test_redirect_to_an_emoji_domain_is_bad_url():
    with serve({"/r": (302, {"Location": "http://xn--ls8h.la/"}, b"")}) as base:
        assert error_code(base + "/r", local()) == "bad_url"


def test_port_not_allowed():
    assert error_code("http://93.184.216.34:22/", FetchSettings()) == "blocked_port"
    assert error_code("http://example.com:6379/", FetchSettings()) == "blocked_port"


def test_listed_address_may_use_any_port_but_others_may_not():
    with serve({"/": (200, HTML_HEADERS, HTML.encode())}) as base:
        fetch_page(base + "/", local())  # random high port, address listed: fine
        assert error_code(base.replace("127.0.0.1", "127.0.0.2") + "/", local()) == "blocked_address"


def test_loopback_refused_by_default():
    with serve({"/": (200, HTML_HEADERS, HTML.encode())}) as base:
        port = base.rsplit(":", 1)[1]
        assert error_code(base + "/", FetchSettings(allowed_ports=[int(port)])) == "blocked_address"
        assert error_code(f"http://localhost:{port}/", FetchSettings(allowed_ports=[int(port)])) == "blocked_address"
    assert error_code("http://127.0.0.1/", FetchSettings()) == "blocked_address"
    assert error_code("http://2130706433/", FetchSettings()) == "blocked_address"  # 127.0.0.1 as one number
    assert error_code("http://[::ffff:127.0.0.1]/", FetchSettings()) == "blocked_address"


BLOCKED = [
    "127.0.0.1", "127.8.9.10", "10.1.2.3", "172.16.0.1", "172.31.255.255", "192.168.1.1", "169.254.169.254",
    "0.0.0.0", "100.64.0.1", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1",
    "198.18.0.1", "::", "::1", "fc00::1", "fd12:3456::1", "fe80::1", "ff02::1", "::ffff:127.0.0.1",
    "::ffff:10.0.0.1", "::ffff:169.254.169.254", "2002:7f00:1::", "2002:a00:1::", "64:ff9b::a00:1",
    "64:ff9b::7f00:1", "2001:db8::1", "::127.0.0.1", "fec0::1", "2001::1", "100::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2001:4860:4860::8888",
          "::ffff:8.8.8.8", "2002:808:808::", "64:ff9b::808:808"]


@pytest.mark.parametrize("address", BLOCKED)
def test_classifier_blocks(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", PUBLIC)
def test_classifier_allows_public(address):
    assert is_public_address(ipaddress.ip_address(address))


def test_allow_list_accepts_addresses_and_networks():
    allow = [ipaddress.ip_network("127.0.0.1"), ipaddress.ip_network("10.0.0.0/8")]
    assert is_allowed_address(ipaddress.ip_address("127.0.0.1"), allow)
    assert is_allowed_address(ipaddress.ip_address("10.9.8.7"), allow)
    assert is_allowed_address(ipaddress.ip_address("::ffff:127.0.0.1"), allow)
    assert not is_allowed_address(ipaddress.ip_address("192.168.0.1"), allow)


def _fake_resolver(mapping: dict[str, list[str]]):
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in mapping:
            out = []
            for ip in mapping[host]:
                family = socket.AF_INET6 if ":" in ip else socket.AF_INET
                sockaddr = (ip, port, 0, 0) if family == socket.AF_INET6 else (ip, port)
                out.append((family, socket.SOCK_STREAM, 6, "", sockaddr))
            return out
        return real(host, port, *args, **kwargs)

    return getaddrinfo


@pytest.mark.parametrize("ips", [["10.0.0.5"], ["169.254.169.254"], ["93.184.216.34", "192.168.0.10"], ["::1"]])
def test_hostname_resolving_to_a_private_address_is_refused(ips, monkeypatch):
    monkeypatch.setattr(socket, "getaddrinfo", _fake_resolver({"intranet.example": ips}))
    monkeypatch.setattr(socket.socket, "connect", lambda *a: pytest.fail("must not connect"))
    assert error_code("http://intranet.example/", FetchSettings()) == "blocked_address"


def test_connection_goes_to_the_checked_address(monkeypatch):
    """A name is resolved once by the guard and the socket opens to that very IP."""
    hits: list[str] = []
    with serve({"/": (200, HTML_HEADERS, HTML.encode())}, hits=hits) as base:
        port = base.rsplit(":", 1)[1]
        monkeypatch.setattr(socket, "getaddrinfo", _fake_resolver({"news.test": ["127.0.0.1"]}))
        page = fetch_page(f"http://news.test:{port}/", local())
    assert page.html == HTML and hits == ["/"]


def test_the_name_is_looked_up_once_so_a_rebinding_answer_is_never_used(monkeypatch):
    """DNS rebinding: a second look-up would answer a private address; the connection uses the first."""
    answers = iter([["127.0.0.1"], ["10.0.0.1"], ["10.0.0.1"]])
    lookups: list[str] = []
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        lookups.append(host)
        return _fake_resolver({host: next(answers)})(host, port)

    with serve({"/": (200, HTML_HEADERS, HTML.encode())}) as base:
        port = base.rsplit(":", 1)[1]
        monkeypatch.setattr(socket, "getaddrinfo", rebinding)
        assert fetch_page(f"http://rebind.test:{port}/", local()).html == HTML
    assert lookups == ["rebind.test"]


def test_check_url_accepts_ordinary_links():
    assert str(check_url("https://example.com/a?b=c", FetchSettings())) == "https://example.com/a?b=c"
    assert check_url("http://example.com:8080/", FetchSettings()).port == 8080


def test_decode_body_fallbacks():
    assert decode_body("naïve".encode("utf-8"), None) == "naïve"
    assert decode_body("naïve".encode("cp1252"), None) == "naïve"
    assert decode_body("naïve".encode("utf-8"), "no-such-charset") == "naïve"
    assert decode_body("naïve".encode("utf-8"), "iso-8859-1") == "naïve"  # a stale header is overruled
    assert decode_body("привет".encode("koi8-r"), "koi8-r") == "привет"
    assert decode_body("<meta charset=koi8-r>привет".encode("koi8-r"), None) == "<meta charset=koi8-r>привет"
    assert decode_body("\ufeffBOM".encode("utf-16"), None) == "BOM"
    with pytest.raises(BriefError) as info:
        decode_body(b"\x00\x01\x02\x03" * 100, "utf-8")
    assert info.value.code == "bad_encoding"


@pytest.fixture(scope="module")
def cert_pair(tmp_path_factory):
    pair = self_signed_cert(str(tmp_path_factory.mktemp("tls")))
    if pair is None:
        pytest.skip("openssl not available")
    return pair


def test_https_page_is_fetched_through_the_guarded_connection(cert_pair, monkeypatch):
    import ssl

    import summarizer.fetch

    trusting = ssl.create_default_context(cafile=cert_pair[0])
    monkeypatch.setattr(summarizer.fetch, "_ssl_context", lambda: trusting)
    with serve({"/s": (200, HTML_HEADERS, HTML.encode())}, tls=cert_pair) as base:
        assert base.startswith("https://")
        assert fetch_page(base + "/s", local()).html == HTML


def test_https_with_an_untrusted_certificate_fails_cleanly(cert_pair):
    with serve({"/s": (200, HTML_HEADERS, HTML.encode())}, tls=cert_pair) as base:
        assert error_code(base + "/s", local()) == "fetch_failed"


def test_check_url_only_ever_raises_brief_errors():
    from hypothesis import given, settings, strategies as st

    prefixes = st.sampled_from(["", "http://", "https://", "http://user@", "http://[", "ftp://", "http://1.2.3.4:"])

    @settings(max_examples=300, deadline=None)
    @given(prefixes, st.text(max_size=40))
    def check(prefix, rest):
        try:
            check_url(prefix + rest, FetchSettings())
        except BriefError:
            pass

    check()


def test_slow_name_lookup_times_out(monkeypatch):
    real = socket.getaddrinfo

    def slow_getaddrinfo(host, *args, **kwargs):
        if host == "slow-dns.example":
            time.sleep(1.0)
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_getaddrinfo)
    assert error_code("http://slow-dns.example/", FetchSettings(timeout_s=0.2, total_timeout_s=0.5)) == "fetch_timeout"
