"""Failpoints: die with SIGKILL at a named step, for crash tests of the real process.

`MONITOR_FAILPOINT=<name>` makes the process kill itself, without any cleanup, the
first time it reaches that step.  Unset (always, in production) it costs one
dictionary lookup.  Steps: after-fetch, after-analyse, after-store, before-post,
after-post, before-digest (the first digest of a delivery); in-extraction-worker kills an extraction
worker, not the monitor.
"""

from __future__ import annotations

import os
import signal

ENV = "MONITOR_FAILPOINT"


def hit(name: str) -> None:
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
