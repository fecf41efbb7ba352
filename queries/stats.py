"""How big the graph is: entities per class, relations per kind, sources, network figures."""

from __future__ import annotations

from typing import Any

import networkx as nx

from ..graph import vocab
from ..graph.store import GraphStore


def twinning_pairs(store: GraphStore) -> set[frozenset[str]]:
    """Distinct unordered city pairs joined by at least one twinning of any kind."""
    rows = store.select("SELECT DISTINCT ?a ?b WHERE { ?a cd:twinnedWith ?b }")
    return {frozenset((row["a"], row["b"])) for row in rows}


def twinning_network(store: GraphStore) -> nx.Graph:
    graph = nx.Graph()
    graph.add_edges_from(tuple(pair) for pair in twinning_pairs(store))
    return graph


def network_figures(graph: nx.Graph) -> dict[str, int]:
    components = [len(c) for c in nx.connected_components(graph)]
    return {
        "nodes": graph.number_of_nodes(),
        "edges": graph.number_of_edges(),
        "components": len(components),
        "largest_component": max(components, default=0),
    }


def graph_stats(store: GraphStore) -> dict[str, Any]:
    """The figures `citydiplo stats` prints; the JSON keys are a stable contract.

    Returns
    -------
    dict with `triples` (statements in all graphs), `entities` (class → count), `relations`
    (class → count), `twinning_kinds` (kind → count), `sources`, and `network` (nodes, edges,
    components, largest_component of the twinning network).
    """
    counts = {
        row["class"].removeprefix(vocab.NS): row["n"]
        for row in store.select(
            """SELECT ?class (COUNT(DISTINCT ?entity) AS ?n) WHERE {
                 ?entity a ?class . FILTER STRSTARTS(STR(?class), STR(cd:))
               } GROUP BY ?class"""
        )
    }
    kinds = {
        row["kind"].removeprefix(vocab.KIND_SCHEME): row["n"]
        for row in store.select(
            """SELECT ?kind (COUNT(DISTINCT ?twinning) AS ?n) WHERE {
                 ?twinning a cd:Twinning ; cd:kind ?kind
               } GROUP BY ?kind"""
        )
    }
    return {
        "triples": len(store),
        "entities": {name: counts.get(name, 0) for name in vocab.ENTITY_CLASSES},
        "relations": {name: counts.get(name, 0) for name in vocab.RELATION_CLASSES},
        "twinning_kinds": {k.key: kinds.get(k.key, 0) for k in vocab.TWINNING_KINDS},
        "sources": counts.get("Source", 0),
        "network": network_figures(twinning_network(store)),
    }
