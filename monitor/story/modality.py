"""What a sentence does not assert as done: negations and refusals (and what they deny), threats, plans
and possibilities (and the act each governs), conditions, exclusivity, and opposed predicates.
"""

from __future__ import annotations

import itertools
import re
from functools import lru_cache

from monitor.story.text import NEGATIONS, STOPWORDS, is_term, stem, terms, words

_EMPTY: frozenset[str] = frozenset()

# Verbs that assert the opposite of their partner; a claim with one and a known claim with the
# other, about the same thing, conflict.  Refusal verbs also count as negations for polarity.
OPPOSED_PREDICATES = (
    ("agre", "refus"), ("accept", "reject"), ("confirm", "deni"), ("lift", "keep"), ("win", "lose"),
    ("approv", "block"), ("allow", "ban"), ("allow", "prohibit"), ("drop", "keep"), ("drop", "maintain"),
    ("continu", "stop"), ("continu", "ceas"), ("increas", "decreas"), ("rise", "fall"), ("rais", "cut"),
    ("admit", "deni"), ("support", "oppos"), ("resum", "halt"),
)
NEGATIVE_PREDICATES = frozenset({"refus", "deni", "reject", "declin", "never", "halt", "ceas", "stop",
                                 "disconnect", "fail", "oppos", "resist", "bar", "ban", "block", "prevent",
                                 "prohibit", "forbid"})

POLAR_PREDICATES = frozenset(p for pair in OPPOSED_PREDICATES for p in pair) | NEGATIVE_PREDICATES


# Markers of something threatened, planned, negotiated or possible rather than done ("will ask the
# ministry" is a plan until a report says it asked).  "would" and "may" are left out: reported
# speech and permission use them for settled facts too.
_MODALS = frozenset({"could", "might", "will"})
HEDGES = frozenset({"threaten", "plan", "consid", "propos", "possibl", "potenti", "weigh", "mull",
                     "intend", "poise", "negoti", "expect"})


_HEDGE_SCOPE = 8
_HEDGE_BREAKS = frozenset({"but", "while", "although", "though", "whereas", "after", "because", "since", "said",
                           "says"})
_EXCLUSIVE = frozenset({"only", "sole", "solely", "exclusive", "exclusively"})
_DETERMINERS = frozenset({"the", "its", "their", "his", "her", "our", "an", "a", "town's", "city's", "country's",
                          "state's", "company's"})


# A concession or a time limit qualifies exclusivity ("until now the only ...", "for now the only ...", "the only
# ..., although"): a state the report itself says may change.
_QUALIFIERS = frozenset({"until", "although", "though", "but", "however", "previously", "formerly", "recently",
                         "longer", "once", "initially", "first", "currently"})
_QUALIFYING_PAIRS = frozenset({("for", "now"), ("right", "now"), ("so", "far"), ("as", "yet"), ("at", "present")})


def is_exclusive(tokens: list[str]) -> bool:
    """Does the sentence say that nobody else does this ("the only X", "its sole X", "no other X")?"""
    present = set(tokens)
    if _QUALIFIERS & present or any(pair in _QUALIFYING_PAIRS for pair in itertools.pairwise(tokens)):
        return False
    if _EXCLUSIVE.isdisjoint(present) and present.isdisjoint(("no", "not")):
        return False
    # "the only X", "its sole X", "only one X", "no other X": an adverb "only" ("offered only pills") is not
    return any((a in _DETERMINERS and b in _EXCLUSIVE) or (a == "only" and b == "one")
               or (a in {"no", "not"} and b in {"other", "another"}) for a, b in itertools.pairwise(tokens)) \
        or not present.isdisjoint(("sole", "solely", "exclusive", "exclusively"))


@lru_cache(maxsize=4096)
def verb_forms(sentence: str) -> frozenset[str]:
    return frozenset(verb_form(w) for w in words(sentence))


def verb_form(word: str) -> str:
    """A word without its verb inflection: designate, designated, designates -> designat.

    Unlike the stemmer it keeps derived nouns apart ("designation"), so a threat to
    designate is not mistaken for a report that the designation happened.
    """
    for suffix in ("ing", "ed", "es", "e", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


def hedged_terms(tokens: list[str], names: frozenset[str],
                 token_stems: set[str]) -> tuple[frozenset[str], frozenset[str], frozenset[str]]:
    """Verb forms in the clauses that threats, plans or possibilities govern, the head of each, and
    the clauses' stems: "threatened to designate it a risk" -> ({designat, risk}, {designat}, {design, risk}).
    ``token_stems``: the stem of every token."""
    if HEDGES.isdisjoint(token_stems) and _MODALS.isdisjoint(tokens):
        return _EMPTY, _EMPTY, _EMPTY  # the common case, checked in C
    scope: set[str] = set()
    heads: set[str] = set()
    stems: set[str] = set()
    for i, w in enumerate(tokens):
        if not (w in _MODALS or stem(w) in HEDGES):
            continue
        head = True
        for follower in tokens[i + 1:i + 1 + _HEDGE_SCOPE]:
            if follower in _HEDGE_BREAKS:
                break
            if follower in _AUXILIARIES or follower in STOPWORDS or set(terms(follower)) & names \
                    or follower in {"either", "neither", "formally", "officially"}:
                continue
            scope.add(verb_form(follower))
            stems.update(terms(follower))
            if head:
                heads.add(verb_form(follower))
                head = False
    return frozenset(scope), frozenset(heads), frozenset(stems)


_CLAUSE_BREAK = re.compile(r"[.;:!?]\s|,\s")


def negated_by_clause(sentence: str, tokens: list[str], token_stems: set[str]) -> frozenset[str]:
    """negated_terms() clause by clause: a negation never reaches past punctuation ("No. The agency says ...")."""
    found = negated_terms(tokens, token_stems)
    if not found or not _CLAUSE_BREAK.search(sentence):
        return found
    out: set[str] = set()
    for part in _CLAUSE_BREAK.split(sentence):
        part_tokens = words(part)
        out |= negated_terms(part_tokens, set(map(stem, part_tokens)))
    return frozenset(out)


# Words that may stand between a negation and the predicate it negates ("was not ever used").
_AUXILIARIES = frozenset("""
a an the any be been being was were is are am have has had do does did will would shall should can could
may might must to also even ever yet still directly fully at all in play played
""".split())
# Refusals negate what follows ("refused to lift"); stop/halt/cease describe events, not denials.
_SCOPED_VERBS = frozenset({"refus", "declin", "fail"})


def negated_terms(tokens: list[str], token_stems: set[str]) -> frozenset[str]:
    """Predicates negated in the sentence: the first content word after "not", "never", "no",
    or after a refusal verb ("refused to lift" negates "lift").  ``token_stems``: the stem of every token."""
    out: set[str] = set()
    if NEGATIONS.isdisjoint(tokens) and _SCOPED_VERBS.isdisjoint(token_stems) and "n't" not in "".join(tokens):
        return frozenset()  # the common case, checked in C
    for i, w in enumerate(tokens):
        if not (w in NEGATIONS or w.endswith("n't") or stem(w) in _SCOPED_VERBS):
            continue
        pronoun = w in _NEGATIVE_PRONOUNS or (w == "no" and tokens[i + 1:i + 2] == ["one"])
        if w == "no" and not pronoun and (i == 0 or tokens[i - 1] not in _NO_AFTER):
            continue  # "no health premiums", "No evacuation orders remain": a quantity of nothing, not a denial
        if not CONDITIONS.isdisjoint(tokens[max(0, i - 6):i]):
            continue  # "if it does not comply": a condition, not a denial
        start = i + 1 + (w == "no")
        if pronoun and tokens[start:start + 1] and tokens[start] in _PREPOSITIONS:
            # "nobody at the company agreed": the predicate follows the pronoun's phrase
            start = next((k + 1 for k in range(start + 1, min(start + 5, len(tokens))) if is_term(tokens[k])), start)
        for j in range(start, min(start + 3, len(tokens))):
            follower = tokens[j]
            if follower in _AUXILIARIES:
                continue
            if follower not in NEGATIONS:
                out.update(terms(follower))
                if stem(follower) in _INVOLVEMENT:
                    out.update(_object_of(tokens, j + 1))
            break
    return frozenset(out)


def negated_objects(sentence: str, negated: frozenset[str], names: frozenset[str]) -> frozenset[str]:
    """The object of each negated predicate, clause by clause: up to three common words after it, before a
    preposition ("has not received an incident report from ..." -> incid, report).  A negation under a
    condition ("if it does not comply") or of a stopping verb ("not to stop taking") denies nothing."""
    if not negated:
        return _EMPTY
    out: set[str] = set()
    for part in _CLAUSE_BREAK.split(sentence):
        tokens = words(part)
        if not CONDITIONS.isdisjoint(tokens):
            continue
        for i, w in enumerate(tokens):
            if not is_term(w) or (verb := stem(w)) not in negated or verb in NEGATIVE_PREDICATES:
                continue
            found: list[str] = []
            for follower in tokens[i + 1:i + 6]:
                if follower in _PREPOSITIONS or follower in NEGATIONS or len(found) == 3:
                    break
                found.extend(t for t in terms(follower) if t not in names)
            out.update(found)
    return frozenset(out) - negated


CONDITIONS = frozenset({"if", "unless", "whether"})


_NEGATIVE_PRONOUNS = frozenset({"nobody", "none", "nothing", "noone"})
# "There was no road block", "gave no such promise": after these, "no" denies.
_NO_AFTER = frozenset("""
is was were are be been being has have had there made make makes found find finds gave give gives received
receive receives got get gets saw see sees took take takes play played plays
""".split())
# "no role in the strikes", "not part of the deal": denying involvement denies the thing itself.
_INVOLVEMENT = frozenset({"role", "part", "involv", "hand", "link", "connect"})
_PREPOSITIONS = frozenset({"in", "of", "with", "behind", "on", "to", "from", "by", "at", "for", "about", "after",
                           "before", "since", "during", "because", "that", "than"})


def _object_of(tokens: list[str], start: int) -> list[str]:
    """Content terms of the prepositional phrase starting at ``start`` ("in targeting" -> target)."""
    if start >= len(tokens) or tokens[start] not in _PREPOSITIONS:
        return []
    for word in tokens[start + 1:start + 4]:
        found = terms(word)
        if found:
            return found
    return []
