"""Several stories in ONE monitor: the three labelled stories of ../shared/eval/stories, their feeds served
together on one loopback news site and read by all three, each story alerting its own channel.

Each story must score (alert F1) within 0.02 of the same story run alone through the evaluation harness, and
every post must land in the channel of the story it names.  The runs alone are also each story's quality
gate: their scores must hold the floors in quality_floor.json.  The harness's news site, Slack stand-in and
scoring are used as they are; only the driver here is new: it merges the corpora step by step.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from tests.conftest import SHARED

STORIES = SHARED / "eval" / "stories"
HARNESS = SHARED / "eval" / "harness.py"
MONITOR = str(Path(sys.executable).with_name("monitor"))
FLOOR = json.loads((Path(__file__).with_name("quality_floor.json")).read_text())["stories"]
NAMES = sorted(p.name for p in STORIES.glob("*") if (p / "corpus.json").is_file()) if STORIES.is_dir() else []


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_harness", HARNESS)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while being defined
    spec.loader.exec_module(module)
    return module


def _merged(corpora: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """One corpus of all stories: ids and feed names prefixed with the story, step i of each played together."""
    articles = {f"{name}~{aid}": art for name, corpus in corpora.items() for aid, art in corpus["articles"].items()}
    steps: list[dict[str, Any]] = []
    for name, corpus in corpora.items():
        for i, step in enumerate(corpus["steps"]):
            while len(steps) <= i:
                steps.append({"feeds": {}, "pages": {}})
            for feed, ids in step.get("feeds", {}).items():
                steps[i]["feeds"][f"{name}-{feed}"] = [f"{name}~{aid}" for aid in ids]
            for page, aid in step.get("pages", {}).items():
                steps[i]["pages"][f"{name}-{page}"] = f"{name}~{aid}"
    return {"articles": articles, "steps": steps}


def _config(path: Path, base: str, corpus: dict[str, Any], token_channel: str) -> None:
    feeds = sorted({f for step in corpus["steps"] for f in step["feeds"]})
    pages = sorted({p for step in corpus["steps"] for p in step["pages"]})
    lines = ["stories:"]
    for name in NAMES:
        lines += [f"  - name: {name}", f"    seeds: [{json.dumps(str(STORIES / name / 'seeds'))}]",
                  f"    channel: '#{name}'"]
    lines += ["feeds:"]  # every feed and page is shared: all three stories read all of them
    lines += [line for f in feeds for line in (f"  - url: {base}/feeds/{f}", f"    name: {json.dumps(f)}")]
    lines += [line for p in pages for line in (f"  - url: {base}/pages/{p}.html", f"    name: {json.dumps(p)}",
                                                "    kind: page")]
    lines += ["slack:", "  token: ${SLACK_BOT_TOKEN}", f"  channel: '{token_channel}'", f"  api_url: {base}/api/",
              "http:", "  allow_private_networks: true", "storage:", f"  url: sqlite:///{path.parent / 'monitor.db'}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _alone(name: str, work: Path) -> subprocess.Popen[bytes]:
    """The story run alone through the harness, in the background while the merged run goes on."""
    return subprocess.Popen([sys.executable, str(HARNESS), "--corpus", str(STORIES / name / "corpus.json"),
                             "--seeds", str(STORIES / name / "seeds"), "--monitor", MONITOR,
                             "--workdir", str(work / name), "--json", str(work / f"{name}.json")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


@pytest.mark.skipif(len(NAMES) < 2 or not HARNESS.exists(), reason="../shared/eval/stories is not beside this checkout")
def test_three_stories_in_one_monitor_score_as_they_do_alone(tmp_path: Path) -> None:
    harness = _harness()
    alone = [_alone(name, tmp_path / "alone") for name in NAMES]
    corpora = {name: json.loads((STORIES / name / "corpus.json").read_text()) for name in NAMES}
    corpus = _merged(corpora)
    world = harness.World(corpus)
    server = ThreadingHTTPServer(("127.0.0.1", 0), harness.make_handler(world))
    world.base = f"http://127.0.0.1:{server.server_address[1]}"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    for feed in {f for step in corpus["steps"] for f in step["feeds"]}:
        world.visible[feed] = []
    config = tmp_path / "together" / "monitor.yaml"
    config.parent.mkdir()
    _config(config, world.base, corpus, "#desk")
    env = dict(os.environ, SLACK_BOT_TOKEN=harness.TOKEN)
    posts: list[tuple[dict[str, Any], str | None]] = []  # (alert, the merged corpus's id of its article)
    try:
        for step in corpus["steps"]:
            for feed, ids in step["feeds"].items():
                world.visible[feed].extend(ids)
            world.page_rev.update(step["pages"])
            before = len(world.slack_calls)
            done = subprocess.run([MONITOR, "once", "--config", str(config)], env=env, capture_output=True,
                                  text=True, timeout=600)
            assert done.returncode == 0, done.stderr[-2000:]
            posts += [(alert, _article_id(alert["url"] or "", world.page_rev))
                      for alert in harness.alerts_from(world.slack_calls[before:])]
    finally:
        server.shutdown()
    assert posts, "nothing was posted"
    assert not [a for a, _ in posts if a["channel"] not in {f"#{n}" for n in NAMES}]
    together: dict[str, dict[str, Any]] = {}
    for name in NAMES:
        mine = [(alert, aid) for alert, aid in posts if alert["channel"] == f"#{name}"]
        # Every post names its story, and goes to that story's channel only.
        assert all(alert["story"] == name for alert, _ in mine), {a["story"] for a, _ in mine}
        posted_for: dict[str, list[dict[str, Any]]] = {}
        unmatched = []
        for alert, aid in mine:
            if aid and aid.startswith(f"{name}~"):
                posted_for.setdefault(aid.split("~", 1)[1], []).append(alert)
            else:
                unmatched.append(alert)  # another story's article posted here: a false alert
        together[name] = harness.score(corpora[name], posted_for, unmatched, world, [])
    for name, process in zip(NAMES, alone, strict=True):
        assert process.wait(timeout=1200) == 0, f"the harness run of {name} alone failed"
        by_itself = json.loads((tmp_path / "alone" / f"{name}.json").read_text())
        print(f"{name}: together {together[name]['alert']}, alone {by_itself['alert']}")  # shown with -s or on failure
        assert together[name]["duplicate_posts"] == 0
        # The quality gate of every story (raise the floors when the method improves; never lower them).
        floor = FLOOR.get(name)
        if floor is not None:
            assert by_itself["alert"]["f1"] >= floor["alert_f1"], (name, by_itself["alert"])
            assert by_itself["contradiction"]["f1"] >= floor["contradiction_f1"], (name, by_itself["contradiction"])
        assert together[name]["alert"]["f1"] >= by_itself["alert"]["f1"] - 0.02, (name, together[name]["alert"],
                                                                                     by_itself["alert"])


def _article_id(url: str, page_rev: dict[str, str]) -> str | None:
    """The merged corpus's id of the article a post links to (a watched page: the revision it showed)."""
    path = url.split("://", 1)[-1].partition("/")[2]
    if path.startswith("articles/") and path.endswith(".html"):
        return path.removeprefix("articles/").removesuffix(".html")
    if path.startswith("pages/") and path.endswith(".html"):
        return page_rev.get(path.removeprefix("pages/").removesuffix(".html"))
    return None
