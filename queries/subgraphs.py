"""The part of a projection a network view draws: the whole network, a city's neighbourhood,
the shortest paths between two entities, a city's channels to a country, and the network of
countries. Each is a plain function of a projection returning a networkx MultiGraph whose
nodes and edges keep the projection's attributes, so a view draws exactly what it returns
and a test can count it."""

from __future__ import annotations

from collections.abc import Hashable
from itertools import islice
from typing import Any

import networkx as nx

from ..errors import QueryError
from ..graph import vocab
from .centrality import centrality, relation_network
from .exposure import CityExposure
from .paths import explained_paths

# More shortest paths than this between two entities is a hairball, not an explanation.
MAX_PATHS = 50


def _year(value: Any) -> int | None:
    return int(str(value)[:4]) if value is not None else None


def with_country(graph: nx.MultiGraph, country: str | None) -> nx.MultiGraph:
    """The relations of `graph` with at least one party in `country` (ISO 3166-1 alpha-2);
    the graph itself when `country` is None.

    Notes
    -----
    One pass over the edges, O(E); a read-only view sharing the graph's data.
    """
    if country is None:
        return graph
    if not (len(country) == 2 and country.isalpha()):
        raise QueryError(
            f"a country is given by its two-letter ISO code such as DE, not {country!r}"
        )
    code = country.upper()
    nodes = graph.nodes
    return graph.edge_subgraph(
        (a, b, key)
        for a, b, key in graph.edges(keys=True)
        if nodes[a].get("country") == code or nodes[b].get("country") == code
    )


def whole(graph: nx.MultiGraph) -> nx.MultiGraph:
    """Every entity with a relation, and every relation.

    Examples
    --------
    >>> g = nx.MultiGraph([(1, 2)]); g.add_node(3)
    >>> sorted(whole(g))
    [1, 2]
    """
    return graph.edge_subgraph(graph.edges(keys=True))


def ego(graph: nx.MultiGraph, center: Hashable, hops: int) -> nx.MultiGraph:
    """The entities at most `hops` relations away from `center`, and every relation among
    them.

    Raises
    ------
    QueryError : `center` has no relation in the graph, or `hops` < 1.

    Notes
    -----
    Breadth-first search, O(V + E) of the neighbourhood.
    """
    if hops < 1:
        raise QueryError(f"--hops must be at least 1, not {hops}")
    if center not in graph or graph.degree(center) == 0:
        name = graph.nodes[center]["name"] if center in graph else center
        raise QueryError(f"{name} has no relation in the layers, year and country chosen")
    reached = nx.single_source_shortest_path_length(graph, center, cutoff=hops)
    return graph.subgraph(reached)


def shortest_paths(graph: nx.MultiGraph, source: Hashable, target: Hashable) -> nx.MultiGraph:
    """Every shortest path from `source` to `target` (at most MAX_PATHS of them) with every
    relation joining consecutive entities on them.

    Raises
    ------
    QueryError : there is no path; the message says why (as `citydiplo path` does).

    Notes
    -----
    Breadth-first search, O(V + E), then O(P L) for P paths of length L.
    """
    answer = explained_paths(graph, source, target)
    if not answer.found:
        raise QueryError(f"no path to draw: {answer.reason}")
    paths = list(islice(nx.all_shortest_paths(graph, source, target), MAX_PATHS))
    pairs = {frozenset(pair) for path in paths for pair in zip(path, path[1:], strict=False)}
    return graph.edge_subgraph(
        (a, b, key) for a, b, key in graph.edges(keys=True) if frozenset((a, b)) in pairs
    )


def channels(graph: nx.MultiGraph, exposure: CityExposure, country_iri: str) -> nx.MultiGraph:
    """A city's channels to a country as a graph: the relation of each channel, the
    `located in` ties that join its party to the city, and the control ties that lead from
    the actor to the state.

    Parameters
    ----------
    graph : a projection with every layer.
    exposure : the city's answer from `queries.exposure.exposure_to(..., city=...)`.
    country_iri : the country's IRI (`graph.vocab.country_iri`).

    Notes
    -----
    One pass over the edges to index relations, O(E), then a shortest path per channel in
    the `located in` and control ties.
    """
    by_relation: dict[str, list[tuple[Any, Any, str]]] = {}
    for a, b, key, relation in graph.edges(keys=True, data="relation"):
        by_relation.setdefault(relation, []).append((a, b, key))
    located = _of_kind(graph, "located in")
    control = _of_kind(graph, "control")
    kept: set[tuple[Any, Any, str]] = set()
    for channel in exposure.channels:
        found = by_relation.get(channel.relation, [])
        kept.update(found)
        for party in {node for edge in found for node in edge[:2]} - {exposure.iri}:
            kept |= _path_edges(located, party, exposure.iri)
        kept |= _path_edges(control, channel.via_iri, country_iri)
    if not kept:
        return graph.subgraph([exposure.iri] if exposure.iri in graph else [])
    return graph.edge_subgraph(kept)


def _of_kind(graph: nx.MultiGraph, kind: str) -> nx.MultiGraph:
    return graph.edge_subgraph(
        (a, b, key) for a, b, key, value in graph.edges(keys=True, data="kind") if value == kind
    )


def _path_edges(graph: nx.MultiGraph, source: Any, target: Any) -> set[tuple[Any, Any, str]]:
    """The edges of one shortest path from `source` to `target`; none if there is none."""
    if source not in graph or target not in graph or not nx.has_path(graph, source, target):
        return set()
    path = nx.shortest_path(graph, source, target)
    return {(a, b, key) for a, b in zip(path, path[1:], strict=False) for key in graph[a][b]}


def countries(graph: nx.MultiGraph) -> nx.MultiGraph:
    """The network of countries: one node per country whose entities have a relation abroad,
    one edge per pair of countries and kind of relation.

    An edge carries `relations` (how many relations of that kind join the two countries'
    entities), `layer`, `kind`, `since` (the earliest year), `until` (the latest, None if one
    is open), `status` ("active" if one is) and `source` (the datasets, sorted). Relations
    inside one country, and entities without a country (networks, programmes), are left out.

    Notes
    -----
    One pass over the edges, O(E).
    """
    names = {
        data["country"]: (node, data.get("name"))
        for node, data in graph.nodes(data=True)
        if data.get("type") == "Country" and data.get("country")
    }
    nodes = graph.nodes
    pairs: dict[tuple[str, str, str, str], list[dict[str, Any]]] = {}
    for a, b, data in graph.edges(data=True):
        ca, cb = nodes[a].get("country"), nodes[b].get("country")
        if not ca or not cb or ca == cb:
            continue
        low, high = sorted((ca, cb))
        pairs.setdefault((low, high, data["layer"], data["kind"]), []).append(data)
    network = nx.MultiGraph()
    for low, high, layer, kind in sorted(pairs, key=lambda key: tuple(map(str, key))):
        group = pairs[(low, high, layer, kind)]
        for code in (low, high):
            if code not in network:
                iri, name = names.get(code, (vocab.country_iri(code).value, None))
                network.add_node(code, name=name or code, type="Country", country=code, iri=iri)
        sinces = [_year(d["since"]) for d in group]
        untils = [_year(d["until"]) for d in group]
        network.add_edge(
            low,
            high,
            key=f"{layer}|{kind}",
            relation=None,
            layer=layer,
            kind=kind,
            since=min((y for y in sinces if y is not None), default=None)
            if all(y is not None for y in sinces)
            else None,
            until=None if None in untils else max(untils),
            status="active" if any(d["status"] in (None, "active") for d in group) else "ended",
            source="; ".join(sorted({d["source"] for d in group if d["source"]})) or None,
            row=None,
            citation=None,
            relations=len(group),
        )
    return network


def node_values(graph: nx.MultiGraph, metric: str) -> dict[Hashable, float]:
    """`metric` (one of queries.centrality.METRICS) for every entity with a relation in
    `graph`, 0 for the others."""
    values = dict.fromkeys(graph, 0.0)
    network = relation_network(graph)
    if network.number_of_nodes():
        values.update(centrality(network, metric))
    return values
