"""DNS failures become a one-line "dns" reason.

Mocked on purpose: a real DNS failure needs a query to a resolver off this machine, which tests must not
make. The mocks raise exactly what the resolver and httpx raise for an unknown name.
"""

from __future__ import annotations

import asyncio
import socket

import httpx

from monitor.fetch import Fetcher, FetchSettings
from monitor.model import FetchFailure


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


def test_unknown_host_of_a_feed_link_is_caught_by_the_address_check() -> None:
    async def go() -> object:
        loop = asyncio.get_running_loop()

        async def fail(*args: object, **kwargs: object) -> object:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

        loop.getaddrinfo = fail  # type: ignore[method-assign,assignment]
        settings = FetchSettings(user_agent="t", respect_robots=False)
        async with Fetcher(settings, transport=NoSuchHost()) as fetcher:
            return await fetcher.fetch("http://no-such-host.test/article.html", from_feed=True)
    result = asyncio.run(go())
    assert isinstance(result, FetchFailure) and result.reason == "dns"
    assert "cannot resolve no-such-host.test" in result.message and "\n" not in result.message
