"""Near-duplicate detection: canonical URLs and bottom-k shingle sketches.

A syndicated copy or a lightly edited rewrite shares most of its word 5-grams
with the original whatever its headline; the bottom-k sketch estimates that
overlap from a fixed, small number of hashes per article.
"""

from __future__ import annotations

import hashlib
import struct
from array import array
from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING

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


if TYPE_CHECKING:
    Sketch = array[int]  # unsigned 64-bit hashes ("Q"): 1 KiB per article, not a tuple of Python ints
else:
    Sketch = array


def sketch(text: str) -> Sketch:
    """The SKETCH_SIZE smallest 64-bit hashes of the text's word 5-grams, sorted."""
    tokens = words(text)
    grams = {" ".join(tokens[i:i + SHINGLE]) for i in range(max(1, len(tokens) - SHINGLE + 1))}
    hashes = {struct.unpack("<Q", hashlib.blake2b(g.encode(), digest_size=8).digest())[0] for g in grams}
    return array("Q", sorted(hashes)[:SKETCH_SIZE])


def resemblance(a: Sketch, b: Sketch) -> float:
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


_INDEXED = 8  # a copy resembling at >= 0.6 shares one of the 8 smallest hashes but for odds of ~0.4**8
_HOLDERS = 200  # articles remembered per hash, newest: boilerplate shared by thousands is no evidence


class DuplicateIndex:
    """Sketches of everything seen, with an inverted index from hash to article."""

    def __init__(self) -> None:
        self._keys: list[str] = []
        self._sketches: list[Sketch] = []
        self._known: set[str] = set()
        self._by_hash: dict[int, list[int]] = defaultdict(list)

    def __len__(self) -> int:
        return len(self._keys)

    def add(self, key: str, fingerprint: Sketch) -> None:
        if key in self._known or not fingerprint:
            return
        self._known.add(key)
        self._keys.append(key)
        self._sketches.append(fingerprint)
        for h in fingerprint[:_INDEXED]:  # the smallest hashes are shared by any close copy
            holders = self._by_hash[h]
            holders.append(len(self._keys) - 1)
            if len(holders) > _HOLDERS:
                del holders[: len(holders) - _HOLDERS]

    def best(self, fingerprint: Sketch) -> DuplicateMatch | None:
        candidates: set[int] = set()
        for h in fingerprint[:_INDEXED]:
            candidates.update(self._by_hash.get(h, ()))
        best: DuplicateMatch | None = None
        for i in candidates:
            score = resemblance(fingerprint, self._sketches[i])
            if best is None or score > best.score:
                best = DuplicateMatch(self._keys[i], score)
        return best
