"""Claim frames, slot by slot, and the three failure classes of comparing claims as bags of words:
a misaligned pair, an update, a carried-out threat (sentences written for these tests)."""

from __future__ import annotations

from datetime import date

import pytest

from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.explain import describe_frame
from monitor.model import ClaimStatus, KnownClaim
from monitor.story.claims import dated_claims, features
from monitor.story.contradiction import Dated, conflict
from monitor.story.frames import entry_stamp, reports_change, resolve_times
from monitor.story.knowledge import similarity
from monitor.story.seeds import Story
from monitor.story.values import quantities


def judge(known: str, new: str, known_day: str = "2026-04-06", new_day: date = date(2026, 4, 6)):  # type: ignore[no-untyped-def]
    story = Story(name="t", claims=(KnownClaim(text=known, source="Known Wire", date=known_day, origin="curated"),))
    return Analyser(story, AnalysisSettings()).judge(new, new_day)


# --- slots --------------------------------------------------------------------------------------------


def test_a_value_is_slotted_by_the_words_that_govern_it_not_by_names() -> None:
    [burnt, share] = features("The Harlow blaze had burned 12,400 acres and was 35% contained.").quantities
    assert (burnt.unit, share.unit) == ("acr", "percent")
    assert "burn" in burnt.slot and "contain" in share.slot
    assert "harlow" not in burnt.slot  # names are participants, compared elsewhere


def test_a_subject_figure_is_slotted_by_the_verb_after_it() -> None:
    [dead, missing] = features("Four people have died, and nine remain missing, the coroner said.").quantities
    assert "die" in dead.slot and "miss" in missing.slot
    assert not dead.slot & missing.slot


def test_a_number_inside_a_name_is_not_a_value() -> None:
    found = quantities("Members of Branch 12 voted, and 640 members of the union joined the march.")
    assert [(q.value, q.unit) for q in found] == [(640.0, "member")]


def test_a_compared_figure_takes_the_unit_of_the_figure_it_is_compared_with() -> None:
    found = quantities("The registry counts 52 trawlers in port, up from 47 on Monday.")
    assert [(q.value, q.unit) for q in found] == [(52.0, "trawler"), (47.0, "trawler")]


def test_dates_and_weekdays_are_slotted_within_their_clause() -> None:
    f = features("The mayor opened the bridge on Tuesday, and the council voted on 3 June.")
    assert dict(f.weekday_slots)["tuesday"] >= {"open", "bridg"}
    assert "vote" in dict(f.date_slots)["06-03"]


# --- time -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("sentence", "stamp", "body"), [
    ("9:40 a.m. - The ferry service resumed.", "9:40 a.m", "The ferry service resumed."),
    ("Thursday, 2:15 p.m. The union walked out.", "Thursday, 2:15 p.m", "The union walked out."),
    ("April 3: The regulator opened an inquiry.", "April 3", "The regulator opened an inquiry."),
    ("Sunday 5 April - Crews reached the ridge.", "Sunday 5 April", "Crews reached the ridge."),
    ("May 5 was the day the walkout began.", "", "May 5 was the day the walkout began."),
    ("Friday's vote was close.", "", "Friday's vote was close."),
])
def test_an_entry_stamp_dates_a_live_page_entry_without_being_a_value(sentence: str, stamp: str, body: str) -> None:
    assert entry_stamp(sentence) == (stamp, body)


def test_stamp_values_are_times_not_figures() -> None:
    f = features("Sunday 5 April - Crews reached the ridge at 6,000 feet.")
    assert f.times == {"04-05", "sunday"}
    assert [q.unit for q in f.quantities] == ["feet"]
    assert not f.dates  # the stamp's date is not a value the entry reports


def test_weekdays_resolve_against_the_day_of_the_report() -> None:
    assert resolve_times(frozenset({"monday"}), date(2026, 4, 8)) == {"04-06"}  # a Wednesday
    assert resolve_times(frozenset({"monday", "04-01"}), date(2026, 4, 8)) == {"04-01"}  # a date wins
    assert resolve_times(frozenset({"monday"}), None) == {"monday"}


@pytest.mark.parametrize(("sentence", "changed"), [
    ("The toll has risen to nine.", True),
    ("The queue now stands at 52 trawlers.", True),
    ("The queue stands at 52 trawlers, up from 47.", True),
    ("The deadline was pushed back to Friday.", True),
    ("The queue stood at 52 trawlers on Monday.", False),
])
def test_markers_of_change(sentence: str, changed: bool) -> None:
    assert reports_change(sentence) is changed


# --- the three failure classes ----------------------------------------------------------------------------


def test_misaligned_values_of_two_events_do_not_conflict() -> None:
    """Counts of one noun in different slots, in sentences sharing most of their words."""
    a = features("Four people have died in the Harlow blaze, the coroner said.")
    b = features("Nine people remain missing after the Harlow blaze, the coroner said.")
    assert similarity(a, b) > 0.6
    assert conflict(Dated(a), Dated(b), similarity(a, b)) is None
    assert judge("Four people have died in the Harlow blaze, the coroner said.",
                 "Nine people remain missing after the Harlow blaze, the coroner said.").status \
        is not ClaimStatus.CONTRADICTION


def test_the_same_slot_with_another_value_conflicts_and_says_which_slot() -> None:
    known = "The tribunal held its hearing on the Ostrava mine permit at 10 a.m. on 9 March."
    new = "The tribunal held its hearing on the Ostrava mine permit at 10 a.m. on 16 March."
    verdict = judge(known, new)
    assert verdict.status is ClaimStatus.CONTRADICTION
    assert "date differs (" in verdict.reason and "03-16 vs 03-09" in verdict.reason


def test_a_figure_reported_later_as_changed_is_an_update_not_a_conflict() -> None:
    known = "The Harlow blaze had burned 12,400 acres by Sunday morning, fire officials said."
    later = "The Harlow blaze has now burned 19,800 acres, up from 12,400, fire officials said."
    verdict = judge(known, later, known_day="2026-04-05", new_day=date(2026, 4, 7))
    assert verdict.status is not ClaimStatus.CONTRADICTION, verdict.reason


def test_figures_dated_to_different_days_are_an_update() -> None:
    known = "The Harlow blaze had burned 12,400 acres by Sunday morning, fire officials said."
    later = "The Harlow blaze had burned 19,800 acres by Tuesday morning, fire officials said."
    verdict = judge(known, later, known_day="2026-04-05", new_day=date(2026, 4, 7))
    assert verdict.status is not ClaimStatus.CONTRADICTION, verdict.reason


def test_another_figure_for_the_same_moment_conflicts() -> None:
    known = "The Harlow blaze had burned 12,400 acres by Sunday morning, fire officials said."
    same_day = "The Harlow blaze had burned 21,000 acres by Sunday morning, fire officials said."
    verdict = judge(known, same_day, known_day="2026-04-05", new_day=date(2026, 4, 7))
    assert verdict.status is ClaimStatus.CONTRADICTION
    assert "number differs (" in verdict.reason and "burn" in verdict.reason


def test_a_carried_out_threat_is_new_however_familiar_its_words() -> None:
    known = "The ministry threatened to revoke the broadcaster's licence over the leaked recordings."
    verdict = judge(known, "The ministry revoked the broadcaster's licence over the leaked recordings.")
    assert verdict.status is ClaimStatus.NEW
    assert "as done" in verdict.reason


def test_a_no_that_answers_a_question_denies_nothing_after_it() -> None:
    known = "Patients should keep their inhalers until a pharmacist provides a replacement, the agency says."
    new = "No. The agency says patients should keep their inhalers until a pharmacist provides a replacement."
    assert judge(known, new).status is not ClaimStatus.CONTRADICTION


def test_explain_shows_each_value_with_its_slot_and_date() -> None:
    shown = describe_frame(features("Sunday 5 April - The Harlow blaze has burned 12,400 acres, up from 9,000."))
    assert "12,400 acres [acr; slot: " in shown and "burn" in shown and "act: burn" in shown
    assert "dated 04-05" in shown and "speaks of: 04-05, sunday" in shown and "reports a change" in shown
    assert "file at: dayton" in describe_frame(features("The suit was filed on Monday in federal court in Dayton."))


# --- what a report asserts, and about whom ---------------------------------------------------------------


def test_a_denial_reaches_the_object_of_the_negated_predicate() -> None:
    known = "On Monday the operator filed a safety incident report with the maritime authority."
    new = "The maritime authority has not received a safety incident report from the operator, a spokesman said."
    verdict = judge(known, new, known_day="2026-04-06", new_day=date(2026, 4, 8))
    assert verdict.status is ClaimStatus.CONTRADICTION
    assert "denial" in verdict.reason


@pytest.mark.parametrize(("known", "new"), [
    pytest.param("On Monday the operator filed a safety incident report with the maritime authority.",
                 "If the operator does not file a safety incident report, the authority may suspend its licence.",
                 id="a-condition-denies-nothing"),
    pytest.param("On Monday the operator filed a safety incident report with the maritime authority.",
                 "The authority urged the operator not to stop filing safety incident reports.",
                 id="a-double-negative-denies-nothing"),
    pytest.param("The refinery expects to restore full output within three weeks.",
                 "The refinery said on Friday that it does not expect to restore full output before the winter.",
                 id="no-longer-expected-is-a-change-of-plan"),
    pytest.param("Norlake Foods is recalling seven lots of its frozen spinach after testing found listeria.",
                 "Brightmoor Farms is recalling four lots of its frozen spinach after testing found listeria.",
                 id="a-figure-about-another-party"),
    pytest.param("The utility cut power to about 18,000 customers on Thursday.",
                 "The utility called off a second shutoff that could have hit about 9,000 customers on Thursday.",
                 id="what-could-happen-against-what-happened"),
    pytest.param("Neighbours say the operator left a corroded valve on the ferry's fuel line.",
                 "The lawsuit says the operator failed to replace a corroded valve on the ferry's fuel line.",
                 id="a-failure-to-act-on-a-thing-confirms-it"),
])
def test_what_is_not_a_contradiction(known: str, new: str) -> None:
    assert judge(known, new).status is not ClaimStatus.CONTRADICTION


def test_a_part_is_not_compared_with_the_whole() -> None:
    found = features("Two of the victims were found in the valley.").quantities
    assert [q.part for q in found] == [True]


def test_a_live_entry_gives_its_figures_as_they_stood_on_the_day_of_the_report() -> None:
    known = "9:00 a.m. - Crews report the Harlow blaze at 12,400 acres and 20% contained."
    later = "8:40 a.m. - Crews report the Harlow blaze at 19,800 acres and 45% contained."
    assert judge(known, later, known_day="2026-04-05", new_day=date(2026, 4, 8)).status is not ClaimStatus.CONTRADICTION
    same_day = judge(known, later, known_day="2026-04-08", new_day=date(2026, 4, 8))
    assert same_day.status is ClaimStatus.CONTRADICTION


def test_a_timeline_entry_of_an_earlier_day_recounts_the_past() -> None:
    known = "The ferry union walked out on 2 April."
    recap = "Friday 3 April - The port authority counted 14 ferries idle in the harbour."
    verdict = judge(known, recap, known_day="2026-04-03", new_day=date(2026, 4, 12))
    assert verdict.status is ClaimStatus.BACKGROUND
    assert "timeline entry" in verdict.reason


def test_a_spelled_out_acronym_is_no_new_name() -> None:
    story = Story(name="t", claims=(KnownClaim("The NTSB opened an inquiry into the derailment.", "Wire", None,
                                               "curated"),))
    verdict = Analyser(story, AnalysisSettings()).judge(
        "The National Transportation Safety Board opened an inquiry into the derailment.")
    assert verdict.status is not ClaimStatus.NEW, verdict.reason


def test_the_same_act_credited_to_another_party_conflicts() -> None:
    known = "The petition was organised by the Harbour Traders Guild."
    new = "In a petition the Eastside Merchants Council organised and sent to the mayor, 90 shops asked for relief."
    verdict = judge(known, new)
    assert verdict.status is ClaimStatus.CONTRADICTION
    assert "party differs (" in verdict.reason and "organis" in verdict.reason


def test_the_same_act_with_a_party_in_common_or_spelled_out_is_no_conflict() -> None:
    known = "The NTSB opened an inquiry on Monday."
    assert judge(known, "The National Transportation Safety Board opened an inquiry into the crash.").status \
        is not ClaimStatus.CONTRADICTION
    known = "The guild sued Norlake Shipping on Monday."
    assert judge(known, "The Eastside council also sued Norlake Shipping.").status is not ClaimStatus.CONTRADICTION


def test_every_sentence_of_a_timeline_entry_speaks_of_its_stamp() -> None:
    text = ("Friday 3 April - The ferry union walked out at dawn. Crews left 14 ferries idle in the harbour.\n"
            "The port authority said talks would resume on Monday.")
    assert dated_claims(text) == [
        ("Friday 3 April - The ferry union walked out at dawn.", {"04-03", "friday"}),
        ("Crews left 14 ferries idle in the harbour.", {"04-03", "friday"}),
        ("The port authority said talks would resume on Monday.", frozenset()),
    ]


def test_a_stamps_own_numbers_are_no_new_information() -> None:
    story = Story(name="t", claims=(KnownClaim("Crews left 14 ferries idle in the harbour on Friday.", "Wire",
                                               "2026-04-03", "curated"),))
    verdict = Analyser(story, AnalysisSettings()).judge("10:45 a.m. - Crews left 14 ferries idle in the harbour.",
                                                        date(2026, 4, 3))
    assert verdict.status is not ClaimStatus.NEW, verdict.reason
