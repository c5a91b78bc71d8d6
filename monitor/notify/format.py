"""Alerts and notices -> Slack messages: plain ``text``, Block Kit ``blocks``, and ``metadata``.

All text from feeds and pages is untrusted: it is escaped for mrkdwn so it can
neither ping anyone (``<!channel>``, ``<@U…>``) nor forge a link.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from monitor.model import Alert, AlertKind, Article, ClaimStatus

EVENT_ALERT = "news_development"
EVENT_SOURCE_STATUS = "source_status"
EVENT_DIGEST = "news_digest"
EVENT_CORROBORATION = "news_corroboration"
_MAX_BLOCK_TEXT = 2900  # Slack rejects section text over 3000 characters


def escape(text: str) -> str:
    """mrkdwn-safe text: the three control characters Slack asks to escape."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _link(url: str, label: str) -> str:
    safe_url = url.replace("<", "%3C").replace(">", "%3E").replace("|", "%7C").replace(" ", "%20")
    if not safe_url.startswith(("http://", "https://")):
        return escape(label)
    return f"<{safe_url}|{escape(label).replace('|', '¦')}>"


def _clip(text: str, limit: int = _MAX_BLOCK_TEXT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _iso(moment: datetime | None) -> str:
    return moment.isoformat() if moment else ""


FEEDBACK_ACTIONS = {"not-new": "Not new", "wrong-story": "Wrong story", "useful": "Useful"}
FEEDBACK_PREFIX = "feedback:"


def feedback_buttons(alert_id: str) -> dict[str, Any]:
    """The actions block under an alert: what people can tell the monitor about it."""
    styles = {"wrong-story": "danger", "useful": "primary"}
    return {"type": "actions", "block_id": "feedback", "elements": [
        {"type": "button", "action_id": f"{FEEDBACK_PREFIX}{action}", "value": alert_id,
         "text": {"type": "plain_text", "text": label}, **({"style": styles[action]} if action in styles else {})}
        for action, label in FEEDBACK_ACTIONS.items()]}


def alert_message(alert: Alert, alert_id: str, story: str = "", *, name_story: bool = False,
                  timeline: str | None = None, buttons: bool = False) -> dict[str, Any]:
    """An alert; ``story`` goes into the metadata, and into the text too with ``name_story`` (a service
    that follows several stories); ``timeline``: the alert's entry on the timeline page; ``buttons``:
    feedback buttons (with a Socket Mode app token)."""
    article = alert.article
    contradiction = alert.kind is AlertKind.CONTRADICTION
    heading = "Contradiction" if contradiction else "New development"
    title = article.title or article.url
    claims_payload = []
    lines = []
    blocks: list[dict[str, Any]] = [
        {"type": "section", "text": {"type": "mrkdwn", "text": _clip(
            f"{':warning:' if contradiction else ':newspaper:'} *{heading}:* {_link(article.url, title)}")}},
        {"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(" · ".join(filter(None, [
            f"*{escape(story)}*" if name_story else None, escape(article.source_name), escape(_iso(article.published)),
            escape(article.note) if article.from_summary and article.note else None,
            _link(timeline, "timeline") if timeline else None])))}]},
    ]
    for claim in alert.claims:
        conflicting = claim.status is ClaimStatus.CONTRADICTION
        entry: dict[str, Any] = {"text": claim.text, "status": "contradiction" if conflicting else "new"}
        body = f"> {escape(claim.text)}"
        # The evidence: the known claim it conflicts with, or that an update or carried-out threat changes.
        if claim.matched and (conflicting or claim.settles):
            known = claim.matched
            label = "Contradicts" if conflicting else "Was"
            if conflicting:
                entry["contradicts"] = known.text
                entry["contradicts_source"] = known.source
            when = f", {known.date}" if known.date else ""
            body += (f"\n*{label}* ({escape(known.source)}{escape(when)}):\n> {escape(known.text)}"
                     f"\n_{escape(claim.reason)}_")
            lines.append(f"- {claim.text}\n  {label.lower()} ({known.source}{when}): {known.text}\n  ({claim.reason})")
        else:
            lines.append(f"- {claim.text}")
        claims_payload.append(entry)
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": _clip(body)}})
    if buttons:
        blocks.append(feedback_buttons(alert_id))
    if article.from_summary and article.note:
        lines.append(f"({article.note})")
    text = (f"[{story}] " if name_story else "") + f"{heading}: {title} ({article.source_name})\n{article.url}\n" \
        + "\n".join(lines)
    # As a follow-up in an earlier alert's thread, a contradiction or a carried-out threat is also shown
    # in the channel; the key is read by the outbox, never sent.
    broadcast = contradiction or any(c.settles for c in alert.claims)
    return {
        "broadcast": broadcast,
        "story_label": story if name_story else "",  # read by the console, never sent
        "text": escape(_clip(text, 3900)),
        "blocks": blocks,
        "metadata": {
            "event_type": EVENT_ALERT,
            "event_payload": {
                "kind": alert.kind.value,
                "url": article.url,
                "title": title,
                "source": article.source_name,
                "published": _iso(article.published),
                "claims": claims_payload,
                "id": alert_id,
                **({"story": story} if story else {}),
                **({"note": article.note} if article.from_summary and article.note else {}),
            },
        },
    }


def source_status_message(source_name: str, url: str, status: str, detail: str, notice_id: str) -> dict[str, Any]:
    """An operational notice: a source started failing ("failing") or recovered ("recovered")."""
    icon = ":rotating_light:" if status == "failing" else ":white_check_mark:"
    words = "is failing" if status == "failing" else "has recovered"
    text = f"Source {source_name} {words}: {detail}"
    return {
        "text": escape(text),
        "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": _clip(
            f"{icon} Source *{escape(source_name)}* {words}. {escape(detail)}")}}],
        "metadata": {"event_type": EVENT_SOURCE_STATUS,
                     "event_payload": {"status": status, "source": source_name, "url": url,
                                       "detail": detail, "id": notice_id}},
    }


def digest_message(alerts: list[dict[str, Any]], digest_id: str, story: str = "") -> dict[str, Any]:
    """One message for the alerts beyond the cap: a short list, newest first, each line the kind, the
    linked headline, the source and the lead claim.  ``alerts``: the event payloads of alert messages."""
    ordered = sorted(alerts, key=lambda a: a.get("published") or "", reverse=True)
    heading = f"{len(ordered)} more development{'s' if len(ordered) != 1 else ''} in this cycle"
    lines, items = [], []
    for a in ordered:
        kind = "Contradiction" if a.get("kind") == "contradiction" else "New"
        claims = a.get("claims") or []
        lead = f": {escape(claims[0]['text'])}" if claims else ""
        lines.append(f"• *{kind}* {_link(a['url'], a.get('title') or a['url'])} ({escape(a.get('source', ''))}){lead}")
        items.append({"url": a["url"], "title": a.get("title", ""), "source": a.get("source", ""),
                      "published": a.get("published", ""), "kind": a.get("kind", "new")})
    text = heading + "\n" + "\n".join(
        f"- {i['kind']}: {i['title']} ({i['source']}) {i['url']}" for i in items)
    blocks: list[dict[str, Any]] = [{"type": "section", "text": {"type": "mrkdwn", "text": f":newspaper: *{heading}*"}}]
    chunk: list[str] = []
    for line in lines:  # sections of at most ~2,900 characters
        if chunk and sum(len(x) + 1 for x in chunk) + len(line) > _MAX_BLOCK_TEXT:
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
            chunk = []
        chunk.append(_clip(line, 1000))
    if chunk:
        blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": "\n".join(chunk)}})
    return {"text": escape(_clip(text, 3900)), "blocks": blocks[:50],
            "metadata": {"event_type": EVENT_DIGEST,
                         "event_payload": {"items": items, "id": digest_id, **({"story": story} if story else {})}}}


def corroboration_message(article: Article, corroboration_id: str) -> dict[str, Any]:
    """A short, silent reply in an alert's thread: another source reports the same development."""
    title = article.title or article.url
    return {
        "text": escape(f"Also reported by {article.source_name}: {title} {article.url}"),
        "blocks": [{"type": "context", "elements": [{"type": "mrkdwn", "text": _clip(
            f"Also reported by *{escape(article.source_name)}*: {_link(article.url, title)}")}]}],
        "metadata": {"event_type": EVENT_CORROBORATION,
                     "event_payload": {"url": article.url, "title": title, "source": article.source_name,
                                       "published": _iso(article.published), "id": corroboration_id}},
    }
