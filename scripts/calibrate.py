"""Leave-one-story-out calibration of the analysis thresholds.

    .venv/bin/python scripts/calibrate.py ../shared/eval/stories/*/ --dev

Replays every story (see ``replay.py``) for each point of a small grid of thresholds, then, for
each story in turn, picks the point that scores best on the other stories and reports how that
point scores on the held-out one: the figure to quote, since the product meets stories it was
never tuned on.  The objective is alert F1 plus half the contradiction F1, averaged over stories.
"""

from __future__ import annotations

import argparse
import itertools
import sys
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, cast

from monitor.analysis_settings import AnalysisSettings
from scripts.replay import SHARED, Score, _f1, replay

GRID = {
    "relevance_threshold": (0.27, 0.29, 0.30, 0.31, 0.32, 0.33, 0.35),
    "novel_information": (4.0, 6.0, 7.0, 8.0),
    "covered_threshold": (0.7, 0.8, 0.9),
}


Job = tuple[str, Path, tuple[Path, ...], tuple[tuple[str, float], ...]]


def _run(job: Job) -> tuple[str, tuple[float, ...], Score]:
    name, corpus, seeds, point = job
    settings = replace(AnalysisSettings(), **cast(dict[str, Any], dict(point)))
    score = replay(corpus, list(seeds), settings, verbose=False, only=set())
    score.rows = []
    return name, tuple(v for _, v in point), score


def _objective(scores: list[Score]) -> float:
    """Each story counts the same, whatever its size: a user's story is one story."""
    return sum(s.f1() + 0.5 * _f1(s.c_tp, s.c_fp, s.c_fn) for s in scores) / len(scores)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="*", type=Path)
    parser.add_argument("--dev", action="store_true")
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    runs: list[tuple[str, Path, tuple[Path, ...]]] = [(s.name, s / "corpus.json", (s / "seeds",)) for s in args.stories]
    if args.dev:
        # As ``make eval`` and ``replay --dev`` run it: the shared seeds and the project's own account.
        project_seeds = Path(__file__).resolve().parents[1] / "seeds"
        runs.append(("dev", SHARED / "eval" / "dev.json", (SHARED / "seeds", project_seeds)))
    points = [tuple(zip(GRID, values, strict=True)) for values in itertools.product(*GRID.values())]
    jobs = [(name, corpus, seeds, point) for point in points for name, corpus, seeds in runs]
    results: dict[tuple[float, ...], dict[str, Score]] = {}
    with ProcessPoolExecutor(args.workers) as pool:
        for name, key, score in pool.map(_run, jobs):
            results.setdefault(key, {})[name] = score
    names = [name for name, _, _ in runs]
    print(f"grid: {', '.join(GRID)}; default {tuple(getattr(AnalysisSettings(), k) for k in GRID)}")
    for held in names:
        train = [n for n in names if n != held]
        best = max(results, key=lambda k: _objective([results[k][n] for n in train]))
        s = results[best][held]
        print(f"held out {held}: chosen {best} -> alert F1 {s.f1():.3f}, "
              f"contradiction F1 {_f1(s.c_tp, s.c_fp, s.c_fn):.3f}")
    best_all = max(results, key=lambda k: _objective(list(results[k].values())))
    print(f"best on all: {best_all} objective {_objective(list(results[best_all].values())):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
