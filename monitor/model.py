"""Plain, frozen data handed from one pipeline stage to the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class SourceKind(StrEnum):
    FEED = "feed"
    PAGE = "page"


@dataclass(frozen=True, slots=True)
class Source:
    url: str
    name: str
    kind: SourceKind
    every_seconds: float
    stories: tuple[str, ...] = ()  # the stories that read it; fetched and extracted once for all of them


@dataclass(frozen=True, slots=True)
class Validators:
    """HTTP caching validators remembered per URL for conditional GET."""

    etag: str | None = None
    last_modified: str | None = None


@dataclass(frozen=True, slots=True)
class Extracted:
    """A page's main text and metadata."""

    text: str
    title: str | None
    date: str | None
    author: str | None
    site_name: str | None


@dataclass(frozen=True, slots=True)
class Fetched:
    """A successful HTTP exchange. ``body`` is empty when ``not_modified``."""

    url: str
    final_url: str
    status: int
    body: bytes
    headers: dict[str, str]
    validators: Validators
    not_modified: bool = False


@dataclass(frozen=True, slots=True)
class FetchFailure:
    """A fetch that did not work, as a value: one line for people, a label for metrics."""

    url: str
    reason: str
    message: str
    retry_after: float | None = None


@dataclass(frozen=True, slots=True)
class Entry:
    """One item of a feed, as the feed described it."""

    source_url: str
    source_name: str
    guid: str
    link: str
    title: str
    summary: str
    published: datetime | None


@dataclass(frozen=True, slots=True)
class Article:
    """Text to analyse, with where it came from."""

    url: str
    title: str
    source_name: str
    text: str
    published: datetime | None
    author: str | None = None
    site_name: str | None = None
    from_summary: bool = False  # the page could not be used; text is the feed's summary
    note: str | None = None     # why the summary was used, shown in the alert
    context: str | None = None  # the whole page when ``text`` is only what changed on it


@dataclass(frozen=True, slots=True)
class KnownClaim:
    text: str
    source: str
    date: str | None
    origin: str       # "seed-article", "curated", "article", "feedback" (people marked it "not new")
    url: str | None = None
    id: int | None = None


class ClaimStatus(StrEnum):
    NEW = "new"
    KNOWN = "known"
    CONTRADICTION = "contradiction"
    BACKGROUND = "background"  # asserts nothing the story cares about


@dataclass(frozen=True, slots=True)
class ClaimVerdict:
    text: str
    status: ClaimStatus
    score: float
    reason: str
    matched: KnownClaim | None = None
    novelty: float = 0.0  # information the claim adds to what is known
    restated: bool = False  # one known claim says the same (not merely most of its words, spread over several)
    settles: bool = False   # carries out or drops what was known only as a threat or plan


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything the analysis found out about one article; input of ``decide``."""

    article: Article
    relevance: float
    relevant: bool
    duplicate_of: str | None
    duplicate_score: float
    claims: tuple[ClaimVerdict, ...] = ()


class AlertKind(StrEnum):
    NEW = "new"
    CONTRADICTION = "contradiction"


@dataclass(frozen=True, slots=True)
class Alert:
    kind: AlertKind
    article: Article
    claims: tuple[ClaimVerdict, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """What to do with an article, and why. ``alert`` is None for a silence."""

    verdict: str  # "alert-new", "alert-contradiction", "off-topic", "duplicate", "nothing-new"
    reason: str
    alert: Alert | None = None
