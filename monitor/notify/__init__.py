"""Where alerts go: Slack (Web API or incoming webhook) or, when none is configured, the console."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Delivery:
    """Proof that a message arrived; ``ts`` identifies it in Slack when known."""

    ts: str | None = None


@dataclass(frozen=True, slots=True)
class Thread:
    """Where a follow-up goes: the thread of an earlier alert, also shown in the channel when ``broadcast``."""

    ts: str
    broadcast: bool
    parent_title: str


class Notifier(Protocol):
    def send(self, message: dict[str, Any], thread: Thread | None = None, channel: str | None = None) -> Delivery:
        """Deliver one rendered message (a reply in ``thread`` when given; to ``channel``, where the notifier
        can choose, else its default) or raise DeliveryError."""

    def find_delivered(self, dedup_key: str, since: float, thread: Thread | None = None,
                       channel: str | None = None) -> Delivery | None:
        """A message with this key that already arrived (a post a crash interrupted), if any."""

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        """Replace a message this notifier posted (to show the feedback it got); a no-op where it cannot."""
