"""Sentences -> claims, and the normalised form used to compare claims.

A claim is a sentence that asserts something: never a question, a heading, a
navigation or promotional fragment, or a byline.  Its normalised form keeps what
matters for comparison: content terms, quantities with units, weekdays and
dates, and polarity.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import lru_cache

from wordfreq import zipf_frequency

from monitor.story import frames
from monitor.story.frames import clauses, entry_stamp, reports_change, slot_words, value_slot
from monitor.story.text import NEGATIONS, STOPWORDS, is_term, split_sentences, stem, terms, words

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
WEEKDAYS = frozenset(frames.WEEKDAYS)
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_MONTH_ABBREVIATIONS = {"january": ("jan",), "february": ("feb",), "march": ("mar",), "april": ("apr",),
                        "june": ("jun",), "july": ("jul",), "august": ("aug",), "september": ("sep", "sept"),
                        "october": ("oct",), "november": ("nov",), "december": ("dec",)}


def _spellings() -> dict[str, tuple[str, ...]]:
    """Each term that is a number or a month, with every way of writing it, by their terms."""
    groups: list[tuple[str, ...]] = [(stem(word), str(i)) for word, i in _NUMBER_WORDS.items() if is_term(word)]
    groups += [(stem(month), *short) for month, short in _MONTH_ABBREVIATIONS.items()]
    return {term: group for group in groups for term in group}


# A number written as a word tells what its digits tell ("twelve", "12"), a month abbreviated what its
# name tells ("Sept.", "September").
_SPELLINGS = _spellings()


def spellings(term: str) -> tuple[str, ...]:
    """The ways of writing what the term says ("twelv" and "12"; "septemb", "sep" and "sept")."""
    return _SPELLINGS.get(term, (term,))


_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "b": 1e9, "trillion": 1e12, "tn": 1e12}
_APPROX = frozenset("about around roughly nearly almost approximately some over more than up to "
                    "less fewer under least estimated".split())

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

_POLAR_PREDICATES = frozenset(p for pair in OPPOSED_PREDICATES for p in pair) | NEGATIVE_PREDICATES
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Quantity:
    value: float
    unit: str          # "usd", "percent", "rank", "clock", or the stem of the counted noun
    approximate: bool
    text: str
    slot: frozenset[str] = frozenset()  # what it measures: the governing words of its clause (see frames)
    when: frozenset[str] = frozenset()  # the dates and weekdays its clause (or the entry stamp) dates it to
    hedged: bool = False  # in a clause that only expects, plans or deems it possible ("could hit 9,400")
    part: bool = False    # a part of a whole ("two of the victims"), not a total

    def aligned_with(self, other: Quantity) -> bool:
        """Do the two values fill the same slot (the same unit, governed by a common word)?"""
        return self.unit == other.unit and not self.slot.isdisjoint(other.slot)

    def agrees_with(self, other: Quantity) -> bool:
        if self.unit != other.unit:
            return True
        if self.value == other.value:
            return True
        if self.unit == "clock" and not (_MERIDIEM.search(self.text) and _MERIDIEM.search(other.text)):
            return self.value % 720 == other.value % 720  # "2:17" and "2:17 p.m."
        tolerance = 0.15 if (self.approximate or other.approximate) else 0.02
        big = max(abs(self.value), abs(other.value))
        return abs(self.value - other.value) <= tolerance * big


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


# A concession or a time limit qualifies exclusivity ("until now the only ...", "the only ..., although").
_QUALIFIERS = frozenset({"until", "although", "though", "but", "however", "previously", "formerly", "recently",
                         "longer", "once", "initially", "first"})


_MONTH_NAMES = {name[:3]: i + 1 for i, name in enumerate(MONTHS)}
_MONTH = frames.MONTH
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?![a-z])", re.IGNORECASE)
_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?!:)", re.IGNORECASE)
_ISO_DATE = re.compile(r"\b\d{4}-(\d{2})-(\d{2})\b")
# The first day of a span or list: "8-16 September", "29 and 30 May", "Sept. 8-16", "May 29 and 30".
_SPAN_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})\s*(?:-|to|and|&)\s*\d{{1,2}}\s+{_MONTH}(?![a-z])", re.IGNORECASE)
_SPAN_MONTH_DAY = re.compile(rf"\b{_MONTH}\s+\d{{1,2}}\s*(?:-|to|and|&)\s*(\d{{1,2}})\b(?!:)", re.IGNORECASE)


def calendar_dates(sentence: str) -> frozenset[str]:
    """Dates the sentence names, as "MM-DD" (the year rarely differs between reports of one story)."""
    found: set[tuple[int, int]] = set()
    if not _DIGIT.search(sentence):
        return frozenset()  # every form names the day in digits
    for pattern, month_group, day_group in ((_DAY_MONTH, 2, 1), (_MONTH_DAY, 1, 2), (_SPAN_DAY_MONTH, 2, 1),
                                            (_SPAN_MONTH_DAY, 1, 2)):
        for m in pattern.finditer(sentence):
            month = m.group(month_group)
            if month == "may":
                continue  # the verb, not the month
            found.add((_MONTH_NAMES[month.lower()[:3]], int(m.group(day_group))))
    for m in _ISO_DATE.finditer(sentence):
        found.add((int(m.group(1)), int(m.group(2))))
    return frozenset(f"{month:02d}-{day:02d}" for month, day in found if 1 <= month <= 12 and 1 <= day <= 31)


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


def _is_exclusive(tokens: list[str]) -> bool:
    present = set(tokens)
    if _QUALIFIERS & present:
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
    predicates = _compact(frozenset(stems & _POLAR_PREDICATES))
    names = entity_terms(sentence)
    hedged, hedge_heads, hedged_stems = hedged_terms(toks, names, stems)
    negated = _compact(_negated(sentence, toks, stems))
    stamped = calendar_dates(stamp) | WEEKDAYS.intersection(words(stamp)) if stamp else _EMPTY
    amounts, date_slots, weekday_slots = _values(body, names, words(body) if stamp else toks, stamped)
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
        conditional=not _CONDITIONS.isdisjoint(toks),
        entities=_compact(names),
        hedged=_compact(hedged),
        hedge_heads=_compact(hedge_heads),
        hedged_stems=_compact(hedged_stems),
        exclusive=_is_exclusive(toks),
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


Slotted = tuple[tuple[str, frozenset[str]], ...]  # values with their slots: dates ("MM-DD") or weekdays
_NO_VALUES: tuple[tuple[Quantity, ...], Slotted, Slotted] = ((), (), ())


def _values(body: str, names: frozenset[str], tokens: list[str],
            stamped: frozenset[str]) -> tuple[tuple[Quantity, ...], Slotted, Slotted]:
    """The claim's quantities, dates and weekdays, each with its slot: the words around it in its clause
    (those of the clause before, for a value standing alone, as in "since Monday, May 4").  Figures also
    carry the days they are dated to (their clause's, an earlier clause's, else the entry stamp's) and
    whether their clause only expects or deems them possible."""
    if not _DIGIT.search(body) and _NUMBER_WORDS.keys().isdisjoint(tokens) and WEEKDAYS.isdisjoint(tokens):
        return _NO_VALUES  # the common case, checked in C
    found: list[Quantity] = []
    dated: list[tuple[str, frozenset[str]]] = []
    days: list[tuple[str, frozenset[str]]] = []
    previous: frozenset[str] = frozenset()
    dated_by: frozenset[str] = frozenset()
    for clause in clauses(body):
        clause_tokens = words(clause)
        amounts = quantities(clause, clause_tokens)
        day_names = WEEKDAYS.intersection(clause_tokens)
        on_dates = calendar_dates(clause)
        value_words = {q.unit for q in amounts}
        slot = slot_words(clause, names, value_words) or previous
        previous = slot
        when = frozenset(on_dates | day_names) or dated_by or stamped  # "By Saturday it had burned X and was Y%"
        dated_by = when if on_dates or day_names else dated_by
        hedged = _HEDGED_CLAUSE.search(clause) is not None
        found.extend(Quantity(q.value, q.unit, q.approximate, q.text,
                              value_slot(clause, q.text, names, value_words) or slot, when, hedged, q.part)
                     for q in amounts)
        dated.extend((d, slot) for d in sorted(on_dates))
        days.extend((d, slot) for d in sorted(day_names))
    return tuple(found), tuple(dated), tuple(days)


_CLAUSE_BREAK = re.compile(r"[.;:!?]\s|,\s")


def _negated(sentence: str, tokens: list[str], token_stems: set[str]) -> frozenset[str]:
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
        if not _CONDITIONS.isdisjoint(tokens[max(0, i - 6):i]):
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
        if not _CONDITIONS.isdisjoint(tokens):
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


_CONDITIONS = frozenset({"if", "unless", "whether"})


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


_QUANTITY = re.compile(
    # Only at the start of a word ("someone" holds no "one", "A10" no 10), or at a currency sign ("US$5").
    # Besides being right, the guard lets the engine skip mid-word positions: four times faster.
    r"(?:(?<!\w)|(?=[$€£]))"
    r"(?P<approx>(?:about|around|roughly|nearly|almost|approximately|some|over|more than|up to|"
    r"less than|fewer than|under|at least|an estimated)\s+)?"
    r"(?P<rank>(?:no\.|number|#)\s*)?"
    r"(?P<cur>[$€£])?\s?(?P<num>\d+(?:[.,]\d+)*|"
    + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) +
    r")(?![\w:])(?:\s*(?P<scale>thousand|million|billion|trillion|mn|bn|tn|[kmb])\b)?"
    r"(?:\s*(?P<pct>%|percent|per cent))?"
    r"(?:\s*(?P<clock>[ap]\.?m\.?)(?![a-z]))?"
    r"(?:\s+(?P<of>of\s+(?:the|its|their|those|these)\s+)?(?P<noun>[a-z][a-z-]+))?",
    re.IGNORECASE,
)
_MERIDIEM = re.compile(r"[ap]\.?\s?m\b|\d{2}:\d{2}", re.IGNORECASE)
_NAME_BEFORE = re.compile(r"(?<=[\w,;:] )([A-Z][a-z]+) $")
_FIRST_NAME_BEFORE = re.compile(r"([A-Z][a-z]+) $")
_COMPARED = re.compile(r"\b(?:from|against|versus|vs\.?|compared with|compared to)\s+$", re.IGNORECASE)
# Modality of a clause: expected, planned, threatened or possible ("would have" is a settled counterfactual).
_HEDGED_CLAUSE = re.compile(r"\b(?:could|might|may|would(?! have)|expects?|expected|plans?|planned|threaten(?:s|ed)?|"
                            r"warn(?:s|ed)?|propos(?:es|ed)|estimates?|projected|forecast)\b")
_PRONOUN_ONE = re.compile(r"\b(?:no|any|every|some|each|the|this|that)\s+$", re.IGNORECASE)
_NOT_NAMES = frozenset(m[:3] for m in MONTHS) | {"sept"}


def _part_of_name(text: str, start: int) -> bool:
    """Does the number at ``start`` follow a capitalised word that is no function word (a name such as "Pier 14")?"""
    m = _NAME_BEFORE.search(text, max(0, start - 24), start) or _FIRST_NAME_BEFORE.match(text, 0, start)
    if m is None:
        return False
    word = m.group(1).lower()
    return word[:4].rstrip("t")[:3] not in _NOT_NAMES and word not in WEEKDAYS and word not in STOPWORDS \
        and word not in _APPROX


_CURRENCY_NOUNS = {"dollar": "usd", "dollars": "usd", "euro": "eur", "euros": "eur", "pound": "gbp",
                   "pounds": "gbp"}
_MONTH_STEMS = frozenset(stem(month) for month in MONTHS)
_MONTH_BEFORE = re.compile(r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?\s*$", re.IGNORECASE)
_CLOCK = re.compile(r"\b(\d{1,2}):(\d{2})\s*([ap])?\.?m?\.?", re.IGNORECASE)


def quantities(sentence: str, tokens: list[str] | None = None) -> list[Quantity]:
    """Amounts, counts, shares, ranks and times of day in the sentence (``tokens``: its words(), if known)."""
    out: list[Quantity] = []
    if not _DIGIT.search(sentence) and _NUMBER_WORDS.keys().isdisjoint(words(sentence) if tokens is None else tokens):
        return out  # most sentences hold no number: skip the costly patterns
    for m in _CLOCK.finditer(sentence):
        hour, minute = int(m.group(1)), int(m.group(2))
        if m.group(3) and m.group(3).lower() == "p" and hour < 12:
            hour += 12
        out.append(Quantity(hour * 60 + minute, "clock", False, m.group(0).strip()))
    masked = _CLOCK.sub(" ", sentence)
    for m in _QUANTITY.finditer(masked):
        if _part_of_name(masked, m.start()):
            continue  # "Local 7", "Pier 14", "Boeing 737": a name, not an amount
        if _MONTH_BEFORE.search(masked, max(0, m.start() - 12), m.start()):
            continue  # "a June 3 call": the day of a date, not a count of calls
        raw = m.group("num").lower()
        if raw in _NUMBER_WORDS:
            if raw in ("one", "zero") and (not m.group("noun") or _PRONOUN_ONE.search(masked, 0, m.start())):
                continue
            value = float(_NUMBER_WORDS[raw])
        else:
            try:
                value = float(raw.replace(",", ""))
            except ValueError:
                continue
        noun = (m.group("noun") or "").lower()
        if m.group("scale"):
            value *= _SCALE[m.group("scale").lower()]
        elif noun in _SCALE:
            value *= _SCALE[noun]
            noun = ""
        if m.group("clock"):
            hour = int(value) % 12 + (12 if m.group("clock").lower().startswith("p") else 0)
            out.append(Quantity(hour * 60, "clock", False, m.group(0).strip()))
            continue
        if m.group("cur"):
            unit = {"$": "usd", "€": "eur", "£": "gbp"}[m.group("cur")]
        elif noun in _CURRENCY_NOUNS:
            unit = _CURRENCY_NOUNS[noun]
        elif m.group("pct"):
            unit = "percent"
        elif m.group("rank"):
            unit = "rank"
        elif 1900 <= value <= 2100 and raw.isdigit() and not m.group("scale"):
            continue  # a year: not an amount
        elif noun and noun not in _APPROX and noun not in STOPWORDS:
            unit = stem(noun)
        elif out and _COMPARED.search(masked, 0, m.start()):
            unit = out[-1].unit  # "36 ships, up from 31 on Monday": the figure it is compared with
        else:
            unit = "count"
        if unit in _MONTH_STEMS:
            continue  # "12 March": a date, not a count of something
        out.append(Quantity(value, unit, bool(m.group("approx")), m.group(0).strip(),
                            part=m.group("of") is not None))
    return out
