"""Fuzzing: feed bytes -> entries and page bytes -> claims never raise anything but our own errors."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from monitor.errors import MonitorError
from monitor.extract import extract
from monitor.sources.feed import parse_feed
from monitor.story.claims import features, split_claims

FEED_PARTS = st.sampled_from([
    b'<?xml version="1.0" encoding="utf-8"?>', b'<?xml version="1.0" encoding="iso-8859-1"?>', b"<rss version=\"2.0\">",
    b"<channel>", b"</channel>", b"<item>", b"</item>", b"<title>", b"</title>", b"<link>http://127.0.0.1/a</link>",
    b"<feed xmlns=\"http://www.w3.org/2005/Atom\">", b"<entry>", b"</entry>", b"</feed>", b"</rss>",
    b"<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\" xmlns=\"http://purl.org/rss/1.0/\">",
    b"<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>", b"&e;", b"&amp;", b"&#0;", b"\xff\xfe",
    b"<![CDATA[", b"]]>", b"<description>", b"</description>", b"<pubDate>Mon, 99 Foo 2026</pubDate>",
    b"\x00", b"\xc3\x28", "Déjà vu – “quotes”".encode(), b"<guid>", b"</guid>",
])
FEEDS = st.one_of(st.binary(max_size=2000), st.lists(FEED_PARTS | st.binary(max_size=20), max_size=40).map(b"".join))

PAGE_PARTS = st.sampled_from([
    b"<html>", b"<head><title>T</title></head>", b"<body>", b"<article>", b"<p>", b"</p>", b"</article>",
    b"<script>var x = '<p>';</script>", b"<style>p{}</style>", b"<div class=\"comments\">", b"</div>",
    b"The ministry said on Friday that the deal was worth $200 million. ", b"Was it? ", b"Advertisement ",
    b"<meta charset=\"shift_jis\">", b"\x82\xa0", b"<table><tr><td>", b"</body></html>", b"<!--", b"-->",
])
PAGES = st.one_of(st.binary(max_size=3000), st.lists(PAGE_PARTS | st.binary(max_size=30), max_size=60).map(b"".join))


@settings(max_examples=300, deadline=2000, suppress_health_check=[HealthCheck.too_slow])
@given(FEEDS)
def test_feed_bytes_to_entries(body: bytes) -> None:
    try:
        entries = parse_feed(body, {"content-type": "application/xml"}, "http://127.0.0.1/feed", "fuzz")
    except MonitorError:
        return
    for entry in entries:
        assert isinstance(entry.title, str) and isinstance(entry.guid, str)
        assert "root:" not in entry.title + entry.summary  # no external entity was ever read


@settings(max_examples=150, deadline=3000, suppress_health_check=[HealthCheck.too_slow])
@given(PAGES)
def test_page_bytes_to_claims(body: bytes) -> None:
    try:
        extracted = extract(body, "http://127.0.0.1/page")
    except MonitorError:
        return
    if extracted is None:
        return
    for claim in split_claims(extracted.text):
        f = features(claim)
        assert f.text == claim
