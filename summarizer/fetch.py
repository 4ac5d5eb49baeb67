"""Fetch one web page safely: ``fetch_page(url, settings) -> Page``.

The bot fetches links that strangers send, so this stage is written as a guard
first and a downloader second:

* only ``http``/``https`` URLs without credentials, on ``settings.allowed_ports``;
* never an address inside the host's or a cloud's own network (loopback, private,
  link-local such as 169.254.169.254, multicast, reserved, unspecified, and the IPv6
  forms of all of these, including IPv4-mapped and 6to4/NAT64-embedded addresses),
  unless the address is listed in ``settings.allow_addresses``;
* the check is made on the address actually connected to: ``_GuardedBackend``
  resolves the host name itself, refuses the connection if any resolved address is
  blocked, and connects to a checked IP, so a DNS answer that changes between a
  first look-up and the connection (DNS rebinding) cannot slip through;
* redirects are followed by hand, each hop checked like the first URL;
* connect/read timeouts plus a deadline for the whole download that every socket
  read and write, and the name look-up, respect (a drip-fed response cannot outlast it);
* the body is decompressed here, chunk by chunk with a bounded output size, so a
  small gzip "bomb" stops at ``max_bytes`` decoded bytes instead of filling memory.

Environment proxies are ignored on purpose (``trust_env=False``): through a proxy the
address connected to would be the proxy's and the guard could not see the target.

Content types: ``text/html`` and ``application/xhtml+xml`` are pages; ``text/plain``
is accepted too and returned as a Page whose ``content_type`` says so (the extract
stage notices text without markup and treats it like pasted text). A response
without a content type is accepted when its body looks like HTML. Anything else
(PDF, images, JSON, ...) is ``not_html``.

Ports: a non-standard port is allowed only when the address actually connected to is
listed in ``allow_addresses`` (so tests can use a local server on a random port).
"""

from __future__ import annotations

import codecs
import concurrent.futures
import functools
import ipaddress
import re
import socket
import ssl
import time
import zlib
from typing import Any, Iterable
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from .errors import BriefError
from .settings import FetchSettings
from .types import Page

HTML_TYPES = {"text/html", "application/xhtml+xml"}
TEXT_TYPES = {"text/plain"}
REDIRECT_STATUSES = {301, 302, 303, 307, 308}
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
AddressList = list[ipaddress.IPv4Network | ipaddress.IPv6Network]

# Networks that are not "the public internet" but that the ipaddress module's flags
# do not all cover (shared address space for carrier NAT, benchmarking, ...).
_EXTRA_BLOCKED_NETWORKS = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",  # "this network"
        "100.64.0.0/10",  # carrier-grade NAT
        "192.0.0.0/24",  # IETF protocol assignments
        "198.18.0.0/15",  # benchmarking
        "64:ff9b:1::/48",  # local-use NAT64
        "2001:db8::/32",  # documentation
        "fec0::/10",  # deprecated site-local, still private where used
    )
]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


# --------------------------------------------------------------------------- addresses


def is_public_address(ip: IPAddress) -> bool:
    """True when ``ip`` is an ordinary public unicast address a link may point to.

    IPv6 addresses that embed an IPv4 address (IPv4-mapped ``::ffff:a.b.c.d``,
    6to4 ``2002:a.b.c.d::``, NAT64 ``64:ff9b::a.b.c.d``) are judged by the IPv4 inside.
    """
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(ip)
        if embedded is not None:
            return is_public_address(embedded)
    if (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    ):
        return False
    return not any(ip in net for net in _EXTRA_BLOCKED_NETWORKS if net.version == ip.version)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    # IPv4-compatible ::a.b.c.d (deprecated, still routed by some stacks)
    if int(ip) >> 32 == 0 and int(ip) > 1:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def parse_allow_list(entries: list[str]) -> AddressList:
    """``allow_addresses`` entries are IPs or networks in CIDR form ("127.0.0.1", "10.0.0.0/8")."""
    return [ipaddress.ip_network(e.strip(), strict=False) for e in entries if e.strip()]


def is_allowed_address(ip: IPAddress, allow: AddressList) -> bool:
    """Public addresses, and whatever the operator listed in ``allow_addresses``."""
    return _is_listed(ip, allow) or is_public_address(ip)


def _is_listed(ip: IPAddress, allow: AddressList) -> bool:
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return any(ip.version == net.version and ip in net for net in allow)


# --------------------------------------------------------------------------- URLs


def check_url(url: str, settings: FetchSettings) -> httpx.URL:
    """Parse and vet one URL before anything is sent. Raises bad_url/blocked_address/blocked_port."""
    if not isinstance(url, str) or not url.strip() or any(c.isspace() for c in url.strip()):
        raise BriefError("bad_url")
    url = url.strip()
    try:
        parts = urlsplit(url)
        port = parts.port  # raises ValueError for a non-numeric or out-of-range port
        parsed = httpx.URL(url)
        # httpx decodes an IDNA host name ("xn--...") only when it is read, and idna refuses
        # labels such as emoji (xn--ls8h) or malformed ones (xn--a) with a UnicodeError: read
        # it here so that such a link is bad_url, not a failure inside the request.
        parsed.host
    except (ValueError, httpx.InvalidURL):  # UnicodeError (idna's errors) is a ValueError
        raise BriefError("bad_url") from None
    if parts.scheme.lower() not in DEFAULT_PORTS or not parts.hostname:
        raise BriefError("bad_url")
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        raise BriefError("bad_url", "Links with a user name or password are not fetched.")
    allow = parse_allow_list(settings.allow_addresses)
    port = port if port is not None else DEFAULT_PORTS[parts.scheme.lower()]
    literal = _ip_literal(parts.hostname)
    if literal is not None and not is_allowed_address(literal, allow):
        raise BriefError("blocked_address")
    if port not in settings.allowed_ports:
        # A listed address may use any port; for a host name that is decided when
        # the name is resolved (see _GuardedBackend), for anything else now.
        if (literal is not None and not _is_listed(literal, allow)) or (literal is None and not allow):
            raise BriefError("blocked_port")
    return parsed


_NUMERIC_IPV4 = re.compile(r"(0x[0-9a-f]+|[0-9]+)(\.(0x[0-9a-f]+|[0-9]+)){0,3}", re.IGNORECASE)


def _ip_literal(host: str) -> IPAddress | None:
    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    # inet_aton accepts the odd IPv4 spellings browsers accept too: "2130706433", "0x7f.1", "127.1"
    if _NUMERIC_IPV4.fullmatch(host):
        try:
            return ipaddress.IPv4Address(socket.inet_aton(host))
        except OSError:
            return None
    return None


# --------------------------------------------------------------------------- connecting


# Name look-ups run here so that a slow DNS server cannot outlast the fetch's time limits.
_RESOLVER = concurrent.futures.ThreadPoolExecutor(max_workers=4, thread_name_prefix="briefbot-dns")


class _DeadlineStream(httpcore.NetworkStream):
    """httpcore's public ``NetworkStream`` interface around another stream, with every read,
    write and TLS handshake ended by the fetch's overall deadline, so a server that trickles
    its headers cannot hold a download open for long."""

    def __init__(self, stream: httpcore.NetworkStream, deadline: float):
        self._stream = stream
        self._deadline = deadline

    def _time_left(self, timeout: float | None) -> float:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ReadTimeout("total time limit reached")
        return left if timeout is None else min(timeout, left)

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, self._time_left(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, self._time_left(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context: ssl.SSLContext, server_hostname: str | None = None,
                  timeout: float | None = None) -> httpcore.NetworkStream:
        tls = self._stream.start_tls(ssl_context, server_hostname, self._time_left(timeout))
        return _DeadlineStream(tls, self._deadline)

    def get_extra_info(self, info: str) -> Any:
        return self._stream.get_extra_info(info)


class _GuardedBackend(httpcore.NetworkBackend):
    """An httpcore network backend (its public interface) that only ever connects to a checked
    IP address: the host name is resolved here, every address is checked, and httpcore's own
    ``SyncBackend`` is handed the IP literal, so no second look-up can change the answer."""

    def __init__(self, settings: FetchSettings, deadline: float):
        self._allow = parse_allow_list(settings.allow_addresses)
        self._allowed_ports = set(settings.allowed_ports)
        self._deadline = deadline
        self._tcp = httpcore.SyncBackend()

    def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                    socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        left = self._deadline - time.monotonic()
        if left <= 0:
            raise httpcore.ConnectTimeout("total time limit reached")
        timeout = left if timeout is None else min(timeout, left)
        started = time.monotonic()
        ips = self._resolve(host, port, timeout)
        timeout = max(timeout - (time.monotonic() - started), 0.001)
        for ip in ips:
            if not is_allowed_address(ip, self._allow):
                raise BriefError("blocked_address")
            if port not in self._allowed_ports and not _is_listed(ip, self._allow):
                raise BriefError("blocked_port")
        last_error: Exception | None = None
        for ip in ips:
            try:
                stream = self._tcp.connect_tcp(str(ip), port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:  # refused or unreachable: try the next address
                last_error = exc
                continue
            # Belt and braces: the peer is the address that was checked.
            peer = stream.get_extra_info("server_addr")
            if not peer or ipaddress.ip_address(str(peer[0]).split("%")[0]) != ip:
                stream.close()
                raise BriefError("blocked_address")
            return _DeadlineStream(stream, self._deadline)
        raise httpcore.ConnectError(str(last_error or "no address to connect to"))

    def connect_unix_socket(self, path: str, timeout: float | None = None,
                            socket_options: Iterable[Any] | None = None) -> httpcore.NetworkStream:
        raise httpcore.ConnectError("links are fetched over TCP only")

    @staticmethod
    def _resolve(host: str, port: int, timeout: float) -> list[IPAddress]:
        literal = _ip_literal(host)
        if literal is not None:
            return [literal]
        # getaddrinfo has no timeout of its own: run it in a helper thread and stop waiting.
        future = _RESOLVER.submit(socket.getaddrinfo, host, port, type=socket.SOCK_STREAM)
        try:
            infos = future.result(timeout=timeout)
        except concurrent.futures.TimeoutError:
            raise httpcore.ConnectTimeout(f"resolving {host} took too long") from None
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        ips: list[IPAddress] = []
        for *_, sockaddr in infos:
            ip = ipaddress.ip_address(str(sockaddr[0]).split("%")[0])
            if ip not in ips:
                ips.append(ip)
        return ips


class _GuardedTransport(httpx.HTTPTransport):
    """httpx's own transport with its connection pool swapped for one on the guarded backend.

    Setting ``_pool`` is the one private detail left: httpx (0.28) has no public way to give
    its transport an httpcore network backend (``HTTPTransport.__init__`` takes no
    ``network_backend``; proposed in encode/httpx#3749, after discussion encode/httpx#3180).
    The alternative, a transport of our own on httpcore's pool, would copy httpx's request and
    response mapping. tests/test_fetch.py's SSRF tests fail if the swap stops taking effect.
    """

    def __init__(self, settings: FetchSettings, deadline: float):
        context = _ssl_context()
        super().__init__(verify=context, trust_env=False)
        self._pool = httpcore.ConnectionPool(ssl_context=context, network_backend=_GuardedBackend(settings, deadline))


@functools.lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """httpx's default verifying context (certifi's CA bundle), built once: loading it takes ~0.1 s."""
    return httpx.create_ssl_context(trust_env=False)


# --------------------------------------------------------------------------- fetching


def fetch_page(url: str, settings: FetchSettings) -> Page:
    """Download one HTML page, following redirects, within the limits in ``settings``."""
    current = check_url(url, settings)
    deadline = time.monotonic() + settings.total_timeout_s
    headers = {
        "User-Agent": settings.user_agent,
        "Accept": "text/html,application/xhtml+xml;q=0.9,text/plain;q=0.5,*/*;q=0.1",
        # Only codings decoded (with a size bound) in _BoundedDecoder.
        "Accept-Encoding": "gzip, deflate",
    }
    with httpx.Client(transport=_GuardedTransport(settings, deadline), trust_env=False, follow_redirects=False) as client:
        for _hop in range(settings.max_redirects + 1):
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise BriefError("fetch_timeout")
            timeout = httpx.Timeout(min(settings.timeout_s, remaining))
            try:
                with client.stream("GET", current, headers=headers, timeout=timeout) as response:
                    if response.status_code in REDIRECT_STATUSES and "location" in response.headers:
                        current = check_url(_redirect_target(current, response.headers["location"]), settings)
                        continue
                    if response.status_code >= 400:
                        raise BriefError("http_error", f"The site answered with HTTP {response.status_code}.")
                    if response.status_code >= 300 or response.status_code < 200:
                        raise BriefError("http_error", f"Unexpected HTTP status {response.status_code}.")
                    media_type, charset = _content_type(response.headers.get("content-type", ""))
                    if media_type and media_type not in HTML_TYPES | TEXT_TYPES:
                        raise BriefError("not_html", f"The link is not a web page ({media_type}).")
                    body = _read_body(response, settings.max_bytes, deadline)
            except httpx.TimeoutException:
                raise BriefError("fetch_timeout") from None
            except httpx.InvalidURL:
                raise BriefError("bad_url") from None
            except UnicodeError:
                # httpx reads a redirect's Location while sending (for response.next_request);
                # an IDNA host idna refuses there raises before our own check of the hop.
                raise BriefError("bad_url", "The site redirected to an invalid link.") from None
            except (httpx.HTTPError, httpx.StreamError) as exc:
                raise BriefError("fetch_failed", f"The page could not be fetched ({type(exc).__name__}).") from None
            if not media_type:
                if not _looks_like_html(body):
                    raise BriefError("not_html")
                media_type = "text/html"
            html = decode_body(body, charset, is_html=media_type in HTML_TYPES)
            return Page(url=url, final_url=str(current), html=html, content_type=media_type)
    raise BriefError("too_many_redirects")


def _redirect_target(current: httpx.URL, location: str) -> str:
    try:
        return urljoin(str(current), location.strip())
    except ValueError:
        raise BriefError("bad_url", "The site redirected to an invalid link.") from None


def _content_type(header: str) -> tuple[str, str | None]:
    media_type, _, params = header.partition(";")
    charset = None
    for param in params.split(";"):
        key, _, value = param.partition("=")
        if key.strip().lower() == "charset" and value.strip():
            charset = value.strip().strip("\"'")
    return media_type.strip().lower(), charset


def _read_body(response: httpx.Response, max_bytes: int, deadline: float) -> bytes:
    """The decoded body, refused as soon as it passes ``max_bytes`` or the deadline."""
    encoding = response.headers.get("content-encoding", "identity").strip().lower()
    length = response.headers.get("content-length", "")
    if encoding == "identity" and length.isdigit() and int(length) > max_bytes:
        raise BriefError("too_large")
    decoder = _BoundedDecoder(encoding, max_bytes)
    chunks = []
    for raw in response.iter_raw():
        chunks.append(decoder.feed(raw))
        if time.monotonic() > deadline:
            raise BriefError("fetch_timeout")
    chunks.append(decoder.flush())
    return b"".join(chunks)


class _BoundedDecoder:
    """Undo gzip/deflate while streaming, never producing more than ``limit`` bytes in total."""

    def __init__(self, encoding: str, limit: int):
        self.limit = limit
        self.total = 0
        if encoding in ("identity", ""):
            self._z = None
        elif encoding in ("gzip", "x-gzip"):
            self._z = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._z = zlib.decompressobj()
            self._raw_deflate_fallback = True
        else:
            raise BriefError("fetch_failed", f"The site used an unsupported content encoding ({encoding}).")
        self._started = False

    def feed(self, data: bytes) -> bytes:
        if self._z is None:
            return self._count(data)
        pieces = []
        try:
            while data:
                out = self._z.decompress(data, self.limit - self.total + 1)
                pieces.append(self._count(out))
                data = self._z.unconsumed_tail
                self._started = True
        except zlib.error:
            if getattr(self, "_raw_deflate_fallback", False) and not self._started:
                # Some servers send raw deflate without the zlib header.
                self._raw_deflate_fallback = False
                self._z = zlib.decompressobj(-zlib.MAX_WBITS)
                return self.feed(data)
            raise BriefError("fetch_failed", "The page was not compressed correctly.") from None
        return b"".join(pieces)

    def flush(self) -> bytes:
        return self._count(self._z.flush()) if self._z is not None else b""

    def _count(self, data: bytes) -> bytes:
        self.total += len(data)
        if self.total > self.limit:
            raise BriefError("too_large")
        return data


# --------------------------------------------------------------------------- decoding

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)


def decode_body(body: bytes, declared: str | None, *, is_html: bool = True) -> str:
    """Bytes -> text. Binary data is ``bad_encoding``.

    Order: a byte-order mark; UTF-8 when the bytes are valid UTF-8 (non-ASCII UTF-8
    almost never happens by chance, and servers often declare a stale latin-1); the
    charset of the Content-Type header, then of the page's <meta>, decoded strictly;
    the same leniently; charset_normalizer's guess; windows-1252.
    """
    if _looks_binary(body):
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
        match = _META_CHARSET.search(body[:4096])
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


def _bom_charset(body: bytes) -> str | None:
    for bom, name in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16")):
        if body.startswith(bom):
            return name
    return None


def _looks_binary(body: bytes) -> bool:
    head = body[:8192]
    if not head or _bom_charset(head) == "utf-16":
        return False
    # Text never has many NUL/control bytes; images, PDFs and archives do.
    controls = sum(1 for b in head if b < 9 or 13 < b < 32)
    return head.count(0) > 0 or controls > len(head) // 20


def _looks_like_html(body: bytes) -> bool:
    head = body[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")) or b"<html" in head

