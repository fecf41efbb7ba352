"""The baseline: the same ingest and the same top-10 query, done the obvious way with rdflib.

Same work as `citydiplo.ingest.partnerships.ingest_partnerships` on a fresh store: the same
parser, the same place resolution, the very same statements (citydiplo's own quads, each
converted to rdflib terms), added to an in-memory `rdflib.Dataset` in the same named graphs,
then the same SPARQL text evaluated by rdflib over the union of the graphs.

Converting citydiplo's quads (rather than re-writing the graph builder with rdflib terms) is
what guarantees that both sides hold identical statements. The conversion memoises terms, as
an rdflib-native builder would create each IRI or literal once and reuse it; its cost is
reported as a phase of its own so a reader can discount it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from functools import cache
from pathlib import Path
from time import perf_counter
from typing import Any

import pyoxigraph as ox
import rdflib
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from citydiplo.graph import vocab
from citydiplo.graph.builder import SourceDescription
from citydiplo.graph.records import Place, ResolvedPlace
from citydiplo.graph.writer import ontology_quads, source_graph_quads, source_marker_quads
from citydiplo.ingest.partnerships import read_partnerships
from citydiplo.ingest.pipeline import default_source_name, parties_to_resolve
from citydiplo.ingest.places import PlaceResolver
from citydiplo.queries import twinnings

_XSD_STRING = vocab.XSD + "string"

RdflibTerm = rdflib.URIRef | rdflib.BNode | rdflib.Literal


@cache
def rdflib_term(term: ox.NamedNode | ox.BlankNode | ox.Literal) -> RdflibTerm:
    """The rdflib term equal to a pyoxigraph term (xsd:string literals stay simple literals)."""
    if isinstance(term, ox.NamedNode):
        return rdflib.URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return rdflib.BNode(term.value)
    if term.language:
        return rdflib.Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return rdflib.Literal(term.value)
    return rdflib.Literal(term.value, datatype=rdflib.URIRef(term.datatype.value))


class _Phases:
    """Wall time per named phase of one run, in the order the phases ran."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def run(self, phase: str, work: Callable[[], Any]) -> Any:
        start = perf_counter()
        result = work()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + perf_counter() - start
        return result


def ingest(source: Path) -> tuple[rdflib.Dataset, dict[str, float]]:
    """Ingest `source` into a new in-memory dataset; returns it and the seconds per phase."""
    phases = _Phases()
    parsed, checksum = phases.run("parse", lambda: read_partnerships(source))
    description = SourceDescription(
        name=default_source_name(source),
        file=str(source.resolve()),
        sha256=checksum,
        retrieved=date.today(),
        row_count=parsed.row_count,
        format=parsed.format,
    )

    places = parties_to_resolve(parsed)
    # A fresh store knows no entities, so citydiplo's resolver gets an empty index too.
    resolver = PlaceResolver(str(source), {})

    def resolve() -> dict[Place, ResolvedPlace]:
        return {place: resolver.resolve(place, row) for place, row in places.items()}

    resolved = phases.run("resolve", resolve)

    def build() -> list[ox.Quad]:
        data = source_graph_quads(description, parsed, resolved)
        return ontology_quads() + data.quads + source_marker_quads(description)

    quads = phases.run("build quads", build)
    dataset = rdflib.Dataset(default_union=True)
    converted = phases.run("convert to rdflib", lambda: list(_rdflib_quads(dataset, quads)))
    phases.run("add to Dataset", lambda: dataset.addN(converted))
    rdflib_term.cache_clear()
    return dataset, phases.seconds


def _rdflib_quads(
    dataset: rdflib.Dataset, quads: Iterable[ox.Quad]
) -> Iterable[tuple[RdflibTerm, RdflibTerm, RdflibTerm, rdflib.Graph]]:
    graphs: dict[ox.NamedNode, rdflib.Graph] = {}
    for quad in quads:
        graph = graphs.get(quad.graph_name)
        if graph is None:
            graph = graphs[quad.graph_name] = dataset.graph(rdflib_term(quad.graph_name))
        yield (
            rdflib_term(quad.subject),
            rdflib_term(quad.predicate),
            rdflib_term(quad.object),
            graph,
        )


def statement_count(dataset: rdflib.Dataset) -> int:
    """Statements over all named graphs (one stated in two graphs counts twice)."""
    named = (g for g in dataset.graphs() if g.identifier != DATASET_DEFAULT_GRAPH_ID)
    return sum(len(graph) for graph in named)


class RdflibGraphStore:
    """What citydiplo's queries need of a store (`select` with bound parameters), on rdflib.

    With it the baseline runs citydiplo's own `top_twinned` function, so both sides send the
    very same SPARQL texts with the same parameters.
    """

    def __init__(self, dataset: rdflib.Dataset) -> None:
        self.dataset = dataset

    def select(self, sparql: str, **params: Any) -> list[dict[str, Any]]:
        bindings = {
            name: rdflib.URIRef(value) if str(value).startswith("http") else rdflib.Literal(value)
            for name, value in params.items()
        }
        result = self.dataset.query(sparql, initNs=vocab.PREFIXES, initBindings=bindings)
        names = [str(name) for name in result.vars]
        rows = [{name: _plain(row[name]) for name in names} for row in result]
        # rdflib leaves a variable bound by initBindings out of the row; oxigraph projects it.
        return [{**{k: str(v) for k, v in bindings.items()}, **row} for row in rows]


def top_twinned(dataset: rdflib.Dataset, limit: int = 10) -> list[dict[str, Any]]:
    """citydiplo's `top_twinned`, its queries evaluated by rdflib."""
    return twinnings.top_twinned(RdflibGraphStore(dataset), limit)


def _plain(term: RdflibTerm | None) -> Any:
    if term is None:
        return None
    if isinstance(term, rdflib.Literal):
        return term.toPython()
    return str(term)
