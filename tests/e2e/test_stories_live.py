"""Several stories in a running service: a story added, given its own feed and removed without a restart;
source notices once per source; `--story`, `monitor sources` and `forget-story` (real processes)."""

from __future__ import annotations

import json
import signal
import sqlite3
import time
from pathlib import Path

from tests.conftest import LocalServer
from tests.e2e.support import (
    NEW_DEVELOPMENT,
    TOKEN,
    UNRELATED,
    Slack,
    cacheable,
    monitor,
    news_site,
    page,
    rss,
    write_story,
)
from tests.e2e.test_operations import Service, free_port, get

BIKE_SEED = """ date 2026-01-05 The city council is drawing up a plan for protected bike lanes in the old town.
Cyclists' groups have campaigned for separated lanes for years, and shop owners fear losing parking spaces.
The transport committee is to put a first route to a council vote early in the year.
"""

BIKE_NEWS = [
    "Road crews began building the council's first protected bike lanes in the old town on Thursday.",
    "The city engineer, Petra Holm, said cyclists could use the 1.8-kilometre stretch by the end of March.",
    "Shop owners in the old town filed a complaint with the county board to halt the bike lane works.",
    "The board has six weeks to decide on the shop owners' complaint, the council said.",
]


def _stories_config(path: Path, tmp: Path, slack: Slack, shared: str, *, bikes: str | None, ferry: bool = True,
                    port: int = 0) -> None:
    lines = ["stories:"]
    if ferry:
        lines += ["  - name: ferry", f"    seeds: [{write_story(tmp)}]", "    channel: '#ferry'"]
    if bikes is not None:
        seeds = tmp / "bike-seeds"
        seeds.mkdir(exist_ok=True)
        (seeds / "plan.txt").write_text(BIKE_SEED, encoding="utf-8")
        lines += ["  - name: bikes", f"    seeds: [{seeds}]", "    feeds:", f"      - url: {bikes}",
                  "        name: City hall", "        every: 1s"]
    lines += ["feeds:", f"  - url: {shared}", "    name: Port News", "    every: 1s",
              "slack:", "  token: ${SLACK_BOT_TOKEN}", "  channel: '#desk'", f"  api_url: {slack.api_url}",
              "http:", "  allow_private_networks: true", "storage:", f"  url: sqlite:///{tmp / 'state.db'}",
              "service:", f"  listen: 127.0.0.1:{port or free_port()}"]
    staged = path.with_suffix(".tmp")
    staged.write_text("\n".join(lines) + "\n", encoding="utf-8")
    staged.replace(path)  # atomic, like an editor's save


def _wait(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)  # polling an outside process's effect, not synchronising threads of ours
    return False


def _channels(slack: Slack) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for message in slack.alerts():
        payload = message["metadata"]["event_payload"]  # type: ignore[index]
        out.setdefault(str(message["channel"]), []).append(f"{payload['story']}:{payload['title']}")
    return out


def test_a_story_added_fed_and_removed_while_running(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    shared = news_site(server, [
        ("ferry-fine", "Court fines ferry union", "Mon, 02 Feb 2026 09:00:00 GMT",
         page("Court fines ferry union", NEW_DEVELOPMENT)),
        ("bike-vote", "Council votes for bike lanes", "Tue, 03 Feb 2026 09:00:00 GMT",
         page("Council votes for bike lanes", UNRELATED))])
    server.routes["/city.html"] = cacheable(page("Bike lane works begin", BIKE_NEWS), "text/html")
    city = server.url("/city.xml")
    server.routes["/city.xml"] = cacheable(rss([("maps", "Bike lane works begin", server.url("/city.html"),
                                                 "Thu, 05 Feb 2026 09:00:00 GMT")], server.base), "application/rss+xml")
    config = tmp_path / "monitor.yaml"
    port = free_port()
    _stories_config(config, tmp_path, slack, shared, bikes=None, port=port)
    with Service(config, SLACK_BOT_TOKEN=TOKEN) as service:
        service.wait_for_log("monitor running", timeout=30)
        assert _wait(lambda: _channels(slack).get("#ferry"), 30), "the ferry story's alert never came"
        assert _channels(slack) == {"#ferry": ["ferry:Court fines ferry union"]}  # the bike item is off-topic here

        # A second story, with a feed of its own, added to the file: loaded and polled without a restart.
        _stories_config(config, tmp_path, slack, shared, bikes=city, port=port)
        service.wait_for_log("config reloaded", timeout=15)
        assert _wait(lambda: len(_channels(slack).get("#desk", [])) == 2, 30), _channels(slack)
        # The shared item the ferry story had already judged is now judged by the bike story, in its channel.
        assert sorted(_channels(slack)["#desk"]) == ["bikes:Bike lane works begin",
                                                     "bikes:Council votes for bike lanes"]
        assert _channels(slack)["#ferry"] == ["ferry:Court fines ferry union"]
        # The cycle counts its alerts when it ends, after delivering them: wait for that, not for Slack.
        counted = b'monitor_alerts_total{kind="new",story="bikes"} 2.0'
        assert _wait(lambda: counted in get(f"http://127.0.0.1:{port}/metrics")[1], 15)
        status, body = get(f"http://127.0.0.1:{port}/metrics")
        assert status == 200
        assert b'monitor_alerts_total{kind="new",story="ferry"} 1.0' in body

        # The ferry story removed: the service goes on with the other, and keeps the ferry story's data.
        _stories_config(config, tmp_path, slack, shared, bikes=city, ferry=False, port=port)
        service.wait_for_log("story removed", timeout=15)
        service.wait_for_log("config reloaded", timeout=15)
        service.proc.send_signal(signal.SIGTERM)
        assert service.proc.wait(timeout=15) == 0
    with sqlite3.connect(tmp_path / "state.db") as db:
        by_story = dict(db.execute("SELECT story, COUNT(*) FROM items GROUP BY story"))
    assert by_story == {"ferry": 2, "bikes": 3}  # the ferry story never read the city hall feed

    listed = monitor("sources", "--config", str(config))
    assert {row["name"]: row["stories"] for row in json.loads(listed.stdout)} == {"Port News": ["bikes"],
                                                                                  "City hall": ["bikes"]}
    decisions = monitor("decisions", "--config", str(config), "--story", "bikes")
    assert decisions.stdout.count("alert-new") == 2 and "Court fines ferry union" in decisions.stdout
    wrong = monitor("claims", "--config", str(config), "--story", "ferry")
    assert wrong.returncode == 2 and "--story ferry: no such story" in wrong.stderr
    forgot = monitor("forget-story", "ferry", "--config", str(config))
    assert forgot.returncode == 0, forgot.stderr
    assert "forgot story ferry: 2 item(s)" in forgot.stdout
    refused = monitor("forget-story", "bikes", "--config", str(config))
    assert refused.returncode == 2 and "still in" in refused.stderr
    with sqlite3.connect(tmp_path / "state.db") as db:
        assert db.execute("SELECT COUNT(*) FROM items WHERE story = 'ferry'").fetchone()[0] == 0
        assert db.execute("SELECT COUNT(*) FROM claims WHERE story = 'ferry'").fetchone()[0] == 0


def test_a_failing_source_of_several_stories_is_reported_once(tmp_path: Path, server: LocalServer) -> None:
    slack = Slack(server)
    shared = server.url("/gone.xml")  # not served: 404 on every poll
    config = tmp_path / "monitor.yaml"
    _stories_config(config, tmp_path, slack, shared, bikes=server.url("/also-gone.xml"))
    for _ in range(3):  # failure_notice_after: 3
        monitor("once", "--config", str(config))
    notices = [m for m in slack.messages if m["metadata"]["event_type"] == "source_status"]  # type: ignore[index]
    assert sorted(m["metadata"]["event_payload"]["source"] for m in notices) == ["City hall", "Port News"]  # type: ignore[index]
    assert {m["channel"] for m in notices} == {"#desk"}
