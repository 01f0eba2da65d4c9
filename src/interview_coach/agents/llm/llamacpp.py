"""llama.cpp: the server's request dialect, and GGUF models run in-process (``local:<path.gguf>``)."""

from __future__ import annotations

import importlib.util
import json
import threading
from collections.abc import Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any, cast

import httpx2
from pydantic_ai.messages import (
    ModelMessage,
    ModelRequest,
    ModelResponse,
    RetryFeedbackPart,
    RetryPromptPart,
    SystemPromptPart,
    TextPart,
    ToolCallPart,
    ToolReturnPart,
    UserPromptPart,
)
from pydantic_ai.models import Model
from pydantic_ai.models.function import AgentInfo
from pydantic_ai.usage import RequestUsage

from interview_coach.agents.llm.profiles import LOCAL_PREFIX, JsonObject, LlmConfigError, LlmOptions

# --------------------------------------------------------------------------------------------
# llama.cpp server compatibility
# --------------------------------------------------------------------------------------------


# llama.cpp expands maxLength into nested grammar rules; past about 1000 it rejects the grammar
# ("exceeds sane defaults") and then crashes in sampling. Shorter caps stay inside any real limit.
GRAMMAR_MAX_STRING_LENGTH = 500


def grammar_safe_schema(schema: Any) -> Any:
    """Return a copy of a JSON schema whose ``maxLength`` values llama.cpp can turn into a grammar."""
    if isinstance(schema, list):
        return [grammar_safe_schema(item) for item in schema]
    if not isinstance(schema, dict):
        return schema
    safe = {key: grammar_safe_schema(value) for key, value in schema.items()}
    if isinstance(safe.get("maxLength"), int) and safe["maxLength"] > GRAMMAR_MAX_STRING_LENGTH:
        safe["maxLength"] = GRAMMAR_MAX_STRING_LENGTH
    return safe


def adapt_llamacpp_request(body: JsonObject) -> JsonObject:
    """Rewrite a chat-completions body into the dialect the llama.cpp server accepts.

    ``response_format={"type": "json_schema", ...}`` becomes ``{"type": "json_object",
    "schema": ...}`` (grammar-enforced there); schemas (also tool parameters) get
    grammar-safe string lengths; assistant messages with ``content: null`` get an empty string.
    """
    fixed = dict(body)
    response_format = fixed.get("response_format")
    if isinstance(response_format, dict) and response_format.get("type") == "json_schema":
        schema = (response_format.get("json_schema") or {}).get("schema") or {}
        fixed["response_format"] = {"type": "json_object", "schema": schema}
    if isinstance(fixed.get("response_format"), dict) and "schema" in fixed["response_format"]:
        fixed["response_format"] = grammar_safe_schema(fixed["response_format"])
    if isinstance(fixed.get("tools"), list):
        fixed["tools"] = grammar_safe_schema(fixed["tools"])
    messages = fixed.get("messages")
    if isinstance(messages, list):
        fixed["messages"] = [
            {**m, "content": ""}
            if isinstance(m, dict) and m.get("role") == "assistant" and m.get("content") is None
            else m
            for m in messages
        ]
    return fixed


class LlamaCppCompatTransport(httpx2.AsyncBaseTransport):
    """An HTTP transport that rewrites chat-completion requests for the llama.cpp server."""

    def __init__(self, wrapped: httpx2.AsyncBaseTransport | None = None) -> None:
        """Wrap a transport (a default ``httpx2.AsyncHTTPTransport`` when omitted)."""
        self._wrapped = wrapped or httpx2.AsyncHTTPTransport()

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        """Send the request, rewritten when it is a JSON chat completion."""
        if request.method == "POST" and request.url.path.endswith("/chat/completions"):
            raw = await request.aread()
            try:
                body = json.loads(raw)
            except ValueError:
                body = None
            if isinstance(body, dict):
                content = json.dumps(adapt_llamacpp_request(body)).encode()
                headers = [(k, v) for k, v in request.headers.multi_items() if k.lower() != "content-length"]
                request = httpx2.Request(
                    request.method, request.url, headers=headers, content=content, extensions=request.extensions
                )
        return await self._wrapped.handle_async_request(request)

    async def aclose(self) -> None:
        """Close the wrapped transport."""
        await self._wrapped.aclose()


# --------------------------------------------------------------------------------------------
# In-process llama.cpp (``local:<path.gguf>``)
# --------------------------------------------------------------------------------------------


def _user_text(part: UserPromptPart) -> str:
    if isinstance(part.content, str):
        return part.content
    return "\n".join(item for item in part.content if isinstance(item, str))


def _request_messages(message: ModelRequest) -> Iterator[dict[str, str]]:
    for part in message.parts:
        if isinstance(part, SystemPromptPart):
            yield {"role": "system", "content": part.content}
        elif isinstance(part, UserPromptPart):
            yield {"role": "user", "content": _user_text(part)}
        elif isinstance(part, ToolReturnPart):
            yield {"role": "user", "content": f"Result of {part.tool_name}: {part.model_response_str()}"}
        elif isinstance(part, RetryFeedbackPart | RetryPromptPart):
            yield {"role": "user", "content": part.model_response()}


def chat_messages(messages: Sequence[ModelMessage], instructions: str | None) -> list[dict[str, str]]:
    """Turn pydantic-ai messages into plain chat messages (system/user/assistant text only).

    Tool calls become assistant JSON and tool results or retry prompts user text, so any chat
    template can render the conversation; consecutive messages of one role are merged.
    """
    flat: list[dict[str, str]] = [{"role": "system", "content": instructions}] if instructions else []
    for message in messages:
        if isinstance(message, ModelRequest):
            flat.extend(_request_messages(message))
        elif isinstance(message, ModelResponse):
            texts = [p.content for p in message.parts if isinstance(p, TextPart)]
            texts += [p.args_as_json_str() for p in message.parts if isinstance(p, ToolCallPart)]
            flat.append({"role": "assistant", "content": "\n".join(texts)})
    merged: list[dict[str, str]] = []
    for item in flat:
        if merged and merged[-1]["role"] == item["role"]:
            merged[-1] = {"role": item["role"], "content": merged[-1]["content"] + "\n\n" + item["content"]}
        else:
            merged.append(item)
    return merged


def reply_schema(info: AgentInfo) -> tuple[JsonObject | None, str | None]:
    """Return the JSON schema the reply must follow and, in tool mode, the output tool's name."""
    params = info.model_request_parameters
    if params.output_mode == "tool" and info.output_tools:
        tool = info.output_tools[0]
        return dict(tool.parameters_json_schema), tool.name
    if params.output_mode in {"native", "prompted"} and params.output_object is not None:
        return dict(params.output_object.json_schema), None
    return None, None


class LocalLlama:
    """One in-process llama.cpp model; calls are serialised by its own lock (llama.cpp is not reentrant)."""

    def __init__(self, path: Path, *, n_ctx: int, n_threads: int | None) -> None:
        """Remember the model file; weights load on the first call, in the worker thread."""
        self.path = path
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self.lock = threading.Lock()
        self._llama: Any = None

    def _model(self) -> Any:
        if self._llama is None:
            from llama_cpp import Llama

            self._llama = Llama(model_path=str(self.path), n_ctx=self.n_ctx, n_threads=self.n_threads, verbose=False)
        return self._llama

    def __call__(self, messages: list[ModelMessage], info: AgentInfo) -> ModelResponse:
        """Answer one model request (FunctionModel runs this in a worker thread)."""
        schema, tool_name = reply_schema(info)
        settings = info.model_settings or {}
        kwargs: dict[str, Any] = {"max_tokens": settings.get("max_tokens", 512)}
        if settings.get("temperature") is not None:
            kwargs["temperature"] = settings["temperature"]
        if schema is not None:
            kwargs["response_format"] = {"type": "json_object", "schema": grammar_safe_schema(schema)}
        with self.lock:
            completion = self._model().create_chat_completion(
                messages=chat_messages(messages, info.instructions), **kwargs
            )
        content = completion["choices"][0]["message"].get("content") or ""
        usage = completion.get("usage") or {}
        request_usage = RequestUsage(
            input_tokens=int(usage.get("prompt_tokens", 0)), output_tokens=int(usage.get("completion_tokens", 0))
        )
        part: TextPart | ToolCallPart = ToolCallPart(tool_name, content) if tool_name else TextPart(content)
        return ModelResponse(parts=[part], usage=request_usage, model_name=f"local:{self.path.name}")


@lru_cache(maxsize=4)
def local_llama(path: Path, n_ctx: int, n_threads: int | None) -> LocalLlama:
    """Return the one :class:`LocalLlama` (and lock) of a model file."""
    return LocalLlama(path, n_ctx=n_ctx, n_threads=n_threads)


def local_model(spec: str, options: LlmOptions) -> Model:
    """Return a model that runs a GGUF file in-process through llama.cpp.

    Raises:
        LlmConfigError: no ``.gguf`` file at the path, or llama-cpp-python is not installed.

    """
    from pydantic_ai.models.function import FunctionModel

    path = Path(spec[len(LOCAL_PREFIX) :]).expanduser()
    if not path.is_file() or path.suffix.lower() != ".gguf":
        raise LlmConfigError(f"INTERVIEW_COACH_LLM_MODEL={spec!r}: no .gguf file at {path}.")
    if importlib.util.find_spec("llama_cpp") is None:
        raise LlmConfigError(
            f"INTERVIEW_COACH_LLM_MODEL={spec!r} needs llama-cpp-python: pip install 'interview-coach[llm]'."
        )
    runner = local_llama(path.resolve(), options.local_n_ctx, options.local_n_threads)
    profile = {
        "supports_tools": True,
        "supports_json_schema_output": True,
        "supports_json_object_output": True,
        "native_output_requires_schema_in_instructions": True,
        "default_structured_output_mode": "native",
    }
    return FunctionModel(runner, model_name=f"local:{path.name}", profile=cast(Any, profile))
