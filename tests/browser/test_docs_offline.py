"""``/docs`` and ``/redoc`` render in a real browser with every host but the server blocked (issue 14, defect 5)."""

from __future__ import annotations

import json
import os
import re
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest
from browser_support import NetworkLog

from live_server import LiveServer

pytestmark = [pytest.mark.browser, pytest.mark.slow]

TIMEOUT_MS = int(os.environ.get("BROWSER_TEST_TIMEOUT_MS", "60000"))
SERVER_HOST = "127.0.0.1"
HTTP_METHODS = {"get", "put", "post", "delete", "patch", "options", "head", "trace"}
PROBE_PATH = "/api/sessions"
# A Content-Security-Policy refusal names the URL it stopped: only other hosts may be refused, never the server.
REFUSED_URL = re.compile(r"(?:Refused to load|Loading) the [\w ]+? '(?P<url>[^']+)'")


def open_offline_page(browser: Any, network: NetworkLog, errors: list[str]) -> Any:
    """A page whose requests to any host but the server are recorded and aborted."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})

    def guard(route: Any) -> None:
        url = route.request.url
        network.requests.append(url)
        parts = urlsplit(url)
        if parts.scheme in {"data", "blob"} or parts.hostname == SERVER_HOST:
            route.continue_()
        else:
            network.blocked.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.set_default_timeout(TIMEOUT_MS)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda message: _keep_policy_refusal(message.text, errors))
    return page


def _keep_policy_refusal(text: str, errors: list[str]) -> None:
    if "Content Security Policy" not in text:
        return
    refused = REFUSED_URL.search(text)
    if refused is None or urlsplit(refused["url"]).hostname in {SERVER_HOST, None}:
        errors.append(text)


@pytest.fixture(scope="module")
def schema(live_server: LiveServer) -> dict[str, Any]:
    response = httpx.get(live_server.base_url + "/openapi.json", timeout=30)
    response.raise_for_status()
    return dict(response.json())


@pytest.fixture(scope="module")
def operations(schema: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Every (method, path, operationId) the served OpenAPI schema documents."""
    found = [
        (method, path, str(operation["operationId"]))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
        if method in HTTP_METHODS
    ]
    assert any(path == PROBE_PATH for _, path, _ in found), (
        "the schema no longer documents the path this test looks for"
    )
    return found


def test_every_schema_reference_resolves(schema: dict[str, Any]) -> None:
    # ReDoc renders nothing at all when one $ref dangles (the report route once pointed at a missing model).
    referenced = set(re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)))
    assert referenced, "the schema has no component references; this check would prove nothing"
    assert referenced <= set(schema["components"]["schemas"]), referenced - set(schema["components"]["schemas"])


def test_swagger_ui_renders_with_other_hosts_blocked(
    playwright_browser: Any, live_server: LiveServer, operations: list[tuple[str, str, str]]
) -> None:
    network, errors = NetworkLog(), []
    page = open_offline_page(playwright_browser, network, errors)
    page.goto(live_server.base_url + "/docs")
    blocks = page.locator(".swagger-ui .opblock")
    blocks.first.wait_for(state="visible")
    page.wait_for_load_state("networkidle")

    assert blocks.count() == len(operations)
    assert page.locator(f'.opblock-summary-path[data-path="{PROBE_PATH}"]').first.is_visible()
    assert errors == []
    assert network.blocked == [], f"the docs page asked other hosts: {network.blocked}"
    assert any(urlsplit(url).path.endswith("/swagger-ui-bundle.js") for url in network.requests)
    page.context.close()


def test_redoc_renders_with_other_hosts_blocked(
    playwright_browser: Any, live_server: LiveServer, operations: list[tuple[str, str, str]]
) -> None:
    network, errors = NetworkLog(), []
    page = open_offline_page(playwright_browser, network, errors)
    page.goto(live_server.base_url + "/redoc")
    content = page.locator(".api-content")
    content.wait_for(state="visible")
    page.wait_for_load_state("networkidle")

    sections = page.locator("[data-section-id*='operation/']").evaluate_all(
        "nodes => nodes.map(node => node.dataset.sectionId)"
    )
    # ReDoc gives each operation an anchor per tag and one bare "operation/<operationId>".
    rendered_ids = {section.rsplit("operation/", 1)[1] for section in sections}
    assert rendered_ids == {operation_id for _, _, operation_id in operations}
    assert PROBE_PATH in content.inner_text()
    assert errors == []
    assert network.blocked == [], f"the ReDoc page asked other hosts: {network.blocked}"
    assert any(urlsplit(url).path.endswith("/redoc.standalone.js") for url in network.requests)
    page.context.close()
