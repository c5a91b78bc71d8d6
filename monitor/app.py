"""Composition root: the one place where configuration becomes concrete objects."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import urlsplit

from monitor.analyse import Analyser, JudgeSetup
from monitor.analysis_settings import AnalysisSettings
from monitor.config import AnalysisConfig, Config, LoadedConfig, StorySpec
from monitor.errors import ConfigError
from monitor.fetch import Fetcher, FetchSettings
from monitor.metrics import Metrics
from monitor.notify import Notifier
from monitor.notify.console import ConsoleNotifier
from monitor.notify.slack import SlackNotifier, WebhookNotifier
from monitor.outbox import FloodControl
from monitor.pipeline import CycleReport, Pipeline, Progress, StoryRun
from monitor.replicas import Coordinator, Watermark, replica_id
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


def analysis_settings(a: AnalysisConfig) -> AnalysisSettings:
    return AnalysisSettings(relevance_threshold=a.relevance_threshold, duplicate_threshold=a.duplicate_threshold,
                            known_threshold=a.known_threshold, paraphrase_threshold=a.paraphrase_threshold)


def fetch_settings(config: Config) -> FetchSettings:
    h = config.http
    return FetchSettings(user_agent=h.user_agent, connect_timeout=h.connect_timeout, read_timeout=h.read_timeout,
                         total_timeout=h.total_timeout, max_bytes=h.max_bytes, max_redirects=h.max_redirects,
                         concurrency=h.concurrency, per_host=h.per_host,
                         allow_private_networks=h.allow_private_networks, respect_robots=h.respect_robots)


def build_judge(analysis: AnalysisConfig) -> JudgeSetup | None:
    j = analysis.judge
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


def build_analyser(story: Story, name: str, store: Store, analysis: AnalysisConfig) -> Analyser:
    """What is known of a story: its seeds, then everything learnt and seen since, from the store."""
    semantic = SemanticMatcher() if analysis.semantic else None
    analyser = Analyser(story, analysis_settings(analysis), build_judge(analysis), semantic)
    # Only as much as memory keeps: older claims and articles would be forgotten again at once.
    for claim in store.learnt_claims(name, newest=analyser.knowledge.capacity):
        analyser.remember(claim)
    wrong = {row["url"]: row for row in store.wrong_story_items(name)}
    for row in store.processed_texts(name, newest=analyser.duplicates.capacity):
        relevant = row["verdict"] not in ("off-topic", "duplicate") and row["url"] not in wrong
        analyser.recall_article(row["url"], row["title"] or "", row["text"], relevant=relevant)
    for row in wrong.values():  # what people said is another story stays a negative example
        analyser.wrong_story(row["url"], row["title"] or "", row["text"] or "", was_relevant=False)
    return analyser


def build_story(spec: StorySpec, loaded: LoadedConfig, store: Store) -> StoryRun:
    """A configured story, ready to analyse: seeds read, knowledge rebuilt, as-of fixed."""
    story = load_story(loaded.seed_paths(spec), spec.where)
    # Taken before the store is read: what other replicas store meanwhile is taken in later (twice is harmless).
    seen = Watermark(*store.high_water(spec.name))
    # The story's as-of: from its story file or newest seed date, else when it was first loaded.
    stated = story.as_of or store.story_as_of(spec.name, datetime.now(UTC).isoformat())
    moment = datetime.fromisoformat(stated)  # a date alone means the start of that day (UTC)
    return StoryRun(name=spec.name, analyser=build_analyser(story, spec.name, store, spec.analysis),
                    as_of=moment if moment.tzinfo else moment.replace(tzinfo=UTC), spec=spec, seeds=story,
                    seen=seen)


def build_stories(loaded: LoadedConfig, store: Store,
                  reuse: Mapping[str, StoryRun] | None = None) -> dict[str, StoryRun]:
    """Every configured story; with ``reuse``, a story whose config did not change keeps what it learnt."""
    runs = {}
    for spec in loaded.config.story_specs():
        kept = (reuse or {}).get(spec.name)
        runs[spec.name] = kept if kept is not None and kept.spec == spec else build_story(spec, loaded, store)
    return runs


@dataclass
class Monitor:
    loaded: LoadedConfig
    store: Store
    stories: dict[str, StoryRun]
    notifier: Notifier
    coordinator: Coordinator

    @classmethod
    def open(cls, loaded: LoadedConfig) -> Monitor:
        store = Store(loaded.config.storage.url)
        try:
            first = loaded.config.story_specs()[0].name
            if adopted := store.adopt(first):
                log.info("a single-story database: its data is now the story's", extra={"story": first,
                                                                                       "items": adopted})
            store.sync_sources(loaded.config.sources())
            stories = build_stories(loaded, store)
            service = loaded.config.service
            coordinator = Coordinator(store, loaded.config.storage.url,
                                      replica_id(service.replica_id, store.dialect), service.lease_seconds)
        except BaseException:
            store.close()
            raise
        return cls(loaded, store, stories, build_notifier(loaded.config), coordinator)

    @property
    def config(self) -> Config:
        return self.loaded.config

    def story(self, name: str | None = None) -> StoryRun:
        """The story called ``name``; without a name, the only one."""
        if name is None:
            if len(self.stories) > 1:
                raise ConfigError(f"this config follows {len(self.stories)} stories; say which with --story "
                                  f"({', '.join(self.stories)})")
            return next(iter(self.stories.values()))
        if name not in self.stories:
            raise ConfigError(f"--story {name}: no such story in {self.loaded.path} "
                              f"(stories: {', '.join(self.stories)})")
        return self.stories[name]

    def close(self) -> None:
        self.coordinator.close()
        self.store.close()

    @contextlib.asynccontextmanager
    async def pipeline(self, metrics: Metrics | None = None, *, rolling: bool = False) -> AsyncIterator[Pipeline]:
        """The pipeline; ``rolling`` (in `monitor run`) caps alerts per rolling window as well as per cycle."""
        hosts = {urlsplit(s.url).hostname or "" for s in self.config.sources()}
        workers = self.config.service.extraction_workers
        with ExtractionPool(workers) as extractor, ThreadPoolExecutor(1, thread_name_prefix="analyse") as analysis_pool:
            async with Fetcher(fetch_settings(self.config), trusted_hosts=hosts) as fetcher:
                yield Pipeline(store=self.store, fetcher=fetcher, stories=self.stories, notifier=self.notifier,
                               extractor=extractor, analysis_pool=analysis_pool,
                               failure_notice_after=self.config.polling.failure_notice_after, metrics=metrics,
                               flood=self.flood_control(rolling),
                               corroboration_replies=self.config.slack.corroboration_replies,
                               public_url=self.config.service.public_url,
                               feedback_buttons=bool(self.config.slack.app_token), coordinator=self.coordinator,
                               poll_concurrency=self.config.http.concurrency)

    def flood_control(self, rolling: bool) -> FloodControl:
        slack = self.config.slack
        return FloodControl(slack.max_alerts_per_cycle, slack.max_alerts_per_window if rolling else None,
                            slack.alert_window)

    async def once(self, progress: Progress | None = None) -> CycleReport:
        async with self.pipeline() as pipeline:
            try:
                return await pipeline.run_cycle(self.config.sources(), progress)
            finally:
                self.coordinator.release()  # polled: the next `monitor once`, here or elsewhere, may poll again

