"""Which entities form groups: Louvain communities of a projection, with the countries that
dominate each and its best-connected members."""

from __future__ import annotations

from collections import Counter
from typing import Any

import networkx as nx


def communities(
    graph: nx.Graph,
    *,
    resolution: float = 1.0,
    seed: int = 0,
    top_members: int = 5,
    top_countries: int = 3,
) -> list[dict[str, Any]]:
    """The communities of a network by Louvain modularity optimisation, largest first.

    Parameters
    ----------
    graph : a projection (`graph.projection.project`); parallel edges become one edge whose
        `weight` is their number, so two entities joined by several relations are held
        closer. Isolated entities are left out.
    resolution : above 1 favours smaller communities, below 1 larger ones (Reichardt &
        Bornholdt 2006).
    seed : the seed of Louvain's random node order: the same seed and graph give the same
        communities, whatever order the graph was built in.
    top_members : how many members to name per community (highest degree first).
    top_countries : how many countries to name per community.

    Returns
    -------
    list of {"community", "size", "countries", "members", "modularity"}: `community` the
    rank by size (1 is the largest; equal sizes by their first member's IRI), `size` the
    number of entities, `countries` {ISO2: entities} for the `top_countries` countries with
    most entities in it (unknown country left out), `members` the names of the
    `top_members` members with the highest degree (ties by name), `modularity` the
    community's share of the partition's modularity (the shares sum to the modularity).

    Examples
    --------
    >>> graph = nx.barbell_graph(5, 0)
    >>> [row["size"] for row in communities(graph)]
    [5, 5]

    Notes
    -----
    networkx's Louvain method (Blondel et al. 2008), O(E) per pass over the edges, a few
    passes per level and O(log V) levels in practice. The graph is first rebuilt with sorted
    nodes and edges, because Louvain's moves depend on the order it visits nodes in, and a
    projection's order depends on how the store answered.

    References
    ----------
    V. D. Blondel, J.-L. Guillaume, R. Lambiotte, E. Lefebvre, "Fast unfolding of
    communities in large networks", J. Stat. Mech. (2008) P10008.
    J. Reichardt, S. Bornholdt, "Statistical mechanics of community detection",
    Phys. Rev. E 74, 016110 (2006).
    """
    weighted = _canonical_weighted(graph)
    parts = ranked_communities(weighted, resolution=resolution, seed=seed)
    total_weight = weighted.size(weight="weight")
    rows = []
    for rank, part in enumerate(parts, start=1):
        countries = Counter(
            graph.nodes[node].get("country") for node in part if graph.nodes[node].get("country")
        )
        ranked = sorted(part, key=lambda n: (-weighted.degree(n), _name(graph, n), str(n)))
        rows.append(
            {
                "community": rank,
                "size": len(part),
                "countries": dict(
                    sorted(countries.items(), key=lambda item: (-item[1], item[0]))[:top_countries]
                ),
                "members": [_name(graph, node) for node in ranked[:top_members]],
                "modularity": _modularity_share(weighted, part, total_weight, resolution),
            }
        )
    return rows


def community_of(graph: nx.Graph, *, resolution: float = 1.0, seed: int = 0) -> dict[Any, int]:
    """Entity → the rank of its community, numbered as `communities` numbers them (1 the
    largest); entities without a relation are left out."""
    parts = ranked_communities(_canonical_weighted(graph), resolution=resolution, seed=seed)
    return {node: rank for rank, part in enumerate(parts, start=1) for node in part}


def ranked_communities(weighted: nx.Graph, *, resolution: float, seed: int) -> list[set[Any]]:
    parts = nx.community.louvain_communities(
        weighted, weight="weight", resolution=resolution, seed=seed
    )
    return sorted(parts, key=lambda part: (-len(part), min(map(str, part))))


def _canonical_weighted(graph: nx.Graph) -> nx.Graph:
    weighted = nx.Graph()
    linked = sorted({node for edge in graph.edges() for node in edge}, key=str)
    weighted.add_nodes_from(linked)
    pairs = (sorted((a, b), key=str) for a, b in graph.edges())
    for a, b in sorted(pairs, key=lambda pair: (str(pair[0]), str(pair[1]))):
        if weighted.has_edge(a, b):
            weighted[a][b]["weight"] += 1
        else:
            weighted.add_edge(a, b, weight=1)
    return weighted


def _modularity_share(
    graph: nx.Graph, part: set[Any], total_weight: float, resolution: float
) -> float:
    """The community's term of Newman's modularity: L_c/m − γ (d_c / 2m)²."""
    inside = graph.subgraph(part).size(weight="weight")
    degree = sum(d for _, d in graph.degree(part, weight="weight"))
    return inside / total_weight - resolution * (degree / (2 * total_weight)) ** 2


def _name(graph: nx.Graph, node: Any) -> str:
    return graph.nodes[node].get("name") or str(node)
