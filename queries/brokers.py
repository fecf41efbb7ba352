"""Who holds the network together: cut vertices and bridges ranked by how many entities they
separate, layer by layer, and the intermediaries cities need to reach the federal level."""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from typing import Any

import networkx as nx

from ..graph.projection import LAYERS, simple
from .federal import Directions, channel_graph, sole_federal_channels
from .paths import layer_view


def separated_by_removal(graph: nx.Graph) -> dict[Hashable, int]:
    """For each articulation point: how many entities lose their connection to the rest of
    its component when it is removed (everyone outside the largest remaining piece).

    Notes
    -----
    One iterative depth-first search with low-links and subtree sizes (Hopcroft & Tarjan
    1973), O(V + E), instead of removing each vertex and recounting components.
    """
    separated: dict[Hashable, int] = {}
    discovery: dict[Hashable, int] = {}
    low: dict[Hashable, int] = {}
    size: dict[Hashable, int] = {}
    for root in graph:
        if root in discovery:
            continue
        first = len(discovery)
        discovery[root] = low[root] = first
        size[root] = 1
        # The subtrees each vertex would cut off: sizes of children c with low[c] >= disc[v].
        cut_off: dict[Hashable, list[int]] = {}
        stack = [(root, None, iter(graph[root]))]
        while stack:
            node, parent, neighbours = stack[-1]
            child = next((n for n in neighbours if n not in discovery or n != parent), None)
            if child is not None and child not in discovery:
                discovery[child] = low[child] = len(discovery)
                size[child] = 1
                stack.append((child, node, iter(graph[child])))
                continue
            if child is not None:
                low[node] = min(low[node], discovery[child])
                continue
            stack.pop()
            if parent is not None:
                size[parent] += size[node]
                low[parent] = min(low[parent], low[node])
                if low[node] >= discovery[parent]:
                    cut_off.setdefault(parent, []).append(size[node])
        component = len(discovery) - first
        for vertex, pieces in cut_off.items():
            rest = component - 1 - sum(pieces)
            parts = pieces + ([rest] if rest else [])
            if len(parts) >= 2:
                separated[vertex] = component - 1 - max(parts)
    return separated


def bridges_separation(graph: nx.Graph) -> dict[tuple[Hashable, Hashable], int]:
    """For each bridge: how many entities are on its smaller side, cut off when it goes.

    Returns
    -------
    dict (a, b) → count, where `b` is on the smaller side (equal sides: a, b in IRI order,
    so the answer does not depend on the order the graph was built in).

    Examples
    --------
    >>> bridges_separation(nx.path_graph(4))
    {(1, 0): 1, (1, 2): 2, (2, 3): 1}

    Notes
    -----
    Bridges by chain decomposition (Schmidt 2013, `networkx.bridges`), then one depth-first
    tree per component with subtree sizes: a bridge is always a tree edge, and the side of its
    child holds exactly the child's subtree. O(V + E) in all.

    References
    ----------
    J. M. Schmidt, "A simple test on 2-vertex- and 2-edge-connectivity", Information
    Processing Letters 113 (2013) 241–244.
    """
    bridges = list(nx.bridges(graph))
    if not bridges:
        return {}
    parent: dict[Hashable, Hashable | None] = {}
    size: dict[Hashable, int] = {}
    component: dict[Hashable, int] = {}
    for root in graph:
        if root in parent:
            continue
        order = list(nx.dfs_preorder_nodes(graph, root))
        parent.update(nx.dfs_predecessors(graph, root))
        parent[root] = None
        for node in reversed(order):
            size[node] = size.get(node, 0) + 1
            if parent[node] is not None:
                size[parent[node]] = size.get(parent[node], 0) + size[node]
        for node in order:
            component[node] = len(order)
    separated = {}
    for a, b in bridges:
        child, other = (b, a) if parent[b] == a else (a, b)
        inside, outside = size[child], component[child] - size[child]
        if inside == outside:
            # Either side is cut off; name the pair the same way whatever the DFS root was.
            pair = tuple(sorted((a, b), key=str))
        else:
            pair = (other, child) if inside < outside else (child, other)
        separated[pair] = min(inside, outside)
    return separated


def ranked_brokers(graph: nx.Graph, layer: str, top: int | None = None) -> list[dict[str, Any]]:
    """Articulation points and bridges of one graph, most entities cut off first.

    Parameters
    ----------
    graph : a simple graph (`simple(project(...))`) with node attributes `name`, `country`
        and edge attribute `relation`.
    layer : the label the rows carry ("twinning", …, or "all").
    top : keep this many rows (all if None).

    Returns
    -------
    list of {"name", "iri", "layer", "kind", "country", "disconnects"}: an articulation point
    is an entity (its IRI and country); a bridge is a pair "A – B" whose second entity is on
    the side cut off, with the IRI of the relation joining them and the countries of both
    ends ("DE–US"). Ties are ordered by name, then IRI.

    Notes
    -----
    `separated_by_removal` and `bridges_separation`: O(V + E) each.
    """
    nodes = graph.nodes
    rows = [
        {
            "name": nodes[node]["name"],
            "iri": node,
            "layer": layer,
            "kind": "articulation point",
            "country": nodes[node]["country"],
            "disconnects": count,
        }
        for node, count in separated_by_removal(graph).items()
    ]
    for (a, b), count in bridges_separation(graph).items():
        countries = dict.fromkeys((nodes[a]["country"], nodes[b]["country"]))
        rows.append(
            {
                "name": f"{nodes[a]['name']} – {nodes[b]['name']}",
                "iri": graph.edges[a, b]["relation"],
                "layer": layer,
                "kind": "bridge",
                "country": "–".join(c for c in countries if c) or None,
                "disconnects": count,
            }
        )
    rows.sort(key=lambda row: (-row["disconnects"], row["name"], row["iri"]))
    return rows if top is None else rows[:top]


def brokers_by_layer(
    graph: nx.MultiGraph,
    layers: Iterable[str] = LAYERS,
    *,
    top: int | None = None,
    directions: Directions | None = None,
) -> list[dict[str, Any]]:
    """The brokers of each layer, of all of them together, and of the federal level.

    Parameters
    ----------
    graph : a projection with (at least) the layers asked about, `project(store)`.
    layers : each layer's own projection is searched, then their union ("all") when there
        are several.
    top : keep this many rows per layer (all if None).
    directions : `channel_directions(store)`; with it, and the contact layer among `layers`,
        the intermediaries cities depend on to reach the federal level (layer "federal",
        `sole_federal_channels`).

    Returns
    -------
    list of {"name", "iri", "layer", "kind", "country", "disconnects", "cities", "bodies"},
    layer by layer, most entities cut off first; `cities` and `bodies` are empty except for
    the federal layer.

    Notes
    -----
    O(L (V + E)) for L layers, plus `sole_federal_channels`.
    """
    chosen = tuple(layers)
    groups = [(layer, (layer,)) for layer in chosen]
    if len(chosen) > 1:
        groups.append(("all", chosen))
    rows = []
    for label, members in groups:
        rows += ranked_brokers(simple(layer_view(graph, members)), label, top)
    if directions is not None and "contact" in chosen:
        rows += sole_federal_channels(channel_graph(graph, directions))[:top]
    return [
        {**row, "cities": row.get("cities", []), "bodies": row.get("bodies", [])} for row in rows
    ]
