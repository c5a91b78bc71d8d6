"""Sentences -> claims, and the normalised form used to compare claims.

A claim is a sentence that asserts something: never a question, a heading, a
navigation or promotional fragment, or a byline.  Its normalised form keeps what
matters for comparison: content terms and names, figures and dates with their slots
(``values``), and what the sentence does not assert as done (``modality``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from monitor.story.frames import entry_stamp, reports_change
from monitor.story.modality import (
    CONDITIONS,
    POLAR_PREDICATES,
    hedged_terms,
    is_exclusive,
    negated_by_clause,
    negated_objects,
    verb_forms,
)
from monitor.story.text import STOPWORDS, is_term, split_sentences, stem, terms, words
from monitor.story.values import WEEKDAYS, Quantity, calendar_dates, slotted_values

_MIN_WORDS, _MAX_WORDS = 6, 90

# Fragments that pages wrap around articles; a sentence starting like this asserts nothing.
_BOILERPLATE = re.compile(
    r"^(advertisement|also read|read more|read also|related|sign up|subscribe|click here|follow us|"
    r"share this|copyright|all rights reserved|get the .{0,30}(newsletter|briefing)|"
    r"we use cookies|accept all|manage preferences|by [A-Z][\w.'-]+(?: [A-Z][\w.'-]+){0,3}\s*[|·,-]|"
    r"photo:|image:|video:|watch:|listen:|go deeper|relevant markets|information for this story)",
    re.IGNORECASE,
)
# A prompt addressed to the reader: an imperative that opens the sentence and speaks of "you" or "us".
_CALL_TO_ACTION = re.compile(
    r"^(?:submit|send|e-?mail|contact|tell|download|register|join|support|donate|log in|sign in|share)\b"
    r"[^.!]{0,40}?\b(?-i:you|your|us|our)\b",  # case-sensitive: "US" is a country
    re.IGNORECASE,
)
_TERMINAL = re.compile(r"""[.!…]["')\]]*$""")

_DEADLINE = frozenset({"until", "deadline", "deadlines", "ultimatum", "cutoff", "expires", "expire"})


@dataclass(frozen=True, slots=True)
class ClaimFeatures:
    """The normalised form of one claim sentence."""

    text: str
    terms: tuple[str, ...]            # stemmed content terms, first occurrence order, no repeats
    weights: tuple[float, ...]        # information content of each term (rare words weigh more)
    quantities: tuple[Quantity, ...]
    weekdays: frozenset[str]
    deadline: bool                    # sets a time limit ("until", "by", "deadline")
    negated: frozenset[str]           # terms in the scope of a negation or a refusal verb
    predicates: frozenset[str]        # stems of the polar predicates present
    actors: tuple[tuple[str, str], ...] = ()  # (polar predicate, the name nearest before it)
    dates: frozenset[str] = frozenset()  # calendar dates as "MM-DD" ("12 June", "June 12", "2026-06-12")
    entities: frozenset[str] = frozenset()  # terms written as names, acronyms or numbers
    hedged: frozenset[str] = frozenset()  # verb forms in a clause governed by a threat, plan or possibility
    hedge_heads: frozenset[str] = frozenset()  # the predicate each threat or plan governs ("designat")
    hedged_stems: frozenset[str] = frozenset()  # the same clauses as stemmed terms
    negated_objects: frozenset[str] = frozenset()  # what the negated predicates take ("not received a report")
    conditional: bool = False         # asserts under a condition ("if ..., unless ...")
    exclusive: bool = False           # "the only ...", "no other ...": nobody else does this
    date_slots: tuple[tuple[str, frozenset[str]], ...] = ()  # each date ("MM-DD") with its slot
    weekday_slots: tuple[tuple[str, frozenset[str]], ...] = ()  # each weekday with its slot
    times: frozenset[str] = frozenset()  # dates and weekdays the claim speaks of, its entry stamp's included
    stamp_times: frozenset[str] = frozenset()  # the dates and weekdays of its entry stamp alone
    stamped: bool = False             # an entry of a live page or timeline ("7:10 a.m. - ...")
    spelled_out: tuple[tuple[str, str], ...] = ()  # (term, acronym) for each word of a spelled-out name
    update: bool = False              # reports a figure or status as changed, or as it stands now

    @property
    def term_set(self) -> frozenset[str]:
        return frozenset(self.terms)

    @property
    def verbs(self) -> frozenset[str]:
        """verb_form() of every word, to tell "designated" from "designation" (computed when asked:
        few claims ever need it, and kept for every known claim it would cost memory)."""
        return verb_forms(self.text)


def _actors(sentence: str, predicates: frozenset[str]) -> tuple[tuple[str, str], ...]:
    """Who does each polar predicate: the last name before it ("Google to accept" -> accept: googl)."""
    if not predicates:
        return ()
    out: list[tuple[str, str]] = []
    last_name = ""
    for match in _WORD_OR_NAME.finditer(sentence):
        word = match.group(0)
        if word[0].isupper() and match.start() > 0:
            last_name = next(iter(_name_terms(word)), last_name)
        elif (t := stem(word.lower())) in predicates and last_name:
            out.append((t, last_name))
    return tuple(out)


_WORD_OR_NAME = re.compile(r"[^\W\d_][\w'’-]*")


# A name or number, with the punctuation that opens a quote or clause before it (a name there may
# just be the first word of a sentence).
_NAME = re.compile(r"""(?:(["(:-])\s*)?(?<![\w'’])([A-Z][\w'’.-]*|\d[\w.,:]*)""")


_NAME_RUN = re.compile(r"[A-Z][\w'’-]*(?:\s+(?:(?:of|and|for|the|on|&)\s+)?[A-Z][\w'’-]*)+")


def spelled_out(sentence: str) -> tuple[tuple[str, str], ...]:
    """Each word of a multi-word name with the acronym of that name: "Food and Drug Administration"
    gives (food, fda), (drug, fda), (administr, fda), so a report that spells out a known acronym adds
    no new name."""
    out: list[tuple[str, str]] = []
    for m in _NAME_RUN.finditer(sentence):
        capitals = [w for w in m.group(0).split() if w[0].isupper() and w.lower() not in STOPWORDS]
        if len(capitals) < 2:
            continue
        acronym = "".join(w[0] for w in capitals).lower()
        out.extend((term, acronym) for word in capitals for term in _name_terms(word))
    return tuple(out)


def entity_terms(sentence: str) -> frozenset[str]:
    """Terms written as names: capitalised words after the first, acronyms, numbers."""
    out: set[str] = set()
    for match in _NAME.finditer(sentence):
        word = match.group(2).rstrip(".,:")
        first = match.start(2) == 0 or match.group(1) is not None
        if first and not (word.isupper() and len(word) > 1) and not word[0].isdigit():
            continue
        out.update(_name_terms(word))
    return frozenset(out)


@lru_cache(maxsize=20_000)
def _name_terms(word: str) -> tuple[str, ...]:
    return tuple(terms(word))


def is_claim(sentence: str) -> bool:
    """Does this sentence assert something (rather than ask, navigate, advertise or head a section)?"""
    text = sentence.strip()
    if text.endswith("?") or _BOILERPLATE.match(text) or _CALL_TO_ACTION.match(text):
        return False
    tokens = words(text)
    if not _MIN_WORDS <= len(tokens) <= _MAX_WORDS:
        return False
    if not _TERMINAL.search(text):
        return False  # headings, bylines, fragments
    lowercase = sum(1 for w in text.split() if w[:1].islower())
    return lowercase >= 2


def split_claims(text: str) -> list[str]:
    return [s for s in split_sentences(text) if is_claim(s)]


def dated_claims(text: str) -> list[tuple[str, frozenset[str]]]:
    """The claims of a text, each with the days of the entry stamp that opens its paragraph: in a
    timeline ("Friday 14 August - The fire crosses the river. Crews ...") every sentence of the entry
    speaks of that day."""
    out: list[tuple[str, frozenset[str]]] = []
    for line in text.splitlines():
        stamped: frozenset[str] = _EMPTY
        for i, sentence in enumerate(split_sentences(line)):
            if i == 0:
                stamped = features(sentence).stamp_times if entry_stamp(sentence)[0] else _EMPTY
            if is_claim(sentence):
                out.append((sentence, features(sentence).stamp_times or stamped))
    return out


@lru_cache(maxsize=100_000)
def information(term_word: str) -> float:
    """How much a word says, from its rarity in general English (Zipf scale 0-8)."""
    if term_word[0].isdigit():
        return 6.0
    return round(max(1.0, 8.0 - zipf_frequency(term_word, "en", wordlist="small")), 2)


_EMPTY: frozenset[str] = frozenset()


def _compact(items: frozenset[str]) -> frozenset[str]:
    """One shared empty set: most claims have no negation, hedge or weekday, and every known
    claim keeps its features."""
    return items or _EMPTY


@lru_cache(maxsize=100_000)
def content_term(word: str) -> tuple[str, float] | None:
    """A lower-cased word's stem and information, if it is a content word (one cached lookup for both)."""
    return (stem(word), information(word)) if is_term(word) else None


@lru_cache(maxsize=8192)  # pure; a claim is featurised when judged and again when learnt
def features(sentence: str) -> ClaimFeatures:
    stamp, body = entry_stamp(sentence)
    toks = words(sentence)
    seen: dict[str, float] = {}
    for found in map(content_term, toks):
        if found is not None and found[0] not in seen:
            seen[found[0]] = found[1]
    stems = set(map(stem, toks))
    predicates = _compact(frozenset(stems & POLAR_PREDICATES))
    names = entity_terms(sentence)
    hedged, hedge_heads, hedged_stems = hedged_terms(toks, names, stems)
    negated = _compact(negated_by_clause(sentence, toks, stems))
    stamped = calendar_dates(stamp) | WEEKDAYS.intersection(words(stamp)) if stamp else _EMPTY
    amounts, date_slots, weekday_slots = slotted_values(body, names, words(body) if stamp else toks, stamped)
    dates = frozenset(d for d, _ in date_slots)
    weekdays = frozenset(w for w, _ in weekday_slots)
    times = dates | weekdays | stamped
    return ClaimFeatures(
        text=sentence,
        terms=tuple(seen),
        weights=tuple(seen.values()),
        quantities=amounts,
        weekdays=_compact(weekdays),
        deadline=not _DEADLINE.isdisjoint(toks),
        negated=negated,
        negated_objects=negated_objects(sentence, negated, names),
        conditional=not CONDITIONS.isdisjoint(toks),
        entities=_compact(names),
        hedged=_compact(hedged),
        hedge_heads=_compact(hedge_heads),
        hedged_stems=_compact(hedged_stems),
        exclusive=is_exclusive(toks),
        predicates=predicates,
        actors=_actors(sentence, predicates),
        dates=_compact(dates),
        date_slots=date_slots,
        weekday_slots=weekday_slots,
        times=_compact(times),
        stamp_times=_compact(stamped),
        stamped=bool(stamp),
        spelled_out=spelled_out(sentence),
        update=reports_change(sentence, toks),
    )
