"""Extraction in worker processes.

trafilatura's parsing is CPU-bound Python: in threads it would hold the interpreter
lock that polling and analysis need, so pages are extracted in a process pool sized
to the cores but one.  Workers fork from a server that has already imported trafilatura, so
starting one is cheap; a pool broken by a crashed worker is replaced, and the page
that broke it counts as one without text.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import multiprocessing.connection
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType

from monitor.extract import Extracted, extract

log = logging.getLogger(__name__)


class ExtractionPool:
    def __init__(self, workers: int | None = None) -> None:
        # By default one core is left to the event loop and the analysis thread, which must keep up.
        self._workers = max(1, workers if workers is not None else (os.cpu_count() or 2) - 1)
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(["monitor.extract"])
        self._pool = self._start()

    @property
    def workers(self) -> int:
        return self._workers

    def _start(self) -> ProcessPoolExecutor:
        pool = ProcessPoolExecutor(self._workers, mp_context=self._context, initializer=_exit_with_parent)
        # Workers start on the first task, and starting them waits for the fork server's imports:
        # do that now, in the background, rather than on the event loop when the first page arrives.
        threading.Thread(target=pool.submit, args=(int,), name="extract-start", daemon=True).start()
        return pool

    async def extract(self, body: bytes, url: str) -> Extracted | None:
        pool = self._pool
        try:
            return await asyncio.get_running_loop().run_in_executor(pool, extract, body, url)
        except BrokenProcessPool:
            log.warning("an extraction worker died; starting new ones", extra={"url": url})
            if self._pool is pool:
                self._pool = self._start()
                pool.shutdown(wait=False, cancel_futures=True)
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> ExtractionPool:
        return self

    def __exit__(self, *exc: tuple[type[BaseException] | None, BaseException | None, TracebackType | None]) -> None:
        self.close()


def _exit_with_parent() -> None:
    """Worker initializer: leave when the monitor dies, even by SIGKILL, so that no worker outlives
    it (holding its stdout and stderr open, for one)."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_exit_when_readable, args=(parent.sentinel,), daemon=True).start()


def _exit_when_readable(sentinel: int) -> None:
    multiprocessing.connection.wait([sentinel])  # the monitor's end closes when it exits
    os._exit(0)
