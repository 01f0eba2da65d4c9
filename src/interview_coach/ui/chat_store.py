"""Chat history for the Chainlit room: threads, messages and elements on SQLite (or any SQLAlchemy URL).

Chainlit's ``SQLAlchemyDataLayer`` is written for Postgres (array and JSON columns); this
subclass stores lists and dicts as JSON text so the same queries run on SQLite, creates the
schema on first use, and keeps element files (charts, recordings, exports) in a local folder
served back only to their owner.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from chainlit.data.sql_alchemy import SQLAlchemyDataLayer
from chainlit.data.storage_clients.base import BaseStorageClient

FILES_ROUTE = "/chat-files"

SQLITE_SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    "id" TEXT PRIMARY KEY, "identifier" TEXT NOT NULL UNIQUE, "metadata" TEXT NOT NULL, "createdAt" TEXT);
CREATE TABLE IF NOT EXISTS threads (
    "id" TEXT PRIMARY KEY, "createdAt" TEXT, "name" TEXT, "userId" TEXT, "userIdentifier" TEXT,
    "tags" TEXT, "metadata" TEXT, FOREIGN KEY ("userId") REFERENCES users("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS steps (
    "id" TEXT PRIMARY KEY, "name" TEXT NOT NULL, "type" TEXT NOT NULL, "threadId" TEXT NOT NULL, "parentId" TEXT,
    "streaming" BOOLEAN NOT NULL, "waitForAnswer" BOOLEAN, "isError" BOOLEAN, "metadata" TEXT, "tags" TEXT,
    "input" TEXT, "output" TEXT, "createdAt" TEXT, "command" TEXT, "modes" TEXT, "start" TEXT, "end" TEXT,
    "generation" TEXT, "showInput" TEXT, "language" TEXT, "indent" INT, "defaultOpen" BOOLEAN,
    "autoCollapse" BOOLEAN, "icon" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS elements (
    "id" TEXT PRIMARY KEY, "threadId" TEXT, "type" TEXT, "url" TEXT, "chainlitKey" TEXT, "name" TEXT NOT NULL,
    "display" TEXT, "objectKey" TEXT, "size" TEXT, "page" INT, "language" TEXT, "forId" TEXT, "mime" TEXT,
    "props" TEXT, "autoPlay" BOOLEAN, "playerConfig" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE TABLE IF NOT EXISTS feedbacks (
    "id" TEXT PRIMARY KEY, "forId" TEXT NOT NULL, "threadId" TEXT NOT NULL, "value" INT NOT NULL, "comment" TEXT,
    FOREIGN KEY ("threadId") REFERENCES threads("id") ON DELETE CASCADE);
CREATE INDEX IF NOT EXISTS threads_user ON threads("userId");
CREATE INDEX IF NOT EXISTS steps_thread ON steps("threadId");
CREATE INDEX IF NOT EXISTS elements_thread ON elements("threadId");
"""


def create_sqlite_schema(path: Path) -> None:
    """Create the chat-history tables in a SQLite file if they do not exist."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(str(path)) as db:
        db.executescript(SQLITE_SCHEMA)


class LocalStorageClient(BaseStorageClient):
    """Element files in a local folder, read back through an owner-checked route."""

    def __init__(self, root: Path, url_prefix: str = FILES_ROUTE) -> None:
        """Store files under ``root``; their URLs start with ``url_prefix``."""
        self.root = root
        self.url_prefix = url_prefix.rstrip("/")
        self.root.mkdir(parents=True, exist_ok=True, mode=0o700)

    def path_for(self, object_key: str) -> Path | None:
        """Return the file of an object key, or ``None`` for keys escaping the folder or not a path."""
        if "\x00" in object_key:
            return None
        candidate = (self.root / object_key).resolve()
        root = self.root.resolve()
        return candidate if root in candidate.parents else None

    def owner_of(self, path: Path) -> str | None:
        """Return the user folder a resolved path lies in (its first component under the root)."""
        try:
            parts = path.resolve().relative_to(self.root.resolve()).parts
        except ValueError:
            return None
        return parts[0] if len(parts) > 1 else None

    async def upload_file(
        self,
        object_key: str,
        data: bytes | str,
        mime: str = "application/octet-stream",
        overwrite: bool = True,
        content_disposition: str | None = None,
    ) -> dict[str, Any]:
        """Write a file and return its key and URL."""
        path = self.path_for(object_key)
        if path is None:
            return {}
        if path.exists() and not overwrite:
            return {"object_key": object_key, "url": await self.get_read_url(object_key)}
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
        return {"object_key": object_key, "url": await self.get_read_url(object_key)}

    async def delete_file(self, object_key: str) -> bool:
        """Delete a file."""
        path = self.path_for(object_key)
        if path is None or not path.is_file():
            return False
        path.unlink()
        return True

    async def get_read_url(self, object_key: str) -> str:
        """Return the owner-checked URL of a file."""
        return f"{self.url_prefix}/{object_key}"

    async def close(self) -> None:
        """Nothing to release."""


class PortableSQLAlchemyDataLayer(SQLAlchemyDataLayer):
    """Chainlit's SQLAlchemy data layer with JSON-encoded list and dict parameters (SQLite-safe)."""

    async def execute_sql(self, query: str, parameters: dict[str, Any]) -> list[dict[str, Any]] | int | None:
        """Run a query, storing lists and dicts as JSON text and decoding ``tags`` on the way out."""
        encoded = {k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in parameters.items()}
        result = await super().execute_sql(query, encoded)
        if isinstance(result, list):
            for row in result:
                for key in ("tags", "thread_tags"):
                    value = row.get(key)
                    if isinstance(value, str) and value.startswith("["):
                        row[key] = json.loads(value)
        return result

    async def delete_user_threads(self, identifier: str) -> int:
        """Delete every thread (with its steps, elements and files) of a user; return how many."""
        rows = await self.execute_sql(
            'SELECT "id" FROM threads WHERE "userIdentifier" = :identifier', {"identifier": identifier}
        )
        ids = [str(r["id"]) for r in rows] if isinstance(rows, list) else []
        for thread_id in ids:
            await self.delete_thread(thread_id)
        return len(ids)


def build_data_layer(url: str, files_root: Path) -> PortableSQLAlchemyDataLayer:
    """Open the chat-history store; SQLite URLs get their schema created."""
    if url.startswith("sqlite"):
        create_sqlite_schema(Path(url.split(":///", 1)[1]))
    return PortableSQLAlchemyDataLayer(conninfo=url, storage_provider=LocalStorageClient(files_root))
