"""One OS process running a server's database start-up on a shared Postgres, at the same time as others.

Run by ``test_pg_concurrent_startup.py`` as ``python pg_startup_child.py CHAT_URL GO_FILE OUT_FILE``
with the ``INTERVIEW_COACH_*`` settings in the environment (Postgres checkpointer DSN and memory
engine). It imports everything, signals ``OUT_FILE.ready``, waits for ``GO_FILE`` so every process
starts together, then creates what ``serve`` creates at start: the long-term memory table
(``build_deps``), the session index, feedback store and checkpointer (``InterviewService.open``)
and Chainlit's tables (``build_data_layer``). It records a session in the shared index and writes
``{"ok": true, "session_id": ...}`` or the error to ``OUT_FILE``.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import traceback
import uuid
from pathlib import Path

from interview_coach.core.settings import Settings
from interview_coach.deps import build_deps
from interview_coach.graphs.service import InterviewService
from interview_coach.ui.chat_store import build_data_layer


async def start_up(settings: Settings, chat_url: str, files_root: Path) -> str:
    """Open every Postgres store the way ``serve`` does; return the id of a session written to the index."""
    layer = build_data_layer(chat_url, files_root)
    deps = build_deps(settings)
    try:
        async with InterviewService.open(deps) as service:
            session_id = f"startup-{uuid.uuid4().hex}"
            service.sessions.create(session_id, "startup-user", "Backend Software Engineer")
        return session_id
    finally:
        deps.close()
        await layer.close()


def main(chat_url: str, go_file: Path, out_file: Path) -> None:
    """Wait for ``go_file``, start up, report to ``out_file``."""
    settings = Settings()
    out_file.with_suffix(".ready").touch()
    while not go_file.exists():
        time.sleep(0.005)
    try:
        session_id = asyncio.run(start_up(settings, chat_url, settings.data_dir / "elements"))
        result: dict[str, object] = {"ok": True, "session_id": session_id}
    except Exception as exc:  # reported to the test, which shows it
        result = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "traceback": traceback.format_exc()}
    out_file.write_text(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]))
