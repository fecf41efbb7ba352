"""The embedded store: a pyoxigraph (RocksDB) directory, with the rdflib API on top.

The store is the one source of truth. Each ingested source lives in a named graph of its
own; queries see the union of all graphs. Reading commands open the store read-only, which
leaves its files untouched and works while an ingest runs; a second writer is refused with a
clear message instead of corrupting anything.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, StoreError, StoreLocked
from . import vocab
from .remote_protocol import is_remote

DEFAULT_STORE_DIR = ".citydiplo"
STORE_ENV = "CITYDIPLO_STORE"


def resolve_store_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The store directory: the explicit one, else $CITYDIPLO_STORE, else ./.citydiplo."""
    return Path(explicit or os.environ.get(STORE_ENV) or DEFAULT_STORE_DIR)


_INTEGER_TYPES = {vocab.XSD + t for t in ("integer", "int", "long", "short", "nonNegativeInteger")}


def to_python(term: ox.NamedNode | ox.BlankNode | ox.Literal | None) -> Any:
    """An RDF term as a plain Python value: IRIs as str, numbers as int/float, others as text."""
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _INTEGER_TYPES:
            return int(term.value)
        if datatype == vocab.XSD + "decimal":
            return float(Decimal(term.value))
        if datatype in (vocab.XSD + "double", vocab.XSD + "float"):
            return float(term.value)
        if datatype == vocab.XSD + "boolean":
            return term.value == "true"
        return term.value
    return term.value


def to_term(value: Any) -> ox.NamedNode | ox.Literal:
    """A Python value as an RDF term for query parameters: 'http…' strings become IRIs."""
    if isinstance(value, ox.NamedNode | ox.Literal):
        return value
    if isinstance(value, bool):
        return ox.Literal(
            "true" if value else "false", datatype=ox.NamedNode(vocab.XSD + "boolean")
        )
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=vocab.XSD_INTEGER)
    if isinstance(value, str) and value.startswith(("http://", "https://")):
        return ox.NamedNode(value)
    return ox.Literal(str(value))


@dataclass(frozen=True)
class SourceVersion:
    """A source as the store records it: which graph holds it and the file it came from."""

    iri: str
    graph: str
    name: str
    sha256: str


class GraphStore:
    """A citydiplo store. Use `open_store` rather than constructing it directly."""

    def __init__(self, path: Path, store: ox.Store, writable: bool) -> None:
        self.path = path
        self.writable = writable
        self._store = store
        self._visible: list[ox.NamedNode] | None = None

    def visible_graphs(self) -> list[ox.NamedNode]:
        """The graphs queries see: the vocabulary and every committed source version.

        A source's data is bulk-loaded first and committed by writing its cd:Source
        description in one transaction; a graph without one is an interrupted ingest.
        """
        if self._visible is None:
            committed = self._store.query(
                "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a cd:Source } }",
                prefixes=vocab.PREFIXES,
            )
            self._visible = [ox.NamedNode(vocab.ONTOLOGY_GRAPH)] + sorted(
                (row["g"] for row in committed), key=lambda node: node.value
            )
        return self._visible

    # --- reading ------------------------------------------------------------------------
    def query(self, sparql: str, **params: Any) -> Any:
        """Run SPARQL over the union of all graphs; `params` bind variables (never spliced).

        As in SPARQL's SEP-0007, a bound variable must appear in the SELECT projection.
        """
        substitutions = {ox.Variable(name): to_term(value) for name, value in params.items()}
        graphs = self.visible_graphs()
        try:
            return self._store.query(
                sparql,
                prefixes=vocab.PREFIXES,
                default_graph=graphs,
                named_graphs=graphs,
                substitutions=substitutions or None,
            )
        except SyntaxError as error:
            raise QueryError(f"SPARQL syntax error: {error}") from error
        except (OSError, RuntimeError) as error:
            raise QueryError(f"SPARQL query failed: {error}") from error

    def select(self, sparql: str, **params: Any) -> list[dict[str, Any]]:
        """A SELECT query's rows as dicts of plain Python values."""
        solutions = self.query(sparql, **params)
        names = [variable.value for variable in solutions.variables]
        return [{name: to_python(row[name]) for name in names} for row in solutions]

    def ask(self, sparql: str, **params: Any) -> bool:
        return bool(self.query(sparql, **params))

    def __len__(self) -> int:
        """Statements in the visible graphs (a triple stated by two sources counts twice)."""
        rows = self.select("SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }")
        return rows[0]["n"]

    def quads(self) -> Iterator[ox.Quad]:
        for graph in self.visible_graphs():
            yield from self._store.quads_for_pattern(None, None, None, graph)

    def named_graphs(self) -> list[str]:
        return sorted(graph.value for graph in self._store.named_graphs())

    def source_versions(self) -> list[SourceVersion]:
        rows = self.select(
            """SELECT ?source ?graph ?name ?sha WHERE {
                 GRAPH ?graph { ?source a cd:Source ; schema:name ?name ; cd:sha256 ?sha }
               } ORDER BY ?name"""
        )
        return [SourceVersion(r["source"], r["graph"], r["name"], r["sha"]) for r in rows]

    def dump(self, output: Any, rdf_format: ox.RdfFormat, *, union: bool = False) -> None:
        """Serialise the store; `union` merges every graph into one (for triple formats)."""
        if union:
            triples = {quad.triple for quad in self.quads()}
            ox.serialize(sorted(triples, key=str), output, rdf_format, prefixes=vocab.PREFIXES)
        else:
            ox.serialize(self.quads(), output, rdf_format, prefixes=vocab.PREFIXES)

    def rdflib_dataset(self) -> Any:
        """The store as an `rdflib.Dataset` (through oxrdflib), for notebook users."""
        import rdflib
        from oxrdflib import OxigraphStore

        return rdflib.Dataset(store=OxigraphStore(store=self._store), default_union=True)

    # --- writing ------------------------------------------------------------------------
    def commit_graph(self, data: Iterable[ox.Quad], commit: Iterable[ox.Quad]) -> None:
        """Write a new graph: `data` by the fast bulk loader, then `commit` in one transaction.

        Until the commit quads (which must describe a cd:Source) are written, the graph is
        invisible; if the process dies before, `remove_uncommitted` deletes the remains.
        """
        self._require_writable()
        try:
            self._store.bulk_extend(data)
            self._store.extend(commit)
        except OSError as error:
            raise StoreError(f"writing to the store at {self.path} failed: {error}") from error
        self._visible = None

    def add_atomically(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction: after a crash either all of them are there or none."""
        self._require_writable()
        try:
            self._store.extend(quads)
        except OSError as error:
            raise StoreError(f"writing to the store at {self.path} failed: {error}") from error
        self._visible = None

    def remove_graph(self, graph: str) -> None:
        self._require_writable()
        self._store.remove_graph(ox.NamedNode(graph))
        self._visible = None

    def remove_uncommitted(self) -> int:
        """Delete graphs an interrupted ingest left behind; returns how many."""
        self._require_writable()
        visible = {graph.value for graph in self.visible_graphs()}
        orphans = [g for g in self._store.named_graphs() if g.value not in visible]
        for graph in orphans:
            self._store.remove_graph(graph)
        self._visible = None
        return len(orphans)

    def _require_writable(self) -> None:
        if not self.writable:
            raise StoreError(f"the store at {self.path} was opened read-only")

    def close(self) -> None:
        if self.writable:
            self._store.flush()
        del self._store


def _looks_like_store(path: Path) -> bool:
    return (path / "CURRENT").is_file()


# A read-only open races the writer's compactions, which delete the files it lists; trying
# again a moment later sees the new file set.
_READ_ONLY_ATTEMPTS = 5


def _open_raw(store_path: Path, writable: bool) -> ox.Store:
    for attempt in range(_READ_ONLY_ATTEMPTS):
        try:
            return ox.Store(str(store_path)) if writable else ox.Store.read_only(str(store_path))
        except OSError as error:
            if "lock" in str(error).casefold():
                raise StoreLocked(
                    f"the store at {store_path} is locked: another citydiplo process is writing "
                    "to it. Wait for that ingest to finish and try again."
                ) from error
            raise StoreError(f"cannot open the store at {store_path}: {error}") from error
        except RuntimeError as error:
            if writable or attempt == _READ_ONLY_ATTEMPTS - 1:
                raise StoreError(f"cannot open the store at {store_path}: {error}") from error
            time.sleep(0.05 * (attempt + 1))
    raise AssertionError("unreachable")


@contextmanager
def open_store(
    path: str | os.PathLike[str] | None = None, *, writable: bool = False
) -> Iterator[GraphStore]:
    """Open the store at `path` (see `resolve_store_path`).

    Read-only opening needs an existing store and never modifies its files. Writable opening
    creates the directory if needed and takes RocksDB's lock: a second writer gets
    `StoreLocked`. A `sparql+http(s)://` URL opens a remote SPARQL endpoint instead
    (`graph/remote.py`).
    """
    location = path or os.environ.get(STORE_ENV) or DEFAULT_STORE_DIR
    if is_remote(location):
        from .remote import open_remote_store

        with open_remote_store(str(location), writable=writable) as remote_store:
            yield remote_store
        return
    store_path = resolve_store_path(path)
    if not writable and not _looks_like_store(store_path):
        raise StoreError(
            f"no citydiplo store at {store_path}: run `citydiplo demo` or `citydiplo ingest …` "
            f"first, or point --store / ${STORE_ENV} at an existing store"
        )
    nonempty = store_path.exists() and any(store_path.iterdir())
    if writable and nonempty and not _looks_like_store(store_path):
        raise StoreError(
            f"{store_path} exists but is not a citydiplo store; choose another --store"
        )
    raw = _open_raw(store_path, writable)
    graph_store = GraphStore(store_path, raw, writable)
    if writable:
        graph_store.remove_uncommitted()
    try:
        yield graph_store
    finally:
        graph_store.close()
