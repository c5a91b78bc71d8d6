"""Where a claim's values sit: the slot each value fills, and the time the claim speaks of.

Two reports conflict on a value only when the values fill the same slot of the same event: the
hearing's date against the hearing's date, the acres burned against the acres burned.  Without a
parser the slot is approximated by the content words around the value in its clause, which
include the words that govern it ("burned", "evacuated", "raise wages"), leaving out names
(participants, compared elsewhere), time words, number words and the value's own words.

A claim also speaks of a time: the dates and weekdays it names, including a live page's entry
stamp ("7:10 a.m. - ...", "Friday, March 6 - ..."), which dates the entry without being a value of
it.  A figure reported for another time, or reported later as changed ("up from", "now",
"extended"), is an update, not a conflict.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from monitor.story.text import terms, words

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
MONTH = r"(jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sept?(?:ember)?|" \
        r"oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"

# One element of an entry stamp: a weekday, a date, a year or a time of day.
_STAMP_ATOM = re.compile(
    r"(?:mon|tues?|wed(?:nes)?|thu(?:rs)?|fri|sat(?:ur)?|sun)(?:day)?\.?(?![\w'’])"
    rf"|{MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:\s*-\s*\d{{1,2}})?(?!\d)"
    rf"|\d{{1,2}}(?:\s*-\s*\d{{1,2}})?\s+{MONTH}(?![a-z])"
    r"|\d{4}(?!\d)"
    r"|\d{1,2}(?::\d{2})?\s*[ap]\.?\s?m\.?"
    r"|\d{1,2}:\d{2}(?!\d)"
    r"|earlier|later|updated?",
    re.IGNORECASE,
)
_STAMP_GAP = re.compile(r"(?:[,\s]|\band\b)*")
_STAMP_END = re.compile(r"\s*(?:[-|:]\s+|\.\s+(?=[\"'A-Z]))")

# A clause ends at these: a value's slot is read within its clause.
_CLAUSE = re.compile(r"[;()\[\]\"]|[,:]\s|\s-\s|\band\b(?=\s+[a-z])|\b(?:but|while|whereas|although|though|after|"
                     r"before|because|when|which|who|as)\b", re.IGNORECASE)

# Words of time, which date a value rather than say what it measures.
_TIME_WORDS = frozenset(terms(
    "morning afternoon evening night tonight today yesterday tomorrow overnight noon midnight week weekend "
    "month year hour minute earlier later dawn dusk local time am pm a.m p.m since until till ago "
    "january february march april may june july august september october november december "
    "jan feb mar apr jun jul aug sep sept oct nov dec"))

_NUMBER_TERMS = frozenset(terms("three four five six seven eight nine ten eleven twelve twenty thirty hundred "
                                "thousand million billion dozen half"))

# Markers of a figure or status reported as changed, or as the state of things at the time of writing.
_UPDATE_WORDS = frozenset(
    "now currently current remain remains remained still latest risen rose rise rises grew grown climbed "
    "jumped increased decreased dropped fell fallen lowered extended expanded moved postponed delayed "
    "rescheduled revised updated widened narrowed anymore".split())
_UPDATE_PHRASES = re.compile(r"\b(?:up|down) from\b|\bso far\b|\bto date\b|\bas of\b|\bno longer\b|\bfrom \S+ to\b|"
                             r"\bpush(?:ed|es|ing)?(?:\s+\S+){0,3}\s+back\b|\bbrought forward\b|\buntil now\b|"
                             r"\bno more\b", re.IGNORECASE)


def entry_stamp(sentence: str) -> tuple[str, str]:
    """Split a leading entry stamp from the sentence: ("7:10 a.m.", "Cal Fire: ..."), or ("", sentence)."""
    pos, atoms = 0, 0
    while (m := _STAMP_ATOM.match(sentence, pos)) is not None:
        atoms += 1
        pos = m.end()
        gap = _STAMP_GAP.match(sentence, pos)
        if gap is None or gap.end() == pos:
            break
        pos = gap.end()
    if not atoms or pos == 0:
        return "", sentence
    stamp = sentence[:pos].rstrip(" ,")
    end = _STAMP_END.match(sentence, len(stamp)) or _STAMP_END.match(sentence, len(stamp) - 1)
    if end is None:
        return "", sentence
    return stamp.rstrip(" .-|:"), sentence[end.end():]


def clauses(text: str) -> list[str]:
    return [c for c in _CLAUSE.split(text) if c and c.strip()]


def slot_words(clause: str, names: frozenset[str], value_words: set[str]) -> frozenset[str]:
    """The content stems that say what a value in this clause measures."""
    return frozenset(t for t in terms(clause) if _slot_term(t, names, value_words))


def value_slot(clause: str, value_text: str, names: frozenset[str], value_words: set[str]) -> frozenset[str]:
    """The slot of one value of the clause: up to three content words before it, which govern an object
    ("had burned 41,900 acres"), and up to three after it, which a subject's verb brings ("seven people
    remain missing")."""
    at = clause.find(value_text)
    if at < 0:
        return slot_words(clause, names, value_words)
    before = [t for t in terms(clause[:at]) if _slot_term(t, names, value_words)][-_SLOT_REACH:]
    after = [t for t in terms(clause[at + len(value_text):]) if _slot_term(t, names, value_words)][:_SLOT_REACH]
    return frozenset(before + after)


_SLOT_REACH = 3  # content words on each side of a value that may govern it


def _slot_term(term: str, names: frozenset[str], value_words: set[str]) -> bool:
    return term not in names and term not in _TIME_WORDS and term not in value_words and not term[0].isdigit() \
        and term not in _NUMBER_TERMS


def reports_change(sentence: str, tokens: list[str] | None = None) -> bool:
    """Does the sentence report a figure or status as changed, or as it stands now?"""
    toks = words(sentence) if tokens is None else tokens
    return not _UPDATE_WORDS.isdisjoint(toks) or _UPDATE_PHRASES.search(sentence) is not None


def resolve_times(times: frozenset[str], published: date | None) -> frozenset[str]:
    """Calendar days ("MM-DD") of the dates and weekdays a claim names, weekdays resolved against
    the day it was published (the latest such weekday on or before it); unresolved weekdays stay names.
    A claim that names a date speaks of that date: its weekdays are the date's."""
    out: set[str] = set()
    if any(t not in WEEKDAYS for t in times):
        return frozenset(t for t in times if t not in WEEKDAYS)
    for t in times:
        if t in WEEKDAYS and published is not None:
            back = (published.weekday() - WEEKDAYS.index(t)) % 7
            day = published - timedelta(days=back)
            out.add(f"{day.month:02d}-{day.day:02d}")
        else:
            out.add(t)
    return frozenset(out)


def days_before(month_day: str, report: date) -> int:
    """How many days "MM-DD" (in the report's year) lies before the report; 0 for a weekday name left
    unresolved or an impossible date."""
    try:
        return (report - date(report.year, int(month_day[:2]), int(month_day[3:]))).days
    except ValueError:
        return 0


def recounts_past(stamp_times: frozenset[str], report: date) -> bool:
    """Is a claim whose entry stamp names these days a timeline entry recounting the past: every day
    more than a day before the report ("Friday 14 August - ..." in a report of the 24th)?"""
    days = resolve_times(stamp_times, report)
    return bool(days) and all(days_before(day, report) > 1 for day in days)
