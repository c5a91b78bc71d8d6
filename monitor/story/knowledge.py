"""What is known: claims with their normalised form, indexed for fast matching.

Matching is lexical: an inverted index over stemmed terms, candidates ranked by
BM25 with rare words weighing more.  Only the rarest terms of a query open
posting lists, so the cost grows slowly with the number of known claims.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter, defaultdict, deque
from collections.abc import Iterator
from itertools import chain, compress, repeat
from typing import NamedTuple

from rapidfuzz import fuzz

from monitor.model import KnownClaim
from monitor.story.claims import ClaimFeatures, features

_K1, _B = 1.2, 0.75
NEAR_VERBATIM = 92.0    # rapidfuzz ratio above which two sentences are one with small edits
_PROBE_TERMS = 5        # rarest query terms whose posting lists are read
_POSTINGS_READ = 64    # newest postings read per term: common terms add little to a ranking
_SHORTLIST = 20        # claims ranked exactly by BM25
_ZEROS = repeat(0.0)   # the weight of a term the other claim lacks, for map(dict.get, terms, _ZEROS)


class Match(NamedTuple):  # immutable like the stage dataclasses, and cheaper to build five per claim
    claim: KnownClaim
    features: ClaimFeatures
    score: float        # BM25
    similarity: float   # symmetric, information-weighted overlap in [0, 1]


class KnowledgeBase:
    """Known claims, indexed.  Claims learnt from articles beyond ``capacity`` are forgotten here,
    oldest first (they stay in the database); seed and curated claims are always kept."""

    def __init__(self, capacity: int = 40_000) -> None:
        self.capacity = capacity
        self._claims: list[KnownClaim | None] = []
        self._features: list[ClaimFeatures | None] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._texts: dict[str, int] = {}
        self._idf: dict[str, float] = {}  # valid until the next change
        self._learnt: deque[int] = deque()  # indices of claims learnt from articles, oldest first
        self._total_terms = 0
        self._forgotten = 0
        self._pinned = 0  # seed and curated claims added before any learnt one: a prefix of every posting list
        self._sole: list[int] = []  # indices of claims that say only one party does something

    def __len__(self) -> int:
        return len(self._claims) - self._forgotten

    def items(self) -> Iterator[tuple[KnownClaim, ClaimFeatures]]:
        for claim, feats in zip(self._claims, self._features, strict=True):
            if claim is not None and feats is not None:
                yield claim, feats

    def verbatim(self, text: str) -> KnownClaim | None:
        """The known claim that is this very sentence (ignoring case and spacing), if any."""
        index = self._texts.get(sentence_key(text))
        return None if index is None else self._claims[index]

    def add(self, claim: KnownClaim, feats: ClaimFeatures | None = None) -> bool:
        """Add a claim unless the same sentence is already known (a claim people marked "not new" then
        takes the known one's place, kept for good).  Returns whether it was added."""
        key = sentence_key(claim.text)
        if key in self._texts:
            index = self._texts[key]
            known = self._claims[index]
            if claim.origin == "feedback" and known is not None and known.origin != "feedback":
                self._claims[index] = claim
                if known.origin == "article":
                    self._learnt.remove(index)
            return False
        feats = feats or features(claim.text)
        index = len(self._claims)
        self._texts[key] = index
        self._claims.append(claim)
        self._features.append(feats)
        for term in feats.terms:
            self._postings[term].append(index)
        self._total_terms += len(feats.terms)
        if feats.exclusive:
            self._sole.append(index)
        if claim.origin != "article" and index == self._pinned:
            self._pinned += 1
        if claim.origin == "article":
            self._learnt.append(index)
            while len(self._learnt) > self.capacity:
                self._forget(self._learnt.popleft())
        self._idf.clear()
        return True

    def forget_from(self, url: str) -> int:
        """Forget the claims learnt from the article at ``url``; return how many there were."""
        indices = [i for i in self._learnt if (claim := self._claims[i]) is not None and claim.url == url]
        for index in indices:
            self._learnt.remove(index)
            self._forget(index)
        if indices:
            self._idf.clear()
        return len(indices)

    def _forget(self, index: int) -> None:
        claim, feats = self._claims[index], self._features[index]
        assert claim is not None and feats is not None
        del self._texts[sentence_key(claim.text)]
        self._total_terms -= len(feats.terms)
        if feats.exclusive:
            self._sole.remove(index)
        self._claims[index] = self._features[index] = None
        self._forgotten += 1
        if self._forgotten > max(1000, len(self) // 4):
            self._compact()

    def _compact(self) -> None:
        """Drop forgotten entries and renumber, so memory follows what is kept."""
        renumber: dict[int, int] = {}
        claims: list[KnownClaim | None] = []
        kept_features: list[ClaimFeatures | None] = []
        for old, (claim, feats) in enumerate(zip(self._claims, self._features, strict=True)):
            if claim is not None:
                renumber[old] = len(claims)
                claims.append(claim)
                kept_features.append(feats)
        self._claims, self._features = claims, kept_features
        postings: dict[str, list[int]] = defaultdict(list)
        for term, indices in self._postings.items():
            kept = [renumber[i] for i in indices if i in renumber]
            if kept:
                postings[term] = kept
        self._postings = postings
        self._texts = {key: renumber[i] for key, i in self._texts.items()}
        self._learnt = deque(renumber[i] for i in self._learnt)
        self._sole = [renumber[i] for i in self._sole]
        self._forgotten = 0

    def knows_term(self, term: str) -> bool:
        """Has the story ever used this term?"""
        return term in self._postings

    def idf(self, term: str) -> float:
        cached = self._idf.get(term)
        if cached is None:
            n = len(self)
            df = len(self._postings.get(term, ()))
            cached = self._idf[term] = math.log(1 + max(0.0, n - df + 0.5) / (df + 0.5))
        return cached

    def neighbours(self, query: ClaimFeatures, k: int = 5) -> list[Match]:
        """The ``k`` known claims that best match ``query``, best first.

        Candidates are the claims that share most of the query's rarest terms, reading at most the
        newest ``_POSTINGS_READ`` postings of each (and as many of the seed and curated claims'),
        so the work per query stays nearly constant as knowledge grows; the short list is then
        ranked by exact BM25 over all query terms.
        """
        postings = self._postings
        known = [(t, w) for t, w in zip(query.terms, query.weights, strict=True) if t in postings]
        if not len(self) or not known:
            return []
        # Each query term's BM25 weight without the length norm, computed once per query.
        lift = {t: self.idf(t) * w for t, w in known}
        # The rough pass counts, in C, how many of the rarest terms each claim shares.  Rarest terms
        # are counted first and sorted() is stable, so among equal counts the rarer term's claims lead.
        read: list[list[int]] = []
        for term in sorted(lift, key=lambda t: len(postings[t]))[:_PROBE_TERMS]:
            found = postings[term]
            newest = max(0, len(found) - _POSTINGS_READ)
            read.append(found[newest:])
            # The story as first known stays in reach however many later claims use the same words.
            if pinned := min(newest, bisect_left(found, self._pinned), _POSTINGS_READ):
                read.append(found[:pinned])
        shared = Counter(chain.from_iterable(read))
        shortlist = sorted(shared, key=shared.__getitem__, reverse=True)[:_SHORTLIST]
        # BM25 with the length norm folded into one divisor; the constant (k1 + 1) is applied to the top k only.
        fixed, per_term = 1 + _K1 * (1 - _B), _K1 * _B * len(self) / self._total_terms
        get, by_index = lift.get, self._features
        scored = [(sum(map(get, f.terms, _ZEROS)) / (fixed + per_term * len(f.terms)), i)
                  for i in shortlist if (f := by_index[i]) is not None]
        scored.sort(reverse=True)
        weights = dict(known)
        query_total = sum(query.weights)
        matches = []
        for score, i in scored[:k]:
            claim, feats = self._claims[i], by_index[i]
            assert claim is not None and feats is not None
            matches.append(Match(claim, feats, score * (_K1 + 1), _overlap(weights, query_total, feats)))
        return matches

    def sole_claims(self, query: ClaimFeatures) -> list[Match]:
        """The known claims that say only one party does something, with their similarity to ``query``: few,
        and each to be checked against a report of a further party doing it, however little else they share."""
        if not self._sole:
            return []  # most stories: no dictionary built per claim judged
        weights, total = dict(zip(query.terms, query.weights, strict=True)), sum(query.weights)
        out = []
        for i in self._sole:
            claim, feats = self._claims[i], self._features[i]
            assert claim is not None and feats is not None
            out.append(Match(claim, feats, 0.0, _overlap(weights, total, feats)))
        return out


def sentence_key(text: str) -> str:
    """Two sentences with the same key are the same sentence (case and spacing aside)."""
    return " ".join(text.lower().split())


def near_verbatim(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """The same sentence with small edits (a changed word, a typo, punctuation): fuzzy string matching."""
    return fuzz.ratio(a.text.lower(), b.text.lower()) >= NEAR_VERBATIM


def similarity(a: ClaimFeatures, b: ClaimFeatures) -> float:
    """Information-weighted Dice overlap of two claims' terms, in [0, 1]."""
    return _overlap(dict(zip(a.terms, a.weights, strict=True)), sum(a.weights), b)


def _overlap(weights: dict[str, float], total: float, b: ClaimFeatures) -> float:
    """``similarity`` with the first claim's term weights and their sum given."""
    total += sum(b.weights)
    if not total:
        return 0.0
    shared = sum(map(weights.get, b.terms, _ZEROS)) + sum(compress(b.weights, map(weights.__contains__, b.terms)))
    return shared / total
