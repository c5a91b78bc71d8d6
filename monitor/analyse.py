"""Article -> Analysis: relevance, the duplicate check, and a verdict for every claim.

``Analyser.analyse`` only reads what is known; ``Analyser.learn`` is the one
place where the knowledge grows, after a decision was made and stored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from monitor.analysis_settings import AnalysisSettings
from monitor.model import Analysis, Article, ClaimStatus, ClaimVerdict, KnownClaim
from monitor.story.claims import ClaimFeatures, dated_claims, features
from monitor.story.contradiction import Conflict, Dated, agree_on, conflict, gives_value, shares_act
from monitor.story.dedup import DuplicateIndex, sketch
from monitor.story.frames import clauses, recounts_past, resolve_times
from monitor.story.judges import Budgeted
from monitor.story.knowledge import KnowledgeBase, Match, near_verbatim, sentence_key
from monitor.story.modality import verb_form
from monitor.story.novelty import coverage, novel_information
from monitor.story.parse import reports_done
from monitor.story.relevance import StoryProfile
from monitor.story.seeds import Story
from monitor.story.semantic import SemanticMatcher


@dataclass(frozen=True, slots=True)
class JudgeSetup:
    """An optional judge and the similarity band of the pairs it is asked about."""

    judge: Budgeted
    band: tuple[float, float]


class Analyser:
    def __init__(self, story: Story, settings: AnalysisSettings, judge: JudgeSetup | None = None,
                 semantic: SemanticMatcher | None = None) -> None:
        self.settings = settings
        self.judge_setup = judge
        self.semantic = semantic
        self.knowledge = KnowledgeBase()
        self.profile = StoryProfile(story.topics)
        self.duplicates = DuplicateIndex()
        # Undated seeds are the story as first given: as old as the story's as-of, for comparing times.
        self.as_of = _day(story.as_of)
        for doc in story.documents:
            self.profile.add_document(doc.text)
            self.duplicates.add(f"seed:{doc.path.name}", sketch(doc.text), pinned=True)
        for claim in story.claims:
            self.knowledge.add(claim)
        for claim in story.claims:
            if claim.origin == "curated":  # each curated claim is a short account of the story
                self.profile.add_document(claim.text)
        self.profile.fix_scale([doc.text for doc in story.documents])

    def analyse(self, article: Article) -> Analysis:
        relevance = self.profile.relevance(article.title, article.context or article.text,
                                           self.settings.negative_floor)
        fingerprint = sketch(article.text)
        duplicate = self.duplicates.best(fingerprint)
        is_duplicate = duplicate is not None and duplicate.score >= self.settings.duplicate_threshold
        relevant = relevance >= self.settings.relevance_threshold
        verdicts: tuple[ClaimVerdict, ...] = ()
        if relevant and not is_duplicate:
            day = article.published.date() if article.published else None
            verdicts = tuple(self.judge(text, day, stamp) for text, stamp in dated_claims(article.text))
        return Analysis(
            article=article,
            relevance=round(relevance, 4),
            relevant=relevant,
            duplicate_of=duplicate.key if is_duplicate and duplicate else None,
            duplicate_score=round(duplicate.score, 4) if duplicate else 0.0,
            claims=verdicts,
        )

    def judge(self, text: str, day: date | None = None, stamp: frozenset[str] | None = None) -> ClaimVerdict:
        """One claim, reported on ``day``, against everything known; ``stamp``: the days of the entry
        stamp of its paragraph, when it is part of a timeline entry."""
        verdict = self._judge(text, day)
        if verdict.status is ClaimStatus.NEW and day is not None:
            stamp = stamp if stamp is not None else features(text).stamp_times
            if recounts_past(stamp, day):
                return replace(verdict, status=ClaimStatus.BACKGROUND,
                               reason=f"recounts an earlier day ({', '.join(sorted(stamp))}), a timeline entry")
        return verdict

    def _judge(self, text: str, day: date | None) -> ClaimVerdict:
        s = self.settings
        if (same := self.knowledge.verbatim(text)) is not None:
            # Settled without a search, which after long runs can miss it among newer claims that share its words.
            return ClaimVerdict(text, ClaimStatus.KNOWN, 1.0, "restates a known claim (similarity 1.00)", same,
                                restated=True)
        claim = features(text)
        matches = self.knowledge.neighbours(claim, s.neighbours)
        found = _conflicts(Dated(claim, day), self._to_compare(claim, matches), self.as_of)
        updates = [(m, c) for m, c in found if c.kind == "update"]
        conflicts = [(m, c) for m, c in found if c.kind != "update"]
        supported = [m for m in matches if all(m is not c for c, _ in found) and (
            near_verbatim(claim, m.features)
            or (m.similarity >= s.known_threshold and _repeats_specifics(claim, m.features)))]
        strongest_conflict = max((m.similarity for m, _ in conflicts), default=0.0)
        if supported and supported[0].similarity >= strongest_conflict:
            m = supported[0]
            if all(_realises(claim, k.features) for k in supported):
                return ClaimVerdict(text, ClaimStatus.NEW, round(m.similarity, 3), _resolution(claim, m.features),
                                    m.claim, settles=True)
            return ClaimVerdict(text, ClaimStatus.KNOWN, round(m.similarity, 3),
                                f"restates a known claim (similarity {m.similarity:.2f})", m.claim, restated=True)
        if conflicts:
            m, worst = max(conflicts, key=lambda pair: pair[0].similarity)
            return ClaimVerdict(text, ClaimStatus.CONTRADICTION, round(m.similarity, 3), worst.reason, m.claim)
        if updates and not supported:
            m, change = max(updates, key=lambda pair: pair[0].similarity)
            return ClaimVerdict(text, ClaimStatus.NEW, round(m.similarity, 3), change.reason, m.claim, settles=True)
        # People said they knew this: its restatements, in other words too, are known.
        marked = [m for m in matches if m.claim.origin == "feedback" and m.similarity >= s.marked_known_threshold]
        if marked:
            return ClaimVerdict(text, ClaimStatus.KNOWN, round(marked[0].similarity, 3),
                                f"restates what people marked as not new (similarity {marked[0].similarity:.2f})",
                                marked[0].claim, restated=True)
        best = max(matches, key=lambda m: m.similarity, default=None)
        related = [m.features for m in matches if m.similarity >= 0.1]
        covered = coverage(claim, related)
        days = _known_days((m for m in matches if m.similarity >= 0.1), self.as_of)
        unknown = novel_information(claim, related, self.knowledge, s.common_information, days)
        matched = best.claim if best else None
        score = round(best.similarity, 3) if best else 0.0
        if best and best.similarity >= s.realised_threshold and _first_report_of_done(claim, best, matches):
            return ClaimVerdict(text, ClaimStatus.NEW, score, _resolution(claim, best.features), matched,
                                round(unknown, 1), settles=True)
        settled = self._paraphrase(text, matches) or self._ask_judge(text, best)
        if settled is not None:
            return settled
        if covered >= s.covered_threshold:
            return ClaimVerdict(text, ClaimStatus.KNOWN, score,
                                f"{covered:.0%} of its information is known", matched, round(unknown, 1))
        if unknown >= s.novel_information:
            return ClaimVerdict(text, ClaimStatus.NEW, score,
                                f"adds information ({unknown:.0f} units unknown, {covered:.0%} known)",
                                matched, round(unknown, 1))
        return ClaimVerdict(text, ClaimStatus.BACKGROUND, score,
                            f"too little unknown information ({unknown:.0f} units, {covered:.0%} known)", matched,
                            round(unknown, 1))

    def _to_compare(self, claim: ClaimFeatures, matches: list[Match]) -> list[Match]:
        """The known claims to check for a conflict: the claim's neighbours and each clause's, each with
        how closely it matches the claim or that clause (a long sentence often conflicts in one clause),
        and the known claims that say only one party does what the claim may tell another doing."""
        found = {id(m.claim): m for m in matches}
        parts = [p for c in clauses(claim.text) if len((p := features(c)).terms) >= _CLAUSE_TERMS]
        for part in parts if len(parts) >= 2 else ():
            for m in self.knowledge.neighbours(part, _CLAUSE_NEIGHBOURS):
                best = found.get(id(m.claim))
                if best is None or m.similarity > best.similarity:
                    found[id(m.claim)] = m
        for m in self.knowledge.sole_claims(claim):
            if shares_act(claim, m.features):
                found.setdefault(id(m.claim), m)
        return list(found.values())

    def new_cycle(self) -> None:
        if self.judge_setup:
            self.judge_setup.judge.new_cycle()

    def _paraphrase(self, text: str, matches: list[Match]) -> ClaimVerdict | None:
        """With the semantic extra: a known claim that means the same, in other words."""
        if self.semantic is None or not matches:
            return None
        scores = self.semantic.similarities(text, [m.claim.text for m in matches])
        score, m = max(zip(scores, matches, strict=True), key=lambda pair: pair[0])
        if score < self.settings.paraphrase_threshold:
            return None
        return ClaimVerdict(text, ClaimStatus.KNOWN, round(m.similarity, 3),
                            f"paraphrases a known claim (meaning similarity {score:.2f})", m.claim, restated=True)

    def _ask_judge(self, text: str, best: Match | None) -> ClaimVerdict | None:
        """Ask the judge about a related pair the rules left undecided; None keeps the rules' course."""
        setup = self.judge_setup
        if setup is None or best is None or not setup.band[0] <= best.similarity < setup.band[1]:
            return None
        verdict = setup.judge.compare(text, best.claim.text)
        if verdict is None or verdict.relation == "unrelated":
            return None
        status = ClaimStatus.CONTRADICTION if verdict.relation == "contradiction" else ClaimStatus.KNOWN
        return ClaimVerdict(text, status, round(best.similarity, 3), f"judge: {verdict.reason or verdict.relation}",
                            best.claim, restated=status is ClaimStatus.KNOWN)

    def to_learn(self, analysis: Analysis, source: str, date: str | None) -> list[KnownClaim]:
        """The claims that ``learn`` will add, without adding them: the store keeps them first."""
        if not analysis.relevant or analysis.duplicate_of:
            return []
        claims: dict[str, KnownClaim] = {}
        for verdict in analysis.claims:
            if verdict.status is ClaimStatus.BACKGROUND and verdict.score < 0.1:
                continue
            if verdict.restated and verdict.score >= 0.85:
                continue  # a near copy of a known claim teaches nothing and costs memory
            key = sentence_key(verdict.text)
            if key not in claims and self.knowledge.verbatim(verdict.text) is None:
                claims[key] = KnownClaim(text=verdict.text, source=source, date=date, origin="article",
                                         url=analysis.article.url)
        return list(claims.values())

    def learn(self, analysis: Analysis, source: str, date: str | None,
              claims: list[KnownClaim] | None = None) -> list[KnownClaim]:
        """Make a processed article part of what is known; return the claims that were added.
        ``claims``: what ``to_learn`` gave, when the caller has already asked (to store them first)."""
        article = analysis.article
        added = self.to_learn(analysis, source, date) if claims is None else claims
        self.duplicates.add(article.url, sketch(article.text))
        if analysis.relevant and not analysis.duplicate_of:
            self.profile.add_document(_as_document(article.title, article.text))
        for claim in added:
            self.knowledge.add(claim)
        return added

    def remember(self, claim: KnownClaim) -> None:
        self.knowledge.add(claim)

    def wrong_story(self, url: str, title: str, text: str, *, was_relevant: bool) -> int:
        """People said this article is not about the story: it becomes a negative example for relevance,
        leaves the profile, and its claims are forgotten.  Returns how many claims were forgotten."""
        self.profile.add_negative(title, text)
        if was_relevant:
            self.profile.remove_document(_as_document(title, text))
        return self.knowledge.forget_from(url)

    def recall_article(self, url: str, title: str, text: str, *, relevant: bool) -> None:
        """Re-learn an article processed in an earlier run (its claims come from the store), as ``learn``
        did: a restarted monitor's profile is the one a long-running one has."""
        self.duplicates.add(url, sketch(text))
        if relevant:
            self.profile.add_document(_as_document(title, text))


def _as_document(title: str, text: str) -> str:
    """An article as a document of the story profile: learnt, recalled after a restart or taken back alike."""
    return f"{title}\n{text}"


_CLAUSE_TERMS = 4       # content terms a clause needs to be matched on its own
_CLAUSE_NEIGHBOURS = 3  # known claims checked per clause


def _conflicts(claim: Dated, matches: list[Match], as_of: date | None) -> list[tuple[Match, Conflict]]:
    """The known claims the claim conflicts with or updates.  A value that another known claim gives is
    neither: the story has known it too (an earlier and a later count, say)."""
    found = [(m, c) for m in matches
             if (c := conflict(claim, Dated(m.features, _reported(m, as_of)), m.similarity)) is not None]
    return [(m, c) for m, c in found if not _known_too(c, claim, [o for o in matches if o is not m], as_of)]


def _known_too(found: Conflict, claim: Dated, others: list[Match], as_of: date | None) -> bool:
    """Does another known claim give the new value: a day or a date, a figure for the same slot, or the
    new value of a change (in any slot: a change is news once)?"""
    if found.kind in ("update", "day", "date"):
        return any(gives_value(found.value, claim.day, Dated(o.features, _reported(o, as_of))) for o in others)
    return bool(found.unit) and any(agree_on(found.unit, claim.features, o.features) for o in others)


def _known_days(matches: Iterable[Match], as_of: date | None) -> frozenset[str]:
    """The days ("MM-DD") known claims speak of, as ``gives_value`` reads them: their weekdays resolved
    against the day each was reported, or the date a claim names with its weekday."""
    return frozenset().union(*(resolve_times(m.features.times, _reported(m, as_of)) for m in matches))


def _reported(known: Match, as_of: date | None) -> date | None:
    """The day a known claim was reported; an undated seed is part of the story as first given, as of
    the story's date."""
    return _day(known.claim.date) or as_of


def _day(iso: str | None) -> date | None:
    try:
        return date.fromisoformat(iso[:10]) if iso else None
    except ValueError:
        return None


def _realises(claim: ClaimFeatures, known: ClaimFeatures) -> bool:
    """Does the claim settle what the known claim only threatened, planned or deemed possible,
    either way: done ("designated") or dropped ("will not suspend")?"""
    if not known.hedge_heads:
        return False  # the common case, and it spares computing the claim's verb forms
    settled = (known.hedge_heads - claim.hedged) & claim.verbs
    # The words match: the parse says whether the claim states the act as done ("designated it") or
    # only names it ("closing the bridge needs a vote"), wants or asks it ("asked the council to close it").
    return bool(settled) and reports_done(claim.text, settled)


def _resolution(claim: ClaimFeatures, known: ClaimFeatures) -> str:
    settled = (known.hedge_heads - claim.hedged) & claim.verbs
    negated = {verb_form(t) for t in claim.negated}
    if settled & negated:
        return "reports as dropped what was known as a threat, plan or possibility"
    return "reports as done what was known only as a threat, plan or possibility"


def _repeats_specifics(claim: ClaimFeatures, known: ClaimFeatures) -> bool:
    """A restatement repeats the specifics: every amount, time and weekday of the claim is in the known one."""
    if not claim.weekdays <= known.weekdays or not claim.dates <= known.dates:
        return False
    return all(any(q.unit == k.unit and q.agrees_with(k) for k in known.quantities)
               for q in claim.quantities if q.unit != "count")


def _first_report_of_done(claim: ClaimFeatures, best: Match, matches: list[Match]) -> bool:
    """The closest known claim only threatened or planned what this claim states as done, and no
    similarly close known claim already reports that predicate as done."""
    if not _realises(claim, best.features):
        return False
    done = (best.features.hedge_heads - claim.hedged) & claim.verbs
    for m in matches:
        if m is not best and m.similarity >= best.similarity - 0.1 and done & (m.features.verbs - m.features.hedged):
            return False
    return True
