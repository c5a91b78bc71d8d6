"""The timeline pages: server-rendered HTML (Jinja2, every value escaped), no script, read-only.

``/`` lists the stories, ``/stories/NAME`` shows one as a timeline (filters ``kind``, ``source``,
``page``), ``/stories/NAME/alerts/ID`` one alert.  With an auth token, a request needs it as a bearer
header or a cookie; ``?token=`` once sets the cookie, so a link from a phone works.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from urllib.parse import parse_qs, unquote, urlencode, urlsplit

from jinja2 import Environment, PackageLoader, select_autoescape

from monitor.model import KnownClaim
from monitor.notify.format import FEEDBACK_ACTIONS
from monitor.web.timeline import CHART_GROUPS, PAGE_SIZE, Timeline, chart

CHART_WIDTH, CHART_HEIGHT = 720, 160
COOKIE = "monitor_token"


@dataclass(frozen=True, slots=True)
class StoryInfo:
    """What the page needs of a configured story besides the database."""

    name: str
    seeds: tuple[KnownClaim, ...]
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Page:
    status: int
    body: bytes
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class Pages:
    def __init__(self, timeline: Timeline, stories: Callable[[], list[StoryInfo]],
                 auth_token: str | None = None) -> None:
        self._timeline = timeline
        self._stories = stories
        self._token = auth_token
        self._env = Environment(loader=PackageLoader("monitor.web"), autoescape=select_autoescape(default=True),
                                trim_blocks=True, lstrip_blocks=True)

    def handle(self, target: str, headers: dict[str, str]) -> Page | None:
        """The page at ``target`` (path and query), or None when the path is not one of ours."""
        parts = urlsplit(target)
        path = parts.path.rstrip("/") or "/"
        if path != "/" and not path.startswith("/stories/"):
            return None
        query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
        if self._token:
            given = query.pop("token", None)
            if given is not None and hmac.compare_digest(given, self._token):
                rest = urlencode(query)
                cookie = f"{COOKIE}={given}; Path=/; HttpOnly; SameSite=Lax"
                return Page(303, b"", "text/plain", {"Location": path + (f"?{rest}" if rest else ""),
                                                      "Set-Cookie": cookie})
            if not self._authorised(headers):
                return Page(401, b"a token is needed: service.auth_token\n", "text/plain",
                            {"WWW-Authenticate": 'Bearer realm="story monitor"'})
        with self._timeline.session():
            return self._page(path, query)

    def _page(self, path: str, query: dict[str, str]) -> Page:
        stories = {s.name: s for s in self._stories()}
        if path == "/":
            return self._render("index.html", summaries=self._timeline.summaries(list(stories)))
        name, _, rest = unquote(path.removeprefix("/stories/")).partition("/alerts/")
        story = stories.get(name)
        if story is None:
            return Page(404, b"no such story\n", "text/plain")
        if rest:
            alert = self._timeline.alert(name, rest)
            if alert is None:
                return Page(404, b"no such alert\n", "text/plain")
            return self._render("alert.html", story=name, a=alert)
        return self._story(story, query)

    def _story(self, story: StoryInfo, query: dict[str, str]) -> Page:
        kind = query.get("kind") if query.get("kind") in ("new", "contradiction") else None
        source = query.get("source") or None
        try:
            page = max(0, int(query.get("page", "0")))
        except ValueError:
            page = 0
        alerts, total = self._timeline.alerts(story.name, kind, source, page)
        days = self._timeline.days(story.name)

        def link(to_page: int) -> str:
            return urlencode({k: v for k, v in (("kind", kind), ("source", source),
                                                ("page", str(to_page) if to_page else None)) if v})

        return self._render("story.html", story=story.name, alerts=alerts, total=total, page=page,
                            page_size=PAGE_SIZE, kind=kind, source=source, query=link, days=days,
                            bars=chart(days, CHART_WIDTH, CHART_HEIGHT), chart_width=CHART_WIDTH,
                            chart_height=CHART_HEIGHT, groups=[g for g, _ in CHART_GROUPS],
                            sources=self._timeline.sources(list(story.sources)),
                            ledger=self._timeline.ledger(story.name, story.seeds),
                            feedback=self._timeline.feedback_counts(story.name), labels=FEEDBACK_ACTIONS)

    def _render(self, template: str, **values: object) -> Page:
        return Page(200, self._env.get_template(template).render(**values).encode())

    def _authorised(self, headers: dict[str, str]) -> bool:
        assert self._token is not None
        bearer = headers.get("authorization", "")
        if bearer.startswith("Bearer ") and hmac.compare_digest(bearer[7:], self._token):
            return True
        cookie = SimpleCookie(headers.get("cookie", ""))
        return COOKIE in cookie and hmac.compare_digest(cookie[COOKIE].value, self._token)
