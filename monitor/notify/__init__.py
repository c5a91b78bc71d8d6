"""Where alerts go: Slack (Web API or incoming webhook) or, when none is configured, the console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Delivery:
    """Proof that a message arrived; ``ts`` identifies it in Slack when known."""

    ts: str | None = None


class Notifier(Protocol):
    def send(self, message: dict[str, Any]) -> Delivery:
        """Deliver one rendered message or raise DeliveryError."""

    def find_delivered(self, dedup_key: str, since: float) -> Delivery | None:
        """A message with this key that already arrived (a post a crash interrupted), if any."""
