"""The service endpoint of `monitor run`: /healthz, /metrics and the timeline pages.

A small threaded HTTP server: the checks it makes are cheap and it must answer
even while the event loop is busy.  Storage is checked with a connection of its
own, so the health thread never shares the pipeline's.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from monitor.database import open_database
from monitor.metrics import Metrics
from monitor.web.pages import Page, Pages


class HealthServer:
    def __init__(self, listen: str, db_path: str | Path, metrics: Metrics, status: Callable[[], dict[str, object]],
                 pages: Pages | None = None) -> None:
        host, _, port = listen.rpartition(":")
        self._db_path = db_path
        self._metrics = metrics
        self._status = status
        self._pages = pages
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                path = self.path.split("?")[0]
                extra: dict[str, str] = {}
                if path == "/healthz":
                    code, body, ctype = outer._health()
                elif path == "/metrics":
                    code, body, ctype = 200, outer._metrics.render(), "text/plain; version=0.0.4; charset=utf-8"
                elif outer._pages is not None and (page := outer._page(self.path, dict(self.headers.items()))):
                    code, body, ctype, extra = page.status, page.body, page.content_type, page.headers
                else:
                    code, body, ctype = 404, b"not found\n", "text/plain"
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                for key, value in extra.items():
                    self.send_header(key, value)
                if ctype.startswith("text/html"):  # pages show text from feeds: nothing on them may run
                    self.send_header("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; "
                                     "img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")
                    self.send_header("X-Content-Type-Options", "nosniff")
                    self.send_header("Referrer-Policy", "no-referrer")
                self.end_headers()
                self.wfile.write(body)

        self._httpd = ThreadingHTTPServer((host.strip("[]"), int(port)), Handler)
        self._httpd.daemon_threads = True
        self.address = f"{host}:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, name="health", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()

    def _page(self, target: str, headers: dict[str, str]) -> Page | None:
        assert self._pages is not None
        try:
            return self._pages.handle(target, {k.lower(): v for k, v in headers.items()})
        except Exception as exc:  # whatever the database's driver raises
            return Page(503, f"the state database does not answer: {type(exc).__name__}\n".encode(), "text/plain")

    def _storage_answers(self) -> bool:
        try:
            db = open_database(self._db_path, readonly=True)
            try:
                db.execute("SELECT COUNT(*) FROM sources").fetchone()
            finally:
                db.close()
        except Exception:  # whatever the database's driver raises: the answer is "no"
            return False
        return True

    def _health(self) -> tuple[int, bytes, str]:
        status = dict(self._status())
        status["storage"] = self._storage_answers()
        healthy = bool(status.get("scheduler")) and bool(status["storage"])
        status["status"] = "ok" if healthy else "unhealthy"
        status["time"] = time.time()
        return (200 if healthy else 503), json.dumps(status).encode() + b"\n", "application/json"
