"""The path, centrality, brokers and exposure questions answered from Neo4j.

- paths: `shortestPath` / `allShortestPaths` in Cypher over the relationship types of the
  chosen layers; the hops' evidence from the relationships' properties. The k shortest paths,
  paths as of a year and the reason for no path come from the projection streamed out of
  Neo4j (below).
- centrality and brokers: the projection streamed out of Neo4j (one query for the nodes, one
  for the relationships of the chosen layers) into the same networkx / igraph code as the
  embedded store. GDS is not used: the test server cannot load it (see tests/neo4j-server).
- exposure: its queries are SPARQL over the n-ary relations, so the Neo4j graph is pulled
  into a temporary store and the same function runs there.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from typing import Any

import neo4j
import networkx as nx
import pyoxigraph as ox

from ..graph import vocab
from ..graph.projection import LAYERS, ProjectionOptions
from ..graph.store import open_store
from ..ingest.countries import fold
from ..queries.entities import EntityMatch
from ..queries.exposure import DEFAULT_WEIGHTS, Exposure, ExposureWeights, exposure_to
from ..queries.federal import Directions
from ..queries.paths import Hop, PathAnswer, hop, paths_between
from . import schema
from .connection import Neo4jSettings, run
from .pull import pull

_CLASS_ORDER = ("Region", *schema.ENTITY_LABELS)

_NODES = (
    f"MATCH (n:{schema.ENTITY}) OPTIONAL MATCH (n)-[:IN_COUNTRY]->(c) "
    "WITH n, min(c.iso2) AS located "
    "RETURN n.iri AS iri, n.label AS label, labels(n) AS labels, "
    "coalesce(located, n.iso2) AS country"
)
_EDGES = (
    f"MATCH (a:{schema.ENTITY})-[r]->(b:{schema.ENTITY}) WHERE r.layer IN $layers "
    "RETURN a.iri AS a, b.iri AS b, r {.*} AS r"
)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) else value


def _year(value: Any) -> int | None:
    return int(str(_first(value))[:4]) if value is not None else None


def _edge(props: dict[str, Any]) -> dict[str, Any]:
    return {
        "relation": props.get("iri") or props["id"],
        "layer": props["layer"],
        "kind": _first(props.get("kind")),
        "since": _first(props.get("since")),
        "until": _first(props.get("until")),
        "status": _first(props.get("status")),
        "source": props.get("source"),
        "row": props.get("row"),
        "citation": props.get("citation"),
    }


def project_from_neo4j(
    driver: neo4j.Driver, settings: Neo4jSettings, options: ProjectionOptions | None = None
) -> nx.MultiGraph:
    """The same networkx projection as `graph.projection.project`, read from Neo4j.

    Complexity: two queries, O(N + R) rows streamed.
    """
    options = options or ProjectionOptions()
    graph = nx.MultiGraph()
    for row in run(driver, settings, _NODES):
        classes = [c for c in _CLASS_ORDER if c in row["labels"]]
        graph.add_node(
            row["iri"],
            name=_first(row["label"]) or row["iri"],
            type=classes[0] if classes else None,
            country=row["country"],
        )
    rows = run(driver, settings, _EDGES, layers=list(options.layers))
    # In the projection's order: layer by layer, relations before the structure statements
    # (the first relation between two entities is the one `simple` keeps).
    rows.sort(
        key=lambda row: (
            options.layers.index(row["r"]["layer"]),
            row["r"].get("kind") in schema.STRUCTURE_KINDS.values(),
        )
    )
    for row in rows:
        edge = _edge(row["r"])
        if options.as_of is not None:
            since, until = _year(edge["since"]), _year(edge["until"])
            if (since is not None and since > options.as_of) or (
                until is not None and until < options.as_of
            ):
                continue
        if options.active_only and edge["status"] not in (None, "active"):
            continue
        graph.add_edge(row["a"], row["b"], key=f"{edge['relation']}|{edge['layer']}", **edge)
    return graph


def entity_index_from_neo4j(
    driver: neo4j.Driver, settings: Neo4jSettings
) -> dict[str, list[EntityMatch]]:
    """Folded name or variant → entities, as `queries.entities.entity_index`, from Neo4j."""
    index: dict[str, list[EntityMatch]] = {}
    rows = run(
        driver,
        settings,
        f"MATCH (n:{schema.ENTITY}) OPTIONAL MATCH (n)-[:IN_COUNTRY]->(c) "
        "RETURN n.iri AS iri, n.label AS label, n.alternateNames AS variants, "
        "labels(n) AS labels, min(c.iso2) AS country",
    )
    for row in rows:
        classes = [c for c in _CLASS_ORDER if c in row["labels"]]
        if not classes:
            continue
        for name in [*_as_list(row["label"]), *_as_list(row["variants"])]:
            match = EntityMatch(row["iri"], name, classes[0], row["country"])
            matches = index.setdefault(fold(name), [])
            if all(m.iri != match.iri for m in matches):
                matches.append(match)
    return index


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def channel_directions_from_neo4j(driver: neo4j.Driver, settings: Neo4jSettings) -> Directions:
    """Which way contacts, memberships and part-of statements lead, as `channel_directions`."""
    rows = run(
        driver,
        settings,
        "MATCH (a)-[r:CONTACT_OF|FUNDED_BY|MEMBER_OF]->(b) "
        "RETURN DISTINCT r.iri AS relation, coalesce(r.from, a.iri) AS tail, "
        "coalesce(r.to, b.iri) AS head",
    )
    parts = run(driver, settings, "MATCH (a)-[:PART_OF]->(b) RETURN a.iri AS tail, b.iri AS head")
    return Directions(
        {row["relation"]: (row["tail"], row["head"]) for row in rows},
        frozenset((row["tail"], row["head"]) for row in parts),
    )


def paths_in_neo4j(
    driver: neo4j.Driver,
    settings: Neo4jSettings,
    source: str,
    target: str,
    *,
    layers: Iterable[str] = LAYERS,
    all_shortest: bool = False,
    k: int = 1,
    max_hops: int | None = None,
    as_of: int | None = None,
) -> PathAnswer:
    """`queries.paths.paths_between`, with the shortest paths found by Cypher in Neo4j."""
    chosen = tuple(layers)
    types = "|".join(t for layer in chosen for t in schema.LAYER_TYPES[layer])
    # Cypher's shortest paths search breadth-first only without a predicate on the path's
    # relationships (with one, Neo4j may fall back to enumerating paths): an as-of year and
    # the k shortest paths go through the streamed projection.
    if k == 1 and types and as_of is None:
        function = "allShortestPaths" if all_shortest else "shortestPath"
        # Types come from the schema's whitelist; the ends, the year and the bound are
        # parameters. Cypher needs a literal upper bound: the whole graph's diameter fits.
        bound = max_hops if max_hops is not None else 10_000
        rows = run(
            driver,
            settings,
            f"MATCH (a:{schema.ENTITY} {{iri: $source}}), (b:{schema.ENTITY} {{iri: $target}}) "
            f"MATCH p = {function}((a)-[:{types}*..{int(bound)}]-(b)) "
            "RETURN [n IN nodes(p) | n.iri] AS nodes, [n IN nodes(p) | n.label] AS names",
            source=source,
            target=target,
        )
        if rows:
            paths = sorted({tuple(row["nodes"]) for row in rows})
            if not all_shortest:
                paths = paths[:1]
            names = {
                iri: _first(name) or iri
                for row in rows
                for iri, name in zip(row["nodes"], row["names"], strict=True)
            }
            return PathAnswer(
                True, [_hops(driver, settings, list(p), names, chosen) for p in paths]
            )
    graph = project_from_neo4j(driver, settings, ProjectionOptions(as_of=as_of))
    return paths_between(
        graph, source, target, layers=chosen, all_shortest=all_shortest, k=k, max_hops=max_hops
    )


def _hops(
    driver: neo4j.Driver,
    settings: Neo4jSettings,
    nodes: list[str],
    names: dict[str, str],
    layers: tuple[str, ...],
) -> list[Hop]:
    """Each hop with the first stated relation joining its two ends (as the embedded path)."""
    pairs = [{"a": a, "b": b} for a, b in zip(nodes, nodes[1:], strict=False)]
    rows = run(
        driver,
        settings,
        f"UNWIND $pairs AS pair MATCH (a:{schema.ENTITY} {{iri: pair.a}})-[r]-"
        f"(b:{schema.ENTITY} {{iri: pair.b}}) WHERE r.layer IN $layers "
        "RETURN pair.a AS a, pair.b AS b, r {.*} AS r",
        pairs=pairs,
        layers=list(layers),
    )
    candidates: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for row in rows:
        candidates.setdefault((row["a"], row["b"]), []).append(_edge(row["r"]))
    return [
        hop(names[pair["a"]], names[pair["b"]], candidates[(pair["a"], pair["b"])])
        for pair in pairs
    ]


def exposure_in_neo4j(
    driver: neo4j.Driver,
    settings: Neo4jSettings,
    country: str,
    *,
    city: str | None = None,
    cities_in: str | None = None,
    weights: ExposureWeights = DEFAULT_WEIGHTS,
) -> Exposure:
    """`queries.exposure.exposure_to` on the Neo4j graph, pulled into a temporary store."""
    with tempfile.TemporaryDirectory(prefix="citydiplo-neo4j-") as folder:
        with open_store(folder, writable=True) as store:
            pull(store, driver, settings)
            # Exposure names each channel's datasets from the cd:Source descriptions, which a
            # pull leaves out (see pull.py); this throw-away store gets them back.
            graph = store.visible_graphs()[-1]
            rows = run(driver, settings, f"MATCH (s:{schema.SOURCE}) RETURN s.iri AS iri")
            source = vocab.CLASS["Source"]
            store.add_atomically(
                ox.Quad(ox.NamedNode(row["iri"]), vocab.TYPE, source, graph) for row in rows
            )
        with open_store(folder) as store:
            return exposure_to(store, country, city=city, cities_in=cities_in, weights=weights)
