"""Real feeds and real news pages that other projects publish as test fixtures (../shared/realworld).

None of them is about the story, so the monitor must read them all (odd encodings, broken XML, an
HTML page served as a feed), report the unreadable ones alone, extract the pages (linked from the
feeds, and a few watched as pages), and post nothing.
The feeds' links point at the real sites: every absolute URL in them is rewritten to a page on
127.0.0.1 before they are served, and the test checks that no entry link is left pointing elsewhere.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from pathlib import Path

import pytest

from monitor.errors import ParseError
from monitor.sources.feed import parse_feed
from tests.conftest import REPO, SHARED, LocalServer, Response
from tests.e2e.support import Slack, monitor

REALWORLD = SHARED / "realworld"
pytestmark = pytest.mark.skipif(not REALWORLD.is_dir(), reason="../shared/realworld is not beside this checkout")

# An absolute URL, unless it names an XML namespace (rewriting those would break the feed).
_URL = re.compile(rb"""(xmlns(?::[\w.-]+)?\s*=\s*["'])?(https?://[^\s"'<>\]]+)""")


def real_pages() -> list[Path]:
    pages = REALWORLD / "pages"
    return sorted(p for p in pages.rglob("*.html") if p.name != "expected.html")


def real_feeds() -> list[Path]:
    return sorted(p for p in (REALWORLD / "feeds").rglob("*") if p.suffix in {".xml", ".rss", ".atom"})


def localise(body: bytes, page_url: list[str]) -> bytes:
    """Every absolute URL but namespaces -> one of the local pages, in turn."""
    turn = iter(range(10**9))

    def replace(match: re.Match[bytes]) -> bytes:
        if match.group(1):
            return match.group(0)
        return page_url[next(turn) % len(page_url)].encode()

    return _URL.sub(replace, body)


def test_real_feeds_and_pages_are_read_and_nothing_is_posted(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    pages = real_pages()
    page_urls = []
    for i, page in enumerate(pages):
        path = f"/page/{i}.html"
        server.routes[path] = Response(200, page.read_bytes(), {"Content-Type": "text/html"})
        page_urls.append(server.url(path))
    feed_urls = {}
    for i, feed in enumerate(real_feeds()):
        path = f"/feed/{i}{feed.suffix}"
        body = localise(feed.read_bytes(), page_urls)
        server.routes[path] = Response(200, body, {"Content-Type": "application/xml"})
        feed_urls[server.url(path)] = feed
        # The guard that keeps this test on 127.0.0.1: what the monitor would fetch is local.
        try:
            entries = parse_feed(body, {"content-type": "application/xml"}, server.url(path), feed.name)
        except ParseError:  # unreadable feeds are the monitor's to report; it follows no link from them
            continue
        stray = [e.link for e in entries if e.link and not e.link.startswith(server.base)]
        assert not stray, f"{feed}: links not rewritten to 127.0.0.1: {stray[:3]}"

    config = tmp_path / "monitor.yaml"
    config.write_text("\n".join(
        ["story:", f"  seeds: [{REPO / 'seeds'}]", "feeds:"]
        + [f"  - url: {url}\n    name: {feed.parent.name}/{feed.name}" for url, feed in feed_urls.items()]
        + [f"  - url: {url}\n    name: watched {i}\n    kind: page" for i, url in enumerate(page_urls[::15])]
        + ["slack:", "  token: ${SLACK_BOT_TOKEN}", "  channel: '#story'", f"  api_url: {slack.api_url}",
           "storage:", f"  url: sqlite:///{tmp_path / 'state.db'}"]) + "\n", encoding="utf-8")

    done = monitor("once", "--config", str(config))

    assert done.returncode == 0, done.stderr[-3000:]
    assert slack.alerts() == [], "an article that is not about the story was posted"
    requested = {r.path.split("?")[0] for r in server.requests}
    assert len(requested & {f"/page/{i}.html" for i in range(len(pages))}) >= len(pages) // 2, \
        "the feeds' articles were not fetched"

    sources = json.loads(monitor("sources", "--config", str(config)).stdout)
    failed = {s["name"]: s["last_error"] for s in sources if s["errors"]}
    assert len(failed) < len(sources) // 4, f"most real feeds should be readable: {failed}"
    assert not [name for name in failed if name.startswith("watched")], "a real page watched for changes failed"
    for name, error in failed.items():
        assert error and ("feed" in error.lower() or "parse" in error.lower() or "xml" in error.lower()), \
            f"{name}: the failure should say what is wrong with the feed: {error!r}"

    with sqlite3.connect(tmp_path / "state.db") as db:
        titles = {source: [t for (t,) in db.execute("SELECT title FROM items WHERE source_url = ?", (url,))]
                  for url, source in ((u, f.name) for u, f in feed_urls.items())}
        verdicts = {v for (v,) in db.execute("SELECT verdict FROM items")}
    assert not any(v.startswith("alert") for v in verdicts), verdicts
    # Declared and undeclared legacy encodings come out as the right script, not as mojibake.
    russian, urdu = titles["encoding_WINDOWS-1251.xml"], titles["urdu_UTF8.xml"]
    assert russian and all(_script(t) == "CYRILLIC" for t in russian), russian[:3]
    assert urdu and all(_script(t) == "ARABIC" for t in urdu), urdu[:3]
    assert all("Ã" not in t for t in titles["no_encoding_ISO-8859-1.xml"] + titles["encoding_ISO-8859-1.xml"])


def _script(text: str) -> str:
    """The script of most of the text's letters (CYRILLIC, ARABIC, LATIN...)."""
    scripts = [unicodedata.name(c, "?").split()[0] for c in text if c.isalpha()]
    return max(set(scripts), key=scripts.count) if scripts else ""
