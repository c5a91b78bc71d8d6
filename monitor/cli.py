"""Command line: argument parsing and printing only; the work happens in app/pipeline."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

from monitor.config import LoadedConfig, load_config
from monitor.errors import ConfigError, MonitorError

EXIT_OK, EXIT_CONFIG, EXIT_UNDELIVERED = 0, 2, 3


def entry() -> NoReturn:
    """The `monitor` command.  It ends without tearing the interpreter down, which takes about 0.2 s
    once the analysis is loaded and achieves nothing: by the time ``main`` returns the store is closed
    and the worker processes have exited; logs and output are flushed here."""
    try:
        code = main()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
    except BrokenPipeError:  # `monitor decisions | head`: the reader has what it wanted
        code = EXIT_OK
    os._exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="monitor", description="Follows a news story and alerts Slack "
                                     "about new developments and contradictions.")
    parser.add_argument("--version", action="version", version="story-monitor 0.1.0")
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.add_argument("--config", type=Path, default=None,
                         help="config file (default: $MONITOR_CONFIG, else config/monitor.yaml)")
        return sub

    command("run", "poll on a schedule until SIGTERM/SIGINT")
    command("once", "poll every source once, process what is new, deliver pending alerts")
    command("check-config", "validate the config and seeds and print a summary")
    claims = command("claims", "list known claims, optionally those containing TEXT")
    claims.add_argument("text", nargs="?")
    claims.add_argument("--story", help="which story (needed when the config follows several)")
    claims.add_argument("--verbose", "-v", action="store_true",
                        help="also show each claim's normalised form (names, amounts, days, polarity, hedges)")
    decisions = command("decisions", "list recent decisions with their reasons")
    decisions.add_argument("--since", help="how far back: a duration such as 1h or 2d (default: all)")
    decisions.add_argument("--limit", type=int, default=50)
    decisions.add_argument("--story", help="only this story's decisions (default: every story's)")
    explain = command("explain", "run an article (URL or file) through the analysis without posting")
    explain.add_argument("target")
    explain.add_argument("--story", help="which story (needed when the config follows several)")
    command("sources", "show every source's state and the stories that read it")
    feedback = command("feedback", "list the feedback people gave alerts in Slack")
    feedback.add_argument("--story", help="only this story's (default: every story's)")
    migrate = command("migrate-store", "copy the state into a new database (SQLite or PostgreSQL)")
    migrate.add_argument("--to", required=True, metavar="URL",
                         help="postgresql://user:password@host:5432/name or sqlite:///path (must be empty)")
    forget = command("forget-story", "delete the data of a story that is no longer in the config")
    forget.add_argument("name")
    opml = command("import-opml", "add the feeds of an OPML file to the config file, keeping its comments")
    opml.add_argument("file", type=Path)
    args = parser.parse_args(argv)

    from monitor.logs import setup_logging

    try:
        loaded = load_config(args.config)
    except MonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    setup_logging(loaded.config.service.log_level)
    handler = {"run": _run, "once": _once, "check-config": _check_config, "claims": _claims,
               "decisions": _decisions, "explain": _explain, "sources": _sources,
               "feedback": _feedback, "forget-story": _forget_story, "migrate-store": _migrate_store,
               "import-opml": _import_opml}[args.command]
    try:
        return handler(loaded, args)
    except MonitorError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    except KeyboardInterrupt:
        return 130


def _open(loaded: LoadedConfig):  # type: ignore[no-untyped-def]
    from monitor.app import Monitor

    return Monitor.open(loaded)


def _run(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.scheduler import Service

    monitor = _open(loaded)
    try:
        asyncio.run(Service(monitor).run())
    finally:
        monitor.close()
    return EXIT_OK


def _once(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    monitor = _open(loaded)
    progress = (lambda line: print(f"  {line}", file=sys.stderr)) if sys.stderr.isatty() else None
    try:
        report = asyncio.run(monitor.once(progress))
    finally:
        monitor.close()
    for source in report.failed_sources:
        print(f"source failed: {source.source.name}: {source.detail}", file=sys.stderr)
    delivery = report.delivery
    summary = (f"polled {len(report.sources)} source(s) ({len(report.failed_sources)} failed), "
               f"analysed {len(report.decisions)} article(s), {report.alerts} alert(s)")
    if delivery:
        summary += f", delivered {delivery.sent} message(s), {delivery.remaining} waiting"
    print(summary, file=sys.stderr)
    if delivery and delivery.remaining:
        print(f"error: {delivery.remaining} message(s) remain undelivered: {delivery.error}", file=sys.stderr)
        return EXIT_UNDELIVERED
    return EXIT_OK


def _check_config(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.story.seeds import load_story

    config = loaded.config
    sources = config.sources()
    several = len(config.story_specs()) > 1
    print(f"config: {loaded.path}")
    for spec in config.story_specs():
        story = load_story(loaded.seed_paths(spec), spec.where)
        label = f"story {spec.name}" if several else "story"
        print(f"{label}: {story.name}: {len(story.documents)} seed article(s), {len(story.claims)} known claim(s) "
              f"({story.curated_claims} curated), {len(story.topics)} topic(s); "
              f"{sum(spec.name in s.stories for s in sources)} source(s)"
              + (f"; alerts to {spec.channel}" if spec.channel else ""))
    print(f"sources: {len(sources)}")
    for source in sources:
        readers = f" (read by {', '.join(source.stories)})" if several else ""
        print(f"  - {source.name} [{source.kind.value}] every {source.every_seconds:g}s: {source.url}{readers}")
    print(f"alerts to: {config.slack.target}")
    print(f"state: {config.storage.shown}")
    print("config OK")
    return EXIT_OK


def _claims(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    monitor = _open(loaded)
    try:
        run = monitor.story(args.story)
        needle = (args.text or "").lower()
        corroborations = {r["text"]: r["corroborations"] for r in monitor.store.claim_rows(run.name, limit=100000)}
        shown = 0
        for claim, feats in run.analyser.knowledge.items():
            if needle and needle not in claim.text.lower():
                continue
            seen = corroborations.get(claim.text, 0)
            extra = f", corroborated {seen}x" if seen else ""
            date = f", {claim.date}" if claim.date else ""
            print(f"- {claim.text}\n    [{claim.origin}] {claim.source}{date}{extra}")
            if args.verbose:
                print(f"    {_normalised(feats)}")
            shown += 1
        print(f"{shown} claim(s)")
    finally:
        monitor.close()
    return EXIT_OK


def _normalised(f: Any) -> str:
    parts = [f"names: {', '.join(sorted(f.entities)) or '-'}",
             f"amounts: {', '.join(f'{q.text} [{q.unit} {q.value:g}]' for q in f.quantities) or '-'}",
             f"days: {', '.join(sorted(f.weekdays | f.dates)) or '-'}",
             f"negated: {', '.join(sorted(f.negated)) or '-'}",
             f"threatened/planned: {', '.join(sorted(f.hedge_heads)) or '-'}"]
    return " | ".join(parts)


_POSTED = {"sent": "posted alone", "digested": "in a digest", "held": "waiting for the end of its cycle",
           "pending": "waiting to be posted alone", "sending": "being posted (outcome uncertain)"}


def _decisions(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.config import parse_duration
    from monitor.store import Store

    since = time.time() - parse_duration(args.since) if args.since else None
    names = [s.name for s in loaded.config.story_specs()]
    if args.story is not None and args.story not in names:
        raise ConfigError(f"--story {args.story}: no such story in {loaded.path} (stories: {', '.join(names)})")
    store = Store(loaded.config.storage.url)
    try:
        if len(names) == 1:
            store.adopt(names[0])
        for row in store.decisions(since, args.limit, args.story):
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["processed_at"]))
            story = f"[{row['story']}] " if len(names) > 1 and args.story is None else ""
            post = _POSTED.get(row["post_state"] or "", "") if row["alert_id"] else ""
            if post and row["thread_of"] and row["post_state"] != "digested":
                post += f", in the thread of {row['thread_of']}"
            if post and row["feedback"]:
                post += f"; feedback: {row['feedback']}"
            print(f"{when}  {story}{row['verdict']:<20} {row['source_name'] or row['source_url']}: {row['title']}\n"
                  f"    {row['url']}\n    why: {row['reason']}" + (f"\n    post: {post}" if post else ""))
    finally:
        store.close()
    return EXIT_OK


def _explain(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.explain import explain

    monitor = _open(loaded)
    try:
        print(asyncio.run(explain(monitor, args.target, args.story)))
    finally:
        monitor.close()
    return EXIT_OK


def _sources(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.scheduler import backoff_delay
    from monitor.store import Store

    config = loaded.config
    every = {s.url: s.every_seconds for s in config.sources()}
    readers = {s.url: s.stories for s in config.sources()}
    store = Store(config.storage.url)
    try:
        store.sync_sources(config.sources())
        rows = []
        for s in store.sources():
            if s.url not in every:
                continue
            wait = backoff_delay(every[s.url], s.error_count, config.polling.max_backoff, s.retry_after) \
                if s.error_count else every[s.url]
            rows.append({"name": s.name, "url": s.url, "kind": s.kind, "last_success": _ts(s.last_success),
                         "last_error": s.last_error, "errors": s.error_count,
                         "next_poll": _ts(s.last_polled + wait) if s.last_polled else "at start",
                         "items_seen": s.items_seen, "alerts": s.alerts, "stories": list(readers[s.url])})
    finally:
        store.close()
    print(_table(rows) if sys.stdout.isatty() else json.dumps(rows, indent=2))
    return EXIT_OK


def _feedback(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.store import Store

    store = Store(loaded.config.storage.url)
    try:
        rows = store.feedback(args.story)
        for row in rows:
            when = time.strftime("%Y-%m-%d %H:%M", time.localtime(row["given_at"]))
            about = row["title"] or row["alert_id"]
            print(f"{when}  [{row['story']}] {row['action']:<12} by {row['person']}: {about}\n    {row['url'] or ''}")
        print(f"{len(rows)} feedback(s)")
    finally:
        store.close()
    return EXIT_OK


def _migrate_store(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.store import Store

    source = Store(loaded.config.storage.url)
    try:
        target = Store(args.to)
        try:
            if not target.is_empty():
                raise ConfigError(f"{target.where}: already holds state; migrate into an empty database")
            copied = source.copy_to(target)
        finally:
            target.close()
    finally:
        source.close()
    print(f"copied {', '.join(f'{n} {table}' for table, n in copied.items())} from {loaded.config.storage.shown} "
          f"to {target.where}; set storage.url to it and start the monitor")
    return EXIT_OK


def _forget_story(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.store import Store

    if args.name in {s.name for s in loaded.config.story_specs()}:
        raise ConfigError(f"story {args.name} is still in {loaded.path}; remove it from the config first")
    store = Store(loaded.config.storage.url)
    try:
        if args.name not in store.stories():
            raise ConfigError(f"{store.where}: holds no data of a story {args.name!r} "
                              f"(stories with data: {', '.join(store.stories()) or 'none'})")
        items, claims = store.forget_story(args.name)
    finally:
        store.close()
    print(f"forgot story {args.name}: {items} item(s), {claims} claim(s), its alerts and its as-of")
    return EXIT_OK


def _import_opml(loaded: LoadedConfig, args: argparse.Namespace) -> int:
    from monitor.opml import import_opml

    added, present = import_opml(args.file, loaded.path)
    load_config(loaded.path)  # the result must still be a valid config
    print(f"added {added} feed(s) to {loaded.path}; {present} were already there")
    return EXIT_OK


def _ts(value: float | None) -> str | None:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(value)) if value else None


def _table(rows: list[dict[str, Any]]) -> str:
    lines = [f"{'source':<28} {'last success':<20} {'next poll':<20} {'errors':>6} {'items':>6} {'alerts':>6}"
             f"  {'stories':<24}  last error"]
    for r in rows:
        lines.append(f"{r['name'][:28]:<28} {r['last_success'] or '-':<20} {r['next_poll']:<20} {r['errors']:>6} "
                     f"{r['items_seen']:>6} {r['alerts']:>6}  {', '.join(r['stories'])[:24]:<24}  "
                     f"{(r['last_error'] or '')[:60]}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
