"""DNS: failures become a one-line "dns" reason, and the address checked is the one connected to.

Mocked on purpose: the resolver (a real DNS query leaves this machine, which tests must not do) and,
in one test, sockets to public addresses (unreachable here).  The mocks answer and raise exactly what
the resolver and httpcore do; connections to loopback are real.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterable
from typing import Any

import httpcore
import httpx
import pytest

from monitor.fetch import Fetcher, FetchSettings
from monitor.model import Fetched, FetchFailure
from tests.conftest import LocalServer, Response


class NoSuchHost(httpx.AsyncBaseTransport):
    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("[Errno -2] Name or service not known", request=request)


def test_unknown_host_of_a_configured_source() -> None:
    async def go() -> object:
        async with Fetcher(FetchSettings(user_agent="t"), transport=NoSuchHost()) as fetcher:
            return await fetcher.fetch("http://no-such-host.test/feed.xml")
    result = asyncio.run(go())
    assert isinstance(result, FetchFailure) and result.reason == "dns"
    assert result.message == "cannot resolve the host of http://no-such-host.test/feed.xml"


def test_unknown_host_of_a_feed_link_is_a_dns_failure() -> None:
    async def fail(host: str, port: int) -> list[str]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    async def go() -> object:
        settings = FetchSettings(user_agent="t", respect_robots=False)
        async with Fetcher(settings, resolver=fail) as fetcher:
            return await fetcher.fetch("http://no-such-host.test/article.html", from_feed=True)
    result = asyncio.run(go())
    assert isinstance(result, FetchFailure) and result.reason == "dns"
    assert "cannot resolve no-such-host.test" in result.message and "\n" not in result.message


class Rebinding:
    """A DNS server that answers a public address first and loopback after (DNS rebinding)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.asked = 0

    async def __call__(self, host: str, port: int) -> list[str]:
        self.asked += 1
        return ["93.184.216.34"] if self.asked == 1 else ["127.0.0.1"]


class Unreachable(httpcore.AsyncNetworkBackend):
    """Sockets to public addresses, which tests cannot open (no network here): mocked, recording the
    address asked for.  Loopback goes through the real backend."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self._real = httpcore.AnyIOBackend()

    async def connect_tcp(self, host: str, port: int, timeout: float | None = None, local_address: str | None = None,
                          socket_options: Iterable[Any] | None = None) -> httpcore.AsyncNetworkStream:
        self.asked.append(host)
        if host.startswith("127."):
            return await self._real.connect_tcp(host, port, timeout, local_address, socket_options)
        raise httpcore.ConnectError(f"[Errno 101] Network is unreachable: {host}")

    async def sleep(self, seconds: float) -> None:
        await self._real.sleep(seconds)


def test_the_address_checked_is_the_address_connected_to(server: LocalServer) -> None:
    server.routes["/article.html"] = Response(200, b"<p>internal</p>", {"Content-Type": "text/html"})
    port = int(server.base.rsplit(":", 1)[1])
    dns, sockets = Rebinding(port), Unreachable()

    async def go() -> object:
        settings = FetchSettings(user_agent="t", respect_robots=False)  # private networks not allowed
        async with Fetcher(settings, resolver=dns, network=sockets) as fetcher:
            return await fetcher.fetch(f"http://rebind.test:{port}/article.html", from_feed=True)
    result = asyncio.run(go())
    # One lookup, checked and connected to: the loopback answer a second lookup would give is never used.
    assert dns.asked == 1 and sockets.asked == ["93.184.216.34"]
    assert isinstance(result, FetchFailure) and result.reason == "connect"
    assert server.hits("/article.html") == []


def test_a_non_public_answer_is_refused_and_a_source_host_is_trusted(server: LocalServer) -> None:
    server.routes["/article.html"] = Response(200, b"<p>internal</p>", {"Content-Type": "text/html"})
    port = int(server.base.rsplit(":", 1)[1])

    async def loopback(host: str, port: int) -> list[str]:
        return ["127.0.0.1"]

    async def go(trusted: list[str]) -> object:
        settings = FetchSettings(user_agent="t", respect_robots=False)
        async with Fetcher(settings, trusted_hosts=trusted, resolver=loopback) as fetcher:
            return await fetcher.fetch(f"http://intranet.test:{port}/article.html", from_feed=True)
    refused = asyncio.run(go([]))
    assert isinstance(refused, FetchFailure) and refused.reason == "blocked-address"
    assert "intranet.test resolves to 127.0.0.1, a non-public address" in refused.message
    assert server.hits("/article.html") == []
    fetched = asyncio.run(go(["intranet.test"]))  # a configured source's host: connected, to the answer given
    assert isinstance(fetched, Fetched) and fetched.body == b"<p>internal</p>"
    assert server.hits("/article.html")[0].headers["host"] == f"intranet.test:{port}"


def test_behind_a_proxy_hosts_are_checked_before_the_request(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # the proxy resolves hosts itself: no pinning

    async def loopback(host: str, port: int) -> list[str]:
        return ["10.1.2.3"]

    async def go() -> object:
        settings = FetchSettings(user_agent="t", respect_robots=False)
        async with Fetcher(settings, resolver=loopback) as fetcher:
            return await fetcher.fetch("http://intranet.test/article.html", from_feed=True)
    result = asyncio.run(go())
    assert isinstance(result, FetchFailure) and result.reason == "blocked-address"
