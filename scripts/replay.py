"""Replay a labelled corpus through the analysis in one process: a fast check between harness runs.

    .venv/bin/python scripts/replay.py ../shared/eval/stories/*/ [--dev] [--verbose] [--only ID ...]

Each story folder holds ``seeds/`` and ``corpus.json`` (the harness's format); ``--dev`` adds the
dev corpus with ``../shared/seeds``. Articles are rendered with the harness's page templates,
extracted with trafilatura and run through analyse -> decide -> learn in step order, oldest first,
as ``monitor once`` would. Scores are the harness's (alert and contradiction P/R/F1); the harness
itself (``make eval``) stays the measure of record, since it also covers fetching and Slack.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import sys
from dataclasses import dataclass, field, replace
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any, cast

from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.decide import decide
from monitor.extract import extract
from monitor.model import Article, ClaimStatus
from monitor.pipeline import analysis_order, parse_date
from monitor.story.seeds import load_story

SHARED = Path(__file__).resolve().parents[2] / "shared"


def _harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("harness", SHARED / "eval" / "harness.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules["harness"] = module
    spec.loader.exec_module(module)
    return module


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    c_tp: int = 0
    c_fp: int = 0
    c_fn: int = 0
    rows: list[str] = field(default_factory=list)

    def add(self, other: Score) -> None:
        for name in ("tp", "fp", "fn", "c_tp", "c_fp", "c_fn"):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def line(self) -> str:
        return (f"alert P/R/F1 {_prf(self.tp, self.fp, self.fn)}  "
                f"contra P/R/F1 {_prf(self.c_tp, self.c_fp, self.c_fn)}")

    def f1(self) -> float:
        return _f1(self.tp, self.fp, self.fn)


def _f1(tp: int, fp: int, fn: int) -> float:
    return 0.0 if not tp else 2 * tp / (2 * tp + fp + fn)


def _prf(tp: int, fp: int, fn: int) -> str:
    p = tp / max(1, tp + fp)
    r = tp / max(1, tp + fn)
    return f"{p:.2f}/{r:.2f}/{_f1(tp, fp, fn):.3f}"


def _style(aid: str, watched_page: bool) -> int:
    """The page template the harness serves: by the article id's MD5 for an article, the first for a watched page."""
    return 0 if watched_page else int(hashlib.md5(aid.encode()).hexdigest(), 16)


def _article(harness: ModuleType, aid: str, art: dict[str, Any], watched_page: bool) -> tuple[str, Article]:
    """The article as the monitor reads it: a watched page is dated by its own metadata (often a day
    only, so it sorts before that day's feed items), a feed item by its entry."""
    url = f"http://127.0.0.1/{aid}"
    extracted = extract(harness.render_article(art, "http://127.0.0.1", _style(aid, watched_page)), url)
    published = datetime.fromisoformat(art["published"].replace("Z", "+00:00"))
    if watched_page and extracted is not None and extracted.date:
        published = parse_date(extracted.date) or published
    return aid, Article(url=url, title=art["title"], source_name=art.get("source", "?"),
                        text=extracted.text if extracted else art["body"], published=published)


def replay(corpus_path: Path, seeds: list[Path], settings: AnalysisSettings, verbose: bool,
           only: set[str]) -> Score:
    harness = _harness()
    corpus: dict[str, Any] = json.loads(corpus_path.read_text())
    analyser = Analyser(load_story(seeds), settings)
    score = Score()
    for step in corpus["steps"]:
        ids = [aid for items in step.get("feeds", {}).values() for aid in items]
        pages = set(step.get("pages", {}).values())
        ids += list(pages)
        articles = sorted((_article(harness, aid, corpus["articles"][aid], aid in pages) for aid in ids),
                          key=lambda pair: analysis_order(pair[1].published, pair[1].url))
        for aid, article in articles:
            art = corpus["articles"][aid]
            analysis = analyser.analyse(article)
            decision = decide(analysis)
            assert article.published is not None
            analyser.learn(analysis, article.source_name, article.published.date().isoformat())
            label = art["label"]
            kind = decision.alert.kind.value if decision.alert else "-"
            alerted = decision.alert is not None
            if label in ("new", "contradiction"):
                score.tp += alerted
                score.fn += not alerted
            else:
                score.fp += alerted
            if label == "contradiction":
                score.c_tp += kind == "contradiction"
                score.c_fn += kind != "contradiction"
            else:
                score.c_fp += kind == "contradiction"
            wrong = (alerted != (label in ("new", "contradiction"))) or (
                alerted and (kind == "contradiction") != (label == "contradiction"))
            mark = "XX" if wrong else "  "
            score.rows.append(f"{mark} {aid:<6} {label:<13} {kind:<13} {decision.reason[:150]}")
            key = art.get("key")
            if verbose and key and label == "contradiction" and kind != "contradiction":
                for c in analysis.claims:
                    if key.lower() in c.text.lower():
                        score.rows.append(f"      KEY [{c.status.value} {c.score:.2f}] {c.text[:220]}")
                        score.rows.append(f"         reason: {c.reason}")
                        if c.matched:
                            score.rows.append(f"         known: {c.matched.text[:220]}")
            elif verbose and (wrong or aid in only):
                for c in analysis.claims:
                    if c.status in (ClaimStatus.CONTRADICTION, ClaimStatus.NEW) or aid in only:
                        matched = c.matched.text[:140] if c.matched else ""
                        score.rows.append(f"      [{c.status.value} {c.score:.2f}] {c.text[:160]}")
                        score.rows.append(f"         reason: {c.reason}")
                        if matched:
                            score.rows.append(f"         known: {matched}")
    return score


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("stories", nargs="*", type=Path)
    parser.add_argument("--dev", action="store_true", help="also the dev corpus with ../shared/seeds")
    parser.add_argument("--verbose", "-v", action="store_true")
    parser.add_argument("--quiet", "-q", action="store_true")
    parser.add_argument("--only", nargs="*", default=[])
    parser.add_argument("--set", nargs="*", default=[], help="settings overrides, name=value")
    args = parser.parse_args()
    overrides = {k: float(v) for k, v in (item.split("=", 1) for item in args.set)}
    settings = replace(AnalysisSettings(), **cast(dict[str, Any], overrides))
    runs = [(s.name, s / "corpus.json", [s / "seeds"]) for s in args.stories]
    if args.dev:
        project_seeds = Path(__file__).resolve().parents[1] / "seeds"
        runs.append(("dev", SHARED / "eval" / "dev.json", [SHARED / "seeds", project_seeds]))
    pooled = Score()
    for name, corpus, seeds in runs:
        score = replay(corpus, seeds, settings, args.verbose, set(args.only))
        if not args.quiet:
            print("\n".join(score.rows))
        print(f"{name}: {score.line()}")
        if name != "dev":
            pooled.add(score)
    print(f"pooled stories: {pooled.line()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
