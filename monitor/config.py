"""Configuration: YAML in, validated pydantic models out, with errors that say where.

Every error names the file, the key path (``feeds[2].every``), the line when
known, and what was expected.  ``${VAR}`` and ``${VAR:-default}`` are replaced
from the environment before validation; a missing variable is an error.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import YAMLError

from monitor.analysis_settings import AnalysisSettings
from monitor.database import redact_url
from monitor.errors import ConfigError
from monitor.model import Source, SourceKind

log = logging.getLogger(__name__)

DEFAULT_CONFIG_PATH = "config/monitor.yaml"
_DURATION = re.compile(r"(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)")
_UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
_ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def parse_duration(value: object) -> float:
    """``30s``, ``10m``, ``1h30m``, ``2d`` or a number of seconds -> seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s, 10m or 1h")
    if isinstance(value, int | float):
        seconds = float(value)
    elif isinstance(value, str):
        text = value.strip().lower()
        parts = _DURATION.findall(text)
        if not parts or _DURATION.sub("", text).strip():
            raise ValueError(f"expected a duration such as 30s, 10m or 1h, got {value!r}")
        seconds = sum(float(n) * _UNIT_SECONDS[u] for n, u in parts)
    else:
        raise ValueError("expected a duration such as 30s, 10m or 1h")
    if seconds <= 0:
        raise ValueError(f"a duration must be positive, got {value!r}")
    return seconds


Duration = Annotated[float, BeforeValidator(parse_duration)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


DEFAULT_STORY = "default"  # the name of the one story of the single ``story:`` form, unless it gives one
_STORY_NAME = r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,63}$"


class StoryConfig(_Strict):
    seeds: list[str] = Field(min_length=1)
    name: str = Field(default=DEFAULT_STORY, pattern=_STORY_NAME)


class FeedConfig(_Strict):
    url: str
    name: str | None = None
    every: Duration | None = None
    kind: SourceKind = SourceKind.FEED

    @field_validator("url")
    @classmethod
    def _http_url(cls, url: str) -> str:
        if not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
        return url

    @field_validator("every")
    @classmethod
    def _at_least_a_second(cls, every: float | None) -> float | None:
        if every is not None and every < 1:
            raise ValueError(f"the poll interval must be at least 1s, got {every:g}s")
        return every


class SlackConfig(_Strict):
    token: str | None = None
    channel: str | None = None
    api_url: str | None = None
    webhook_url: str | None = None
    timeout: Duration = 15.0
    max_alerts_per_cycle: int = Field(default=5, ge=0)   # alone per cycle; any more go into one digest
    max_alerts_per_window: int = Field(default=5, ge=0)  # `monitor run`: alone per rolling alert_window
    alert_window: Duration = 600.0
    corroboration_replies: bool = True  # a silent "also reported by" reply in the alert's thread
    app_token: str | None = None  # xapp-...: feedback buttons, received through Socket Mode

    @model_validator(mode="after")
    def _complete(self) -> SlackConfig:
        if self.app_token and not self.app_token.startswith("xapp-"):
            raise ValueError("slack.app_token: expected an app-level token (xapp-...), with the connections:write "
                             "scope")
        if self.app_token and not self.token:
            raise ValueError("slack.app_token needs slack.token too (the bot updates the alerts people answer)")
        if self.token and not self.channel:
            raise ValueError("slack.channel is required when slack.token is set")
        if self.token and self.webhook_url:
            raise ValueError("set either slack.token or slack.webhook_url, not both")
        return self

    @property
    def target(self) -> str:
        if self.token:
            return f"Slack channel {self.channel} (bot token {redact(self.token)})"
        if self.webhook_url:
            return "Slack incoming webhook (URL redacted)"
        return "console (no Slack token or webhook configured)"


class HttpConfig(_Strict):
    allow_private_networks: bool = False
    respect_robots: bool = True
    user_agent: str = "story-monitor/0.1 (+https://github.com/; news monitor for one story)"
    connect_timeout: Duration = 10.0
    read_timeout: Duration = 20.0
    total_timeout: Duration = 45.0
    max_bytes: int = Field(default=5 * 1024 * 1024, gt=0)
    max_redirects: int = Field(default=5, ge=0, le=20)
    concurrency: int = Field(default=32, gt=0)
    per_host: int = Field(default=4, gt=0)


class StorageConfig(_Strict):
    url: str = "sqlite:///data/monitor.db"  # or postgresql://user:${PASSWORD}@host:5432/name

    @field_validator("url")
    @classmethod
    def _supported(cls, url: str) -> str:
        if not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
            raise ValueError(f"expected sqlite:///path/to/file.db or postgresql://user:password@host:5432/name, "
                             f"got {redact_url(url)!r}")
        return url

    @property
    def shown(self) -> str:
        """Where the state is, for people: the SQLite file, or the database URL without its password."""
        return self.url.removeprefix("sqlite:///") if self.url.startswith("sqlite:///") else redact_url(self.url)


class ServiceConfig(_Strict):
    listen: str = "127.0.0.1:8080"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    extraction_workers: int | None = Field(default=None, ge=1)  # None: one per usable CPU (affinity, container quota)
    auth_token: str | None = None   # the timeline pages need it (bearer header or cookie) when set
    public_url: str | None = None   # where people reach the pages: alerts link to their timeline entry
    replica_id: str | None = None   # with PostgreSQL: this replica's name among the others (default host-pid)
    lease_seconds: Duration = 60.0  # a replica's leases and claims outlive its last sign of life by this

    @field_validator("public_url")
    @classmethod
    def _base_url(cls, url: str | None) -> str | None:
        if url is not None and not re.match(r"^https?://[^/\s]+", url):
            raise ValueError(f"expected an http:// or https:// URL, got {url!r}")
        return url.rstrip("/") if url else None

    @field_validator("listen")
    @classmethod
    def _host_port(cls, listen: str) -> str:
        host, sep, port = listen.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) < 65536:
            raise ValueError(f"expected host:port such as 127.0.0.1:8080, got {listen!r}")
        return listen


class PollingConfig(_Strict):
    every: Duration = 600.0
    jitter: float = Field(default=0.1, ge=0, le=0.5)
    max_backoff: Duration = 6 * 3600.0
    failure_notice_after: int = Field(default=3, ge=1)


_ANALYSIS_DEFAULTS = AnalysisSettings()


class JudgeConfig(_Strict):
    kind: Literal["openai", "anthropic", "nli"]
    url: str | None = None          # API base: https://api.openai.com/v1, http://127.0.0.1:11434/v1, ...
    model: str | None = None
    api_key: str | None = None
    path: str | None = None         # nli: a local folder with the cross-encoder
    timeout: Duration = 20.0
    max_calls: int = Field(default=50, ge=1)   # cost cap: judge calls per cycle
    ambiguous_from: float = Field(default=0.3, ge=0, le=1)   # similarity band of the pairs it is asked about
    ambiguous_to: float = Field(default=0.55, ge=0, le=1)

    @model_validator(mode="after")
    def _complete(self) -> JudgeConfig:
        if self.kind == "nli" and not self.path:
            raise ValueError("analysis.judge.path is required for kind nli")
        if self.kind != "nli" and not (self.url and self.model):
            raise ValueError(f"analysis.judge.url and analysis.judge.model are required for kind {self.kind}")
        if self.ambiguous_from >= self.ambiguous_to:
            raise ValueError("analysis.judge.ambiguous_from must be below ambiguous_to")
        return self


class AnalysisConfig(_Strict):
    relevance_threshold: float = Field(default=_ANALYSIS_DEFAULTS.relevance_threshold, ge=0, le=1)
    duplicate_threshold: float = Field(default=_ANALYSIS_DEFAULTS.duplicate_threshold, gt=0, le=1)
    known_threshold: float = Field(default=_ANALYSIS_DEFAULTS.known_threshold, gt=0, le=1)
    max_claims_per_alert: int = Field(default=6, ge=1)
    judge: JudgeConfig | None = None
    semantic: bool = False   # sentence embeddings for paraphrases; needs pip install '.[semantic]'
    paraphrase_threshold: float = Field(default=_ANALYSIS_DEFAULTS.paraphrase_threshold, gt=0, le=1)


class StoryEntry(_Strict):
    """One of several stories: its own seeds, and optionally its own channel, sources and thresholds."""

    name: str = Field(pattern=_STORY_NAME)
    seeds: list[str] = Field(min_length=1)
    channel: str | None = None      # default: slack.channel
    feeds: list[FeedConfig] = []    # sources only this story reads, besides the shared top-level feeds
    analysis: AnalysisConfig | None = None  # only the keys given here override the top-level analysis


@dataclass(frozen=True, slots=True)
class StorySpec:
    """A story as the service runs it: the single ``story:`` form is a list of one."""

    name: str
    seeds: tuple[str, ...]
    where: str                      # the config key its seeds come from, for errors
    channel: str | None
    analysis: AnalysisConfig
    own_feeds: tuple[str, ...] = ()  # URLs of the sources only this story reads


class Config(_Strict):
    story: StoryConfig | None = None
    stories: list[StoryEntry] | None = None
    feeds: list[FeedConfig] = []
    slack: SlackConfig = SlackConfig()
    http: HttpConfig = HttpConfig()
    storage: StorageConfig = StorageConfig()
    service: ServiceConfig = ServiceConfig()
    polling: PollingConfig = PollingConfig()
    analysis: AnalysisConfig = AnalysisConfig()

    @model_validator(mode="after")
    def _consistent(self) -> Config:
        if (self.story is None) == (self.stories is None):
            raise ValueError("give either story (one story) or stories (a list of several), not both"
                             if self.story else "story.seeds (or a stories list) is required")
        if self.stories is not None and not self.stories:
            raise ValueError("stories: the list is empty; give at least one story")
        _unique_urls(self.feeds, "feeds")
        shared = {f.url for f in self.feeds}
        names: set[str] = set()
        for i, entry in enumerate(self.stories or []):
            if entry.name in names:
                raise ValueError(f"stories[{i}].name {entry.name!r} is used by two stories")
            names.add(entry.name)
            _unique_urls(entry.feeds, f"stories[{i}].feeds")
            for j, feed in enumerate(entry.feeds):
                if feed.url in shared:
                    raise ValueError(f"stories[{i}].feeds[{j}].url {feed.url!r} is a top-level feed already, "
                                     "which every story reads")
            if not self.feeds and not entry.feeds:
                raise ValueError(f"stories[{i}] ({entry.name}) has no sources: give it feeds, or add top-level feeds")
        if not self.feeds and self.stories is None:
            raise ValueError("feeds: at least one feed or page is required")
        return self

    def story_specs(self) -> list[StorySpec]:
        if self.story is not None:
            return [StorySpec(self.story.name, tuple(self.story.seeds), "story.seeds", None, self.analysis)]
        return [StorySpec(e.name, tuple(e.seeds), f"stories[{i}].seeds", e.channel,
                          _overridden(self.analysis, e.analysis), tuple(f.url for f in e.feeds))
                for i, e in enumerate(self.stories or [])]

    def sources(self) -> list[Source]:
        """Every source once, with the stories that read it (a feed several stories list is polled once)."""
        everyone = tuple(s.name for s in self.story_specs())
        found: dict[str, tuple[FeedConfig, list[str]]] = {f.url: (f, list(everyone)) for f in self.feeds}
        for entry in self.stories or []:
            for feed in entry.feeds:
                found.setdefault(feed.url, (feed, []))[1].append(entry.name)
        return [Source(url=f.url, name=f.name or f.url, kind=f.kind, every_seconds=f.every or self.polling.every,
                       stories=tuple(readers)) for f, readers in found.values()]


def _unique_urls(feeds: list[FeedConfig], key: str) -> None:
    seen: set[str] = set()
    for i, feed in enumerate(feeds):
        if feed.url in seen:
            raise ValueError(f"{key}[{i}].url {feed.url!r} is listed twice")
        seen.add(feed.url)


def _overridden(base: AnalysisConfig, own: AnalysisConfig | None) -> AnalysisConfig:
    """The top-level analysis settings with the keys a story gave replaced."""
    if own is None:
        return base
    return base.model_copy(update={key: getattr(own, key) for key in own.model_fields_set})


class LoadedConfig(BaseModel):
    """A validated config and where it came from (seed paths are resolved against it)."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)
    path: Path
    config: Config

    def seed_paths(self, story: StorySpec) -> list[Path]:
        base = self.path.parent
        return [p if p.is_absolute() else (base / p) for p in map(Path, story.seeds)]


def redact(secret: str) -> str:
    """Enough of a token to recognise it, never enough to use it."""
    if len(secret) <= 8:
        return "****"
    return f"{secret[:4]}…{secret[-2:]}" if not secret.startswith("xox") else f"{secret[:5]}****"


def default_config_path() -> Path:
    return Path(os.environ.get("MONITOR_CONFIG") or DEFAULT_CONFIG_PATH)


def load_config(path: Path | str | None = None, environ: Mapping[str, str] | None = None) -> LoadedConfig:
    """Read, substitute and validate a config file; raise ConfigError saying exactly what is wrong."""
    path = Path(path) if path is not None else default_config_path()
    environ = os.environ if environ is None else environ
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    try:
        raw = YAML(typ="safe").load(text)  # libyaml's parser: fast for configs of thousands of feeds
    except YAMLError:
        raw = _round_trip(text, path)  # raises, naming the line and column
    if raw is None:
        raise ConfigError(f"{path}: the config file is empty; it needs at least story.seeds and feeds")
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{path}: expected a mapping of sections (story, feeds, slack, ...) at the top")
    data = _substitute(raw, environ, path, ())
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:  # parsed again, keeping line numbers, to say where the mistake is
        raise ConfigError(_describe(exc, _round_trip(text, path), path)) from None
    listed = [(f"feeds[{i}]", f) for i, f in enumerate(config.feeds)]
    listed += [(f"stories[{i}].feeds[{j}]", f)
               for i, e in enumerate(config.stories or []) for j, f in enumerate(e.feeds)]
    for key, feed in listed:
        if feed.every is not None and feed.every < 60:
            log.warning("%s: %s.every is %gs; polling more often than once a minute is impolite",
                        path, key, feed.every)
    return LoadedConfig(path=path, config=config)


def _round_trip(text: str, path: Path) -> Any:
    """The YAML document with the line of every key (ruamel's round-trip mode)."""
    try:
        return YAML(typ="rt").load(text)
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None


def _substitute(node: Any, environ: Mapping[str, str], path: Path, keys: tuple[str | int, ...]) -> Any:
    if isinstance(node, Mapping):
        return {k: _substitute(v, environ, path, (*keys, k)) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, environ, path, (*keys, i)) for i, v in enumerate(node)]
    if isinstance(node, str):

        def replace(match: re.Match[str]) -> str:
            name, default = match.group(1), match.group(2)
            if default is not None:  # like the shell's ${VAR:-default}: unset or empty takes the default
                return environ.get(name) or default
            if name in environ:
                return environ[name]
            raise ConfigError(
                f"{path}: {_key_path(keys)}: environment variable {name} is not set "
                f"(write ${{{name}:-}} to make it optional)"
            )

        value = _ENV_VAR.sub(replace, node)
        return value if value != "" or node == "" else None
    return node


def _key_path(keys: tuple[str | int, ...]) -> str:
    out = ""
    for k in keys:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out or "(top level)"


def _line_of(raw: Any, keys: tuple[str | int, ...]) -> int | None:
    """1-based line of the deepest key of ``keys`` that exists in the round-trip YAML."""
    node, line = raw, None
    for k in keys:
        if isinstance(node, CommentedMap) and k in node:
            line = node.lc.key(k)[0] + 1
            node = node[k]
        elif isinstance(node, CommentedSeq) and isinstance(k, int) and 0 <= k < len(node):
            line = node.lc.item(k)[0] + 1
            node = node[k]
        else:
            break
    return line


def _describe(exc: ValidationError, raw: Any, path: Path) -> str:
    lines = []
    for err in exc.errors():
        loc = tuple(k for k in err["loc"] if not (isinstance(k, str) and k.startswith(("function-", "lax-"))))
        line = _line_of(raw, loc)
        where = f"{path}:{line}" if line else str(path)
        kind = err["type"]
        if kind == "extra_forbidden":
            message = "unknown key (check its spelling; unknown keys are not ignored)"
        elif kind == "missing":
            message = "required key is missing"
        else:
            message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {_key_path(loc)}: {message}" if loc else f"{where}: {message}")
    return "\n".join(lines)
