"""`citydiplo serve`: the store as a SPARQL 1.1 endpoint (the library is `server/`)."""

from __future__ import annotations

import ipaddress
import os
import socket
from typing import Annotated

import typer
import uvicorn

from ..errors import CitydiploError
from ..graph.remote_protocol import is_remote
from ..graph.store import STORE_ENV, open_store, resolve_store_path
from ..server.app import ServerSettings, create_app
from .options import StoreOption, err

UPDATE_TOKEN_ENV = "CITYDIPLO_UPDATE_TOKEN"


def serve(
    store: StoreOption = None,
    host: Annotated[
        str, typer.Option(help="Address to listen on; other than loopback, others can reach it.")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 7878,
    timeout: Annotated[
        float, typer.Option(help="Seconds a query may run before it is stopped (503).")
    ] = 30.0,
    max_rows: Annotated[
        int,
        typer.Option(
            help="Most result rows (or triples) a query may return; more is refused (422)."
        ),
    ] = 100_000,
    max_body: Annotated[
        int, typer.Option(help="Largest request body or GET query string in bytes (413).")
    ] = 1_000_000,
    workers: Annotated[
        int,
        typer.Option(help="Query worker processes [default: CPUs, at most 4; 1 with updates]."),
    ] = 0,
    allow_update: Annotated[
        bool,
        typer.Option(
            "--allow-update",
            help=f"Accept SPARQL Update from clients sending `Authorization: Bearer "
            f"${UPDATE_TOKEN_ENV}` (the variable must be set).",
        ),
    ] = False,
) -> None:
    """Serve the store as a SPARQL 1.1 endpoint at http://HOST:PORT/sparql, read-only.

    Queries by GET or POST with results in SPARQL JSON, XML, CSV or TSV (SELECT, ASK) and
    Turtle, N-Triples, JSON-LD or RDF/XML (CONSTRUCT, DESCRIBE); a query page for browsers,
    the service description at /sparql and a VoID description at /void. SERVICE and LOAD
    are refused; updates only with --allow-update and the token.

    Example: citydiplo serve --store s --port 7878
    Example: curl -H 'Accept: text/csv' http://127.0.0.1:7878/sparql
    --data-urlencode 'query=SELECT * WHERE { ?s ?p ?o } LIMIT 3'
    """
    token = os.environ.get(UPDATE_TOKEN_ENV) if allow_update else None
    if allow_update and not token:
        raise CitydiploError(
            f"--allow-update needs a token: set {UPDATE_TOKEN_ENV} to a secret that clients "
            "send as `Authorization: Bearer <token>`."
        )
    if min(timeout, max_rows, max_body) <= 0:
        raise CitydiploError("--timeout, --max-rows and --max-body must be positive.")
    if is_remote(store or os.environ.get(STORE_ENV) or ""):
        raise CitydiploError(
            "citydiplo serve serves an embedded store directory; a sparql+http store is "
            "already a SPARQL endpoint, so query it directly."
        )
    store_path = resolve_store_path(store)
    # Opening it here reports a missing or locked store as one sentence before serving.
    with open_store(store_path, writable=allow_update):
        pass
    listener = _listen(host, port)
    if not _is_loopback(listener):
        err.print(
            f"Warning: listening on {host}, not loopback: anyone who can reach this machine "
            "can query the store.",
            markup=False,
            highlight=False,
        )
    settings = ServerSettings(
        store_path=str(store_path),
        timeout=timeout,
        max_rows=max_rows,
        max_body=max_body,
        workers=workers or min(os.cpu_count() or 1, 4),
        update_token=token,
    )
    mode = "updates allowed with the token" if token else "read-only"
    shown = f"[{host}]" if ":" in host else host
    print(f"SPARQL endpoint for {store_path} at http://{shown}:{port}/sparql ({mode})", flush=True)
    config = uvicorn.Config(create_app(settings), log_level="warning", access_log=False)
    uvicorn.Server(config).run(sockets=[listener])


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket, so a taken port is reported as one sentence."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        listener = socket.socket(family, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listener.bind((host, port))
        listener.listen(2048)
    except OSError as error:
        reason = error.strerror or error
        raise CitydiploError(f"cannot listen on {host}:{port}: {reason}.") from error
    return listener


def _is_loopback(listener: socket.socket) -> bool:
    return ipaddress.ip_address(listener.getsockname()[0]).is_loopback
