"""Per-answer scores from measured signals: the one place that combines modalities into scores."""

from __future__ import annotations

from interview_coach.domain import AnswerAnalysis, Score, Signal


def _combine(name: str, parts: list[tuple[str, Score | None]], missing_reason: str) -> Score:
    measured = [(label, s) for label, s in parts if s is not None and s.value is not None]
    if not measured:
        reasons = [f"{label}: {s.not_measured_reason}" for label, s in parts if s is not None and s.not_measured_reason]
        return Score.not_measured("; ".join(reasons) or missing_reason)
    value = round(sum(s.value or 0 for _, s in measured) / len(measured))
    signals = [
        Signal(name=f"{label}_{name}", value=float(s.value or 0), effect=0.0, evidence=[]) for label, s in measured
    ]
    for _, s in measured:
        signals.extend(s.signals)
    return Score(value=value, signals=signals)


def compute_scores(analysis: AnswerAnalysis, opted_out: set[str] | None = None) -> dict[str, Score]:
    """Compute the per-answer scores from measured signals only.

    Args:
        analysis: the perception results for the answer.
        opted_out: score or modality names the user opted out of (e.g. ``"face"``, ``"stress"``).

    Returns:
        ``answer_quality``, ``fluency``, ``confidence`` and ``stress``; a modality that was not
        recorded gives a "not measured" score, never a guess.

    """
    opted = opted_out or set()
    face = None if "face" in opted else analysis.face
    voice = analysis.voice
    text = analysis.text
    unheard = next((n.reason for n in analysis.not_measured if n.modality == "text"), "no answer text to analyse")
    scores = {
        "answer_quality": (text.answer_quality if text is not None else None) or Score.not_measured(unheard),
        "fluency": (voice.fluency_score if voice is not None else None)
        or Score.not_measured(
            "typed answer: no speech to measure" if analysis.input_mode == "text" else "speech could not be analysed"
        ),
        "confidence": _combine(
            "confidence",
            [
                ("voice", voice.vocal_confidence_score if voice is not None else None),
                ("face", face.visual_confidence_score if face is not None else None),
            ],
            "needs a spoken or video answer",
        ),
        "stress": _combine(
            "stress",
            [("face", face.visual_stress_score if face is not None else None)],
            "needs a video answer with the face visible",
        ),
    }
    for name in list(scores):
        if name in opted:
            scores[name] = Score.not_measured("turned off by the candidate")
    return scores


def quality_1_5(analysis: AnswerAnalysis) -> int | None:
    """Return the 1-5 answer quality from the text analysis, if measured."""
    value = analysis.text.quality_1_5 if analysis.text is not None else None
    return int(value) if isinstance(value, int) and 1 <= value <= 5 else None
