"""`monitor explain`: an article through the analysis, every step shown, nothing posted or stored."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from monitor.app import Monitor, fetch_settings
from monitor.decide import decide
from monitor.errors import FetchError, ParseError, SeedError
from monitor.extract import extract
from monitor.fetch import Fetcher
from monitor.model import Article, FetchFailure
from monitor.story.claims import ClaimFeatures, features
from monitor.story.parse import parse, value_key
from monitor.story.seeds import PLAIN_TEXT_SUFFIXES, read_seed_article


def describe_frame(f: ClaimFeatures) -> str:
    """A claim's values, each with its slot, the act the parse puts it in and the days it is dated to; the
    named places of its acts; the days the claim speaks of."""
    parsed = parse(f.text)

    def act(value: str) -> str:
        return f"; act: {', '.join(sorted(found))}" if (found := parsed.act_of(value_key(value))) else ""

    parts = [f"{q.text} [{q.unit}; slot: {', '.join(sorted(q.slot)) or '-'}{act(q.text)}"
             f"{'; dated ' + ', '.join(sorted(q.when)) if q.when else ''}]" for q in f.quantities]
    parts += [f"{day} [date; slot: {', '.join(sorted(slot)) or '-'}{act(day)}]" for day, slot in f.date_slots]
    parts += [f"{day} [weekday; slot: {', '.join(sorted(slot)) or '-'}{act(day)}]" for day, slot in f.weekday_slots]
    parts += [f"{verb} at: {', '.join(sorted(parsed.places_of(verb)))}"
              for verb in sorted({verb for verb, _ in parsed.places})]
    if f.times:
        parts.append(f"speaks of: {', '.join(sorted(f.times))}")
    if f.update:
        parts.append("reports a change")
    return " | ".join(parts)


async def explain(monitor: Monitor, target: str, story: str | None = None) -> str:
    run = monitor.story(story)
    article = await _article(monitor, target)
    analysis = run.analyser.analyse(article)
    decision = decide(analysis)
    settings = run.analyser.settings
    lines = [f"article: {article.title}", f"url: {article.url}",
             *([f"story: {run.name}"] if len(monitor.stories) > 1 else []),
             f"relevance: {analysis.relevance:.2f} (threshold {settings.relevance_threshold:.2f}; "
             f"story scale x{run.analyser.profile.scale:.2f})",
             f"duplicate check: best match {analysis.duplicate_of or '-'} "
             f"(resemblance {analysis.duplicate_score:.2f}, threshold {settings.duplicate_threshold})",
             f"decision: {decision.verdict}: {decision.reason}", "claims:"]
    for claim in analysis.claims:
        lines.append(f"  [{claim.status.value}] score {claim.score:.2f}: {claim.text}")
        lines.append(f"      why: {claim.reason}")
        if frame := describe_frame(features(claim.text)):
            lines.append(f"      frame: {frame}")
        if claim.matched:
            lines.append(f"      matched: {claim.matched.text} ({claim.matched.source})")
    return "\n".join(lines)


async def _article(monitor: Monitor, target: str) -> Article:
    """The article at a URL or in a file.  HTML is extracted as pages are; plain text (.txt, .md)
    is read as seed folders read it."""
    if target.startswith(("http://", "https://")):
        # The address you name is fetched wherever it is, as configured sources are.
        async with Fetcher(fetch_settings(monitor.config), trusted_hosts=[urlsplit(target).hostname or ""]) as fetcher:
            result = await fetcher.fetch(target)
        if isinstance(result, FetchFailure):
            raise FetchError(result.reason, f"cannot fetch {target}: {result.message}")
        body, url = result.body, result.final_url
    else:
        path = Path(target)
        if not path.is_file():
            raise SeedError(f"{target}: no such file")
        url = path.resolve().as_uri()
        if path.suffix.lower() in PLAIN_TEXT_SUFFIXES:
            document = read_seed_article(path)
            return Article(url=url, title=path.name, source_name="explain", text=document.text,
                           published=datetime.now(UTC))
        body = path.read_bytes()
    extracted = extract(body, url)
    if extracted is None:
        raise ParseError(f"{target}: no article text could be extracted")
    return Article(url=url, title=extracted.title or url, source_name="explain", text=extracted.text,
                   published=datetime.now(UTC))
