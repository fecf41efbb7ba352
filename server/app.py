"""The endpoint's routes: the SPARQL 1.1 Protocol at /sparql (queries, updates when allowed,
the service description and the query page), the VoID description at /void, the named
queries as examples at /examples, and the page's own assets at /static.

Safety rules applied here, before a query reaches a worker: updates only with
`--allow-update` and the bearer token; no SERVICE (the endpoint makes no outbound
requests); no LOAD (it would read a URL or a file). FROM and default-graph-uri only name
graphs of the store: pyoxigraph never fetches them.
"""

from __future__ import annotations

import asyncio
import hmac
from contextlib import asynccontextmanager
from dataclasses import dataclass
from importlib import resources
from typing import Any

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from ..graph.store import open_store
from ..queries.named import named_queries
from . import describe, protocol
from .execution import PoolSettings, QueryTimeout, WorkerPool
from .protocol import ProtocolError, negotiate, read_sparql_request, result_kind
from .sparql_text import read_sparql_text
from .worker import Job

STATIC = resources.files("citydiplo.server").joinpath("static")
# The query page and its assets come from this server only.
PAGE_POLICY = "default-src 'self'; frame-ancestors 'none'"


@dataclass(frozen=True)
class ServerSettings:
    """How `citydiplo serve` was started. `update_token` is None on a read-only server."""

    store_path: str
    timeout: float = 30.0
    max_rows: int = 100_000
    max_body: int = 1_000_000
    workers: int = 2
    update_token: str | None = None


def create_app(settings: ServerSettings) -> Starlette:
    """The ASGI application; its worker pool starts (and opens the store) on startup."""
    pool = WorkerPool(
        PoolSettings(
            store_path=settings.store_path,
            writable=settings.update_token is not None,
            max_rows=settings.max_rows,
            workers=1 if settings.update_token is not None else settings.workers,
            timeout=settings.timeout,
        )
    )
    statistics: dict[str, describe.DatasetStatistics] = {}

    @asynccontextmanager
    async def lifespan(app: Starlette):
        await pool.start()
        try:
            yield
        finally:
            await pool.close()

    async def dataset_statistics() -> describe.DatasetStatistics:
        if "current" not in statistics:
            statistics["current"] = await asyncio.to_thread(_count, settings.store_path)
        return statistics["current"]

    async def sparql(request: Request) -> Response:
        try:
            operation = await read_sparql_request(request, settings.max_body)
            if operation.operation is None:
                return await _describe_service(request, operation.format)
            job = _job(request, operation, settings)
        except ProtocolError as error:
            return _error(error.status, error.message)
        try:
            outcome = await pool.run(job)
        except QueryTimeout:
            return _error(
                503,
                f"The query ran longer than the server's limit of {settings.timeout:g} s "
                "(--timeout) and was stopped; narrow it or add a LIMIT.",
            )
        if job.operation == "update" and outcome.status < 300:
            statistics.clear()
        return Response(outcome.body, outcome.status, media_type=outcome.media_type)

    async def _describe_service(request: Request, format_name: str | None) -> Response:
        accept = request.headers.get("accept", "")
        if not format_name and _wants_html(accept):
            return FileResponse(
                str(STATIC.joinpath("query.html")), headers={"Content-Security-Policy": PAGE_POLICY}
            )
        media_type = negotiate("graph", accept, format_name)
        triples = describe.service_description(
            _endpoint(request),
            await dataset_statistics(),
            updates=settings.update_token is not None,
        )
        return Response(describe.serialize(triples, media_type), media_type=media_type)

    async def void(request: Request) -> Response:
        try:
            media_type = negotiate(
                "graph", request.headers.get("accept"), request.query_params.get("format")
            )
        except ProtocolError as error:
            return _error(error.status, error.message)
        base = str(request.url.replace(query="", fragment=""))
        triples = describe.void_description(base, _endpoint(request), await dataset_statistics())
        return Response(describe.serialize(triples, media_type), media_type=media_type)

    async def examples(request: Request) -> Response:
        return JSONResponse(
            [
                {
                    "name": query.name,
                    "description": query.description,
                    "parameters": [
                        {"name": p.name, "type": p.type, "description": p.description}
                        for p in query.parameters
                    ],
                    "query": query.text,
                }
                for query in named_queries().values()
            ]
        )

    async def home(request: Request) -> Response:
        return RedirectResponse("/sparql")

    return Starlette(
        routes=[
            Route("/", home),
            Route("/sparql", sparql, methods=["GET", "POST"]),
            Route("/void", void),
            Route("/.well-known/void", void),
            Route("/examples", examples),
            Mount("/static", StaticFiles(directory=str(STATIC)), name="static"),
        ],
        middleware=[
            Middleware(
                CORSMiddleware,
                allow_origins=["*"],
                allow_methods=["GET", "POST", "OPTIONS"],
                allow_headers=["Accept", "Authorization", "Content-Type"],
                max_age=3600,
            )
        ],
        lifespan=lifespan,
    )


def _job(request: Request, operation: protocol.SparqlRequest, settings: ServerSettings) -> Job:
    """The job a protocol request asks for, once it has passed the safety rules."""
    if operation.operation == "update":
        _authorise_update(request, settings)
    text = read_sparql_text(operation.text)
    if text.uses_service:
        raise ProtocolError(
            400,
            "SERVICE is refused: this endpoint makes no outbound requests, so it cannot "
            "query other endpoints; run the SERVICE part against that endpoint yourself.",
        )
    if text.uses_load:
        raise ProtocolError(400, "LOAD is refused: the endpoint reads no URLs and no local files.")
    media_type = None
    if operation.operation == "query" and text.form is not None:
        media_type = negotiate(
            result_kind(text.form), request.headers.get("accept"), operation.format
        )
    return Job(
        operation=operation.operation or "query",
        text=operation.text,
        default_graphs=operation.default_graphs,
        named_graphs=operation.named_graphs,
        uses_from=text.uses_from,
        media_type=media_type,
    )


def _authorise_update(request: Request, settings: ServerSettings) -> None:
    if settings.update_token is None:
        raise ProtocolError(
            403,
            "SPARQL Update is refused: this endpoint is read-only. Start it with "
            "--allow-update and CITYDIPLO_UPDATE_TOKEN set to accept updates.",
        )
    if request.method != "POST":
        raise ProtocolError(400, "SPARQL Update must be sent by POST.")
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), settings.update_token.encode()
    ):
        raise ProtocolError(
            401,
            "SPARQL Update needs the server's token: send `Authorization: Bearer <token>` "
            "with the value of CITYDIPLO_UPDATE_TOKEN the server was started with.",
        )


def _count(store_path: str) -> describe.DatasetStatistics:
    with open_store(store_path) as store:
        return describe.dataset_statistics(store)


def _endpoint(request: Request) -> str:
    return str(request.base_url) + "sparql"


def _wants_html(accept: str) -> bool:
    return "text/html" in accept.lower()


def _error(status: int, message: str) -> Response:
    headers: dict[str, Any] = {}
    if status == 401:
        headers["WWW-Authenticate"] = 'Bearer realm="citydiplo SPARQL Update"'
    return Response(message + "\n", status, media_type="text/plain; charset=utf-8", headers=headers)
