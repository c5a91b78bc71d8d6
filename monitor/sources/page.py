"""A watched page: when its extracted text changes, the changed part is analysed as an article."""

from __future__ import annotations

import hashlib

from monitor.story.text import split_sentences


def text_digest(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def changed_text(previous: str | None, current: str) -> str:
    """The lines and sentences of ``current`` that ``previous`` did not have, in page order."""
    if not previous:
        return current
    before = {_key(s) for s in split_sentences(previous)}
    out: list[str] = []
    for line in current.splitlines():
        fresh = [s for s in split_sentences(line) if _key(s) not in before]
        if fresh:
            out.append(" ".join(fresh))
    return "\n".join(out)


def _key(sentence: str) -> str:
    return " ".join(sentence.lower().split())
