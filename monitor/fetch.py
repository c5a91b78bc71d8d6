"""HTTP for the whole monitor: one shared httpx.AsyncClient, used politely and defensively.

- bounded concurrency overall and per host (a gather of thousands of requests never stalls the pool);
- conditional GET with the validators the caller remembered;
- a total deadline per request (slow-drip servers), a cap on *decoded* bytes (gzip bombs);
- redirects followed by hand so that every hop passes the address policy;
- hosts other than the configured sources' are not connected to when they resolve to loopback, private,
  link-local or reserved addresses, unless allowed; the address checked is the one connected to
  (``addresses.py``), so a DNS answer cannot change between the check and the connection;
- robots.txt is honoured for article pages, cached per host.

Failures are returned as ``FetchFailure`` values, never raised: one bad source is a result.
"""

from __future__ import annotations

import asyncio
import contextlib
import email.utils
import logging
import time
import urllib.robotparser
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from monitor.addresses import AddressPolicy, PinnedTransport, Resolver, proxied, system_resolver
from monitor.errors import FetchError
from monitor.model import Fetched, FetchFailure, Validators

log = logging.getLogger(__name__)

_REDIRECTS = {301, 302, 303, 307, 308}
_ROBOTS_TTL = 3600.0


@dataclass(frozen=True, slots=True)
class FetchSettings:
    user_agent: str
    connect_timeout: float = 10.0
    read_timeout: float = 20.0
    total_timeout: float = 45.0
    max_bytes: int = 5 * 1024 * 1024
    max_redirects: int = 5
    concurrency: int = 32
    per_host: int = 4
    allow_private_networks: bool = False
    respect_robots: bool = True


class Fetcher:
    """Fetches URLs under the policy in ``FetchSettings``. Use as an async context manager."""

    def __init__(self, settings: FetchSettings, trusted_hosts: Iterable[str] = (),
                 transport: httpx.AsyncBaseTransport | None = None, resolver: Resolver = system_resolver,
                 network: httpcore.AsyncNetworkBackend | None = None) -> None:
        """``transport``, ``resolver`` and ``network``: stand-ins for tests (httpx transport, DNS, sockets)."""
        self.settings = settings
        self._policy = AddressPolicy(settings.allow_private_networks, trusted_hosts, resolver)
        limits = httpx.Limits(max_connections=settings.concurrency, max_keepalive_connections=settings.concurrency)
        # Connections are pinned to the address the policy checked; behind a proxy (which resolves hosts
        # itself) hosts are checked before each request instead.  A given transport is a test's stand-in.
        self._precheck = transport is None and proxied()
        if transport is None and not self._precheck:
            transport = PinnedTransport(self._policy, limits, network)
        self._client = httpx.AsyncClient(
            headers={"User-Agent": settings.user_agent, "Accept-Encoding": "gzip, deflate"},
            timeout=httpx.Timeout(settings.read_timeout, connect=settings.connect_timeout),
            limits=limits,
            follow_redirects=False,
            transport=transport,
        )
        self._overall = asyncio.Semaphore(settings.concurrency)
        self._hosts: dict[str, asyncio.Semaphore] = {}
        self._robots: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None]] = {}
        self._robots_locks: dict[str, asyncio.Lock] = {}

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self._client.aclose()

    def trust_host(self, host: str) -> None:
        self._policy.trusted_hosts.add(host.lower())

    async def fetch(self, url: str, validators: Validators | None = None, *,
                    from_feed: bool = False) -> Fetched | FetchFailure:
        """GET ``url``. ``from_feed`` marks a link found in a feed: address policy and robots apply."""
        try:
            async with asyncio.timeout(self.settings.total_timeout):
                if from_feed and not await self._robots_allow(url):
                    raise FetchError("robots", f"robots.txt of {_host(url)} disallows {url}")
                return await self._fetch(url, validators, from_feed)
        except FetchError as exc:
            return FetchFailure(url, exc.reason, str(exc), exc.retry_after)
        except TimeoutError:
            return FetchFailure(url, "timeout",
                                f"no complete response within {self.settings.total_timeout:g}s")
        except httpx.HTTPError as exc:
            return FetchFailure(url, *_describe_transport_error(exc))

    async def _fetch(self, url: str, validators: Validators | None, from_feed: bool) -> Fetched:
        current = url
        for _hop in range(self.settings.max_redirects + 1):
            await self._check_address(current)
            headers = _conditional_headers(validators) if current == url else {}
            async with self._slot(current), self._client.stream("GET", current, headers=headers) as resp:
                if resp.status_code in _REDIRECTS and "location" in resp.headers:
                    current = urljoin(current, resp.headers["location"])
                    continue
                if resp.status_code == 304:
                    return Fetched(url, current, 304, b"", dict(resp.headers),
                                   validators or Validators(), not_modified=True)
                if resp.status_code >= 400:
                    raise FetchError(f"http-{resp.status_code}",
                                     f"HTTP {resp.status_code} {resp.reason_phrase} from {current}",
                                     _retry_after(resp.headers.get("retry-after")))
                body = await self._read_capped(resp)
                new_validators = Validators(resp.headers.get("etag"), resp.headers.get("last-modified"))
                return Fetched(url, current, resp.status_code, body, dict(resp.headers), new_validators)
        raise FetchError("redirects", f"more than {self.settings.max_redirects} redirects from {url}")

    async def _read_capped(self, resp: httpx.Response) -> bytes:
        """The body, decoded, never holding more than ``max_bytes`` (plus one small chunk) in memory.

        gzip and deflate are inflated here with a bounded output size: a decoder that inflates a
        whole network chunk at once would let a gzip bomb allocate gigabytes before any check.
        """
        limit = self.settings.max_bytes
        encoding = resp.headers.get("content-encoding", "identity").strip().lower()
        declared = resp.headers.get("content-length", "")
        if encoding == "identity" and declared.isdigit() and int(declared) > limit:
            raise FetchError("too-large", f"{resp.url} declares {int(declared):,} bytes, over the {limit:,}-byte limit")
        inflate = _Inflater(encoding, str(resp.url))
        chunks, size = [], 0
        async for raw in resp.aiter_raw():
            for piece in inflate.feed(raw):
                size += len(piece)
                if size > limit:
                    raise FetchError("too-large", f"{resp.url} is over the {limit:,}-byte limit")
                chunks.append(piece)
        return b"".join(chunks)

    @contextlib.asynccontextmanager
    async def _slot(self, url: str):  # type: ignore[no-untyped-def]
        host = _host(url)
        per_host = self._hosts.setdefault(host, asyncio.Semaphore(self.settings.per_host))
        async with self._overall, per_host:
            yield

    async def _check_address(self, url: str) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchError("bad-url", f"not an http(s) URL: {url}")
        if self._precheck:
            await self._policy.address(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))

    async def _robots_allow(self, url: str) -> bool:
        if not self.settings.respect_robots:
            return True
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        lock = self._robots_locks.setdefault(origin, asyncio.Lock())
        async with lock:
            cached = self._robots.get(origin)
            if cached is None or time.monotonic() - cached[0] > _ROBOTS_TTL:
                cached = (time.monotonic(), await self._load_robots(origin))
                self._robots[origin] = cached
        parser = cached[1]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    async def _load_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """Parsed robots.txt; None means "no rules" (RFC 9309: a 4xx allows everything)."""
        result = await self._fetch_plain(origin + "/robots.txt")
        parser = urllib.robotparser.RobotFileParser()
        if isinstance(result, FetchFailure):
            if result.reason.startswith("http-4"):
                return None
            parser.parse(["User-agent: *", "Disallow: /"])  # unreachable robots.txt: complete disallow (RFC 9309)
            return parser
        parser.parse(result.body.decode("utf-8", "replace").splitlines())
        return parser

    async def _fetch_plain(self, url: str) -> Fetched | FetchFailure:
        try:
            return await self._fetch(url, None, True)
        except FetchError as exc:
            return FetchFailure(url, exc.reason, str(exc))
        except httpx.HTTPError as exc:
            return FetchFailure(url, *_describe_transport_error(exc))


class _Inflater:
    """Content-Encoding decoding in bounded steps."""

    STEP = 64 * 1024

    def __init__(self, encoding: str, url: str) -> None:
        self._url = url
        self._raw_deflate = False
        if encoding in ("identity", ""):
            self._decoder = None
        elif encoding in ("gzip", "x-gzip"):
            self._decoder = zlib.decompressobj(16 + zlib.MAX_WBITS)
        elif encoding == "deflate":
            self._decoder = zlib.decompressobj()
        else:
            raise FetchError("bad-encoding", f"{url}: unsupported content encoding {encoding!r}")

    def feed(self, data: bytes) -> Iterator[bytes]:
        if self._decoder is None:
            yield data
            return
        pending = data
        while pending:
            try:
                out = self._decoder.decompress(pending, self.STEP)
            except zlib.error as exc:
                if not self._raw_deflate and not self._seen_output:
                    # some servers send raw deflate without the zlib header
                    self._decoder, self._raw_deflate = zlib.decompressobj(-zlib.MAX_WBITS), True
                    continue
                raise FetchError("bad-encoding", f"{self._url}: undecodable content: {exc}") from None
            self._seen_output = self._seen_output or bool(out)
            if out:
                yield out
            pending = self._decoder.unconsumed_tail

    _seen_output = False


def _host(url: str) -> str:
    return (urlsplit(url).hostname or "").lower()


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers = {}
    if validators and validators.etag:
        headers["If-None-Match"] = validators.etag
    if validators and validators.last_modified:
        headers["If-Modified-Since"] = validators.last_modified
    return headers


def freshness(headers: dict[str, str]) -> float | None:
    """Seconds a response says it stays fresh (Cache-Control max-age, else Expires minus Date)."""
    lower = {k.lower(): v for k, v in headers.items()}
    for directive in lower.get("cache-control", "").split(","):
        name, _, value = directive.strip().partition("=")
        if name.lower() in ("max-age", "s-maxage") and value.strip().isdigit():
            return float(value.strip())
    expires = lower.get("expires")
    if expires:
        try:
            until = email.utils.parsedate_to_datetime(expires).timestamp()
            now = email.utils.parsedate_to_datetime(lower["date"]).timestamp() if "date" in lower else time.time()
        except (TypeError, ValueError, KeyError):
            return 0.0  # an invalid Expires means "already expired"
        return max(0.0, until - now)
    return None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe_transport_error(exc: httpx.HTTPError) -> tuple[str, str]:
    url = str(exc.request.url) if _has_request(exc) else "request"
    if isinstance(exc, httpx.ConnectTimeout):
        return "timeout", f"connecting to {url} timed out"
    if isinstance(exc, httpx.TimeoutException):
        return "timeout", f"{url} timed out"
    if isinstance(exc, httpx.ConnectError):
        text = str(exc) or "connection failed"
        if "Name or service not known" in text or "nodename nor servname" in text or "getaddrinfo" in text:
            return "dns", f"cannot resolve the host of {url}"
        if "refused" in text.lower():
            return "refused", f"connection to {url} refused"
        return "connect", f"cannot connect to {url}: {text}"
    if isinstance(exc, httpx.RemoteProtocolError):
        return "protocol", f"{url}: the server broke the HTTP protocol: {exc}"
    if isinstance(exc, httpx.DecodingError):
        return "bad-encoding", f"{url}: undecodable content"
    return "http", f"{url}: {type(exc).__name__}: {exc}"


def _has_request(exc: httpx.HTTPError) -> bool:
    try:
        exc.request  # noqa: B018 - raises RuntimeError when the error carries no request
    except RuntimeError:
        return False
    return True
