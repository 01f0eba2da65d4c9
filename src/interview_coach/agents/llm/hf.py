"""Hugging Face models run in-process through transformers (``hf:<folder>`` or ``hf:<file.gguf>``).

This is how a model fine-tuned by ``interview-coach train llm`` is served: the merged folder it
writes loads here, on the CPU or a GPU, behind the same pydantic-ai agents as any other model.
Structured replies are kept short and parseable: the reply is started with the JSON object's
first required key (``{"explanation": "``) and generation stops when the object closes.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

from pydantic_ai.messages import ModelMessage, ModelResponse, TextPart, ToolCallPart
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo
from pydantic_ai.usage import RequestUsage

from interview_coach.agents.llm.llamacpp import chat_messages, reply_schema
from interview_coach.agents.llm.profiles import HF_PREFIX, JsonObject, LlmConfigError, LlmOptions

__all__ = ["HF_PREFIX", "HfChat", "HfReply", "ModelTooLargeError", "hf_model", "load_causal_lm"]
# Loading needs the weights in float32 plus the framework; training adds activations and the
# optimizer's LoRA state. Both factors are measured on SmolLM2-135M (benchmarks/bench_llm_train.py).
SERVE_MEMORY_FACTOR = 1.5
TRAIN_MEMORY_FACTOR = 3.0


class ModelTooLargeError(LlmConfigError):
    """The model would not fit in the memory that is available."""


def _gguf_elements(path: Path) -> int:
    from gguf import GGUFReader

    return sum(int(tensor.n_elements) for tensor in GGUFReader(str(path)).tensors)


def float32_bytes(path: Path) -> int:
    """Estimate a model's float32 weight size from its files, without loading it.

    A ``.gguf`` file is dequantized on load, so its tensor element count (read from the header)
    is what matters; a folder's ``*.safetensors``/``*.bin`` sizes count twice for 16-bit weights.

    Raises:
        LlmConfigError: no model at the path.
    """
    if path.is_file() and path.suffix.lower() == ".gguf":
        return 4 * _gguf_elements(path)
    if not (path / "config.json").is_file():
        raise LlmConfigError(f"{path}: not a Hugging Face model folder (no config.json) or a .gguf file.")
    config = json.loads((path / "config.json").read_text(encoding="utf-8"))
    dtype = str(config.get("torch_dtype") or config.get("dtype") or "float32")
    size = sum(p.stat().st_size for p in path.iterdir() if p.suffix in {".safetensors", ".bin"})
    return size * 2 if dtype in {"bfloat16", "float16"} else size


def check_memory(path: Path, *, factor: float, available: int | None = None) -> int:
    """Refuse a model that will not fit before loading it; return the estimated bytes needed.

    Raises:
        ModelTooLargeError: the estimate exceeds the available memory.
    """
    import psutil  # type: ignore[import-untyped]

    needed = int(float32_bytes(path) * factor)
    free = psutil.virtual_memory().available if available is None else available
    if needed > free:
        raise ModelTooLargeError(
            f"{path} needs about {needed / 2**30:.1f} GiB of memory (from its file size) but only "
            f"{free / 2**30:.1f} GiB is available; use a smaller model or a machine with more memory."
        )
    return needed


def resolve_model_path(spec: str) -> Path:
    """Return the path of an ``hf:`` model string (or a plain path).

    Raises:
        LlmConfigError: nothing usable at the path.
    """
    path = Path(spec.removeprefix(HF_PREFIX)).expanduser()
    if path.is_file() and path.suffix.lower() == ".gguf":
        return path.resolve()
    if path.is_dir() and (path / "config.json").is_file():
        return path.resolve()
    raise LlmConfigError(f"{spec!r}: no Hugging Face model folder (with config.json) or .gguf file at {path}.")


def load_causal_lm(path: Path, *, device: str = "cpu") -> tuple[Any, Any]:
    """Load a causal LM and its tokenizer from a folder or a GGUF file (dequantized to plain weights).

    transformers marks a GGUF-loaded model as quantized, which blocks saving and adapters, so
    its weights are copied into a plain model of the same configuration.
    """
    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    dtype = torch.bfloat16 if device == "cuda" else torch.float32
    if path.suffix.lower() == ".gguf":
        tokenizer = AutoTokenizer.from_pretrained(str(path.parent), gguf_file=path.name)
        loaded = AutoModelForCausalLM.from_pretrained(str(path.parent), gguf_file=path.name, dtype=dtype)
        config = loaded.config
        if hasattr(config, "quantization_config"):
            del config.quantization_config
        model = AutoModelForCausalLM.from_config(config, dtype=dtype)  # type: ignore[no-untyped-call]
        model.load_state_dict(loaded.state_dict(), strict=False)
        model.tie_weights()
        del loaded
    else:
        tokenizer = AutoTokenizer.from_pretrained(str(path))
        model = AutoModelForCausalLM.from_pretrained(str(path), dtype=dtype)
    if tokenizer.pad_token is None:
        tokenizer.pad_token = tokenizer.eos_token
    return model.to(device).eval(), tokenizer


def json_reply_prefix(schema: JsonObject | None) -> str:
    """Return the start of a JSON reply that follows ``schema``: ``{"<first required key>": "``."""
    if not schema:
        return ""
    properties = schema.get("properties") or {}
    required = [name for name in schema.get("required", []) if name in properties]
    if not required:
        return "{"
    first = required[0]
    opening = '"' if properties[first].get("type") == "string" else ""
    return "{" + json.dumps(first) + ": " + opening


def json_object_end(text: str) -> int | None:
    """Return the index just past the first complete top-level JSON object in ``text``, if any."""
    depth, in_string, escaped, started = 0, False, False, False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char == "{":
            depth, started = depth + 1, True
        elif char == "}" and started:
            depth -= 1
            if depth == 0:
                return index + 1
    return None


@dataclass(frozen=True)
class HfReply:
    """One generated reply and its token counts."""

    text: str
    input_tokens: int
    output_tokens: int


class HfChat:
    """One in-process transformers model; generation is serialised by its own lock."""

    def __init__(self, path: Path, *, n_threads: int | None = None) -> None:
        """Remember the model; weights load on the first call."""
        self.path = path
        self.n_threads = n_threads
        self.lock = threading.Lock()
        self._loaded: tuple[Any, Any] | None = None

    def _model(self) -> tuple[Any, Any]:
        if self._loaded is None:
            import torch

            if self.n_threads:
                torch.set_num_threads(self.n_threads)
            device = "cuda" if torch.cuda.is_available() else "cpu"
            check_memory(self.path, factor=SERVE_MEMORY_FACTOR)
            self._loaded = load_causal_lm(self.path, device=device)
        return self._loaded

    def generate(
        self,
        messages: Sequence[dict[str, str]],
        *,
        max_new_tokens: int = 256,
        temperature: float | None = None,
        schema: JsonObject | None = None,
    ) -> HfReply:
        """Answer a chat; with a JSON ``schema`` the reply is a JSON object started and closed for the model."""
        import torch
        from transformers import StoppingCriteria, StoppingCriteriaList

        with self.lock:
            model, tokenizer = self._model()
            prefix = json_reply_prefix(schema)
            text = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=False) + prefix
            inputs = tokenizer(text, return_tensors="pt", add_special_tokens=False).to(model.device)
            start = inputs["input_ids"].shape[1]

            class _ObjectClosed(StoppingCriteria):
                def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                    done = json_object_end(prefix + tokenizer.decode(input_ids[0, start:])) is not None
                    return torch.full((input_ids.shape[0],), done, dtype=torch.bool, device=input_ids.device)

            sampling = temperature is not None and temperature > 0
            with torch.inference_mode():
                output = model.generate(
                    **inputs,
                    max_new_tokens=max_new_tokens,
                    do_sample=sampling,
                    temperature=temperature if sampling else None,
                    top_p=None,
                    top_k=None,
                    pad_token_id=tokenizer.pad_token_id,
                    stopping_criteria=StoppingCriteriaList([_ObjectClosed()]) if schema else None,
                )
            reply = prefix + tokenizer.decode(output[0, start:], skip_special_tokens=True)
        end = json_object_end(reply) if schema else None
        return HfReply(reply[:end] if end else reply.strip(), int(start), int(output.shape[1] - start))

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """Answer one pydantic-ai model request (FunctionModel runs this in a worker thread)."""
        schema, tool_name = reply_schema(info)
        settings = info.model_settings or {}
        reply = self.generate(
            chat_messages(messages, info.instructions),
            max_new_tokens=int(settings.get("max_tokens", 256)),
            temperature=settings.get("temperature"),
            schema=schema,
        )
        usage = RequestUsage(input_tokens=reply.input_tokens, output_tokens=reply.output_tokens)
        part: TextPart | ToolCallPart = ToolCallPart(tool_name, reply.text) if tool_name else TextPart(reply.text)
        return ModelResponse(parts=[part], usage=usage, model_name=f"hf:{self.path.name}")


@lru_cache(maxsize=2)
def hf_chat(path: Path, n_threads: int | None = None) -> HfChat:
    """Return the one :class:`HfChat` (and lock) of a model path."""
    return HfChat(path, n_threads=n_threads)


def hf_model(spec: str, options: LlmOptions) -> Model:
    """Return a pydantic-ai model that runs a transformers model in-process.

    Raises:
        LlmConfigError: no model at the path, or transformers is not installed.
    """
    import importlib.util

    from pydantic_ai.models.function import FunctionModel

    path = resolve_model_path(spec)
    if importlib.util.find_spec("transformers") is None or importlib.util.find_spec("torch") is None:
        raise LlmConfigError(f"INTERVIEW_COACH_LLM_MODEL={spec!r} needs torch and transformers.")
    runner = hf_chat(path, options.local_n_threads)
    # The reply is started and closed as JSON by the runner, so the schema need not be in the
    # prompt; a model tuned by `train llm` was trained without it.
    profile = {
        "supports_tools": True,
        "supports_json_schema_output": True,
        "supports_json_object_output": True,
        "native_output_requires_schema_in_instructions": False,
        "default_structured_output_mode": "native",
    }
    return FunctionModel(runner, model_name=f"hf:{path.name}", profile=cast(Any, profile))
