"""Fine-tune the top layers of the bundled MiniLM as a bi-encoder for answer/reference agreement.

Only the top ``layers`` transformer layers are trained (the rest stay frozen), with a CoSENT
ranking loss over answers *to the same question*: cos(reference, better answer) should exceed
cos(reference, worse answer). Learning within-question order (not absolute levels) keeps the
model from memorising per-question score priors. The trained layers are returned as a small
state dict, saved as an fp16 safetensors delta over the bundled base model (see
:func:`interview_coach.assessment.grading.embedder.load_delta`). Deterministic: fixed seed,
deterministic torch algorithms and a fixed thread count.
"""

from __future__ import annotations

import os
import random
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from interview_coach.assessment.grading.embedder import delta_prefixes
from interview_coach.learning.saf_data import LabelledExample


@dataclass(frozen=True)
class FinetuneConfig:
    """Hyper-parameters of the bi-encoder fine-tuning (chosen by grouped CV on SAF training)."""

    layers: int = 1
    epochs: int = 2
    batch_size: int = 16
    learning_rate: float = 2e-5
    scale: float = 20.0
    min_gap: float = 0.25
    max_seq_length: int = 256
    threads: int = 2


def _batches(examples: Sequence[LabelledExample], size: int, rng: random.Random) -> list[list[int]]:
    by_question: dict[str, list[int]] = {}
    for i, e in enumerate(examples):
        by_question.setdefault(e.question_id, []).append(i)
    batches: list[list[int]] = []
    for idx in by_question.values():
        idx = idx[:]
        rng.shuffle(idx)
        batches += [idx[i : i + size] for i in range(0, len(idx), size) if len(idx[i : i + size]) > 1]
    rng.shuffle(batches)
    return batches


def finetune(
    examples: Sequence[LabelledExample], base_path: Path, config: FinetuneConfig, seed: int = 13
) -> dict[str, np.ndarray]:
    """Fine-tune the top layers on (reference, answer, score) triples; return their weights.

    Args:
        examples: labelled answers (each with its question id and reference).
        base_path: the bundled sentence-transformers model folder.
        config: hyper-parameters.
        seed: seeds Python, numpy and torch.

    Returns:
        The trained parameters (fp32 numpy arrays) keyed by their name in the transformer.
    """
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from sentence_transformers import SentenceTransformer

    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(config.threads)
    rng = random.Random(seed)
    model = SentenceTransformer(str(base_path), device="cpu")
    model.max_seq_length = config.max_seq_length
    bert = model[0].auto_model
    prefixes = delta_prefixes(bert.config.num_hidden_layers, config.layers)
    trainable = [p for n, p in bert.named_parameters() if n.startswith(prefixes)]
    for name, param in bert.named_parameters():
        param.requires_grad = name.startswith(prefixes)
    optimizer = torch.optim.AdamW(trainable, lr=config.learning_rate, weight_decay=0.01)
    model.eval()  # no dropout: keeps runs reproducible and the few steps stable

    def embed(texts: list[str]) -> torch.Tensor:
        features = model.tokenize(texts)
        return model(features)["sentence_embedding"]

    scores = torch.tensor([e.score for e in examples], dtype=torch.float32)
    for _ in range(config.epochs):
        for batch in _batches(examples, config.batch_size, rng):
            reference = embed([examples[batch[0]].reference])
            answers = embed([examples[i].answer or " " for i in batch])
            cos = (answers @ reference.T).squeeze(1) * config.scale
            y = scores[batch]
            better = (y[:, None] - y[None, :]) >= config.min_gap - 1e-9
            if not bool(better.any()):
                continue
            diff = cos[None, :] - cos[:, None]  # diff[i, j] = cos_j - cos_i, penalised where y_i > y_j
            loss = torch.logsumexp(torch.cat([torch.zeros(1), diff[better]]), dim=0)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    return {n: p.detach().cpu().numpy().copy() for n, p in bert.named_parameters() if n.startswith(prefixes)}


def save_delta(weights: dict[str, np.ndarray], path: Path) -> None:
    """Write the trained layers as an fp16 safetensors file."""
    from safetensors.numpy import save_file

    save_file({k: v.astype(np.float16) for k, v in sorted(weights.items())}, str(path))
