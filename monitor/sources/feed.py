"""Feed bytes (+ response headers) -> entries, with feedparser.

feedparser never fetches anything here: it only parses bytes httpx fetched.
"""

from __future__ import annotations

import calendar
import hashlib
from datetime import UTC, datetime
from typing import Any

import feedparser

from monitor.errors import ParseError
from monitor.model import Entry
from monitor.story.text import clean_text, html_to_text

# feedparser resolves relative links against this header and reads the charset from it.
_PASSED_HEADERS = ("content-type", "content-location", "content-language", "last-modified", "etag")


def parse_feed(body: bytes, headers: dict[str, str], url: str, source_name: str) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0/RDF or Atom document.

    A document feedparser cannot make sense of raises ParseError with a one-line reason;
    a feed with minor errors (``bozo``) that still yields entries is accepted.
    """
    if not body.strip():
        raise ParseError("empty response body")
    passed = {k: v for k, v in headers.items() if k.lower() in _PASSED_HEADERS}
    parsed = feedparser.parse(body, response_headers=passed, resolve_relative_uris=True,
                              sanitize_html=True)
    if not parsed.entries:
        if parsed.get("bozo"):
            raise ParseError(f"not a valid feed: {_one_line(parsed.get('bozo_exception'))}")
        if not parsed.get("version") and not parsed.feed:
            raise ParseError("not a feed: no RSS or Atom elements found")
        return []
    entries = [_entry(e, url, source_name) for e in parsed.entries]
    return [e for e in entries if e is not None]


def _entry(raw: Any, feed_url: str, source_name: str) -> Entry | None:
    link = (raw.get("link") or "").strip()
    title = clean_text(html_to_text(raw.get("title") or ""))
    summary = raw.get("summary") or ""
    if not summary and raw.get("content"):
        summary = raw["content"][0].get("value", "")
    summary = clean_text(html_to_text(summary))
    guid = (raw.get("id") or link or "").strip()
    if not guid:
        if not (title or summary):
            return None
        guid = "sha1:" + hashlib.sha1(f"{title}\n{summary}".encode()).hexdigest()
    return Entry(source_url=feed_url, source_name=source_name, guid=guid, link=link or "",
                 title=title, summary=summary, published=_published(raw))


def _published(raw: Any) -> datetime | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        struct = raw.get(key)
        if struct:
            try:
                return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
            except (OverflowError, ValueError, OSError):
                continue
    return None


def _one_line(exc: object) -> str:
    text = str(exc or "unknown error").strip().splitlines()
    return text[0][:200] if text else "unknown error"
