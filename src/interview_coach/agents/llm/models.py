"""Build the configured pydantic-ai model: OpenAI-compatible servers, in-process GGUF, or the registry."""

from __future__ import annotations

import asyncio
import weakref
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from pydantic_ai.models import Model

from interview_coach.agents.llm.hf import HF_PREFIX, hf_model
from interview_coach.agents.llm.llamacpp import LlamaCppCompatTransport, local_model
from interview_coach.agents.llm.profiles import (
    SERVER_PROFILES,
    LlmConfigError,
    LlmOptions,
    ServerProfile,
    resolve_output_mode,
    resolve_server_profile,
)
from interview_coach.core.settings import Settings

if TYPE_CHECKING:
    from pydantic_ai.profiles.openai import OpenAIModelProfile


@dataclass(frozen=True)
class _ModelKey:
    spec: str
    base_url: str | None
    api_key: str | None
    profile_kind: str
    options: LlmOptions

    @property
    def profile(self) -> ServerProfile:
        return SERVER_PROFILES[self.profile_kind]


def _openai_compatible_model(key: _ModelKey) -> Model:
    from pydantic_ai.models import create_async_httpx2_client
    from pydantic_ai.models.openai import OpenAIChatModel
    from pydantic_ai.providers.openai import OpenAIProvider

    http_client = (
        create_async_httpx2_client(transport=LlamaCppCompatTransport()) if key.profile.rewrite_requests else None
    )
    provider = OpenAIProvider(base_url=key.base_url, api_key=key.api_key or "not-needed", http_client=http_client)
    profile = cast("OpenAIModelProfile", dict(key.profile.model_profile))
    return OpenAIChatModel(key.spec.split(":", 1)[1], provider=provider, profile=profile or None)


# HTTP clients belong to the event loop that opened their connections, so models are cached per
# loop (a CLI command or a test runs its own loop); entries go away with their loop.
_models_by_loop: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[_ModelKey, Model]] = (
    weakref.WeakKeyDictionary()
)


def _cached_model(key: _ModelKey) -> Model:
    """Return the model of a configuration, built once per event loop to reuse its connection pool."""
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return _new_model(key)
    models = _models_by_loop.setdefault(loop, {})
    if key not in models:
        models[key] = _new_model(key)
    return models[key]


def _new_model(key: _ModelKey) -> Model:
    from pydantic_ai.models import infer_model

    if key.spec.startswith(HF_PREFIX):
        return hf_model(key.spec, key.options)
    if key.profile.kind == "local":
        return local_model(key.spec, key.options)
    if key.spec.startswith("openai:") and (key.base_url or key.api_key or key.profile.model_profile):
        return _openai_compatible_model(key)
    return infer_model(key.spec)


def build_model(settings: Settings) -> Model | None:
    """Build the configured pydantic-ai model, or ``None`` for the builtin engine.

    ``openai:<name>`` with ``INTERVIEW_COACH_LLM_BASE_URL`` targets any OpenAI-compatible server
    (Ollama, vLLM, llama.cpp server, LM Studio) with the quirks of its server profile;
    ``local:<path.gguf>`` runs a GGUF model in-process through llama.cpp, ``hf:<folder or .gguf>`` through
    transformers (how a model tuned by ``train llm`` is served); other strings go to pydantic-ai's registry.

    Raises:
        LlmConfigError: the model string or LLM options are not usable.

    """
    if not settings.uses_llm:
        return None
    spec = settings.llm_model.strip()
    options = LlmOptions.from_settings(settings)
    profile = resolve_server_profile(settings, options)
    resolve_output_mode(profile, options)
    key = _ModelKey(spec, settings.llm_base_url, settings.llm_api_key, profile.kind, options)
    try:
        return _cached_model(key)
    except LlmConfigError:
        raise
    except Exception as exc:
        raise LlmConfigError(
            f"INTERVIEW_COACH_LLM_MODEL={spec!r} is not usable ({exc}). Use 'builtin', e.g. 'openai:gpt-4.1-mini', "
            "'local:/path/model.gguf' or 'hf:/path/merged'."
        ) from exc
