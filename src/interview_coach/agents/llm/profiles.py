"""Model options and server profiles: which structured-output mode and request quirks a server needs."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeAlias, cast, get_args

from pydantic import BaseModel
from pydantic_ai import NativeOutput, PromptedOutput, ToolOutput
from pydantic_ai.settings import ModelSettings

from interview_coach.core.settings import Settings

OutputMode = Literal["tool", "native", "prompted"]
ServerKind = Literal["openai", "llamacpp", "ollama", "vllm", "generic", "local", "registry"]
OUTPUT_MODES: tuple[str, ...] = get_args(OutputMode)
SERVER_KINDS: tuple[str, ...] = get_args(ServerKind)
LOCAL_PREFIX = "local:"
HF_PREFIX = "hf:"
OUTPUT_TOOL_NAME = "final_result"
# JSON schemas and chat-completion bodies are the LLM APIs' wire format, not project data, so they
# stay plain JSON objects rather than models.
JsonObject: TypeAlias = dict[str, Any]


class LlmConfigError(ValueError):
    """The LLM settings cannot be turned into a model."""


@dataclass(frozen=True)
class LlmOptions:
    """LLM tuning read from settings (``INTERVIEW_COACH_LLM_*``).

    Attributes:
        profile: server profile name, or ``auto`` to guess it from the model string and base URL.
        output_mode: ``tool``, ``native``, ``prompted``, or ``auto`` for the profile's best mode.
        max_tokens: cap on generated tokens per request (sent as ``max_tokens`` where needed).
        temperature: sampling temperature, ``None`` for the server default.
        output_retries: how often the model may retry an output that fails validation.
        price_input_per_mtok: USD per million input tokens (overrides built-in price data).
        price_output_per_mtok: USD per million output tokens.
        local_n_ctx: context window for ``local:`` models.
        local_n_threads: CPU threads for ``local:`` models (``None``: llama.cpp's default).

    """

    profile: str = "auto"
    output_mode: str = "auto"
    max_tokens: int = 768
    temperature: float | None = 0.2
    output_retries: int = 1
    price_input_per_mtok: float | None = None
    price_output_per_mtok: float | None = None
    local_n_ctx: int = 4096
    local_n_threads: int | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> LlmOptions:
        """Read the options, using these defaults for settings fields a deployment does not define."""
        values = {
            name: getattr(settings, f"llm_{name}")
            for name in cls.__dataclass_fields__
            if hasattr(settings, f"llm_{name}")
        }
        return cls(**values)


@dataclass(frozen=True)
class ServerProfile:
    """How to talk to one kind of OpenAI-compatible server.

    Attributes:
        kind: the profile name.
        output_mode: the structured-output mode that works best on this server.
        model_profile: pydantic-ai profile keys merged over the provider's defaults.
        rewrite_requests: send requests through :class:`LlamaCppCompatTransport`.
        named_tool_choice: force the output tool by name (servers that ignore ``"required"``).

    """

    kind: ServerKind
    output_mode: OutputMode
    model_profile: Mapping[str, Any] = field(default_factory=dict)
    rewrite_requests: bool = False
    named_tool_choice: bool = False


SERVER_PROFILES: dict[str, ServerProfile] = {
    "openai": ServerProfile("openai", "tool"),
    # llama.cpp server: JSON-schema response formats → HTTP 500 (rewritten to json_object + schema,
    # which it enforces with a grammar), max_completion_tokens ignored, "required" tool choice
    # ignored, assistant content null → HTTP 500.
    "llamacpp": ServerProfile(
        "llamacpp",
        "native",
        {
            "openai_chat_supports_max_completion_tokens": False,
            "openai_supports_strict_tool_definition": False,
            "supports_json_schema_output": True,
            "supports_json_object_output": True,
            "native_output_requires_schema_in_instructions": True,
        },
        rewrite_requests=True,
        named_tool_choice=True,
    ),
    "ollama": ServerProfile(
        "ollama",
        "native",
        {
            "openai_chat_supports_max_completion_tokens": False,
            "openai_supports_strict_tool_definition": False,
            "supports_json_schema_output": True,
            "supports_json_object_output": True,
        },
    ),
    "vllm": ServerProfile(
        "vllm",
        "native",
        {
            "openai_chat_supports_max_completion_tokens": False,
            "supports_json_schema_output": True,
            "supports_json_object_output": True,
        },
    ),
    # Unknown server: plain text JSON that any chat endpoint can produce.
    "generic": ServerProfile(
        "generic",
        "prompted",
        {
            "openai_chat_supports_max_completion_tokens": False,
            "openai_supports_strict_tool_definition": False,
            "supports_json_schema_output": True,
            "supports_json_object_output": False,
        },
    ),
    "local": ServerProfile("local", "native"),
    "registry": ServerProfile("registry", "tool"),
}


def resolve_server_profile(settings: Settings, options: LlmOptions | None = None) -> ServerProfile:
    """Pick the server profile for the configured model.

    Raises:
        LlmConfigError: an unknown profile name.

    """
    options = options or LlmOptions.from_settings(settings)
    spec = settings.llm_model.strip()
    if spec.startswith((LOCAL_PREFIX, HF_PREFIX)):
        return SERVER_PROFILES["local"]
    if options.profile != "auto":
        if options.profile not in SERVER_PROFILES:
            choices = ", ".join(k for k in SERVER_PROFILES if k not in {"local", "registry"})
            raise LlmConfigError(f"INTERVIEW_COACH_LLM_PROFILE={options.profile!r} is unknown; use auto, {choices}.")
        return SERVER_PROFILES[options.profile]
    if not spec.startswith("openai:"):
        return SERVER_PROFILES["registry"]
    url = (settings.llm_base_url or "").lower()
    if not url or "api.openai.com" in url or "openai.azure.com" in url:
        return SERVER_PROFILES["openai"]
    if ":11434" in url or "ollama" in url:
        return SERVER_PROFILES["ollama"]
    return SERVER_PROFILES["generic"]


def resolve_output_mode(profile: ServerProfile, options: LlmOptions) -> OutputMode:
    """Return the output mode: the configured one, or the profile's best one for ``auto``.

    Raises:
        LlmConfigError: an unknown output mode.

    """
    if options.output_mode == "auto":
        return profile.output_mode
    if options.output_mode not in OUTPUT_MODES:
        raise LlmConfigError(
            f"INTERVIEW_COACH_LLM_OUTPUT_MODE={options.output_mode!r} is unknown; use auto, {', '.join(OUTPUT_MODES)}."
        )
    return cast(OutputMode, options.output_mode)


def output_spec(output_type: Any, mode: OutputMode) -> Any:
    """Wrap an agent's output type for the chosen structured-output mode."""
    if mode == "native":
        return NativeOutput(output_type)
    if mode == "prompted":
        return PromptedOutput(output_type)
    return ToolOutput(output_type, name=OUTPUT_TOOL_NAME)


def output_json_schema(output_type: Any) -> JsonObject | None:
    """Return the JSON schema of a pydantic output model (``None`` for other output specs)."""
    if isinstance(output_type, type) and issubclass(output_type, BaseModel):
        return output_type.model_json_schema()
    return None


def request_settings(
    settings: Settings,
    profile: ServerProfile,
    mode: OutputMode,
    options: LlmOptions,
    *,
    output_schema: JsonObject | None = None,
) -> ModelSettings:
    """Build the per-request model settings: token cap, temperature, timeout, SDK retries, quirks."""
    model_settings: ModelSettings = {
        "max_tokens": options.max_tokens,
        "timeout": settings.llm_timeout_s,
        "max_retries": max(0, settings.llm_retries),
    }
    if options.temperature is not None:
        model_settings["temperature"] = options.temperature
    if mode == "tool" and profile.named_tool_choice:
        model_settings["extra_body"] = {"tool_choice": {"type": "function", "function": {"name": OUTPUT_TOOL_NAME}}}
    if mode == "prompted" and profile.rewrite_requests and output_schema is not None:
        # llama.cpp enforces a schema given with json_object; without one small models answer "{}".
        model_settings["extra_body"] = {"response_format": {"type": "json_object", "schema": output_schema}}
    return model_settings
