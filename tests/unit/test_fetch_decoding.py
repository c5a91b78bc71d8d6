"""Content-Encoding is decoded in bounded steps: normal bodies intact, bombs stopped at the cap."""

from __future__ import annotations

import asyncio
import gzip
import zlib

import pytest

from monitor.fetch import Fetcher, FetchSettings
from monitor.model import Fetched, FetchFailure
from tests.conftest import LocalServer, Response

BODY = b"<rss version='2.0'><channel><title>ferry</title></channel></rss>" * 500


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, -zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def fetch(url: str, max_bytes: int = 1_000_000) -> Fetched | FetchFailure:
    async def go() -> Fetched | FetchFailure:
        settings = FetchSettings(user_agent="test", max_bytes=max_bytes, allow_private_networks=True)
        async with Fetcher(settings) as fetcher:
            return await fetcher.fetch(url)
    return asyncio.run(go())


@pytest.mark.parametrize(("encoding", "encode"), [
    ("gzip", gzip.compress), ("x-gzip", gzip.compress), ("deflate", zlib.compress), ("deflate", raw_deflate),
    ("identity", lambda b: b),
])
def test_encoded_bodies_are_decoded(server: LocalServer, encoding: str, encode) -> None:  # type: ignore[no-untyped-def]
    server.routes["/f"] = Response(200, encode(BODY), {"Content-Encoding": encoding})
    result = fetch(server.url("/f"))
    assert isinstance(result, Fetched) and result.body == BODY


def test_bomb_is_stopped_at_the_cap(server: LocalServer) -> None:
    server.routes["/bomb"] = Response(200, gzip.compress(b"\\0" * 20_000_000), {"Content-Encoding": "gzip"})
    result = fetch(server.url("/bomb"), max_bytes=100_000)
    assert isinstance(result, FetchFailure) and result.reason == "too-large"


def test_unknown_or_broken_encoding_is_a_clear_failure(server: LocalServer) -> None:
    server.routes["/br"] = Response(200, b"\\x8b\\x00", {"Content-Encoding": "br"})
    server.routes["/broken"] = Response(200, b"definitely not gzip", {"Content-Encoding": "gzip"})
    for path in ("/br", "/broken"):
        result = fetch(server.url(path))
        assert isinstance(result, FetchFailure) and result.reason == "bad-encoding", result
        assert server.url(path) in result.message
