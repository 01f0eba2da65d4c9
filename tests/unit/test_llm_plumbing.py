"""LLM plumbing with pydantic-ai FunctionModel/TestModel: profiles, output modes, fallback, timeouts, usage."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import pytest
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryFeedbackPart,
    RetryInfo,
    TextPart,
    ToolCallPart,
    UserPromptPart,
)
from pydantic_ai.models.function import AgentInfo, FunctionModel
from pydantic_ai.models.openai import OpenAIChatModel
from pydantic_ai.models.test import TestModel

from interview_coach.agents.evaluator import FeedbackDraft, evaluate_answer, evaluator_agent
from interview_coach.agents.interviewer import interviewer_agent, phrase_question
from interview_coach.agents.llm import (
    LlmConfigError,
    LlmOptions,
    adapt_llamacpp_request,
    build_model,
    chat_messages,
    cost_microusd,
    reply_schema,
    request_settings,
    resolve_output_mode,
    resolve_server_profile,
    run_with_fallback,
    track_llm_usage,
)
from interview_coach.assessment.scoring import compute_scores, quality_1_5
from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerAnalysis, AnswerAssessment, Question, QuestionKind, Score, Signal, TextAnalysis
from interview_coach.graphs.state import add_usage

SERVER = "http://127.0.0.1:9/v1"  # never contacted: FunctionModel/TestModel replace the model


def llm_settings(**extra: Any) -> Settings:
    base = Settings(llm_model="openai:local", llm_base_url=SERVER, _env_file=None)  # type: ignore[call-arg]
    return base.model_copy(update=extra)


def deps_for(settings: Settings) -> AppDeps:
    return AppDeps(settings=settings, embedder=None)  # type: ignore[arg-type]


def feedback_json(**override: Any) -> str:
    data = {"explanation": "Clear answer with numbers.", "strengths": ["Used numbers"], "improvements": [], "flags": []}
    return json.dumps({**data, **override})


def replying(text: str, seen: list[AgentInfo] | None = None) -> FunctionModel:
    """A model that answers ``text`` in whatever output mode the agent asks for."""

    def reply(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        if seen is not None:
            seen.append(info)
        _, tool = reply_schema(info)
        return ModelResponse(parts=[ToolCallPart(tool, text)] if tool else [TextPart(text)])

    return FunctionModel(reply)


# -- profiles and model construction ---------------------------------------------------------


def test_builtin_builds_no_model() -> None:
    assert build_model(Settings(_env_file=None)) is None  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("spec", "url", "expected"),
    [
        ("openai:gpt-4.1-mini", None, "openai"),
        ("openai:llama3", "http://localhost:11434/v1", "ollama"),
        ("openai:whatever", "http://10.0.0.5:8080/v1", "generic"),
        ("anthropic:claude-x", None, "registry"),
        ("local:/models/x.gguf", None, "local"),
    ],
)
def test_server_profile_is_guessed_from_model_and_url(spec: str, url: str | None, expected: str) -> None:
    settings = Settings(llm_model=spec, llm_base_url=url, _env_file=None)  # type: ignore[call-arg]
    assert resolve_server_profile(settings).kind == expected


async def test_llamacpp_profile_sends_max_tokens_and_forces_the_output_tool_by_name() -> None:
    settings = llm_settings(llm_profile="llamacpp", llm_max_tokens=99)
    model = build_model(settings)
    assert isinstance(model, OpenAIChatModel)
    assert model.profile.get("openai_chat_supports_max_completion_tokens") is False
    assert build_model(settings) is model  # cached: one HTTP pool per configuration and event loop
    assert await asyncio.to_thread(build_model, settings) is not model  # no loop there: a fresh model
    options = LlmOptions.from_settings(settings)
    profile = resolve_server_profile(settings, options)
    assert resolve_output_mode(profile, options) == "native"
    tool_settings = request_settings(settings, profile, "tool", options)
    assert tool_settings["max_tokens"] == 99 and tool_settings["max_retries"] == settings.llm_retries
    assert tool_settings["extra_body"] == {"tool_choice": {"type": "function", "function": {"name": "final_result"}}}
    assert "extra_body" not in request_settings(settings, profile, "native", options)


def test_llamacpp_request_rewrite_fixes_the_servers_quirks() -> None:
    schema = {"type": "object", "properties": {"text": {"type": "string"}}}
    body = {
        "model": "local",
        "response_format": {"type": "json_schema", "json_schema": {"name": "x", "schema": schema, "strict": True}},
        "messages": [
            {"role": "user", "content": "hi"},
            {"role": "assistant", "content": None, "tool_calls": [{"id": "1"}]},
        ],
    }
    fixed = adapt_llamacpp_request(body)
    assert fixed["response_format"] == {"type": "json_object", "schema": schema}
    assert fixed["messages"][1]["content"] == "" and fixed["messages"][1]["tool_calls"] == [{"id": "1"}]
    assert body["messages"][1]["content"] is None  # the input is not mutated
    plain = {"messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_object"}}
    assert adapt_llamacpp_request(plain) == plain


def test_long_string_limits_are_capped_for_llamacpp_grammars() -> None:
    long_text = {"type": "object", "properties": {"text": {"type": "string", "maxLength": 2000}}}
    body = {
        "response_format": {"type": "json_object", "schema": long_text},
        "tools": [{"type": "function", "function": {"name": "final_result", "parameters": long_text}}],
    }
    fixed = adapt_llamacpp_request(body)
    assert fixed["response_format"]["schema"]["properties"]["text"]["maxLength"] == 500
    assert fixed["tools"][0]["function"]["parameters"]["properties"]["text"]["maxLength"] == 500
    assert long_text["properties"]["text"]["maxLength"] == 2000


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"llm_profile": "tgi"}, "INTERVIEW_COACH_LLM_PROFILE"),
        ({"llm_output_mode": "xml"}, "INTERVIEW_COACH_LLM_OUTPUT_MODE"),
        ({"llm_model": "local:/nowhere/model.gguf"}, "no .gguf file"),
    ],
)
async def test_bad_llm_settings_fall_back_with_a_clear_note(extra: dict[str, Any], message: str) -> None:
    settings = llm_settings(**extra)
    with pytest.raises(LlmConfigError, match=message):
        build_model(settings)
    with track_llm_usage() as meter:
        outcome = await run_with_fallback(interviewer_agent, "Question to ask: hi", deps_for(settings))
    assert outcome.output is None and outcome.note and message in outcome.note
    assert meter.totals() == {"calls": 1, "fallbacks": 1}


def test_local_model_needs_a_gguf_file(tmp_path: Path) -> None:
    not_gguf = tmp_path / "model.bin"
    not_gguf.write_bytes(b"x")
    with pytest.raises(LlmConfigError, match="INTERVIEW_COACH_LLM_MODEL"):
        build_model(Settings(llm_model=f"local:{not_gguf}", _env_file=None))  # type: ignore[call-arg]


# -- output modes, fallback, timeouts ---------------------------------------------------------


@pytest.mark.parametrize("mode", ["tool", "native", "prompted"])
async def test_every_output_mode_returns_a_typed_output(mode: str) -> None:
    seen: list[AgentInfo] = []
    settings = llm_settings(llm_output_mode=mode, llm_temperature=0.0)
    outcome = await run_with_fallback(
        evaluator_agent, "evidence", deps_for(settings), model=replying(feedback_json(), seen)
    )
    assert isinstance(outcome.output, FeedbackDraft) and outcome.note is None
    assert outcome.output.strengths == ["Used numbers"]
    info = seen[0]
    assert info.model_request_parameters.output_mode == mode
    schema, _ = reply_schema(info)
    assert schema is not None and "explanation" in schema["properties"]
    assert info.model_settings is not None and info.model_settings["temperature"] == 0.0
    assert outcome.requests == 1 and outcome.input_tokens > 0 and outcome.output_tokens > 0


async def test_invalid_output_is_retried_then_falls_back_and_still_counts_tokens() -> None:
    settings = llm_settings(llm_output_mode="native", llm_output_retries=1)
    with track_llm_usage() as meter:
        outcome = await run_with_fallback(
            evaluator_agent, "evidence", deps_for(settings), model=replying("not json at all")
        )
    assert outcome.output is None
    assert outcome.note == "The language model failed (invalid output); used the builtin engine for this turn."
    assert outcome.requests == 2  # the first try and one output retry
    totals = meter.totals()
    assert totals["fallbacks"] == 1 and totals["calls"] == 1 and totals["input_tokens"] > 0


async def test_a_hanging_model_times_out_into_the_builtin_engine() -> None:
    async def hang(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        await asyncio.sleep(30)
        raise AssertionError("unreachable")

    settings = llm_settings(llm_timeout_s=0.2)
    outcome = await run_with_fallback(
        interviewer_agent, "Question to ask: hi", deps_for(settings), model=FunctionModel(hang)
    )
    assert outcome.output is None and outcome.note is not None and "did not answer within 0.2 s" in outcome.note


async def test_real_http_model_is_refused_in_tests_and_falls_back() -> None:
    outcome = await run_with_fallback(interviewer_agent, "Question to ask: hi", deps_for(llm_settings()))
    assert outcome.output is None and outcome.note is not None and "builtin engine" in outcome.note


# -- agents keep scores out of the LLM's reach ------------------------------------------------

QUESTION = Question(
    id="q1", text="Tell me about a time you failed.", kind=QuestionKind.BEHAVIORAL, competency="ownership"
)
ANSWER = "I missed a deadline in 2021, owned it, and we shipped 2 weeks later with 30% fewer bugs."
ANALYSIS = AnswerAnalysis(
    answer_text=ANSWER,
    text=TextAnalysis(
        question_id="q1",
        question_kind=QuestionKind.BEHAVIORAL,
        word_count=len(ANSWER.split()),
        sentence_count=1,
        estimated_speaking_s=6.0,
        answer_quality=Score(value=64, signals=[Signal(name="specificity", value=2.0, effect=8.0)]),
        quality_1_5=3,
        follow_up_reasons=[],
    ),
)
ASSESSMENT = AnswerAssessment(
    analysis=ANALYSIS, scores=compute_scores(ANALYSIS), quality_1_5=quality_1_5(ANALYSIS), findings=[]
)


async def test_the_llm_writes_feedback_but_cannot_move_scores() -> None:
    builtin = await evaluate_answer(deps_for(Settings(_env_file=None)), QUESTION, ASSESSMENT)  # type: ignore[call-arg]
    hostile = feedback_json(
        explanation="Perfect answer.", scores={"answer_quality": 100}, quality_1_5=5, flags=["injection_attempt", "x"]
    )
    with evaluator_agent.override(model=replying(hostile)), track_llm_usage() as meter:
        llm = await evaluate_answer(deps_for(llm_settings(llm_output_mode="tool")), QUESTION, ASSESSMENT)
    assert llm.engine == "llm" and llm.explanation == "Perfect answer."
    assert llm.scores == builtin.scores and llm.quality_1_5 == builtin.quality_1_5 == 3
    assert llm.flags == ["injection_attempt"]
    assert meter.totals()["calls"] == 1 and "fallbacks" not in meter.totals()


async def test_interviewer_wording_comes_from_the_llm_and_falls_back_to_the_bank_text() -> None:
    deps = deps_for(llm_settings(llm_output_mode="tool"))
    with interviewer_agent.override(model=TestModel(custom_output_args={"text": "So, tell me about a failure."})):
        text, note = await phrase_question(deps, QUESTION)
    assert (text, note) == ("So, tell me about a failure.", None)
    with interviewer_agent.override(model=replying("{broken")):
        text, note = await phrase_question(deps, QUESTION)
    assert text == QUESTION.text and note is not None and "builtin engine" in note


# -- usage, cost and message conversion -------------------------------------------------------


def test_costs_use_configured_prices_in_micro_dollars() -> None:
    from pydantic_ai.usage import RunUsage

    usage = RunUsage(input_tokens=1_000_000, output_tokens=500_000)
    assert cost_microusd(usage, LlmOptions(price_input_per_mtok=0.4, price_output_per_mtok=1.6)) == 1_200_000
    assert cost_microusd(RunUsage(input_tokens=10), LlmOptions()) == 0


def test_usage_counters_add_up_like_the_graph_reducer() -> None:
    assert add_usage({"calls": 1, "input_tokens": 10}, {"calls": 2, "fallbacks": 1}) == {
        "calls": 3,
        "input_tokens": 10,
        "fallbacks": 1,
    }
    assert add_usage(None, {}) == {}


def test_chat_messages_flatten_tool_calls_and_retries_for_any_chat_template() -> None:
    history: list[ModelMessage] = [
        ModelRequest(parts=[UserPromptPart("Question to ask: hi")]),
        ModelResponse(parts=[ToolCallPart("final_result", {"text": ""})]),
        ModelRequest(parts=[RetryFeedbackPart("text must not be empty", retry=RetryInfo(cause="model_retry"))]),
        ModelRequest(parts=[UserPromptPart("again")]),
    ]
    flat = chat_messages(history, "Be an interviewer.")
    assert [m["role"] for m in flat] == ["system", "user", "assistant", "user"]
    assert flat[0]["content"] == "Be an interviewer."
    assert json.loads(flat[2]["content"]) == {"text": ""}
    assert "text must not be empty" in flat[3]["content"] and flat[3]["content"].endswith("again")
