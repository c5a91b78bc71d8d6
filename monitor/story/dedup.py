"""Near-duplicate detection: canonical URLs and bottom-k shingle sketches.

A syndicated copy or a lightly edited rewrite shares most of its word 5-grams
with the original whatever its headline; the bottom-k sketch estimates that
overlap from a fixed, small number of hashes per article.
"""

from __future__ import annotations

from array import array
from bisect import bisect_right
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import lru_cache
from hashlib import blake2b
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
    Sketch = array[int]  # signed 64-bit hashes ("q"): 1 KiB per article, not a tuple of Python ints
else:
    Sketch = array


@lru_cache(maxsize=16)  # an article is sketched when analysed and again when learnt
def sketch(text: str) -> Sketch:
    """The SKETCH_SIZE smallest hashes of the text's word 5-grams, sorted.

    The same in every process: Python salts its string hash per process, which made the estimate
    of a pair, and so a decision near the threshold, differ from one run (or replica) to the next.
    A 5-gram's hash is Python's unsalted hash of its words' fixed hashes.
    """
    ids = list(map(_word_hash, words(text)))
    grams = {hash(tuple(ids[i:i + SHINGLE])) for i in range(max(1, len(ids) - SHINGLE + 1))}
    return array("q", sorted(grams)[:SKETCH_SIZE])


@lru_cache(maxsize=65_536)  # the words in use: a service reads new words for months
def _word_hash(word: str) -> int:
    return int.from_bytes(blake2b(word.encode(), digest_size=8).digest(), "little", signed=True)


def resemblance(a: Sketch, b: Sketch) -> float:
    """Estimated Jaccard similarity of the two shingle sets behind the sketches."""
    return _resemblance(set(a), a, b)


def _resemblance(a_set: set[int], a: Sketch, b: Sketch) -> float:
    """Every hash up to the smaller of the two sketches' largest is in its sketch, so the
    hashes of both texts up to that cutoff are a random sample of their union, and the
    share of them found in both texts estimates the Jaccard similarity."""
    if not a or not b:
        return 0.0
    cutoff = min(a[-1], b[-1])
    shared = len(a_set.intersection(b))
    return shared / (bisect_right(a, cutoff) + bisect_right(b, cutoff) - shared)


@dataclass(frozen=True, slots=True)
class DuplicateMatch:
    key: str
    score: float


_INDEXED = 8  # a copy resembling at >= 0.6 shares one of the 8 smallest hashes but for odds of ~0.4**8
_HOLDERS = 200  # articles remembered per hash, newest: boilerplate shared by thousands is no evidence


class DuplicateIndex:
    """Sketches of what was seen, with an inverted index from hash to article.

    Beyond ``capacity`` articles the oldest are forgotten (copies and rewrites follow their original
    within days, and memory must not grow with a service's age); seed articles are always kept.
    """

    def __init__(self, capacity: int = 50_000) -> None:
        self.capacity = capacity
        self._entries: dict[int, tuple[str, Sketch]] = {}  # id -> (key, sketch)
        self._keys: set[str] = set()
        self._by_hash: dict[int, list[int]] = defaultdict(list)
        self._forgettable: deque[int] = deque()  # ids of articles that are not seeds, oldest first
        self._next_id = 0

    def __len__(self) -> int:
        return len(self._entries)

    def add(self, key: str, fingerprint: Sketch, *, pinned: bool = False) -> None:
        if key in self._keys or not fingerprint:
            return
        entry = self._next_id
        self._next_id += 1
        self._keys.add(key)
        self._entries[entry] = (key, fingerprint)
        for h in fingerprint[:_INDEXED]:  # the smallest hashes are shared by any close copy
            holders = self._by_hash[h]
            holders.append(entry)
            if len(holders) > _HOLDERS:
                del holders[: len(holders) - _HOLDERS]
        if not pinned:
            self._forgettable.append(entry)
            if len(self._forgettable) > self.capacity:
                self._forget(self._forgettable.popleft())

    def _forget(self, entry: int) -> None:
        key, fingerprint = self._entries.pop(entry)
        self._keys.remove(key)
        for h in fingerprint[:_INDEXED]:
            holders = self._by_hash.get(h)
            if holders is not None and entry in holders:
                holders.remove(entry)
                if not holders:
                    del self._by_hash[h]

    def best(self, fingerprint: Sketch) -> DuplicateMatch | None:
        candidates: set[int] = set()
        for h in fingerprint[:_INDEXED]:
            candidates.update(self._by_hash.get(h, ()))
        best: DuplicateMatch | None = None
        query = set(fingerprint)
        for i in candidates:
            key, other = self._entries[i]
            score = _resemblance(query, fingerprint, other)
            if best is None or score > best.score:
                best = DuplicateMatch(key, score)
        return best
