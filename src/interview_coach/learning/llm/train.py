"""LoRA supervised fine-tuning (TRL ``SFTTrainer`` + PEFT), optional DPO, and merging the adapter.

One run lives in one folder::

    <run>/run.json            # the configuration; a rerun with the same one resumes
    <run>/checkpoints/        # trainer checkpoints (the last complete one is resumed)
    <run>/adapter/            # the LoRA adapter after SFT (and DPO)
    <run>/merged/             # base + adapter merged: what `hf:<run>/merged` serves
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from interview_coach.agents.llm.hf import TRAIN_MEMORY_FACTOR, check_memory, load_causal_lm
from interview_coach.learning.llm.checkpoints import (
    Progress,
    ProgressCallback,
    StopFlag,
    TrainingInterrupted,
    graceful_interrupt,
    is_disk_full,
    last_complete_checkpoint,
    remove_incomplete,
)
from interview_coach.learning.llm.corpus import ChatRecord, DataError

logger = logging.getLogger(__name__)
LORA_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


class LlmTrainConfig(BaseModel):
    """Hyperparameters of one fine-tuning run (recorded in ``run.json`` and the model card).

    Attributes:
        base: the base model: a Hugging Face folder or a ``.gguf`` file.
        epochs: passes over the SFT data.
        max_steps: stop after this many optimizer steps (``-1``: run the epochs).
        lora_rank: LoRA rank ``r`` (alpha is twice the rank).
        lora_layers: adapt only the top this many decoder layers (0: all). Backpropagation then
            stops below them, which more than halves the cost of a step on a CPU.
        learning_rate: peak learning rate (linear decay).
        batch_size: examples per device step.
        grad_accum: steps accumulated per optimizer step.
        max_length: token cap per example.
        seed: seed of shuffling and initialisation.
        save_steps: checkpoint every this many optimizer steps.
        logging_steps: report the loss every this many optimizer steps.
        dpo_epochs: passes over the preference pairs (0: no DPO).
        dpo_beta: DPO's KL strength.
        start_adapter: a previous run's adapter to continue from.
    """

    model_config = ConfigDict(frozen=True)

    base: str
    epochs: float = Field(default=1.0, gt=0)
    max_steps: int = -1
    lora_rank: int = Field(default=16, ge=1)
    lora_layers: int = Field(default=8, ge=0)
    learning_rate: float = Field(default=2e-4, gt=0)
    batch_size: int = Field(default=4, ge=1)
    grad_accum: int = Field(default=1, ge=1)
    max_length: int = Field(default=512, ge=32)
    seed: int = 13
    save_steps: int = Field(default=50, ge=1)
    logging_steps: int = Field(default=5, ge=1)
    dpo_epochs: float = Field(default=0.0, ge=0)
    dpo_beta: float = Field(default=0.1, gt=0)
    start_adapter: str | None = None


class TrainOutcome(BaseModel):
    """What a finished run produced.

    Attributes:
        adapter: the adapter folder.
        merged: the merged model folder (serve it as ``hf:<merged>``).
        steps: optimizer steps of SFT.
        losses: (step, loss) pairs of SFT, as logged.
        dpo_losses: (step, loss) pairs of DPO.
        device: ``cuda`` or ``cpu``.
        bf16: whether bf16 was used.
        resumed_from: the checkpoint this run resumed from, if any.
        wall_s: seconds of this invocation (training, DPO and merge).
    """

    adapter: str
    merged: str
    steps: int
    losses: list[tuple[int, float]]
    dpo_losses: list[tuple[int, float]] = []
    device: str
    bf16: bool
    resumed_from: str | None = None
    wall_s: float = 0.0


def pick_device() -> tuple[str, bool]:
    """Return the device and whether to train in bf16: CUDA with bf16 when present, else CPU in fp32."""
    import torch

    if torch.cuda.is_available():
        return "cuda", bool(torch.cuda.is_bf16_supported())
    return "cpu", False


def data_hash(records: Sequence[ChatRecord]) -> str:
    """Hash training records (order included) for the run's identity and the model card."""
    digest = hashlib.sha256()
    for record in records:
        digest.update(json.dumps(record, sort_keys=True, ensure_ascii=False).encode())
    return digest.hexdigest()


def check_base(base: Path) -> None:
    """Refuse a base model that does not exist or will not fit in memory, before loading it.

    Raises:
        DataError: nothing at the path.
        ModelTooLargeError: the model's file size says it will not fit.
    """
    if not base.exists():
        raise DataError(f"base model {base} does not exist; give a Hugging Face folder or a .gguf file.")
    check_memory(base, factor=TRAIN_MEMORY_FACTOR)


def _prompt_completion(records: Sequence[ChatRecord]) -> Any:
    from datasets import Dataset  # type: ignore[import-untyped]

    rows = [{"prompt": r["messages"][:-1], "completion": [r["messages"][-1]]} for r in records]
    return Dataset.from_list(rows)


def _preference_rows(records: Sequence[ChatRecord]) -> Any:
    from datasets import Dataset

    rows = [
        {
            "prompt": r["input"]["messages"],
            "chosen": [{"role": "assistant", "content": r["preferred_output"][0]["content"]}],
            "rejected": [{"role": "assistant", "content": r["non_preferred_output"][0]["content"]}],
        }
        for r in records
    ]
    return Dataset.from_list(rows)


def _peft_model(model: Any, config: LlmTrainConfig) -> Any:
    from peft import LoraConfig, PeftModel, get_peft_model

    if config.start_adapter:
        return PeftModel.from_pretrained(model, config.start_adapter, is_trainable=True)
    layers = int(model.config.num_hidden_layers)
    top = min(config.lora_layers or layers, layers)
    lora = LoraConfig(
        r=config.lora_rank,
        layers_to_transform=list(range(layers - top, layers)),
        lora_alpha=2 * config.lora_rank,
        lora_dropout=0.05,
        target_modules=list(LORA_TARGETS),
        task_type="CAUSAL_LM",
    )
    return get_peft_model(model, lora)


def _common_args(config: LlmTrainConfig, out: Path, bf16: bool, device: str) -> dict[str, Any]:
    return {
        "output_dir": str(out),
        "per_device_train_batch_size": config.batch_size,
        "gradient_accumulation_steps": config.grad_accum,
        "learning_rate": config.learning_rate,
        "lr_scheduler_type": "linear",
        "warmup_steps": 0,
        "max_steps": config.max_steps,
        "logging_steps": config.logging_steps,
        "save_steps": config.save_steps,
        "save_total_limit": 2,
        "seed": config.seed,
        "bf16": bf16,
        "use_cpu": device == "cpu",
        "report_to": [],
        "disable_tqdm": True,
        "dataloader_num_workers": 0,
        "max_length": config.max_length,
    }


def _run_trainer(trainer: Any, checkpoints: Path, stop: StopFlag) -> Path | None:
    """Train, resuming from the last complete checkpoint; turn Ctrl-C and a full disk into a clean stop."""
    from transformers.trainer_callback import PrinterCallback

    trainer.remove_callback(PrinterCallback)  # progress is reported by ProgressCallback
    remove_incomplete(checkpoints)
    resume = last_complete_checkpoint(checkpoints)
    try:
        with graceful_interrupt(stop):
            trainer.train(resume_from_checkpoint=str(resume) if resume else None)
    except KeyboardInterrupt as exc:
        remove_incomplete(checkpoints)
        last = last_complete_checkpoint(checkpoints)
        raise TrainingInterrupted(_resume_hint("Interrupted", last), last) from exc
    except Exception as exc:
        if not is_disk_full(exc):
            raise
        remove_incomplete(checkpoints)
        last = last_complete_checkpoint(checkpoints)
        raise TrainingInterrupted(_resume_hint("The disk is full", last), last) from exc
    if stop.requested:
        last = last_complete_checkpoint(checkpoints)
        raise TrainingInterrupted(_resume_hint("Interrupted", last), last)
    return resume


def _resume_hint(what: str, checkpoint: Path | None) -> str:
    where = f"the last complete checkpoint is {checkpoint}" if checkpoint else "no checkpoint was saved yet"
    return f"{what}; {where}. Run the same command again to resume."


def train_sft(
    config: LlmTrainConfig,
    base: Path,
    run_dir: Path,
    records: Sequence[ChatRecord],
    report: Callable[[Progress], None],
) -> tuple[Any, Any, ProgressCallback, Path | None]:
    """Fine-tune LoRA adapters on chat records; return the PEFT model, tokenizer, progress log, resume point.

    Raises:
        TrainingInterrupted: Ctrl-C or a full disk; a rerun resumes from the last complete checkpoint.
    """
    from trl import SFTConfig, SFTTrainer  # type: ignore[attr-defined]

    device, bf16 = pick_device()
    model, tokenizer = load_causal_lm(base, device=device)
    model.train()
    model = _peft_model(model, config)
    checkpoints = run_dir / "checkpoints"
    stop = StopFlag()
    progress = ProgressCallback(report=report, stop=stop)
    args = SFTConfig(
        **_common_args(config, checkpoints, bf16, device), num_train_epochs=config.epochs, completion_only_loss=True
    )
    trainer = SFTTrainer(
        model=model,
        args=args,
        train_dataset=_prompt_completion(records),
        processing_class=tokenizer,
        callbacks=[progress],
    )
    resumed = _run_trainer(trainer, checkpoints, stop)
    # The trainer's log history spans the run before a resume too; the callback only saw this part.
    progress.losses = [(int(h["step"]), float(h["loss"])) for h in trainer.state.log_history if "loss" in h]
    return trainer.model, tokenizer, progress, resumed


def train_dpo(
    config: LlmTrainConfig,
    model: Any,
    tokenizer: Any,
    run_dir: Path,
    pairs: Sequence[ChatRecord],
    report: Callable[[Progress], None],
) -> ProgressCallback:
    """Preference-tune the SFT adapter with DPO (the adapter-free model is the reference).

    Raises:
        TrainingInterrupted: Ctrl-C or a full disk; a rerun resumes DPO from its last checkpoint.
    """
    from trl import DPOConfig, DPOTrainer  # type: ignore[attr-defined]

    device, bf16 = pick_device()
    checkpoints = run_dir / "dpo-checkpoints"
    stop = StopFlag()
    progress = ProgressCallback(report=report, stop=stop)
    args = DPOConfig(
        **_common_args(config, checkpoints, bf16, device), num_train_epochs=config.dpo_epochs, beta=config.dpo_beta
    )
    trainer = DPOTrainer(
        model=model, args=args, train_dataset=_preference_rows(pairs), processing_class=tokenizer, callbacks=[progress]
    )
    _run_trainer(trainer, checkpoints, stop)
    return progress


def save_merged(model: Any, tokenizer: Any, run_dir: Path) -> tuple[Path, Path]:
    """Save the adapter, then merge it into the base and save the merged model; return both folders."""
    adapter, merged = run_dir / "adapter", run_dir / "merged"
    model.save_pretrained(str(adapter))
    tokenizer.save_pretrained(str(adapter))
    full = model.merge_and_unload()
    full.save_pretrained(str(merged), safe_serialization=True)
    tokenizer.save_pretrained(str(merged))
    return adapter, merged


def run_dir_for(root: Path, config: LlmTrainConfig, records_hash: str) -> Path:
    """Return the run folder of a configuration: the unfinished one with the same identity, else a new one.

    The length of training (epochs, max steps) is not part of the identity, so a rerun with another
    ``--max-steps`` resumes the same run: to stop early with what is trained, or to train longer.
    """
    identity_fields = config.model_dump(exclude={"epochs", "max_steps"})
    identity = hashlib.sha256((json.dumps(identity_fields, sort_keys=True) + records_hash).encode()).hexdigest()
    runs = root / "runs"
    folder = runs / f"run-{identity[:12]}"
    folder.mkdir(parents=True, exist_ok=True)
    meta = folder / "run.json"
    if not meta.is_file():
        tmp = meta.with_suffix(".tmp")
        tmp.write_text(json.dumps({"config": config.model_dump(), "data_sha256": records_hash}, indent=2))
        os.replace(tmp, meta)
    return folder
