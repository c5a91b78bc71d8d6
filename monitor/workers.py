"""Extraction in worker processes.

trafilatura's parsing is CPU-bound Python: in threads it would hold the interpreter
lock that polling and analysis need, so pages are extracted in a process pool sized
to the cores.  Workers fork from a server that has already imported trafilatura, so
starting one is cheap; a pool broken by a crashed worker is replaced, and the page
that broke it counts as one without text.  Where worker processes cannot run (no
/dev/shm, or pools that keep breaking), extraction falls back to threads.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import math
import multiprocessing
import multiprocessing.connection
import os
import signal
import threading
from collections.abc import AsyncIterator
from concurrent.futures import Executor, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any

from monitor import failpoints
from monitor.model import Extracted

log = logging.getLogger(__name__)


_BREAKS_BEFORE_THREADS = 3  # pools broken in a row before extraction moves into this process


class ExtractionPool:
    def __init__(self, workers: int | None = None) -> None:
        # One per core: on real pages extraction costs several times what the analysis of the same article
        # costs, so the event loop and the analysis thread take their share of the cores beside the workers.
        self._workers = workers or usable_cpus()
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["monitor.extract"])
        self._breaks = 0
        self._pool = self._start()
        # A worker's next page waits here rather than in the pool's first-come queue: one more than the
        # workers is in flight, so none idles between pages, and the rest go in the order they are wanted.
        self._turns = _Turns(self._workers + 1)

    @property
    def workers(self) -> int:
        return self._workers

    def _start(self) -> Executor:
        try:
            pool = ProcessPoolExecutor(self._workers, mp_context=self._context, initializer=_worker_setup)
        except OSError as exc:  # no process-shared semaphores here (no /dev/shm, say)
            log.warning("extracting in threads: worker processes cannot start here (%s)", exc)
            return self._threads()
        # Workers start on the first task, and starting them waits for the fork server's imports:
        # do that now, in the background, rather than on the event loop when the first page arrives.
        threading.Thread(target=_warm_up, args=(pool,), name="extract-start", daemon=True).start()
        return pool

    def _threads(self) -> ThreadPoolExecutor:
        return ThreadPoolExecutor(self._workers, thread_name_prefix="extract")

    async def extract(self, body: bytes, url: str, priority: tuple[Any, ...] = ()) -> Extracted | None:
        """The page's text and metadata, or None.  Pages waiting for a worker are taken lowest
        ``priority`` first (the analysis's order), so the analysis can start on them soonest."""
        async with self._turns.turn(priority):
            return await self._extract(body, url)

    async def _extract(self, body: bytes, url: str) -> Extracted | None:
        pool = self._pool
        task = _extract_in_worker if isinstance(pool, ProcessPoolExecutor) else _extract
        try:
            extracted = await asyncio.get_running_loop().run_in_executor(pool, task, body, url)
        except BrokenProcessPool:
            log.warning("an extraction worker died; the page counts as one without text", extra={"url": url})
            if self._pool is pool:  # the first to notice replaces the pool
                self._breaks += 1
                if self._breaks < _BREAKS_BEFORE_THREADS:
                    self._pool = self._start()
                else:
                    log.warning("extraction workers keep dying; extracting in threads from now on")
                    self._pool = self._threads()
                pool.shutdown(wait=False, cancel_futures=True)
            return None
        self._breaks = 0
        return extracted

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Turns:
    """At most ``slots`` holders at a time; waiters are let in lowest priority first, ties in arrival order."""

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: list[tuple[tuple[Any, ...], int, asyncio.Future[None]]] = []
        self._arrivals = itertools.count()

    @contextlib.asynccontextmanager
    async def turn(self, priority: tuple[Any, ...]) -> AsyncIterator[None]:
        if self._free and not self._waiting:
            self._free -= 1
        else:
            granted: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            heapq.heappush(self._waiting, (priority, next(self._arrivals), granted))
            try:
                await granted
            except asyncio.CancelledError:
                if granted.done() and not granted.cancelled():
                    self._pass_on()  # granted just as it was cancelled: the turn goes to the next
                raise
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        while self._waiting:
            granted = heapq.heappop(self._waiting)[2]
            if not granted.done():  # a cancelled waiter is skipped
                granted.set_result(None)
                return
        self._free += 1


CGROUP_CPU_MAX = Path("/sys/fs/cgroup/cpu.max")  # cgroup v2: "<quota> <period>", or "max <period>" for no limit


def usable_cpus(cpu_max: Path = CGROUP_CPU_MAX) -> int:
    """CPUs this process may use: those it may run on, and no more than its container's CPU quota
    (`docker run --cpus 2` on a 64-core host gives two workers, not 64)."""
    try:
        cpus = len(os.sched_getaffinity(0)) or 1
    except AttributeError:  # no affinity API (macOS)
        cpus = os.cpu_count() or 1
    try:
        quota, period = cpu_max.read_text().split()[:2]
        return max(1, min(cpus, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):  # no cgroup v2 here, or "max": no quota
        return cpus


def _warm_up(pool: ProcessPoolExecutor) -> None:
    with contextlib.suppress(RuntimeError):  # the pool was shut down or broke first: nothing to warm
        pool.submit(int)


def _extract_in_worker(body: bytes, url: str) -> Extracted | None:
    failpoints.hit("in-extraction-worker")  # crash tests: a worker that dies mid-page
    return _extract(body, url)


def _extract(body: bytes, url: str) -> Extracted | None:
    # Workers have trafilatura preloaded; this process loads it only if extraction falls back to threads.
    from monitor.extract import extract

    return extract(body, url)


def _worker_setup() -> None:
    """Worker initializer.  Ctrl-C reaches the whole process group: the monitor decides when to stop,
    so workers ignore it.  And they leave when the monitor dies, even by SIGKILL, so that no worker
    outlives it (holding its stdout and stderr open, for one)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_readable, args=(parent.sentinel,), daemon=True).start()


def _exit_when_readable(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])  # the monitor's end closes when it exits
    os._exit(0)
