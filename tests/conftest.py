"""Shared test fixtures: real HTTP servers on 127.0.0.1, started and stopped by the tests."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from scripts.postgres_server import PostgresMissing, PostgresServer, local_postgres

SHARED = Path(__file__).resolve().parents[2] / "shared"
REPO = Path(__file__).resolve().parents[1]


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


Route = Callable[["Request"], Response]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"{}")


class LocalServer:
    """A threaded HTTP server on 127.0.0.1 serving whatever routes a test sets; records requests."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.routes: dict[str, Route | Response] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                request = Request(self.command, self.path, {k.lower(): v for k, v in self.headers.items()}, body)
                with server._lock:
                    server.requests.append(request)
                    route = server.routes.get(self.path.split("?")[0])
                response = Response(404, b"not found") if route is None else (
                    route(request) if callable(route) else route)
                self.send_response(response.status)
                headers = {"Content-Length": str(len(response.body)), **response.headers}
                for key, value in headers.items():
                    self.send_header(key, value)
                self.end_headers()
                if self.command != "HEAD":
                    self.wfile.write(response.body)

            do_GET = do_POST = do_HEAD = _handle

        self.httpd = ThreadingHTTPServer((host, 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.base = f"http://{host}:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str) -> str:
        return self.base + path

    def hits(self, path: str) -> list[Request]:
        with self._lock:
            return [r for r in self.requests if r.path.split("?")[0] == path]


@pytest.fixture
def server() -> Iterator[LocalServer]:
    srv = LocalServer().start()
    yield srv
    srv.stop()


# ---------------------------------------------------------------------------- PostgreSQL

@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    try:
        with local_postgres() as server:
            yield server
    except PostgresMissing as exc:
        pytest.skip(str(exc))


@pytest.fixture(params=["sqlite", "postgresql"])
def state_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh state database of each kind: a SQLite file, or a database on the session's PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "state.db")
    server: PostgresServer = request.getfixturevalue("postgres_server")
    return server.new_database()
