"""Deterministic synthetic news for the benchmarks: a story file, article texts and heavy article pages."""

from __future__ import annotations

import random

ACTORS = ["the defence ministry", "the lab", "Minister Ilse Varga", "lab chief Tomas Oyelaran", "the parliament",
          "the procurement office", "the ministry's lawyers", "a senior official", "the lab's board"]
PLACES = ["Brasnov", "Kelmar", "the capital", "the northern base", "the coastal command"]
VERBS = ["demanded", "rejected", "approved", "delayed", "confirmed", "denied", "proposed", "criticised", "signed"]
OBJECTS = ["the model licence", "the safety terms", "a contract worth {n} million euros", "access to the system",
           "the deadline of {day}", "an audit of the model", "the use of the system for targeting",
           "a review by {n} experts", "new limits on surveillance"]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "12 March", "4 April", "30 May"]
NAMES = ["Okafor", "Lindqvist", "Haddad", "Tanaka", "Novak", "Brennan", "Moreau", "Kaur", "Silva", "Petrov"]

STORY_YAML = """\
story: Ministry-lab dispute over military use of an AI model
topics:
  - {term: defence ministry, weight: 3}
  - {term: lab, weight: 3}
  - {term: model, weight: 2}
  - {term: safety terms, weight: 2}
claims:
  - text: "The defence ministry gave the lab until Friday to accept its terms for military use of the model."
    source: Wire
    date: 2026-01-05
  - text: "The lab refused to let the model be used for surveillance of citizens."
    source: Wire
    date: 2026-01-05
  - text: "The ministry's contract with the lab is worth up to 80 million euros."
    source: Gazette
    date: 2026-01-06
  - text: "Minister Ilse Varga threatened to cancel the lab's licence if it did not comply."
    source: Gazette
    date: 2026-01-06
"""


def sentence(rng: random.Random) -> str:
    obj = rng.choice(OBJECTS).format(n=rng.randrange(2, 900), day=rng.choice(DAYS))
    who = rng.choice(ACTORS)
    tail = rng.choice(["", f" in {rng.choice(PLACES)}", f" on {rng.choice(DAYS)}",
                       f", according to {rng.choice(NAMES)}", f" after talks with {rng.choice(NAMES)}"])
    return f"{who[0].upper()}{who[1:]} {rng.choice(VERBS)} {obj}{tail}."


def article_text(seed: int) -> tuple[str, str]:
    """(title, body) of one article: 8 to 20 paragraphs of two or three sentences."""
    rng = random.Random(seed)
    obj = rng.choice(OBJECTS).format(n=rng.randrange(2, 900), day="Friday")
    title = f"{rng.choice(NAMES)} says {rng.choice(ACTORS)} {rng.choice(VERBS)} {obj}"
    paragraphs = [" ".join(sentence(rng) for _ in range(rng.randrange(2, 4))) for _ in range(rng.randrange(8, 21))]
    return title, "\n\n".join(paragraphs)


def article_page(seed: int) -> bytes:
    """A 100-300 KB page: inline scripts and styles, navigation, ads, related links, comments, footer."""
    rng = random.Random(seed)
    title, body = article_text(seed)
    target = rng.randrange(100_000, 300_000)
    nav = "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(40))
    related = "".join(f'<li><a href="/story/{seed}-{i}">Related story {i} about markets and weather</a></li>'
                      for i in range(30))
    comments = "".join(f'<div class="comment"><b>reader{i}</b><p>I think {rng.choice(ACTORS)} is wrong.</p></div>'
                       for i in range(25))
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    head = (f"<head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:title' content='{title}'><meta name='author' content='Staff'>"
            "<meta property='article:published_time' content='2026-03-01T10:00:00Z'>"
            "<script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script>")
    page = (f"<!doctype html><html>{head}"
            "<style>{css}</style></head><body><header><nav><ul>" + nav + "</ul></nav></header>"
            "<div id='cookie'>We use cookies. <button>Accept</button></div>"
            f"<main><article><h1>{title}</h1><div class='byline'>By Staff</div>"
            "<div class='ad'>Advertisement</div>" + paras + "</article>"
            "<aside><ul>" + related + "</ul></aside><section id='comments'>" + comments + "</section></main>"
            "<script>{js}</script><footer>(c) Example News</footer></body></html>")
    filler = max(0, target - len(page))
    css = "".join(f".c{i}{{margin:{i % 7}px;color:#{i % 999:03d}}}" for i in range(filler // 80))
    js = "var a=[" + ",".join(str(rng.randrange(10**6)) for _ in range(max(0, filler - len(css)) // 8)) + "];"
    return page.replace("{css}", css).replace("{js}", js).encode()
