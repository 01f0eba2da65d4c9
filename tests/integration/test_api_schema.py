"""Schemathesis against the OpenAPI schema: generated requests never crash the API or break the schema."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from interview_coach.core.settings import Settings
from interview_coach.ui import registry
from interview_coach.ui.server import create_app

TOKEN = "token-fuzz"
# Schemathesis reads the schema at collection time, so the app exists at import; its service is
# opened (and the data folder used) only by the module fixture below.
FUZZ_DIR = Path(tempfile.mkdtemp(prefix="interview-coach-fuzz-"))
FUZZ_SETTINGS = Settings(data_dir=FUZZ_DIR, api_tokens={TOKEN: "fuzzer"}, max_upload_mb=1, _env_file=None)  # type: ignore[call-arg]
APP = create_app(FUZZ_SETTINGS, chat=False, warm_up=False)


class SharedLifespan:
    """Forward requests to the app but answer lifespan events itself.

    Schemathesis starts and stops an ASGI app's lifespan around every operation; the module
    fixture already holds the app's one service open, so the fuzzed calls reuse it.
    """

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    async def __call__(self, scope: dict, receive: Any, send: Any) -> None:
        if scope["type"] != "lifespan":
            await self.app(scope, receive, send)
            return
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            else:
                await send({"type": "lifespan.shutdown.complete"})
                return


schema = schemathesis.openapi.from_asgi("/openapi.json", SharedLifespan(APP))


@pytest.fixture(scope="module", autouse=True)
def open_service() -> Iterator[None]:
    registry.configure(FUZZ_SETTINGS)
    with TestClient(APP):
        yield
    shutil.rmtree(FUZZ_DIR, ignore_errors=True)


@schema.parametrize()
@settings(max_examples=8, deadline=None, derandomize=True, database=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    # DELETE /api/me would wipe the fuzzing user mid-run; test_api.py covers it.
    if case.method == "DELETE":
        return
    case.call_and_validate(headers={"Authorization": f"Bearer {TOKEN}"})
