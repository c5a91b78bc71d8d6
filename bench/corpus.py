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


SYLLABLES = ["ka", "lo", "mir", "tesh", "vu", "dra", "nel", "pos", "quin", "ro", "sab", "ul", "zet", "hov", "gri"]


def other_story_yaml(k: int) -> str:
    """Another story's file, made of invented words: a story the benchmark's articles are not about."""
    rng = random.Random(1000 + k)

    def word() -> str:
        return "".join(rng.choice(SYLLABLES) for _ in range(3))

    place, group, body, thing = word().title(), word(), word(), word()
    return (f"story: The {thing} affair in {place}\ntopics:\n  - {{term: {group}, weight: 3}}\n"
            f"  - {{term: {thing}, weight: 3}}\nclaims:\n"
            f'  - text: "The {group} of {place} stopped the {thing} works on Monday."\n    source: Courier\n'
            f"    date: 2026-01-0{k % 9 + 1}\n"
            f'  - text: "The {body} says the {thing} works will cost {rng.randrange(3, 90)} million."\n'
            f"    source: Courier\n    date: 2026-01-0{k % 9 + 1}\n")


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


SECTIONS = ["World", "Politics", "Business", "Technology", "Science", "Culture", "Sport", "Opinion", "Weather"]


def _teaser(rng: random.Random, key: str) -> str:
    """One card of a "more news" grid, marked up as news sites do: tracking data, a responsive picture,
    kicker, headline, standfirst, time and comment count."""
    section = rng.choice(SECTIONS).lower()
    url = f"https://www.example.com/{section}/2026/03/01/{key}-story-about-markets-and-weather?utm_source=more"
    sizes = ",".join(f"https://images.example.com/{key}.jpg?width={w}&amp;quality=80&amp;auto=webp {w}w"
                     for w in (160, 240, 320, 480, 640, 800, 960, 1280, 1600, 1920))
    tracking = (f"{{&quot;module&quot;:&quot;more-news&quot;,&quot;section&quot;:&quot;{section}&quot;,"
                f"&quot;position&quot;:{rng.randrange(1, 60)},&quot;contentId&quot;:&quot;{key}&quot;,"
                "&quot;variant&quot;:&quot;control&quot;,&quot;experiment&quot;:&quot;none&quot;}")
    picture = (f'<picture><source srcset="{sizes}" sizes="(min-width: 1024px) 33vw, 100vw" type="image/webp">'
               f'<img src="https://images.example.com/{key}.jpg" srcset="{sizes}" alt="" width="320" height="180"'
               ' loading="lazy" decoding="async"></picture>')
    return (f'<div class="teaser teaser--{section} teaser--with-image js-teaser" data-id="{key}"'
            f' data-tracking="{tracking}"><a class="teaser__link" href="{url}" data-tracking="{tracking}">'
            f'<div class="teaser__media">{picture}</div><div class="teaser__body">'
            f'<span class="teaser__kicker">{section.title()}</span>'
            f'<h3 class="teaser__headline">{section.title()} story {key} about markets and weather</h3>'
            f'<p class="teaser__standfirst">What the week ahead holds for markets, traffic and the weather in the'
            f" {section} pages, with the numbers that matter and what our reporters saw this weekend.</p>"
            '<div class="teaser__meta"><time datetime="2026-03-01T08:00:00Z">1 March</time>'
            '<span class="teaser__comments"><svg class="icon icon--comments" viewBox="0 0 16 16">'
            f'<path d="M1 1h14v10H5l-4 4z"/></svg>{rng.randrange(1, 400)}</span></div></div></a></div>')


def _nested(html: str, depth: int, name: str) -> str:
    """Wrap in ``depth`` layout divs: real pages nest their content a dozen levels deep."""
    return f'<div class="{name}-l{depth}">' * depth + html + "</div>" * depth


def article_page(seed: int) -> bytes:
    """A 100-300 KB page built like a real news page: its size is mostly markup (menus, teaser grids,
    footer links, icons) with about a seventh inline script, so a parser sees as many elements per
    kilobyte as on the real pages in ../shared/realworld (about six)."""
    rng = random.Random(seed)
    title, body = article_text(seed)
    target = rng.randrange(100_000, 300_000)
    menu = "".join(
        f'<li class="menu__item"><a class="menu__link" href="/{s.lower()}">{s}</a><ul class="menu__sub">'
        + "".join(f'<li><a href="/{s.lower()}/{i}"><span>{s} {i}</span></a></li>' for i in range(12))
        + "</ul></li>" for s in SECTIONS)
    comments = "".join(f'<div class="comment"><b>reader{i}</b><p>I think {rng.choice(ACTORS)} is wrong.</p></div>'
                       for i in range(25))
    paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    footer = "".join(f'<li><a href="/about/{i}">About us {i}</a></li>' for i in range(40))
    head = (f"<head><meta charset='utf-8'><title>{title}</title>"
            f"<meta property='og:title' content='{title}'><meta name='author' content='Staff'>"
            "<meta property='article:published_time' content='2026-03-01T10:00:00Z'>"
            "<script type='application/ld+json'>{\"@type\": \"NewsArticle\"}</script>"
            "<style>.teaser{display:flex}.menu__sub{display:none}</style>")
    article = (f"<article><h1>{title}</h1><div class='byline'>By Staff</div>"
               "<div class='ad'>Advertisement</div>" + paras + "</article>")
    page = (f"<!doctype html><html>{head}</head><body>"
            + _nested(f'<header><nav><ul class="menu">{menu}</ul></nav></header>', 4, "masthead")
            + "<div id='cookie'>We use cookies. <button>Accept</button></div><main>"
            + _nested(article, 8, "layout")
            + "<aside>{more}</aside><section id='comments'>" + comments + "</section></main>"
            "<script>{js}</script><footer><ul>" + footer + "</ul>(c) Example News</footer></body></html>")
    script = target // 7
    teasers: list[str] = []
    room = target - len(page) - script
    while room > 0:
        teasers.append(_teaser(rng, f"{seed}-{len(teasers)}"))
        room -= len(teasers[-1]) + 60  # and its share of the grid's wrappers
    grid = "".join(_nested("".join(teasers[i:i + 6]), 6, "grid") for i in range(0, len(teasers), 6))
    js = "var a=[" + ",".join(str(rng.randrange(10**6)) for _ in range(script // 8)) + "];"
    return page.replace("{more}", grid).replace("{js}", js).encode()
