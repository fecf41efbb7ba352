"""What the endpoint says about itself and its data: the SPARQL 1.1 Service Description
(https://www.w3.org/TR/sparql11-service-description/) at the endpoint URL, and a VoID
description (https://www.w3.org/TR/void/) of the dataset with one subset per source.

The statistics are counted once over the store's visible graphs, like every query.
"""

from __future__ import annotations

from dataclasses import dataclass

import pyoxigraph as ox

from ..graph import vocab
from ..graph.store import GraphStore
from . import protocol

SD = "http://www.w3.org/ns/sparql-service-description#"
VOID = "http://rdfs.org/ns/void#"
DCTERMS = "http://purl.org/dc/terms/"
FORMATS = "http://www.w3.org/ns/formats/"
PREFIXES = {
    "sd": SD,
    "void": VOID,
    "dcterms": DCTERMS,
    "formats": FORMATS,
    "rdf": vocab.RDF,
    "xsd": vocab.XSD,
    "cd": vocab.NS,
}

_FORMAT_IRIS = {
    protocol.SPARQL_JSON: "SPARQL_Results_JSON",
    protocol.SPARQL_XML: "SPARQL_Results_XML",
    protocol.CSV: "SPARQL_Results_CSV",
    protocol.TSV: "SPARQL_Results_TSV",
    protocol.TURTLE: "Turtle",
    protocol.N_TRIPLES: "N-Triples",
    protocol.JSON_LD: "JSON-LD",
    protocol.RDF_XML: "RDF_XML",
}


@dataclass(frozen=True)
class SourceSubset:
    name: str
    source: str
    graph: str
    triples: int


@dataclass(frozen=True)
class DatasetStatistics:
    """Counts over the visible graphs. `triples` counts statements: a triple two sources
    state is counted twice, as in `GraphStore.__len__`."""

    triples: int
    entities: int
    properties: int
    classes: dict[str, int]
    sources: list[SourceSubset]


def dataset_statistics(store: GraphStore) -> DatasetStatistics:
    """Count the dataset's statements, typed entities, properties, instances per class and
    statements per source. Cost: a few scans of the store, about a second for 400k triples."""
    per_graph = {
        row["g"]: row["n"]
        for row in store.select(
            "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"
        )
    }
    entities = store.select(
        "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class FILTER isIRI(?s) }"
    )[0]["n"]
    properties = store.select("SELECT (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s ?p ?o }")[0]["n"]
    classes = {
        row["class"]: row["n"]
        for row in store.select(
            "SELECT ?class (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?class } "
            "GROUP BY ?class ORDER BY DESC(?n) ?class"
        )
    }
    sources = [
        SourceSubset(v.name, v.iri, v.graph, per_graph.get(v.graph, 0))
        for v in store.source_versions()
    ]
    return DatasetStatistics(sum(per_graph.values()), entities, properties, classes, sources)


def service_description(
    endpoint: str, statistics: DatasetStatistics, *, updates: bool
) -> list[ox.Triple]:
    """The endpoint as an sd:Service: languages, result formats, and its default dataset
    (the union of the source graphs, each also a named graph)."""
    service = ox.NamedNode(endpoint)
    dataset, default = ox.BlankNode(), ox.BlankNode()
    triples = [
        _t(service, vocab.RDF + "type", ox.NamedNode(SD + "Service")),
        _t(service, SD + "endpoint", service),
        _t(service, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Query")),
        _t(service, SD + "feature", ox.NamedNode(SD + "UnionDefaultGraph")),
        _t(service, DCTERMS + "title", ox.Literal("citydiplo SPARQL endpoint")),
        _t(service, SD + "defaultDataset", dataset),
        _t(dataset, vocab.RDF + "type", ox.NamedNode(SD + "Dataset")),
        _t(dataset, SD + "defaultGraph", default),
        _t(default, vocab.RDF + "type", ox.NamedNode(SD + "Graph")),
        _t(default, VOID + "triples", _integer(statistics.triples)),
    ]
    if updates:
        triples.append(_t(service, SD + "supportedLanguage", ox.NamedNode(SD + "SPARQL11Update")))
    for name in _FORMAT_IRIS.values():
        triples.append(_t(service, SD + "resultFormat", ox.NamedNode(FORMATS + name)))
    for subset in statistics.sources:
        named, graph = ox.BlankNode(), ox.BlankNode()
        triples += [
            _t(dataset, SD + "namedGraph", named),
            _t(named, SD + "name", ox.NamedNode(subset.graph)),
            _t(named, SD + "graph", graph),
            _t(graph, vocab.RDF + "type", ox.NamedNode(SD + "Graph")),
            _t(graph, VOID + "triples", _integer(subset.triples)),
        ]
    return triples


def void_description(base: str, endpoint: str, statistics: DatasetStatistics) -> list[ox.Triple]:
    """The dataset as a void:Dataset with its counts, one class partition per class and one
    subset per ingested source (`base` is the IRI of the VoID document)."""
    dataset = ox.NamedNode(base + "#dataset")
    triples = [
        _t(dataset, vocab.RDF + "type", ox.NamedNode(VOID + "Dataset")),
        _t(dataset, DCTERMS + "title", ox.Literal("citydiplo city diplomacy graph")),
        _t(dataset, VOID + "sparqlEndpoint", ox.NamedNode(endpoint)),
        _t(dataset, VOID + "uriSpace", ox.Literal(vocab.ID)),
        _t(dataset, VOID + "vocabulary", ox.NamedNode(vocab.NS)),
        _t(dataset, VOID + "triples", _integer(statistics.triples)),
        _t(dataset, VOID + "entities", _integer(statistics.entities)),
        _t(dataset, VOID + "properties", _integer(statistics.properties)),
        _t(dataset, VOID + "classes", _integer(len(statistics.classes))),
    ]
    for class_iri, count in statistics.classes.items():
        partition = ox.BlankNode()
        triples += [
            _t(dataset, VOID + "classPartition", partition),
            _t(partition, VOID + "class", ox.NamedNode(class_iri)),
            _t(partition, VOID + "entities", _integer(count)),
        ]
    for subset in statistics.sources:
        node = ox.NamedNode(subset.graph)
        triples += [
            _t(dataset, VOID + "subset", node),
            _t(node, vocab.RDF + "type", ox.NamedNode(VOID + "Dataset")),
            _t(node, DCTERMS + "title", ox.Literal(subset.name)),
            _t(node, DCTERMS + "source", ox.NamedNode(subset.source)),
            _t(node, VOID + "triples", _integer(subset.triples)),
            _t(node, VOID + "sparqlEndpoint", ox.NamedNode(endpoint)),
        ]
    return triples


def serialize(triples: list[ox.Triple], media_type: str) -> bytes:
    return ox.serialize(triples, format=protocol.GRAPH_FORMATS[media_type], prefixes=PREFIXES)


def _t(subject: ox.NamedNode | ox.BlankNode, predicate: str, obj: object) -> ox.Triple:
    return ox.Triple(subject, ox.NamedNode(predicate), obj)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=vocab.XSD_INTEGER)
