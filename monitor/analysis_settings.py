"""The analysis thresholds; defaults chosen leave-one-story-out over the four development stories
(``scripts/calibrate.py``; see README)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    relevance_threshold: float = 0.32
    duplicate_threshold: float = 0.6
    known_threshold: float = 0.55     # similarity at which a known claim restates the new one
    covered_threshold: float = 0.8    # share of a claim's information already known
    novel_information: float = 6.0   # unknown information a claim must carry to be news
    common_information: float = 3.5   # information of an everyday word, not counted as news
    realised_threshold: float = 0.4   # similarity to a known threat/plan above which "done" is news
    neighbours: int = 5
    paraphrase_threshold: float = 0.7  # with the semantic extra: meaning this close to a known claim is known
    marked_known_threshold: float = 0.35  # similarity to a claim people marked "not new" at which it is known
    negative_floor: float = 0.5  # resemblance to a "wrong story" article above which relevance is discounted
