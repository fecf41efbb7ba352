"""A store kept in a remote SPARQL 1.1 endpoint (Fuseki, the Oxigraph server, GraphDB, …).

`--store sparql+http://host:port/path` (see `remote_protocol` for the URL) makes every
command use the endpoint instead of the embedded directory. The layout is the embedded
store's: one named graph per source version, made visible by its cd:Source marker, and
queries see only the vocabulary and the committed graphs (passed as the request's dataset).

What a server gives us is one atomic SPARQL Update request, not a transaction over several:

- a source's data goes into its own new graph in chunks of INSERT DATA, invisible to
  queries; the marker is then inserted by one conditional request that first checks every
  data triple arrived, so a source becomes visible whole or not at all;
- there is no lock: opening for writing removes the uncommitted citydiplo graphs it finds,
  which may be a concurrent ingest's; that ingest then refuses to commit (its graph is
  incomplete) and says so. Run one ingest at a time per remote store.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

import pyoxigraph as ox

from ..errors import QueryError, StoreError
from . import vocab
from .remote_protocol import (
    SparqlEndpoint,
    bind_values,
    credentials,
    parse_store_url,
    prefix_lines,
    quad_block,
)
from .store import GraphStore, to_term

# Quads per INSERT DATA request: ~1.5 MB of text, well inside both servers' request limits,
# and large enough that the HTTP round trips cost little next to the server's own work.
INSERT_CHUNK = 10_000
_SOURCE_GRAPHS = f"{vocab.ID}graph/"


class RemoteGraphStore(GraphStore):
    """A citydiplo store behind a SPARQL endpoint. Use `open_store("sparql+http://…")`.

    Reads go to the query endpoint with the visible graphs as the dataset; writes go to the
    update endpoint, if there is one. `path` is the store URL without its options, for
    messages.
    """

    def __init__(self, endpoint: SparqlEndpoint, writable: bool) -> None:
        self.endpoint = endpoint
        self.path = endpoint.address.display  # type: ignore[assignment]
        self.writable = writable
        self._visible: list[ox.NamedNode] | None = None

    def visible_graphs(self) -> list[ox.NamedNode]:
        if self._visible is None:
            committed = self.endpoint.query(
                prefix_lines(vocab.PREFIXES)
                + "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s a cd:Source } }"
            )
            self._visible = [ox.NamedNode(vocab.ONTOLOGY_GRAPH)] + sorted(
                (row["g"] for row in committed), key=lambda node: node.value
            )
        return self._visible

    # --- reading ------------------------------------------------------------------------
    def query(self, sparql: str, **params: Any) -> Any:
        """Run SPARQL over the visible graphs; `params` bind variables (never spliced).

        The values are bound by a VALUES block first in the WHERE group (`bind_values`); as
        with the embedded store, a bound variable must appear in the SELECT projection.
        """
        try:
            terms = {name: to_term(value) for name, value in params.items()}
        except ValueError as error:
            raise QueryError(f"cannot bind the query's parameters: {error}") from error
        text = prefix_lines(vocab.PREFIXES) + (bind_values(sparql, terms) if terms else sparql)
        return self.endpoint.query(text, [graph.value for graph in self.visible_graphs()])

    def quads(self) -> Iterator[ox.Quad]:
        for graph in self.visible_graphs():
            for triple in self.endpoint.construct("CONSTRUCT WHERE { ?s ?p ?o }", [graph.value]):
                yield ox.Quad(triple.subject, triple.predicate, triple.object, graph)

    def named_graphs(self) -> list[str]:
        rows = self.endpoint.query("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }")
        return sorted(row["g"].value for row in rows)

    def rdflib_dataset(self) -> Any:
        """The endpoint as an `rdflib.Dataset` through rdflib's SPARQL(Update)Store.

        It sees the endpoint as the server presents it: every graph, committed or not.
        """
        import rdflib
        from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore

        address = self.endpoint.address
        login = {"auth": self.endpoint.auth} if self.endpoint.auth else {}
        if self.writable:
            store: SPARQLStore = SPARQLUpdateStore(address.query, address.update, **login)
        else:
            store = SPARQLStore(address.query, **login)
        return rdflib.Dataset(store=store, default_union=True)

    # --- writing ------------------------------------------------------------------------
    def commit_graph(self, data: Iterable[ox.Quad], commit: Iterable[ox.Quad]) -> None:
        """Write a new graph: `data` in chunks, then `commit` if, and only if, all data is there.

        The commit request counts the graph's triples and inserts the marker only when the
        count is complete; a graph removed or cut short meanwhile (see the module docstring)
        is refused with a StoreError, and the next writable open removes its remains.
        """
        self._require_writable()
        marker = list(commit)
        graph = marker[0].graph_name
        unique = list(dict.fromkeys(data))
        for start in range(0, len(unique), INSERT_CHUNK):
            chunk = unique[start : start + INSERT_CHUNK]
            self.endpoint.update(f"INSERT DATA {{\n{quad_block(chunk)}\n}}")
        expected = sum(1 for quad in unique if quad.graph_name == graph)
        count = ox.Literal(str(expected), datatype=vocab.XSD_INTEGER)
        self.endpoint.update(
            f"INSERT {{\n{quad_block(marker)}\n}}\nWHERE {{\n"
            f"  {{ SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {graph} {{ ?s ?p ?o }} }} }}\n"
            f"  FILTER (?n = {count})\n}}"
        )
        self._visible = None
        if not self.endpoint.query(f"ASK {{\n{quad_block(marker)}\n}}"):
            raise StoreError(
                f"the graph {graph.value} in {self.path} was changed while it was being written "
                "(by another citydiplo process writing to the same store?), so it was not "
                "committed: ingest the file again"
            )

    def add_atomically(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one SPARQL Update request, which the server applies all or nothing."""
        self._require_writable()
        self.endpoint.update(f"INSERT DATA {{\n{quad_block(quads)}\n}}")
        self._visible = None

    def remove_graph(self, graph: str) -> None:
        self._require_writable()
        self.endpoint.update(f"DROP SILENT GRAPH {ox.NamedNode(graph)}")
        self._visible = None

    def remove_uncommitted(self) -> int:
        """Drop the citydiplo source graphs without a marker; other graphs are left alone."""
        self._require_writable()
        visible = {graph.value for graph in self.visible_graphs()}
        orphans = [
            graph
            for graph in self.named_graphs()
            if graph.startswith(_SOURCE_GRAPHS) and graph not in visible
        ]
        if orphans:
            self.endpoint.update(
                " ;\n".join(f"DROP SILENT GRAPH {ox.NamedNode(graph)}" for graph in orphans)
            )
        self._visible = None
        return len(orphans)

    def close(self) -> None:
        self.endpoint.close()


@contextmanager
def open_remote_store(location: str, *, writable: bool = False) -> Iterator[RemoteGraphStore]:
    """Open the store at a `sparql+http(s)://` URL (see `remote_protocol`).

    Reading needs at least one committed source there; writing needs an update endpoint.
    """
    address = parse_store_url(location)
    if writable and address.update is None:
        raise StoreError(
            f"the store {address.display} is read-only: name its update endpoint with "
            "#update=URL at the end of --store (e.g. #update=update) or in "
            "$CITYDIPLO_UPDATE_ENDPOINT to write to it"
        )
    store = RemoteGraphStore(SparqlEndpoint(address, credentials()), writable)
    try:
        if writable:
            store.remove_uncommitted()
        elif len(store.visible_graphs()) == 1:
            raise StoreError(
                f"no citydiplo sources at {address.display}: ingest into it first "
                "(citydiplo demo or citydiplo ingest … with --store URL#update=…)"
            )
        yield store
    finally:
        store.close()
