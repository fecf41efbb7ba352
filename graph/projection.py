"""The RDF graph projected to networkx, each edge carrying the evidence of its relation.

Layers are chosen explicitly:

- ``twinning``: city – city, one edge per twinning (any kind);
- ``membership``: member – network (a bipartite city–network graph);
- ``contact``: city or association – federal body; a contact made through an intermediary
  (an association, or the programme that funds) becomes two edges: party – intermediary –
  body; a programme – the body it belongs to;
- ``tie``: owner – asset, investor – investee, participant – vendor, company – controller,
  asset – the city it is located in.

Nodes are IRIs with `name`, `type` and `country`; edges have `relation` (the relation node's
IRI), `layer`, `kind`, `since`, `until`, `status`, `source`, `row` and `citation`.

Projections are cached per store version (the set of committed source graphs, whose names
carry each source's checksum) and options: in memory for a notebook session, and on disk
(`$CITYDIPLO_CACHE`, default `~/.cache/citydiplo`) for the next command. The cache lives
outside the store, so reading commands still leave the store's files untouched.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import tempfile
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import networkx as nx

from . import vocab
from .store import GraphStore

LAYERS = ("twinning", "membership", "contact", "tie")

_ENTITY_CLASS_ORDER = ("Region", *vocab.ENTITY_CLASSES)

_NODES = """
SELECT ?entity ?class (SAMPLE(?label) AS ?name) (SAMPLE(?iso2) AS ?country) WHERE {
  ?entity a ?class .
  VALUES ?class { cd:City cd:Region cd:Country cd:CityNetwork cd:FederalBody cd:Programme
                  cd:Association cd:Organisation cd:Project cd:Asset }
  OPTIONAL { ?entity rdfs:label ?label }
  OPTIONAL { ?entity cd:country/cd:iso2 ?iso2 }
  OPTIONAL { ?entity cd:iso2 ?iso2 }
} GROUP BY ?entity ?class
"""

# Each layer: (a, b, relation, kind, since, until, status) rows; kind as its concept IRI or text.
_LAYER_QUERIES = {
    "twinning": """
SELECT DISTINCT ?a ?b ?relation ?kind ?since ?until ?status WHERE {
  ?relation a cd:Twinning ; cd:partner ?a, ?b ; cd:kind ?kind .
  FILTER (STR(?a) < STR(?b))
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?relation cd:since ?since } OPTIONAL { ?relation cd:until ?until }
}""",
    "membership": """
SELECT DISTINCT ?a ?b ?relation ?kind ?since ?until ?status WHERE {
  ?relation a cd:Membership ; org:member ?a ; org:organization ?b .
  BIND ("membership" AS ?kind)
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?relation cd:since ?since } OPTIONAL { ?relation cd:until ?until }
}""",
    "contact": """
SELECT DISTINCT ?a ?b ?relation ?kind ?since ?until ?status WHERE {
  ?relation a cd:Contact ; cd:contactKind ?kind ; cd:from ?party ; cd:to ?body .
  OPTIONAL { ?relation cd:via ?via }
  OPTIONAL { ?relation cd:programme ?programme FILTER (?programme != ?body) }
  BIND (COALESCE(?via, ?programme) AS ?intermediary)
  VALUES ?leg { 1 2 }
  BIND (IF(?leg = 1, ?party, ?intermediary) AS ?a)
  BIND (IF(?leg = 1, COALESCE(?intermediary, ?body), ?body) AS ?b)
  FILTER (BOUND(?a) && BOUND(?b))
  OPTIONAL { ?relation cd:since ?since } OPTIONAL { ?relation cd:until ?until }
}""",
    "tie": """
SELECT DISTINCT ?a ?b ?relation ?kind ?since ?until ?status WHERE {
  ?relation cd:tieKind ?kind .
  { ?relation cd:owner ?a ; cd:asset ?b } UNION { ?relation cd:investor ?a ; cd:investee ?b }
  UNION { ?relation cd:participant ?a ; cd:vendor ?b }
  UNION { ?relation cd:controlled ?a ; cd:controller ?b }
  OPTIONAL { ?relation cd:status ?status }
  OPTIONAL { ?relation cd:since ?since } OPTIONAL { ?relation cd:until ?until }
}""",
}

# Structure the registry and ties state about actors, without a relation node of their own.
_STRUCTURE = {
    "contact": ("org:subOrganizationOf", "part of"),
    "tie": ("cd:locatedIn", "located in"),
}

_EVIDENCE = """
SELECT ?relation (SAMPLE(?name) AS ?source) (MIN(?row) AS ?first_row)
       (SAMPLE(?cited) AS ?citation) WHERE {
  ?relation prov:wasDerivedFrom ?record .
  ?record cd:row ?row ; prov:hadPrimarySource/schema:name ?name .
  OPTIONAL { ?record cd:citation ?cited }
} GROUP BY ?relation
"""


@dataclass(frozen=True)
class ProjectionOptions:
    """What to project: which layers, as of which year, active relations only."""

    layers: tuple[str, ...] = LAYERS
    as_of: int | None = None
    active_only: bool = False


def _short(iri: Any) -> str | None:
    if iri is None:
        return None
    text = str(iri)
    for base in (
        vocab.KIND_SCHEME,
        vocab.CONTACT_KIND_SCHEME,
        vocab.TIE_KIND_SCHEME,
        vocab.STATUS_SCHEME,
    ):
        if text.startswith(base):
            return text.removeprefix(base)
    return text


def _year(value: Any) -> int | None:
    return int(str(value)[:4]) if value is not None else None


def _active_in(edge: dict[str, Any], year: int) -> bool:
    since, until = _year(edge.get("since")), _year(edge.get("until"))
    return (since is None or since <= year) and (until is None or until >= year)


CACHE_ENV = "CITYDIPLO_CACHE"
# Bumped whenever the projection's shape changes, so stale pickles are never read.
_CACHE_FORMAT = 1
_memory: dict[str, nx.MultiGraph] = {}


def cache_dir() -> Path:
    return Path(os.environ.get(CACHE_ENV) or Path.home() / ".cache" / "citydiplo")


def _cache_key(store: GraphStore, options: ProjectionOptions) -> str:
    version = sorted(graph.value for graph in store.visible_graphs())
    text = json.dumps([_CACHE_FORMAT, version, asdict(options)], sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()


def project(store: GraphStore, options: ProjectionOptions | None = None) -> nx.MultiGraph:
    """The chosen layers of the graph as a networkx MultiGraph (one edge per relation).

    Cached per store version and options (see the module docstring); callers must not modify
    the graph they get (take a copy to do so).

    Complexity: one SPARQL query per layer plus one for nodes and one for evidence; linear in
    the number of relations. A cached projection loads in a fraction of that.
    """
    options = options or ProjectionOptions()
    unknown = set(options.layers) - set(LAYERS)
    if unknown:
        raise ValueError(f"unknown layer(s) {sorted(unknown)}; layers are {', '.join(LAYERS)}")
    key = _cache_key(store, options)
    if key in _memory:
        return _memory[key]
    path = cache_dir() / f"projection-{key}.pickle"
    try:
        graph = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        graph = _project(store, options)
        _store_in_cache(path, graph)
    _memory[key] = graph
    return graph


def _store_in_cache(path: Path, graph: nx.MultiGraph) -> None:
    # Written to a temporary file and renamed, so a reader never sees half a pickle; a cache
    # that cannot be written (read-only home) only costs speed.
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False) as handle:
            pickle.dump(graph, handle, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(handle.name, path)
    except OSError:
        pass


def _project(store: GraphStore, options: ProjectionOptions) -> nx.MultiGraph:
    graph = nx.MultiGraph()
    _add_nodes(graph, store.select(_NODES))
    evidence = {row["relation"]: row for row in store.select(_EVIDENCE)}
    for layer in options.layers:
        rows = store.select(_LAYER_QUERIES[layer])
        if layer in _STRUCTURE:
            rows += _structure_rows(store, *_STRUCTURE[layer])
        for row in rows:
            edge = _edge(row, layer, evidence.get(row["relation"], {}))
            if options.as_of is not None and not _active_in(edge, options.as_of):
                continue
            if options.active_only and edge["status"] not in (None, "active"):
                continue
            for node in (row["a"], row["b"]):
                if node not in graph:
                    graph.add_node(node, name=node, type=None, country=None)
            graph.add_edge(row["a"], row["b"], key=f"{row['relation']}|{layer}", **edge)
    return graph


def _add_nodes(graph: nx.MultiGraph, rows: Iterable[dict[str, Any]]) -> None:
    for row in rows:
        class_name = row["class"].removeprefix(vocab.NS)
        current = graph.nodes.get(row["entity"])
        # Regions are typed City too: keep the most specific class.
        if current is not None and _ENTITY_CLASS_ORDER.index(
            current["type"]
        ) <= _ENTITY_CLASS_ORDER.index(class_name):
            continue
        graph.add_node(
            row["entity"],
            name=row["name"] or row["entity"],
            type=class_name,
            country=row["country"],
        )


def _structure_rows(store: GraphStore, prefixed: str, kind: str) -> list[dict[str, Any]]:
    # The predicate is one of two fixed vocabulary terms above, never text from data.
    rows = store.select(f"SELECT DISTINCT ?a ?b WHERE {{ ?a {prefixed} ?b }}")
    return [
        {
            **row,
            "relation": f"{row['a']}|{prefixed}|{row['b']}",
            "kind": kind,
            "since": None,
            "until": None,
            "status": None,
        }
        for row in rows
    ]


def _edge(row: dict[str, Any], layer: str, evidence: dict[str, Any]) -> dict[str, Any]:
    return {
        "relation": row["relation"],
        "layer": layer,
        "kind": _short(row["kind"]),
        "since": row.get("since"),
        "until": row.get("until"),
        "status": _short(row.get("status")),
        "source": evidence.get("source"),
        "row": evidence.get("first_row"),
        "citation": evidence.get("citation"),
    }


def simple(graph: nx.MultiGraph) -> nx.Graph:
    """One edge per pair of entities, for algorithms that count paths rather than relations.

    Of several relations between a pair, the evidence of the one with the smallest IRI is
    kept, so the answer does not depend on the order the store returned them in."""
    flat = nx.Graph()
    flat.add_nodes_from(graph.nodes(data=True))
    for a, b, data in graph.edges(data=True):
        if not flat.has_edge(a, b) or str(data.get("relation")) < str(flat[a][b].get("relation")):
            flat.add_edge(a, b, **data)
    return flat
