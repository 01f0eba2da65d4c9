"""The API documentation pages (``/docs``, ``/redoc``) with their assets served by this process.

FastAPI's stock pages load Swagger UI and ReDoc from a CDN, so an offline server showed blank
pages. The assets come from the ``fastapi-offline`` package (MIT, vendored Swagger UI and
ReDoc bundles); the app must be built with ``docs_url=None, redoc_url=None`` so these routes
replace the stock ones. A Content-Security-Policy keeps both pages on this server: the ReDoc
bundle always asks ``cdn.redoc.ly`` for its logo, which the browser now never requests.
"""

from __future__ import annotations

from importlib.resources import files
from typing import Any

from fastapi import FastAPI, Request
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

DOCS_PATH = "/docs"
REDOC_PATH = "/redoc"
ASSETS_PATH = "/docs-assets"
OAUTH2_REDIRECT_PATH = DOCS_PATH + "/oauth2-redirect"
_ASSETS_PACKAGE = "fastapi_offline"
# Swagger UI's config and ReDoc's styles are inline; ReDoc parses the schema in a blob: worker.
DOCS_CSP = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; worker-src 'self' blob:; connect-src 'self'; "
    "object-src 'none'; base-uri 'self'; frame-ancestors 'self'"
)


def install_docs(app: FastAPI) -> None:
    """Serve Swagger UI at ``/docs`` and ReDoc at ``/redoc`` from local assets.

    Args:
        app: an app built with ``docs_url=None`` and ``redoc_url=None`` (its OpenAPI schema stays on).

    Raises:
        ValueError: the app still serves the stock CDN pages or has no OpenAPI schema to show.

    """
    if app.docs_url is not None or app.redoc_url is not None:
        raise ValueError("build the app with docs_url=None and redoc_url=None before installing the offline docs")
    if app.openapi_url is None:
        raise ValueError("the app has no OpenAPI schema (openapi_url=None); there is nothing to document")
    openapi_url = app.openapi_url
    assets = files(_ASSETS_PACKAGE) / "static"
    app.mount(ASSETS_PATH, StaticFiles(directory=str(assets)), name="docs-assets")
    # The online validator badge would load an image from swagger.io.
    swagger_parameters: dict[str, Any] = {**(app.swagger_ui_parameters or {}), "validatorUrl": None}

    @app.get(DOCS_PATH, include_in_schema=False)
    async def swagger_ui(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_swagger_ui_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - Swagger UI",
            swagger_js_url=f"{root}{ASSETS_PATH}/swagger-ui-bundle.js",
            swagger_css_url=f"{root}{ASSETS_PATH}/swagger-ui.css",
            swagger_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            oauth2_redirect_url=root + OAUTH2_REDIRECT_PATH,
            init_oauth=app.swagger_ui_init_oauth,
            swagger_ui_parameters=swagger_parameters,
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page

    @app.get(OAUTH2_REDIRECT_PATH, include_in_schema=False)
    async def swagger_ui_oauth2_redirect() -> HTMLResponse:
        return get_swagger_ui_oauth2_redirect_html()

    @app.get(REDOC_PATH, include_in_schema=False)
    async def redoc(request: Request) -> HTMLResponse:
        root = request.scope.get("root_path", "")
        page = get_redoc_html(
            openapi_url=root + openapi_url,
            title=f"{app.title} - ReDoc",
            redoc_js_url=f"{root}{ASSETS_PATH}/redoc.standalone.js",
            redoc_favicon_url=f"{root}{ASSETS_PATH}/favicon.png",
            with_google_fonts=False,
        )
        page.headers["Content-Security-Policy"] = DOCS_CSP
        return page
