"""Figures and dates of a sentence: amounts, counts, shares, ranks and times of day with their units,
calendar dates, and each with its slot (what it measures) and the days it is dated to.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from monitor.story import frames
from monitor.story.frames import clauses, slot_words, value_slot
from monitor.story.text import STOPWORDS, is_term, stem, words

WEEKDAYS = frozenset(frames.WEEKDAYS)
MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
          "october", "november", "december")
_NUMBER_WORDS = {w: i for i, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
    "sixteen seventeen eighteen nineteen twenty".split())}
_MONTH_ABBREVIATIONS = {"january": ("jan",), "february": ("feb",), "march": ("mar",), "april": ("apr",),
                        "june": ("jun",), "july": ("jul",), "august": ("aug",), "september": ("sep", "sept"),
                        "october": ("oct",), "november": ("nov",), "december": ("dec",)}


_NUMBER_TERMS = {stem(word): str(i) for word, i in _NUMBER_WORDS.items() if is_term(word)}  # "twelv": "12"


def _spellings() -> dict[str, tuple[str, ...]]:
    """Each term that is a number or a month, with every way of writing it, by their terms."""
    groups: list[tuple[str, ...]] = list(_NUMBER_TERMS.items())
    groups += [(stem(month), *short) for month, short in _MONTH_ABBREVIATIONS.items()]
    return {term: group for group in groups for term in group}


# A number written as a word tells what its digits tell ("twelve", "12"), a month abbreviated what its
# name tells ("Sept.", "September").
_SPELLINGS = _spellings()


def spellings(term: str) -> tuple[str, ...]:
    """The ways of writing what the term says ("twelv" and "12"; "septemb", "sep" and "sept")."""
    return _SPELLINGS.get(term, (term,))


def is_number_word(term: str) -> bool:
    """Is the term a number written as a word ("twelv")?  Digits are names already."""
    return term in _NUMBER_TERMS


_SCALE = {"thousand": 1e3, "k": 1e3, "million": 1e6, "m": 1e6, "mn": 1e6, "billion": 1e9, "bn": 1e9,
          "b": 1e9, "trillion": 1e12, "tn": 1e12}
_APPROX = frozenset("about around roughly nearly almost approximately some over more than up to "
                    "less fewer under least estimated".split())
_DIGIT = re.compile(r"\d")


@dataclass(frozen=True, slots=True)
class Quantity:
    """A figure of a sentence: its value in its unit, and what it measures when."""

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


Slotted = tuple[tuple[str, frozenset[str]], ...]  # values with their slots: dates ("MM-DD") or weekdays
_NO_VALUES: tuple[tuple[Quantity, ...], Slotted, Slotted] = ((), (), ())


def slotted_values(body: str, names: frozenset[str], tokens: list[str],
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
