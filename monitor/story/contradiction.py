"""Contradiction rules between two claims about the same event.

Each rule is a general fact about how news reports conflict: a different amount, day or time for
the same slot, the opposite polarity, opposed predicates, or "the only X" against a further party
doing X.  A value conflicts only with the value that fills the same slot (see ``frames``), and a
figure or status reported for another time, or reported as changed since, is an update rather
than a conflict.  The caller says how strongly the two claims share their subject; a rule only
says whether, and how, they disagree.  Paraphrases agree.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date

from monitor.story.claims import ClaimFeatures, features
from monitor.story.frames import clauses, days_before, recounts_past, resolve_times
from monitor.story.modality import HEDGES, NEGATIVE_PREDICATES, OPPOSED_PREDICATES
from monitor.story.parse import (
    MAY_DATE_A_START,
    PLACE_NAME,
    other_doers,
    other_places,
    other_scopes,
    said_absent,
    same_act,
    sole_act_told,
    starts,
)
from monitor.story.text import terms, words
from monitor.story.values import MONTHS, WEEKDAYS, Quantity

_SPECIFIC_UNITS = {"usd", "eur", "gbp", "percent", "rank", "clock"}
_LABELS = {"usd": "amount", "eur": "amount", "gbp": "amount", "percent": "share", "rank": "rank", "clock": "time"}
_SAME_WEEK = 6  # days: beyond it, one weekday name can mean two different days


@dataclass(frozen=True, slots=True)
class Conflict:
    kind: str    # "value" (amount, count, time of day), "date", "day", "place", "opposed", "participant",
    #              "exclusive", "denial"; "update" is no conflict: a later report of a change to a value
    reason: str  # one line for people, with the slot and both values
    unit: str = ""  # for "value": the unit both values are in
    value: str = ""  # the new report's value: a weekday, a date ("MM-DD") or a figure


@dataclass(frozen=True, slots=True)
class Dated:
    """A claim with the day it was reported (an article's publication day, a seed's date)."""

    features: ClaimFeatures
    day: date | None = None


def conflict(new: Dated, known: Dated, same_event: float) -> Conflict | None:
    """Why ``new`` contradicts ``known``, or None when they agree or ``new`` updates it.

    ``same_event`` is how strongly the two claims share their subject (0..1).
    """
    a, b = new.features, known.features
    if new.day is not None and recounts_past(a.stamp_times, new.day):
        return None  # a timeline entry of an earlier day
    changed = _reported_change(new, known)
    # The cheap tests first: the parse is asked only about pairs that pass them.
    found, pair = _quantity_conflict(a, b) if same_event >= 0.25 else (None, None)
    if found and pair and not _figures_apart(new, known, pair) and not _other_parties(a, b) \
            and not _other_parts(a, b, pair):
        return _update(found) if changed else found
    if same_event >= (0.15 if _same_clock_time(a, b) else 0.3):
        ours, theirs = _moved_times(a, b) if changed else (a, b)  # "moved from Friday to Monday" names both
        found = _weekday_conflict(Dated(ours, new.day), Dated(theirs, known.day)) or _date_conflict(ours, theirs)
        if found:
            return _update(found) if changed else found
    if changed:
        return None  # the rules below compare what stays true; a later report of a change updates it
    if same_event >= _PLACE_SAME_EVENT and (found := _place_conflict(a, b) or _absence_conflict(a, b)):
        return found
    found = _predicate_conflict(a, b)
    if found and same_event >= 0.4:
        return found
    found = _participant_conflict(a, b)
    if found:
        return found
    found = _exclusivity_conflict(a, b)
    if found and same_event >= 0.55:
        return found
    if found and (act := _sole_act_told(a, b)):
        # Which of the report's names is the further party takes an entity recogniser; the act is known.
        return replace(found, reason=f"state differs: only one {act[0]} is said to {act[1]}; the new report tells "
                                     "of another")
    if same_event >= 0.45:
        return _polarity_conflict(a, b)
    return None


_NUMBERED_PART = re.compile(r"\b(?:in|of|among|for|at|from)\s+(?:the\s+|its\s+|their\s+)?\d", re.IGNORECASE)


def _other_parts(new: ClaimFeatures, known: ClaimFeatures, pair: tuple[Quantity, Quantity]) -> bool:
    """Do the two figures measure different parts ("the reading in the 20 g packets" / "the reading found")?
    The parse is asked only when a sentence names a numbered part at all."""
    if not (_NUMBERED_PART.search(new.text) or _NUMBERED_PART.search(known.text)):
        return False
    return other_scopes(new.text, known.text, pair[0].text, pair[1].text)


def _update(found: Conflict) -> Conflict:
    """A later report of a change to a known figure, day or date: news, not a conflict."""
    return Conflict("update", f"updates what is known: {found.reason.replace(' differs', ' changed', 1)}",
                    found.unit, found.value)


def gives_value(value: str, day: date | None, known: Dated) -> bool:
    """Does the known claim give this value (a date, a figure in any unit, or a weekday: the same day, as
    reported on ``day``; "Monday, May 4" is not the Monday of a report two weeks on)?"""
    claim = known.features
    if value in WEEKDAYS:
        return not resolve_times(frozenset({value}), day).isdisjoint(resolve_times(claim.times, known.day))
    return value in claim.dates or any(_figure(q.value) == value for q in claim.quantities)


def _figure(value: float) -> str:
    return f"{value:g}"


def _other_parties(new: ClaimFeatures, known: ClaimFeatures) -> bool:
    """Both claims name who they are about, and no name is common: two parties, two events."""
    ours, theirs = _parties(new), _parties(known)
    return bool(ours and theirs) and ours.isdisjoint(theirs)


def agree_on(unit: str, new: ClaimFeatures, known: ClaimFeatures) -> bool:
    """Does ``known`` give the same value as ``new`` for a slot in this unit?"""
    return any(q.aligned_with(k) and q.agrees_with(k)
               for q in new.quantities if q.unit == unit for k in known.quantities)


def _reported_change(new: Dated, known: Dated) -> bool:
    """Is ``new`` a later report of a change ("up from", "now", "extended", "until now")?"""
    # A known claim without a day is part of the story as first given: earlier than any report.
    later = new.day is not None and (known.day is None or new.day > known.day)
    return later and new.features.update


def _figures_apart(new: Dated, known: Dated, figures: tuple[Quantity, Quantity]) -> bool:
    """Are the two figures dated to different days (a toll on Sunday, another on Tuesday), or is one a
    snapshot of a day the other was reported days after?"""
    dated = new.day is not None and known.day is not None  # weekdays compare as days only when both are dated
    ours = _figure_days(figures[0], new, dated)
    theirs = _figure_days(figures[1], known, dated)
    if ours and theirs:
        return ours.isdisjoint(theirs)
    if theirs and new.day is not None:
        return all(days_before(day, new.day) > 1 for day in theirs)
    if ours and known.day is not None:
        return all(days_before(day, known.day) < -1 for day in ours)
    return False


def _figure_days(figure: Quantity, claim: Dated, dated: bool) -> frozenset[str]:
    """The days a figure is dated to: the dates and weekdays of its clause, else, for an entry of a live
    page, the day of the report (the entry gives the figure as it stood then)."""
    if figure.when:
        return resolve_times(figure.when, claim.day if dated else None)
    if claim.features.stamped and claim.day is not None:
        return frozenset({f"{claim.day.month:02d}-{claim.day.day:02d}"})
    return frozenset()


def _quantity_conflict(new_claim: ClaimFeatures, known_claim: ClaimFeatures
                       ) -> tuple[Conflict | None, tuple[Quantity, Quantity] | None]:
    """The first slot where the two claims give different figures, and the two figures."""
    new, known = new_claim.quantities, known_claim.quantities
    if not new or not known:
        return None, None
    for unit in sorted({q.unit for q in new} & {q.unit for q in known}):
        if unit == "count":
            continue  # a bare number: too ambiguous to pair up
        if any(q.agrees_with(k) for q in new if q.unit == unit for k in known if k.unit == unit):
            continue  # one of its figures is the known one: a comparison or a restatement, not a conflict
        ours_all = [q for q in new if q.unit == unit and not q.part]
        theirs_all = [k for k in known if k.unit == unit and not k.part]
        if unit not in _SPECIFIC_UNITS and (len(ours_all) > 1 or len(theirs_all) > 1):
            continue  # several figures in one unit: which is which is unclear
        # The reason names the pair that fills the same slot, when one does.  Alignment is not required:
        # measured leave-one-story-out, requiring it lost more true conflicts than false ones it removed.
        pairs = sorted(((q, k) for q in ours_all for k in theirs_all), key=lambda p: not p[0].aligned_with(p[1]))
        if not pairs:
            continue
        ours, theirs = pairs[0]
        if ours.hedged != theirs.hedged:
            continue  # what could happen against what happened: neither settles the other
        if (unit not in _SPECIFIC_UNITS or unit == "clock") and not ours.aligned_with(theirs):
            continue  # one unit in different slots: "four people died" / "nine people missing", two events' times
        if not ours.aligned_with(theirs) and not same_act(new_claim.text, known_claim.text, ours.text,
                                                                  theirs.text):
            continue  # a sum or share of another act: "a counterproposal of 26 percent" / "sought a 30 percent raise"
        return Conflict("value", f"{_LABELS.get(unit, 'number')} differs{_slot(ours.slot & theirs.slot)}: "
                                 f"{ours.text} vs {theirs.text}",
                        unit, _figure(ours.value)), (ours, theirs)
    return None, None


def _slot(words: frozenset[str]) -> str:
    """The shared slot words, for the reason: "number differs (burn): ..."."""
    return f" ({', '.join(sorted(words)[:3])})" if words else ""


def _same_clock_time(new: ClaimFeatures, known: ClaimFeatures) -> bool:
    """An identical time of day ("5:01 p.m.") ties two claims to the same deadline or event."""
    ours = {q.value for q in new.quantities if q.unit == "clock"}
    return bool(ours & {q.value for q in known.quantities if q.unit == "clock"})


def _both_timed(new: ClaimFeatures, known: ClaimFeatures) -> bool:
    """Both give a time of day: a timed event or deadline, whose day matters."""
    return any(q.unit == "clock" for q in new.quantities) and any(q.unit == "clock" for q in known.quantities)


def _slot_conflict(kind: str, new: ClaimFeatures, known: ClaimFeatures,
                   slots: Callable[[ClaimFeatures], tuple[tuple[str, frozenset[str]], ...]], show: Callable[[str], str],
                   suffix: str, *, strict: bool = False) -> Conflict | None:
    """The first pair of differing values in the same slot, as a conflict ("day differs (order): ..."); the
    parse has the last word on whether the two values belong to the same act (``strict``: it must say so)."""
    pairs = ((a, b, sa & sb) for a, sa in slots(new) for b, sb in slots(known) if not sa.isdisjoint(sb))
    # One time of day ("5:01 p.m.") ties the two values to one event whatever verbs the sentences use.
    tied = _same_clock_time(new, known)
    ours, theirs, slot = next((p for p in pairs if tied or same_act(new.text, known.text, p[0], p[1], strict=strict)),
                              ("", "", None))
    if slot is None:
        return None
    return Conflict(kind, f"{kind} differs{_slot(slot)}: {show(ours)} vs {show(theirs)}{suffix}", value=ours)


def _moved_times(new: ClaimFeatures, known: ClaimFeatures) -> tuple[ClaimFeatures, ClaimFeatures]:
    """A report of a change that names the old time too ("extended to Monday, before it was due to expire
    on Friday"): the new time on one side, the known claim's old one on the other."""
    old_days, old_dates = new.weekdays & known.weekdays, new.dates & known.dates
    if not old_days and not old_dates:
        return new, known
    moved = replace(new, weekdays=new.weekdays - old_days, dates=new.dates - old_dates,
                    weekday_slots=tuple(s for s in new.weekday_slots if s[0] not in old_days),
                    date_slots=tuple(s for s in new.date_slots if s[0] not in old_dates))
    was = replace(known, weekday_slots=tuple(s for s in known.weekday_slots if s[0] in old_days) or known.weekday_slots,
                  date_slots=tuple(s for s in known.date_slots if s[0] in old_dates) or known.date_slots)
    return moved, was


def _weekday_conflict(new: Dated, known: Dated) -> Conflict | None:
    a, b = new.features, known.features
    if not a.weekday_slots or not b.weekday_slots:
        return None
    if new.day and known.day and abs((new.day - known.day).days) > _SAME_WEEK:
        return None
    if a.weekdays & b.weekdays:
        return None
    if _both_timed(a, b) or (a.deadline and b.deadline):
        return _slot_conflict("day", a, b, lambda c: c.weekday_slots, str.title, "")
    # A timed event or a deadline has one day; so has the start of an act, which the parse must find
    # in both ("began meeting on Thursday" / "has been meeting since Monday").  Other acts recur.
    if not (MAY_DATE_A_START.search(a.text) and MAY_DATE_A_START.search(b.text)):
        return None
    return _slot_conflict("day", a, b, lambda c: tuple(s for s in c.weekday_slots if starts(c.text, s[0])),
                          str.title, "", strict=True)


def _date_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    """Different calendar dates for the same slot (the hearing's date against the hearing's date)."""
    if not new.date_slots or not known.date_slots or new.dates & known.dates:
        return None
    if not _both_timed(new, known) and not (new.deadline and known.deadline) and len(new.dates) + len(known.dates) > 2:
        return None
    return _slot_conflict("date", new, known, lambda c: c.date_slots, str, " (month-day)")


_PLACE_SAME_EVENT = 0.3
def _place_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    """The same act at other named places ("filed in court in Dayton" / "filed in court in Toledo").  The
    parse decides; it is asked only when each claim names, after a preposition of place, a name the other
    does not use at all, and the two share a word."""
    if not (new.verbs & known.verbs and _foreign_place(new, known) and _foreign_place(known, new)):
        return None
    found = other_places(new.text, known.text)
    if found is None:
        return None
    verb, ours, theirs = found
    return Conflict("place", f"place differs ({verb}): {ours} vs {theirs}", value=ours)


def _foreign_place(claim: ClaimFeatures, other: ClaimFeatures) -> bool:
    """Does the claim name a place ("at Berth 12") with a word the other claim does not use?"""
    others = set(words(other.text)).union(WEEKDAYS, MONTHS)
    return any(not set(words(m.group(1))) <= others for m in PLACE_NAME.finditer(claim.text))


_ABSENT_TERMS = 3  # words of "no road block at the bridge" the known claim must share, the head among them
_NO = re.compile(r"\bno\b", re.IGNORECASE)


def _absence_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    """The new report says there was none of what the known claim plainly reports ("there was no road
    block at the bridge" / "protesters blocked the road at the bridge")."""
    if known.negated or _NO.search(known.text) or not _NO.search(new.text) \
            or len(new.term_set & known.term_set) < _ABSENT_TERMS:
        return None
    for head, phrase in said_absent(new.text):
        shared = phrase & known.term_set
        if head in shared and len(shared) >= _ABSENT_TERMS:
            return Conflict("denial", f"denial: the new report says there was none ({', '.join(sorted(shared)[:3])})")
    return None


_SAME_ACT_TERMS = 2  # content words (names aside) a known claim needs for its act to be recognised


def _participant_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    """The same act with other parties: every word of the known claim but its names recurs in one clause
    of the new report, and the two name no party in common ("the letter was organized by A" against "a
    letter B organized")."""
    theirs = _parties(known)
    act = set(known.terms) - known.entities
    if not theirs or len(act) < _SAME_ACT_TERMS:
        return None
    for part in clauses(new.text):
        clause = features(part)
        ours = _parties(clause)
        if ours and ours.isdisjoint(theirs) and act <= set(clause.terms) and not clause.negated:
            return Conflict("participant", f"party differs ({', '.join(sorted(act)[:3])}): "
                                           f"{', '.join(sorted(ours)[:3])} vs {', '.join(sorted(theirs)[:3])}")
    return None


def _parties(claim: ClaimFeatures) -> set[str]:
    """The names of a claim that stand for parties: no numbers, months or weekdays; a spelled-out name
    also as its acronym ("Food and Drug Administration" as fda too)."""
    names = {t for t in claim.entities if not t[0].isdigit() and t not in _CALENDAR}
    return names | {acronym for term, acronym in claim.spelled_out if term in names}


_CALENDAR = frozenset(terms(" ".join((*WEEKDAYS, *MONTHS)) + " jan feb mar apr jun jul aug sep sept oct nov dec"))


def _exclusivity_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    """One claim says only one party does something; the other names a further party doing it."""
    if new.exclusive == known.exclusive:
        return None
    sole, other = (new, known) if new.exclusive else (known, new)
    if other.negated & sole.term_set:
        return None
    if _sole_party(sole.text) & other.entities and _INCLUDING.isdisjoint(words(other.text)):
        return None  # the sole party named again, with nobody said to join it: a restatement
    others = sorted(t for t in other.entities - sole.entities - sole.term_set if not t[0].isdigit())
    if not others:
        return None
    if sole is new:
        return Conflict("exclusive", "state differs: the new report says no one else does this, "
                                     f"the known claim names {others[0]}")
    return Conflict("exclusive", "state differs: the known claim says only one party does this, "
                                 f"the new report names {others[0]}")


def _sole_act_told(new: ClaimFeatures, known: ClaimFeatures) -> tuple[str, str] | None:
    """The act the known claim says only one thing does, when the new report tells of a thing doing it,
    however little else the two share.  The parse decides; it is asked only when they share words besides
    names."""
    if not known.exclusive or new.exclusive or not shares_act(new, known):
        return None
    return sole_act_told(new.text, known.text)


def shares_act(new: ClaimFeatures, known: ClaimFeatures) -> bool:
    """Do the two claims share enough words besides names to tell of one act (the lexical pre-test)?"""
    return len(new.term_set & known.term_set - known.entities) >= _SAME_ACT_TERMS


_INCLUDING = frozenset({"alongside", "also", "too", "another", "second", "joins", "joined", "besides", "addition"})
_CAPITALISED = re.compile(r"\b[A-Z][\w'’-]*")


def _sole_party(text: str) -> frozenset[str]:
    """The names before the words that make a claim exclusive ("Northwind is the only airline ...")."""
    cut = min((i for w in (" only ", " sole ", " no other ") if (i := text.lower().find(w)) >= 0), default=-1)
    return frozenset(terms(" ".join(_CAPITALISED.findall(text[:cut])))) if cut > 0 else frozenset()


_DENIED_OBJECT_TERMS = 2
_OUTRIGHT = re.compile(r"\b(?:not|never|no|nobody|nothing|none)\b|n't\b", re.IGNORECASE)


def _polarity_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    """The new report negates a predicate that the known claim plainly asserts (a denial).

    The other direction is left to the opposed-predicate rule: a known claim with a negation
    is too often restated with a positive paraphrase ("will not allow" / "bars").
    """
    if not new.negated or known.negated or known.conditional or known.predicates & NEGATIVE_PREDICATES:
        return None  # only what the known claim plainly asserts can be denied
    # Not carrying out a threat or a plan, or no longer expecting something, is a development.
    denied = sorted(t for t in new.negated & known.term_set if t not in known.hedged_stems and t not in HEDGES)
    objects = sorted(t for t in new.negated_objects & known.term_set if t not in known.hedged_stems)
    if not denied and len(objects) >= _DENIED_OBJECT_TERMS and _OUTRIGHT.search(new.text):
        # "has not received a safety report" against "filed a safety report"; not "failed to repair the
        # leaking valve" against "left the leaking valve": a failure to act on a thing confirms it is there.
        denied = objects
    if denied and not other_doers(new.text, known.text, denied):
        return Conflict("denial", f"denial: the new report negates what the known claim asserts "
                                  f"({', '.join(denied[:3])})")
    return None


def _opposites() -> dict[str, list[tuple[int, str]]]:
    """Each predicate's opposites, with the rank of the pair in OPPOSED_PREDICATES (both directions), so
    that the first opposed pair in that list names the conflict, whatever the order of a claim's predicates."""
    out: dict[str, list[tuple[int, str]]] = {}
    for rank, (a, b) in enumerate(OPPOSED_PREDICATES):
        out.setdefault(a, []).append((2 * rank, b))
        out.setdefault(b, []).append((2 * rank + 1, a))
    return out


_OPPOSITES = _opposites()


def _predicate_conflict(new: ClaimFeatures, known: ClaimFeatures) -> Conflict | None:
    if not new.predicates or not known.predicates:
        return None
    opposed = sorted((rank, ours, theirs) for ours in new.predicates for rank, theirs in _OPPOSITES.get(ours, ())
                     if theirs in known.predicates)
    for _, ours, theirs in opposed:
        if ours in new.negated or theirs in known.negated:
            continue  # "not to stop" is no opposite of "continue"
        if theirs not in new.predicates and ours not in known.predicates and _same_actor(new, ours, known, theirs):
            return Conflict("opposed", f"opposed actions: '{ours}…' vs '{theirs}…'")
    return None


def _same_actor(new: ClaimFeatures, ours: str, known: ClaimFeatures, theirs: str) -> bool:
    """Opposed actions conflict only when the same party does them (when both name who does them)."""
    a = {actor for predicate, actor in new.actors if predicate == ours}
    b = {actor for predicate, actor in known.actors if predicate == theirs}
    return not a or not b or bool(a & b)
