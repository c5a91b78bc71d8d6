"""One poll cycle: sources -> fetch -> parse -> extract -> analyse -> decide -> outbox -> Slack.

I/O runs concurrently on the event loop; extraction runs in worker processes and
analysis in a single worker thread, because what is known grows article by
article and must be read and written in order.  Article pages are fetched and
extracted as soon as their feed has been read, while other feeds are still being
polled; the analysis then takes items oldest ``published`` first, so a copy never
beats its original, and pages waiting for an extraction worker go in that order too.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import time
from collections.abc import Callable, Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from dateutil import parser as dateparser

from monitor import failpoints
from monitor.analyse import Analyser
from monitor.config import StorySpec
from monitor.decide import decide
from monitor.errors import DeliveryError, ParseError
from monitor.feedback import Click, mark_message
from monitor.fetch import Fetcher, freshness
from monitor.metrics import Metrics
from monitor.model import (
    Analysis,
    Article,
    ClaimStatus,
    ClaimVerdict,
    Decision,
    Entry,
    Extracted,
    Fetched,
    FetchFailure,
    KnownClaim,
    Source,
    SourceKind,
)
from monitor.notify import Notifier
from monitor.notify.format import alert_message, corroboration_message, source_status_message
from monitor.outbox import DeliveryReport, FloodControl, deliver_pending
from monitor.replicas import Coordinator, Watermark, catch_up
from monitor.sources.feed import parse_feed
from monitor.sources.page import changed_text, text_digest
from monitor.store import Store
from monitor.story.dedup import canonical_url
from monitor.story.seeds import Story
from monitor.workers import ExtractionPool

log = logging.getLogger("monitor.pipeline")


@dataclass(frozen=True, slots=True)
class Candidate:
    """Something new a source offered, waiting for its turn in the analysis."""

    source: Source
    key: str
    url: str
    published: datetime | None
    entry: Entry | None = None
    page: Extracted | None = None  # watched pages arrive already extracted
    page_text: str | None = None
    first_poll: bool = False  # the source had never been read before: undated items are background
    stories: tuple[str, ...] = ()  # the stories that read the source and have not processed this item yet


@dataclass(frozen=True, slots=True)
class SourceReport:
    source: Source
    ok: bool
    detail: str
    candidates: int = 0
    reason: str = ""  # failure label for metrics ("timeout", "http-404", "parse", ...)
    fresh_for: float | None = None  # seconds the server said the response stays fresh
    elsewhere: bool = False  # another replica holds the source's lease: not polled here


@dataclass(frozen=True, slots=True)
class StoryRun:
    """A story as the pipeline analyses it: its analyser holds what is known and grows with each article."""

    name: str
    analyser: Analyser
    as_of: datetime
    spec: StorySpec      # as configured: a reload rebuilds the story only when this changed
    seeds: Story
    seen: Watermark = field(default_factory=Watermark)  # what the analyser has taken in of the store

    @property
    def channel(self) -> str | None:
        return self.spec.channel  # None: the default channel

    @property
    def max_claims(self) -> int:
        return self.spec.analysis.max_claims_per_alert


@dataclass(frozen=True, slots=True)
class Decided:
    story: str
    url: str
    verdict: str
    reason: str


@dataclass
class CycleReport:
    sources: list[SourceReport] = field(default_factory=list)
    decisions: list[Decided] = field(default_factory=list)
    delivery: DeliveryReport | None = None

    @property
    def failed_sources(self) -> list[SourceReport]:
        return [r for r in self.sources if not r.ok]

    @property
    def alerts(self) -> int:
        return sum(1 for d in self.decisions if d.verdict.startswith("alert"))


Progress = Callable[[str], None]


class Pipeline:
    def __init__(self, *, store: Store, fetcher: Fetcher, stories: Mapping[str, StoryRun], notifier: Notifier,
                 extractor: ExtractionPool, analysis_pool: Executor, coordinator: Coordinator,
                 failure_notice_after: int = 3,
                 metrics: Metrics | None = None, flood: FloodControl | None = None,
                 corroboration_replies: bool = True, public_url: str | None = None,
                 feedback_buttons: bool = False, poll_concurrency: int = 32) -> None:
        self.store = store
        self.coordinator = coordinator
        self.fetcher = fetcher
        self.stories = stories  # replaced as a whole when the config changes; a cycle keeps the one it began with
        self.notifier = notifier
        self._extractor = extractor
        self._analysis_pool = analysis_pool
        self._failure_notice_after = failure_notice_after
        self._flood = flood or FloodControl()
        self._corroboration_replies = corroboration_replies
        self._public_url = public_url
        self._feedback_buttons = feedback_buttons
        self._analysis_lock = asyncio.Lock()
        # With replicas, `monitor run` takes a source's lease only when its poll can start: meanwhile the
        # other replicas take the sources this one has no room for.
        self._polling = asyncio.Semaphore(poll_concurrency)
        self.metrics = metrics or Metrics()

    async def run_cycle(self, sources: list[Source], progress: Progress | None = None) -> CycleReport:
        with self.metrics.cycle_seconds.time():
            report = await self._cycle(sources, progress)
        self._count(report)
        return report

    def _count(self, report: CycleReport) -> None:
        m = self.metrics
        for source_report in report.sources:
            if source_report.elsewhere:
                m.skipped.inc()
                continue
            m.polls.labels(source_report.source.name, "ok" if source_report.ok else "error").inc()
            if source_report.ok:
                m.last_success.labels(source_report.source.name).set_to_current_time()
            else:
                m.fetch_errors.labels(source_report.reason).inc()
        for d in report.decisions:
            m.articles.labels(d.story, d.verdict).inc()
            if d.verdict.startswith("alert-"):
                m.alerts.labels(d.story, d.verdict.removeprefix("alert-")).inc()
        if report.delivery is not None:
            m.outbox.set(report.delivery.remaining)

    async def _cycle(self, sources: list[Source], progress: Progress | None) -> CycleReport:
        report = CycleReport()
        stories = self.stories
        for run in stories.values():
            run.analyser.new_cycle()
        timings: dict[str, float] = {}
        started = time.perf_counter()
        preparing: list[tuple[Candidate, asyncio.Future[Article]]] = []

        async def poll(source: Source) -> tuple[SourceReport, Fetched | None, list[Candidate]]:
            result = await self._poll(source)
            # Pages are fetched and extracted now, while other feeds are still polled; the analysis
            # below still takes them strictly in order.
            preparing.extend((c, asyncio.ensure_future(self._article(c))) for c in result[2])
            return result

        try:
            async with self._polling if self.coordinator.shared else contextlib.nullcontext():
                mine = self._leased(sources)
                report.sources.extend(SourceReport(s, True, "polled by another replica", elsewhere=True)
                                      for s in sources if s not in mine)
                polled = await asyncio.gather(*(poll(s) for s in mine))
            for source_report, _fetched, _found in polled:
                report.sources.append(source_report)
                if progress:
                    progress(f"polled {source_report.source.name}: {source_report.detail}")
            preparing.sort(key=lambda pair: _analysis_order(pair[0]))
            timings["poll_s"] = time.perf_counter() - started
            alerts_by_source: dict[str, int] = {}
            articles: list[Article] = []
            async with self._analysis_lock:
                for candidate, pending in preparing:
                    article = await pending
                    if not articles:
                        failpoints.hit("after-fetch")
                    articles.append(article)
                    # Fetched and extracted once; analysed by each story that reads the source.
                    readers = [stories[name] for name in candidate.stories if name in stories]
                    async with self.coordinator.stories(run.name for run in readers):
                        await self._catch_up(readers)
                        for run in self._unprocessed(readers, candidate):
                            decision = await self._analyse_and_record(candidate, article, run, len(stories) > 1)
                            report.decisions.append(Decided(run.name, article.url, decision.verdict,
                                                            decision.reason))
                            if decision.alert:
                                alerts_by_source[candidate.source.url] = \
                                    alerts_by_source.get(candidate.source.url, 0) + 1
                            if progress:
                                progress(f"analysed {article.url} for {run.name}: {decision.verdict}")
                        self._caught_up(readers)
        finally:
            for _, task in preparing:
                task.cancel()
        timings["articles_s"] = time.perf_counter() - started - timings["poll_s"]
        # Validators are stored only now: had we crashed before, the next poll must see these items again.
        if any(fetched is not None for _, fetched, _ in polled):
            with self.store.transaction():
                for source_report, fetched, found in polled:
                    if fetched is not None:
                        self._record_success(source_report.source, fetched, len(found),
                                             alerts_by_source.get(source_report.source.url, 0))
        if sources and not mine:
            return report  # every source was another replica's: so is the delivery of what they found
        report.delivery = await asyncio.to_thread(deliver_pending, self.store, self.notifier, self._flood,
                                                  _digest_channels(stories), self.coordinator.replica,
                                                  self.coordinator.lease_seconds)
        timings["total_s"] = time.perf_counter() - started
        log.info("cycle finished", extra={"sources": len(sources), "articles": len(articles),
                                          **{k: round(v, 3) for k, v in timings.items()}})
        return report

    # ------------------------------------------------------------------ replicas

    def _leased(self, sources: list[Source]) -> list[Source]:
        """The sources to poll here: with replicas, those whose lease this one holds or gets."""
        return self.coordinator.take(sources) if self.coordinator.shared else sources

    async def _catch_up(self, readers: list[StoryRun]) -> None:
        """Under the stories' locks, with replicas: first take in what the others stored."""
        if self.coordinator.shared:
            loop = asyncio.get_running_loop()
            for run in readers:
                await loop.run_in_executor(self._analysis_pool, catch_up, run.analyser, self.store, run.name,
                                           run.seen)

    def _unprocessed(self, readers: list[StoryRun], candidate: Candidate) -> list[StoryRun]:
        """The stories that still have not processed the item: with replicas, another may have meanwhile,
        through another source."""
        if not self.coordinator.shared:
            return readers
        seen = self.store.seen_by(candidate.source.url, candidate.key,
                                  canonical_url(candidate.url) if candidate.page is None else "")
        return [run for run in readers if run.name not in seen]

    def _caught_up(self, readers: list[StoryRun]) -> None:
        """Still under the locks: everything stored for these stories so far is in their analysers."""
        if self.coordinator.shared:
            for run in readers:
                run.seen.items, run.seen.claims, run.seen.feedback = self.store.high_water(run.name)

    # ------------------------------------------------------------------ polling

    async def _poll(self, source: Source) -> tuple[SourceReport, Fetched | None, list[Candidate]]:
        state = self.store.source(source.url)
        validators = state.validators if state else None
        result = await self.fetcher.fetch(source.url, validators)
        if isinstance(result, FetchFailure):
            return self._record_failure(source, result.reason, result.message, result.retry_after), None, []
        fresh_for = freshness(result.headers)
        if result.not_modified:
            return SourceReport(source, True, "not modified (304)", fresh_for=fresh_for), result, []
        try:
            first_poll = state is None or state.last_success is None
            if source.kind is SourceKind.PAGE:
                found = await self._page_candidates(source, result, state.page_text if state else None, first_poll)
            else:
                found = self._feed_candidates(source, result, first_poll)
        except ParseError as exc:
            return self._record_failure(source, "parse", f"{source.url}: {exc}", None), None, []
        return SourceReport(source, True, f"{len(found)} new item(s)", len(found), fresh_for=fresh_for), result, found

    def _feed_candidates(self, source: Source, fetched: Fetched, first_poll: bool) -> list[Candidate]:
        entries = parse_feed(fetched.body, fetched.headers, fetched.final_url, source.name)
        out = []
        for entry in entries:
            url = entry.link or entry.guid
            readers = self._unseen(source, entry.guid, canonical_url(url))
            if readers:
                out.append(Candidate(source, entry.guid, url, entry.published, entry=entry, first_poll=first_poll,
                                     stories=readers))
        return out

    def _unseen(self, source: Source, key: str, canonical: str) -> tuple[str, ...]:
        """The source's stories that have not processed this item yet."""
        seen = self.store.seen_by(source.url, key, canonical)
        return tuple(name for name in source.stories if name not in seen)

    async def _page_candidates(self, source: Source, fetched: Fetched, previous: str | None,
                               first_poll: bool) -> list[Candidate]:
        page = await self._extractor.extract(fetched.body, fetched.final_url)
        if page is None:
            raise ParseError("the page has no extractable text")
        if previous is not None and text_digest(previous) == text_digest(page.text):
            return []
        key = "page:" + text_digest(page.text)
        readers = self._unseen(source, key, "")
        if not readers:
            return []
        published = parse_date(page.date) or (None if first_poll else datetime.now(UTC))
        return [Candidate(source, key, source.url, published, page=page, page_text=previous or "",
                          first_poll=first_poll, stories=readers)]

    def _record_failure(self, source: Source, reason: str, message: str, retry_after: float | None) -> SourceReport:
        count = self.store.record_failure(source.url, reason, message, retry_after)
        log.warning("source failed", extra={"source": source.name, "url": source.url, "reason": reason,
                                            "detail": message, "consecutive": count})
        state = self.store.source(source.url)
        if count >= self._failure_notice_after and state and not state.failing_notified:
            with self.store.transaction():
                notice_id = f"status:{source.url}:failing:{int(state.last_polled or 0)}"
                self.store.enqueue(notice_id, "source_status", source_status_message(
                    source.name, source.url, "failing", f"{count} polls in a row failed; last: {message}",
                    notice_id))
                self.store.mark_failing_notified(source.url)
        return SourceReport(source, False, message, reason=reason)

    def _record_success(self, source: Source, fetched: Fetched, items: int, alerts: int) -> None:
        was_failing = self.store.record_success(source.url, fetched.validators, items_seen=items, alerts=alerts)
        if was_failing:
            notice_id = f"status:{source.url}:recovered:{int(datetime.now(UTC).timestamp())}"
            self.store.enqueue(notice_id, "source_status", source_status_message(
                source.name, source.url, "recovered", "polling works again", notice_id))

    # ------------------------------------------------------------------ articles

    async def _article(self, candidate: Candidate) -> Article:
        source = candidate.source
        if candidate.page is not None:
            page = candidate.page
            text = changed_text(candidate.page_text or None, page.text)
            return Article(url=source.url, title=page.title or source.name, source_name=source.name,
                           text=text, published=candidate.published, author=page.author,
                           site_name=page.site_name, context=page.text)
        entry = candidate.entry
        assert entry is not None
        fallback_reason = "the entry has no link"
        if entry.link:
            result = await self.fetcher.fetch(entry.link, from_feed=True)
            if isinstance(result, Fetched):
                extracted = await self._extractor.extract(result.body, result.final_url, _analysis_order(candidate))
                if extracted is not None:
                    return Article(url=entry.link, title=entry.title or extracted.title or entry.link,
                                   source_name=source.name, text=extracted.text,
                                   published=entry.published or parse_date(extracted.date),
                                   author=extracted.author, site_name=extracted.site_name)
                fallback_reason = "the article page had no extractable text"
            else:
                fallback_reason = f"the article page could not be fetched ({result.message})"
                log.info("article fetch failed", extra={"url": entry.link, "reason": result.reason})
        return Article(url=entry.link or entry.guid, title=entry.title, source_name=source.name,
                       text="\n".join(filter(None, [entry.summary])), published=entry.published,
                       from_summary=True, note=f"from the feed summary: {fallback_reason}")

    async def _analyse_and_record(self, candidate: Candidate, article: Article, run: StoryRun,
                                  several: bool) -> Decision:
        loop = asyncio.get_running_loop()
        analyser = run.analyser
        analysis = await loop.run_in_executor(self._analysis_pool, analyser.analyse, article)
        decision = decide(analysis, max_claims=run.max_claims, as_of=run.as_of, first_poll=candidate.first_poll)
        failpoints.hit("after-analyse")
        log.info("decision", extra={"story": run.name, "source": candidate.source.name, "url": article.url,
                                    "verdict": decision.verdict, "reason": decision.reason})
        # An undated item counts from when it was first seen.
        date = (article.published or datetime.now(UTC)).date().isoformat()
        digest = hashlib.sha256(f"{run.name}\n{candidate.source.url}\n{candidate.key}".encode()).hexdigest()
        alert_id = f"alert:{digest[:32]}" if decision.alert else None
        with self.store.transaction():
            self.store.record_item(
                story=run.name, source_url=candidate.source.url, item_key=candidate.key, url=article.url,
                canonical_url=canonical_url(article.url) if candidate.page is None else "",
                title=article.title, published=article.published.isoformat() if article.published else None,
                verdict=decision.verdict, reason=decision.reason, relevance=analysis.relevance,
                duplicate_of=analysis.duplicate_of, detail=_detail(analysis), text=article.text, alert_id=alert_id)
            learnt = analyser.to_learn(analysis, article.source_name, date)
            self.store.add_claims(run.name, learnt)
            self.store.corroborate(run.name, [c.matched.text for c in analysis.claims
                                              if c.status.value == "known" and c.matched])
            if candidate.page is not None and candidate.page_text is not None:
                self.store.set_page_text(candidate.source.url, candidate.page.text)
            if decision.alert and alert_id:
                timeline = (f"{self._public_url}/stories/{quote(run.name)}/alerts/{alert_id.removeprefix('alert:')}"
                            if self._public_url else None)
                self.store.enqueue(alert_id, "alert", alert_message(decision.alert, alert_id, run.name,
                                                                    name_story=several, timeline=timeline,
                                                                    buttons=self._feedback_buttons),
                                   held=True, parent_key=self._followed_up(decision.alert.claims, article, run.name),
                                   story=run.name, channel=run.channel)
            elif self._corroboration_replies and decision.verdict == "nothing-new":
                self._corroborate(analysis, article, f"corroboration:{digest[:32]}", run)
        # Learnt only once stored: had storing failed, the item would be polled again and must not find
        # itself known; had the process died, what is known is rebuilt from the store.
        await loop.run_in_executor(self._analysis_pool, analyser.learn, analysis, article.source_name, date,
                                   learnt)
        if decision.alert:
            failpoints.hit("after-store")
        return decision


    # ------------------------------------------------------------------ feedback

    async def apply_feedback(self, click: Click) -> bool:
        """What someone said of an alert in Slack, learnt between articles; the alert then shows it.
        Returns False for an alert this database does not know."""
        item = self.store.alerted_item(click.alert_id)
        if item is None:
            log.warning("feedback on an unknown alert", extra={"alert": click.alert_id})
            return False
        story = str(item["story"])
        run = self.stories.get(story)
        async with self._analysis_lock, self.coordinator.stories([story]):
            if run is not None:
                await self._catch_up([run])
            with self.store.transaction():
                fresh = self.store.add_feedback(story, click.alert_id, click.action, click.user)
                if fresh and click.action == "not-new":
                    self.store.add_claims(story, marked_known(item, click.user))
                elif fresh and click.action == "wrong-story":
                    self.store.forget_claims_from(story, item["url"])
            if fresh and run is not None and click.action != "useful":
                await asyncio.get_running_loop().run_in_executor(self._analysis_pool, _teach, run.analyser, item,
                                                                 click)
            if run is not None:
                self._caught_up([run])
        if fresh:
            self.metrics.feedback.labels(story, click.action).inc()
        log.info("feedback", extra={"story": story, "alert": click.alert_id, "action": click.action,
                                    "user": click.user, "new": fresh})
        said = [(r["action"], r["person"]) for r in reversed(self.store.feedback(story))
                if r["alert_id"] == click.alert_id]
        try:
            await asyncio.to_thread(self.notifier.update, click.channel, click.ts, click.text,
                                    mark_message(click, said))
        except DeliveryError as exc:
            log.warning("the alert could not be updated with its feedback", extra={"error": str(exc)})
        return True

    def _followed_up(self, claims: tuple[ClaimVerdict, ...], article: Article, story: str) -> str | None:
        """The earlier alert this one follows up: the alert of the article whose claim it contradicts,
        settles or updates (contradictions first)."""
        ranked = sorted(claims, key=lambda c: c.status is not ClaimStatus.CONTRADICTION)
        for claim in ranked:
            known = claim.matched
            follows = claim.status is ClaimStatus.CONTRADICTION or claim.settles or claim.score >= _FOLLOW_UP
            if follows and known and known.origin == "article" and known.url and known.url != article.url:
                parent = self.store.alert_for_article(story, known.url)
                if parent is not None:
                    return parent
        return None

    def _corroborate(self, analysis: Analysis, article: Article, key: str, run: StoryRun) -> None:
        """Another source restating an alerted development: a silent reply in that alert's thread."""
        for claim in analysis.claims:
            known = claim.matched
            if claim.status is not ClaimStatus.KNOWN or not claim.restated or known is None:
                continue
            if known.origin != "article" or not known.url or known.source == article.source_name:
                continue
            parent = self.store.alert_for_article(run.name, known.url)
            if parent is not None:
                self.store.enqueue(key, "corroboration", corroboration_message(article, key), parent_key=parent,
                                   story=run.name, channel=run.channel)
                return


_FOLLOW_UP = 0.4  # similarity to a claim of an alerted article at which a new claim updates it


def marked_known(item: Any, user: str) -> list[KnownClaim]:
    """The claims of an alert people marked "not new", as claims known from their feedback."""
    today = datetime.now(UTC).date().isoformat()
    return [KnownClaim(text=c["text"], source=f"feedback from {user}", date=today, origin="feedback", url=item["url"])
            for c in json.loads(item["detail"] or "[]") if c.get("status") in ("new", "contradiction")]


def _teach(analyser: Analyser, item: Any, click: Click) -> None:
    """Runs in the analysis thread: feedback changes what is known where articles are analysed."""
    if click.action == "not-new":
        for claim in marked_known(item, click.user):
            analyser.remember(claim)
    elif click.action == "wrong-story":
        analyser.wrong_story(item["url"], item["title"] or "", item["text"] or "", was_relevant=True)


def _digest_channels(stories: Mapping[str, StoryRun]) -> dict[str, str | None]:
    """Where each story's digest goes."""
    return {name: run.channel for name, run in stories.items()}


def _analysis_order(candidate: Candidate) -> tuple[datetime, str]:
    return analysis_order(candidate.published, candidate.url)


def analysis_order(published: datetime | None, url: str) -> tuple[datetime, str]:
    """Oldest first, so that a copy never beats its original; undated items count as new now."""
    return published or datetime.now(UTC), url


def _detail(analysis: Analysis) -> list[dict[str, Any]]:
    return [{"text": c.text, "status": c.status.value, "score": c.score, "reason": c.reason,
             "matched": c.matched.text if c.matched else None,
             "matched_source": c.matched.source if c.matched else None,
             "matched_date": c.matched.date if c.matched else None} for c in analysis.claims]


def parse_date(value: str | None) -> datetime | None:
    """A feed's or page's date, in UTC when it names no zone; None when there is none or it is no date."""
    if not value:
        return None
    try:
        moment = dateparser.parse(value)
    except (ValueError, OverflowError):
        return None
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
