"""A whole session through InterviewService with an LLM configured: usage lands in the session state."""

from __future__ import annotations

import json

import pytest
from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models.function import AgentInfo, FunctionModel

from interview_coach.agents.coach import coach_agent
from interview_coach.agents.evaluator import evaluator_agent
from interview_coach.agents.interviewer import interviewer_agent
from interview_coach.agents.llm import reply_schema
from interview_coach.deps import AppDeps
from interview_coach.domain import CandidateProfile, InterviewPlanRequest
from interview_coach.graphs.service import InterviewService, Turn

pytestmark = pytest.mark.slow


def reply_for(info: AgentInfo) -> str:
    schema, _ = reply_schema(info)
    properties = set((schema or {}).get("properties", {}))
    if "explanation" in properties:
        return json.dumps({"explanation": "LLM explanation.", "strengths": ["Clear"], "improvements": ["More numbers"]})
    return json.dumps({"text": "LLM wording."})


def structured(messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
    _, tool = reply_schema(info)
    text = reply_for(info)
    return ModelResponse(parts=[ToolCallPart(tool, text)] if tool else [TextPart(text)])


async def test_llm_usage_is_summed_per_session(deps: AppDeps) -> None:
    if "llm_usage" not in Turn.__dataclass_fields__:
        pytest.skip("needs the supervisor/state/runner llm_usage change (graphs/) from the LLM helper's report")
    deps.settings = deps.settings.model_copy(
        update={"llm_model": "openai:local", "llm_base_url": "http://127.0.0.1:9/v1", "llm_output_mode": "native"}
    )
    model = FunctionModel(structured)
    request = InterviewPlanRequest(profile=CandidateProfile(name="Sam"), question_count=1, question_ids=["tech-db-001"])
    answer = (
        "An index is a sorted B-tree structure that finds rows without a full scan; it speeds up lookups and range "
        "queries, for example on the email column, at the cost of slower writes and extra storage."
    )
    with (
        interviewer_agent.override(model=model),
        evaluator_agent.override(model=model),
        coach_agent.override(model=model),
    ):
        async with InterviewService.open(deps) as service:
            turn = await service.start("u1", request)
            assert any(m.text == "LLM wording." for m in turn.messages if m.role == "interviewer")
            first = dict(turn.llm_usage)
            assert first["calls"] == 1 and first["input_tokens"] > 0 and "fallbacks" not in first
            for _ in range(3):
                if turn.waiting_for != "answer":
                    break
                turn = await service.send(turn.session_id, "u1", answer)
            turn = await service.send(turn.session_id, "u1", "give me a drill for fillers")
            assert any(m.role == "coach" and m.text == "LLM wording." for m in turn.messages)
    usage = turn.llm_usage
    assert usage["calls"] >= 3  # question wording, answer feedback, coach reply
    assert usage["input_tokens"] > first["input_tokens"] and usage["output_tokens"] > first["output_tokens"]
    report = turn.report
    assert report is not None and report.questions[0].evaluation is not None
    assert report.questions[0].evaluation.engine == "llm"
