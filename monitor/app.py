"""Composition root: the one place where configuration becomes concrete objects."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from monitor.analyse import Analyser, JudgeSetup
from monitor.analysis_settings import AnalysisSettings
from monitor.config import Config, LoadedConfig
from monitor.fetch import Fetcher, FetchSettings
from monitor.metrics import Metrics
from monitor.notify import Notifier
from monitor.notify.console import ConsoleNotifier
from monitor.notify.slack import SlackNotifier, WebhookNotifier
from monitor.outbox import FloodControl
from monitor.pipeline import CycleReport, Pipeline, Progress
from monitor.store import Store
from monitor.story.judges import AnthropicJudge, Budgeted, Judge, NliJudge, OpenAICompatibleJudge
from monitor.story.seeds import Story, load_story
from monitor.story.semantic import SemanticMatcher
from monitor.workers import ExtractionPool

log = logging.getLogger("monitor")


def build_notifier(config: Config) -> Notifier:
    slack = config.slack
    if slack.token:
        assert slack.channel is not None
        return SlackNotifier(slack.token, slack.channel, slack.api_url, slack.timeout)
    if slack.webhook_url:
        return WebhookNotifier(slack.webhook_url, slack.timeout)
    return ConsoleNotifier()


def analysis_settings(config: Config) -> AnalysisSettings:
    a = config.analysis
    return AnalysisSettings(relevance_threshold=a.relevance_threshold, duplicate_threshold=a.duplicate_threshold,
                            known_threshold=a.known_threshold, paraphrase_threshold=a.paraphrase_threshold)


def fetch_settings(config: Config) -> FetchSettings:
    h = config.http
    return FetchSettings(user_agent=h.user_agent, connect_timeout=h.connect_timeout, read_timeout=h.read_timeout,
                         total_timeout=h.total_timeout, max_bytes=h.max_bytes, max_redirects=h.max_redirects,
                         concurrency=h.concurrency, per_host=h.per_host,
                         allow_private_networks=h.allow_private_networks, respect_robots=h.respect_robots)


def build_judge(config: Config) -> JudgeSetup | None:
    j = config.analysis.judge
    if j is None:
        return None
    judge: Judge
    if j.kind == "nli":
        assert j.path is not None
        judge = NliJudge(j.path)
    else:
        assert j.url is not None and j.model is not None
        kind = OpenAICompatibleJudge if j.kind == "openai" else AnthropicJudge
        judge = kind(j.url, j.model, j.api_key, j.timeout)
    return JudgeSetup(Budgeted(judge, j.max_calls), (j.ambiguous_from, j.ambiguous_to))


def build_analyser(story: Story, store: Store, config: Config) -> Analyser:
    """What is known: the seeds, then everything learnt and seen since, from the store."""
    semantic = SemanticMatcher() if config.analysis.semantic else None
    analyser = Analyser(story, analysis_settings(config), build_judge(config), semantic)
    # Only as much as memory keeps: older claims and articles would be forgotten again at once.
    for claim in store.learnt_claims(newest=analyser.knowledge.capacity):
        analyser.remember(claim)
    for row in store.processed_texts(newest=analyser.duplicates.capacity):
        analyser.recall_article(row["url"], row["text"], relevant=row["verdict"] not in ("off-topic", "duplicate"))
    return analyser


@dataclass
class Monitor:
    loaded: LoadedConfig
    story: Story
    store: Store
    analyser: Analyser
    notifier: Notifier

    @classmethod
    def open(cls, loaded: LoadedConfig) -> Monitor:
        story = load_story(loaded.seed_paths)
        store = Store(loaded.config.storage.path)
        store.sync_sources([(s.url, s.name, s.kind.value) for s in loaded.config.sources()])
        return cls(loaded, story, store, build_analyser(story, store, loaded.config), build_notifier(loaded.config))

    @property
    def config(self) -> Config:
        return self.loaded.config

    def close(self) -> None:
        self.store.close()

    @contextlib.asynccontextmanager
    async def pipeline(self, metrics: Metrics | None = None, *, rolling: bool = False) -> AsyncIterator[Pipeline]:
        """The pipeline; ``rolling`` (in `monitor run`) caps alerts per rolling window as well as per cycle."""
        hosts = {urlsplit(s.url).hostname or "" for s in self.config.sources()}
        workers = self.config.service.extraction_workers
        with ExtractionPool(workers) as extractor, ThreadPoolExecutor(1, thread_name_prefix="analyse") as analysis_pool:
            async with Fetcher(fetch_settings(self.config), trusted_hosts=hosts) as fetcher:
                yield Pipeline(store=self.store, fetcher=fetcher, analyser=self.analyser, notifier=self.notifier,
                               extractor=extractor, analysis_pool=analysis_pool,
                               failure_notice_after=self.config.polling.failure_notice_after,
                               max_claims=self.config.analysis.max_claims_per_alert, metrics=metrics,
                               as_of=self.as_of(), flood=self.flood_control(rolling),
                               corroboration_replies=self.config.slack.corroboration_replies)

    def flood_control(self, rolling: bool) -> FloodControl:
        slack = self.config.slack
        return FloodControl(slack.max_alerts_per_cycle, slack.max_alerts_per_window if rolling else None,
                            slack.alert_window)

    def as_of(self) -> datetime:
        """The story's as-of: from its story file or newest seed date, else when it was first loaded
        (stored, so a restart does not move it).  A date alone means the start of that day (UTC)."""
        stated = self.story.as_of or self.store.remember_once("story_as_of", datetime.now(UTC).isoformat())
        moment = datetime.fromisoformat(stated)
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

    async def once(self, progress: Progress | None = None) -> CycleReport:
        async with self.pipeline() as pipeline:
            return await pipeline.run_cycle(self.config.sources(), progress)

