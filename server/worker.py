"""One worker process of the endpoint: it opens the store once and runs the jobs it is sent,
one at a time, answering each with the serialised result or an error.

Queries run in worker processes, not threads, because a pyoxigraph query cannot be
interrupted: the server enforces its timeout by killing the worker (see `execution.py`).
Results are serialised here, so the server process only moves bytes.
"""

from __future__ import annotations

import io
import os
import signal
from contextlib import ExitStack
from dataclasses import dataclass
from multiprocessing.connection import Connection

import pyoxigraph as ox

from ..errors import CitydiploError
from ..graph import vocab
from ..graph.store import GraphStore, open_store
from . import protocol


@dataclass(frozen=True)
class Job:
    """A query or update to run. `media_type` is the negotiated result format (None: the
    default of the result's kind); graphs None means the default dataset."""

    operation: str
    text: str
    default_graphs: tuple[str, ...] | None
    named_graphs: tuple[str, ...] | None
    uses_from: bool
    media_type: str | None


@dataclass(frozen=True)
class Outcome:
    """A job's answer: an HTTP status, the body and its media type."""

    status: int
    media_type: str
    body: bytes

    @classmethod
    def error(cls, status: int, message: str) -> Outcome:
        return cls(status, "text/plain; charset=utf-8", message.encode())


class RowCapExceeded(Exception):
    pass


def serve_jobs(connection: Connection, store_path: str, writable: bool, max_rows: int) -> None:
    """The worker's main loop: report "ready" (or why the store cannot be opened), then
    answer every Job received on `connection` until it closes."""
    # Ctrl-C goes to the whole process group; the server stops its workers itself.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    opened = ExitStack()
    try:
        runner = JobRunner(
            opened.enter_context(open_store(store_path, writable=writable)), max_rows
        )
    except CitydiploError as error:
        connection.send(str(error))
        return
    connection.send("ready")
    seen = _files_signature(store_path)
    with opened:
        while True:
            try:
                job = connection.recv()
            except EOFError:
                return
            if not writable and (current := _files_signature(store_path)) != seen:
                # A read-only open is a snapshot: an ingest has committed since; see it.
                reopened = ExitStack()
                try:
                    store = reopened.enter_context(open_store(store_path))
                except CitydiploError as error:
                    connection.send(Outcome.error(503, f"The store cannot be read: {error}"))
                    continue
                opened.close()
                opened, runner, seen = reopened, JobRunner(store, max_rows), current
            connection.send(runner.run(job))


def _files_signature(store_path: str) -> frozenset[tuple[str, int, int]]:
    """The store's files with their sizes and modification times, which every committed
    ingest changes. A few stat calls per job."""
    with os.scandir(store_path) as entries:
        return frozenset(
            (entry.name, entry.stat().st_size, entry.stat().st_mtime_ns)
            for entry in entries
            if entry.is_file()
        )


class JobRunner:
    """Runs jobs on one open store, over the endpoint's default dataset: the store's visible
    graphs, and with updates allowed its default graph too (where INSERT DATA writes)."""

    def __init__(self, store: GraphStore, max_rows: int) -> None:
        self._store = store
        # GraphStore offers no dataset argument; the endpoint needs the protocol's one.
        self._engine: ox.Store = store._store
        self._max_rows = max_rows

    def run(self, job: Job) -> Outcome:
        try:
            if job.operation == "update":
                return self._update(job)
            return self._query(job)
        except SyntaxError as error:
            return Outcome.error(400, f"The query is not valid SPARQL: {error}.")
        except RowCapExceeded as error:
            return Outcome.error(422, str(error))
        except (OSError, RuntimeError, ValueError) as error:
            return Outcome.error(500, f"The query failed: {error}.")

    def _dataset(self, job: Job) -> dict[str, list | None]:
        if job.default_graphs is None and job.named_graphs is None:
            if job.uses_from:
                return {"default_graph": None, "named_graphs": None}
            visible = self._store.visible_graphs()
            # Only updates through the endpoint write to the store's default graph; reading
            # it costs a read-only server a fifth of a typical query's time for nothing.
            default = [ox.DefaultGraph(), *visible] if self._store.writable else visible
            return {"default_graph": default, "named_graphs": visible}
        return {
            "default_graph": [ox.NamedNode(g) for g in job.default_graphs or ()],
            "named_graphs": [ox.NamedNode(g) for g in job.named_graphs or ()],
        }

    def _query(self, job: Job) -> Outcome:
        answer = self._engine.query(job.text, prefixes=vocab.PREFIXES, **self._dataset(job))
        if isinstance(answer, ox.QueryBoolean):
            media_type = job.media_type or protocol.SPARQL_JSON
            body = answer.serialize(format=protocol.RESULT_FORMATS[media_type])
            return Outcome(200, media_type, body)
        if isinstance(answer, ox.QuerySolutions):
            return self._solutions(answer, job.media_type or protocol.SPARQL_JSON)
        media_type = job.media_type or protocol.TURTLE
        triples = []
        for triple in answer:
            if len(triples) == self._max_rows:
                raise RowCapExceeded(_cap_message("triples", self._max_rows))
            triples.append(triple)
        rdf_format = protocol.GRAPH_FORMATS[media_type]
        body = ox.serialize(triples, format=rdf_format, prefixes=vocab.PREFIXES)
        return Outcome(200, media_type, body)

    def _solutions(self, answer: ox.QuerySolutions, media_type: str) -> Outcome:
        # TSV writes one line per solution (newlines inside literals are escaped), so
        # counting lines while pyoxigraph writes stops an oversized result early.
        tsv = _LineCappedBuffer(self._max_rows + 1)  # + the header line
        try:
            answer.serialize(tsv, format=ox.QueryResultsFormat.TSV)
        except RowCapExceeded:
            raise RowCapExceeded(_cap_message("rows", self._max_rows)) from None
        if media_type == protocol.TSV:
            return Outcome(200, media_type, tsv.getvalue())
        solutions = ox.parse_query_results(tsv.getvalue(), format=ox.QueryResultsFormat.TSV)
        body = solutions.serialize(format=protocol.RESULT_FORMATS[media_type])
        return Outcome(200, media_type, body)

    def _update(self, job: Job) -> Outcome:
        self._engine.update(job.text, prefixes=vocab.PREFIXES)
        # The visible graphs are cached per GraphStore; an update may have committed one.
        self._store = GraphStore(self._store.path, self._engine, self._store.writable)
        return Outcome(204, "text/plain; charset=utf-8", b"")


class _LineCappedBuffer(io.BytesIO):
    def __init__(self, max_lines: int) -> None:
        super().__init__()
        self._lines_left = max_lines

    def write(self, data: bytes) -> int:  # type: ignore[override]
        self._lines_left -= bytes(data).count(b"\n")
        if self._lines_left < 0:
            raise RowCapExceeded
        return super().write(data)


def _cap_message(what: str, max_rows: int) -> str:
    return (
        f"The result has more than {max_rows:,} {what}, the server's limit (--max-rows); "
        f"add a LIMIT (at most {max_rows:,}) or narrow the query."
    )
