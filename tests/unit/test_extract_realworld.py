"""Extraction on real news pages (../shared/realworld), against the texts their projects expect.

The article's text must come out (most of the expected words, few others), and page furniture that
the extractor lets through ("Read more: ...", "Submit your letter ...") must not become claims.
"""

from __future__ import annotations

import json
import re
import statistics
from collections import Counter
from pathlib import Path

import pytest

from monitor.extract import extract
from monitor.story.claims import split_claims
from monitor.story.text import clean_text, html_to_text
from tests.conftest import SHARED

PAGES = SHARED / "realworld" / "pages"
pytestmark = pytest.mark.skipif(not PAGES.is_dir(), reason="../shared/realworld is not beside this checkout")


def expected_texts() -> list[tuple[Path, Path]]:
    """(page, its expected text): newspaper4k's plain texts and Readability's expected HTML."""
    if not PAGES.is_dir():
        return []
    plain = [(p.with_name(p.name.removesuffix(".expected.txt") + ".html"), p)
             for p in sorted(PAGES.rglob("*.expected.txt"))]
    readability = [(p.with_name("source.html"), p) for p in sorted(PAGES.rglob("expected.html"))]
    return plain + readability


def words(text: str) -> Counter[str]:
    return Counter(re.findall(r"\w+", text.lower()))


def read_expected(path: Path) -> str:
    text = path.read_text(encoding="utf-8", errors="replace")
    return html_to_text(text) if path.suffix == ".html" else text


def overlap(page: Path, expected: Path) -> tuple[float, float]:
    """(recall, precision) of the extracted words against the expected text's."""
    extracted = extract(page.read_bytes(), "http://127.0.0.1/page")
    got, want = words(extracted.text if extracted else ""), words(read_expected(expected))
    shared = sum((got & want).values())
    return shared / max(1, sum(want.values())), shared / max(1, sum(got.values()))


@pytest.mark.parametrize(("page", "expected"), expected_texts(), ids=lambda p: p.parent.name + "/" + p.name)
def test_the_article_text_comes_out_of_each_real_page(page: Path, expected: Path) -> None:
    recall, _ = overlap(page, expected)
    assert recall >= 0.7, f"{page}: only {recall:.0%} of the expected words were extracted"


def test_little_else_comes_out_with_it() -> None:
    precisions = [overlap(page, expected)[1] for page, expected in expected_texts()]
    assert statistics.median(precisions) >= 0.9, sorted(precisions)


def test_page_furniture_never_becomes_a_claim() -> None:
    """trafilatura's own evaluation snippets: text that belongs to the article ("with") and page
    furniture ("without").  The first must mostly be there; none of the second may be a claim."""
    found = total = 0
    for spec_file in sorted((PAGES / "trafilatura").glob("*.expected.json")):
        spec = json.loads(spec_file.read_text(encoding="utf-8"))
        extracted = extract((spec_file.parent / spec["file"]).read_bytes(), "http://127.0.0.1/page")
        text = clean_text(extracted.text) if extracted else ""
        found += sum(clean_text(s) in text for s in spec["with"])
        total += len(spec["with"])
        claims = split_claims(extracted.text) if extracted else []
        leaked = [s for s in spec["without"] for c in claims if clean_text(s) in c]
        assert not leaked, f"{spec['file']}: page furniture taken for claims: {leaked}"
    assert total and found / total >= 0.85, f"only {found} of {total} article snippets were extracted"
