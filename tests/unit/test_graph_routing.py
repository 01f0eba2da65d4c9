"""Graph routing with fake dependencies: fast, no real models, every route and the turn's state loads."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
from numpy.typing import NDArray

from interview_coach.core.deps import AppDeps
from interview_coach.core.settings import Settings
from interview_coach.domain import (
    AnswerAnalysis,
    AnswerAssessment,
    AnswerInput,
    InterviewPlanRequest,
    Question,
    QuestionKind,
    QuestionRef,
    QuestionReport,
    Score,
)
from interview_coach.graphs.coaching_nodes import route_after_coach_input
from interview_coach.graphs.intents import classify_input
from interview_coach.graphs.interview_nodes import (
    prepare_follow_up,
    route_after_answer,
    route_after_evaluation,
    route_after_next,
)
from interview_coach.graphs.service import InterviewService
from interview_coach.graphs.state import InterviewState, current_ref, number_results

MAIN = Question(id="q-main", text="Explain idempotency.", kind=QuestionKind.TECHNICAL, competency="apis")
SECOND = Question(id="q-two", text="Tell me about a failure.", kind=QuestionKind.BEHAVIORAL, competency="growth")


class HashEmbedder:
    """Deterministic unit vectors from a hash: fake embeddings with no model."""

    dimension = 384

    def encode(self, texts: list[str]) -> NDArray[np.float32]:
        rows = []
        for text in texts:
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "little")
            vector = np.random.default_rng(seed).standard_normal(self.dimension).astype(np.float32)
            rows.append(vector / np.linalg.norm(vector))
        return np.stack(rows) if rows else np.zeros((0, self.dimension), dtype=np.float32)


def _state(**values: Any) -> InterviewState:
    base: dict[str, Any] = {
        "plan": [MAIN.model_dump(mode="json"), SECOND.model_dump(mode="json")],
        "index": 0,
        "current": MAIN.model_dump(mode="json"),
        "follow_ups": 0,
    }
    base.update(values)
    return base  # type: ignore[return-value]


def _runtime(max_follow_ups: int = 1) -> Any:
    return SimpleNamespace(context=SimpleNamespace(settings=SimpleNamespace(max_follow_ups=max_follow_ups)))


def _assessment(reasons: list[str], quality: int | None) -> dict[str, Any]:
    score = Score(value=quality) if quality is not None else Score.not_measured("no text")
    assessment = AnswerAssessment(
        analysis=AnswerAnalysis(answer_text="x"), scores={"answer_quality": score}, follow_up_reasons=reasons
    )
    return assessment.model_dump(mode="json")


@pytest.mark.parametrize(
    ("intent", "node"),
    [
        ("answer", "analyze_answer"),
        ("repeat", "ask_question"),
        ("skip", "skip_question"),
        ("end", "write_report"),
        ("help", "status_reply"),
        ("status", "status_reply"),
        ("empty", "status_reply"),
    ],
)
def test_route_after_answer(intent: str, node: str) -> None:
    assert route_after_answer(_state(intent=intent)) == node


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("/skip", "skip"),
        ("could you repeat that?", "repeat"),
        ("how am I doing?", "status"),
        ("", "empty"),
        ("Let's end the interview", "end"),
        ("An idempotent operation has the same effect however many times it runs.", "answer"),
    ],
)
def test_classify_input(text: str, intent: str) -> None:
    assert classify_input(AnswerInput(text=text)) == intent


def test_a_weak_answer_gets_one_follow_up_then_the_interview_moves_on() -> None:
    weak = _assessment(["too_short"], 20)
    assert route_after_evaluation(_state(analysis=weak), _runtime()) == "prepare_follow_up"
    assert route_after_evaluation(_state(analysis=weak, follow_ups=1), _runtime()) == "next_question"
    assert route_after_evaluation(_state(analysis=weak), _runtime(max_follow_ups=0)) == "next_question"
    strong = _assessment([], 85)
    assert route_after_evaluation(_state(analysis=strong), _runtime()) == "next_question"


def test_a_follow_up_keeps_its_main_question_number() -> None:
    update = prepare_follow_up(_state(analysis=_assessment(["too_short"], 20)))
    state = _state(**update)
    ref = current_ref(state)
    assert ref is not None
    assert (ref.number, ref.follow_up, ref.total) == (1, 1, 2)
    assert ref.label == "Q1 · follow-up" and ref.progress == "Q1/2 · follow-up"
    assert Question.model_validate(state["current"]).follow_up_of == "q-main"


def test_route_after_next_and_coach_input() -> None:
    assert route_after_next(_state()) == "ask_question"
    assert route_after_next(_state(current=None)) == "write_report"
    assert route_after_coach_input(_state(coach_input="")) == "await_coach"
    assert route_after_coach_input(_state(coach_input="/end")) == "end_session"
    assert route_after_coach_input(_state(coach_input="why was question 2 low?")) == "coach_reply"


def test_results_saved_without_identity_are_numbered_by_main_question() -> None:
    follow_up = MAIN.model_copy(update={"id": "q-main~fu1", "follow_up_of": "q-main"})
    results = [QuestionReport(question=MAIN), QuestionReport(question=follow_up), QuestionReport(question=SECOND)]
    labels = [r.ref.label for r in number_results(results) if r.ref]
    assert labels == ["Q1", "Q1 · follow-up", "Q2"]


async def test_a_typed_turn_loads_the_checkpoint_once(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    deps = AppDeps(settings=settings, embedder=HashEmbedder())
    request = InterviewPlanRequest(question_ids=["tech-db-001", "tech-api-003"], question_count=2)
    async with InterviewService.open(deps) as service:
        turn = await service.start("u1", request)
        assert turn.ref == QuestionRef(number=1, total=2, question_id="tech-db-001")
        loads = 0
        original = service.graph.aget_state

        async def counting(*args: Any, **kwargs: Any) -> Any:
            nonlocal loads
            loads += 1
            return await original(*args, **kwargs)

        service.graph.aget_state = counting  # type: ignore[method-assign]
        turn = await service.send(turn.session_id, "u1", "I don't know.")
        assert loads == 1
        feedback = [m for m in turn.messages if m.kind == "feedback"]
        assert feedback and feedback[0].question is not None and feedback[0].question.label == "Q1"
        assert feedback[0].evaluation is not None and feedback[0].evaluation.findings
        assert turn.ref is not None and turn.ref.label == "Q1 · follow-up"
        assert any(m.kind == "question" and m.question == turn.ref for m in turn.messages)


async def test_a_session_id_cannot_be_adopted_or_replanned(tmp_path: Path) -> None:
    from interview_coach.graphs.service import SessionConflictError
    from interview_coach.memory.sessions import SessionNotFoundError

    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    deps = AppDeps(settings=settings, embedder=HashEmbedder())
    request = InterviewPlanRequest(question_ids=["tech-db-001"], question_count=1)
    async with InterviewService.open(deps) as service:
        first = await service.start("alice", request)
        assert len(first.session_id) >= 32  # 128 random bits, hex
        with pytest.raises(SessionNotFoundError):
            await service.start("bob", request, session_id=first.session_id)
        with pytest.raises(SessionConflictError):
            await service.start("alice", request, session_id=first.session_id)
        snapshot = await service.graph.aget_state({"configurable": {"thread_id": first.session_id}})
        assert snapshot.values["user_id"] == "alice"
        assert [s.session_id for s in service.list_sessions("bob")] == []


async def test_question_two_in_the_coach_means_the_main_question_with_its_follow_up(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    deps = AppDeps(settings=settings, embedder=HashEmbedder())
    request = InterviewPlanRequest(question_ids=["tech-db-001", "tech-api-003"], question_count=2)
    async with InterviewService.open(deps) as service:
        turn = await service.start("u1", request)
        first = turn.question
        turn = await service.send(turn.session_id, "u1", "I don't know.")
        assert turn.ref is not None and turn.ref.label == "Q1 · follow-up"
        turn = await service.send(turn.session_id, "u1", "Still not sure, sorry.")
        assert turn.ref is not None and turn.ref.label == "Q2"
        second = turn.question
        turn = await service.send(turn.session_id, "u1", "/end")
        assert turn.report is not None
        labels = [q.ref.label for q in turn.report.questions if q.ref]
        assert labels == ["Q1", "Q1 · follow-up"]  # Q2 was never answered before /end
        reply = await service.send(turn.session_id, "u1", "why was question 1 rated low?")
        text = next(m.text for m in reply.messages if m.kind == "coach")
        assert first is not None and first.text in text and "Q1 · follow-up" in text
        assert second is not None and second.text not in text
