"""LLM plumbing shared by the agents: models, server profiles, output modes, timeouts, fallback, usage.

Three kinds of model strings reach :func:`build_model` (``models``):

- ``builtin``: no LLM (the offline default); agents use the rules engine.
- ``openai:<name>`` (plus ``INTERVIEW_COACH_LLM_BASE_URL``/``_API_KEY``) for OpenAI or any
  OpenAI-compatible server; a *server profile* (``INTERVIEW_COACH_LLM_PROFILE``) describes the
  server's quirks and its best structured-output mode. Other pydantic-ai strings
  (``anthropic:...``) go to pydantic-ai's registry.
- ``local:<path.gguf>``: a GGUF model run in-process by llama-cpp-python, in a worker thread.

Every call goes through :func:`run_with_fallback`: one deadline for the whole turn, SDK retries
with exponential backoff for transient HTTP failures, output-validation retries, and, when all
of that fails, a note instead of an exception so the caller uses the builtin engine for the turn.
Token usage and cost of every call are returned and added to the active :func:`track_llm_usage`
meter, which graph nodes turn into the session's ``llm_usage`` counters.

Modules: ``profiles`` (options, server profiles, output modes), ``llamacpp`` (the llama.cpp
server's dialect and in-process GGUF models), ``models`` (model construction), ``usage``
(token and cost meter), ``run`` (:func:`run_with_fallback`).
"""

from interview_coach.agents.llm.llamacpp import (
    GRAMMAR_MAX_STRING_LENGTH,
    LlamaCppCompatTransport,
    LocalLlama,
    adapt_llamacpp_request,
    chat_messages,
    grammar_safe_schema,
    local_llama,
    local_model,
    reply_schema,
)
from interview_coach.agents.llm.models import build_model
from interview_coach.agents.llm.profiles import (
    LOCAL_PREFIX,
    OUTPUT_MODES,
    OUTPUT_TOOL_NAME,
    SERVER_KINDS,
    SERVER_PROFILES,
    JsonObject,
    LlmConfigError,
    LlmOptions,
    OutputMode,
    ServerKind,
    ServerProfile,
    output_json_schema,
    output_spec,
    request_settings,
    resolve_output_mode,
    resolve_server_profile,
)
from interview_coach.agents.llm.run import LlmOutcome, delimit_untrusted, run_with_fallback
from interview_coach.agents.llm.usage import UsageMeter, cost_microusd, record_usage, track_llm_usage

__all__ = [
    "GRAMMAR_MAX_STRING_LENGTH",
    "LOCAL_PREFIX",
    "OUTPUT_MODES",
    "OUTPUT_TOOL_NAME",
    "SERVER_KINDS",
    "SERVER_PROFILES",
    "JsonObject",
    "LlamaCppCompatTransport",
    "LlmConfigError",
    "LlmOptions",
    "LlmOutcome",
    "LocalLlama",
    "OutputMode",
    "ServerKind",
    "ServerProfile",
    "UsageMeter",
    "adapt_llamacpp_request",
    "build_model",
    "chat_messages",
    "cost_microusd",
    "delimit_untrusted",
    "grammar_safe_schema",
    "local_llama",
    "local_model",
    "output_json_schema",
    "output_spec",
    "record_usage",
    "reply_schema",
    "request_settings",
    "resolve_output_mode",
    "resolve_server_profile",
    "run_with_fallback",
    "track_llm_usage",
]
