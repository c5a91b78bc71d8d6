"""`make bench`: speed and memory of the monitor against baselines measured in the same run.

1. Poll cycle: 1,000 feeds on 50 loopback hosts, 10% with one new item, the rest 304 -
   `monitor once` against a bare httpx client doing the same requests plus trafilatura (the floor);
   then ten stories sharing those feeds against one story.
2. Article pipeline: 500 pages of 100-300 KB through fetch -> extract -> analyse -> decide,
   against trafilatura alone on the same bytes.
3. Knowledge growth: analysis time per article with 100, 1,000 and 10,000 known claims.
4. Memory: peak RSS after analysing 10,000 articles.
Prints a table and writes bench/results.md with the machine description.
"""

from __future__ import annotations

import asyncio
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar

import lxml.html
import trafilatura

from bench.corpus import STORY_YAML, article_page, article_text, other_story_yaml, sentence
from bench.servers import NewsHosts, pages_in_child
from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.decide import decide
from monitor.fetch import Fetcher, FetchSettings
from monitor.model import Article, Extracted, Fetched, KnownClaim
from monitor.story.seeds import load_story
from monitor.workers import ExtractionPool
from scripts.postgres_server import PostgresServer

HERE = Path(__file__).resolve().parent
ROUNDS = 3  # timed measures are the median of this many alternating runs: the machine's speed drifts
MONITOR = str(Path(sys.executable).with_name("monitor"))
T = TypeVar("T")


@dataclass
class Row:
    name: str
    value: str
    baseline: str
    ratio: float | None
    target: str
    ok: bool | None


@dataclass
class Usage:
    wall: float
    cpu: float
    peak_mb: float


def measure(command: list[str]) -> Usage:
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{command[0]} failed: {proc.stderr.read().decode()[-2000:] if proc.stderr else ''}")
    return Usage(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def median(runs: list[T], key: Callable[[T], float]) -> T:
    """The run with the median ``key`` (its wall time, say)."""
    return sorted(runs, key=key)[len(runs) // 2]


def trafilatura_alone(page: bytes) -> None:
    """The baseline extraction: trafilatura as the monitor calls it (comments off, metadata on)."""
    trafilatura.bare_extraction(page, include_comments=False, with_metadata=True)


def story_dir(root: Path) -> Path:
    seeds = root / "seeds"
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "story.yaml").write_text(STORY_YAML, encoding="utf-8")
    return seeds


def other_story_dir(root: Path, k: int) -> Path:
    """The seeds of another story, on a subject of its own (words the benchmark articles never use)."""
    seeds = root / f"seeds-{k}"
    seeds.mkdir(parents=True, exist_ok=True)
    (seeds / "story.yaml").write_text(other_story_yaml(k), encoding="utf-8")
    return seeds


# ------------------------------------------------------------------ 1. poll cycle

def poll_cycle(work: Path) -> list[Row]:
    hosts, feeds_n, changed_n = 50, 1000, 100
    news = NewsHosts(hosts)
    try:
        urls = []
        for i in range(feeds_n):
            path = f"/feed/{i}.xml"
            news.set_feed(path, [])
            urls.append(news.base(i % hosts + 1) + path)
        tail = ["http:", "  allow_private_networks: true", "service:", "  log_level: WARNING", "feeds:"]
        tail += [f"  - url: {u}" for u in urls]
        configs = {  # one story; ten stories reading the same feeds (the first one's story, nine others)
            "one": ["story:", f"  seeds: [{story_dir(work)}]"],
            "ten": ["stories:", "  - name: s0", f"    seeds: [{story_dir(work)}]"]
            + [line for k in range(1, 10) for line in (f"  - name: s{k}", f"    seeds: [{other_story_dir(work, k)}]")],
        }
        primed = {}
        for name, head in configs.items():
            config = work / f"cycle-{name}.yaml"
            config.write_text("\n".join([*head, *tail, "storage:", f"  url: sqlite:///{work / f'cycle-{name}.db'}"])
                              + "\n", encoding="utf-8")
            subprocess.run([MONITOR, "once", "--config", str(config)], check=True, capture_output=True)  # ETags
            primed[name] = work / f"primed-{name}.db"
            shutil.copyfile(work / f"cycle-{name}.db", primed[name])
        etags = {u: news.etag(news.feeds[f"/feed/{i}.xml"]) for i, u in enumerate(urls)}
        for i in range(0, feeds_n, feeds_n // changed_n):
            page = f"/article/{i}.html"
            news.add_page(page, i)
            news.set_feed(f"/feed/{i}.xml", [(f"a{i}", news.base(i % hosts + 1) + page)])
        spec = work / "floor.json"
        settings = FetchSettings(user_agent="bench")
        spec.write_text(json.dumps({"feeds": etags, "concurrency": settings.concurrency,
                                    "per_host": settings.per_host}))
        floors: list[Usage] = []
        cycles: dict[str, list[Usage]] = {name: [] for name in configs}
        for _ in range(ROUNDS):
            floors.append(measure([sys.executable, "-m", "bench.floor", str(spec)]))
            for name in configs:
                shutil.copyfile(primed[name], work / f"cycle-{name}.db")  # every round finds the same 100 new items
                cycles[name].append(measure([MONITOR, "once", "--config", str(work / f"cycle-{name}.yaml")]))
    finally:
        news.close()
    floor = median(floors, key=lambda u: u.wall)
    ours, ten = (median(cycles[name], key=lambda u: u.wall) for name in ("one", "ten"))
    return [
        Row("cycle wall time (1,000 feeds, 100 new)", f"{ours.wall:.2f} s", f"{floor.wall:.2f} s",
            ours.wall / floor.wall, "<= 1.5x floor", ours.wall / floor.wall <= 1.5),
        Row("cycle CPU time (main process)", f"{ours.cpu:.2f} s", f"{floor.cpu:.2f} s", ours.cpu / floor.cpu,
            "-", None),
        Row("cycle peak RSS", f"{ours.peak_mb:.0f} MB", f"{floor.peak_mb:.0f} MB", ours.peak_mb / floor.peak_mb,
            "-", None),
        Row("cycle wall time, 10 stories sharing the feeds", f"{ten.wall:.2f} s", f"{ours.wall:.2f} s (1 story)",
            ten.wall / ours.wall, "<= 2x one story", ten.wall / ours.wall <= 2),
        Row("cycle peak RSS, 10 stories", f"{ten.peak_mb:.0f} MB", f"{ours.peak_mb:.0f} MB (1 story)",
            ten.peak_mb / ours.peak_mb, "-", None),
    ]


# ------------------------------------------------------------------ 2. article pipeline

REAL_PAGES = HERE.parents[1] / "shared" / "realworld" / "pages"  # real news pages, when ../shared is present


def page_realism(work: Path) -> list[Row]:
    """How the generated pages compare with real news pages of the same size: elements per kilobyte
    (what a parser walks) and trafilatura's time per kilobyte.  The pipeline's ratios depend on it."""
    generated = _page_profile([article_page(10_000 + i) for i in range(40)])
    real = [p for p in sorted(REAL_PAGES.rglob("*.htm*")) if 100_000 <= p.stat().st_size <= 300_000] \
        if REAL_PAGES.is_dir() else []
    if not real:
        return [Row("generated pages: elements per KB, trafilatura time per KB", generated, "- (no ../shared)",
                    None, "-", None)]
    return [Row(f"generated pages vs {len(real)} real news pages of 100-300 KB in ../shared/realworld: "
                "elements per KB, trafilatura time per KB", generated,
                _page_profile([p.read_bytes() for p in real]), None, "-", None)]


def _page_profile(pages: list[bytes]) -> str:
    elements, times = [], []
    for page in pages:
        elements.append(sum(isinstance(e.tag, str) for e in lxml.html.fromstring(page).iter()) / len(page) * 1000)
        started = time.perf_counter()
        trafilatura_alone(page)
        times.append((time.perf_counter() - started) / len(page) * 1000)
    return f"{statistics.median(elements):.1f} / {1000 * statistics.median(times):.2f} ms (median)"


def pipeline(work: Path) -> list[Row]:
    n = 500
    pages = {f"/article/{i}.html": 10_000 + i for i in range(n)}
    with pages_in_child(5, pages) as port:
        urls = [f"http://127.0.0.{i % 5 + 1}:{port}{path}" for i, path in enumerate(pages)]
        return _pipeline(work, urls, [article_page(seed) for seed in pages.values()])


def _pipeline(work: Path, urls: list[str], bodies: list[bytes]) -> list[Row]:
    n = len(urls)
    baselines, runs, analyses = [], [], []
    for _ in range(ROUNDS):
        baselines.append(_extraction_only(bodies))
        runs.append(_monitor_pipeline(work, urls))
        analyses.append(_analysis_only(work, runs[-1].articles))
    baseline, analysis = median(baselines, key=float), median(analyses, key=float)
    run = median(runs, key=lambda r: r.wall)
    per_stage = ", ".join(f"{k} {v:.1f} s" for k, v in run.stages.items()) + f"; {run.workers} extraction worker(s)"
    return [
        Row(f"pipeline, {n} pages ({per_stage})", f"{run.wall:.1f} s ({n / run.wall:.1f} articles/s)",
            f"{baseline:.1f} s ({n / baseline:.1f}/s)", run.wall / baseline, "<= 1.5x trafilatura",
            run.wall / baseline <= 1.5),
        Row("analysis after extraction (analyse, decide, learn), per article",
            f"{1000 * analysis / n:.1f} ms", f"{1000 * baseline / n:.1f} ms", analysis / baseline,
            "<= 0.5x extraction", analysis / baseline <= 0.5),
    ]


def _extraction_only(bodies: list[bytes]) -> float:
    started = time.perf_counter()
    for body in bodies:
        trafilatura_alone(body)
    return time.perf_counter() - started


WARM_UP_PAGE = b"<html><body><article><p>The workers are up and extracting pages now.</p></article></body></html>"


@dataclass
class PipelineRun:
    wall: float
    stages: dict[str, float]
    workers: int
    articles: list[Article]


def _monitor_pipeline(work: Path, urls: list[str]) -> PipelineRun:
    analyser = Analyser(load_story([story_dir(work)]), AnalysisSettings())
    stages = {"fetch+extract": 0.0, "analyse": 0.0, "decide+learn": 0.0}
    articles: list[Article] = []

    async def run() -> None:
        # As in the monitor: pages are fetched and extracted concurrently (extraction in worker
        # processes, pages waiting for a worker taken in the analysis's order) while the analysis
        # takes them in order, one at a time.
        async with Fetcher(FetchSettings(user_agent="bench", allow_private_networks=True)) as fetcher:

            async def prepare(position: int, url: str) -> Extracted | None:
                fetched = await fetcher.fetch(url)
                extracted = await extractor.extract(fetched.body, fetched.final_url, (position,)) \
                    if isinstance(fetched, Fetched) else None
                stages["fetch+extract"] = time.perf_counter() - started
                return extracted

            pending = [asyncio.ensure_future(prepare(i, u)) for i, u in enumerate(urls)]
            loop = asyncio.get_running_loop()
            for url, task in zip(urls, pending, strict=True):
                ex = await task
                if ex is not None:
                    article = Article(url=url, title=ex.title or url, source_name="bench", text=ex.text,
                                      published=datetime.now(UTC))
                    articles.append(article)
                    await loop.run_in_executor(analysis_pool, analyse, article)

    def analyse(article: Article) -> None:
        t = time.thread_time()
        analysis = analyser.analyse(article)
        stages["analyse"] += time.thread_time() - t
        t = time.thread_time()
        decide(analysis)
        analyser.learn(analysis, "bench", None)
        stages["decide+learn"] += time.thread_time() - t

    with ExtractionPool() as extractor, ThreadPoolExecutor(1) as analysis_pool:
        # A running service has its workers up; the baseline's trafilatura is imported before its clock too.
        asyncio.run(extractor.extract(WARM_UP_PAGE, "http://127.0.0.1/warm-up"))
        started = time.perf_counter()
        asyncio.run(run())
        return PipelineRun(time.perf_counter() - started, stages, extractor.workers, articles)


def _analysis_only(work: Path, articles: list[Article]) -> float:
    """Analyse, decide and learn the extracted articles one after another, as the baseline extracts."""
    analyser = Analyser(load_story([story_dir(work)]), AnalysisSettings())
    started = time.perf_counter()
    for article in articles:
        analysis = analyser.analyse(article)
        decide(analysis)
        analyser.learn(analysis, "bench", None)
    return time.perf_counter() - started


# ------------------------------------------------------------------ 3. knowledge growth

def growth(work: Path) -> list[Row]:
    import random

    rng = random.Random(3)
    claims = [sentence(rng) + f" Case {i}." for i in range(10_000)]
    articles = []
    for i in range(50):
        title, body = article_text(20_000 + i)
        articles.append(Article(url=f"http://127.0.0.1/g{i}", title=title, source_name="bench", text=body,
                                published=None))
    timings = {}
    for size in (100, 1_000, 10_000):
        story = load_story([story_dir(work)])
        analyser = Analyser(story, AnalysisSettings())
        for text in claims[:size]:
            analyser.remember(KnownClaim(text, "bench", None, "article"))
        started = time.perf_counter()
        for _ in range(2):
            for article in articles:
                analyser.analyse(article)
        timings[size] = (time.perf_counter() - started) / (2 * len(articles))
    ratio = timings[10_000] / timings[100]
    return [Row("analysis per article, 100 / 1,000 / 10,000 claims",
                " / ".join(f"{1000 * timings[s]:.1f} ms" for s in (100, 1_000, 10_000)),
                f"{1000 * timings[100]:.1f} ms", ratio, "10k <= 2x 100", ratio <= 2)]


# ------------------------------------------------------------------ 4. memory

MEMORY_SCRIPT = """
import resource, sys
from pathlib import Path
from bench.corpus import article_text
from monitor.analyse import Analyser
from monitor.analysis_settings import AnalysisSettings
from monitor.decide import decide
from monitor.model import Article
from monitor.story.seeds import load_story
from monitor.workers import ExtractionPool
analyser = Analyser(load_story([Path(sys.argv[1])]), AnalysisSettings())
start = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
for i in range(10_000):
    title, body = article_text(i)
    analysis = analyser.analyse(Article(url=f"http://127.0.0.1/m{i}", title=title, source_name="b", text=body,
                                        published=None))
    decide(analysis)
    analyser.learn(analysis, "bench", None)
print(start // 1024, len(analyser.knowledge))
"""


def memory(work: Path) -> list[Row]:
    usage = measure([sys.executable, "-c", MEMORY_SCRIPT, str(story_dir(work))])
    # The parser's model is loaded on the first conflict to confirm; its share is measured in this run.
    bare = measure([sys.executable, "-c", "import monitor.story.parse"])
    parsing = measure([sys.executable, "-c", "from monitor.story.parse import parse; parse('Crews left on 4 July.')"])
    model = parsing.peak_mb - bare.peak_mb
    return [Row("peak RSS after 10,000 articles (text, analysed and learnt)", f"{usage.peak_mb:.0f} MB", "-",
                None, f"<= 300 MB + parser model ({model:.0f} MB)", usage.peak_mb <= 300 + model)]


# ------------------------------------------------------------------ 5. timeline page

def timeline_page(work: Path) -> list[Row]:
    """The story page over 10,000 decisions (2,000 of them alerts, a tenth contradictions) on 40 days."""
    from monitor.store import Store
    from monitor.web.pages import Pages, StoryInfo
    from monitor.web.timeline import Timeline

    rng = random.Random(5)
    store = Store(work / "page.db")
    sources = [f"http://127.0.0.1/feed/{i}.xml" for i in range(20)]
    with store.transaction():
        for i in range(10_000):
            title, body = article_text(i % 500)
            alert = i % 5 == 0
            verdict = ("alert-contradiction" if i % 50 == 0 else "alert-new") if alert else rng.choice(
                ["nothing-new", "duplicate", "off-topic", "background"])
            detail = [{"text": sentence(rng), "status": "contradiction" if verdict == "alert-contradiction" else "new",
                       "score": 0.5, "reason": "amount differs", "matched": sentence(rng), "matched_source": "Wire"}
                      for _ in range(3)]
            store.record_item(story="s", source_url=sources[i % 20], item_key=f"k{i}", url=f"http://127.0.0.1/a/{i}",
                              canonical_url=f"http://127.0.0.1/a/{i}", title=title,
                              published=f"2026-02-{1 + i % 28:02d}T10:00:00+00:00", verdict=verdict, reason="r",
                              relevance=0.5, duplicate_of=None, detail=detail, text=body,
                              alert_id=f"alert:{i:032x}" if alert else None)
        store.add_claims("s", [KnownClaim(sentence(rng), "Wire", "2026-02-01", "article") for _ in range(2000)])
    store.close()
    story = StoryInfo("s", tuple(KnownClaim(sentence(rng), "Seed", "2026-01-01", "seed-article") for _ in range(40)),
                      tuple(sources))
    pages = Pages(Timeline(work / "page.db"), lambda: [story])
    times = []
    for target in ["/stories/s"] * 5 + ["/stories/s?page=20&kind=new"] * 5:
        started = time.perf_counter()
        page = pages.handle(target, {})
        times.append(time.perf_counter() - started)
        assert page is not None and page.status == 200 and page.body.count(b'class="card alert') == 50
    first, later = statistics.median(times[:5]), statistics.median(times[5:])
    worst = max(first, later)
    return [Row("timeline page, story of 10,000 decisions (first page / page 21 filtered)",
                f"{first * 1000:.0f} ms / {later * 1000:.0f} ms", "-", None, "< 300 ms server time", worst < 0.3)]


# ------------------------------------------------------------------ 6. replicas

def replicas(work: Path) -> list[Row]:
    """5,000 feeds (500 with a new item) polled by 1, 2 and 3 `monitor run` replicas on one PostgreSQL, each
    count from the same primed database: the time until every feed was polled and every new item decided."""
    from scripts.postgres_server import PostgresMissing, local_postgres

    try:
        with local_postgres() as pg:
            return _replicas(work, pg)
    except PostgresMissing as exc:
        return [Row("replicas on PostgreSQL", f"not measured: {exc}", "-", None, "-", None)]


def _replicas(work: Path, pg: PostgresServer) -> list[Row]:
    hosts, feeds_n, changed_n = 50, 5000, 500
    news = NewsHosts(hosts)
    try:
        urls = []
        for i in range(feeds_n):
            news.set_feed(f"/feed/{i}.xml", [])
            urls.append(news.base(i % hosts + 1) + f"/feed/{i}.xml")
        primed = pg.new_database()

        def config(name: str, database: str, port: int) -> Path:
            path = work / f"{name}.yaml"
            path.write_text("\n".join(
                ["story:", f"  seeds: [{story_dir(work)}]", "polling:", "  every: 1h", "http:",
                 "  allow_private_networks: true", "service:", "  log_level: WARNING", f"  listen: 127.0.0.1:{port}",
                 f"  replica_id: {name}", "storage:", f"  url: {database}", "feeds:"]
                + [f"  - url: {u}" for u in urls]) + "\n", encoding="utf-8")
            return path

        subprocess.run([MONITOR, "once", "--config", str(config("prime", primed, 0))], check=True,
                       capture_output=True)  # every feed's ETag stored: the cycles below see 304s
        for i in range(0, feeds_n, feeds_n // changed_n):
            news.add_page(f"/article/{i}.html", i)
            news.set_feed(f"/feed/{i}.xml", [(f"a{i}", news.base(i % hosts + 1) + f"/article/{i}.html")])
        results = {n: _replica_cycle(pg, primed, n, config, feeds_n, changed_n) for n in (1, 2, 3)}
    finally:
        news.close()
    one = results[1]
    rows = []
    for n, r in results.items():
        name = f"cycle with {n} replica{'s' if n > 1 else ''} on PostgreSQL (5,000 feeds, 500 new; polls per replica " \
               f"{' / '.join(f'{p:,}' for p in r.polls)})"
        baseline = f"{one.seconds:.1f} s, busiest {one.busiest_cpu:.1f} s CPU (1 replica)" if n > 1 else "-"
        rows.append(Row(name, f"{r.seconds:.1f} s, busiest replica {r.busiest_cpu:.1f} s CPU; "
                              f"{r.statements / changed_n:.0f} statements per new article "
                              f"({r.statements / feeds_n:.1f} per feed)", baseline,
                        r.seconds / one.seconds if n > 1 else None, "every feed polled once, every item decided once",
                        r.exact))
    return rows


@dataclass
class ReplicaCycle:
    seconds: float
    statements: float
    polls: list[int]
    busiest_cpu: float  # CPU seconds of the busiest replica's main process, start to stop
    exact: bool


def _replica_cycle(pg: PostgresServer, primed: str, n: int, config: Callable[[str, str, int], Path],
                   feeds_n: int, items_n: int) -> ReplicaCycle:
    import urllib.request

    import psycopg

    database = pg.new_database(template=primed.rsplit("/", 1)[1])
    ports = [_free_port() for _ in range(n)]
    configs = [config(f"r{k}", database, port) for k, port in enumerate(ports)]
    started = time.perf_counter()
    moment = time.time()
    procs = [subprocess.Popen([MONITOR, "run", "--config", str(c)], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL) for c in configs]
    try:
        with psycopg.connect(database, autocommit=True) as db:
            deadline = time.monotonic() + 900
            while time.monotonic() < deadline:
                polled, items = db.execute(
                    "SELECT (SELECT COUNT(*) FROM sources WHERE last_polled >= %s), (SELECT COUNT(*) FROM items)",
                    (moment,)).fetchone() or (0, 0)
                if polled >= feeds_n and items >= items_n:
                    break
                time.sleep(0.2)  # a benchmark's progress check, not a test's synchronisation
            seconds = time.perf_counter() - started
            distinct = db.execute("SELECT COUNT(DISTINCT (source_url, item_key)) FROM items").fetchone()
        statements, polls = 0.0, []
        for port in ports:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as resp:
                text = resp.read().decode()
            values = {line.split()[0]: float(line.split()[1]) for line in text.splitlines()
                      if line and not line.startswith("#")}
            statements += values.get("monitor_database_statements", 0.0)
            polls.append(int(sum(v for k, v in values.items() if k.startswith("monitor_polls_total{"))))
    finally:
        for proc in procs:
            proc.terminate()
        cpu = []
        for proc in procs:
            _, _, usage = os.wait4(proc.pid, 0)
            cpu.append(usage.ru_utime + usage.ru_stime)
    exact = items == items_n and distinct is not None and distinct[0] == items_n and sum(polls) == feeds_n
    return ReplicaCycle(seconds, statements, polls, max(cpu), exact)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


# ------------------------------------------------------------------ report

def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    mem = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                if line.startswith("MemTotal")), "0")
    return (f"{cpu}, {os.cpu_count()} cores, {int(mem) / 1024 / 1024:.0f} GiB RAM, "
            f"Python {platform.python_version()}, {platform.system()} {platform.release()}")


METHOD = " ".join(f"""
The article pages are generated with the markup of real news pages (menus, teaser grids with responsive
images and tracking attributes, layout nesting, a seventh of inline script), and the page realism row compares
their elements and trafilatura time per kilobyte with the real news pages of 100-300 KB in ../shared/realworld.
Every baseline runs in the same `make bench` invocation against the same loopback servers (127.0.0.1-127.0.0.50);
the cycle and pipeline rows are the median of {ROUNDS} runs, alternating with their baselines, because the machine's
speed drifts. The cycle floor is a bare httpx client with the monitor's concurrency limits doing the same conditional
GETs and article fetches, then trafilatura on the new pages; both are measured as processes (wall clock, user+system
CPU, peak RSS from wait4). The monitor's cycle CPU time is its main process only: the extraction workers fork from a
server process that wait4 does not account for. The ten-story cycle is the same `monitor once` with a `stories:` list
of ten reading the same 1,000 shared feeds: the benchmark's story and nine others made of invented words (each with a
story file of its own), so that every new article is fetched and extracted once, fully analysed by one story and
checked for relevance by nine; it alternates with the one-story cycle, from the same primed state.
The pipeline baseline is trafilatura's bare_extraction (comments off,
metadata on, as the monitor uses it) over the same page bytes, sequentially; the monitor fetches concurrently,
extracts in worker processes (one per core, started before the clock as in a running service) and analyses
in order as pages become ready. Its fetch+extract
is the time until the last page was extracted, and its analysis stages are the analysis thread's CPU time while
extraction runs beside it. The pages are served from a separate process, so that serving them never holds the
measured process's interpreter lock. The analysis row times analyse, decide and learn over the same extracted
articles once more, one after another in one process, as the baseline runs trafilatura. Knowledge growth times
`Analyser.analyse` on the same 50 articles with more known claims. Memory analyses and learns 10,000 generated
article texts (no HTML) in one process. The replica rows start a PostgreSQL server of their own (Debian's binaries,
fsync off), prime one database with a `monitor once` over 5,000 feeds (every ETag stored), then for 1, 2 and 3
replicas copy it (CREATE DATABASE ... TEMPLATE) and start that many `monitor run` processes at once, timing from
their start until every feed has been polled and all 500 new items decided; statements are the sum of the
replicas' `monitor_database_statements`, CPU the busiest replica's main process (wait4).
""".split())


def table(rows: list[Row]) -> str:
    lines = ["| measure | monitor | baseline | ratio | target | |", "|---|---|---|---|---|---|"]
    for r in rows:
        verdict = "" if r.ok is None else ("pass" if r.ok else "MISS")
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "-"
        lines.append(f"| {r.name} | {r.value} | {r.baseline} | {ratio} | {r.target} | {verdict} |")
    return "\n".join(lines)


STEPS: dict[str, Callable[[Path], list[Row]]] = {
    "poll cycle": poll_cycle, "page realism": page_realism, "article pipeline": pipeline,
    "knowledge growth": growth, "memory": memory, "timeline page": timeline_page, "replicas": replicas}


def run_step(name: str, work: Path) -> list[Row]:
    """One step in a fresh process: a child forked by a process that has grown (after the pipeline
    step, say) would count its parent's pages in its peak RSS."""
    print(f"running: {name} ...", file=sys.stderr, flush=True)
    done = subprocess.run([sys.executable, "-m", "bench.run", "--step", name, str(work)], check=True,
                          stdout=subprocess.PIPE, text=True)
    return [Row(**row) for row in json.loads(done.stdout)]


def main() -> int:
    if sys.argv[1:2] == ["--step"]:
        name, work = sys.argv[2], Path(sys.argv[3])
        print(json.dumps([asdict(row) for row in STEPS[name](work)]))
        return 0
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="monitor-bench-") as tmp:
        for name in STEPS:
            rows += run_step(name, Path(tmp) / name.replace(" ", "-"))
    report = table(rows)
    print(report)
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    (HERE / "results.md").write_text(
        f"# Benchmark results\n\nMeasured {when} on {machine()}.\n\n{report}\n\n"
        f"Method: {METHOD}\n", encoding="utf-8")
    return 0 if all(r.ok is not False for r in rows) else 1


if __name__ == "__main__":
    os.chdir(HERE.parent)
    sys.exit(main())
