"""One exception hierarchy for the whole monitor.

Stages that deal with the outside world return failures as values (see
``model.FetchFailure``); exceptions are for configuration problems and for
bugs.  Everything the monitor raises on purpose derives from MonitorError.
"""

from __future__ import annotations


class MonitorError(Exception):
    """Base class of every error the monitor raises on purpose."""


class ConfigError(MonitorError):
    """The configuration file or a seed file is invalid; the message says where and why."""


class SeedError(ConfigError):
    """A seed document or story file cannot be read."""


class FetchError(MonitorError):
    """An HTTP fetch failed; ``reason`` is a short machine-friendly label."""

    def __init__(self, reason: str, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.retry_after = retry_after


class ParseError(MonitorError):
    """A feed or page body could not be parsed."""


class StorageError(MonitorError):
    """The state database cannot be opened or migrated."""


class DeliveryError(MonitorError):
    """An alert could not be delivered.

    ``retryable``: trying again may help.  ``uncertain``: the request may have reached Slack
    (a timeout or a dropped connection), so it must be looked up before it is sent again.
    """

    def __init__(self, message: str, *, retryable: bool = True, uncertain: bool = False) -> None:
        super().__init__(message)
        self.retryable = retryable
        self.uncertain = uncertain
