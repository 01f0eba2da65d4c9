"""End to end: ``interview-coach demo --json`` in a fresh process and data folder."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from cli_support import run_cli

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    data_dir = tmp_path_factory.mktemp("demo-data")
    result = run_cli("demo", "--json", data_dir=data_dir)
    assert result.returncode == 0, result.stderr[-3000:]
    return json.loads(result.stdout)


def test_demo_report_structure(demo_report: dict) -> None:
    for key in ("questions", "strengths", "weaknesses", "time_management", "suggestions", "overall_scores"):
        assert key in demo_report
    questions = demo_report["questions"]
    assert len(questions) >= 5  # 4 main questions plus at least one follow-up
    assert all("scores" in q and "answer_quality" in q["scores"] for q in questions)
    assert any(q["question"]["follow_up_of"] == "tech-api-003" for q in questions)
    assert demo_report["weaknesses"] and demo_report["suggestions"] and demo_report["time_management"]


def test_weak_scripted_answer_scores_lowest(demo_report: dict) -> None:
    main = {
        q["question"]["id"]: q["scores"]["answer_quality"]["value"]
        for q in demo_report["questions"]
        if not q["question"]["follow_up_of"]
    }
    weak = main.pop("tech-api-003")
    assert weak is not None and all(v is not None and v > weak for v in main.values())
    follow_up = next(q for q in demo_report["questions"] if q["question"]["follow_up_of"] == "tech-api-003")
    assert follow_up["scores"]["answer_quality"]["value"] > weak


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng is needed to generate the spoken demo answers")
def test_spoken_and_video_answers_were_measured(demo_report: dict) -> None:
    by_id = {q["question"]["id"]: q for q in demo_report["questions"]}
    spoken = by_id["sit-pressure-001"]
    assert spoken["input_mode"] == "audio"
    voice = spoken["analysis"]["voice"]
    assert voice is not None and 100 < voice["wpm"] < 200
    assert "launch" in voice["transcript"].lower()
    assert spoken["scores"]["fluency"]["value"] is not None
    video = by_id["tech-db-001"]
    assert video["input_mode"] == "video"
    assert video["analysis"]["face"] is not None and video["analysis"]["face"]["face_present_ratio"] > 0.5
    assert video["scores"]["confidence"]["value"] is not None


def test_unknown_session_is_a_clear_error_without_traceback(tmp_path: Path) -> None:
    result = run_cli("chat", "--session", "does-not-exist", data_dir=tmp_path / "d")
    assert result.returncode == 2
    assert "No session 'does-not-exist'" in result.stderr
    assert "Traceback" not in result.stderr


def test_corrupt_data_dir_is_a_clear_error(tmp_path: Path) -> None:
    data_dir = tmp_path / "broken"
    data_dir.mkdir()
    (data_dir / "sessions.sqlite").write_bytes(b"this is not a database" * 100)
    result = run_cli("sessions", data_dir=data_dir)
    assert result.returncode == 2
    assert "error" in result.stderr.lower() and "Traceback" not in result.stderr


def test_eval_command_runs_a_suite_and_writes_json(tmp_path: Path, shared_data: Path) -> None:
    out = tmp_path / "results.json"
    env_data = ("--out", str(out))
    result = run_cli("eval", "--suite", "stability", "--quick", *env_data, data_dir=tmp_path / "d", shared=shared_data)
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(out.read_text())
    assert [r["name"] for r in payload] == ["stability"]
    assert payload[0]["metrics"]["identical_rate"] == 1.0
    bad = run_cli("eval", "--suite", "nonsense", data_dir=tmp_path / "d")
    assert bad.returncode == 2 and "Unknown suite" in bad.stderr


@pytest.mark.skipif(shutil.which("espeak-ng") is None, reason="espeak-ng generates the recorded answer")
def test_analyze_command_on_a_recording(tmp_path: Path) -> None:
    from interview_coach.demo.tts import synthesize_speech

    wav = synthesize_speech(
        "Um, an index is a sorted structure, usually a B-tree. It lets the database find rows without a full scan. "
        "The cost is slower writes and extra storage.",
        tmp_path / "answer.wav",
        wpm=150,
        leading_silence_s=1.0,
    )
    question = "How does a database index speed up queries, and what does it cost?"
    result = run_cli("analyze", str(wav), "--question", question, "--json", data_dir=tmp_path / "d")
    assert result.returncode == 0, result.stderr[-2000:]
    payload = json.loads(result.stdout)
    assert payload["question"]["id"] == "tech-db-001"  # matched to the bank for its key points
    voice = payload["analysis"]["voice"]
    assert 110 < voice["wpm"] < 190 and 0.6 < voice["response_delay_s"] < 1.6
    assert payload["scores"]["answer_quality"]["value"] is not None
    assert payload["scores"]["fluency"]["value"] is not None

    no_question = json.loads(run_cli("analyze", str(wav), "--json", data_dir=tmp_path / "d").stdout)
    assert no_question["analysis"]["text"] is None
    assert no_question["scores"]["answer_quality"]["value"] is None

    junk = tmp_path / "junk.mp4"
    junk.write_text("not a video")
    bad = run_cli("analyze", str(junk), data_dir=tmp_path / "d")
    assert bad.returncode == 2 and "error:" in bad.stderr and "Traceback" not in bad.stderr
