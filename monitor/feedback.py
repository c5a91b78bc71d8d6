"""Feedback from Slack: the buttons under each alert, received through Socket Mode (no public URL).

slack-sdk's own Socket Mode client (its built-in websocket, no extra stack) holds the connection and
reconnects when it drops; each envelope is acknowledged at once, then the click is handed to the
event loop, where the pipeline applies it between articles (what is known changes in one place, in
order).  ``parse_click`` and ``mark_message`` are pure.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from slack_sdk import WebClient
from slack_sdk.socket_mode import SocketModeClient
from slack_sdk.socket_mode.client import BaseSocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse

from monitor.notify.format import FEEDBACK_ACTIONS, FEEDBACK_PREFIX

log = logging.getLogger(__name__)

@dataclass(frozen=True, slots=True)
class Click:
    """Someone pressed a feedback button under an alert."""

    alert_id: str
    action: str            # a key of FEEDBACK_ACTIONS
    user: str              # their Slack name, else their id
    user_id: str
    channel: str           # where the alert is, and its ts: the message to update
    ts: str
    text: str
    blocks: tuple[dict[str, Any], ...]


def parse_click(payload: dict[str, Any]) -> Click | None:
    """A feedback click from an interactive payload (``block_actions``); None for anything else."""
    if payload.get("type") != "block_actions":
        return None
    ours = [a for a in payload.get("actions") or [] if str(a.get("action_id", "")).startswith(FEEDBACK_PREFIX)]
    if not ours or ours[0]["action_id"].removeprefix(FEEDBACK_PREFIX) not in FEEDBACK_ACTIONS:
        return None
    action = ours[0]
    if not action.get("value"):
        return None
    user = payload.get("user") or {}
    container = payload.get("container") or {}
    message = payload.get("message") or {}
    channel = container.get("channel_id") or (payload.get("channel") or {}).get("id")
    ts = container.get("message_ts") or message.get("ts")
    if not channel or not ts:
        return None
    return Click(alert_id=str(action["value"]), action=action["action_id"].removeprefix(FEEDBACK_PREFIX),
                 user=str(user.get("username") or user.get("name") or user.get("id") or "someone"),
                 user_id=str(user.get("id") or ""), channel=str(channel), ts=str(ts),
                 text=str(message.get("text") or ""), blocks=tuple(message.get("blocks") or ()))


def mark_message(click: Click, said: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """The alert's blocks with one line saying who gave which feedback (buttons kept, for the others)."""
    kept = [b for b in click.blocks if b.get("block_id") != "feedback-given"]
    line = "; ".join(f"{FEEDBACK_ACTIONS[action]}: {user}" for action, user in said)
    note = {"type": "context", "block_id": "feedback-given",
            "elements": [{"type": "mrkdwn", "text": f":speech_balloon: {line}"}]}
    at = next((i for i, b in enumerate(kept) if b.get("block_id") == "feedback"), len(kept))
    return [*kept[:at], note, *kept[at:]]


class FeedbackListener:
    """The Socket Mode connection: clicks arrive on ``queue`` in the event loop that started it."""

    def __init__(self, app_token: str, api_url: str | None, timeout: float = 15.0) -> None:
        kwargs: dict[str, Any] = {"timeout": int(timeout)}
        if api_url:
            kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
        self._client = SocketModeClient(app_token=app_token, web_client=WebClient(**kwargs),
                                        auto_reconnect_enabled=True, logger=logging.getLogger("monitor.socket"))
        self._client.socket_mode_request_listeners.append(self._on_request)
        self.queue: asyncio.Queue[Click] = asyncio.Queue()
        self._loop: asyncio.AbstractEventLoop | None = None

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        """Connect (blocking: call it in a worker thread; the client then runs in threads of its own);
        clicks go to ``queue`` in ``loop``."""
        self._loop = loop
        self._client.connect()
        log.info("connected to Slack for feedback (Socket Mode)")

    def close(self) -> None:
        self._client.close()

    def _on_request(self, client: BaseSocketModeClient, request: SocketModeRequest) -> None:
        # Acknowledged first: Slack redelivers an envelope it has not heard back about within 3 seconds.
        client.send_socket_mode_response(SocketModeResponse(envelope_id=request.envelope_id))
        if request.type != "interactive":
            return
        click = parse_click(request.payload)
        if click is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self.queue.put_nowait, click)
