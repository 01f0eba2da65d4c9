"""A damaged or silent recording gives answer quality "not measured" and keeps the question open.

Real audio is generated at test time with sox (a tone, then damaged bytes; digital silence) and
goes through the real pipeline (PyAV decoding, Silero VAD, faster-whisper). The 14-minute silence
case is measured in ``benchmarks/bench_silence.py`` (time and peak memory); here 60 seconds take
the same code path.
"""

from __future__ import annotations

import random
import shutil
import subprocess
from pathlib import Path

import pytest

from interview_coach.assessment.pipeline import answer_again_reason, assess_answer
from interview_coach.assessment.question_bank import load_question_bank
from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerInput, CandidateProfile, InterviewPlanRequest, Question
from interview_coach.graphs.service import InterviewService

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("sox") is None, reason="sox is needed to generate audio"),
]


def sox(path: Path, *effect: str, seconds: float) -> Path:
    """Generate 16 kHz mono audio with sox (``synth`` effects; no effect means digital silence)."""
    synth = ["synth", str(seconds), *effect] if effect else ["trim", "0", str(seconds)]
    command = ["sox", "-n", "-r", "16000", "-c", "1", "-b", "16", str(path), *synth]
    subprocess.run(command, check=True, capture_output=True)
    return path


def damaged(path: Path) -> Path:
    """A real recording whose header and first kilobytes were overwritten (seeded random bytes)."""
    sox(path, "sine", "440", seconds=5)
    data = bytearray(path.read_bytes())
    noise = random.Random(7).randbytes(4096)
    data[: len(noise)] = noise
    path.write_bytes(bytes(data))
    return path


@pytest.fixture
def question() -> Question:
    return next(q for q in load_question_bank().questions if q.id == "tech-db-001")


@pytest.mark.parametrize("kind", ["damaged", "silence"])
def test_unheard_recording_gives_answer_quality_not_measured_with_a_reason(
    deps: AppDeps,
    tmp_path: Path,
    question: Question,
    kind: str,
) -> None:
    path = damaged(tmp_path / "answer.wav") if kind == "damaged" else sox(tmp_path / "answer.wav", seconds=60)
    assessment = assess_answer(deps, question, AnswerInput(audio_path=str(path)))
    quality = assessment.scores["answer_quality"]
    assert quality.value is None, quality
    reason = quality.not_measured_reason or ""
    assert ("could not be used" in reason) if kind == "damaged" else ("no words were heard" in reason), reason
    assert assessment.quality_1_5 is None
    assert answer_again_reason(assessment) == reason
    assert any(n.modality == "text" for n in assessment.analysis.not_measured)


def test_typed_text_with_a_damaged_recording_is_still_judged(deps: AppDeps, tmp_path: Path, question: Question) -> None:
    typed = "An index is a sorted structure such as a B-tree that avoids a full table scan; writes get slower."
    assessment = assess_answer(deps, question, AnswerInput(text=typed, audio_path=str(damaged(tmp_path / "a.wav"))))
    assert assessment.scores["answer_quality"].value is not None
    assert answer_again_reason(assessment) is None


async def test_a_silent_answer_does_not_use_up_the_question(deps: AppDeps, tmp_path: Path) -> None:
    silent = sox(tmp_path / "silent.wav", seconds=20)
    request = InterviewPlanRequest(
        profile=CandidateProfile(name="Sam", role="Backend Software Engineer", role_family="backend"),
        question_count=2,
        question_ids=["tech-db-001", "tech-api-003"],
    )
    async with InterviewService.open(deps) as service:
        turn = await service.start("u-silence", request)
        turn = await service.send(turn.session_id, "u-silence", AnswerInput(audio_path=str(silent)))
        notes = [m.text for m in turn.messages if m.role == "system"]
        assert any("answer again" in n for n in notes), notes
        assert not any(m.role == "feedback" for m in turn.messages)
        assert turn.waiting_for == "answer" and turn.question is not None and turn.question.id == "tech-db-001"
        turn = await service.send(
            turn.session_id, "u-silence", "An index is a B-tree that avoids full table scans; writes get slower."
        )
        assert any(m.role == "feedback" for m in turn.messages)
        state = await service.graph.aget_state(service._config(turn.session_id))
        results = state.values["results"]
        assert [r["question"]["id"] for r in results] == ["tech-db-001"]
        assert results[0]["scores"]["answer_quality"]["value"] is not None
