"""Who holds the network together: cut vertices ranked by how many entities they separate."""

from __future__ import annotations

from collections.abc import Hashable

import networkx as nx


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
