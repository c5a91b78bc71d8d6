"""The dependency parse confirms a conflict only when both values belong to the same act and, for a
denial, the same party does the act (spaCy's small English model; sentences written for these tests)."""

from __future__ import annotations

import pytest

from monitor.story.claims import features
from monitor.story.contradiction import Dated, conflict
from monitor.story.knowledge import similarity
from monitor.story.parse import parse, reports_done, same_act, sole_act_told


def verdict(known: str, new: str) -> str | None:
    a, b = features(new), features(known)
    found = conflict(Dated(a), Dated(b), max(similarity(a, b), 0.5))
    return found.reason if found else None


def test_a_date_belongs_to_the_verb_that_governs_it_not_to_the_sentence() -> None:
    sentence = "The ferry crews walked off the job on 4 July and returned to work on 19 July."
    parsed = parse(sentence)
    assert "walk" in parsed.act_of("07-04") and "return" in parsed.act_of("07-19")
    assert not parsed.act_of("07-04") & parsed.act_of("07-19")


def test_the_dates_of_two_acts_of_the_same_people_do_not_conflict() -> None:
    """Same participants, same words around the dates, but leaving and coming back are two events."""
    known = "The ferry crews walked off the job on 4 July."
    new = "The ferry crews returned to the job on 19 July."
    assert not same_act(new, known, "07-19", "07-04")
    assert verdict(known, new) is None


def test_another_date_for_the_same_act_conflicts() -> None:
    known = "The ferry crews walked off the job on 4 July."
    new = "The ferry crews walked off the job on 6 July, the harbour master said."
    assert same_act(new, known, "07-06", "07-04")
    assert (verdict(known, new) or "").startswith("date differs (")
    assert "07-06 vs 07-04" in (verdict(known, new) or "")


def test_an_event_noun_carries_the_act_through_a_light_verb() -> None:
    """"The hearing is set for ..." and "the hearing will take place on ...": the act is the hearing."""
    assert same_act("The appeal hearing will take place on 12 October.", "The appeal hearing is set for 3 October.",
                    "10-12", "10-03")


def test_a_figure_of_another_act_does_not_conflict() -> None:
    """A counter-offer's share against the share first demanded: an update of a position, not a conflict."""
    known = "The Harbour Nurses Union had been demanding a 14 percent rise over three years."
    new = "The Harbour Nurses Union answered with a counter-offer of 11 percent over three years."
    assert not same_act(new, known, "11 percent", "14 percent")
    assert verdict(known, new) is None


def test_another_figure_for_the_same_act_conflicts() -> None:
    known = "The nurses had been demanding a 14 percent rise over three years."
    new = "The nurses had been demanding a 12 percent rise over three years, their union said."
    assert verdict(known, new) is not None and "14 percent" in verdict(known, new)  # type: ignore[operator]


def test_a_denial_by_another_party_of_its_own_act_is_no_denial() -> None:
    """The pronoun takes the speaker: "the council said it would not ..." is the council's act."""
    known = "The transit authority said on Monday that it would put the new timetable to a public vote."
    new = "The drivers' union said on Friday that it would not put the new timetable to a public vote."
    parsed = parse(new)
    assert parsed.doers("put") == frozenset({"union", "driver"})
    assert verdict(known, new) is None


def test_a_denial_by_the_same_party_conflicts() -> None:
    known = "The transit authority said on Monday that it would put the new timetable to a public vote."
    new = "The transit authority said on Friday that it would not put the new timetable to a public vote."
    assert (verdict(known, new) or "").startswith("denial")


def test_a_passive_subject_is_not_the_doer() -> None:
    """"The drone was not used by the army" denies the army's use, whoever the subject is."""
    assert parse("The drone was not used by the army.").doers("use") == frozenset({"armi"})
    assert parse("The drone was not used in the raid.").doers("use") == frozenset()


def test_an_act_is_reported_done_only_by_a_finite_verb_no_modal_or_request_governs() -> None:
    assert reports_done("The authority suspended the licence on Thursday.", frozenset({"suspend"}))
    assert reports_done("The licence has been suspended.", frozenset({"suspend"}))
    assert not reports_done("Suspending the licence requires a vote.", frozenset({"suspend"}))
    assert not reports_done("The authority could suspend the licence.", frozenset({"suspend"}))
    assert not reports_done("The minister asked the authority to suspend the licence.", frozenset({"suspend"}))


def test_a_planned_deal_is_done_when_a_finite_verb_takes_it_as_its_object() -> None:
    assert reports_done("The operator announced the deal on Friday.", frozenset({"deal"}))
    assert not reports_done("The operator wants a deal by Friday.", frozenset({"deal"}))


def test_the_same_act_at_another_named_place_conflicts() -> None:
    known = "The class action was filed on Monday in federal court in Toledo, the plaintiffs' lawyers said."
    new = "The class action, filed on Monday in federal court in Dayton, seeks damages for every patient."
    assert (verdict(known, new) or "").startswith("place differs (file): dayton vs toledo")


@pytest.mark.parametrize("new", [
    "The class action was filed on Monday in federal court in Toledo, Ohio.",   # the same place, more precisely
    "The plaintiffs rallied on Monday outside the courthouse in Dayton.",       # another act
    "Winds drove the fire into Dayton by evening.",                             # a movement's waypoint
])
def test_a_place_named_for_the_same_act_or_for_another_act_agrees(new: str) -> None:
    known = "The class action was filed on Monday in federal court in Toledo, the plaintiffs' lawyers said."
    assert not (verdict(known, new) or "").startswith("place")


def test_a_place_hangs_from_its_act_not_from_the_subject() -> None:
    parsed = parse("Ana Ruiz, a welder at the Harlow Works plant, was hit while picketing outside Gate 7.")
    assert parsed.places_of("hit") == {"gate 7"}


def test_the_start_of_an_act_has_one_day_whatever_the_time() -> None:
    """Untimed days of a recurring act do not conflict; two days for the start of the same act do."""
    known = "The mediator began meeting with the two sides on Thursday, officials said."
    assert parse("The mediator has been meeting with the two sides since Monday.").starts("monday")
    assert (verdict(known, "The mediator has been meeting with the two sides since Monday.") or "").startswith(
        "day differs")
    assert verdict("The mediator met the two sides on Thursday.", "The mediator met the two sides on Monday.") is None


def test_a_figure_for_a_numbered_part_does_not_contradict_the_whole() -> None:
    known = "The highest reading found was about 4.1 times the safe limit, the agency said."
    part = "The highest reading in the 20 gram packets was about 1.3 times the safe limit."
    whole = "The highest reading found was about 1.3 times the safe limit, the company said."
    assert verdict(known, part) is None
    assert (verdict(known, whole) or "").startswith("number differs")


def test_saying_there_was_none_of_what_is_known_is_a_denial() -> None:
    known = "Protesters set up a road block at the harbour bridge on Tuesday morning."
    new = "There was no road block at the harbour bridge on Tuesday, a police spokeswoman said."
    assert (verdict(known, new) or "").startswith("denial: the new report says there was none")
    pledge = "No protester at the harbour bridge would face a road block charge, the police said."
    assert not (verdict(known, pledge) or "").startswith("denial")  # what will not happen is no denial


SOLE = "Brightwater Hospital is the only hospital that treats severe burns in the region, the county said."


def test_the_act_only_one_thing_is_said_to_do_is_told_of_another_in_other_words() -> None:
    """"the only hospital that treats" singles out a noun and its verb; "our hospital treats" tells of one
    doing it, whatever else the sentences say."""
    assert parse(SOLE).sole_acts == (("hospital", frozenset({"treat"})),)
    told = "Our hospital treats severe burns every week, said Dr. Lena Ortiz of St. Agnes Medical Center."
    assert sole_act_told(told, SOLE) == ("hospital", "treat")
    # The one already named ("the hospital"), not doing it, or a possibility of doing it: nobody else doing it.
    assert sole_act_told("The hospital treats severe burns from three counties.", SOLE) is None
    assert sole_act_told("The hospital does not treat severe burns from other counties.", SOLE) is None
    assert sole_act_told("Patients are flown to the coast, where a hospital could treat them.", SOLE) is None


def test_a_further_party_doing_the_sole_act_conflicts_however_little_else_is_shared() -> None:
    told = "Our hospital treats severe burns every week, said Dr. Lena Ortiz of St. Agnes Medical Center."
    a, b = features(told), features(SOLE)
    assert similarity(a, b) < 0.55  # too little for the lexical exclusivity rule alone
    found = conflict(Dated(a), Dated(b), similarity(a, b))
    assert found is not None and found.kind == "exclusive"
    assert "only one hospital is said to treat" in found.reason
    # The sole party named again is a restatement, and so is a report that qualifies the sole one.
    again = features("The hospital treats severe burns from three counties, Brightwater's director said.")
    assert conflict(Dated(again), Dated(b), similarity(again, b)) is None
    for_now = features("Brightwater is, for now, the only hospital that treats severe burns in the region.")
    assert not for_now.exclusive
    assert conflict(Dated(a), Dated(for_now), similarity(a, for_now)) is None
