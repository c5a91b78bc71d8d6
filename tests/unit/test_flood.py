"""Flood control and the story's as-of, as pure decisions."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from monitor.decide import decide
from monitor.model import Analysis, Article, ClaimStatus, ClaimVerdict
from monitor.notify import Thread
from monitor.notify.console import ConsoleNotifier
from monitor.notify.format import digest_message
from monitor.outbox import FloodControl, choose_alone, release_held
from monitor.store import OutboxMessage, Store

AS_OF = datetime(2026, 3, 1, tzinfo=UTC)


def analysis(published: datetime | None) -> Analysis:
    article = Article(url="http://127.0.0.1/a", title="A", source_name="Wire", text="x", published=published)
    claim = ClaimVerdict("The ministry revoked the licence on Friday.", ClaimStatus.NEW, 0.2, "adds information")
    return Analysis(article=article, relevance=0.5, relevant=True, duplicate_of=None, duplicate_score=0.0,
                    claims=(claim,))


def test_an_item_published_before_the_as_of_is_background_with_the_reason() -> None:
    decision = decide(analysis(datetime(2026, 2, 27, tzinfo=UTC)), as_of=AS_OF)
    assert decision.verdict == "background" and decision.alert is None
    assert "published before the story's as-of (2026-03-01" in decision.reason and "alert-new" in decision.reason
    assert decide(analysis(datetime(2026, 3, 1, 9, tzinfo=UTC)), as_of=AS_OF).verdict == "alert-new"


def test_an_undated_item_is_background_on_its_sources_first_poll_only() -> None:
    assert decide(analysis(None), as_of=AS_OF, first_poll=True).verdict == "background"
    assert decide(analysis(None), as_of=AS_OF, first_poll=False).verdict == "alert-new"


def held(i: int, kind: str, published: str = "2026-03-02T10:00:00+00:00") -> OutboxMessage:
    payload = {"kind": kind, "url": f"http://127.0.0.1/{i}", "title": f"T{i} <!channel>", "source": "Wire",
               "published": published, "claims": [{"text": f"lead {i} & more", "status": kind}]}
    return OutboxMessage(i, f"alert:{i}", "alert", {"metadata": {"event_payload": payload}}, 0.0, "held", 0)


def test_contradictions_go_alone_first_then_the_order_of_decision() -> None:
    messages = [held(1, "new"), held(2, "new"), held(3, "contradiction"), held(4, "new"), held(5, "contradiction")]
    alone, rest = choose_alone(messages, 3)
    assert [m.id for m in alone] == [1, 3, 5] and [m.id for m in rest] == [2, 4]
    assert choose_alone(messages, 0) == ([], messages)
    assert choose_alone(messages, 9) == (messages, [])


def test_the_digest_lists_newest_first_with_untrusted_text_escaped() -> None:
    payloads = [held(i, "new", f"2026-03-0{i}T10:00:00+00:00").message["metadata"]["event_payload"]
                for i in (1, 3, 2)]
    message = digest_message(payloads, "digest:x")
    meta = message["metadata"]
    assert meta["event_type"] == "news_digest" and meta["event_payload"]["id"] == "digest:x"
    assert [item["url"] for item in meta["event_payload"]["items"]] == [
        "http://127.0.0.1/3", "http://127.0.0.1/2", "http://127.0.0.1/1"]
    shown = " ".join(b["text"]["text"] for b in message["blocks"])
    assert "<!channel>" not in shown and "&lt;!channel&gt;" in shown and "lead 3 &amp; more" in shown
    assert "3 more developments" in message["text"]


def test_in_monitor_run_the_cap_holds_per_rolling_window(state_db: str) -> None:
    """A real store (SQLite and PostgreSQL): three alerts already went out alone in the window, so two more may."""
    store = Store(state_db)
    for i in range(3):
        store.enqueue(f"alert:old{i}", "alert", held(i, "new").message)  # released at once: alone
    for i in range(10, 15):
        store.enqueue(f"alert:{i}", "alert", held(i, "new").message, held=True)
    release_held(store, FloodControl(per_cycle=5, per_window=5, window_seconds=600))
    states = [m.dedup_key for m in store.undelivered()]
    assert states == ["alert:old0", "alert:old1", "alert:old2", "alert:10", "alert:11"] + [
        k for k in states if k.startswith("digest:")]
    [digest] = [m for m in store.undelivered() if m.kind == "digest"]
    assert sorted(i["url"] for i in digest.message["metadata"]["event_payload"]["items"]) == [
        "http://127.0.0.1/12", "http://127.0.0.1/13", "http://127.0.0.1/14"]
    assert not store.held()
    store.close()


def test_the_console_prints_a_digest_and_indents_a_follow_up() -> None:
    stream = io.StringIO()
    console = ConsoleNotifier(stream)
    payloads = [held(i, "new").message["metadata"]["event_payload"] for i in (1, 2)]
    first = console.send(digest_message(payloads, "digest:x"))
    console.send(digest_message(payloads[:1], "digest:y"), Thread(first.ts or "", False, "Court fines union"))
    shown = stream.getvalue()
    assert "2 more developments in this cycle" in shown and "T1 <!channel>" in shown  # plain text, unescaped
    assert "    ↳ follow-up to: Court fines union\n    1 more development in this cycle" in shown
