"""Delivery to Slack with slack-sdk's synchronous clients (no extra HTTP stack).

``chat.postMessage`` with text, blocks and metadata through a bot token, or an
incoming webhook.  Rate limits, server errors and dropped connections are
retried by slack-sdk's retry handlers (Retry-After honoured); an invalid token
is a final error, so nothing hammers Slack.  Tokens never appear in errors.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler, ServerErrorRetryHandler
from slack_sdk.webhook import WebhookClient

from monitor.errors import DeliveryError
from monitor.notify import Delivery, Thread
from monitor.notify.format import escape

log = logging.getLogger(__name__)

FINAL_ERRORS = {"invalid_auth", "not_authed", "account_inactive", "token_revoked", "token_expired",
                "channel_not_found", "not_in_channel", "is_archived", "missing_scope", "invalid_blocks",
                "invalid_metadata_format", "msg_too_long", "no_permission", "restricted_action"}


def _retry_handlers() -> list[Any]:
    # Rate limits and server errors mean Slack did not take the post, so retrying is safe.  A dropped
    # connection may come after Slack took it: that is left to the outbox, which looks it up first.
    return [RateLimitErrorRetryHandler(max_retry_count=2), ServerErrorRetryHandler(max_retry_count=2)]


class SlackNotifier:
    def __init__(self, token: str, channel: str, api_url: str | None = None, timeout: float = 15.0) -> None:
        kwargs: dict[str, Any] = {"token": token, "timeout": int(timeout), "retry_handlers": _retry_handlers()}
        if api_url:
            kwargs["base_url"] = api_url if api_url.endswith("/") else api_url + "/"
        self._client = WebClient(**kwargs)
        self._channel = channel
        self._channel_ids: dict[str, str] = {}  # channel name -> id, as Slack answered (history wants the id)

    def send(self, message: dict[str, Any], thread: Thread | None = None, channel: str | None = None) -> Delivery:
        replying: dict[str, Any] = {"thread_ts": thread.ts, "reply_broadcast": thread.broadcast} if thread else {}
        target = channel or self._channel
        try:
            response = self._client.chat_postMessage(channel=target, text=message["text"],
                                                     blocks=message.get("blocks"),
                                                     metadata=message.get("metadata"), unfurl_links=False,
                                                     **replying)
        except SlackApiError as exc:
            error = str(exc.response.get("error", "unknown_error")) if exc.response is not None else "unknown"
            status = exc.response.status_code if exc.response is not None else 0
            raise DeliveryError(f"Slack refused chat.postMessage: {error} (HTTP {status})",
                                retryable=error not in FINAL_ERRORS) from None
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(f"Slack unreachable: {type(exc).__name__}: {safe_message(exc)}",
                                uncertain=True) from None
        if answered := response.get("channel"):
            self._channel_ids[target] = answered
        return Delivery(ts=response.get("ts"))

    def find_delivered(self, dedup_key: str, since: float, thread: Thread | None = None,
                       channel: str | None = None) -> Delivery | None:
        """Look the message up in the channel history (a reply: in its thread) by the id in its metadata."""
        target = channel or self._channel
        channel = self._channel_ids.get(target, target)
        try:
            if thread is not None:  # replies are not in the channel's history, only in their thread's
                response = self._client.conversations_replies(channel=channel, ts=thread.ts,
                                                              include_all_metadata=True, limit=200)
            else:
                response = self._client.conversations_history(channel=channel, oldest=f"{since - 120:.6f}",
                                                               include_all_metadata=True, limit=200)
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise DeliveryError(f"cannot check Slack history for an interrupted post: {safe_message(exc)}") from None
        for msg in response.get("messages") or []:
            payload = (msg.get("metadata") or {}).get("event_payload") or {}
            if payload.get("id") == dedup_key:
                return Delivery(ts=msg.get("ts"))
        return None


    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        try:
            self._client.chat_update(channel=channel, ts=ts, text=text, blocks=blocks)
        except (SlackApiError, SlackClientError, OSError) as exc:
            raise DeliveryError(f"Slack refused chat.update: {safe_message(exc)}") from None


class WebhookNotifier:
    """Incoming webhooks accept text and blocks; they carry no metadata and have no history."""

    def __init__(self, url: str, timeout: float = 15.0) -> None:
        self._client = WebhookClient(url, timeout=int(timeout), retry_handlers=_retry_handlers())

    def send(self, message: dict[str, Any], thread: Thread | None = None, channel: str | None = None) -> Delivery:
        """A webhook posts to the one channel it was made for; ``channel`` cannot change that."""
        text, blocks = message["text"], message.get("blocks")
        if thread is not None:  # a webhook cannot reply in a thread: the follow-up names the earlier alert
            note = f"Follow-up to the earlier alert: {escape(thread.parent_title)}"
            text = f"{note}\n{text}"
            blocks = [{"type": "context", "elements": [{"type": "mrkdwn", "text": note}]}, *(blocks or [])]
        try:
            response = self._client.send(text=text, blocks=blocks)
        except (SlackClientError, OSError) as exc:
            raise DeliveryError(f"Slack webhook unreachable: {type(exc).__name__}", uncertain=True) from None
        if response.status_code != 200:
            raise DeliveryError(f"Slack webhook answered HTTP {response.status_code}: {response.body[:100]}",
                                retryable=response.status_code >= 500 or response.status_code == 429)
        return Delivery()

    def find_delivered(self, dedup_key: str, since: float, thread: Thread | None = None,
                       channel: str | None = None) -> Delivery | None:
        return None


    def update(self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]]) -> None:
        pass  # a webhook's posts cannot be edited


def safe_message(exc: BaseException) -> str:
    """An exception message with anything token-like removed."""
    text = str(exc)
    for marker in ("xoxb-", "xoxp-", "xoxa-", "xapp-", "hooks.slack.com/services/"):
        while marker in text:
            start = text.index(marker)
            end = start + len(marker)
            while end < len(text) and (text[end].isalnum() or text[end] in "-/_"):
                end += 1
            text = text[:start] + "[redacted]" + text[end:]
    return text[:300]
