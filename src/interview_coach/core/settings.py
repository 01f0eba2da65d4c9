"""Application settings; the only module that reads the environment."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every tunable of interview-coach, read from ``INTERVIEW_COACH_*`` variables."""

    model_config = SettingsConfigDict(env_prefix="INTERVIEW_COACH_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path.home() / ".interview-coach", description="Where sessions, memory and files live."
    )
    shared_data_dir: Path = Field(default=Path("../shared/data"), description="Public evaluation data, read in place.")

    llm_model: str = Field(
        default="builtin",
        description="'builtin' (offline rules), a pydantic-ai model string, e.g. 'openai:gpt-4.1-mini', "
        "or 'local:/path/model.gguf' (in-process llama.cpp, needs the llm extra).",
    )
    llm_base_url: str | None = Field(
        default=None, description="OpenAI-compatible endpoint (Ollama, vLLM, llama.cpp server)."
    )
    llm_api_key: str | None = None
    llm_timeout_s: float = Field(
        default=60.0, gt=0, description="Deadline for one LLM turn; past it the builtin engine answers."
    )
    llm_retries: int = Field(
        default=2, ge=0, description="HTTP retries with exponential backoff (connection errors, 408/429/5xx)."
    )
    llm_profile: Literal["auto", "openai", "llamacpp", "ollama", "vllm", "generic"] = Field(
        default="auto", description="Quirks of the OpenAI-compatible server; 'auto' guesses from the model and URL."
    )
    llm_output_mode: Literal["auto", "tool", "native", "prompted"] = Field(
        default="auto",
        description="Structured output: tool call, JSON-schema response format (native) or JSON asked for in "
        "the prompt; 'auto' uses the server profile's best mode.",
    )
    llm_max_tokens: int = Field(default=768, ge=16, description="Cap on generated tokens per LLM request.")
    llm_temperature: float | None = Field(default=0.2, ge=0, description="Sampling temperature; None: server default.")
    llm_output_retries: int = Field(default=1, ge=0, description="Retries when the model's output fails validation.")
    llm_price_input_per_mtok: float | None = Field(
        default=None,
        ge=0,
        description="USD per million input tokens for cost tracking (known hosted models are priced already).",
    )
    llm_price_output_per_mtok: float | None = Field(default=None, ge=0, description="USD per million output tokens.")
    llm_local_n_ctx: int = Field(default=4096, ge=512, description="Context window of a 'local:' GGUF model.")
    llm_local_n_threads: int | None = Field(default=None, ge=1, description="CPU threads of a 'local:' model.")

    qdrant_path: Path | None = Field(default=None, description="Embedded Qdrant folder; defaults to <data_dir>/qdrant.")
    qdrant_url: str | None = Field(default=None, description="Qdrant server URL; overrides the embedded folder.")
    qdrant_api_key: str | None = None
    memory_collection: str = "interview_coach_memory"
    memory_engine: Literal["edge", "local", "postgres"] = Field(
        default="edge",
        description="Memory engine: 'edge' (Qdrant Edge, HNSW), 'local' (qdrant-client local mode, legacy) or "
        "'postgres' (a table shared by several processes, see memory_dsn).",
    )
    memory_dsn: str | None = Field(
        default=None,
        description="postgresql:// DSN of the 'postgres' memory engine; defaults to a postgresql:// checkpointer_dsn.",
    )

    chat_db_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL of the chat history; SQLite <data_dir>/chat.sqlite by default, e.g. postgresql+asyncpg://...",
    )
    checkpointer_dsn: str | None = Field(
        default=None, description="SQLite path or postgres:// DSN; defaults to <data_dir>/checkpoints.sqlite."
    )

    whisper_model: str = Field(
        default="bundled:tiny.en", description="'bundled:tiny.en', a faster-whisper model name or a local path."
    )
    whisper_compute_type: str = "int8"
    embedding_model: str = Field(
        default="bundled:all-MiniLM-L6-v2",
        description="'bundled:all-MiniLM-L6-v2' or a local sentence-transformers path.",
    )
    tts_engine: Literal["piper", "espeak", "off"] = Field(
        default="piper",
        description="How questions are spoken: the bundled Piper voice, espeak-ng (robotic fallback) or not at all.",
    )
    tts_voice_model: Path | None = Field(
        default=None, description="A local Piper .onnx voice (its .onnx.json beside it); the bundled voice if unset."
    )
    tts_length_scale: float = Field(
        default=1.4, gt=0.5, le=2.0, description="Piper pace: >1 speaks slower than the voice's own rate."
    )
    tts_espeak_wpm: int = Field(default=165, ge=80, le=400, description="Speaking rate of the espeak-ng fallback.")
    tts_max_chars: int = Field(default=1000, ge=1, description="Longest question text that is spoken.")
    face_model_path: Path | None = None
    hand_model_path: Path | None = None
    pose_model_path: Path | None = None
    face_sample_fps: float = 10.0
    parallel_voice_face: bool = Field(
        default=True, description="Analyse a video's voice and face at the same time (off: one after the other)."
    )
    room_camera: bool = Field(
        default=True,
        description="Offer in-browser camera answers in the chat room (off: answers are typed, spoken or uploaded).",
    )

    perception: Literal["inline", "workers"] = Field(
        default="inline",
        description="Where answers are analysed: in the serving process, or as jobs on `interview-coach worker` "
        "processes (Dramatiq on Redis; media paths must be on a filesystem the workers share).",
    )
    perception_broker_url: str = Field(
        default="redis://127.0.0.1:6379/0", description="Redis URL of the perception job broker (workers mode)."
    )
    perception_timeout_s: float = Field(
        default=300.0, gt=0, description="How long a turn waits for its perception job before it reports a failure."
    )
    perception_job_time_limit_s: float = Field(
        default=240.0, gt=0, description="A worker abandons a job (counted as a failed attempt) after this long."
    )
    perception_worker_lost_s: float = Field(
        default=15.0, gt=1, description="A worker silent this long is presumed dead and its job is run elsewhere."
    )
    perception_fallback_inline: bool = Field(
        default=False, description="When the broker is down, analyse in the serving process instead of failing."
    )

    auth_mode: Literal["password", "header", "none"] = Field(
        default="password",
        description="Chainlit login: password (users_file), header (trusted proxy), or none (dev only).",
    )
    users_file: Path | None = Field(
        default=None, description="JSON {username: password-hash or password} for password login."
    )
    api_tokens: dict[str, str] = Field(default_factory=dict, description="REST bearer token -> user id (JSON).")
    auth_secret: str | None = Field(default=None, description="Secret for Chainlit sessions (CHAINLIT_AUTH_SECRET).")

    max_answer_chars: int = 20_000
    max_upload_mb: int = 200
    max_media_duration_s: float = 900.0
    max_video_pixels: int = 1920 * 1080
    max_follow_ups: int = 1
    default_question_count: int = 5

    @property
    def models_dir(self) -> Path:
        """Trained model versions (grader, LLM adapters) and their ACTIVE pointers."""
        return self.data_dir / "models"

    @property
    def resolved_qdrant_path(self) -> Path:
        """Embedded Qdrant folder."""
        return self.qdrant_path or self.data_dir / "qdrant"

    @property
    def resolved_checkpointer_dsn(self) -> str:
        """Checkpointer DSN: a Postgres URL or a SQLite file path."""
        return self.checkpointer_dsn or str(self.data_dir / "checkpoints.sqlite")

    @property
    def resolved_memory_dsn(self) -> str | None:
        """DSN of the 'postgres' memory engine: ``memory_dsn``, else a Postgres checkpointer DSN."""
        if self.memory_dsn:
            return self.memory_dsn
        dsn = self.checkpointer_dsn
        return dsn if dsn and dsn.startswith(("postgres://", "postgresql://")) else None

    @property
    def uses_llm(self) -> bool:
        """Whether an LLM is configured instead of the builtin engine."""
        return self.llm_model.strip().lower() not in {"", "builtin"}


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """Return the process-wide settings."""
    return Settings()
