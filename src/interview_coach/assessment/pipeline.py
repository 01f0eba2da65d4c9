"""Run every perception tool that applies to an answer and collect the results.

Failures of one modality (corrupt media, no face) become a readable entry in
``AnswerAnalysis.errors`` and a ``None`` result ("not measured"); the interview goes on.
"""

from __future__ import annotations

import logging
from pathlib import Path

from interview_coach.deps import AppDeps
from interview_coach.domain import AnswerAnalysis, AnswerInput, Question

logger = logging.getLogger(__name__)


def truncate_answer(text: str, limit: int) -> tuple[str, bool]:
    """Cut an answer to the configured size before any model sees it."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def _analyze_voice(deps: AppDeps, path: Path, question: Question, analysis: AnswerAnalysis) -> None:
    from interview_coach.core.embedding import ModelUnavailableError
    from interview_coach.tools.media.decode import MediaError
    from interview_coach.tools.voice.analysis import analyze_voice

    try:
        voice = analyze_voice(path, deps.settings, deps.transcriber, time_budget_s=question.time_budget_s)
    except (MediaError, ModelUnavailableError) as exc:
        analysis.errors.append(f"Voice not measured: {exc}")
        return
    analysis.voice = voice.model_dump(mode="json")
    if not analysis.answer_text.strip():
        analysis.answer_text = voice.transcript


def _analyze_face(deps: AppDeps, path: Path, analysis: AnswerAnalysis, *, with_gestures: bool) -> None:
    from interview_coach.core.embedding import ModelUnavailableError
    from interview_coach.tools.media.decode import MediaError

    try:
        face, gesture = deps.face_analyzer.analyze(path, include_gestures=with_gestures)
    except (MediaError, ModelUnavailableError) as exc:
        analysis.errors.append(f"Face not measured: {exc}")
        return
    analysis.face = face.model_dump(mode="json")
    analysis.gesture = gesture.model_dump(mode="json") if gesture is not None else None


def analyze_answer(
    deps: AppDeps,
    question: Question,
    answer: AnswerInput,
    *,
    camera_off: bool = False,
    opted_out: set[str] | None = None,
    analyze_content: bool = True,
) -> AnswerAnalysis:
    """Measure an answer: voice for audio/video, face and gestures for video, text always.

    Args:
        deps: process dependencies (models load lazily on first use).
        question: the question the answer responds to.
        answer: typed text and/or a media file path.
        camera_off: skip every camera-based measurement.
        opted_out: modalities the user turned off (``"voice"``, ``"face"``, ``"gesture"``).
        analyze_content: score the answer's content (needs a real question).

    Returns:
        The analysis; modalities that could not be measured are ``None`` with a reason in ``errors``.

    """
    opted = opted_out or set()
    text, truncated = truncate_answer(answer.text, deps.settings.max_answer_chars)
    media = answer.video_path or answer.audio_path
    mode = "video" if answer.video_path else "audio" if answer.audio_path else "text"
    analysis = AnswerAnalysis(answer_text=text, input_mode=mode, truncated=truncated)
    if media and "voice" not in opted:
        _analyze_voice(deps, Path(media), question, analysis)
    if answer.video_path and not camera_off and "face" not in opted:
        _analyze_face(deps, Path(answer.video_path), analysis, with_gestures="gesture" not in opted)
    analysis.answer_text, cut = truncate_answer(analysis.answer_text, deps.settings.max_answer_chars)
    analysis.truncated = analysis.truncated or cut

    if not analyze_content:
        return analysis

    from interview_coach.tools.text.analysis import analyze_text

    analysis.text = analyze_text(analysis.answer_text, question, deps.embedder).model_dump(mode="json")
    return analysis
