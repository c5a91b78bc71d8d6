"""The floor for the poll-cycle benchmark: a bare httpx client doing the same work, nothing more.

Conditional GETs for every feed (bounded concurrency overall and per host, like the monitor),
GETs for the new articles, and trafilatura on each new page.  Input: a JSON file of
{"feeds": {url: etag}, "concurrency": n, "per_host": n}.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import defaultdict
from urllib.parse import urlsplit

import feedparser
import httpx
import trafilatura


async def main(spec: dict[str, object]) -> int:
    feeds: dict[str, str] = spec["feeds"]  # type: ignore[assignment]
    limit = asyncio.Semaphore(int(spec["concurrency"]))  # type: ignore[call-overload]
    hosts: dict[str, asyncio.Semaphore] = defaultdict(lambda: asyncio.Semaphore(int(spec["per_host"])))  # type: ignore[call-overload]
    async with httpx.AsyncClient(timeout=30, limits=httpx.Limits(max_connections=int(spec["concurrency"]))) as client:  # type: ignore[call-overload]

        async def get(url: str, etag: str | None = None) -> httpx.Response:
            async with limit, hosts[urlsplit(url).hostname or ""]:
                return await client.get(url, headers={"If-None-Match": etag} if etag else {})

        responses = await asyncio.gather(*(get(url, etag) for url, etag in feeds.items()))
        links = [entry.link for r in responses if r.status_code == 200 for entry in feedparser.parse(r.content).entries]
        pages = await asyncio.gather(*(get(link) for link in links))
    extracted = sum(1 for page in pages if trafilatura.extract(page.content, include_comments=False))
    return extracted


if __name__ == "__main__":
    with open(sys.argv[1], encoding="utf-8") as f:
        count = asyncio.run(main(json.load(f)))
    print(count)
