"""Each contradiction kind, and each kind of paraphrase that must not be one (sentences written for these tests)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.model import ClaimStatus, KnownClaim
from monitor.story.claims import features
from monitor.story.contradiction import Dated, conflict
from monitor.story.knowledge import similarity
from monitor.story.seeds import Story
from monitor.story.values import quantities


def judge(known: str, new: str):  # type: ignore[no-untyped-def]
    story = Story(name="test", claims=(KnownClaim(text=known, source="Known Wire", date="2026-02-20",
                                                   origin="curated"),))
    return Analyser(story, AnalysisSettings()).judge(new)


CONTRADICTIONS = [
    pytest.param(
        "The agency's contract with the drone maker is worth up to $200 million, officials said.",
        "The agency's contract with the drone maker is worth up to $450 million, officials said.",
        "amount differs", id="amount"),
    pytest.param(
        "The city council approved a transit budget of 3.5 billion dollars on Monday.",
        "The city council approved a transit budget of $1.2 billion on Monday.",
        "amount differs", id="amount-scale-and-units"),
    pytest.param(
        "The governor gave the utility until 5 p.m. on Friday to restore power to the county.",
        "The governor gave the utility until 5 p.m. on Wednesday to restore power to the county.",
        "day differs", id="weekday-deadline"),
    pytest.param(
        "The court set the hearing on the ferry licence for 14 March, the clerk said.",
        "The court set the hearing on the ferry licence for March 21, the clerk said.",
        "date differs", id="calendar-date"),
    pytest.param(
        "The regulator said the merger deadline falls on Thursday at 9:00 a.m.",
        "The regulator said the merger deadline falls on Thursday at 4:30 p.m.",
        "time differs", id="clock-time"),
    pytest.param(
        "The navy used the new sonar system during the rescue of the stranded fishing crew.",
        "The navy did not use the new sonar system during the rescue of the stranded fishing crew.",
        "denial", id="negation"),
    pytest.param(
        "Investigators found that the mayor used the city credit card for the trip to Lisbon.",
        "Investigators found that the mayor never used the city credit card for the trip to Lisbon.",
        "denial", id="denial-never"),
    pytest.param(
        "The union refused to accept the airline's final wage offer for pilots.",
        "The union agreed to accept the airline's final wage offer for pilots.",
        "opposed actions", id="refuse-vs-agree"),
    pytest.param(
        "The ministry confirmed the closure of the northern border crossing for trucks.",
        "The ministry denied the closure of the northern border crossing for trucks.",
        "opposed actions", id="confirm-vs-deny"),
    pytest.param(
        "The senate committee approved the mining permit for the river valley project.",
        "The senate committee blocked the mining permit for the river valley project.",
        "opposed actions", id="approve-vs-block"),
    pytest.param(
        "The start-up's app reached No. 1 among free apps in the store on Saturday.",
        "The start-up's app reached No. 3 among free apps in the store on Saturday.",
        "rank differs", id="rank"),
    pytest.param(
        "Northwind is the only airline allowed to land at the island's military airfield.",
        "Skyline Air is now allowed to land at the island's military airfield alongside Northwind.",
        "state differs", id="the-only-one-vs-another"),
]


@pytest.mark.parametrize(("known", "new", "reason"), CONTRADICTIONS)
def test_contradiction_kinds_are_detected(known: str, new: str, reason: str) -> None:
    verdict = judge(known, new)
    assert verdict.status is ClaimStatus.CONTRADICTION, verdict.reason
    assert reason in verdict.reason
    assert verdict.matched is not None and verdict.matched.text == known


PARAPHRASES = [
    pytest.param(
        "The agency's contract with the drone maker is worth up to $200 million, officials said.",
        "Officials said the drone maker's contract with the agency is worth as much as $200m.",
        id="number-format-and-order"),
    pytest.param(
        "The city council approved a transit budget of about $3.5 billion on Monday.",
        "On Monday the city council approved a transit budget of $3.6 billion.",
        id="rounding-with-about"),
    pytest.param(
        "The union refused to accept the airline's final wage offer for pilots.",
        "The union would not accept the airline's final wage offer for pilots.",
        id="negation-same-polarity"),
    pytest.param(
        "The governor gave the utility until 5 p.m. on Friday to restore power to the county.",
        "The utility has until Friday at 5 p.m. to restore power to the county, the governor said.",
        id="reordered-deadline"),
    pytest.param(
        "Northwind is the only airline allowed to land at the island's military airfield.",
        "Northwind remains the sole airline permitted to land at the island's military airfield.",
        id="exclusivity-restated"),
    pytest.param(
        "The court set the hearing on the ferry licence for 14 March, the clerk said.",
        "The clerk said the hearing on the ferry licence is set for March 14th.",
        id="date-format"),
    pytest.param(
        "Agency official Jana Kowal said the agency would keep its rules.",
        "Jana Kowal, the official, said the agency may keep its rules for 4 more weeks.",
        id="may-is-not-a-month"),
    pytest.param(
        "The navy used the new sonar system during the rescue of the stranded fishing crew.",
        "During the rescue of the stranded fishing crew, the navy relied on its new sonar system.",
        id="synonym-verb"),
]


@pytest.mark.parametrize(("known", "new"), PARAPHRASES)
def test_paraphrases_are_not_contradictions(known: str, new: str) -> None:
    verdict = judge(known, new)
    assert verdict.status is not ClaimStatus.CONTRADICTION, verdict.reason


def test_unrelated_claims_never_conflict_even_with_different_numbers() -> None:
    a = features("The museum expects 40,000 visitors at its summer exhibition.")
    b = features("The navy ordered 12 new patrol boats from the shipyard.")
    assert conflict(Dated(a), Dated(b), similarity(a, b)) is None


def test_disputed_claim_already_known_is_not_flagged_again() -> None:
    """Once a conflicting report is known, a later copy of it restates it rather than contradicting."""
    story = Story(name="t", claims=(
        KnownClaim("The agency's contract with the drone maker is worth up to $200 million.", "A", None, "curated"),
        KnownClaim("The agency's contract with the drone maker is worth up to $450 million.", "B", None, "article"),
    ))
    verdict = Analyser(story, AnalysisSettings()).judge(
        "The agency's contract with the drone maker is worth up to $450 million.")
    assert verdict.status is ClaimStatus.KNOWN


def test_a_moved_deadline_is_an_update_though_the_report_names_the_old_day_too() -> None:
    """"extended to Monday, an hour before it was due to expire on Friday": the old day is named as what
    changed.  Another Monday the story knows (the Monday talks began, a week earlier) is not this one."""
    story = Story(name="t", claims=(
        KnownClaim("The shipyard owners' final offer expires at 5 p.m. Friday.", "A", "2026-05-13", "curated"),
        KnownClaim("Talks with the mediator began on Monday, May 4.", "B", "2026-05-05", "curated"),
    ))
    verdict = Analyser(story, AnalysisSettings()).judge(
        "The shipyard owners extended their final offer to 5 p.m. Monday, an hour before it was due to expire "
        "on Friday.", date(2026, 5, 15))
    assert verdict.status is ClaimStatus.NEW and verdict.reason.startswith("updates what is known"), verdict.reason
    assert "Monday vs Friday" in verdict.reason


def test_a_date_the_story_also_knows_is_no_conflict_with_an_older_date() -> None:
    """The deadline was first set for 15 May and later moved to 18 May; a report of the 18 May deadline
    agrees with what is known now, however closely it resembles the first report."""
    story = Story(name="t", claims=(
        KnownClaim("The shipyard's final offer will lapse at 5 p.m. on 15 May, the owners said.", "A", "2026-05-12",
                   "curated"),
        KnownClaim("The owners moved the deadline for their offer to 18 May.", "B", "2026-05-16", "article"),
    ))
    verdict = Analyser(story, AnalysisSettings()).judge(
        "The shipyard's final offer lapsed at 5 p.m. on 18 May, and the owners wrote to the minister.",
        date(2026, 5, 19))
    assert verdict.status is not ClaimStatus.CONTRADICTION, verdict.reason
    alone = Analyser(Story(name="t", claims=story.claims[:1]), AnalysisSettings()).judge(
        "The shipyard's final offer lapsed at 5 p.m. on 18 May, and the owners wrote to the minister.",
        date(2026, 5, 19))
    assert alone.status is ClaimStatus.CONTRADICTION, alone.reason  # without the later date it is one


def test_numbers_are_read_only_as_whole_words() -> None:
    """"someone", "often" and "A10" hold no number; "US$5" is still an amount."""
    assert quantities("Someone close to the talks often said the A10 jets were ready.") == []
    [amount] = quantities("The lab was paid US$5 million for the pilot.")
    assert (amount.value, amount.unit) == (5e6, "usd")


def test_a_figure_reported_later_as_changed_is_an_update_not_a_conflict() -> None:
    """The toll rose between two reports: both were true when written; the later one is news."""
    known = Dated(features("Three crew members were injured in the collision, the coast guard said."), date(2026, 3, 1))
    new = Dated(features("Five crew members have now been injured in the collision, up from three."), date(2026, 3, 3))
    found = conflict(new, known, 0.6)
    assert found is not None and found.kind == "update" and found.value == "5"
    assert "changed" in found.reason
    same_day = conflict(Dated(new.features, date(2026, 3, 1)), known, 0.6)
    assert same_day is None or same_day.kind != "update"  # not later: no update


def test_the_day_of_a_date_is_no_count() -> None:
    """"a Feb. 28 call" names a day, not 28 calls; "12 calls" is a count."""
    assert quantities("Staff did not agree during a Feb. 28 call with the league.") == []
    assert [q.unit for q in quantities("The league made 12 calls to the company.")] == ["call"]
