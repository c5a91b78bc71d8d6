"""Broken configs: each one names the file, the line where known, the key path and what was expected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from monitor.config import load_config, parse_duration
from monitor.errors import ConfigError

MONITOR = str(Path(sys.executable).with_name("monitor"))
GOOD = """\
story:
  seeds: [seeds]
feeds:
  - url: http://127.0.0.1:9/feed.xml
    name: Wire
"""

BROKEN = [
    ("unknown-top", GOOD + "slak:\n  token: x\n", r"monitor\.yaml:6: slak: unknown key"),
    ("unknown-nested", GOOD.replace("    name: Wire", "    evrey: 10m"), r":5: feeds\[0\]\.evrey: unknown key"),
    ("missing-seeds", "story: {}\nfeeds:\n  - url: http://127.0.0.1:9/f\n", r"story\.seeds: required key is missing"),
    ("missing-feeds", "story:\n  seeds: [s]\n", r"monitor\.yaml: feeds: at least one feed or page is required"),
    ("empty-feeds", "story:\n  seeds: [s]\nfeeds: []\n", r"feeds: at least one feed or page is required"),
    ("no-story", "feeds:\n  - url: http://127.0.0.1:9/f\n", r"story\.seeds \(or a stories list\) is required"),
    ("story-and-stories", GOOD + "stories:\n  - name: a\n    seeds: [s]\n", r"either story .* or stories"),
    ("empty-stories", "stories: []\nfeeds:\n  - url: http://127.0.0.1:9/f\n", r"stories: the list is empty"),
    ("story-without-seeds", "stories:\n  - name: a\nfeeds:\n  - url: http://127.0.0.1:9/f\n",
     r":2: stories\[0\]\.seeds: required key is missing"),
    ("story-typo", "stories:\n  - name: a\n    seeds: [s]\n    chanel: '#a'\nfeeds:\n  - url: http://127.0.0.1:9/f\n",
     r":4: stories\[0\]\.chanel: unknown key"),
    ("story-name", "stories:\n  - name: ''\n    seeds: [s]\nfeeds:\n  - url: http://127.0.0.1:9/f\n",
     r"stories\[0\]\.name: String should match pattern"),
    ("same-story-name", "stories:\n  - {name: a, seeds: [s]}\n  - {name: a, seeds: [t]}\n"
     "feeds:\n  - url: http://127.0.0.1:9/f\n", r"stories\[1\]\.name 'a' is used by two stories"),
    ("story-without-sources", "stories:\n  - name: a\n    seeds: [s]\n",
     r"stories\[0\] \(a\) has no sources"),
    ("story-feed-shared", "stories:\n  - name: a\n    seeds: [s]\n    feeds:\n      - url: http://127.0.0.1:9/f\n"
     "feeds:\n  - url: http://127.0.0.1:9/f\n", r"stories\[0\]\.feeds\[0\]\.url .* is a top-level feed already"),
    ("story-feed-twice", "stories:\n  - name: a\n    seeds: [s]\n    feeds:\n      - url: http://127.0.0.1:9/f\n"
     "      - url: http://127.0.0.1:9/f\n", r"stories\[0\]\.feeds\[1\]\.url .* is listed twice"),
    ("story-threshold", "stories:\n  - name: a\n    seeds: [s]\n    analysis:\n      relevance_threshold: 3\n"
     "feeds:\n  - url: http://127.0.0.1:9/f\n",
     r":5: stories\[0\]\.analysis\.relevance_threshold: Input should be less than or equal to 1"),
    ("ftp-url", GOOD.replace("http://127.0.0.1:9/feed.xml", "ftp://127.0.0.1/f"),
     r":4: feeds\[0\]\.url: expected an http:// or https:// URL"),
    ("words-duration", GOOD + "    every: 10 minutes\n", r"feeds\[0\]\.every: expected a duration such as 30s"),
    ("negative-duration", GOOD + "    every: -5s\n", r"feeds\[0\]\.every: expected a duration"),
    ("zero-duration", GOOD + "    every: 0s\n", r"feeds\[0\]\.every: a duration must be positive"),
    ("subsecond", GOOD + "    every: 500ms\n", r"feeds\[0\]\.every: the poll interval must be at least 1s"),
    ("bad-kind", GOOD + "    kind: podcast\n", r"feeds\[0\]\.kind: Input should be 'feed' or 'page'"),
    ("duplicate-url", GOOD + "  - url: http://127.0.0.1:9/feed.xml\n", r"feeds\[1\]\.url .* is listed twice"),
    ("missing-env", GOOD + "slack:\n  token: ${NOPE_NOT_SET}\n  channel: '#c'\n",
     r"slack\.token: environment variable NOPE_NOT_SET is not set"),
    ("token-without-channel", GOOD + "slack:\n  token: xoxb-1\n", r"slack: slack\.channel is required"),
    ("token-and-webhook", GOOD + "slack:\n  token: xoxb-1\n  channel: '#c'\n  webhook_url: http://127.0.0.1:9/h\n",
     r"set either slack\.token or slack\.webhook_url"),
    ("app-token-kind", GOOD + "slack:\n  token: xoxb-1\n  channel: '#c'\n  app_token: xoxb-2\n",
     r"slack\.app_token: expected an app-level token \(xapp-\.\.\.\)"),
    ("app-token-alone", GOOD + "slack:\n  app_token: xapp-1\n", r"slack\.app_token needs slack\.token"),
    ("bad-public-url", GOOD + "service:\n  public_url: monitor.example.org\n",
     r"service\.public_url: expected an http:// or https:// URL"),
    ("bad-storage", GOOD + "storage:\n  url: mysql://db/monitor\n", r"storage\.url: expected sqlite:///"),
    ("bad-listen", GOOD + "service:\n  listen: localhost\n", r"service\.listen: expected host:port"),
    ("bad-port", GOOD + "service:\n  listen: 127.0.0.1:99999\n", r"service\.listen: expected host:port"),
    ("no-workers", GOOD + "service:\n  extraction_workers: 0\n",
     r"service\.extraction_workers: Input should be greater than or equal to 1"),
    ("bad-log-level", GOOD + "service:\n  log_level: LOUD\n", r"service\.log_level: Input should be 'DEBUG'"),
    ("negative-bytes", GOOD + "http:\n  max_bytes: -1\n", r"http\.max_bytes: Input should be greater than 0"),
    ("big-jitter", GOOD + "polling:\n  jitter: 0.9\n", r"polling\.jitter: Input should be less than or equal to 0\.5"),
    ("bad-bool", GOOD + "http:\n  allow_private_networks: perhaps\n", r"http\.allow_private_networks: Input should"),
    ("seeds-not-list", "story:\n  seeds: seeds\nfeeds:\n  - url: http://127.0.0.1:9/f\n",
     r"story\.seeds: Input should be a valid list"),
    ("feed-not-mapping", "story:\n  seeds: [s]\nfeeds:\n  - http://127.0.0.1:9/f\n", r"feeds\[0\]: Input should be"),
    ("bad-threshold", GOOD + "analysis:\n  relevance_threshold: 2\n",
     r"analysis\.relevance_threshold: Input should be less than or equal to 1"),
    ("invalid-yaml", "story:\n  seeds: [a\nfeeds: x\n", r"monitor\.yaml:\d+:\d+: invalid YAML"),
    ("tab-yaml", "story:\n\tseeds: [a]\n", r"monitor\.yaml:\d+:\d+: invalid YAML"),
    ("empty-file", "", r"the config file is empty"),
    ("top-level-list", "- a\n- b\n", r"expected a mapping of sections"),
]


@pytest.mark.parametrize(("text", "message"), [pytest.param(t, m, id=i) for i, t, m in BROKEN])
def test_broken_config_is_a_precise_error(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message) as caught:
        load_config(path, environ={})
    assert str(path) in str(caught.value)


def test_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"nope\.yaml: config file not found"):
        load_config(tmp_path / "nope.yaml")


def test_cli_exits_non_zero_with_the_message(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD.replace("    name: Wire", "    evrey: 10m"), encoding="utf-8")
    for command in ("check-config", "once", "run"):
        done = subprocess.run([MONITOR, command, "--config", str(path)], capture_output=True, text=True, timeout=60)
        assert done.returncode == 2
        assert f"{path}:5: feeds[0].evrey: unknown key" in done.stderr


def test_seed_problems_are_precise(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD, encoding="utf-8")
    done = subprocess.run([MONITOR, "check-config", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{tmp_path / 'seeds'}: seed path does not exist (story.seeds)" in done.stderr


@pytest.mark.parametrize(("value", "seconds"), [("30s", 30), ("10m", 600), ("1h", 3600), ("1h30m", 5400),
                                                (90, 90), ("2d", 172800), ("1.5s", 1.5)])
def test_durations(value: object, seconds: float) -> None:
    assert parse_duration(value) == seconds


def test_defaults_env_and_warnings(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(GOOD + "    every: 5s\nslack:\n  token: ${TOKEN:-}\n  channel: ${CHANNEL:-#default}\n",
                    encoding="utf-8")
    loaded = load_config(path, environ={"CHANNEL": ""})
    config = loaded.config
    assert config.slack.token is None and config.slack.channel == "#default"  # empty takes the default
    assert config.feeds[0].every == 5  # never clamped ...
    assert "polling more often than once a minute" in caplog.text  # ... but warned about
    assert config.polling.every == 600 and config.http.allow_private_networks is False
    assert loaded.seed_paths(config.story_specs()[0]) == [tmp_path / "seeds"]  # relative to the config file


SEVERAL = """\
analysis:
  relevance_threshold: 0.4
  max_claims_per_alert: 4
stories:
  - name: strike
    seeds: [strike-seeds]
    channel: "#strike"
    feeds:
      - url: http://127.0.0.1:9/union.xml
        name: Union
      - url: http://127.0.0.1:9/local.xml
  - name: recall
    seeds: [recall-seeds]
    analysis:
      relevance_threshold: 0.25
    feeds:
      - url: http://127.0.0.1:9/local.xml
        name: Local paper
feeds:
  - url: http://127.0.0.1:9/wire.xml
    name: Wire
"""


def test_several_stories_share_top_level_feeds_and_keep_their_own(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(SEVERAL, encoding="utf-8")
    loaded = load_config(path)
    strike, recall = loaded.config.story_specs()
    assert (strike.name, strike.channel, recall.channel) == ("strike", "#strike", None)
    assert loaded.seed_paths(recall) == [tmp_path / "recall-seeds"]
    assert recall.where == "stories[1].seeds"
    # A story's analysis gives only the keys it names; the rest come from the top level.
    assert (strike.analysis.relevance_threshold, recall.analysis.relevance_threshold) == (0.4, 0.25)
    assert recall.analysis.max_claims_per_alert == 4
    readers = {s.url.rsplit("/", 1)[1]: s.stories for s in loaded.config.sources()}
    # One source per URL, however many stories list it: it is fetched once for all of them.
    assert readers == {"wire.xml": ("strike", "recall"), "union.xml": ("strike",),
                       "local.xml": ("strike", "recall")}
    single = tmp_path / "single.yaml"
    single.write_text(GOOD, encoding="utf-8")
    (spec,) = load_config(single).config.story_specs()
    assert (spec.name, spec.where, spec.channel) == ("default", "story.seeds", None)


def test_check_config_prints_each_story_and_names_its_seed_errors(tmp_path: Path) -> None:
    path = tmp_path / "monitor.yaml"
    path.write_text(SEVERAL, encoding="utf-8")
    (tmp_path / "strike-seeds").mkdir()
    (tmp_path / "strike-seeds" / "a.txt").write_text("Dockworkers walked out at the harbour on Monday.\n")
    done = subprocess.run([MONITOR, "check-config", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert f"{tmp_path / 'recall-seeds'}: seed path does not exist (stories[1].seeds)" in done.stderr
    (tmp_path / "recall-seeds").mkdir()
    (tmp_path / "recall-seeds" / "b.txt").write_text("The maker recalled two batches of the tablets.\n")
    done = subprocess.run([MONITOR, "check-config", "--config", str(path)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "story strike: " in done.stdout and "; 3 source(s); alerts to #strike" in done.stdout
    assert "story recall: " in done.stdout and "; 2 source(s)" in done.stdout
    assert "(read by strike, recall)" in done.stdout
