"""Replicas on one PostgreSQL server (started by the test session): two and three `monitor once` processes
at a time run the dev corpus through the evaluation harness with the scores one process gets and no post
twice; `monitor run` replicas, one killed with SIGKILL after posting and before marking the post sent,
another killed while holding the feed's lease: the others take its sources over and deliver everything
once.  Every part is real: processes, HTTP on 127.0.0.1, the Slack Web API stand-in, PostgreSQL."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.postgres_server import PostgresServer
from tests.conftest import LocalServer
from tests.e2e.conftest import DEV_CORPUS, HARNESS, HarnessRun
from tests.e2e.support import MONITOR, NEW_DEVELOPMENT, TOKEN, Slack, news_site, page, write_config
from tests.e2e.test_operations import Service, free_port, get

REPLICAS = Path(__file__).with_name("replicas.py")


@pytest.mark.parametrize("replicas", [2, 3])
def test_replicas_score_the_dev_corpus_as_one_process_does(replicas: int, dev_corpus_run: HarnessRun,
                                                           postgres_server: PostgresServer, tmp_path: Path) -> None:
    database = postgres_server.new_database()
    monitor = f"{sys.executable} {REPLICAS} --replicas {replicas} --database {database} -- {MONITOR}"
    done = subprocess.run([sys.executable, str(HARNESS), "--corpus", str(DEV_CORPUS), "--seeds", *dev_corpus_run.seeds,
                           "--monitor", monitor, "--workdir", str(tmp_path / "work"),
                           "--json", str(tmp_path / "result.json")], capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    scores = json.loads((tmp_path / "result.json").read_text())
    assert all(step["rc"] == 0 for step in scores["steps"]), scores["steps"]
    assert scores["duplicate_posts"] == 0 and scores["unmatched_posts"] == 0
    alone = dev_corpus_run.scores
    assert scores["alert"] == alone["alert"] and scores["contradiction"] == alone["contradiction"]
    assert scores["key_claim_hit_rate"] == alone["key_claim_hit_rate"]


MONDAY, TUESDAY, WEDNESDAY = ("Mon, 12 Jan 2026 10:00:00 GMT", "Tue, 13 Jan 2026 10:00:00 GMT",
                              "Wed, 14 Jan 2026 10:00:00 GMT")
HIRED = [
    "The harbour authority on Tuesday hired a private operator, Baltic Shuttle, to run night ferries across the "
    "bay from next week while the ferry union refuses the crossings.",
    "The union called the contract with the private operator an attempt to break the dispute over night crossings.",
]
VOTED = [
    "Ferry union members on Wednesday voted by 82 percent to accept a mediator's offer of a second engineer on "
    "night boats from March, ending the dispute with the harbour authority.",
    "Night ferry crossings on the bay will resume on Friday, the harbour authority said.",
]


def test_killed_replicas_lose_nothing_and_double_nothing(tmp_path: Path, server: LocalServer,
                                                         postgres_server: PostgresServer) -> None:
    slack = Slack(server)
    items = [("court", "Court fines ferry union", MONDAY, page("Court fines ferry union", NEW_DEVELOPMENT))]
    feed = news_site(server, items)
    database = postgres_server.new_database()
    configs = []
    for name in ("a", "b", "c"):
        folder = tmp_path / name
        folder.mkdir()
        config = write_config(folder, [(feed, "feed")], slack, extra=(
            f"polling:\n  every: 1s\nservice:\n  listen: 127.0.0.1:{free_port()}\n  replica_id: {name}\n"
            "  lease_seconds: 2s\n"))
        config.write_text(config.read_text().replace(f"sqlite:///{folder / 'state.db'}", database))
        configs.append(config)

    # Replica a dies (SIGKILL) right after Slack took its post, before it could mark the post sent.
    a = subprocess.run([MONITOR, "run", "--config", str(configs[0])], capture_output=True, text=True, timeout=120,
                       env=dict(os.environ, SLACK_BOT_TOKEN=TOKEN, MONITOR_FAILPOINT="after-post"))
    assert a.returncode == -signal.SIGKILL, a.stderr[-2000:]
    assert len(slack.alerts()) == 1

    with Service(configs[1], SLACK_BOT_TOKEN=TOKEN) as b, Service(configs[2], SLACK_BOT_TOKEN=TOKEN) as c:
        # a's post is looked up (not posted again) once its claim is older than the lease time; a's feed is
        # taken over once its lease ran out, and the next development is posted.
        slack.wait(lambda: slack.lookups >= 1, 60, "the interrupted post looked up")
        items.append(("hired", "Harbour authority hires private ferry operator", TUESDAY,
                      page("Harbour authority hires private ferry operator", HIRED)))
        news_site(server, items)
        slack.wait(lambda: len(slack.alerts()) == 2, 60, "the second development posted")

        # Now the replica that holds the feed's lease is killed: the other takes the feed over.
        holder = next(service for service, config in ((b, configs[1]), (c, configs[2]))
                      if _health(config)["leases"] == 1)
        survivor = c if holder is b else b
        holder.proc.send_signal(signal.SIGKILL)
        holder.proc.wait(timeout=30)
        items.append(("voted", "Ferry union accepts mediator's offer", WEDNESDAY,
                      page("Ferry union accepts mediator's offer", VOTED)))
        news_site(server, items)
        slack.wait(lambda: len(slack.alerts()) == 3, 60, "the third development posted by the survivor")
        survivor.proc.send_signal(signal.SIGTERM)
        assert survivor.proc.wait(timeout=30) == 0
    titles = [alert["metadata"]["event_payload"]["title"] for alert in slack.alerts()]  # type: ignore[index]
    assert sorted(titles) == sorted(title for _, title, _, _ in items), "an alert was lost or posted twice"


def _health(config: Path) -> dict[str, object]:
    listen = next(line.split()[-1] for line in config.read_text().splitlines() if "listen:" in line)
    status, body = get(f"http://{listen}/healthz")
    assert status == 200, body
    health: dict[str, object] = json.loads(body)
    assert health["database"] != "" and "replica" in health
    return health
