"""Build a session whose report has every score component, signal and evidence kind that can reach people.

Typed answers go through the real answer pipeline (MiniLM relevance, the rubric, findings, the
builtin evaluator). One answer also carries a voice analysis and a face and gesture analysis,
built as the perception tools return them (decoding real media is slow on 2 cores) and then
judged by the real ``assess_voice`` / ``assess_face`` and ``compute_scores``.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime

from interview_coach.agents.evaluator import evaluate_answer
from interview_coach.agents.interviewer import build_follow_up
from interview_coach.assessment.face_scores import assess_face
from interview_coach.assessment.findings import find_patterns
from interview_coach.assessment.pipeline import assess_answer
from interview_coach.assessment.progress import voice_baseline_deltas
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.assessment.report import build_session_report
from interview_coach.assessment.scoring import compute_scores, quality_1_5
from interview_coach.assessment.voice_scores import assess_voice
from interview_coach.core.deps import AppDeps
from interview_coach.domain import (
    AnswerAssessment,
    AnswerInput,
    CandidateProfile,
    MemoryRecord,
    Pause,
    Question,
    QuestionRef,
    QuestionReport,
    SessionReport,
    TimedSpan,
    TimeSpan,
    VoiceAnalysis,
)
from interview_coach.domain.face import (
    FaceAnalysis,
    GestureAnalysis,
    HeadMotion,
    LookAwayEvent,
    MicroExpressionEvent,
    Nodding,
    PostureEvent,
)
from interview_coach.domain.voice import BreathPause, TimedWord

SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
_URLS_AND_FILES = re.compile(r"https?://\S+|\b[\w./-]+\.(?:md|html|json|wav|mp4|webm|py|yaml|csv)\b")

# Typed answers that move every text component and penalty: hedges, fillers, repeated words,
# a short answer, an off-topic one, a technical one with a missing trade-off, and a strong story.
STRONG_STORY = (
    "At my last company our nightly billing export failed about twice a week and no team owned it. "
    "Nobody asked me, but I decided to fix it myself because it wasted hours of everyone's time. "
    "My goal was to make the export reliable within one sprint. "
    "I traced the failures to a race between two cron jobs, wrote a lock around the export and added an alert. "
    "As a result, failures dropped from eight a month to zero and we saved about 20 hours every month. "
    "I wrote a runbook and handed it over to the data platform team so it would not come back."
)
HEDGED = "Um, I think I kind of fixed a thing, maybe. I I guess it it worked, basically."
TECHNICAL = (
    "REST means resources named by nouns, like /orders/42, and standard HTTP verbs such as GET and POST. "
    "Responses should use proper status codes, for example 404 for a missing order."
)
OFF_TOPIC = "My favourite food is pasta and I enjoy hiking on weekends with my dog in the mountains near Lyon."


def spoken_analysis(transcript: str) -> VoiceAnalysis:
    """Return a voice analysis as ``tools.voice`` measures it, slow, hesitant and flat, then judge it."""
    words: list[TimedWord] = []
    clock = 4.5
    for token in transcript.split():
        words.append(TimedWord(word=token, start=clock, end=clock + 0.3, probability=0.62))
        clock += 0.45
    fillers = [TimedSpan(start=4.5, end=4.8, word="um")]
    measured = VoiceAnalysis(
        transcript=transcript,
        words=words,
        duration_s=clock + 6.0,
        speech_s=clock - 4.5,
        speech_start_s=4.5,
        speech_end_s=clock + 5.0,
        response_delay_s=4.5,
        word_count=len(words),
        wpm=205.0,
        articulation_wpm=220.0,
        pauses=[Pause(start=6.0, end=9.1, duration_s=3.1), Pause(start=12.0, end=14.4, duration_s=2.4)],
        pause_count=2,
        long_pause_count=2,
        longest_pause_s=3.1,
        fillers=fillers,
        filler_count=len(fillers),
        fillers_per_min=9.0,
        repetitions=[TimedSpan(start=7.2, end=7.6, word="I I")],
        pitch_mean_hz=120.0,
        pitch_variation_st=1.1,
        volume_variation_db=1.2,
        breath_pauses=[BreathPause(start=9.2, end=9.6, duration_s=0.4, level_db=-30.0, gasp=True)],
        mean_word_probability=0.62,
        time_budget_s=60,
        over_time=False,
    )
    return assess_voice(measured)


def face_and_gestures(duration_s: float) -> tuple[FaceAnalysis, GestureAnalysis]:
    """Return a face and gesture analysis as ``tools.face`` measures them, then judge the face."""
    face = FaceAnalysis(
        frames_analyzed=150,
        fps_analyzed=10.0,
        duration_s=duration_s,
        face_present_ratio=0.75,
        multiple_faces_ratio=0.0,
        absences=[TimeSpan(start=4.0, end=6.0)],
        multiple_faces_events=[],
        eye_contact_ratio=0.4,
        gaze_calibrated=True,
        gaze_reference="first_seconds",
        looking_away_events=[
            LookAwayEvent(start=2.0, end=3.5, direction="left"),
            LookAwayEvent(start=8.0, end=9.0, direction="down"),
            LookAwayEvent(start=11.0, end=12.0, direction="up"),
        ],
        blink_rate_per_min=38.0,
        smile_ratio=0.3,
        frown_ratio=0.25,
        brow_tension=0.3,
        expression_timeline=[],
        micro_expression_events=[MicroExpressionEvent(start=7.0, end=7.2, expression="frown", peak=0.6)],
        head_motion=HeadMotion(yaw_std_deg=8.0, pitch_std_deg=5.0, roll_std_deg=2.0, mean_speed_deg_s=34.0),
        nodding=Nodding(count=2, per_min=3.0, events=[TimeSpan(start=10.0, end=10.6)]),
    )
    gesture = GestureAnalysis(
        frames_analyzed=150,
        fps_analyzed=10.0,
        duration_s=duration_s,
        hands_visible_ratio=0.6,
        pose_visible_ratio=0.9,
        hand_to_face_events=[TimeSpan(start=3.0, end=4.0), TimeSpan(start=13.0, end=14.0)],
        fidgeting_score=0.7,
        gesture_rate_per_min=4.0,
        gesture_events=[],
        pointing_events=[],
        leaning=None,
        slouching_ratio=0.5,
        shoulder_tension_ratio=0.4,
        posture_events=[
            PostureEvent(start=5.0, end=8.0, kind="slouching"),
            PostureEvent(start=9.0, end=10.0, kind="shoulders_raised"),
        ],
    )
    return assess_face(face, gesture), gesture


def earlier_session(user_id: str) -> MemoryRecord:
    """Return an earlier session summary, so the answer has a personal baseline to compare with."""
    return MemoryRecord(
        id="earlier",
        user_id=user_id,
        kind="session_summary",
        text="earlier session",
        session_id="earlier",
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        metrics={"wpm": 150.0, "fillers_per_min": 3.0, "long_pause_count": 1.0, "response_delay_s": 1.5},
    )


def with_media(deps: AppDeps, question: Question, text: str, history: list[MemoryRecord]) -> AnswerAssessment:
    """Judge a video answer: the transcript through the text pipeline, voice and face as measured."""
    typed = assess_answer(deps, question, AnswerInput(text=text))
    voice = spoken_analysis(text)
    face, gesture = face_and_gestures(voice.duration_s)
    analysis = typed.analysis.model_copy(
        update={"input_mode": "video", "voice": voice, "face": face, "gesture": gesture}
    )
    return AnswerAssessment(
        analysis=analysis,
        scores=compute_scores(analysis),
        findings=find_patterns(analysis, question.kind),
        quality_1_5=quality_1_5(analysis),
        follow_up_reasons=typed.follow_up_reasons,
        baseline_deltas=voice_baseline_deltas(voice, history, exclude_session="s1"),
    )


def build_session(deps: AppDeps) -> tuple[SessionReport, list[AnswerAssessment]]:
    """Run five answers (typed, video, a follow-up, a skip) and write the session report."""
    bank = load_question_bank()
    story = bank.by_id("beh-ownership-001")
    technical = next(q for q in bank.questions if q.kind.value == "technical" and q.key_points)
    history = [earlier_session("alice")]
    plan: list[tuple[Question, str | None, bool]] = [
        (story, HEDGED, True),
        (story, None, False),
        (technical, TECHNICAL, False),
        (bank.by_id("beh-teamwork-001"), OFF_TOPIC, False),
        (bank.by_id("beh-ownership-002"), STRONG_STORY, False),
        (bank.by_id("beh-conflict-001"), None, False),
    ]
    results: list[QuestionReport] = []
    assessments: list[AnswerAssessment] = []
    number = 0
    for question, text, video in plan:
        if text is None and question is story:
            # A follow-up on the missing key point, answered by the strong story.
            parent = assessments[-1]
            missing = parent.analysis.text.missing_key_points if parent.analysis.text else []
            asked = build_follow_up(story, "missing_key_points", missing, 1)
            ref = QuestionRef(number=number, total=5, follow_up=1, question_id=asked.id)
            assessment = assess_answer(deps, asked, AnswerInput(text=STRONG_STORY))
        elif text is None:
            number += 1
            ref = QuestionRef(number=number, total=5, follow_up=0, question_id=question.id)
            results.append(
                QuestionReport(question=question, ref=ref, input_mode="skipped", time_budget_s=question.time_budget_s)
            )
            continue
        else:
            number += 1
            asked = question
            ref = QuestionRef(number=number, total=5, follow_up=0, question_id=question.id)
            assessment = (
                with_media(deps, question, text, history)
                if video
                else assess_answer(deps, question, AnswerInput(text=text))
            )
        evaluation = asyncio.run(evaluate_answer(deps, asked, assessment))
        analysis = assessment.analysis
        assessments.append(assessment)
        results.append(
            QuestionReport(
                question=asked,
                ref=ref,
                answer_text=analysis.answer_text,
                input_mode=analysis.input_mode,
                analysis=analysis,
                evaluation=evaluation,
                scores=evaluation.scores,
                duration_s=analysis.voice.duration_s if analysis.voice is not None else None,
                time_budget_s=asked.time_budget_s,
            )
        )
    report = build_session_report(
        session_id="s1",
        user_id="alice",
        profile=CandidateProfile(),
        questions=results,
        created_at=datetime(2026, 2, 1, tzinfo=UTC),
        progress=[],
    )
    return report, assessments


def internal_keys(text: str) -> list[str]:
    """Return the snake_case tokens in people-facing text (URLs and file names excluded)."""
    return sorted(set(SNAKE_CASE.findall(_URLS_AND_FILES.sub(" ", text))))
