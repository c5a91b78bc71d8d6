"""The timeline pages over a real SQLite store: what they show, escaping, filters, pages and the token."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest

from monitor.model import KnownClaim
from monitor.store import Store
from monitor.web.pages import Pages, StoryInfo
from monitor.web.timeline import CHART_GROUPS, DayCount, Timeline, chart

FEED = "http://127.0.0.1:9/wire.xml"
OTHER = "http://127.0.0.1:9/other.xml"


def _record(store: Store, i: int, verdict: str, *, title: str = "", source: str = FEED, story: str = "ferry",
            detail: list[dict[str, object]] | None = None) -> None:
    store.record_item(story=story, source_url=source, item_key=f"k{i}", url=f"http://127.0.0.1:9/a/{i}",
                      canonical_url=f"http://127.0.0.1:9/a/{i}", title=title or f"Article {i}",
                      published=f"2026-02-{1 + i % 3:02d}T08:00:00+00:00", verdict=verdict, reason="r", relevance=0.5,
                      duplicate_of=None, detail=detail or [{"text": f"Claim of article {i}.", "status": "new"}],
                      text="t", alert_id=f"alert:{i:032x}" if verdict.startswith("alert") else None)


@pytest.fixture
def pages(state_db: str) -> Pages:
    store = Store(state_db)
    with store.transaction():
        for i in range(120):
            _record(store, i, "alert-new" if i % 2 else "off-topic", source=OTHER if i % 4 == 1 else FEED)
        _record(store, 500, "alert-contradiction", title="<script>alert(1)</script> Ferry fares", detail=[
            {"text": "The fare is 12 kronor.", "status": "contradiction", "matched": "The fare is 10 kronor.",
             "matched_source": "Port Gazette", "matched_date": "2026-01-10", "reason": "amount differs: 12 vs 10"}])
        _record(store, 501, "alert-new", story="bikes")
        store.add_claims("ferry", [KnownClaim("Crews learnt of <b>the fare</b>.", "Wire", "2026-02-02", "article")])
    store.close()
    seeds = (KnownClaim("The ferry runs at night.", "seed.txt", "2026-01-09", "seed-article"),)
    return Pages(Timeline(state_db), lambda: [StoryInfo("ferry", seeds, (FEED, OTHER)),
                                                           StoryInfo("bikes", (), (FEED,))])


def _doc(pages: Pages, target: str) -> lxml.html.HtmlElement:
    page = pages.handle(target, {})
    assert page is not None and page.status == 200, page
    return lxml.html.fromstring(page.body)


def test_the_story_page_shows_alerts_newest_first_with_the_contradiction_side_by_side(pages: Pages) -> None:
    doc = _doc(pages, "/stories/ferry")
    alerts = doc.cssselect("article.alert")
    assert len(alerts) == 50  # a page
    assert alerts[0].get("id") == f"alert-{500:032x}"  # the newest decided first
    pair = doc.cssselect(".contradiction-pair")[0]
    assert "The fare is 12 kronor." in pair.text_content() and "The fare is 10 kronor." in pair.text_content()
    assert "Port Gazette, 2026-01-10" in pair.text_content()
    # Text from feeds is text: the title's tag is shown, never made an element.
    assert doc.cssselect("a.headline")[0].text_content().startswith("<script>alert(1)</script>")
    assert not doc.cssselect("main script") and not doc.cssselect("table.ledger b")
    assert [r.get("class") for r in doc.cssselect("svg.chart rect")][:1] and doc.cssselect("svg.chart title")
    ledger = doc.cssselect("table.ledger")[0].text_content()
    assert "The ferry runs at night." in ledger and "seed" in ledger and "learnt" in ledger
    assert "Article 501" not in doc.text_content()  # another story's alert


def test_filters_and_pages(pages: Pages) -> None:
    total = 61  # 60 new, 1 contradiction
    first = _doc(pages, "/stories/ferry")
    second = _doc(pages, "/stories/ferry?page=1")
    assert len(first.cssselect("article.alert")) + len(second.cssselect("article.alert")) == total
    assert second.cssselect("nav.pages a")[0].get("href") == "?"  # back to the first page
    contradictions = _doc(pages, "/stories/ferry?kind=contradiction")
    assert len(contradictions.cssselect("article.alert")) == 1
    by_source = _doc(pages, f"/stories/ferry?source={OTHER}")
    assert len(by_source.cssselect("article.alert")) == 30  # i % 4 == 1 among the odd i below 120
    one = _doc(pages, f"/stories/ferry/alerts/{500:032x}")
    assert len(one.cssselect("article.alert")) == 1
    assert pages.handle(f"/stories/ferry/alerts/{501:032x}", {}).status == 404  # type: ignore[union-attr]
    assert pages.handle("/stories/nope", {}).status == 404  # type: ignore[union-attr]
    assert pages.handle("/elsewhere", {}) is None
    index = _doc(pages, "/")
    assert [a.text_content() for a in index.cssselect(".story h2 a")] == ["ferry", "bikes"]


def test_a_token_protects_the_pages(tmp_path: Path, pages: Pages) -> None:
    guarded = Pages(pages._timeline, pages._stories, auth_token="s3cret")
    assert guarded.handle("/stories/ferry", {}).status == 401  # type: ignore[union-attr]
    assert guarded.handle("/stories/ferry", {"authorization": "Bearer wrong"}).status == 401  # type: ignore[union-attr]
    assert guarded.handle("/stories/ferry", {"authorization": "Bearer s3cret"}).status == 200  # type: ignore[union-attr]
    link = guarded.handle("/stories/ferry?kind=new&token=s3cret", {})
    assert link is not None and link.status == 303 and link.headers["Location"] == "/stories/ferry?kind=new"
    cookie = link.headers["Set-Cookie"].split(";")[0]
    assert guarded.handle("/", {"cookie": cookie}).status == 200  # type: ignore[union-attr]
    assert b"s3cret" not in guarded.handle("/", {"cookie": cookie}).body  # type: ignore[union-attr]


def test_chart_stacks_each_day_scaled_to_the_busiest() -> None:
    days = [DayCount("2026-02-01", (1, 1, 0, 2)), DayCount("2026-02-02", (2, 0, 0, 0))]
    bars = chart(days, width=100, height=40)
    first = [b for b in bars if b.label.startswith("2026-02-01")]
    assert [b.group for b in first] == ["alerted", "known", "off-topic"]
    assert sum(b.height for b in first) == 40  # the busiest day fills the height
    assert [b.height for b in bars if b.label.startswith("2026-02-02")] == [20]
    assert first[0].y == 30 and first[1].y == 20  # stacked upwards
    assert len(CHART_GROUPS) == 4 and chart([]) == []
