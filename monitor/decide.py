"""Analysis -> Decision: alert or stay silent, always with the reason. Pure."""

from __future__ import annotations

from datetime import datetime

from monitor.model import Alert, AlertKind, Analysis, ClaimStatus, ClaimVerdict, Decision


def _evidence(analysis: Analysis, limit: int) -> list[ClaimVerdict]:
    """The claims that carry the development: new ones by how much they add, then the rest of what
    is not known, then what is known only piecemeal, in article order; the lead sentence first when it
    is among them (news puts the news first). Claims a single known claim restates are left out."""
    fresh = [c for c in analysis.claims if c.status is ClaimStatus.NEW]
    rest = [c for c in analysis.claims if c.status is ClaimStatus.BACKGROUND]
    pieced = [c for c in analysis.claims if c.status is ClaimStatus.KNOWN and not c.restated]
    ranked = sorted(fresh, key=lambda c: -c.novelty) + rest + pieced
    lead = analysis.claims[0] if analysis.claims else None
    if lead in ranked:
        ranked.remove(lead)
        ranked.insert(0, lead)
    return ranked[:limit]


def decide(analysis: Analysis, *, min_new_claims: int = 1, max_claims: int = 6,
           as_of: datetime | None = None, first_poll: bool = False) -> Decision:
    """What to do with an analysed article.  An article published before the story's ``as_of``, or
    undated on its source's first poll, is background: it is learnt like any other, never posted."""
    decision = _decide(analysis, min_new_claims, max_claims)
    if decision.alert is None:
        return decision
    published = analysis.article.published
    if published is None and first_poll:
        return Decision("background", "undated, on the source's first poll: taken as background "
                                      f"(would have been {decision.verdict}: {decision.reason})")
    if published is not None and as_of is not None and published < as_of:
        return Decision("background", f"published before the story's as-of ({as_of.isoformat()}): taken as "
                                      f"background (would have been {decision.verdict}: {decision.reason})")
    return decision


# Under the inverted pyramid an article states its news first; its closing lines hold the writer's
# tagline, a reader's note or background.  A long article whose only new claims are there is no development.
_CLOSING_LINES = 2
_LONG_ARTICLE = 10


def _leads(analysis: Analysis, new: list[ClaimVerdict]) -> bool:
    """Is one of the new claims outside the closing lines of a long article?"""
    claims = analysis.claims
    if len(claims) < _LONG_ARTICLE:
        return True
    closing = {id(c) for c in claims[-_CLOSING_LINES:]}
    return any(id(c) not in closing for c in new)


def _decide(analysis: Analysis, min_new_claims: int, max_claims: int) -> Decision:
    article = analysis.article
    if not analysis.relevant:
        return Decision("off-topic", f"relevance {analysis.relevance:.2f} is below the story threshold")
    if analysis.duplicate_of:
        return Decision("duplicate",
                        f"near-copy of {analysis.duplicate_of} (resemblance {analysis.duplicate_score:.2f})")
    contradictions = [c for c in analysis.claims if c.status is ClaimStatus.CONTRADICTION]
    new = [c for c in analysis.claims if c.status is ClaimStatus.NEW]
    if contradictions:
        claims = tuple((contradictions + new)[:max_claims])
        reason = "; ".join(c.reason for c in contradictions[:3])
        return Decision("alert-contradiction", f"contradicts what is known: {reason}",
                        Alert(AlertKind.CONTRADICTION, article, claims))
    if len(new) >= min_new_claims and _leads(analysis, new):
        return Decision("alert-new", f"{len(new)} new claim(s)",
                        Alert(AlertKind.NEW, article, tuple(_evidence(analysis, max_claims))))
    known = sum(1 for c in analysis.claims if c.status is ClaimStatus.KNOWN)
    return Decision("nothing-new", f"{known} of {len(analysis.claims)} claims restate what is known; "
                                   "nothing new or contradictory")
