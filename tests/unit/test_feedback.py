"""Feedback: reading a click, marking the alert, and what each answer changes in the analysis."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.decide import decide
from monitor.feedback import mark_message, parse_click
from monitor.model import Article, KnownClaim
from monitor.notify.format import feedback_buttons
from monitor.story.seeds import load_story
from tests.e2e.support import NEW_DEVELOPMENT, SEED_ARTICLE, STORY
from tests.e2e.test_feedback import RESTATED, TERMINAL, TERMINAL_AGAIN


def _analyser(tmp_path: Path) -> Analyser:
    tmp_path.mkdir()
    (tmp_path / "story.yaml").write_text(STORY, encoding="utf-8")
    (tmp_path / "background.txt").write_text(SEED_ARTICLE, encoding="utf-8")
    return Analyser(load_story([tmp_path]), AnalysisSettings())


def _article(url: str, title: str, paragraphs: list[str], day: int) -> Article:
    return Article(url=url, title=title, source_name="Wire", text="\n\n".join(paragraphs),
                   published=datetime(2026, 2, day, tzinfo=UTC))


def _read(analyser: Analyser, article: Article) -> str:
    analysis = analyser.analyse(article)
    analyser.learn(analysis, article.source_name, "2026-02-01")
    return decide(analysis).verdict


def test_a_click_is_read_from_slack_interactive_payload() -> None:
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "x"}}, feedback_buttons("alert:abc")]
    payload: dict[str, Any] = {"type": "block_actions", "user": {"id": "U1", "username": "ana"},
               "container": {"type": "message", "message_ts": "17.1", "channel_id": "C1"},
               "message": {"ts": "17.1", "text": "New development", "blocks": blocks},
               "actions": [{"action_id": "feedback:wrong-story", "value": "alert:abc", "type": "button"}]}
    click = parse_click(payload)
    assert click is not None
    assert (click.alert_id, click.action, click.user, click.channel, click.ts) == ("alert:abc", "wrong-story",
                                                                                    "ana", "C1", "17.1")
    assert parse_click({**payload, "actions": [{"action_id": "other", "value": "v"}]}) is None
    assert parse_click({**payload, "type": "view_submission"}) is None
    marked = mark_message(click, [("not-new", "ana"), ("useful", "ben")])
    assert [b.get("block_id") for b in marked] == [None, "feedback-given", "feedback"]  # the note above the buttons
    assert "Not new: ana; Useful: ben" in marked[1]["elements"][0]["text"]
    clicked_again = parse_click({**payload, "message": {**payload["message"], "blocks": marked}})
    assert clicked_again is not None
    again = mark_message(clicked_again, [("not-new", "ana")])
    assert [b.get("block_id") for b in again].count("feedback-given") == 1  # replaced, not stacked


def test_not_new_makes_a_later_report_of_it_known(tmp_path: Path) -> None:
    alone, told = _analyser(tmp_path / "a"), _analyser(tmp_path / "b")
    first = _article("http://127.0.0.1/fine", "Court fines ferry union", NEW_DEVELOPMENT, 2)
    assert _read(alone, first) == "alert-new"
    analysis = told.analyse(first)
    assert decide(analysis).verdict == "alert-new"
    told.learn(analysis, "Wire", "2026-02-02")
    for claim in analysis.claims:  # what the pipeline does on a "Not new" click
        told.remember(KnownClaim(claim.text, "feedback from ana", "2026-02-03", "feedback", first.url))
    assert {c.origin for c, _ in told.knowledge.items() if c.url == first.url} == {"feedback"}  # marked, kept
    later = _article("http://127.0.0.1/again", "Ferry union told to pay", RESTATED, 4)
    assert _read(alone, later) == "alert-new"      # new to the monitor by itself
    quiet = told.analyse(later)
    assert decide(quiet).verdict == "nothing-new"  # known once people said they knew it
    assert {c.reason.split(" (")[0] for c in quiet.claims} == {"restates what people marked as not new"}


def test_wrong_story_lowers_a_near_copy_below_the_threshold_and_forgets_its_claims(tmp_path: Path) -> None:
    alone, told = _analyser(tmp_path / "a"), _analyser(tmp_path / "b")
    terminal = _article("http://127.0.0.1/terminal", "Harbour authority opens cruise terminal", TERMINAL, 5)
    for analyser in (alone, told):
        assert _read(analyser, terminal) == "alert-new"
    learnt = sum(1 for c, _ in told.knowledge.items() if c.url == terminal.url)
    assert told.wrong_story(terminal.url, terminal.title, terminal.text, was_relevant=True) == learnt > 0
    assert not [c for c, _ in told.knowledge.items() if c.url == terminal.url]
    again = _article("http://127.0.0.1/terminal-again", "Harbour authority opens new cruise terminal",
                     TERMINAL_AGAIN, 6)
    threshold = AnalysisSettings().relevance_threshold
    assert alone.analyse(again).relevance >= threshold   # a copy, judged relevant, by itself
    assert told.analyse(again).relevance < threshold / 10
    on_topic = _article("http://127.0.0.1/fine", "Court fines ferry union", NEW_DEVELOPMENT, 7)
    assert told.analyse(on_topic).relevance >= threshold  # the story itself is untouched


def test_buttons_only_with_an_app_token() -> None:
    from monitor.model import Alert, AlertKind, ClaimStatus, ClaimVerdict
    from monitor.notify.format import alert_message

    article = _article("http://127.0.0.1/fine", "Court fines ferry union", NEW_DEVELOPMENT, 2)
    alert = Alert(AlertKind.NEW, article, (ClaimVerdict(NEW_DEVELOPMENT[0], ClaimStatus.NEW, 0.5, "new"),))
    plain = alert_message(alert, "alert:1")
    assert not [b for b in plain["blocks"] if b["type"] == "actions"]
    with_buttons = alert_message(alert, "alert:1", buttons=True, timeline="http://127.0.0.1:8080/stories/s/alerts/1")
    actions = [b for b in with_buttons["blocks"] if b["type"] == "actions"]
    assert [e["value"] for e in actions[0]["elements"]] == ["alert:1"] * 3
    assert "<http://127.0.0.1:8080/stories/s/alerts/1|timeline>" in str(with_buttons["blocks"])
