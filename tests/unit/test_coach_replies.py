"""The builtin coach's replies: what they say and that ``grounded_on`` lists only what they used."""

from __future__ import annotations

from datetime import UTC, datetime

from interview_coach.agents import coach_replies as replies
from interview_coach.agents.coach import coach_history, sessions_from_memory
from interview_coach.assessment.coach_nlu import Resolution, SessionInfo
from interview_coach.domain import (
    AnswerEvaluation,
    CandidateProfile,
    Finding,
    MemoryRecord,
    Question,
    QuestionKind,
    QuestionRef,
    QuestionReport,
    Score,
    SessionReport,
    TurnEvent,
)

QUEUE = Question(
    id="tech-queue-001",
    text="Why would you put a message queue between two services?",
    kind=QuestionKind.TECHNICAL,
    competency="distributed_systems",
)
STORY = Question(
    id="beh-failure-001", text="Tell me about a time you failed.", kind=QuestionKind.BEHAVIORAL, competency="growth"
)
FILLERS = Finding(
    pattern_id="fillers_high", metric="fillers_per_min", polarity="weakness", message="Many filler words."
)


def _report() -> SessionReport:
    def result(question: Question, number: int, quality: int, findings: list[Finding]) -> QuestionReport:
        return QuestionReport(
            question=question,
            ref=QuestionRef(number=number, total=2, question_id=question.id),
            scores={"answer_quality": Score(value=quality)},
            evaluation=AnswerEvaluation(question_id=question.id, findings=findings),
        )

    return SessionReport(
        session_id="s-now",
        user_id="u",
        profile=CandidateProfile(role="Backend Software Engineer"),
        created_at=datetime(2026, 11, 27, 10, tzinfo=UTC),
        questions=[result(STORY, 1, 70, []), result(QUEUE, 2, 35, [FILLERS])],
        overall_scores={"answer_quality": Score(value=52)},
    )


SRE = SessionInfo(
    session_id="s-sre",
    role="Site Reliability Engineer",
    created_at=datetime(2026, 11, 18, 9, tzinfo=UTC),
    questions=["Describe a production incident you helped resolve."],
    metrics={"answer_quality": 61.0, "fillers_per_min": 3.25},
    weakness_patterns=["fillers_high"],
)


def test_explain_question_cites_its_number_text_and_score() -> None:
    report = _report()
    question = replies.question_of(report, 2)
    assert question is not None
    draft = replies.explain_question(report, question)
    assert draft.grounded_on == ["report:Q2"]
    assert (
        draft.text.startswith("Question 2 (Why would you put a message queue")
        and "answer quality 35/100 (higher is better)" in draft.text
    )
    assert "Many filler words." in draft.text
    assert replies.question_of(report, 3) is None


def test_improving_a_question_uses_its_own_weakness_and_the_knowledge_base() -> None:
    question = replies.question_of(_report(), 2)
    assert question is not None
    draft = replies.improve_question(question, None)
    assert draft is not None and draft.grounded_on == ["report:Q2", "kb:fillers_high"] and "Q2" in draft.text
    strong = replies.question_of(_report(), 1)
    assert strong is not None and replies.improve_question(strong, None) is None


def test_past_session_recap_cites_role_date_numbers_and_only_its_summary() -> None:
    draft = replies.recap_past_session(SRE)
    assert draft.grounded_on == ["memory:session_summary:s-sre"]
    assert "Site Reliability Engineer interview on Wed 18 Nov 2026" in draft.text
    assert "answer quality 61" in draft.text and "fillers/min 3.2" in draft.text
    assert "1. Describe a production incident" in draft.text


def test_a_session_that_does_not_exist_is_said_so_with_the_real_ones_listed() -> None:
    missing = Resolution(intent="session_recap", session_cue="yesterday", unresolved="yesterday")
    draft = replies.session_not_found(missing, [SRE])
    assert (
        draft.text.startswith("I don't see a session yesterday")
        and "Site Reliability Engineer on Wed 18 Nov" in draft.text
    )
    assert replies.session_not_found(missing, []).grounded_on == []


def test_plan_and_stories_claim_no_source_they_did_not_use() -> None:
    assert replies.practice_plan(None, []).grounded_on == []
    assert replies.practice_plan(_report(), []).grounded_on == ["report"]
    assert replies.story_bank([]).grounded_on == []
    assert replies.HELP not in replies.smalltalk("thanks!").text


def test_sessions_come_from_summaries_and_the_report_in_focus() -> None:
    summary = MemoryRecord(
        id="1",
        user_id="u",
        kind="session_summary",
        text="Mock interview",
        session_id="s-sre",
        created_at=datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
        metrics={"answer_quality": 61.0},
        data={"role": "Site Reliability Engineer", "question_ids": ["beh-pressure-002", "unknown-id"]},
    )
    sessions = sessions_from_memory([summary], _report(), in_session=True)
    assert [s.session_id for s in sessions] == ["s-now", "s-sre"]
    assert sessions[0].is_current and sessions[0].questions[1] == QUEUE.text
    assert sessions[1].questions == ["Describe a production incident you helped resolve. What was your role?"]
    assert not sessions_from_memory([summary], _report(), in_session=False)[0].is_current


def test_coach_history_is_the_candidate_messages_after_the_report() -> None:
    events = [
        TurnEvent(role="candidate", kind="candidate", text="my answer"),
        TurnEvent(role="feedback", kind="report", text="Your report"),
        TurnEvent(role="candidate", kind="candidate", text="why was Q2 low?"),
        TurnEvent(role="coach", kind="coach", text="Question 2 ..."),
        TurnEvent(role="candidate", kind="candidate", text="and how do I fix that?"),
    ]
    assert coach_history(events) == ["why was Q2 low?"]
