"""Article -> Analysis: relevance, the duplicate check, and a verdict for every claim.

``Analyser.analyse`` only reads what is known; ``Analyser.learn`` is the one
place where the knowledge grows, after a decision was made and stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from monitor.model import Analysis, Article, ClaimStatus, ClaimVerdict, KnownClaim
from monitor.story.claims import ClaimFeatures, features, split_claims
from monitor.story.contradiction import conflict
from monitor.story.dedup import DuplicateIndex, sketch
from monitor.story.knowledge import KnowledgeBase, Match, coverage, similarity
from monitor.story.relevance import StoryProfile
from monitor.story.seeds import Story


@dataclass(frozen=True, slots=True)
class AnalysisSettings:
    relevance_threshold: float = 0.27
    duplicate_threshold: float = 0.6
    known_threshold: float = 0.55     # similarity at which a known claim restates the new one
    covered_threshold: float = 0.7    # share of a claim's information already known
    novel_information: float = 12.0   # unknown information a claim must carry to be news
    neighbours: int = 5


class Analyser:
    def __init__(self, story: Story, settings: AnalysisSettings) -> None:
        self.settings = settings
        self.knowledge = KnowledgeBase()
        self.profile = StoryProfile(story.topics)
        self.duplicates = DuplicateIndex()
        for doc in story.documents:
            self.profile.add_document(doc.text)
            self.duplicates.add(f"seed:{doc.path.name}", sketch(doc.text))
        for claim in story.claims:
            self.knowledge.add(claim)

    def analyse(self, article: Article) -> Analysis:
        relevance = self.profile.relevance(article.title, article.text)
        fingerprint = sketch(article.text)
        duplicate = self.duplicates.best(fingerprint)
        is_duplicate = duplicate is not None and duplicate.score >= self.settings.duplicate_threshold
        relevant = relevance >= self.settings.relevance_threshold
        verdicts: tuple[ClaimVerdict, ...] = ()
        if relevant and not is_duplicate:
            verdicts = tuple(self.judge(text) for text in split_claims(article.text))
        return Analysis(
            article=article,
            relevance=round(relevance, 4),
            relevant=relevant,
            duplicate_of=duplicate.key if is_duplicate and duplicate else None,
            duplicate_score=round(duplicate.score, 4) if duplicate else 0.0,
            claims=verdicts,
        )

    def judge(self, text: str) -> ClaimVerdict:
        """One claim against everything known."""
        s = self.settings
        claim = features(text)
        matches = self.knowledge.neighbours(claim, s.neighbours)
        best = max(matches, key=lambda m: m.similarity, default=None)
        supported = [m for m in matches if m.similarity >= s.known_threshold
                     and conflict(claim, m.features, m.similarity) is None]
        if supported:
            m = supported[0]
            return ClaimVerdict(text, ClaimStatus.KNOWN, round(m.similarity, 3),
                                f"restates a known claim (similarity {m.similarity:.2f})", m.claim)
        for m in matches:
            reason = conflict(claim, m.features, _subject_overlap(claim, m.features))
            if reason:
                return ClaimVerdict(text, ClaimStatus.CONTRADICTION, round(m.similarity, 3), reason, m.claim)
        related = [m.features for m in matches if m.similarity >= 0.1]
        covered = coverage(claim, related)
        unknown = novel_information(claim, related)
        matched = best.claim if best else None
        score = round(best.similarity, 3) if best else 0.0
        if covered >= s.covered_threshold:
            return ClaimVerdict(text, ClaimStatus.KNOWN, score,
                                f"{covered:.0%} of its information is known", matched)
        if unknown >= s.novel_information:
            return ClaimVerdict(text, ClaimStatus.NEW, score,
                                f"carries unknown information ({unknown:.0f} bits-ish, {covered:.0%} known)",
                                matched)
        return ClaimVerdict(text, ClaimStatus.BACKGROUND, score,
                            f"too little unknown information ({unknown:.0f}, {covered:.0%} known)", matched)

    def learn(self, analysis: Analysis, source: str, date: str | None) -> list[KnownClaim]:
        """Make a processed article part of what is known; return the claims that were added."""
        article = analysis.article
        self.duplicates.add(article.url, sketch(article.text))
        if not analysis.relevant or analysis.duplicate_of:
            return []
        self.profile.add_document(f"{article.title}\n{article.text}")
        added = []
        for verdict in analysis.claims:
            if verdict.status is ClaimStatus.BACKGROUND and verdict.score < 0.1:
                continue
            claim = KnownClaim(text=verdict.text, source=source, date=date, origin="article", url=article.url)
            if self.knowledge.add(claim):
                added.append(claim)
        return added

    def remember(self, claim: KnownClaim) -> None:
        self.knowledge.add(claim)

    def recall_article(self, url: str, text: str, *, relevant: bool) -> None:
        """Re-learn an article processed in an earlier run (its claims come from the store)."""
        self.duplicates.add(url, sketch(text))
        if relevant:
            self.profile.add_document(text)


def _subject_overlap(a: ClaimFeatures, b: ClaimFeatures) -> float:
    return similarity(a, b)


def novel_information(claim: ClaimFeatures, known: list[ClaimFeatures]) -> float:
    """Information carried by terms that none of the related known claims contain."""
    seen = set().union(*(f.term_set for f in known)) if known else set()
    return sum(w for t, w in zip(claim.terms, claim.weights, strict=True) if t not in seen)


__all__ = ["Analyser", "AnalysisSettings", "Match"]
