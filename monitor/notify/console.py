"""Alerts printed for people when no Slack is configured."""

from __future__ import annotations

import sys
from typing import Any, TextIO

from monitor.notify import Delivery


class ConsoleNotifier:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout

    def send(self, message: dict[str, Any]) -> Delivery:
        meta = message.get("metadata", {})
        payload = meta.get("event_payload", {})
        if meta.get("event_type") == "source_status":
            print(f"[source {payload.get('status')}] {payload.get('source')}: {payload.get('detail')}",
                  file=self._stream, flush=True)
            return Delivery()
        rule = "=" * 72
        kind = "CONTRADICTION" if payload.get("kind") == "contradiction" else "NEW DEVELOPMENT"
        lines = [rule, f"{kind}: {payload.get('title')}",
                 f"{payload.get('source')} · {payload.get('published') or 'undated'} · {payload.get('url')}"]
        for claim in payload.get("claims", []):
            lines.append(f"  • {claim['text']}")
            if claim.get("contradicts"):
                lines.append(f"    ↯ contradicts ({claim.get('contradicts_source')}): {claim['contradicts']}")
        if payload.get("note"):
            lines.append(f"  ({payload['note']})")
        lines.append(rule)
        print("\n".join(lines), file=self._stream, flush=True)
        return Delivery()

    def find_delivered(self, dedup_key: str, since: float) -> Delivery | None:
        return None
