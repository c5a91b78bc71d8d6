"""End-to-end fixtures shared by several modules."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, SHARED

HARNESS = SHARED / "eval" / "harness.py"
DEV_CORPUS = SHARED / "eval" / "dev.json"


@dataclass(frozen=True)
class HarnessRun:
    scores: dict[str, Any]
    workdir: Path          # the harness's config (monitor.yaml) and the database it left (monitor.db)
    seeds: list[str]


@pytest.fixture(scope="session")
def dev_corpus_run(tmp_path_factory: pytest.TempPathFactory) -> HarnessRun:
    """The evaluation harness on the shared dev corpus, once per test session: the real `monitor once` per
    corpus step against its loopback news site and Slack stand-in."""
    if not HARNESS.exists() or not DEV_CORPUS.exists():
        pytest.skip("../shared/eval is not beside this checkout")
    tmp = tmp_path_factory.mktemp("dev-corpus")
    monitor = str(Path(sys.executable).with_name("monitor"))
    seeds = [str(SHARED / "seeds")] + ([str(REPO / "seeds")] if (REPO / "seeds").is_dir() else [])
    done = subprocess.run([sys.executable, str(HARNESS), "--corpus", str(DEV_CORPUS), "--seeds", *seeds,
                           "--monitor", monitor, "--workdir", str(tmp / "work"), "--json", str(tmp / "result.json")],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return HarnessRun(json.loads((tmp / "result.json").read_text()), tmp / "work", seeds)
