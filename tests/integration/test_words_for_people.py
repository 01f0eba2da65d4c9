"""Words for people: no internal key reaches a card, a report, an export or the CLI (issue 14, defect 3).

The session is built by the real pipeline (``people_words.build_session``); every score component,
penalty, voice, face and gesture signal is present, so a key without a human label shows up here.
"""

from __future__ import annotations

import ast
import html
import re
import wave
from collections.abc import Iterator
from pathlib import Path

import pytest
from people_words import build_session, internal_keys
from typer.testing import CliRunner

from interview_coach.agents.interviewer import build_follow_up
from interview_coach.assessment import labels, rendering
from interview_coach.assessment.text_components import follow_up_asks
from interview_coach.cli import app, console, print_turn
from interview_coach.cli.analysis import _print_assessment
from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps, make_deps
from interview_coach.domain import AnswerAssessment, Question, QuestionKind, SessionReport, TurnEvent
from interview_coach.graphs import events
from interview_coach.graphs.interview_nodes import feedback_text
from interview_coach.graphs.turns import Turn
from interview_coach.memory.embeddings import SentenceTransformerEmbedder

SOURCE = Path(labels.__file__).resolve().parents[1]
# The leaks the issue quotes, in the forms people saw them.
UNIT_KEY = re.compile(r"_(?:wpm|s|st|db|ratio|per_min|score|in_text)$|_vs_")
QUOTED_LEAKS = (
    "too_short",
    "length_vs_budget",
    "length vs budget",
    "speech rate wpm",
    "response delay s",
    "pitch variation st",
    "smile ratio",
    "fillers in text",
    "quote: closest sentence",
    "quote: the sentence closest",
    "answered by skipped",
    "1 timed answers",
    "1 spoken answers",
    "question(s)",
    "haven't touched on",
)


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SessionReport, list[AnswerAssessment]]]:
    folder = tmp_path_factory.mktemp("words")
    settings = Settings(data_dir=folder / "data", shared_data_dir=folder / "none", _env_file=None)
    deps: AppDeps = make_deps(settings, SentenceTransformerEmbedder(), None)
    try:
        yield build_session(deps)
    finally:
        deps.close()


def _visible(page: str) -> str:
    """Return the text of an HTML page a person reads (no style sheet, no tags, no attribute names)."""
    body = re.sub(r"<style>.*?</style>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", body))


def _surfaces(report: SessionReport, assessments: list[AnswerAssessment]) -> dict[str, str]:
    texts: dict[str, str] = {}
    turn_events = []
    for question in report.questions:
        if question.evaluation is None or question.ref is None:
            continue
        texts[f"card {question.ref.label}"] = rendering.render_feedback_card(question.evaluation, question.ref)
        text = feedback_text(question.ref, question.evaluation)
        texts[f"feedback {question.ref.label}"] = text
        turn_events.append(TurnEvent.model_validate(events.feedback(text, question.ref, question.evaluation)))
    texts["report"] = rendering.render_report_markdown(report)
    texts["export markdown"] = rendering.render_export(report, "markdown")
    texts["export html"] = _visible(rendering.render_export(report, "html"))
    with console.capture() as captured:
        for assessment in assessments:
            _print_assessment(assessment)
        report_event = TurnEvent.model_validate(events.event("system", "report", "report"))
        print_turn(Turn(session_id="s1", messages=[*turn_events, report_event], report=report))
    texts["cli"] = captured.get()
    return texts


def test_the_session_exercises_every_modality(session: tuple[SessionReport, list[AnswerAssessment]]) -> None:
    report, _ = session
    names = {s.name for q in report.questions for score in q.scores.values() for s in score.signals}
    assert {"length_vs_budget", "too_short", "hedges", "fillers_in_text", "repetitions"} <= names
    assert {"speech_rate_wpm", "response_delay_s", "pitch_variation_st", "gasps"} <= names
    assert {"smile_ratio", "blink_rate_per_min", "hand_to_face_per_min", "shoulder_tension_ratio"} <= names
    assert any(q.input_mode == "skipped" for q in report.questions)
    assert any(q.ref is not None and q.ref.follow_up for q in report.questions)


def test_no_internal_key_in_cards_reports_exports_or_cli(
    session: tuple[SessionReport, list[AnswerAssessment]],
) -> None:
    report, assessments = session
    emitted = {s.name for q in report.questions for score in q.scores.values() for s in score.signals}
    emitted |= {
        e.kind for q in report.questions for score in q.scores.values() for s in score.signals for e in s.evidence
    }
    # A key with its underscores replaced is still a key: a unit suffix gives it away ("speech rate wpm").
    spelled = {k.replace("_", " ") for k in emitted if UNIT_KEY.search(k)}
    assert {"speech rate wpm", "response delay s", "smile ratio", "fillers in text", "length vs budget"} <= spelled
    for surface, text in _surfaces(report, assessments).items():
        assert internal_keys(text) == [], surface
        lowered = text.lower()
        assert [leak for leak in QUOTED_LEAKS if leak in lowered] == [], surface
        assert sorted(k for k in spelled if re.search(rf"\b{re.escape(k)}\b", lowered)) == [], surface


def test_every_score_says_which_way_is_good(session: tuple[SessionReport, list[AnswerAssessment]]) -> None:
    report, assessments = session
    texts = _surfaces(report, assessments)
    video = next(q for q in report.questions if q.input_mode == "video")
    assert video.ref is not None
    stress = video.scores["stress"].value
    assert stress is not None
    assert f"**Stress**: {stress}/100 (" in texts[f"card {video.ref.label}"]
    assert "— lower is calmer" in texts[f"card {video.ref.label}"]
    assert f"Stress {stress}/100 (lower is calmer)" in texts[f"feedback {video.ref.label}"]
    assert f"Stress: {stress}/100 (lower is calmer)" in texts["cli"]
    overall = report.overall_scores["answer_quality"].value
    assert f"**Answer quality**: {overall}/100 — higher is better" in texts["report"]
    assert "lower is calmer" in texts["export html"]
    for key, label in labels.SCORE_LABELS.items():
        assert label.meaning and label.direction, key


def test_the_exports_explain_every_measurement_they_show(
    session: tuple[SessionReport, list[AnswerAssessment]],
) -> None:
    report, assessments = session
    texts = _surfaces(report, assessments)
    moved = {s.name for q in report.questions for score in q.scores.values() for s in score.signals if s.effect}
    for name in moved:
        line = f"**{labels.signal_label(name).capitalize()}**: {labels.signal_meaning(name)}"
        assert line in texts["export markdown"], name
        assert labels.signal_meaning(name) in texts["export html"], name


def test_evidence_rows_quote_what_they_rest_on(session: tuple[SessionReport, list[AnswerAssessment]]) -> None:
    report, _ = session
    answered = [q for q in report.questions if q.analysis is not None and q.analysis.text is not None]
    closest = [item for q in answered for item in rendering.evidence_items(q) if item.kind == "closest to the question"]
    assert closest and all(item.detail.startswith("“") and len(item.detail) > 10 for item in closest)
    markdown = rendering.render_export(report, "markdown")
    assert "key point covered: " in markdown and "key point not covered: " in markdown
    assert "**0:00** first word: after 4.5 s" in markdown


def test_every_key_the_scoring_code_emits_has_a_label() -> None:
    signals: set[str] = set()
    kinds: set[str] = set()
    helpers = {"finding_evidence", "span_evidence", "evidence", "_span_evidence", "_events"}
    for path in [p for folder in ("assessment", "domain", "tools") for p in SOURCE.joinpath(folder).rglob("*.py")]:
        for node in ast.walk(ast.parse(path.read_text())):
            if not isinstance(node, ast.Call):
                continue
            callee = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            keywords = {k.arg: k.value for k in node.keywords if isinstance(k.value, ast.Constant)}
            if callee == "Signal" and "name" in keywords:
                signals.add(str(keywords["name"].value))
            if callee == "Evidence" and "kind" in keywords:
                kinds.add(str(keywords["kind"].value))
            if callee in helpers:
                # The kind is the first string argument; a later one is the detail's wording.
                texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                kinds |= set(texts[:1])
    kinds = {k for k in kinds if re.fullmatch(r"[a-z_]+", k)}
    assert len(signals) > 30 and len(kinds) > 15
    assert sorted(s for s in signals if not labels.is_labelled(s)) == []
    assert sorted(k for k in kinds if k not in labels.EVIDENCE_LABELS) == []
    for name in signals:
        assert "_" not in labels.signal_label(name) and labels.signal_meaning(name), name


def test_a_follow_up_quotes_the_missing_key_point() -> None:
    parent = Question(
        id="api-1",
        text="What makes an API RESTful?",
        kind=QuestionKind.TECHNICAL,
        competency="api_design",
        key_points=["Gives an example of a well designed resource path such as /orders/42"],
    )
    follow_up = build_follow_up(parent, "missing_key_points", parent.key_points, 1)
    assert follow_up.text.startswith(
        "You did not cover this key point: “Gives an example of a well designed resource path such as /orders/42”."
    )
    # The quoted point says "example", but the follow-up asks for that point, not for a structure part.
    assert follow_up_asks(follow_up) == ()


def test_counts_read_as_words() -> None:
    assert labels.counted(1, "spoken answer") == "1 spoken answer"
    assert labels.counted(3, "question") == "3 questions"
    assert labels.counted(1.0, "filler word") == "1 filler word"
    assert labels.counted(0, "long pause") == "0 long pauses"


def test_analyze_prints_words_for_people(tmp_path: Path, shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Six read sentences of one speaker, joined with short pauses: about 17 s of real speech.
    sentences = sorted((shared_data / "speechbrain-asr").glob("spk1_snt*.wav"))
    assert sentences
    recording = tmp_path / "answer.wav"
    with wave.open(str(recording), "wb") as out:
        for index, sentence in enumerate(sentences):
            with wave.open(str(sentence)) as source:
                if index == 0:
                    out.setparams(source.getparams())
                out.writeframes(source.readframes(source.getnframes()))
                out.writeframes(b"\0" * source.getsampwidth() * int(source.getframerate() * 0.6))
    monkeypatch.setenv("INTERVIEW_COACH_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(
        app, ["analyze", str(recording), "--question", "Tell me about a time you helped a teammate."]
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"Answer quality: \d+/100 \(higher is better\)", result.output)
    assert re.search(r"voice: \d+ words per minute", result.output)
    assert internal_keys(result.output) == []
