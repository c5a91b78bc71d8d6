"""Loopback news hosts for the benchmarks: feeds with ETags (304 when unchanged) and article pages."""

from __future__ import annotations

import hashlib
import multiprocessing
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from multiprocessing.connection import Connection

from bench.corpus import article_page


class NewsHosts:
    """One server per address 127.0.0.1 ... 127.0.0.N, sharing one port; all state in memory."""

    def __init__(self, hosts: int) -> None:
        self.feeds: dict[str, bytes] = {}     # path -> RSS body
        self.pages: dict[str, bytes] = {}     # path -> HTML
        self._servers = []
        handler = self._handler()
        first = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.port = first.server_address[1]
        self._servers.append(first)
        for n in range(2, hosts + 1):
            self._servers.append(ThreadingHTTPServer((f"127.0.0.{n}", self.port), handler))
        for server in self._servers:
            server.daemon_threads = True
            server.request_queue_size = 256
            threading.Thread(target=server.serve_forever, daemon=True).start()

    def base(self, n: int) -> str:
        return f"http://127.0.0.{n}:{self.port}"

    @staticmethod
    def etag(body: bytes) -> str:
        return '"' + hashlib.sha1(body).hexdigest()[:16] + '"'

    def set_feed(self, path: str, items: list[tuple[str, str]]) -> None:
        """items: (guid, link)."""
        xml = "".join(f"<item><title>Update {guid}</title><link>{link}</link><guid>{guid}</guid>"
                      f"<pubDate>Sun, 01 Mar 2026 10:00:00 GMT</pubDate><description>d</description></item>"
                      for guid, link in items)
        self.feeds[path] = (f"<?xml version='1.0'?><rss version='2.0'><channel><title>{path}</title>"
                            f"<link>http://127.0.0.1/</link><description>bench</description>{xml}"
                            "</channel></rss>").encode()

    def add_page(self, path: str, seed: int) -> None:
        self.pages[path] = article_page(seed)

    def close(self) -> None:
        for server in self._servers:
            server.shutdown()
            server.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        hosts = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                body = hosts.feeds.get(path) or hosts.pages.get(path)
                if body is None:
                    self._send(404, b"", {})
                    return
                tag = hosts.etag(body)
                if self.headers.get("If-None-Match") == tag:
                    self._send(304, b"", {"ETag": tag})
                else:
                    kind = "application/rss+xml" if path in hosts.feeds else "text/html; charset=utf-8"
                    self._send(200, body, {"ETag": tag, "Content-Type": kind})

            def _send(self, status: int, body: bytes, headers: dict[str, str]) -> None:
                self.send_response(status)
                for key, value in {**headers, "Content-Length": str(len(body))}.items():
                    self.send_header(key, value)
                self.end_headers()
                self.wfile.write(body)

        return Handler


@contextmanager
def pages_in_child(hosts: int, pages: dict[str, int]) -> Iterator[int]:
    """Serve pages (path -> corpus seed) from NewsHosts in a child process; yields the port.

    The server threads then never hold the interpreter lock of the process being measured: a
    real monitor does not serve the pages it reads.
    """
    context = multiprocessing.get_context("fork")
    parent_end, child_end = context.Pipe()
    child = context.Process(target=_serve, args=(hosts, pages, child_end), daemon=True)
    child.start()
    try:
        yield parent_end.recv()
    finally:
        parent_end.send("stop")
        child.join(10)


def _serve(hosts: int, pages: dict[str, int], conn: Connection) -> None:
    news = NewsHosts(hosts)
    for path, seed in pages.items():
        news.add_page(path, seed)
    conn.send(news.port)
    conn.recv()
    news.close()
