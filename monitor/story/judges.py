"""Optional judges for pairs the rules leave undecided: an NLI cross-encoder or an LLM.

One interface, ``Judge.compare(new, known)``, answering "contradiction", "same" or "unrelated", or
None when it has no answer (timeout, error, spent budget): the rules' verdict then stands.  LLMs
are reached over HTTP: any OpenAI-compatible API (OpenAI, Ollama, vLLM) or Anthropic's.  Every
judge is off unless configured, and a budget caps the calls per cycle.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any, Literal, Protocol

import httpx

from monitor.errors import ConfigError

log = logging.getLogger(__name__)

Relation = Literal["contradiction", "same", "unrelated"]
RELATIONS: tuple[Relation, ...] = ("contradiction", "same", "unrelated")

PROMPT = (
    "You compare two news claims about the same story. Answer with JSON only: "
    '{"relation": "contradiction" | "same" | "unrelated", "reason": "<one short line>"}. '
    '"contradiction": both cannot be true at once (a different amount, date, outcome, or one denies the other). '
    '"same": the new claim only restates the known one. "unrelated": anything else, including new details.\n'
    "Known claim: {known}\nNew claim: {new}"
)


@dataclass(frozen=True, slots=True)
class JudgeVerdict:
    relation: Relation
    reason: str


class Judge(Protocol):
    def compare(self, new: str, known: str) -> JudgeVerdict | None: ...


class Budgeted:
    """A judge with a cap on calls per cycle: the cost cap."""

    def __init__(self, judge: Judge, max_calls: int) -> None:
        self._judge = judge
        self.max_calls = max_calls
        self.calls = 0

    def new_cycle(self) -> None:
        self.calls = 0

    def compare(self, new: str, known: str) -> JudgeVerdict | None:
        if self.calls >= self.max_calls:
            return None
        self.calls += 1
        return self._judge.compare(new, known)


def _parse(text: str) -> JudgeVerdict | None:
    """The judge's JSON answer, tolerating text around it; None when it is not a valid answer."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    try:
        data = json.loads(text[start:end + 1])
    except ValueError:
        return None
    relation = data.get("relation") if isinstance(data, dict) else None
    if relation not in RELATIONS:
        return None
    return JudgeVerdict(relation, str(data.get("reason") or "")[:200])


class _HttpJudge:
    def __init__(self, url: str, model: str, api_key: str | None, timeout: float) -> None:
        self._url = url.rstrip("/")
        self._model = model
        self._api_key = api_key
        self._client = httpx.Client(timeout=timeout)

    def compare(self, new: str, known: str) -> JudgeVerdict | None:
        try:
            response = self._client.post(self._endpoint(), headers=self._headers(),
                                         json=self._body(PROMPT.replace("{known}", known).replace("{new}", new)))
            response.raise_for_status()
            return _parse(self._text(response.json()))
        except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
            log.warning("judge gave no answer", extra={"judge": type(self).__name__, "error": type(exc).__name__})
            return None

    def _endpoint(self) -> str:
        raise NotImplementedError

    def _headers(self) -> dict[str, str]:
        raise NotImplementedError

    def _body(self, prompt: str) -> dict[str, Any]:
        raise NotImplementedError

    def _text(self, data: Any) -> str:
        raise NotImplementedError


class OpenAICompatibleJudge(_HttpJudge):
    """POST {url}/chat/completions, as OpenAI, Ollama (url .../v1) and vLLM serve it."""

    def _endpoint(self) -> str:
        return f"{self._url}/chat/completions"

    def _headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}

    def _body(self, prompt: str) -> dict[str, Any]:
        return {"model": self._model, "temperature": 0, "max_tokens": 120,
                "response_format": {"type": "json_object"},
                "messages": [{"role": "user", "content": prompt}]}

    def _text(self, data: Any) -> str:
        return str(data["choices"][0]["message"]["content"])


class AnthropicJudge(_HttpJudge):
    """POST {url}/v1/messages with Anthropic's headers."""

    def _endpoint(self) -> str:
        return f"{self._url}/v1/messages"

    def _headers(self) -> dict[str, str]:
        return {"x-api-key": self._api_key or "", "anthropic-version": "2023-06-01"}

    def _body(self, prompt: str) -> dict[str, Any]:
        return {"model": self._model, "max_tokens": 120, "temperature": 0,
                "messages": [{"role": "user", "content": prompt}]}

    def _text(self, data: Any) -> str:
        return "".join(part.get("text", "") for part in data["content"] if isinstance(part, dict))


class NliJudge:
    """A cross-encoder NLI model loaded from a local folder (sentence-transformers, the semantic extra)."""

    def __init__(self, path: str) -> None:
        try:
            from sentence_transformers import CrossEncoder
        except ImportError:
            raise ConfigError("analysis.judge.kind nli needs the semantic extra: pip install '.[semantic]'") from None
        try:
            self._model = CrossEncoder(path, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ConfigError(f"analysis.judge.path {path}: cannot load an NLI model there: {exc}") from None
        labels = {int(k): str(v).lower() for k, v in self._model.config.id2label.items()}
        self._labels = labels

    def compare(self, new: str, known: str) -> JudgeVerdict | None:
        scores = self._model.predict([(known, new)])[0]
        best = max(range(len(scores)), key=lambda i: scores[i])
        label = self._labels.get(best, "")
        relation: Relation = "contradiction" if "contra" in label else "same" if "entail" in label else "unrelated"
        return JudgeVerdict(relation, f"NLI model: {label} ({float(scores[best]):.2f})")
