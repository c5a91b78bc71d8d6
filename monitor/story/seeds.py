"""Seed folders -> the story as known on day one.

A seed path is a folder or a file.  Raw articles (``.txt``, ``.md``, ``.html``)
contribute their sentences as known claims and their text to the story
profile; a story file (``.yaml``) contributes topics and curated claims, each
with its source and date.  Text files may start with `` date YYYY-MM-DD`` and
may contain mojibake; both are handled.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import YAMLError

from monitor.errors import SeedError
from monitor.model import KnownClaim
from monitor.story.claims import split_claims
from monitor.story.text import clean_text

PLAIN_TEXT_SUFFIXES = {".txt", ".md"}
ARTICLE_SUFFIXES = PLAIN_TEXT_SUFFIXES | {".html", ".htm"}
STORY_SUFFIXES = {".yaml", ".yml"}
_DATE_LINE = re.compile(r"^\s*date\s+(\d{4}-\d{2}-\d{2})\b[^\S\n]*", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class SeedDocument:
    path: Path
    date: str | None
    text: str


@dataclass(frozen=True)
class Story:
    name: str
    topics: dict[str, float] = field(default_factory=dict)
    documents: tuple[SeedDocument, ...] = ()
    claims: tuple[KnownClaim, ...] = ()
    as_of: str | None = None  # the story file's as_of, else the newest seed date or dated claim (ISO 8601)

    @property
    def curated_claims(self) -> int:
        return sum(1 for c in self.claims if c.origin == "curated")


def load_story(paths: Iterable[Path], where: str = "story.seeds") -> Story:
    """The story the seeds tell; ``where`` is the config key they come from, named in errors."""
    paths = list(paths)
    name, topics, as_of = "", {}, None
    documents: list[SeedDocument] = []
    claims: list[KnownClaim] = []
    for path in paths:
        if not path.exists():
            raise SeedError(f"{path}: seed path does not exist ({where})")
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            suffix = file.suffix.lower()
            if suffix in ARTICLE_SUFFIXES:
                doc = read_seed_article(file)
                documents.append(doc)
                claims.extend(KnownClaim(text=s, source=file.name, date=doc.date, origin="seed-article")
                              for s in split_claims(doc.text))
            elif suffix in STORY_SUFFIXES:
                story_name, story_topics, story_claims, story_as_of = read_story_file(file)
                name = name or story_name
                as_of = as_of or story_as_of
                topics.update(story_topics)
                claims.extend(story_claims)
            elif path.is_file():
                raise SeedError(f"{file}: unsupported seed file type {suffix!r}; "
                                f"expected .txt, .md, .html or .yaml")
    if not documents and not claims:
        raise SeedError(f"{where}: no seed articles or claims found in "
                        + ", ".join(str(p) for p in paths))
    dated = [d for d in (*(doc.date for doc in documents), *(c.date for c in claims)) if d]
    return Story(name=name or "the story", topics=topics, documents=tuple(documents), claims=tuple(claims),
                 as_of=as_of or max(dated, default=None))


def read_seed_article(file: Path) -> SeedDocument:
    try:
        raw = file.read_bytes()
    except OSError as exc:
        raise SeedError(f"{file}: cannot read seed article: {exc.strerror}") from None
    if file.suffix.lower() in {".html", ".htm"}:
        from monitor.extract import extract  # trafilatura, loaded only for HTML seeds

        extracted = extract(raw, file.as_uri())
        if extracted is None:
            raise SeedError(f"{file}: no article text could be extracted from this HTML seed")
        return SeedDocument(file, extracted.date, extracted.text)
    text = raw.decode("utf-8", errors="replace")
    date = None
    match = _DATE_LINE.match(text)
    if match:
        date, text = match.group(1), text[match.end():]
    return SeedDocument(file, date, clean_text(text))


def read_story_file(file: Path) -> tuple[str, dict[str, float], list[KnownClaim], str | None]:
    try:
        data = YAML(typ="safe").load(file.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise SeedError(f"{file}: cannot read story file: {exc}") from None
    except YAMLError as exc:
        raise SeedError(f"{file}: invalid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise SeedError(f"{file}: expected a mapping with 'story', 'topics' and 'claims'")
    unknown = set(data) - {"story", "as_of", "topics", "claims"}
    if unknown:
        raise SeedError(f"{file}: unknown key(s) {', '.join(sorted(unknown))}; "
                        f"expected story, as_of, topics, claims")
    topics = {}
    for i, item in enumerate(data.get("topics") or []):
        term, weight = _field(item, "term", file, f"topics[{i}]"), item.get("weight", 1) if isinstance(
            item, dict) else 1
        if not isinstance(weight, int | float) or weight <= 0:
            raise SeedError(f"{file}: topics[{i}].weight: expected a positive number, got {weight!r}")
        topics[clean_text(str(term)).lower()] = float(weight)
    claims = []
    for i, item in enumerate(data.get("claims") or []):
        where = f"claims[{i}]"
        text = clean_text(str(_field(item, "text", file, where)))
        source = str(_field(item, "source", file, where))
        date = _field(item, "date", file, where)
        claims.append(KnownClaim(text=text, source=source, date=str(date), origin="curated"))
    as_of = data.get("as_of")
    if as_of is not None:
        as_of = _moment(as_of, file)
    return str(data.get("story") or ""), topics, claims, as_of


def _moment(value: Any, file: Path) -> str:
    """A story file's as_of as ISO 8601: a date (2026-02-27) or a date and time with its offset."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    try:
        moment = datetime.fromisoformat(str(value))
    except ValueError:
        raise SeedError(f"{file}: as_of: expected a date (YYYY-MM-DD) or a date and time, got {value!r}") from None
    return str(value) if len(str(value)) == 10 else moment.isoformat()


def _field(item: Any, key: str, file: Path, where: str) -> Any:
    if not isinstance(item, dict):
        raise SeedError(f"{file}: {where}: expected a mapping with {key!r}")
    if item.get(key) in (None, ""):
        raise SeedError(f"{file}: {where}.{key}: required key is missing")
    return item[key]
