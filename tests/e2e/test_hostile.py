"""Hostile sources in one cycle: each fails with a one-line reason (or parses safely), the others proceed."""

from __future__ import annotations

import os
import socket
import sqlite3
import subprocess
import threading
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LocalServer, Response
from tests.e2e.support import MONITOR, NEW_DEVELOPMENT, TOKEN, Slack, cacheable, page, rss, write_config

MONDAY = "Mon, 12 Jan 2026 10:00:00 GMT"


class SlowDrip:
    """A server that answers with headers, then one byte at a time, never finishing."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen()
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/feed.xml"
        self.stop = threading.Event()
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self._drip, args=(conn,), daemon=True).start()

    def _drip(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.recv(65536)
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: application/rss+xml\r\nContent-Length: 100000\r\n\r\n")
                while not self.stop.wait(0.05):
                    conn.sendall(b" ")
            except OSError:
                return

    def close(self) -> None:
        self.stop.set()
        self.sock.close()


def closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{s.getsockname()[1]}/feed.xml"


@pytest.fixture
def slow() -> Iterator[SlowDrip]:
    server = SlowDrip()
    yield server
    server.close()


def test_hostile_sources_fail_alone(tmp_path: Path, server: LocalServer, slow: SlowDrip) -> None:
    slack = Slack(server)
    server.routes["/news/court.html"] = cacheable(page("Court fines ferry union", NEW_DEVELOPMENT), "text/html")
    server.routes["/good.xml"] = cacheable(rss([("court", "Court fines ferry union", server.url("/news/court.html"),
                                                 MONDAY)], server.base), "application/rss+xml")
    xml = "application/rss+xml"
    hostile = {
        "/truncated.xml": Response(200, rss([("t", "Truncated", server.url("/x"), MONDAY)], server.base)[:-40],
                                   {"Content-Type": xml}),
        "/garbage.xml": Response(200, b"\x00\x01\x02 not xml at all <<<>>>", {"Content-Type": xml}),
        "/html.xml": Response(200, b"<html><body><h1>Welcome</h1><p>No feed here.</p></body></html>",
                              {"Content-Type": "text/html"}),
        "/xxe.xml": Response(200, b"""<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<rss version="2.0"><channel><title>x</title><item><title>&x;</title><guid>x</guid></item></channel></rss>""",
                             {"Content-Type": xml}),
        "/laughs.xml": Response(200, b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
                                + b"".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">'.encode()
                                           for i in range(8))
                                + b']><rss version="2.0"><channel><title>&i;</title></channel></rss>',
                                {"Content-Type": xml}),
        "/latin1.xml": Response(200, '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>'
                                'Caf\xe9</title><item><title>Ferry caf\xe9 opens</title><guid>c</guid></item>'
                                '</channel></rss>'.encode("latin-1"), {"Content-Type": xml}),
        "/bomb.xml": Response(200, gzip_bomb(60_000_000), {"Content-Type": xml, "Content-Encoding": "gzip"}),
        "/huge.xml": Response(200, b"<rss>" + b"x" * 6_000_000, {"Content-Type": xml}),
        "/loop.xml": Response(302, b"", {"Location": "/loop.xml"}),
        "/gone.xml": Response(410, b"gone"),
        "/error.xml": Response(500, b"boom"),
    }
    server.routes.update(hostile)
    sources = [(server.url(path), "feed") for path in hostile] + [
        (slow.url, "feed"), (closed_port_url(), "feed"), (server.url("/good.xml"), "feed")]
    config = write_config(tmp_path, sources, slack, http="  allow_private_networks: true\n  total_timeout: 2s")
    done = subprocess.run([MONITOR, "once", "--config", str(config)], capture_output=True, text=True, timeout=120,
                          env=dict(os.environ, SLACK_BOT_TOKEN=TOKEN))
    stdout, stderr = done.stdout, done.stderr
    assert done.returncode == 0, stderr[-3000:]

    # The good feed's development reached Slack despite everything else.
    assert [a["metadata"]["event_payload"]["url"] for a in slack.alerts()] == [  # type: ignore[index]
        server.url("/news/court.html")]
    failures = {line.split(": ", 2)[1]: line for line in stderr.splitlines() if line.startswith("source failed: ")}
    expected = {"/garbage.xml": "not a valid feed", "/html.xml": "not a valid feed", "/bomb.xml": "byte limit",
                "/huge.xml": "byte limit", "/loop.xml": "redirects", "/gone.xml": "HTTP 410",
                "/error.xml": "HTTP 500"}
    with sqlite3.connect(tmp_path / "state.db") as db:
        state = {url: (errors, error) for url, errors, error in
                 db.execute("SELECT url, error_count, last_error FROM sources")}
    for path, reason in expected.items():
        errors, error = state[server.url(path)]
        assert errors == 1 and reason in (error or ""), (path, error)
        assert "\n" not in error
    assert state[slow.url][0] == 1 and "within 2s" in state[slow.url][1]
    assert "refused" in stderr or "cannot connect" in stderr
    # Tolerated: a truncated feed, a wrongly declared encoding, entity tricks - parsed without leaking files.
    assert "root:" not in stdout + stderr
    with sqlite3.connect(tmp_path / "state.db") as db:
        titles = " ".join(t or "" for (t,) in db.execute("SELECT title FROM items"))
    assert "root:" not in titles
    assert failures  # every failure was also reported on stderr, one line each


def gzip_bomb(inflated: int) -> bytes:
    """A gzip body that inflates to ``inflated`` bytes, built without holding them in memory."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b" " * 1_000_000
    parts = [packer.compress(b"<rss>")] + [packer.compress(block) for _ in range(inflated // len(block))]
    return b"".join([*parts, packer.flush()])


def peak_rss_mb(config: Path) -> tuple[int, str]:
    proc = subprocess.Popen([MONITOR, "once", "--config", str(config)], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    _, status, usage = os.wait4(proc.pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert proc.stderr is not None
    return usage.ru_maxrss // 1024, proc.stderr.read()


def test_memory_stays_bounded_under_a_gzip_bomb(tmp_path: Path, server: LocalServer) -> None:
    server.routes["/empty.xml"] = Response(200, rss([], server.base), {"Content-Type": "application/rss+xml"})
    server.routes["/bomb.xml"] = Response(200, gzip_bomb(500_000_000), {"Content-Type": "application/rss+xml",
                                                                      "Content-Encoding": "gzip"})
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    baseline, _ = peak_rss_mb(write_config(tmp_path / "a", [(server.url("/empty.xml"), "feed")], None))
    bombed, stderr = peak_rss_mb(write_config(tmp_path / "b", [(server.url("/bomb.xml"), "feed")], None))
    assert "over the 5,242,880-byte limit" in stderr
    assert bombed - baseline < 40, f"500 MB bomb: peak {bombed} MB vs {baseline} MB for an empty feed"


def test_feed_links_to_private_addresses_are_not_fetched(tmp_path: Path, server: LocalServer) -> None:
    """SSRF: a feed on a configured host links to another loopback address; neither the link nor a redirect
    to it is fetched when private networks are not allowed. The alert falls back to the feed summary."""
    other = LocalServer("127.0.0.2").start()
    try:
        secret = other.url("/admin")
        other.routes["/admin"] = Response(200, b"<html><body><p>internal</p></body></html>",
                                          {"Content-Type": "text/html"})
        server.routes["/hop.html"] = Response(302, b"", {"Location": secret})
        summary = " ".join(NEW_DEVELOPMENT[:2])
        body = (f"<rss version='2.0'><channel><title>Port</title>"
                f"<item><title>Court fines ferry union</title><link>{secret}</link><guid>a</guid>"
                f"<pubDate>{MONDAY}</pubDate><description>{summary}</description></item>"
                f"<item><title>Union to appeal ferry ruling</title><link>{server.url('/hop.html')}</link><guid>b</guid>"
                f"<pubDate>{MONDAY}</pubDate><description>{NEW_DEVELOPMENT[2]}</description></item>"
                "</channel></rss>").encode()
        server.routes["/feed.xml"] = Response(200, body, {"Content-Type": "application/rss+xml"})
        config = write_config(tmp_path, [(server.url("/feed.xml"), "feed")], None,
                              http="  allow_private_networks: false")
        done = subprocess.run([MONITOR, "once", "--config", str(config)], capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, done.stderr
        assert other.requests == []  # the private address was never contacted, directly or by redirect
        assert len(server.hits("/hop.html")) == 1  # the configured host itself is allowed
        assert "non-public address" in done.stdout  # the alert says why it used the summary
    finally:
        other.stop()

