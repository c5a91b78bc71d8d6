"""`monitor import-opml`: add an OPML file's feeds to the YAML config, keeping its comments and layout."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lxml import etree
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from monitor.errors import ConfigError


@dataclass(frozen=True, slots=True)
class OpmlFeed:
    url: str
    name: str


def read_opml(path: Path) -> list[OpmlFeed]:
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)
    try:
        root = etree.parse(str(path), parser).getroot()
    except (OSError, etree.XMLSyntaxError) as exc:
        raise ConfigError(f"{path}: not a readable OPML file: {exc}") from None
    feeds, seen = [], set()
    for outline in root.iter("outline"):
        url = (outline.get("xmlUrl") or "").strip()
        if url.startswith(("http://", "https://")) and url not in seen:
            seen.add(url)
            feeds.append(OpmlFeed(url, (outline.get("title") or outline.get("text") or url).strip()))
    if not feeds:
        raise ConfigError(f"{path}: no feeds found (outline elements with an xmlUrl attribute)")
    return feeds


def import_opml(opml: Path, config: Path) -> tuple[int, int]:
    """Append the OPML feeds missing from the config; return (added, already present)."""
    feeds = read_opml(opml)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True
    yaml.indent(mapping=2, sequence=4, offset=2)
    try:
        data = yaml.load(config.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{config}: cannot read config file: {exc.strerror}") from None
    if not isinstance(data, CommentedMap):
        raise ConfigError(f"{config}: expected a mapping at the top")
    listed = data.setdefault("feeds", CommentedSeq())
    present = {str(item.get("url")) for item in listed if isinstance(item, dict)}
    added = 0
    for feed in feeds:
        if feed.url in present:
            continue
        entry = CommentedMap()
        entry["url"] = feed.url
        entry["name"] = feed.name
        listed.append(entry)
        added += 1
    if added:
        temporary = config.with_name(config.name + ".tmp")
        with temporary.open("w", encoding="utf-8") as out:
            yaml.dump(data, out)
        temporary.replace(config)  # atomic: a running monitor never reads half a file
    return added, len(feeds) - added
