"""Near-duplicate detection: canonical URLs and bottom-k shingle sketches.

A syndicated copy or a lightly edited rewrite shares most of its word 5-grams
with the original whatever its headline; the bottom-k sketch estimates that
overlap from a fixed, small number of hashes per article.
"""

from __future__ import annotations

import hashlib
import struct
from collections import defaultdict
from dataclasses import dataclass

from courlan import normalize_url

from monitor.story.text import words

SHINGLE = 5
SKETCH_SIZE = 128


def canonical_url(url: str) -> str:
    """The URL with tracking parameters, fragments and case quirks removed."""
    if not url:
        return url
    try:
        return str(normalize_url(url, strict=True))
    except (ValueError, AttributeError):
        return url


def sketch(text: str) -> tuple[int, ...]:
    """The SKETCH_SIZE smallest 64-bit hashes of the text's word 5-grams, sorted."""
    tokens = words(text)
    grams = {" ".join(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))}
    hashes = {struct.unpack("<Q", hashlib.blake2b(g.encode(), digest_size=8).digest())[0] for g in grams}
    return tuple(sorted(hashes)[:SKETCH_SIZE])


def resemblance(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimated Jaccard similarity of the two shingle sets behind the sketches."""
    if not a or not b:
        return 0.0
    union = sorted(set(a) | set(b))[:SKETCH_SIZE]
    sa, sb = set(a), set(b)
    return sum(1 for h in union if h in sa and h in sb) / len(union)


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    key: str
    score: float


class DuplicateIndex:
    """Sketches of everything seen, with an inverted index from hash to article key."""

    def __init__(self) -> None:
        self._sketches: dict[str, tuple[int, ...]] = {}
        self._by_hash: dict[int, list[str]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._sketches)

    def add(self, key: str, fingerprint: tuple[int, ...]) -> None:
        if key in self._sketches or not fingerprint:
            return
        self._sketches[key] = fingerprint
        for h in fingerprint[:32]:  # the smallest hashes are shared by any close copy
            self._by_hash[h].append(key)

    def best(self, fingerprint: tuple[int, ...]) -> DuplicateMatch | None:
        candidates: set[str] = set()
        for h in fingerprint[:32]:
            candidates.update(self._by_hash.get(h, ()))
        best: DuplicateMatch | None = None
        for key in candidates:
            score = resemblance(fingerprint, self._sketches[key])
            if best is None or score > best.score:
                best = DuplicateMatch(key, score)
        return best
