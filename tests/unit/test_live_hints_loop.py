"""The room's live-hint loop with a fake stream, and the nudges' way into the answer's replay and report."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from interview_coach.assessment.nudges import PACE_MIN_WORDS, NudgePolicy
from interview_coach.assessment.rendering import evidence_items, render_report_markdown
from interview_coach.core.settings import Settings
from interview_coach.domain import (
    AnswerAnalysis,
    AnswerInput,
    CandidateProfile,
    InterviewMode,
    InterviewPlanRequest,
    LiveNudge,
    Question,
    QuestionKind,
    QuestionReport,
    SessionReport,
)
from interview_coach.domain.live import NUDGE_LABEL, NUDGE_TEXTS
from interview_coach.domain.targets import NUDGE_FAST_PACE_S, PACE
from interview_coach.tools.voice.streaming import LiveVoiceStats
from interview_coach.ui.chainlit import live_hints
from interview_coach.ui.chainlit.live_hints import HINT_MESSAGE, LiveHints, hint_message, interview_mode
from interview_coach.ui.chainlit.profile import load_profile, save_profile

FAST = (PACE.high or 0.0) + 50


class FakeStream:
    """A streaming analysis whose answer advances one second per read, fast from the start."""

    def __init__(self, *, stop_at_s: float | None = None) -> None:
        self.reads = 0
        self.stop_at_s = stop_at_s

    @property
    def live(self) -> LiveVoiceStats:
        self.reads += 1
        t = float(self.reads) if self.stop_at_s is None else min(float(self.reads), self.stop_at_s)
        return LiveVoiceStats(
            elapsed_s=t, response_delay_s=0.5, word_count=PACE_MIN_WORDS + int(FAST * t / 60), wpm=FAST
        )


async def _until(condition: object) -> None:
    while not condition():  # type: ignore[operator]
        await asyncio.sleep(0.005)


async def test_the_loop_shows_the_policys_nudge_and_returns_it_on_stop() -> None:
    stream, shown = FakeStream(), []

    async def show(nudge: LiveNudge) -> None:
        shown.append(nudge)

    hints = LiveHints(stream, NudgePolicy(mode=InterviewMode.PRACTICE), show, interval_s=0.001)
    hints.start()
    await asyncio.wait_for(_until(lambda: shown), timeout=30)
    nudges = await hints.stop()
    reads = stream.reads
    await asyncio.sleep(0.05)
    assert stream.reads == reads  # stopped: nothing polls any more
    assert [n.kind for n in shown] == ["fast_pace"]
    assert nudges == shown
    assert shown[0].at_s == 1 + NUDGE_FAST_PACE_S
    message = hint_message(shown[0])
    assert message == {"type": HINT_MESSAGE, "kind": "fast_pace", "text": NUDGE_TEXTS["fast_pace"], "at_s": 16.0}


async def test_a_hint_that_cannot_be_shown_is_still_kept_and_the_loop_goes_on() -> None:
    stream, attempts = FakeStream(), []

    async def broken(nudge: LiveNudge) -> None:
        attempts.append(nudge)
        raise ConnectionError("the websocket is gone")

    hints = LiveHints(stream, NudgePolicy(mode=InterviewMode.PRACTICE), broken, interval_s=0.001)
    hints.start()
    await asyncio.wait_for(_until(lambda: attempts), timeout=30)
    reads = stream.reads
    await asyncio.wait_for(_until(lambda: stream.reads > reads + 3), timeout=30)
    assert [n.kind for n in await hints.stop()] == ["fast_pace"]


@pytest.mark.parametrize(("mode", "enabled"), [(InterviewMode.REALISTIC, True), (InterviewMode.PRACTICE, False)])
async def test_realistic_mode_or_the_switch_off_never_polls(mode: InterviewMode, enabled: bool) -> None:
    stream, shown = FakeStream(), []

    async def show(nudge: LiveNudge) -> None:
        shown.append(nudge)

    hints = LiveHints(stream, NudgePolicy(mode=mode, enabled=enabled), show, interval_s=0.001)
    hints.start()
    await asyncio.sleep(0.1)
    assert await hints.stop() == []
    assert stream.reads == 0 and shown == []


async def test_the_loop_ends_by_itself_when_no_audio_arrives(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live_hints, "STALL_POLLS", 5)
    stream = FakeStream(stop_at_s=3)

    async def show(nudge: LiveNudge) -> None:
        raise AssertionError("no nudge expected")

    hints = LiveHints(stream, NudgePolicy(mode=InterviewMode.PRACTICE), show, interval_s=0.001)
    hints.start()
    task = hints._task
    assert task is not None
    await asyncio.wait_for(task, timeout=30)
    assert stream.reads == 3 + 5  # three seconds of audio, then five polls without any
    assert await hints.stop() == []


def test_nudges_travel_with_the_answer_into_the_replay_and_the_report() -> None:
    nudges = [
        LiveNudge(kind="fast_pace", at_s=16.0, text=NUDGE_TEXTS["fast_pace"]),
        LiveNudge(kind="silence", at_s=41.0, text=NUDGE_TEXTS["silence"]),
    ]
    answer = AnswerInput.model_validate_json(AnswerInput(audio_path="a.wav", nudges=nudges).model_dump_json())
    assert answer.nudges == nudges  # graph state keeps the answer as JSON
    question = Question(id="q1", text="Tell me about a migration.", kind=QuestionKind.BEHAVIORAL, competency="x")
    report_question = QuestionReport(
        question=question, input_mode="audio", analysis=AnswerAnalysis(input_mode="audio", nudges=answer.nudges)
    )
    items = [item for item in evidence_items(report_question) if item.kind == NUDGE_LABEL]
    assert [(i.timestamp, i.start_s, i.text) for i in items] == [
        ("0:16", 16.0, "live hint: Slow down a little"),
        ("0:41", 41.0, "live hint: Carry on, or stop when you're done"),
    ]
    report = SessionReport(
        session_id="s", user_id="u", profile=CandidateProfile(), created_at="2026-01-01T00:00:00Z",
        questions=[report_question],
    )  # fmt: skip
    markdown = render_report_markdown(report, appendix=True)
    assert "**0:16** live hint: Slow down a little" in markdown


def test_the_live_hints_switch_is_kept_in_the_profile_and_on_by_default(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path, _env_file=None)
    assert load_profile(settings, "ann").live_hints is True
    save_profile(settings, "ann", {"live_hints": False})
    assert load_profile(settings, "ann").live_hints is False
    assert load_profile(settings, "ben").live_hints is True


def test_the_room_knows_the_interviews_mode_and_stays_silent_when_it_does_not() -> None:
    realistic = InterviewPlanRequest(profile=CandidateProfile(), mode=InterviewMode.REALISTIC)
    assert interview_mode(realistic, {"mode": "practice"}) == InterviewMode.REALISTIC
    # A reopened chat has no request in memory: its settings say which mode it is in.
    assert interview_mode(None, {"mode": "practice"}) == InterviewMode.PRACTICE
    assert interview_mode(None, {}) is None
