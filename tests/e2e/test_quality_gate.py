"""Quality gate: the evaluation harness on the shared dev corpus must not drop below the recorded floor.

Runs the real `monitor once` per corpus step against the harness's loopback news site and Slack stand-in.
Raise the floors in quality_floor.json when the method improves; never lower them to make a change pass.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, SHARED

HARNESS = SHARED / "eval" / "harness.py"
CORPUS = SHARED / "eval" / "dev.json"
FLOOR = json.loads((Path(__file__).with_name("quality_floor.json")).read_text())


@pytest.mark.skipif(not HARNESS.exists() or not CORPUS.exists(), reason="../shared/eval is not beside this checkout")
def test_dev_corpus_scores_hold_the_floor(tmp_path: Path) -> None:
    monitor = str(Path(sys.executable).with_name("monitor"))
    result = tmp_path / "result.json"
    seeds = [str(SHARED / "seeds")] + ([str(REPO / "seeds")] if (REPO / "seeds").is_dir() else [])
    done = subprocess.run([sys.executable, str(HARNESS), "--corpus", str(CORPUS), "--seeds", *seeds,
                           "--monitor", monitor, "--workdir", str(tmp_path / "work"), "--json", str(result)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    scores = json.loads(result.read_text())
    assert all(step["rc"] == 0 for step in scores["steps"]), scores["steps"]
    assert scores["duplicate_posts"] == 0
    assert scores["unmatched_posts"] == 0
    assert scores["conditional_get_ratio"] >= FLOOR["conditional_get_ratio"]
    assert scores["alert"]["f1"] >= FLOOR["alert_f1"], scores["alert"]
    assert scores["contradiction"]["f1"] >= FLOOR["contradiction_f1"], scores["contradiction"]
    assert scores["key_claim_hit_rate"] >= FLOOR["key_claim_hit_rate"]
