"""Analysis -> Decision: alert or stay silent, always with the reason. Pure."""

from __future__ import annotations

from monitor.model import Alert, AlertKind, Analysis, ClaimStatus, Decision


def decide(analysis: Analysis, *, min_new_claims: int = 1, max_claims: int = 6) -> Decision:
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
    if len(new) >= min_new_claims:
        ranked = sorted(new, key=lambda c: c.score)  # least like anything known first
        return Decision("alert-new", f"{len(new)} new claim(s)",
                        Alert(AlertKind.NEW, article, tuple(ranked[:max_claims])))
    known = sum(1 for c in analysis.claims if c.status is ClaimStatus.KNOWN)
    return Decision("nothing-new", f"{known} of {len(analysis.claims)} claims restate what is known; "
                                   "nothing new or contradictory")
