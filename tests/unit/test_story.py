"""Claims, text repair, seeds, novelty, relevance, near-duplicates and the pure decision."""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.decide import decide
from monitor.errors import SeedError
from monitor.model import Analysis, Article, ClaimStatus, ClaimVerdict, KnownClaim
from monitor.story.claims import features, is_claim, split_claims
from monitor.story.contradiction import shares_act
from monitor.story.dedup import resemblance, sketch
from monitor.story.knowledge import KnowledgeBase
from monitor.story.novelty import novel_information
from monitor.story.relevance import StoryProfile, headline_names
from monitor.story.seeds import Story, load_story
from monitor.story.text import clean_text, split_sentences, words
from tests.conftest import SHARED

STORY_TEXT = """\
The harbour authority and the ferry union are locked in a dispute over night crossings.
The authority threatened to suspend the union's operating licence if crews keep refusing night shifts.
The union says its crews will not work night shifts without a second engineer on board.
The ferry contract with the harbour authority is worth about $40 million a year.
Harbour director Mara Lindqvist met union leader Tomas Berg on Tuesday at the port office.
"""


def harbour_story() -> Story:
    claims = tuple(KnownClaim(s, "Port Gazette", "2026-01-10", "curated") for s in split_claims(STORY_TEXT))
    return Story(name="harbour", topics={"ferry": 3, "harbour authority": 3, "union": 2},
                 claims=claims)


def analyser(settings: AnalysisSettings | None = None) -> Analyser:
    a = Analyser(harbour_story(), settings or AnalysisSettings())
    a.profile.add_document(STORY_TEXT)
    return a


# ------------------------------------------------------------------ claims and text

@pytest.mark.parametrize("sentence", [
    "Will the union accept the new schedule?",
    "Advertisement",
    "Also Read | Ferry strike enters second week",
    "Sign up for our daily newsletter.",
    "By Jane Roe | Port Gazette",
    "Ferry dispute: what we know",
    "Subscribe to get the morning briefing in your inbox.",
    "Submit your letter to the editor using this form.",
    "Send us your tips about the ferry strike.",
    "Support our local reporting with a subscription today.",
    "Tell us what you think of the new timetable.",
])
def test_non_assertions_are_not_claims(sentence: str) -> None:
    assert not is_claim(sentence)


@pytest.mark.parametrize("sentence", [
    "The union says its crews will not work night shifts without a second engineer.",
    "Supporters of the union gathered at the port on Monday.",
    "Send-off crowds lined the quay as the last night ferry left for the island.",
    "Support from US allies for the ferry union has grown, officials said.",
    "Contacts between the two sides broke down after your reporter's visit, the union said.",
])
def test_assertions_are_claims(sentence: str) -> None:
    assert is_claim(sentence)


def test_sentence_splitting_keeps_abbreviations_and_numbers_together() -> None:
    text = "Gen. Jim Park met U.S. officials at 5 p.m. on Friday. The app reached No. 1 in the store."
    assert split_sentences(text) == ["Gen. Jim Park met U.S. officials at 5 p.m. on Friday.",
                                     "The app reached No. 1 in the store."]
    # A sentence may end with a number: "5." is no initial.
    assert split_sentences("Crews walked out on May 5. Talks resumed at Pier 9. J. Roe said so.") == [
        "Crews walked out on May 5.", "Talks resumed at Pier 9.", "J. Roe said so."]


def test_mojibake_is_repaired() -> None:
    assert clean_text("The mayorâ€™s office said") == "The mayor's office said"
    # UTF-8 punctuation read as Windows-1253 with its trailing bytes lost, in otherwise Latin text
    latin = "The department relied on the model for its most sensitive classified work for a year. "
    assert clean_text(latin + "It was the only model β until recently.") == latin.strip() + \
        " It was the only model - until recently."


def test_seed_article_date_line_and_story_file(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text(" date 2026-01-09 " + STORY_TEXT, encoding="utf-8")
    (tmp_path / "story.yaml").write_text(
        "story: Harbour dispute\ntopics:\n  - {term: ferry, weight: 3}\nclaims:\n"
        "  - text: The harbour authority runs four ferries.\n    source: Port Gazette\n    date: 2026-01-08\n",
        encoding="utf-8")
    story = load_story([tmp_path])
    assert story.name == "Harbour dispute"
    assert story.documents[0].date == "2026-01-09"
    assert not story.documents[0].text.startswith("date")
    assert story.topics == {"ferry": 3.0}
    assert {c.origin for c in story.claims} == {"seed-article", "curated"}
    assert all(c.date == "2026-01-09" for c in story.claims if c.origin == "seed-article")


def test_story_file_errors_name_file_and_key(tmp_path: Path) -> None:
    bad = tmp_path / "story.yaml"
    bad.write_text("claims:\n  - text: A claim without a source.\n    date: 2026-01-01\n", encoding="utf-8")
    with pytest.raises(SeedError, match=r"story\.yaml: claims\[0\]\.source: required key is missing"):
        load_story([tmp_path])


def test_the_shared_seeds_load_when_present() -> None:
    seeds = SHARED / "seeds"
    if not seeds.is_dir():
        pytest.skip("../shared/seeds is not beside this checkout")
    story = load_story([seeds])
    assert len(story.documents) == 5
    assert sum(1 for doc in story.documents if doc.date) >= 3  # those that begin with a " date" line
    assert not any("β" in c.text for c in story.claims)


# ------------------------------------------------------------------ novelty

def test_restatement_in_other_words_is_known() -> None:
    verdict = analyser().judge("On Tuesday, union leader Tomas Berg met harbour director Mara Lindqvist "
                               "at the port office.")
    assert verdict.status is ClaimStatus.KNOWN


def test_new_actor_and_number_is_new() -> None:
    verdict = analyser().judge("A labour court in Gothenburg ordered the union to pay 250,000 kronor "
                               "for the unannounced walkout.")
    assert verdict.status is ClaimStatus.NEW
    assert verdict.novelty > 0


def test_a_number_written_as_a_word_is_new_information_like_its_digits() -> None:
    """"twelve crews" tells what "12 crews" tells; a number the story already gave is no news either way."""
    a = analyser()
    digits = a.judge("The ferry union said 12 crews would refuse night shifts.")
    word = a.judge("The ferry union said twelve crews would refuse night shifts.")
    assert word.novelty == pytest.approx(digits.novelty) and word.novelty >= 6
    a.remember(KnownClaim("Twelve crews work the night boats.", "Wire", None, "article"))
    assert a.judge("The ferry union said 12 crews would refuse night shifts.").novelty < word.novelty - 5


@pytest.mark.parametrize(("same", "other", "reported"), [("5 p.m.", "6 p.m.", "17:00"),
                                                        ("$1.2 million", "$1.5 million", "1,200,000 dollars")])
def test_a_figure_the_story_gave_in_another_notation_is_no_news(same: str, other: str, reported: str) -> None:
    claim = features(f"Dockworkers were told the offer of {reported} lapses on Friday.")

    def novelty(known: str) -> float:
        knowledge = KnowledgeBase()
        knowledge.add(KnownClaim(f"The offer of {known} lapses on Friday.", "Wire", None, "article"))
        related = [feats for _, feats in knowledge.items()]
        return novel_information(claim, related, knowledge, AnalysisSettings().common_information)

    assert novelty(same) <= novelty(other) - 5


def test_an_ordinal_is_its_number() -> None:
    """"12th" is 12 and its suffix no word: "th" once counted as a name the story never used."""
    assert words("On the 1st, in its 12th day, the 3rd crew") == ["on", "the", "1", "in", "its", "12", "day", "the",
                                                                  "3", "crew"]
    assert features("The ferry strike is in its 12th day.").entities == {"12"}


@pytest.mark.parametrize(("known", "reported"), [("Sept. 8", "in September"), ("September 8", "in Sept.")])
def test_a_month_abbreviated_tells_what_its_name_tells(known: str, reported: str) -> None:
    def novelty(month_known: str) -> float:
        a = analyser()
        a.remember(KnownClaim(f"Inspectors visited the ferry terminal on {month_known}.", "Wire", None, "article"))
        return a.judge(f"Inspectors cited the ferry terminal for four faults {reported}.").novelty

    assert novelty(known) < novelty("May 8") - 5


def test_a_verb_spelt_like_a_month_is_a_word_not_a_name() -> None:
    def novelty(sentence: str) -> float:
        return novel_information(features(sentence), [], KnowledgeBase(), AnalysisSettings().common_information)

    assert novelty("Crews marched.") < 3 <= 6 <= novelty("Crews left in March.")


def test_an_undated_seed_speaks_of_the_days_before_the_story_date() -> None:
    """A weekday in a seed without a date is read against the story's date, in novelty as in conflicts."""
    undated = KnownClaim("Harbour shares fell 14 percent on Friday, the day after the ferry strike began.",
                         "Port Gazette", None, "seed-article")
    month = KnownClaim("The ferry contract ran out in January.", "Port Gazette", "2026-01-17", "curated")
    story = replace(harbour_story(), claims=(*harbour_story().claims, undated, month), as_of="2026-01-17")  # a Saturday
    a = Analyser(story, AnalysisSettings())

    def novelty(day: str) -> float:
        claim = f"Shares in the harbour lost 14 percent on {day} as the strike began."
        return a.judge(claim, date(2026, 1, 19)).novelty

    assert novelty("Jan. 16") < novelty("Jan. 12") - 5


def test_threat_carried_out_is_new() -> None:
    verdict = analyser().judge("The harbour authority suspended the union's operating licence on Thursday.")
    assert verdict.status is ClaimStatus.NEW
    assert "threat" in verdict.reason


def test_a_plan_in_the_future_tense_carried_out_is_new() -> None:
    a = analyser()
    a.remember(KnownClaim("If the crews refuse again, the harbour authority will ask the ministry to revoke the "
                          "ferry union's licence.", "Wire", "2026-01-12", "article"))
    verdict = a.judge("The harbour authority asked the ministry on Monday to revoke the ferry union's licence.")
    assert verdict.status is ClaimStatus.NEW and "threat, plan or possibility" in verdict.reason


@pytest.mark.parametrize("sentence", [
    "Suspending the union's operating licence would require a vote of the harbour board.",  # names the act
    "The minister asked the harbour authority to suspend the union's operating licence.",   # asks for it
    "The harbour authority could suspend the union's operating licence next week.",        # deems it possible
])
def test_a_threat_named_asked_for_or_still_possible_is_not_carried_out(sentence: str) -> None:
    verdict = analyser().judge(sentence)
    assert "threat" not in verdict.reason


def test_a_figure_reported_later_as_changed_is_news_with_the_old_value() -> None:
    a = analyser()
    verdict = a.judge("The ferry contract with the harbour authority is now worth about $55 million a year.",
                      date(2026, 2, 1))
    assert verdict.status is ClaimStatus.NEW
    assert verdict.reason.startswith("updates what is known") and "$40 million" in verdict.reason
    a.remember(KnownClaim(verdict.text, "Wire", "2026-02-01", "article"))
    again = a.judge("The harbour authority's ferry contract is worth about $55 million a year now.", date(2026, 2, 2))
    assert again.status is not ClaimStatus.NEW or not again.reason.startswith("updates")  # a change is news once


def test_a_date_known_by_its_weekday_is_no_new_information() -> None:
    a = analyser()
    a.remember(KnownClaim("Nordline's shares fell 9 percent on Friday after the walkout.", "Wire", "2026-01-16",
                          "article"))  # a Friday
    same_day = a.judge("Nordline's shares fell 9 percent on Jan. 16, after the walkout.", date(2026, 1, 20))
    other_day = a.judge("Nordline's shares fell 9 percent on Jan. 19, after the walkout.", date(2026, 1, 20))
    assert other_day.novelty - same_day.novelty >= 6


def test_learning_makes_a_development_known() -> None:
    a = analyser(AnalysisSettings(relevance_threshold=0.0))  # this test is about learning, not relevance
    text = ("The ferry union and the harbour authority took their dispute over night crossings to court. "
            "A labour court in Gothenburg ordered the union to pay 250,000 kronor for the walkout. "
            "The harbour authority welcomed the ruling of the labour court in Gothenburg.")
    article = Article(url="http://127.0.0.1/a", title="Court fines ferry union", source_name="Wire",
                      text=text, published=datetime(2026, 1, 12, tzinfo=UTC))
    first = a.analyse(article)
    assert any(c.status is ClaimStatus.NEW for c in first.claims)
    a.learn(first, "Wire", "2026-01-12")
    again = a.judge("A labour court in Gothenburg ordered the union to pay 250,000 kronor for the walkout.")
    assert again.status is ClaimStatus.KNOWN


def test_a_sentence_known_word_for_word_is_known_however_many_claims_share_its_words() -> None:
    """Candidate search reads only the newest postings of common terms; a sentence learnt earlier and
    reported again word for word must still be recognised (and never re-reported as a conflict)."""
    a = analyser()
    first = KnownClaim("The ferry union rejected the harbour authority's offer of 12 night crossings.", "Wire",
                       "2026-01-12", "article")
    a.remember(first)
    for i in range(300):
        a.remember(KnownClaim(f"The ferry union discussed the harbour authority's offer of {i + 20} night crossings "
                              f"with crews.", "W", None, "article"))
    verdict = a.judge(" the ferry union rejected the harbour authority's offer of 12 night crossings. ".upper())
    assert verdict.status is ClaimStatus.KNOWN and verdict.restated
    assert verdict.matched == first and verdict.score == 1.0


# ------------------------------------------------------------------ relevance and duplicates

def test_on_story_article_scores_above_a_near_miss() -> None:
    profile = StoryProfile({"ferry": 3, "union": 2})
    profile.add_document(STORY_TEXT)
    on_story = profile.relevance("Ferry union defies harbour authority",
                                 "The ferry union and the harbour authority failed to agree on night crossings. "
                                 "The authority repeated its threat to suspend the union's licence.")
    near_miss = profile.relevance("Harbour festival draws record crowds",
                                  "The harbour festival drew record crowds on Saturday with food stalls "
                                  "and a fireworks show over the water.")
    assert on_story > near_miss
    assert near_miss < AnalysisSettings().relevance_threshold <= on_story


SEED_ARTICLES = [
    "The harbour authority and the ferry union are locked in a dispute over night crossings on the bay. "
    "The authority threatened to suspend the union's operating licence if crews keep refusing night shifts.",
    "Ferry crews refused night shifts for a third week, and the harbour authority said the union was "
    "breaking its contract. The union wants a second engineer on every night boat.",
    "Harbour director Mara Lindqvist met union leader Tomas Berg at the port office. The ferry contract "
    "with the harbour authority is worth about $40 million a year, and night crossings carry commuters.",
]
SHORT_CLAIMS = ["The union wants a second engineer on night boats.", "Crews refused night shifts.",
                "Lindqvist leads the harbour authority.", "Berg leads the ferry union.",
                "The contract is worth $40 million a year.", "Night crossings carry commuters across the bay.",
                "The authority may suspend the licence.", "Talks were held at the port office.",
                "The dispute is in its third week.", "Commuters wait for the morning boats.",
                "The union says night boats are unsafe.", "The authority says the union breaks the contract."]


def test_relevance_means_the_same_however_the_story_is_given() -> None:
    """The same story as three articles, or as three articles and a dozen one-line claims: the claims
    flatten the profile, and the scale measured on the seed articles takes that back out."""
    probe = ("Ferry union rejects harbour authority offer on night crossings",
             "The ferry union rejected the harbour authority's offer on night crossings, saying crews need a "
             "second engineer.")
    raw, scaled = [], []
    for claims in ([], SHORT_CLAIMS):
        profile = StoryProfile()
        for text in SEED_ARTICLES + claims:
            profile.add_document(text)
        raw.append(profile.relevance(*probe))
        assert profile.fix_scale(SEED_ARTICLES) != 1.0
        scaled.append(profile.relevance(*probe))
    assert abs(scaled[0] - scaled[1]) < abs(raw[0] - raw[1]) / 2
    # One or two seed articles are their own whole profile: they tell nothing of the scale.
    few = StoryProfile()
    few.add_document(SEED_ARTICLES[0])
    assert few.fix_scale(SEED_ARTICLES[:1]) == 1.0


def test_a_headline_naming_only_strangers_is_discounted() -> None:
    """Another operator's strike in the same words: its headline names no party the story knows."""
    profile = StoryProfile({"ferry": 3, "union": 2})
    profile.add_document(STORY_TEXT)
    body = ("The ferry union walked out over night crossings and the authority threatened to suspend "
            "the union's licence.")
    ours = profile.relevance("Lindqvist's ferry crews walk out over night crossings", body)
    strangers = profile.relevance("Nordvik's ferry crews walk out over night crossings", body)
    assert strangers < 0.7 * ours
    # The same words, the stranger no longer the headline's subject: a new place in the story's own news.
    new_place = profile.relevance("Ferry crews walk out over night crossings at Nordvik", body)
    assert strangers < 0.7 * new_place
    assert headline_names("Commentary: ferry crews walk out on Monday") == set()  # a label, a weekday
    assert headline_names("Nordvik's ferry crews walk out") == {"nordvik"}


def test_syndicated_copy_resembles_its_original() -> None:
    original = " ".join(split_claims(STORY_TEXT)) * 2
    copy = original.replace("dispute", "row").replace("Tuesday", "Tues.") + " (Reporting by Port Gazette)"
    other = "The museum opens a new wing for maritime history with forty ship models on display next spring."
    assert resemblance(sketch(original), sketch(copy)) > AnalysisSettings().duplicate_threshold
    assert resemblance(sketch(original), sketch(other)) < 0.1


def test_a_sketch_is_the_same_in_every_process() -> None:
    # Python salts its string hash per process: a sketch built on it estimated a pair differently in each
    # run, so a decision near the threshold could flip between runs or replicas.
    program = ("import sys; from monitor.story.dedup import sketch; "
               "print(list(sketch(sys.stdin.read())))")
    text = " ".join(split_claims(STORY_TEXT))
    runs = {subprocess.run([sys.executable, "-c", program], input=text, capture_output=True, text=True, check=True,
                           env={**os.environ, "PYTHONHASHSEED": seed}).stdout for seed in ("1", "2")}
    assert runs == {f"{list(sketch(text))}\n"}


# ------------------------------------------------------------------ decide (pure)

def _analysis(*verdicts: ClaimVerdict, relevant: bool = True, duplicate: str | None = None) -> Analysis:
    article = Article(url="http://127.0.0.1/x", title="T", source_name="S", text="", published=None)
    return Analysis(article, 0.9 if relevant else 0.1, relevant, duplicate, 0.9 if duplicate else 0.0, verdicts)


def test_decide_gives_a_reason_for_every_silence() -> None:
    assert decide(_analysis(relevant=False)).verdict == "off-topic"
    assert decide(_analysis(duplicate="http://127.0.0.1/original")).verdict == "duplicate"
    known = ClaimVerdict("x", ClaimStatus.KNOWN, 0.9, "restates")
    silent = decide(_analysis(known))
    assert silent.verdict == "nothing-new" and silent.alert is None and "1 of 1" in silent.reason


def test_decide_alerts_with_contradiction_first() -> None:
    known = KnownClaim("Contract worth $200 million.", "Wire", "2026-01-01", "curated")
    c = ClaimVerdict("Contract worth $400 million.", ClaimStatus.CONTRADICTION, 0.8, "amount differs", known)
    n = ClaimVerdict("A court hearing is set for May.", ClaimStatus.NEW, 0.1, "adds", novelty=9)
    decision = decide(_analysis(n, c))
    assert decision.verdict == "alert-contradiction"
    assert decision.alert is not None and decision.alert.claims[0] is c


def test_decide_puts_the_lead_sentence_first_among_new_claims() -> None:
    lead = ClaimVerdict("Lead with the news.", ClaimStatus.NEW, 0.2, "adds", novelty=7)
    other = ClaimVerdict("A detail with more rare words.", ClaimStatus.NEW, 0.1, "adds", novelty=20)
    decision = decide(_analysis(lead, other))
    assert decision.alert is not None and decision.alert.claims[0] is lead


def test_new_claims_only_in_the_closing_lines_of_a_long_article_are_no_development() -> None:
    """A columnist's tagline at the foot of a commentary is not news; the same claim higher up is."""
    known = [ClaimVerdict(f"Known point {i}.", ClaimStatus.KNOWN, 0.9, "restates") for i in range(10)]
    tagline = ClaimVerdict("Ada Brook writes a weekly column.", ClaimStatus.NEW, 0.1, "adds", novelty=12)
    assert decide(_analysis(*known, tagline)).alert is None
    assert decide(_analysis(tagline, *known)).alert is not None
    assert decide(_analysis(*known[:3], tagline)).alert is not None  # a short piece has no foot to discount


def test_an_update_is_posted_with_the_value_it_changes_escaped() -> None:
    from monitor.model import Alert, AlertKind
    from monitor.notify.format import alert_message

    was = KnownClaim("The contract is worth <b>$40 million</b>.", "Port Gazette", "2026-01-10", "curated")
    update = ClaimVerdict("The contract is now worth $55 million.", ClaimStatus.NEW, 0.7,
                          "updates what is known: amount changed: $55 million vs $40 million", was, settles=True)
    message = alert_message(Alert(AlertKind.NEW, _analysis(update).article, (update,)), "alert:1")
    body = str(message["blocks"])
    assert "*Was* (Port Gazette, 2026-01-10)" in body and "&lt;b&gt;$40 million" in body
    assert message["broadcast"] and "contradicts" not in message["metadata"]["event_payload"]["claims"][0]


def test_features_read_quantities_polarity_and_hedges() -> None:
    f = features("The authority threatened to suspend the licence but did not sign the order until 5:01 pm Friday.")
    assert "suspend" in f.hedged  # verb form of "suspend"
    assert "sign" in f.negated
    assert f.deadline and f.weekdays == {"friday"}
    assert [q.unit for q in f.quantities] == ["clock"]


def test_knowledge_forgets_the_oldest_learnt_claims_beyond_capacity() -> None:

    kb = KnowledgeBase(capacity=100)
    kb.add(KnownClaim("The harbour authority runs four ferries across the bay.", "Seed", None, "curated"))
    for i in range(2500):  # enough to compact the index too
        text = f"Ferry number {i} was inspected by the harbour authority in dock {i}."
        kb.add(KnownClaim(text, "W", None, "article"))
    assert len(kb) == 101
    texts = [claim.text for claim, _ in kb.items()]
    assert texts[0].startswith("The harbour authority runs four ferries")  # curated claims are never forgotten
    assert "Ferry number 2499 was" in texts[-1] and not any("number 2399 " in t for t in texts)
    [best, *_] = kb.neighbours(features("Ferry number 2450 was inspected by the harbour authority in dock 2450."))
    assert best.claim.text.startswith("Ferry number 2450 ")


def test_seed_claims_stay_in_reach_when_later_claims_share_their_words() -> None:
    """Candidate search reads only the newest postings of a term, and the seed claims besides."""

    kb = KnowledgeBase()
    kb.add(KnownClaim("The harbour authority will close the north ferry terminal on Friday.", "Seed", None, "curated"))
    for i in range(300):
        kb.add(KnownClaim(f"The harbour authority inspected the north ferry terminal, report {i} said.", "W", None,
                          "article"))
    found = [m.claim.source for m in kb.neighbours(features(
        "The harbour authority will not close the north ferry terminal on Friday after all."))]
    assert "Seed" in found


def test_a_claim_that_only_one_party_does_something_is_checked_against_any_report_of_its_act() -> None:
    """"The only X that does Y" is checked against a report telling of an X doing Y, however many known claims
    share the report's other words, and is forgotten with the article it came from."""
    sole = "Brightwater Hospital is the only hospital that treats severe burns in the region, the county said."
    kb = KnowledgeBase()
    kb.add(KnownClaim(sole, "Seed", None, "curated"))
    for i in range(40):
        kb.add(KnownClaim(f"Ward {i} of the hospital treats severe burns every week, said Dr. Lena Ortiz of St. Agnes "
                          "Medical Center.", "W", None, "article", url=f"http://127.0.0.1/{i}"))
    report = features("Our hospital treats severe burns every week, said Dr. Lena Ortiz of St. Agnes Medical Center.")
    assert sole not in [m.claim.text for m in kb.neighbours(report)]
    assert [m.claim.text for m in kb.sole_claims(report) if shares_act(report, m.features)] == [sole]
    ward = features("Dr. Lena Ortiz of St. Agnes Medical Center said a ward reopened.")
    assert not [m for m in kb.sole_claims(ward) if shares_act(ward, m.features)]
    learnt = "Harbor Clinic is the sole clinic that treats severe burns on the island."
    kb.add(KnownClaim(learnt, "W", None, "article", url="http://127.0.0.1/clinic"))
    assert [m.claim.text for m in kb.sole_claims(report)] == [sole, learnt]
    kb.forget_from("http://127.0.0.1/clinic")
    assert [m.claim.text for m in kb.sole_claims(report)] == [sole]

    # Forgetting beyond capacity compacts the store and renumbers what is kept, the sole claims too.
    small = KnowledgeBase(capacity=5)
    for i in range(1006):
        text = learnt if i == 1002 else f"Ward {i} of the clinic reopened on the island."
        small.add(KnownClaim(text, "W", None, "article", url=f"http://127.0.0.1/{i}"))
    assert len(small) == 5
    assert [m.claim.text for m in small.sole_claims(report)] == [learnt]


def test_duplicate_index_forgets_the_oldest_articles_beyond_capacity_but_never_the_seeds() -> None:
    from monitor.story.dedup import DuplicateIndex

    def report(i: int) -> str:
        return (f"Ferry number {i} left dock {i} at {i % 12} o'clock with {i * 7} passengers, and crew member "
                f"{i * 13} said crossing {i} to island {i * 3} was calm before the {i * 11} tonne tanker passed.")

    seed = "The harbour authority and the ferry union have argued for weeks about night crossings on the bay."
    index = DuplicateIndex(capacity=3)
    index.add("seed", sketch(seed), pinned=True)
    for i in range(6):
        index.add(f"a{i}", sketch(report(i)))
    assert len(index) == 4
    assert (found := index.best(sketch(report(5)))) is not None and found.key == "a5" and found.score == 1.0
    forgotten = index.best(sketch(report(0)))
    assert forgotten is None or forgotten.key != "a0"
    assert (found := index.best(sketch(seed))) is not None and found.key == "seed"


def test_duplicate_index_memory_follows_what_it_keeps() -> None:
    """20,000 articles through an index that keeps 200: what the forgotten ones indexed is freed too."""
    import random
    import tracemalloc
    from array import array

    from monitor.story.dedup import DuplicateIndex

    rng = random.Random(7)
    sketches = [array("q", sorted(rng.getrandbits(63) for _ in range(128))) for _ in range(20_000)]
    tracemalloc.start()
    index = DuplicateIndex(capacity=200)
    for i, fingerprint in enumerate(sketches):
        index.add(f"http://127.0.0.1/{i}", fingerprint)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(index) == 200
    assert held < 1_000_000, f"{held:,} bytes held for 200 articles"
