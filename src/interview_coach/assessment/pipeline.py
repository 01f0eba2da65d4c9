"""The one answer pipeline: perception measures, assessment judges (scores and findings, once).

Every surface goes through :func:`assess_answer`: the interview graph, the coach's
re-answer drill, ``interview-coach analyze``, the REST API and the evals. Wording the
result (builtin or LLM) is the evaluator agent's job, on top of what this returns.
Failures of one modality (corrupt media, no face) become a readable entry in
``AnswerAnalysis.not_measured`` and a ``None`` result ("not measured"); the interview goes on.
A recording with no words to judge (damaged, silent) gets answer quality "not measured" too, and
``answer_again_reason`` tells the graph to keep the question open for another answer.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from interview_coach.assessment.findings import find_patterns
from interview_coach.assessment.progress import voice_baseline_deltas
from interview_coach.assessment.scoring import compute_scores, quality_1_5
from interview_coach.core.deps import AppDeps
from interview_coach.domain import AnswerAnalysis, AnswerAssessment, AnswerInput, MemoryRecord, NotMeasured, Question
from interview_coach.domain.answers import Modality, StreamedFace
from interview_coach.domain.voice import VoiceAnalysis

logger = logging.getLogger(__name__)


def truncate_answer(text: str, limit: int) -> tuple[str, bool]:
    """Cut an answer to the configured size before any model sees it."""
    if len(text) <= limit:
        return text, False
    return text[:limit], True


def _analyze_voice(
    deps: AppDeps, path: Path, question: Question, analysis: AnswerAnalysis, streamed: VoiceAnalysis | None = None
) -> None:
    from interview_coach.assessment.voice_scores import assess_voice
    from interview_coach.core.embedding import ModelUnavailableError
    from interview_coach.tools.media.decode import MediaError
    from interview_coach.tools.voice.analysis import analyze_voice

    try:
        # A streamed analysis is used only if it was measured against this question's budget.
        if streamed is None or streamed.time_budget_s != question.time_budget_s:
            streamed = analyze_voice(path, deps.settings, deps.transcriber, time_budget_s=question.time_budget_s)
        voice = assess_voice(streamed)
    except (MediaError, ModelUnavailableError) as exc:
        analysis.not_measured.append(NotMeasured(modality="voice", reason=str(exc)))
        return
    analysis.voice = voice
    if not analysis.answer_text.strip():
        analysis.answer_text = voice.transcript


def _analyze_face(
    deps: AppDeps, path: Path, analysis: AnswerAnalysis, *, with_gestures: bool, streamed: StreamedFace | None = None
) -> None:
    from interview_coach.assessment.face_scores import assess_face
    from interview_coach.core.embedding import ModelUnavailableError
    from interview_coach.tools.media.decode import MediaError

    try:
        # The room's camera analysed the frames while the answer was recorded: no second landmarking,
        # unless gestures are wanted and were not measured live.
        if streamed is not None and (streamed.gesture is not None or not with_gestures):
            face, gesture = streamed.face, streamed.gesture if with_gestures else None
        else:
            face, gesture = deps.face_analyzer.analyze(path, include_gestures=with_gestures)
    except (MediaError, ModelUnavailableError) as exc:
        analysis.not_measured.append(NotMeasured(modality="face", reason=str(exc)))
        return
    analysis.face = assess_face(face, gesture)
    analysis.gesture = gesture


def _unheard_reason(analysis: AnswerAnalysis, media: str | None) -> str | None:
    """Say why a recorded answer gave no words to judge (damaged file, silence), or ``None``."""
    if not media or analysis.answer_text.strip():
        return None
    voice_failure = next((n.reason for n in analysis.not_measured if n.modality == "voice"), None)
    if voice_failure:
        return f"the recording could not be used ({voice_failure.rstrip('.')}), so there was no answer to judge."
    if analysis.voice is not None and analysis.voice.not_measured_reason:
        return f"no words were heard in the recording ({analysis.voice.not_measured_reason.rstrip('.')})."
    return "no words were heard in the recording, so there was no answer to judge."


def answer_again_reason(assessment: AnswerAssessment) -> str | None:
    """Return why the answer could not be judged at all, so the question should stay open, or ``None``.

    A recording that could not be decoded, or in which no words were heard (silence, a muted
    microphone), has no content to judge: its answer quality is "not measured" and the
    candidate is asked to answer again instead of losing the question.
    """
    analysis = assessment.analysis
    if analysis.text is not None or analysis.input_mode == "text":
        return None
    return next((n.reason for n in analysis.not_measured if n.modality == "text"), None)


def planned_modalities(
    answer: AnswerInput, *, camera_off: bool = False, opted_out: set[str] | None = None
) -> list[Modality]:
    """Say which modalities the pipeline will measure for an answer (surfaces show these as steps)."""
    opted = opted_out or set()
    planned: list[Modality] = []
    if (answer.audio_path or answer.video_path) and "voice" not in opted:
        planned.append("voice")
    if answer.video_path and not camera_off and "face" not in opted:
        planned.append("face")
        if "gesture" not in opted:
            planned.append("gesture")
    planned.append("text")
    return planned


# Entries of ``not_measured`` keep this order whichever modality finished first.
_MODALITY_ORDER = {"voice": 0, "face": 1, "gesture": 2, "text": 3}


def _perceive(
    deps: AppDeps,
    question: Question,
    answer: AnswerInput,
    planned: list[Modality],
    analysis: AnswerAnalysis,
) -> None:
    """Run the voice and face tools on the answer's media, at the same time for a video.

    Transcription (ctranslate2) and the landmarkers (mediapipe) release the GIL, so a video's
    voice and face run side by side (unless ``parallel_voice_face`` is off); each writes its own
    fields of ``analysis``.
    """
    media = answer.video_path or answer.audio_path
    with_voice = "voice" in planned and media is not None
    with_face = "face" in planned and answer.video_path is not None

    def voice() -> None:
        assert media is not None
        _analyze_voice(deps, Path(media), question, analysis, answer.voice)

    def face() -> None:
        assert answer.video_path is not None
        _analyze_face(deps, Path(answer.video_path), analysis, with_gestures="gesture" in planned, streamed=answer.face)

    if with_voice and with_face and deps.settings.parallel_voice_face:
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="voice") as pool:
            heard = pool.submit(voice)
            face()
            heard.result()
    else:
        if with_voice:
            voice()
        if with_face:
            face()
    analysis.not_measured.sort(key=lambda item: _MODALITY_ORDER.get(item.modality, len(_MODALITY_ORDER)))


def _measure(
    deps: AppDeps, question: Question, answer: AnswerInput, planned: list[Modality], *, analyze_content: bool
) -> AnswerAnalysis:
    """Run the planned perception tools; text content is judged only with a real question."""
    text, truncated = truncate_answer(answer.text, deps.settings.max_answer_chars)
    mode = "video" if answer.video_path else "audio" if answer.audio_path else "text"
    analysis = AnswerAnalysis(answer_text=text, input_mode=mode, truncated=truncated, nudges=answer.nudges)
    media = answer.video_path or answer.audio_path
    _perceive(deps, question, answer, planned, analysis)
    analysis.answer_text, cut = truncate_answer(analysis.answer_text, deps.settings.max_answer_chars)
    analysis.truncated = analysis.truncated or cut

    if not analyze_content:
        return analysis
    unheard = _unheard_reason(analysis, media)
    if unheard:
        # Nothing was said that could be judged: answer quality is "not measured", never a 0.
        analysis.not_measured.append(NotMeasured(modality="text", reason=unheard))
        return analysis

    from interview_coach.assessment.text_scores import assess_answer_text

    analysis.text = assess_answer_text(
        analysis.answer_text, question, deps.embedder, models_root=deps.settings.models_dir
    )
    return analysis


def assess_answer(
    deps: AppDeps,
    question: Question,
    answer: AnswerInput,
    *,
    camera_off: bool = False,
    opted_out: set[str] | None = None,
    analyze_content: bool = True,
    history: Sequence[MemoryRecord] = (),
    session_id: str | None = None,
) -> AnswerAssessment:
    """Measure an answer and judge it: scores from signals, findings, follow-up reasons, baseline.

    Args:
        deps: process dependencies (models load lazily on first use).
        question: the question (or follow-up) the answer responds to.
        answer: typed text and/or a media file.
        camera_off: skip every camera-based measurement.
        opted_out: modalities or scores the candidate turned off.
        analyze_content: judge the content (needs a real question; ``analyze`` without one skips it).
        history: the user's earlier session summaries, for the personal voice baseline.
        session_id: the current session, excluded from the baseline.

    Returns:
        The typed assessment; modalities that could not be measured say why in ``analysis.not_measured``.

    """
    opted = opted_out or set()
    planned = planned_modalities(answer, camera_off=camera_off, opted_out=opted)
    analysis = _measure(deps, question, answer, planned, analyze_content=analyze_content)
    findings = find_patterns(analysis, question.kind)
    reasons = list(analysis.text.follow_up_reasons) if analysis.text is not None else []
    deltas = voice_baseline_deltas(analysis.voice, list(history), exclude_session=session_id) if analysis.voice else {}
    return AnswerAssessment(
        analysis=analysis,
        scores=compute_scores(analysis, opted),
        findings=findings,
        quality_1_5=quality_1_5(analysis),
        follow_up_reasons=reasons,
        baseline_deltas=deltas,
    )
