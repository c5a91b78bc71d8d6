"""The timeline page in a real browser: Debian's chromium, headless, loads the page `monitor run` serves over
the database the evaluation harness left after the dev corpus, and the rendered DOM is checked."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import lxml.html
import pytest

from tests.conftest import LocalServer, Response
from tests.e2e.conftest import HarnessRun
from tests.e2e.support import TOKEN
from tests.e2e.test_operations import Service, free_port

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
INJECTED = "<script>document.title='owned'</script> Pentagon memo leaks"


def serve_harness_database(run: HarnessRun, tmp: Path, server: LocalServer) -> tuple[Path, int]:
    """A config for `monitor run` over a copy of the harness's database, with one quiet feed; its port."""
    shutil.copyfile(run.workdir / "monitor.db", tmp / "state.db")
    server.routes["/quiet.xml"] = Response(200, b"<?xml version='1.0'?><rss version='2.0'><channel><title>q</title>"
                                                b"</channel></rss>", {"Content-Type": "application/rss+xml"})
    port = free_port()
    config = tmp / "monitor.yaml"
    config.write_text("\n".join(["story:", "  seeds:", *[f"    - {s}" for s in run.seeds], "feeds:",
                                 f"  - url: {server.url('/quiet.xml')}", "    every: 1h", "http:",
                                 "  allow_private_networks: true", "storage:", f"  url: sqlite:///{tmp / 'state.db'}",
                                 "service:", f"  listen: 127.0.0.1:{port}"]) + "\n", encoding="utf-8")
    return config, port


def _inject_hostile_alert(db_path: Path) -> None:
    """An alert whose title a hostile feed wrote, stored as the pipeline stores alerts."""
    with sqlite3.connect(db_path) as db:
        story = db.execute("SELECT story FROM items LIMIT 1").fetchone()[0]
        db.execute("INSERT INTO items (story, source_url, item_key, url, canonical_url, title, published, "
                   "processed_at, verdict, reason, detail, alert_id) VALUES (?, 'http://127.0.0.1:9/f', 'hostile', "
                   "'http://127.0.0.1:9/h', 'http://127.0.0.1:9/h', ?, '2026-03-01T10:00:00+00:00', "
                   "(SELECT MAX(processed_at) + 1 FROM items), 'alert-new', 'r', "
                   "'[{\"text\": \"<img src=x onerror=alert(1)> A claim.\", \"status\": \"new\"}]', "
                   "'alert:00000000000000000000000000hostile')", (story, INJECTED))


def chromium(profile: Path, *args: str) -> str:
    assert CHROMIUM is not None
    done = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                           "--hide-scrollbars", f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def dom(url: str, profile: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(chromium(profile, "--dump-dom", url))


@pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (make test installs Debian's where it can)")
def test_the_timeline_page_renders_in_a_browser(dev_corpus_run: HarnessRun, tmp_path: Path,
                                                server: LocalServer) -> None:
    config, port = serve_harness_database(dev_corpus_run, tmp_path, server)
    _inject_hostile_alert(tmp_path / "state.db")
    with sqlite3.connect(tmp_path / "state.db") as db:
        expected = [r[0].removeprefix("alert:") for r in db.execute(
            "SELECT alert_id FROM items WHERE alert_id IS NOT NULL ORDER BY processed_at DESC, id DESC LIMIT 50")]
        contradictions = db.execute("SELECT COUNT(*) FROM items WHERE verdict = 'alert-contradiction'").fetchone()[0]
    with Service(config, SLACK_BOT_TOKEN=TOKEN) as service:
        service.wait_for_log("monitor running", timeout=60)
        page = dom(f"http://127.0.0.1:{port}/stories/default", tmp_path / "profile")
        index = dom(f"http://127.0.0.1:{port}/", tmp_path / "profile")
        if shot := os.environ.get("SCREENSHOT"):  # `make screenshot`: the contradictions, for the README
            chromium(tmp_path / "profile", f"--screenshot={shot}", "--window-size=1100,1500",
                     f"http://127.0.0.1:{port}/stories/default?kind=contradiction")
            if phone := os.environ.get("SCREENSHOT_PHONE"):
                chromium(tmp_path / "profile", f"--screenshot={phone}", "--window-size=390,1200",
                         f"http://127.0.0.1:{port}/stories/default?kind=contradiction")
    # Alerts newest first, as decided.
    assert [a.get("id").removeprefix("alert-") for a in page.cssselect("article.alert")] == expected
    assert contradictions and len(page.cssselect(".contradiction-pair")) >= 1
    pair = page.cssselect(".contradiction-pair")[0]
    assert pair.cssselect(".is") and pair.cssselect(".was") and pair.cssselect(".was")[0].text_content().strip()
    assert len(page.cssselect("svg.chart rect")) >= 3
    # The hostile title is text, and nothing it carried ran: no script element, the title untouched.
    headline = page.cssselect(f"#alert-{expected[0]} a.headline")[0]
    assert headline.text_content() == INJECTED
    assert not page.cssselect("script") and not page.cssselect("article img")
    assert page.findtext(".//title") != "owned"
    assert page.cssselect("table.ledger tr") and page.cssselect("table.sources tr")
    assert [a.text_content() for a in index.cssselect(".story h2 a")] == ["default"]
