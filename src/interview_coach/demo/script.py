"""The scripted demo: a sample candidate for a backend role, answered by text, speech and video.

Speech is generated at run time with espeak-ng (when installed) and the video is built from a
face image that ships with scikit-image, so the first run shows real voice and face analysis.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from interview_coach.core.deps import AppDeps
from interview_coach.domain import (
    AnswerInput,
    CandidateProfile,
    InterviewMode,
    InterviewPlanRequest,
    Seniority,
    SessionReport,
    TurnEvent,
)
from interview_coach.graphs.service import InterviewService, Turn

DEMO_PROFILE = CandidateProfile(
    name="Alex",
    role="Backend Software Engineer",
    role_family="backend",
    seniority=Seniority.MID,
    resume_text="Backend engineer, 4 years. Python, PostgreSQL, Kafka, Kubernetes. Built billing and payments services.",
    job_description="We are hiring a backend engineer to build reliable payment APIs in Python with PostgreSQL.",
    goals=["Sound more confident in technical answers"],
)


@dataclass(frozen=True)
class ScriptedAnswer:
    """One scripted answer: its text and how it is delivered."""

    text: str
    delivery: str = "text"  # text | audio | video


DEMO_QUESTIONS = ["beh-failure-001", "tech-api-003", "sit-pressure-001", "tech-db-001"]

STRONG_FAILURE_STORY = (
    "In my second year at a payments startup I owned the nightly billing job. "
    "I shipped a change to the retry logic without a load test, and one night it double-charged about 300 customers, "
    "roughly 18,000 dollars in total. "
    "My task was to stop the damage and win back their trust. "
    "I rolled back the release within 40 minutes, wrote the refund script myself, and sent support a summary for every affected customer. "
    "The root cause was my assumption that the payment provider deduplicated retries; it did not. "
    "Afterwards I added idempotency keys to every charge call and made load tests a required step in our release checklist. "
    "All refunds were done within 24 hours, and in the following year we had zero duplicate charges. "
    "I learned to verify assumptions about external systems with a test instead of trusting the documentation."
)
WEAK_IDEMPOTENCY = (
    "Um, idempotency is, like, when something is kind of the same. I think you would just, you know, check it."
)
FOLLOW_UP_IDEMPOTENCY = (
    "An idempotent operation has the same effect whether it runs once or several times. "
    "GET, PUT and DELETE are idempotent by definition, while POST is not. "
    "For a payment endpoint the client sends an idempotency key with each request, and the server stores the result under that key "
    "with a unique constraint. "
    "If the client retries with the same key, the server returns the stored result instead of charging the card twice. "
    "The keys expire after 24 hours so the table does not grow forever."
)
SPOKEN_LAUNCH_RISK = (
    "Um, first I would tell the product manager and the teams that depend on the launch, the same day. "
    "I would estimate how late the feature is, for example two extra weeks, and explain why. "
    '<break time="1800ms"/> Then I would offer options: cut scope, launch the rest behind a feature flag, or delay the launch. '
    "We would agree on one decision together, and I would write a new plan with clear owners and dates."
)
VIDEO_INDEX_ANSWER = (
    "An index is a sorted structure, usually a B-tree, that lets the database find rows without scanning the whole table. "
    "It speeds up lookups, range queries and sorting on the indexed columns. "
    "For example, an index on the user email column makes login queries fast. "
    "The cost is slower writes, extra storage, and some maintenance."
)
FOLLOW_UP_ANSWERS = {"tech-api-003": ScriptedAnswer(FOLLOW_UP_IDEMPOTENCY)}
GENERIC_FOLLOW_UP = ScriptedAnswer(
    "To be concrete: I measured the result, it improved by about 30 percent, and I wrote down what I would do differently next time."
)
COACH_TURNS = ["Why was question 2 rated low?", "Give me a drill for filler words"]


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).replace("  ", " ")


def prepare_media(workdir: Path, *, with_media: bool) -> tuple[list[ScriptedAnswer], list[str]]:
    """Build the scripted answers; generate speech and video when the tools are present.

    Returns:
        The answers to the main questions in order, and notes about
        media that could not be generated (the demo then types that answer instead).

    """
    notes: list[str] = []
    spoken = ScriptedAnswer(_plain(SPOKEN_LAUNCH_RISK))
    video = ScriptedAnswer(VIDEO_INDEX_ANSWER)
    if with_media:
        from interview_coach.demo.tts import synthesize_speech, tts_available

        if not tts_available():
            notes.append("espeak-ng is not installed, so the spoken and video answers are typed instead.")
        else:
            audio = synthesize_speech(SPOKEN_LAUNCH_RISK, workdir / "answer_q3.wav", wpm=150, leading_silence_s=1.2)
            spoken = ScriptedAnswer(str(audio), "audio")
            try:
                from interview_coach.demo.sample_video import make_sample_video

                video_audio = synthesize_speech(
                    VIDEO_INDEX_ANSWER, workdir / "answer_q4.wav", wpm=160, leading_silence_s=0.8
                )
                clip = make_sample_video(
                    video_audio, workdir / "answer_q4.mp4", duration_s=0.0, look_away_at=(6.0, 8.0)
                )
                video = ScriptedAnswer(str(clip), "video")
            except Exception as exc:  # the demo must go on with a typed answer
                notes.append(f"Could not build the demo video ({exc}); that answer is typed instead.")
    answers = [ScriptedAnswer(STRONG_FAILURE_STORY), ScriptedAnswer(WEAK_IDEMPOTENCY), spoken, video]
    return answers, notes


def _as_input(answer: ScriptedAnswer) -> AnswerInput:
    if answer.delivery == "audio":
        return AnswerInput(audio_path=answer.text)
    if answer.delivery == "video":
        return AnswerInput(video_path=answer.text)
    return AnswerInput(text=answer.text)


async def run_demo(
    deps: AppDeps, *, user_id: str = "demo", with_media: bool = True, echo: Callable[[Turn], None] | None = None
) -> tuple[SessionReport, list[Turn]]:
    """Run the scripted interview end to end and return its report and every turn.

    Main questions get the scripted answers in order; follow-ups get the scripted follow-up
    answer for their parent question (or a generic one).
    """
    turns: list[Turn] = []

    def show(turn: Turn) -> Turn:
        turns.append(turn)
        if echo:
            echo(turn)
        return turn

    request = InterviewPlanRequest(
        profile=DEMO_PROFILE,
        question_count=len(DEMO_QUESTIONS),
        mode=InterviewMode.PRACTICE,
        question_ids=DEMO_QUESTIONS,
    )
    with tempfile.TemporaryDirectory(prefix="interview-coach-demo-") as tmp:
        answers, notes = prepare_media(Path(tmp), with_media=with_media)
        async with InterviewService.open(deps) as service:
            turn = show(await service.start(user_id, request))
            for note in notes:
                notice = TurnEvent(role="system", kind="notice", text=note, notice="info")
                show(Turn(session_id=turn.session_id, messages=[notice]))
            main_answers = iter(answers)
            while turn.waiting_for == "answer":
                parent = turn.question.follow_up_of if turn.question else None
                if parent:
                    answer = FOLLOW_UP_ANSWERS.get(parent, GENERIC_FOLLOW_UP)
                else:
                    answer = next(main_answers, ScriptedAnswer("/end"))
                turn = show(await service.send(turn.session_id, user_id, _as_input(answer)))
            for message in COACH_TURNS:
                if turn.waiting_for != "coach":
                    break
                turn = show(await service.send(turn.session_id, user_id, message))
            report = await service.report(turn.session_id, user_id)
    if report is None:
        raise RuntimeError("The demo interview ended without a report.")
    return report, turns
