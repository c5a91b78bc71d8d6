"""Delivering the outbox: every stored message reaches Slack exactly once.

A message is marked ``sending`` before the post and ``sent`` after it.  A
message found in ``sending`` was interrupted by a crash: it may or may not have
arrived, so Slack is asked (by the id in its metadata) before posting again.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from monitor import failpoints
from monitor.errors import DeliveryError
from monitor.notify import Notifier
from monitor.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeliveryReport:
    sent: int
    remaining: int
    error: str | None = None


def deliver_pending(store: Store, notifier: Notifier) -> DeliveryReport:
    sent = 0
    for message in store.undelivered():
        try:
            if message.state == "sending":
                found = notifier.find_delivered(message.dedup_key, message.created_at)
                if found is not None:
                    log.info("interrupted post %s had reached Slack; not posting it again", message.dedup_key)
                    store.mark_sent(message.id, found.ts)
                    continue
            store.mark_sending(message.id)
            failpoints.hit("before-post")
            delivery = notifier.send(message.message)
            failpoints.hit("after-post")
        except DeliveryError as exc:
            # An uncertain outcome stays "sending": the next attempt looks it up before posting again.
            store.mark_unsent(message.id, str(exc), uncertain=exc.uncertain)
            remaining = store.outbox_size()
            log.error("delivery failed, %d message(s) kept in the outbox: %s", remaining, exc)
            return DeliveryReport(sent, remaining, str(exc))
        store.mark_sent(message.id, delivery.ts)
        sent += 1
    return DeliveryReport(sent, store.outbox_size())
