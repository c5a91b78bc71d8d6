"""`monitor run` as a service: health, metrics, live config edits, SIGHUP and SIGTERM (real process)."""

from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import LocalServer, Request, Response

MONITOR = str(Path(sys.executable).with_name("monitor"))
RSS = b"""<?xml version="1.0"?><rss version="2.0"><channel><title>t</title><link>http://127.0.0.1/</link>
<description>d</description></channel></rss>"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Feed:
    """A feed route that signals each time it is polled."""

    def __init__(self, server: LocalServer, path: str) -> None:
        self.path = path
        self.url = server.url(path)
        self.polled = threading.Event()
        server.routes[path] = self

    def __call__(self, request: Request) -> Response:
        self.polled.set()
        return Response(200, RSS, {"Content-Type": "application/rss+xml"})


class Service:
    def __init__(self, config: Path, **env: str) -> None:
        self.proc = subprocess.Popen([MONITOR, "run", "--config", str(config)], stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, text=True,
                                     env=dict(os.environ, MONITOR_CONFIG="", **env))
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def __enter__(self) -> Service:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def stop(self) -> None:
        """Kill the process if it still runs (its test ended early), and wait for it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.put(line)

    def wait_for_log(self, needle: str, timeout: float) -> dict[str, object]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=deadline - time.monotonic())
            except queue.Empty:
                break
            if needle in line:
                return json.loads(line)  # type: ignore[no-any-return]
        raise AssertionError(f"no log line with {needle!r} within {timeout}s")


def write_config(path: Path, feeds: list[str], port: int, tmp: Path, extra: str = "") -> None:
    seeds = tmp / "seeds"
    seeds.mkdir(exist_ok=True)
    (seeds / "story.yaml").write_text(
        "story: test\nclaims:\n  - text: The harbour authority runs four ferries across the bay.\n"
        "    source: Port Gazette\n    date: 2026-01-01\n", encoding="utf-8")
    lines = ["story:", f"  seeds: [{seeds}]", "feeds:"]
    for url in feeds:
        lines += [f"  - url: {url}", "    every: 1s"]
    lines += ["http:", "  allow_private_networks: true", "storage:", f"  url: sqlite:///{tmp / 'state.db'}",
              "service:", f"  listen: 127.0.0.1:{port}", extra]
    tmp_file = path.with_suffix(".tmp")
    tmp_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    tmp_file.replace(path)  # atomic, like an editor's save


@pytest.fixture
def running(tmp_path: Path, server: LocalServer) -> Iterator[tuple[Service, Path, int, Feed]]:
    feed = Feed(server, "/a.xml")
    port = free_port()
    config = tmp_path / "monitor.yaml"
    write_config(config, [feed.url], port, tmp_path)
    with Service(config) as service:
        yield service, config, port, feed


def get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def test_health_metrics_live_edits_and_sigterm(running: tuple[Service, Path, int, Feed], server: LocalServer,
                                               tmp_path: Path) -> None:
    service, config, port, feed_a = running
    service.wait_for_log("monitor running", timeout=20)
    assert feed_a.polled.wait(10), "the configured feed was never polled"

    status, body = get(f"http://127.0.0.1:{port}/healthz")
    assert status == 200
    health = json.loads(body)
    assert health["status"] == "ok" and health["storage"] is True and health["scheduler"] is True

    status, body = get(f"http://127.0.0.1:{port}/metrics")
    assert status == 200
    assert b"monitor_polls_total" in body and b"monitor_outbox_size" in body

    # A feed added to the YAML is polled within two intervals (plus the file check).
    feed_b = Feed(server, "/b.xml")
    write_config(config, [feed_a.url, feed_b.url], port, tmp_path)
    service.wait_for_log("config reloaded", timeout=10)
    assert feed_b.polled.wait(2 * 1 + 3), "the added feed was not polled within two intervals"

    # An invalid edit is rejected with its precise error, and polling goes on.
    write_config(config, [feed_a.url, feed_b.url], port, tmp_path, extra="typo_section: 1")
    rejected = service.wait_for_log("config edit rejected", timeout=10)
    assert "typo_section" in str(rejected["error"]) and "unknown key" in str(rejected["error"])
    feed_a.polled.clear()
    assert feed_a.polled.wait(5), "polling stopped after an invalid edit"

    # SIGHUP re-reads the file on demand.
    write_config(config, [feed_a.url], port, tmp_path)
    service.proc.send_signal(signal.SIGHUP)
    service.wait_for_log("config reloaded", timeout=10)

    started = time.monotonic()
    service.proc.send_signal(signal.SIGTERM)
    assert service.proc.wait(timeout=10) == 0
    assert time.monotonic() - started < 10


def test_unhealthy_when_storage_is_gone(running: tuple[Service, Path, int, Feed], tmp_path: Path) -> None:
    service, _config, port, feed = running
    service.wait_for_log("monitor running", timeout=20)
    assert feed.polled.wait(10)
    (tmp_path / "state.db").rename(tmp_path / "moved.db")
    status, body = get(f"http://127.0.0.1:{port}/healthz")
    assert status == 503
    assert json.loads(body)["storage"] is False
