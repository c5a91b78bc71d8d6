"""HTML page -> article text and metadata, with trafilatura.

One settings object for every call; trafilatura's downloader and its global
deduplication cache are never used (both are process-wide state).
"""

from __future__ import annotations

import logging

from trafilatura import bare_extraction
from trafilatura.settings import Extractor, use_config

from monitor.model import Extracted
from monitor.story.text import clean_text

log = logging.getLogger(__name__)

_CONFIG = use_config()
_CONFIG.set("DEFAULT", "EXTRACTION_TIMEOUT", "0")  # no signal-based timeouts: we run in worker threads


def extract(html: bytes | str, url: str) -> Extracted | None:
    """Main text and metadata of a page, or None when the page has no article text."""
    options = Extractor(
        config=_CONFIG,
        output_format="python",
        comments=False,  # reader comments are never part of the article
        tables=False,
        dedup=False,
        with_metadata=True,
        url=url,
    )
    try:
        doc = bare_extraction(html, url=url, options=options)
    except (ValueError, TypeError, AttributeError) as exc:  # trafilatura signals "nothing usable" this way
        log.debug("extraction failed for %s: %s", url, exc)
        return None
    if doc is None or isinstance(doc, dict):
        return None
    text = clean_text(doc.text or "")
    if not text:
        return None
    return Extracted(
        text=text,
        title=clean_text(doc.title) if doc.title else None,
        date=doc.date,
        author=doc.author,
        site_name=doc.sitename,
    )
