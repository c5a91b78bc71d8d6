"""Contradiction rules between two claims about the same event.

Each rule is a general fact about how news reports conflict: a different
amount, a different day, the opposite polarity, or opposed predicates.  The
caller decides that two claims are about the same event (shared entities and
terms); a rule only says whether, and how, they disagree.  Paraphrases agree.
"""

from __future__ import annotations

from monitor.story.claims import NEGATIVE_PREDICATES, OPPOSED_PREDICATES, ClaimFeatures, Quantity

_SPECIFIC_UNITS = {"usd", "eur", "gbp", "percent", "rank", "clock"}


def conflict(new: ClaimFeatures, known: ClaimFeatures, same_event: float) -> str | None:
    """A one-line reason why ``new`` contradicts ``known``, or None when they agree.

    ``same_event`` is how strongly the two claims share their subject (0..1).
    """
    reason = _quantity_conflict(new.quantities, known.quantities)
    if reason and same_event >= 0.25:
        return reason
    reason = _weekday_conflict(new, known) or _date_conflict(new, known)
    if reason and same_event >= (0.15 if _same_clock_time(new, known) else 0.3):
        return reason
    reason = _predicate_conflict(new, known)
    if reason and same_event >= 0.4:
        return reason
    reason = _exclusivity_conflict(new, known)
    if reason and same_event >= 0.55:
        return reason
    if same_event >= 0.45:
        return _polarity_conflict(new, known)
    return None


def _exclusivity_conflict(new: ClaimFeatures, known: ClaimFeatures) -> str | None:
    """One claim says only one party does something; the other names a further party doing it."""
    if new.exclusive == known.exclusive:
        return None
    sole, other = (new, known) if new.exclusive else (known, new)
    if other.negated & sole.term_set:
        return None
    others = sorted(other.entities - sole.entities - sole.term_set)
    if not others:
        return None
    if sole is new:
        return f"state differs: the new report says no one else does this, the known claim names {others[0]}"
    return f"state differs: the known claim says only one party does this, the new report names {others[0]}"


def _polarity_conflict(new: ClaimFeatures, known: ClaimFeatures) -> str | None:
    """The new report negates a predicate that the known claim plainly asserts (a denial).

    The other direction is left to the opposed-predicate rule: a known claim with a negation
    is too often restated with a positive paraphrase ("will not allow" / "bars").
    """
    if not new.negated or known.negated or known.predicates & NEGATIVE_PREDICATES:
        return None
    # Not carrying out a threat or a plan is a development, not a contradiction.
    denied = sorted(t for t in new.negated & known.term_set if t not in known.hedged_stems)
    if denied:
        return f"denial: the new report negates what the known claim asserts ({', '.join(denied[:3])})"
    return None


def _quantity_conflict(new: tuple[Quantity, ...], known: tuple[Quantity, ...]) -> str | None:
    if not new or not known:
        return None
    for unit in {q.unit for q in new} & {q.unit for q in known}:
        ours = [q for q in new if q.unit == unit]
        theirs = [q for q in known if q.unit == unit]
        if unit not in _SPECIFIC_UNITS and (unit == "count" or len(ours) > 1 or len(theirs) > 1):
            continue  # bare or repeated counts: too ambiguous to pair up
        if any(a.agrees_with(b) for a in ours for b in theirs):
            continue
        label = {"usd": "amount", "eur": "amount", "gbp": "amount", "percent": "share", "rank": "rank",
                 "clock": "time"}.get(unit, "number")
        return f"{label} differs: {ours[0].text} vs {theirs[0].text}"
    return None


def _same_clock_time(new: ClaimFeatures, known: ClaimFeatures) -> bool:
    """An identical time of day ("5:01 p.m.") ties two claims to the same deadline or event."""
    ours = {q.value for q in new.quantities if q.unit == "clock"}
    return bool(ours & {q.value for q in known.quantities if q.unit == "clock"})


def _weekday_conflict(new: ClaimFeatures, known: ClaimFeatures) -> str | None:
    if not new.weekdays or not known.weekdays or new.weekdays & known.weekdays:
        return None
    timed = any(q.unit == "clock" for q in new.quantities) and any(q.unit == "clock" for q in known.quantities)
    if not timed and not (new.deadline and known.deadline):
        return None
    return (f"day differs: {', '.join(sorted(d.title() for d in new.weekdays))} vs "
            f"{', '.join(sorted(d.title() for d in known.weekdays))}")


def _date_conflict(new: ClaimFeatures, known: ClaimFeatures) -> str | None:
    """Different calendar dates for the same dated event (a deadline, or a time both give)."""
    if not new.dates or not known.dates or new.dates & known.dates:
        return None
    timed = any(q.unit == "clock" for q in new.quantities) and any(q.unit == "clock" for q in known.quantities)
    if not timed and not (new.deadline and known.deadline) and len(new.dates) + len(known.dates) > 2:
        return None
    return f"date differs: {', '.join(sorted(new.dates))} vs {', '.join(sorted(known.dates))} (month-day)"


def _opposites() -> dict[str, list[tuple[int, str]]]:
    """Each predicate's opposites, with the rank of the pair in OPPOSED_PREDICATES (both directions), so
    that the first opposed pair in that list names the conflict, whatever the order of a claim's predicates."""
    out: dict[str, list[tuple[int, str]]] = {}
    for rank, (a, b) in enumerate(OPPOSED_PREDICATES):
        out.setdefault(a, []).append((2 * rank, b))
        out.setdefault(b, []).append((2 * rank + 1, a))
    return out


_OPPOSITES = _opposites()


def _predicate_conflict(new: ClaimFeatures, known: ClaimFeatures) -> str | None:
    if not new.predicates or not known.predicates:
        return None
    opposed = sorted((rank, ours, theirs) for ours in new.predicates for rank, theirs in _OPPOSITES.get(ours, ())
                     if theirs in known.predicates)
    for _, ours, theirs in opposed:
        if theirs not in new.predicates and ours not in known.predicates and _same_actor(new, ours, known, theirs):
            return f"opposed actions: '{ours}…' vs '{theirs}…'"
    return None


def _same_actor(new: ClaimFeatures, ours: str, known: ClaimFeatures, theirs: str) -> bool:
    """Opposed actions conflict only when the same party does them (when both name who does them)."""
    a = {actor for predicate, actor in new.actors if predicate == ours}
    b = {actor for predicate, actor in known.actors if predicate == theirs}
    return not a or not b or bool(a & b)
