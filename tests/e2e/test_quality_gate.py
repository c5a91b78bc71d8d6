"""Quality gate: the evaluation harness on the shared dev corpus must not drop below the recorded floor.

Runs the real `monitor once` per corpus step against the harness's loopback news site and Slack stand-in.
Raise the floors in quality_floor.json when the method improves; never lower them to make a change pass.
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.e2e.conftest import HarnessRun

FLOOR = json.loads((Path(__file__).with_name("quality_floor.json")).read_text())


def test_dev_corpus_scores_hold_the_floor(dev_corpus_run: HarnessRun) -> None:
    scores = dev_corpus_run.scores
    assert all(step["rc"] == 0 for step in scores["steps"]), scores["steps"]
    assert scores["duplicate_posts"] == 0
    assert scores["unmatched_posts"] == 0
    assert scores["conditional_get_ratio"] >= FLOOR["conditional_get_ratio"]
    assert scores["alert"]["f1"] >= FLOOR["alert_f1"], scores["alert"]
    assert scores["contradiction"]["f1"] >= FLOOR["contradiction_f1"], scores["contradiction"]
    assert scores["key_claim_hit_rate"] >= FLOOR["key_claim_hit_rate"]
