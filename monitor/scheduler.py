"""`monitor run`: one APScheduler job per source, never two runs of a source at once.

Each job polls its source on its own interval with jitter.  A failing source
backs off exponentially (or as long as its Retry-After asked) but is never
given up; the first success puts it back on its interval.  The config file is
watched (and re-read on SIGHUP): added, removed and changed sources and new
thresholds take effect without a restart, while an invalid edit is logged and
the running config stays in force.  Stories may be added, removed or changed
too: a changed story is read again from its seeds and the store.  With a Slack
app token, feedback clicks arrive through Socket Mode and are applied between
articles.  SIGTERM/SIGINT stop new work, let the work in hand finish, and return.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import time
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from monitor.app import Monitor, build_stories
from monitor.config import LoadedConfig, load_config
from monitor.errors import ConfigError
from monitor.feedback import FeedbackListener
from monitor.health import HealthServer
from monitor.metrics import Metrics
from monitor.model import Source
from monitor.notify.slack import safe_message
from monitor.pipeline import Pipeline
from monitor.web.pages import Pages, StoryInfo
from monitor.web.timeline import Timeline

log = logging.getLogger("monitor.scheduler")

SHUTDOWN_GRACE = 8.0   # seconds the work in hand may take after SIGTERM
CONFIG_POLL = 2.0      # seconds between checks of the config file for edits
FEEDBACK_RETRY = 60.0  # seconds between attempts to reach Slack's Socket Mode
RESTART_ONLY = ("slack", "storage", "service", "http")  # sections read once at start


def backoff_delay(every: float, consecutive_errors: int, max_backoff: float, retry_after: float | None) -> float:
    """Seconds until the next poll of a failing source. Pure."""
    delay = every * 2.0 ** max(0, consecutive_errors - 1)
    if retry_after is not None:
        delay = max(delay, retry_after)
    return min(max(delay, every), max(max_backoff, every))


class Service:
    def __init__(self, monitor: Monitor) -> None:
        self.monitor = monitor
        self._in_flight: set[asyncio.Task[None]] = set()
        self._reload = asyncio.Event()
        self.last_cycle: float | None = None
        self.running = False

    async def run(self, stop: asyncio.Event | None = None) -> None:
        stop = stop or asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        loop.add_signal_handler(signal.SIGHUP, self._reload.set)
        scheduler = AsyncIOScheduler(event_loop=loop)
        coordinator = self.monitor.coordinator
        metrics = Metrics(coordinator.replica)
        metrics.statements.set_function(lambda: self.monitor.store.statements)
        listen = self.monitor.config.service.listen
        try:
            pages = Pages(Timeline(self.monitor.config.storage.url), self.story_pages,
                          self.monitor.config.service.auth_token)
            health = HealthServer(listen, self.monitor.config.storage.url, metrics, self.status, pages)
        except OSError as exc:
            raise ConfigError(f"service.listen {listen}: cannot listen there: {exc.strerror}") from None
        health.start()
        try:
            async with self.monitor.pipeline(metrics, rolling=True) as pipeline:
                for source in self.monitor.config.sources():
                    self._schedule(scheduler, pipeline, source)
                scheduler.start()
                self.running = True
                log.info("monitor running", extra={"sources": len(self.monitor.config.sources()),
                                                   "stories": len(self.monitor.stories),
                                                   "listen": health.address})
                watcher = asyncio.create_task(self._watch_config(scheduler, pipeline, stop))
                listening = asyncio.create_task(self._feedback(pipeline)) if self.monitor.config.slack.app_token \
                    else None
                await stop.wait()
                log.info("stopping: finishing the work in hand")
                watcher.cancel()
                if listening is not None:
                    listening.cancel()
                scheduler.shutdown(wait=False)
                self.running = False
                if self._in_flight:
                    await asyncio.wait(self._in_flight, timeout=SHUTDOWN_GRACE)
                coordinator.release()  # the other replicas take this one's sources at once
        finally:
            health.stop()
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                loop.remove_signal_handler(sig)

    async def _feedback(self, pipeline: Pipeline) -> None:
        """Feedback buttons: connect through Socket Mode (retrying until Slack answers), then apply each click."""
        slack = self.monitor.config.slack
        assert slack.app_token is not None
        listener = FeedbackListener(slack.app_token, slack.api_url, slack.timeout)
        try:
            while True:
                try:
                    await asyncio.to_thread(listener.start, asyncio.get_running_loop())
                    break
                except Exception as exc:  # the client raises what its transport raises
                    log.error("cannot connect to Slack for feedback; retrying in a minute",
                              extra={"error": f"{type(exc).__name__}: {safe_message(exc)}"})
                    await asyncio.sleep(FEEDBACK_RETRY)
            while True:
                click = await listener.queue.get()
                try:
                    await pipeline.apply_feedback(click)
                except Exception:
                    log.exception("feedback could not be applied", extra={"alert": click.alert_id})
        finally:
            await asyncio.to_thread(listener.close)

    def story_pages(self) -> list[StoryInfo]:
        """The stories as the timeline pages show them (read from the page server's thread)."""
        sources = self.monitor.config.sources()
        return [StoryInfo(name, run.seeds.claims, tuple(s.url for s in sources if name in s.stories))
                for name, run in self.monitor.stories.items()]

    def status(self) -> dict[str, object]:
        """What /healthz reports besides storage (read from the page server's thread)."""
        coordinator = self.monitor.coordinator
        try:
            leases: int | None = coordinator.leases()
        except Exception:  # the database does not answer: the storage check says so
            leases = None
        return {"scheduler": self.running, "last_cycle": self.last_cycle, "replica": coordinator.replica,
                "leases": leases, "database": self.monitor.store.where}

    # ------------------------------------------------------------------ live config

    async def _watch_config(self, scheduler: AsyncIOScheduler, pipeline: Pipeline, stop: asyncio.Event) -> None:
        path = self.monitor.loaded.path
        seen = _mtime(path)
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._reload.wait(), timeout=CONFIG_POLL)
            requested = self._reload.is_set()
            self._reload.clear()
            current = _mtime(path)
            if requested or current != seen:
                seen = current
                self.reload(scheduler, pipeline)

    def reload(self, scheduler: AsyncIOScheduler, pipeline: Pipeline) -> bool:
        """Apply an edited config file; keep the running one when the edit is invalid."""
        old = self.monitor.loaded
        try:
            new = load_config(old.path)
            # New or changed stories are read before anything changes: a bad seed path rejects the edit.
            stories = build_stories(new, self.monitor.store, reuse=self.monitor.stories)
        except ConfigError as exc:
            log.error("config edit rejected; the running config stays in force", extra={"error": str(exc)})
            return False
        before = {s.url: s for s in old.config.sources()}
        after = {s.url: s for s in new.config.sources()}
        for url in before.keys() - after.keys():
            with contextlib.suppress(Exception):
                scheduler.remove_job(url)
            log.info("source removed", extra={"url": url})
        for url, source in after.items():
            if before.get(url) == source and old.config.polling == new.config.polling:
                continue
            with contextlib.suppress(Exception):
                scheduler.remove_job(url)
            pipeline.fetcher.trust_host(urlsplit(url).hostname or "")
            self._schedule(scheduler, pipeline, source, loaded=new)
            log.info("source scheduled", extra={"url": url, "every": source.every_seconds})
        self.monitor.store.sync_sources(list(after.values()))
        for name in self.monitor.stories.keys() - stories.keys():
            log.info("story removed; its data stays until `monitor forget-story`", extra={"story": name})
        for name, run in stories.items():
            if self.monitor.stories.get(name) is not run:
                log.info("story loaded", extra={"story": name})
        self.monitor.stories = pipeline.stories = stories
        for section in RESTART_ONLY:
            if getattr(old.config, section) != getattr(new.config, section):
                log.warning("config section changed; it takes effect at the next restart",
                            extra={"section": section})
        self.monitor.loaded = _with_running_sections(new, old)
        log.info("config reloaded", extra={"sources": len(after)})
        return True

    # ------------------------------------------------------------------ jobs

    def _schedule(self, scheduler: AsyncIOScheduler, pipeline: Pipeline, source: Source,
                  loaded: LoadedConfig | None = None) -> None:
        config = (loaded or self.monitor.loaded).config
        jitter = source.every_seconds * config.polling.jitter

        async def job() -> None:
            task = asyncio.current_task()
            assert task is not None
            self._in_flight.add(task)
            try:
                await self._poll(scheduler, pipeline, source)
            finally:
                self._in_flight.discard(task)

        scheduler.add_job(job, IntervalTrigger(seconds=source.every_seconds, jitter=jitter or None),
                          id=source.url, name=source.name, max_instances=1, coalesce=True,
                          next_run_time=datetime.now().astimezone(), misfire_grace_time=None)

    async def _poll(self, scheduler: AsyncIOScheduler, pipeline: Pipeline, source: Source) -> None:
        try:
            report = await pipeline.run_cycle([source])
        except Exception:
            log.exception("poll crashed", extra={"source": source.name})
            return
        self.last_cycle = time.time()
        if self.monitor.coordinator.shared:
            pipeline.metrics.leases.set(self.monitor.coordinator.leases())
        fresh_for = report.sources[0].fresh_for if report.sources else None
        if not report.failed_sources and fresh_for and fresh_for > source.every_seconds:
            delay = min(fresh_for, self.monitor.config.polling.max_backoff)
            job = scheduler.get_job(source.url)
            if job is not None:  # the server asked us not to come back before it changes
                job.modify(next_run_time=datetime.now().astimezone() + timedelta(seconds=delay))
        if report.failed_sources:
            state = self.monitor.store.source(source.url)
            errors = state.error_count if state else 1
            delay = backoff_delay(source.every_seconds, errors, self.monitor.config.polling.max_backoff,
                                  state.retry_after if state else None)
            job = scheduler.get_job(source.url)
            if job is not None:
                job.modify(next_run_time=datetime.now().astimezone() + timedelta(seconds=delay))
            log.info("backing off", extra={"source": source.name, "seconds": round(delay)})


def _mtime(path: Path) -> int | None:
    try:
        return path.stat().st_mtime_ns
    except OSError:
        return None


def _with_running_sections(new: LoadedConfig, old: LoadedConfig) -> LoadedConfig:
    """The new config, but with the sections that only a restart applies kept as they run."""
    kept = {section: getattr(old.config, section) for section in RESTART_ONLY}
    return LoadedConfig(path=new.path, config=new.config.model_copy(update=kept))
