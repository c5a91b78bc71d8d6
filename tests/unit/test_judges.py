"""Optional judges against loopback stand-ins for an OpenAI-compatible API and Anthropic's API."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from monitor.analyse import Analyser, JudgeSetup
from monitor.analysis_settings import AnalysisSettings
from monitor.app import build_judge
from monitor.config import load_config
from monitor.errors import ConfigError
from monitor.model import ClaimStatus, KnownClaim
from monitor.story.judges import AnthropicJudge, Budgeted, OpenAICompatibleJudge
from monitor.story.seeds import Story
from tests.conftest import LocalServer, Request, Response

KNOWN = "The ferry union plans to appeal the labour court's fine at the regional court in Gothenburg."
NEW = "Union leaders told members on Friday that they will pay the labour court's fine in full."


def analyser(judge: Budgeted | None) -> Analyser:
    story = Story(name="t", claims=(KnownClaim(KNOWN, "Port Gazette", "2026-01-10", "curated"),))
    return Analyser(story, AnalysisSettings(), JudgeSetup(judge, (0.1, 0.9)) if judge else None)


def openai_reply(relation: str) -> Response:
    content = json.dumps({"relation": relation, "reason": "paying the fine and appealing it exclude each other"})
    return Response(200, json.dumps({"choices": [{"message": {"content": content}}]}).encode(),
                    {"Content-Type": "application/json"})


def test_rules_alone_leave_this_pair_undecided() -> None:
    verdict = analyser(None).judge(NEW)
    assert verdict.status is not ClaimStatus.CONTRADICTION


def test_openai_compatible_judge_flags_a_contradiction(server: LocalServer) -> None:
    server.routes["/v1/chat/completions"] = openai_reply("contradiction")
    judge = OpenAICompatibleJudge(server.url("/v1"), "local-model", "sk-test", timeout=5)
    verdict = analyser(Budgeted(judge, 10)).judge(NEW)
    assert verdict.status is ClaimStatus.CONTRADICTION
    assert verdict.reason.startswith("judge: paying the fine")
    assert verdict.matched is not None and verdict.matched.text == KNOWN
    [request] = server.hits("/v1/chat/completions")
    body = request.json()
    assert request.headers["authorization"] == "Bearer sk-test"
    assert body["model"] == "local-model" and body["response_format"] == {"type": "json_object"}
    assert KNOWN in body["messages"][0]["content"] and NEW in body["messages"][0]["content"]


def test_anthropic_judge_says_same(server: LocalServer) -> None:
    text = 'Sure. {"relation": "same", "reason": "restated"}'
    server.routes["/v1/messages"] = Response(200, json.dumps({"content": [{"type": "text", "text": text}]}).encode(),
                                             {"Content-Type": "application/json"})
    judge = AnthropicJudge(server.base, "claude-test", "key-123", timeout=5)
    verdict = analyser(Budgeted(judge, 10)).judge(NEW)
    assert verdict.status is ClaimStatus.KNOWN and verdict.restated
    [request] = server.hits("/v1/messages")
    assert request.headers["x-api-key"] == "key-123" and request.headers["anthropic-version"] == "2023-06-01"


def test_budget_caps_calls_per_cycle(server: LocalServer) -> None:
    server.routes["/v1/chat/completions"] = openai_reply("contradiction")
    budget = Budgeted(OpenAICompatibleJudge(server.url("/v1"), "m", None, timeout=5), max_calls=1)
    a = analyser(budget)
    assert a.judge(NEW).status is ClaimStatus.CONTRADICTION
    assert a.judge(NEW + " Members agreed.").status is not ClaimStatus.CONTRADICTION  # budget spent: rules only
    assert len(server.hits("/v1/chat/completions")) == 1
    a.new_cycle()
    assert a.judge(NEW).status is ClaimStatus.CONTRADICTION
    assert len(server.hits("/v1/chat/completions")) == 2


def test_timeouts_and_bad_answers_fall_back_to_the_rules(server: LocalServer) -> None:
    release = threading.Event()

    def slow(request: Request) -> Response:
        release.wait(5)
        return openai_reply("contradiction")

    server.routes["/slow/chat/completions"] = slow
    server.routes["/bad/chat/completions"] = Response(200, b'{"choices": [{"message": {"content": "maybe?"}}]}',
                                                      {"Content-Type": "application/json"})
    server.routes["/down/chat/completions"] = Response(500, b"overloaded")
    try:
        for path in ("/slow", "/bad", "/down"):
            judge = OpenAICompatibleJudge(server.url(path), "m", None, timeout=0.5)
            verdict = analyser(Budgeted(judge, 10)).judge(NEW)
            assert verdict.status is not ClaimStatus.CONTRADICTION
            assert not verdict.reason.startswith("judge")
    finally:
        release.set()


def _config(tmp_path: Path, judge: str) -> Path:
    (tmp_path / "seeds").mkdir(exist_ok=True)
    (tmp_path / "seeds" / "a.txt").write_text(KNOWN + "\n")
    path = tmp_path / "monitor.yaml"
    path.write_text(f"story:\n  seeds: [seeds]\nfeeds:\n  - url: http://127.0.0.1:9/f\nanalysis:\n  judge:\n{judge}",
                    encoding="utf-8")
    return path


def test_judge_config_is_validated(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"analysis\.judge: .*url and analysis\.judge\.model are required"):
        load_config(_config(tmp_path, "    kind: openai\n"))
    with pytest.raises(ConfigError, match=r"analysis\.judge\.kind: Input should be 'openai', 'anthropic' or 'nli'"):
        load_config(_config(tmp_path, "    kind: oracle\n"))
    loaded = load_config(_config(tmp_path, "    kind: openai\n    url: http://127.0.0.1:9/v1\n    model: m\n"
                                           "    max_calls: 3\n"))
    setup = build_judge(loaded.config.analysis)
    assert setup is not None and setup.judge.max_calls == 3 and setup.band == (0.3, 0.55)


def test_nli_judge_without_the_semantic_extra_is_a_clear_error(tmp_path: Path) -> None:
    try:
        import sentence_transformers  # noqa: F401
    except ImportError:
        loaded = load_config(_config(tmp_path, f"    kind: nli\n    path: {tmp_path}\n"))
        with pytest.raises(ConfigError, match=r"needs the semantic extra: pip install '\.\[semantic\]'"):
            build_judge(loaded.config.analysis)
    else:
        pytest.skip("the semantic extra is installed here; this test covers its absence")
