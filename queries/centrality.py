"""Who is central: degree, strength, betweenness, closeness, harmonic, eigenvector, PageRank
and k-core values of a projection, and the rankings the CLI prints.

Every metric gives the numbers networkx gives for the same graph (`tests/test_centrality.py`
checks it), computed faster: distances by growing every entity's ball of reached entities at
once as bit sets, the rest by igraph's C core. networkx stays the reference in tests and in
`bench/centrality.py`.
"""

from __future__ import annotations

import math
import random
import warnings
from collections import defaultdict
from collections.abc import Collection, Hashable, Mapping
from functools import reduce
from operator import or_
from typing import Any

import igraph
import networkx as nx
from networkx.utils import not_implemented_for

from ..errors import QueryError
from ..graph.projection import simple

METRICS = (
    "degree",
    "strength",
    "betweenness",
    "closeness",
    "harmonic",
    "eigenvector",
    "pagerank",
    "kcore",
)

RELATIONS = "relations"
"""The edge attribute `relation_network` sets: how many relations join the pair."""

# Memory for the bit sets of one window of target entities (see `_distance_sums`).
_BALL_BYTES = 64 * 2**20
# Values equal to this many significant digits share a rank: summation order must not split
# a tie between entities in symmetric positions.
_TIE_DIGITS = 12


def relation_network(graph: nx.MultiGraph) -> nx.Graph:
    """The entities with at least one relation, one edge per related pair, the number of
    relations joining the pair as the edge's `relations` attribute.

    A projection holds every entity of the store; one without a relation in the layers chosen
    is not part of that network, and would only shift the normalisations (n - 1 reachable
    entities, PageRank's teleport).

    Notes
    -----
    One pass over the relations, O(V + E).
    """
    network = simple(graph)
    network.remove_nodes_from([node for node, degree in network.degree() if degree == 0])
    for a, b, data in network.edges(data=True):
        data[RELATIONS] = graph.number_of_edges(a, b)
    return network


@not_implemented_for("directed")
@not_implemented_for("multigraph")
def centrality(
    graph: nx.Graph,
    metric: str,
    *,
    sample: int | None = None,
    seed: int | None = None,
    weight: str | None = None,
) -> dict[Hashable, float]:
    """The value of `metric` for every entity of `graph`.

    Parameters
    ----------
    graph : an undirected simple graph, e.g. `relation_network(project(store))`.
    metric : one of METRICS:

        - ``degree``: the number of entities related to it;
        - ``strength``: the number of relations it has (the sum of the `weight` of its
          edges, `relations` unless another attribute is named);
        - ``betweenness``: the share of shortest paths between other pairs that pass through
          it, normalised by (n - 1)(n - 2) / 2 as networkx's `betweenness_centrality`;
        - ``closeness``: (r - 1) / (sum of distances to the r - 1 it reaches), times
          (r - 1) / (n - 1) for a disconnected graph (Wasserman & Faust), as networkx's
          `closeness_centrality`;
        - ``harmonic``: the sum of 1 / distance to every other entity (0 for those it
          cannot reach), as networkx's `harmonic_centrality`;
        - ``eigenvector``: the principal eigenvector of the adjacency matrix with unit
          Euclidean norm, as networkx's `eigenvector_centrality`;
        - ``pagerank``: PageRank with damping 0.85, summing to 1, as networkx's `pagerank`;
        - ``kcore``: the core number, the largest k of a k-core holding it.
    sample : betweenness only: estimate it from shortest paths starting at `sample` sources
        drawn at random, as networkx's `k` (at least 2; as many as there are entities is the
        exact computation).
    seed : the seed of that draw; the same seed draws the same sources as networkx.
    weight : the edge attribute holding a length (betweenness, closeness, harmonic), a
        weight (eigenvector, pagerank) or a count (strength); None: every edge counts 1.

    Returns
    -------
    dict of node to value (ints for degree, strength of integer weights, and kcore).

    Raises
    ------
    QueryError : for an unknown metric, a sample for another metric, or a weight for degree
        or kcore.

    Examples
    --------
    >>> G = nx.path_graph(4)
    >>> centrality(G, "betweenness")
    {0: 0.0, 1: 0.6666666666666666, 2: 0.6666666666666666, 3: 0.0}
    >>> centrality(G, "degree")
    {0: 1, 1: 2, 2: 2, 3: 1}

    Notes
    -----
    Self-loops are ignored: an entity related to itself is not a connection. Complexity, for
    V entities, E edges and diameter D:

    - degree, strength, kcore: O(V + E) (kcore: Batagelj & Zaversnik 2003);
    - betweenness: O(V E) (Brandes 2001), in igraph's C core; with a sample of K sources,
      O(K E) (Brandes & Pich 2007);
    - closeness, harmonic (unweighted): O(D E V / w) word operations: every entity's ball of
      entities within distance d is the union of its neighbours' balls within d - 1, kept as
      a bit set of w-bit words, so a round costs E unions of V bits; the ball sizes give the
      number of entities at each distance (the exact neighbourhood function of Palmer,
      Gibbons & Faloutsos 2002, without their sketches). Memory is bounded by growing the
      balls over windows of target entities. Weighted: one Dijkstra search per entity, in
      igraph;
    - eigenvector, pagerank: ARPACK and PRPACK in igraph, solved to machine precision where
      networkx's power iteration stops at a tolerance of 1e-6 (networkx's values are within
      that of these).

    References
    ----------
    Brandes, U. (2001). A faster algorithm for betweenness centrality. J. Math. Sociol. 25(2).
    Brandes, U., Pich, C. (2007). Centrality estimation in large networks. Int. J. Bifurc.
    Chaos 17(7).
    Wasserman, S., Faust, K. (1994). Social Network Analysis. Cambridge University Press.
    Boldi, P., Vigna, S. (2014). Axioms for centrality. Internet Math. 10(3-4).
    Palmer, C. R., Gibbons, P. B., Faloutsos, C. (2002). ANF: a fast and scalable tool for
    data mining in massive graphs. KDD.
    Batagelj, V., Zaversnik, M. (2003). An O(m) algorithm for cores decomposition of
    networks. arXiv:cs/0310049.
    Csardi, G., Nepusz, T. (2006). The igraph software package for complex network research.
    InterJournal Complex Systems 1695.
    """
    if metric not in METRICS:
        raise QueryError(f"unknown metric {metric!r}; metrics are {', '.join(METRICS)}")
    if sample is not None and metric != "betweenness":
        raise QueryError(f"a sample estimates betweenness only, not {metric}")
    if weight is not None and metric in ("degree", "kcore"):
        raise QueryError(f"{metric} takes no weight (the weighted degree is strength)")
    if sample is not None and sample < 2:
        raise QueryError(f"a sample needs at least 2 sources, not {sample}")
    if metric == "degree":
        return {node: len(others) - (node in others) for node, others in graph.adjacency()}
    if metric == "strength":
        return _strength(graph, weight or RELATIONS)
    nodes = list(graph)
    if not nodes:
        return {}
    backend, weights = _to_igraph(graph, nodes, weight)
    if metric == "betweenness":
        values = _betweenness(backend, nodes, weights, sample, seed)
    elif metric in ("closeness", "harmonic"):
        values = _distance_centrality(backend, metric, weights)
    else:
        values = _CORE[metric](backend, weights)
    return dict(zip(nodes, values, strict=True))


def _strength(graph: nx.Graph, weight: str) -> dict[Hashable, float]:
    # A missing attribute counts 1, as in networkx.
    return {
        node: sum(data.get(weight, 1) for other, data in others.items() if other != node)
        for node, others in graph.adjacency()
    }


def _to_igraph(
    graph: nx.Graph, nodes: list[Hashable], weight: str | None
) -> tuple[igraph.Graph, list[float] | None]:
    index = {node: i for i, node in enumerate(nodes)}
    edges = [(a, b, data) for a, b, data in graph.edges(data=True) if a != b]
    backend = igraph.Graph(n=len(nodes), edges=[(index[a], index[b]) for a, b, _ in edges])
    if weight is None:
        return backend, None
    return backend, [data.get(weight, 1) for _, _, data in edges]


def _betweenness(
    backend: igraph.Graph,
    nodes: list[Hashable],
    weights: list[float] | None,
    sample: int | None,
    seed: int | None,
) -> list[float]:
    n = len(nodes)
    if n < 3:
        return [0.0] * n
    if sample is None or sample >= n:
        # igraph counts each unordered pair once; networkx divides ordered pairs by
        # (n - 1)(n - 2).
        scale = 2 / ((n - 1) * (n - 2))
        return [value * scale for value in backend.betweenness(directed=False, weights=weights)]
    # networkx's draw (random.Random(seed).sample of the nodes in order) and its rescaling:
    # a source lies on paths from the k - 1 other sources, any other entity from all k.
    sources = random.Random(seed).sample(range(n), sample)
    raw = backend.betweenness(directed=False, weights=weights, sources=sources)
    from_sources = set(sources)
    as_source = 2 / ((sample - 1) * (n - 2))
    as_other = 2 / (sample * (n - 2))
    return [value * (as_source if i in from_sources else as_other) for i, value in enumerate(raw)]


def _distance_centrality(
    backend: igraph.Graph, metric: str, weights: list[float] | None
) -> list[float]:
    n = backend.vcount()
    if weights is not None:
        if metric == "harmonic":
            return backend.harmonic_centrality(weights=weights, normalized=False)
        reached = [0] * n
        for component in backend.connected_components():
            for vertex in component:
                reached[vertex] = len(component)
        # igraph normalises by the r - 1 reached; networkx then scales by (r - 1) / (n - 1).
        closeness = backend.closeness(weights=weights, normalized=True)
        return [
            0.0 if math.isnan(value) or n < 2 else value * ((r - 1.0) / (n - 1))
            for value, r in zip(closeness, reached, strict=True)
        ]
    reached, distances, inverse = _distance_sums(
        backend.get_adjlist(), backend.connected_components().membership
    )
    if metric == "harmonic":
        return inverse
    # The same floating-point steps as networkx's closeness_centrality.
    values = []
    for r, total in zip(reached, distances, strict=True):
        value = 0.0
        if total > 0 and n > 1:
            value = (r - 1.0) / total
            value *= (r - 1.0) / (n - 1)
        values.append(value)
    return values


def _distance_sums(
    adjacency: list[list[int]], component: list[int]
) -> tuple[list[int], list[int], list[float]]:
    """For every vertex: the number of vertices it reaches (itself included), the sum of the
    distances to them and the sum of their inverse distances.

    Grows each vertex's ball one hop a round: ball(v, d) = ball(v, d - 1) | the balls of its
    neighbours at d - 1, as Python ints used as bit sets. The bits cover a window of target
    vertices at a time, so memory stays near _BALL_BYTES whatever the size of the graph.

    A vertex whose ball holds every vertex of its component in the window is done.
    A leaf (one neighbour, itself not a leaf) sees the graph through its neighbour u, one hop
    further: ball(leaf, d) = ball(u, d - 1) from d = 2 on. So leaves are not grown: after the
    first round their balls add nothing to u's, and their sums follow from u's.
    """
    n = len(adjacency)
    leaf_of = {
        vertex: neighbours[0]
        for vertex, neighbours in enumerate(adjacency)
        if len(neighbours) == 1 and len(adjacency[neighbours[0]]) > 1
    }
    inner = [vertex for vertex in range(n) if vertex not in leaf_of]
    inner_adjacency = [[w for w in neighbours if w not in leaf_of] for neighbours in adjacency]
    reached, distances, inverse = [0] * n, [0] * n, [0.0] * n
    # Sum of found / (distance + 1): the inverse distances seen from a leaf of the vertex.
    shifted = [0.0] * n
    width = max(64, _BALL_BYTES * 8 // n)
    for low in range(0, n, width):
        ball = [0] * n
        size = [0] * n
        in_window = [0] * n  # per component
        for vertex in range(low, min(n, low + width)):
            ball[vertex] = 1 << (vertex - low)
            size[vertex] = 1
            in_window[component[vertex]] += 1
        full = [in_window[component[vertex]] for vertex in range(n)]
        # Only a vertex with a neighbour whose ball grew in the last round can grow.
        active: Collection[int] = inner
        neighbourhood = adjacency
        distance = 0
        while active:
            distance += 1
            grown = {}
            for vertex in active:
                old = ball[vertex]
                new = reduce(or_, map(ball.__getitem__, neighbourhood[vertex]), old)
                if new != old:
                    grown[vertex] = new
            for vertex, new in grown.items():
                count = new.bit_count()
                found = count - size[vertex]
                size[vertex] = count
                distances[vertex] += found * distance
                inverse[vertex] += found / distance
                shifted[vertex] += found / (distance + 1)
                ball[vertex] = new
            neighbourhood = inner_adjacency
            active = {
                neighbour
                for vertex in grown
                for neighbour in inner_adjacency[vertex]
                if size[neighbour] < full[neighbour]
            }
        for vertex in inner:
            reached[vertex] += size[vertex]
    for leaf, vertex in leaf_of.items():
        # From the leaf every other vertex is one hop further than from its neighbour, which
        # is at distance 1 (1 / 1); the leaf itself was among its neighbour's finds at
        # distance 1, counted in `shifted` as 1 / 2 and in `distances` as 1.
        reached[leaf] = reached[vertex]
        distances[leaf] = distances[vertex] + reached[vertex] - 2
        inverse[leaf] = shifted[vertex] + 1.0 - 0.5
    return reached, distances, inverse


def _eigenvector(backend: igraph.Graph, weights: list[float] | None) -> list[float]:
    # igraph warns on a disconnected graph (entities outside the component of the largest
    # eigenvalue get zero); the answer is the one networkx's power iteration tends to.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        values = backend.eigenvector_centrality(weights=weights)
    # igraph scales the largest to 1, networkx to unit Euclidean norm.
    norm = math.hypot(*values) or 1.0
    return [abs(value) / norm for value in values]


_CORE = {
    "eigenvector": _eigenvector,
    "pagerank": lambda backend, weights: backend.pagerank(
        directed=False, damping=0.85, weights=weights
    ),
    "kcore": lambda backend, weights: backend.coreness(),
}


def ranked(
    graph: nx.Graph,
    values: Mapping[Hashable, float],
    *,
    top: int | None = None,
    by_country: bool = False,
    country: str | None = None,
) -> list[dict[str, Any]]:
    """The entities (or countries) by decreasing value, as rows for a table.

    Parameters
    ----------
    graph : where names and countries are read (node attributes `name`, `type`, `country`);
        the whole projection, so that countries without a relation still have their names.
    values : node to value, from `centrality`.
    top : keep the first `top` rows; None keeps all.
    by_country : one row per country: the sum of its entities' values, and how many they
        are (`entities`). Sums, not means: a country with many central cities weighs more
        than one with a single hub, and the mean is `value / entities`. Entities without a
        country (city networks, programmes) are left out.
    country : only entities of this country (ISO 3166-1 alpha-2), ranked among themselves.

    Returns
    -------
    list of {"rank", "iri", "name", "country", "value"} (and "entities" by country). Equal
    values (to 12 significant digits) share a rank, the next rank counting them all
    ("1, 2, 2, 4"), and are listed by name, then IRI. A country's row has the IRI and name of
    the country entity when the graph holds it, else its code as the name.

    Notes
    -----
    O(V log V) for the sort.
    """
    if country is not None and not (len(country) == 2 and country.isalpha()):
        raise QueryError(
            f"a country is given by its two-letter ISO code such as DE, not {country!r}"
        )
    wanted = country.upper() if country else None
    rows = [
        {
            "iri": node,
            "name": graph.nodes[node].get("name") or str(node),
            "country": graph.nodes[node].get("country"),
            "value": value,
        }
        for node, value in values.items()
        if wanted is None or graph.nodes[node].get("country") == wanted
    ]
    if by_country:
        rows = _by_country(graph, rows)
    rows.sort(key=lambda row: (-row["value"], row["name"], str(row["iri"])))
    rows = rows[:top] if top is not None else rows
    ranked_rows: list[dict[str, Any]] = []
    for position, row in enumerate(rows, start=1):
        tied = ranked_rows and _same(ranked_rows[-1]["value"], row["value"])
        ranked_rows.append({"rank": ranked_rows[-1]["rank"] if tied else position, **row})
    return ranked_rows


def _by_country(graph: nx.Graph, rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    total: dict[str, float] = defaultdict(int)
    count: dict[str, int] = defaultdict(int)
    for row in rows:
        if row["country"] is not None:
            total[row["country"]] += row["value"]
            count[row["country"]] += 1
    entity = {
        data["country"]: (node, data.get("name"))
        for node, data in graph.nodes(data=True)
        if data.get("type") == "Country" and data.get("country")
    }
    return [
        {
            "iri": entity.get(code, (None, None))[0],
            "name": entity.get(code, (None, None))[1] or code,
            "country": code,
            "value": total[code],
            "entities": count[code],
        }
        for code in total
    ]


def _same(a: float, b: float) -> bool:
    return f"{a:.{_TIE_DIGITS}g}" == f"{b:.{_TIE_DIGITS}g}"
