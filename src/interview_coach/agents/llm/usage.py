"""Token usage and cost of LLM calls, counted by the active :func:`track_llm_usage` meter."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from decimal import Decimal

from pydantic_ai.usage import RunUsage

from interview_coach.agents.llm.profiles import LlmOptions


def cost_microusd(usage: RunUsage, options: LlmOptions) -> int:
    """Return the cost of a run in millionths of a US dollar.

    Configured prices win; otherwise pydantic-ai's price data for known hosted models; else 0.
    """
    if options.price_input_per_mtok is not None or options.price_output_per_mtok is not None:
        dollars = (
            usage.input_tokens * (options.price_input_per_mtok or 0.0)
            + usage.output_tokens * (options.price_output_per_mtok or 0.0)
        ) / 1_000_000
        return round(dollars * 1_000_000)
    cost = getattr(usage, "cost", None)
    return round(Decimal(cost) * 1_000_000) if cost is not None else 0


class UsageMeter:
    """Counts LLM calls, tokens, cost and fallbacks while it is active (see :func:`track_llm_usage`)."""

    def __init__(self) -> None:
        """Start at zero."""
        self.counts: dict[str, int] = {}

    def add(self, counts: Mapping[str, int]) -> None:
        """Add one call's counters."""
        for name, value in counts.items():
            if value:
                self.counts[name] = self.counts.get(name, 0) + int(value)

    def totals(self) -> dict[str, int]:
        """Return the counters (empty when no LLM call was made), ready for graph state."""
        return dict(self.counts)


_active_meter: contextvars.ContextVar[UsageMeter | None] = contextvars.ContextVar("llm_usage_meter", default=None)


@contextmanager
def track_llm_usage() -> Iterator[UsageMeter]:
    """Count the usage of every :func:`run_with_fallback` call made inside the block (same task)."""
    meter = UsageMeter()
    token = _active_meter.set(meter)
    try:
        yield meter
    finally:
        _active_meter.reset(token)


def record_usage(counts: Mapping[str, int]) -> None:
    """Add one call's counters to the active meter, if any."""
    meter = _active_meter.get()
    if meter is not None:
        meter.add(counts)
