"""How much of a claim is news: the share of its information the closest known claims carry, and the
information it brings that what is known does not (names, numbers and rare words, each written any way).
"""

from __future__ import annotations

from monitor.story.claims import ClaimFeatures
from monitor.story.frames import entry_stamp
from monitor.story.knowledge import KnowledgeBase
from monitor.story.text import terms
from monitor.story.values import is_number_word, spellings


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


ENTITY_INFORMATION = 6.0


def novel_information(claim: ClaimFeatures, related: list[ClaimFeatures], knowledge: KnowledgeBase,
                      common: float, known_days: frozenset[str] = frozenset()) -> float:
    """Information the claim carries that what is known does not.

    A name, acronym or number counts when the story has never mentioned it; an ordinary
    word counts when no related known claim uses it, and only for what it carries beyond
    ``common``: paraphrases swap everyday words ("relax" for "loosen"), developments bring
    new actors, numbers and rare words.  A date a related known claim names by its weekday is known
    ("on June 12" from "on Friday", reported that week).
    """
    vocabulary = known_terms(related)
    known_acronym = {term for term, acronym in claim.spelled_out if knowledge.knows_term(acronym)}
    stamp = set(terms(entry_stamp(claim.text)[0])) if claim.stamped else set()  # "10:30 a.m. - ..." says when
    day_numbers = {str(int(day[3:])) for day in claim.dates & known_days}
    given = _figures_given(claim, related)
    total = 0.0
    for term, weight in zip(claim.terms, claim.weights, strict=True):
        if term in stamp or term in day_numbers or term in given:
            continue
        if term in claim.entities or is_number_word(term):  # a month is a name; "marched" is a word
            if term not in known_acronym and not any(map(knowledge.knows_term, spellings(term))):
                total += max(weight, ENTITY_INFORMATION)
        elif not covers(term, vocabulary):
            total += max(0.0, weight - common)
    return total


def _figures_given(claim: ClaimFeatures, related: list[ClaimFeatures]) -> set[str]:
    """The numbers of the claim's figures that a related known claim gives, in any notation: "17:00"
    tells nothing that "5 p.m." told, nor "$1.2 million" what "1,200,000 dollars" did."""
    known = {(k.unit, k.value) for r in related for k in r.quantities}
    return {t for q in claim.quantities if q.unit != "count" and (q.unit, q.value) in known
            for t in terms(q.text) if t[0].isdigit()}
