"""The pieces under the API and the chat room: rendering, exports, auth, upload rules, offline page."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from interview_coach.assessment import rendering
from interview_coach.core.settings import Settings
from interview_coach.domain import (
    AnswerAnalysis,
    AnswerEvaluation,
    CandidateProfile,
    MemoryRecord,
    Question,
    QuestionKind,
    QuestionRef,
    QuestionReport,
    Score,
    SessionReport,
)
from interview_coach.ui import files, render
from interview_coach.ui.auth import check_login, hash_password, user_for_token, verify_password
from interview_coach.ui.chat_setup import offline_index_html
from interview_coach.ui.options import start_command_role

STOCK_HEAD = """<head>
    <link rel="preconnect" href="https://fonts.googleapis.com" />
    <link rel="preconnect" href="https://fonts.gstatic.com" crossorigin />
    <!-- FONT START -->
    <link
      href="https://fonts.googleapis.com/css2?family=Inter:wght@400;500;700&display=swap"
      rel="stylesheet"
    />
    <!-- FONT END -->
    <link
      rel="stylesheet"
      href="https://cdn.jsdelivr.net/npm/katex@0.16.22/dist/katex.min.css"
    />
    <script type="module" crossorigin src="/assets/index.js"></script>
    <link rel="stylesheet" crossorigin href="/assets/index.css">
</head>"""


def spoken_report() -> SessionReport:
    question = Question(id="q1", text="Tell me about a failure.", kind=QuestionKind.BEHAVIORAL, competency="ownership")
    voice = {
        "words": [
            {"word": "Um,", "start": 0.5, "end": 0.9, "probability": 0.9},
            {"word": "I", "start": 1.0, "end": 1.1, "probability": 0.9},
            {"word": "shipped", "start": 1.2, "end": 1.6, "probability": 0.9},
            {"word": "late.", "start": 4.2, "end": 4.6, "probability": 0.9},
        ],
        "fillers": [{"word": "um", "start": 0.5, "end": 0.9}],
        "pauses": [{"start": 1.6, "end": 4.2, "duration_s": 2.6}],
        "wpm": 120.0,
        "filler_count": 1,
        "long_pause_count": 1,
    }
    analysis = AnswerAnalysis.model_validate(
        {"answer_text": "Um, I shipped late.", "input_mode": "audio", "voice": voice, "text": None}
    )
    fluency = Score.model_validate(
        {
            "value": 70,
            "signals": [
                {
                    "name": "long_pauses",
                    "value": 1,
                    "effect": -8,
                    "evidence": [{"kind": "long_pause", "detail": "long pause 2.6 s", "start_s": 1.6, "end_s": 4.2}],
                }
            ],
        }
    )
    typed = QuestionReport(
        question=question.model_copy(update={"id": "q2"}),
        answer_text="So, like, you know, I fixed it.",
        analysis=AnswerAnalysis.model_validate(
            {
                "answer_text": "So, like, you know, I fixed it.",
                "text": {
                    "question_id": "q2",
                    "question_kind": "behavioral",
                    "word_count": 7,
                    "sentence_count": 1,
                    "estimated_speaking_s": 3.0,
                    "fillers_in_text": [
                        {"kind": "filler", "text": "like", "quote": "like"},
                        {"kind": "filler", "text": "you know", "quote": "you know"},
                    ],
                },
            }
        ),
        scores={"answer_quality": Score(value=40)},
    )
    spoken = QuestionReport(
        question=question,
        answer_text="Um, I shipped late.",
        input_mode="audio",
        analysis=analysis,
        scores={"fluency": fluency},
    )
    return SessionReport(
        session_id="s1",
        user_id="alice",
        profile=CandidateProfile(),
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        questions=[spoken, typed],
        overall_scores={"fluency": fluency, "stress": Score.not_measured("needs video")},
    )


def test_spoken_transcript_marks_fillers_and_long_pauses() -> None:
    question = spoken_report().questions[0]
    markdown = rendering.transcript_markdown(question)
    assert markdown.startswith("**Um,**")
    assert "⏸ 2.6 s pause at 0:02" in markdown
    assert markdown.index("shipped") < markdown.index("⏸") < markdown.index("late")
    html = rendering.transcript_html(question)
    assert '<mark class="filler">Um,</mark>' in html and 'class="pause"' in html


def test_typed_transcript_marks_detected_fillers_only() -> None:
    question = spoken_report().questions[1]
    assert rendering.transcript_markdown(question) == "So, **like**, **you know**, I fixed it."


def test_evidence_is_listed_with_timestamps() -> None:
    items = rendering.evidence_items(spoken_report().questions[0])
    assert [(i.timestamp, i.detail) for i in items] == [("0:02", "long pause 2.6 s")]
    assert "**0:02** long pause" in rendering.evidence_markdown(spoken_report().questions[0])


def test_charts_show_unmeasured_values_as_gaps() -> None:
    rows = rendering.question_metrics(spoken_report())
    assert rows[0].wpm == 120.0 and rows[1].wpm is None and rows[1].fillers == 2.0
    figure = render.delivery_figure(spoken_report())
    assert len(figure.data) == 4 and list(figure.data[0].y) == [120.0, None]


def test_progress_chart_needs_two_sessions() -> None:
    def summary(day: int, quality: float) -> MemoryRecord:
        return MemoryRecord(
            id=f"m{day}",
            user_id="alice",
            kind="session_summary",
            text="",
            created_at=datetime(2026, 1, day, tzinfo=UTC),
            metrics={"answer_quality": quality},
        )

    assert render.progress_figure([summary(1, 40)]) is None
    figure = render.progress_figure([summary(3, 60), summary(1, 40)])
    assert figure is not None and list(figure.data[0].y) == [40, 60]


def test_html_export_is_self_contained() -> None:
    page = rendering.render_export(spoken_report(), "html")
    assert "<svg" in page and "<mark" in page and "not measured" in page
    assert not re.search(r"""(src|href)=["']https?://""", page)
    assert "<script" not in page
    assert json.loads(rendering.render_export(spoken_report(), "json"))["session_id"] == "s1"
    markdown = rendering.render_export(spoken_report(), "markdown")
    assert markdown.startswith("# Interview report") and "&#34;" not in markdown


def test_offline_page_drops_every_remote_link() -> None:
    page = offline_index_html(STOCK_HEAD)
    assert "https://" not in page
    assert '<script type="module" crossorigin src="/assets/index.js"></script>' in page
    assert '<link rel="stylesheet" crossorigin href="/assets/index.css">' in page


def test_passwords_and_tokens(tmp_path: Path) -> None:
    stored = hash_password("s3cret", iterations=1000)
    assert verify_password("s3cret", stored) and not verify_password("S3cret", stored)
    users = tmp_path / "users.json"
    users.write_text(json.dumps({"alice": stored, "bob": "plain-pw"}))
    settings = Settings(users_file=users, api_tokens={"t1": "alice"}, _env_file=None)  # type: ignore[call-arg]
    assert check_login(settings, "alice", "s3cret") and check_login(settings, "bob", "plain-pw")
    assert not check_login(settings, "carol", "s3cret")
    assert user_for_token(settings, "t1") == "alice" and user_for_token(settings, "t2") is None


def test_upload_rules(tmp_path: Path) -> None:
    assert files.media_suffix("answer.WEBM", "video/webm") == ".webm"
    assert files.media_suffix("blob", "audio/wav") == ".wav"
    with pytest.raises(files.UploadRejectedError) as rejected:
        files.media_suffix("resume.pdf", "application/pdf")
    assert rejected.value.status == 415
    with pytest.raises(files.UploadRejectedError) as too_big:
        files.save_stream(io.BytesIO(b"x" * 2048), tmp_path / "a.wav", max_bytes=1024)
    assert too_big.value.status == 413 and not (tmp_path / "a.wav").exists()
    settings = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="Unsafe"):
        files.session_dir(settings, "alice", "../etc")
    assert files.user_dir(settings, "alice") != files.user_dir(settings, "bob")


def test_start_commands_are_recognised() -> None:
    assert start_command_role("start Data Scientist") == "Data Scientist"
    assert start_command_role("Interview me for: Backend Software Engineer") == "Backend Software Engineer"
    assert start_command_role("/start") == ""
    assert start_command_role("start an interview for Product Manager") == "Product Manager"
    assert start_command_role("starting is hard") is None
    assert start_command_role("How am I doing?") is None


def follow_up_report() -> SessionReport:
    """Q1 with a follow-up, then Q2: the follow-up is part of Q1, never its own number."""
    first = Question(id="q1", text="Tell me about a failure.", kind=QuestionKind.BEHAVIORAL, competency="ownership")
    follow = first.model_copy(update={"id": "q1-f1", "text": "What exactly did you change?", "follow_up_of": "q1"})
    second = Question(id="q2", text="Describe a conflict.", kind=QuestionKind.BEHAVIORAL, competency="teamwork")
    questions = [
        QuestionReport(question=first, ref=QuestionRef(number=1, total=2), answer_text="I don't know.", scores={}),
        QuestionReport(question=follow, ref=QuestionRef(number=1, total=2, follow_up=1), answer_text="Retries."),
        QuestionReport(question=second, ref=QuestionRef(number=2, total=2), answer_text="We talked."),
    ]
    return SessionReport(
        session_id="s2",
        user_id="alice",
        profile=CandidateProfile(),
        created_at=datetime(2026, 1, 2, tzinfo=UTC),
        questions=questions,
        overall_scores={"answer_quality": Score(value=50)},
    )


def test_follow_ups_are_numbered_under_their_main_question() -> None:
    report = follow_up_report()
    markdown = rendering.render_report_markdown(report)
    assert "### Q1: Tell me about a failure." in markdown
    assert "#### Q1 · follow-up: What exactly did you change?" in markdown
    assert "### Q2: Describe a conflict." in markdown and "Q3" not in markdown
    assert "**Answer quality**: 50/100" in markdown and "answer_quality" not in markdown
    page = rendering.render_export(report, "html")
    assert "Q1 · follow-up: What exactly did you change?" in page and "Q3" not in page
    assert [row.label for row in rendering.question_metrics(report)] == ["Q1", "Q1 · follow-up", "Q2"]
    figure = render.delivery_figure(report)
    assert list(figure.data[0].x) == ["Q1", "Q1 · follow-up", "Q2"]


def test_reports_without_refs_derive_them_from_follow_up_of() -> None:
    report = follow_up_report()
    legacy = report.model_copy(update={"questions": [q.model_copy(update={"ref": None}) for q in report.questions]})
    assert [ref.label for ref in rendering.question_refs(legacy)] == ["Q1", "Q1 · follow-up", "Q2"]


def test_feedback_card_uses_the_question_label_and_human_names() -> None:
    evaluation = AnswerEvaluation(
        question_id="q1-f1",
        scores={
            "answer_quality": Score.model_validate(
                {"value": 35, "signals": [{"name": "key_point_coverage", "effect": -12}]}
            ),
            "stress": Score.not_measured("needs video"),
        },
        strengths=["Clear opening"],
        improvements=["Name the result"],
    )
    card = rendering.render_feedback_card(evaluation, QuestionRef(number=2, total=5, follow_up=1))
    assert card.startswith("### Feedback on Q2 · follow-up")
    assert "**Answer quality**: 35/100 (key points covered -12)" in card
    assert "**Stress**: not measured — needs video" in card
    assert "- ✔ Clear opening" in card and "- ✘ Name the result" in card
    assert "_" not in card.replace("**", "")
