"""What is known: claims with their normalised form, indexed for fast matching.

Matching is lexical: an inverted index over stemmed terms, candidates ranked by
BM25 with rare words weighing more.  Only the rarest terms of a query open
posting lists, so the cost grows slowly with the number of known claims.
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass

from rapidfuzz import fuzz

from monitor.model import KnownClaim
from monitor.story.claims import ClaimFeatures, features

_K1, _B = 1.2, 0.75
NEAR_VERBATIM = 92.0    # rapidfuzz ratio above which two sentences are one with small edits
_PROBE_TERMS = 5        # rarest query terms whose posting lists are read
_POSTINGS_READ = 100   # newest postings read per term: common terms add little to a ranking


@dataclass(frozen=True, slots=True)
class Match:
    claim: KnownClaim
    features: ClaimFeatures
    score: float        # BM25
    similarity: float   # symmetric, information-weighted overlap in [0, 1]


class KnowledgeBase:
    def __init__(self) -> None:
        self.claims: list[KnownClaim] = []
        self.features: list[ClaimFeatures] = []
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._texts: dict[str, int] = {}
        self._idf: dict[str, float] = {}  # valid until the next add()
        self._total_terms = 0

    def __len__(self) -> int:
        return len(self.claims)

    def add(self, claim: KnownClaim, feats: ClaimFeatures | None = None) -> bool:
        """Add a claim unless the same sentence is already known. Returns whether it was added."""
        key = " ".join(claim.text.lower().split())
        if key in self._texts:
            return False
        feats = feats or features(claim.text)
        index = len(self.claims)
        self._texts[key] = index
        self.claims.append(claim)
        self.features.append(feats)
        for term in feats.terms:
            self._postings[term].append(index)

        self._total_terms += len(feats.terms)
        self._idf.clear()
        return True

    def knows_term(self, term: str) -> bool:
        """Has the story ever used this term?"""
        return term in self._postings

    def knows_text(self, text: str) -> bool:
        return " ".join(text.lower().split()) in self._texts

    def idf(self, term: str) -> float:
        cached = self._idf.get(term)
        if cached is None:
            n = len(self.claims)
            df = len(self._postings.get(term, ()))
            cached = self._idf[term] = math.log(1 + (n - df + 0.5) / (df + 0.5))
        return cached

    def neighbours(self, query: ClaimFeatures, k: int = 5) -> list[Match]:
        """The ``k`` known claims that best match ``query``, best first.

        Scores accumulate term at a time over the query's rarest terms only, reading at most the
        newest ``_POSTINGS_READ`` postings of each, so the work per query stays nearly constant as
        knowledge grows; the short list is then ranked by exact BM25 over all query terms.
        """
        if not self.claims or not query.terms:
            return []
        weight = dict(zip(query.terms, query.weights, strict=True))
        probe = sorted((t for t in query.terms if t in self._postings), key=lambda t: len(self._postings[t]))
        avg_len = self._total_terms / len(self.claims)
        rough: dict[int, float] = defaultdict(float)
        for term in probe[:_PROBE_TERMS]:
            lift = self.idf(term) * weight[term]
            for i in self._postings[term][-_POSTINGS_READ:]:
                rough[i] += lift
        shortlist = heapq.nlargest(max(3 * k, 15), rough, key=rough.__getitem__)
        scored = []
        for i in shortlist:
            feats = self.features[i]
            doc_terms = feats.term_set
            norm = _K1 * (1 - _B + _B * len(feats.terms) / avg_len)
            score = sum(self.idf(t) * weight[t] * (_K1 + 1) / (1 + norm) for t in query.terms if t in doc_terms)
            scored.append((score, i))
        scored.sort(reverse=True)
        return [Match(self.claims[i], self.features[i], s, similarity(query, self.features[i]))
                for s, i in scored[:k]]


def near_verbatim(a: ClaimFeatures, b: ClaimFeatures) -> bool:
    """The same sentence with small edits (a changed word, a typo, punctuation): fuzzy string matching."""
    return fuzz.ratio(a.text.lower(), b.text.lower()) >= NEAR_VERBATIM


def similarity(a: ClaimFeatures, b: ClaimFeatures) -> float:
    """Information-weighted Dice overlap of two claims' terms, in [0, 1]."""
    wa = dict(zip(a.terms, a.weights, strict=True))
    wb = dict(zip(b.terms, b.weights, strict=True))
    shared = sum(wa[t] + wb[t] for t in wa.keys() & wb.keys())
    total = sum(wa.values()) + sum(wb.values())
    return shared / total if total else 0.0


def known_terms(known: list[ClaimFeatures]) -> set[str]:
    return set().union(*(f.term_set for f in known)) if known else set()


def covers(term: str, vocabulary: set[str]) -> bool:
    """Is the term, or a form sharing its first six letters, in the vocabulary?"""
    if term in vocabulary:
        return True
    return len(term) >= 6 and any(v[:6] == term[:6] for v in vocabulary if len(v) >= 6)


def coverage(query: ClaimFeatures, known: list[ClaimFeatures]) -> float:
    """Share of the query's information that the known claims already carry."""
    vocabulary = known_terms(known)
    total = sum(query.weights)
    if not total:
        return 1.0
    return sum(w for t, w in zip(query.terms, query.weights, strict=True) if covers(t, vocabulary)) / total
