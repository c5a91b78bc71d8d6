"""`monitor explain`: an article through the analysis, every step shown, nothing posted or stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from monitor.app import Monitor, fetch_settings
from monitor.decide import decide
from monitor.extract import extract
from monitor.fetch import Fetcher
from monitor.model import Article, FetchFailure


async def explain(monitor: Monitor, target: str) -> str:
    if target.startswith(("http://", "https://")):
        async with Fetcher(fetch_settings(monitor.config)) as fetcher:
            result = await fetcher.fetch(target)
        if isinstance(result, FetchFailure):
            return f"cannot fetch {target}: {result.message}"
        body, url = result.body, result.final_url
    else:
        path = Path(target)
        body, url = path.read_bytes(), path.resolve().as_uri()
    extracted = extract(body, url)
    if extracted is None:
        return f"{target}: no article text could be extracted"
    article = Article(url=url, title=extracted.title or url, source_name="explain", text=extracted.text,
                      published=datetime.now(UTC))
    analysis = monitor.analyser.analyse(article)
    decision = decide(analysis)
    lines = [f"article: {article.title}", f"url: {url}",
             f"relevance: {analysis.relevance:.2f} (threshold {monitor.analyser.settings.relevance_threshold:.2f})",
             f"duplicate check: best match {analysis.duplicate_of or '-'} "
             f"(resemblance {analysis.duplicate_score:.2f}, threshold {monitor.analyser.settings.duplicate_threshold})",
             f"decision: {decision.verdict}: {decision.reason}", "claims:"]
    for claim in analysis.claims:
        lines.append(f"  [{claim.status.value}] score {claim.score:.2f}: {claim.text}")
        lines.append(f"      why: {claim.reason}")
        if claim.matched:
            lines.append(f"      matched: {claim.matched.text} ({claim.matched.source})")
    return "\n".join(lines)
