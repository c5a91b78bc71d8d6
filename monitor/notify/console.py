"""Alerts printed for people when no Slack is configured."""

from __future__ import annotations

import html
import sys
from typing import Any, TextIO

from monitor.notify import Delivery, Thread


class ConsoleNotifier:
    def __init__(self, stream: TextIO | None = None) -> None:
        self._stream = stream or sys.stdout
        self._count = 0

    def send(self, message: dict[str, Any], thread: Thread | None = None, channel: str | None = None) -> Delivery:
        meta = message.get("metadata", {})
        payload = meta.get("event_payload", {})
        event = meta.get("event_type")
        if event == "source_status":
            print(f"[source {payload.get('status')}] {payload.get('source')}: {payload.get('detail')}",
                  file=self._stream, flush=True)
            return Delivery()
        if event != "news_development":  # a digest or a corroboration: its plain text says it all
            self._print(html.unescape(message["text"]).splitlines(), thread)
            return Delivery(ts=self._next_ts())
        rule = "=" * 72
        kind = "CONTRADICTION" if payload.get("kind") == "contradiction" else "NEW DEVELOPMENT"
        story = f" [{message['story_label']}]" if message.get("story_label") else ""  # one of several stories
        lines = [rule, f"{kind}{story}: {payload.get('title')}",
                 f"{payload.get('source')} · {payload.get('published') or 'undated'} · {payload.get('url')}"]
        for claim in payload.get("claims", []):
            lines.append(f"  • {claim['text']}")
            if claim.get("contradicts"):
                lines.append(f"    ↯ contradicts ({claim.get('contradicts_source')}): {claim['contradicts']}")
        if payload.get("note"):
            lines.append(f"  ({payload['note']})")
        lines.append(rule)
        self._print(lines, thread)
        return Delivery(ts=self._next_ts())

    def _print(self, lines: list[str], thread: Thread | None) -> None:
        if thread is not None:  # a follow-up, indented under the alert it follows
            lines = [f"    ↳ follow-up to: {thread.parent_title}", *(f"    {line}" for line in lines)]
        print("\n".join(lines), file=self._stream, flush=True)

    def _next_ts(self) -> str:
        """A stand-in for Slack's message id, so that follow-ups can name their thread."""
        self._count += 1
        return f"console.{self._count:06d}"

    def find_delivered(self, dedup_key: str, since: float, thread: Thread | None = None,
                       channel: str | None = None) -> Delivery | None:
        return None

    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        pass  # printed lines stay as they are
