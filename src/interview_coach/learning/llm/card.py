"""Register a fine-tuned LLM as a versioned model (kind ``llm``) with a model card, and decide promotion."""

from __future__ import annotations

import hashlib
import os
import platform
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from interview_coach.agents import prompts
from interview_coach.assessment.grading.registry import (
    ModelCard,
    ModelInfo,
    active,
    file_sha256,
    new_version,
    write_card,
)
from interview_coach.learning.llm.evaluate import SplitMetrics, regressions
from interview_coach.learning.llm.train import LlmTrainConfig, TrainOutcome

KIND = "llm"
METRICS_KEY = "llm_feedback_metrics"
BASE_METRICS_KEY = "base_llm_feedback_metrics"


def metrics_of(card: ModelCard, key: str = METRICS_KEY) -> dict[str, SplitMetrics]:
    """Read the per-split feedback metrics stored in a card."""
    stored = card.get(key) or {}
    return {split: SplitMetrics.model_validate(values) for split, values in stored.items() if isinstance(values, dict)}


def _files(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): file_sha256(p) for p in sorted(folder.rglob("*")) if p.is_file()}


def register_run(
    models_dir: Path,
    run_dir: Path,
    *,
    config: LlmTrainConfig,
    outcome: TrainOutcome,
    data_manifest: dict[str, Any],
    before: dict[str, SplitMetrics] | None,
    after: dict[str, SplitMetrics] | None,
) -> Path:
    """Move a finished run's adapter and merged model into a new version folder with its model card.

    Returns:
        The version folder (``<models_dir>/llm/llm-YYYYMMDD-HHMMSS-<hash>``).
    """
    weights = Path(outcome.merged) / "model.safetensors"
    digest = file_sha256(weights) if weights.is_file() else hashlib.sha256(outcome.merged.encode()).hexdigest()
    folder = models_dir / KIND / new_version(KIND, digest)
    folder.mkdir(parents=True)
    for name in ("adapter", "merged"):
        os.replace(run_dir / name, folder / name)
    card: ModelCard = {
        "version": folder.name,
        "description": (
            "LoRA fine-tune of the feedback LLM on expert feedback (SAF seed corpus) and exported sessions. "
            "It writes feedback wording only; scores never come from it. "
            f"Serve it with INTERVIEW_COACH_LLM_MODEL=hf:{folder / 'merged'}."
        ),
        "kind": KIND,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "base_model": config.base,
        "serve": f"hf:{folder / 'merged'}",
        "prompt_version": prompts.PROMPT_VERSION,
        "data_manifest": data_manifest,
        "hyperparameters": config.model_dump(),
        "training": {
            "steps": outcome.steps,
            "device": outcome.device,
            "bf16": outcome.bf16,
            "wall_s": round(outcome.wall_s, 1),
            "resumed_from": outcome.resumed_from,
            "first_loss": outcome.losses[0][1] if outcome.losses else None,
            "last_loss": outcome.losses[-1][1] if outcome.losses else None,
            "dpo_last_loss": outcome.dpo_losses[-1][1] if outcome.dpo_losses else None,
            "platform": platform.platform(),
        },
        BASE_METRICS_KEY: {k: v.model_dump() for k, v in (before or {}).items()},
        METRICS_KEY: {k: v.model_dump() for k, v in (after or {}).items()},
        "files": _files(folder),
    }
    write_card(folder, card)
    shutil.rmtree(run_dir, ignore_errors=True)
    return folder


def promotion_decision(card: ModelCard, current: ModelInfo | None) -> tuple[bool, str]:
    """Promote only when the new model's feedback metrics do not regress.

    It is compared with the active LLM when there is one, else with its own base model, on the
    quality metrics (verdict accuracy, parse rate, ROUGE-L) of both unseen splits.
    """
    new = metrics_of(card)
    if not new:
        return False, "no llm-feedback metrics were measured (--eval-per-split 0), so it is not promoted"
    if current is not None and metrics_of(current.card):
        reference, against = metrics_of(current.card), f"the active model {current.version}"
    else:
        reference, against = metrics_of(card, BASE_METRICS_KEY), "its base model"
    worse = regressions(new, reference)
    if worse:
        return False, f"regresses against {against}: " + "; ".join(worse)
    return True, f"no llm-feedback regression against {against}"


def active_llm(models_dir: Path) -> ModelInfo | None:
    """Return the active fine-tuned LLM version, if one was promoted."""
    return active(models_dir, KIND)
